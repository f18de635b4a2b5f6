"""The judge inside a fake GitHub run as a subprocess (``python -m testing.fake_github``).

The pytest plugin exports ``CAMPAIGN_SYNC_CONTRACT_OUT`` (a directory); a fake started with it
judges its exchanges too, appends each violation as a JSON line to
``<pid>.violations.jsonl`` as it happens (the plugin reads them after every test phase and
fails the test) and writes its tally to ``<pid>.tally.json`` when it stops (added to the
figure). A fake killed without a chance to stop loses its tally, never its violations.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from testing.fake_github import dispatcher
from testing.fake_github.http_util import Request, Response

from .judge import Judge

OUT_ENV = "CAMPAIGN_SYNC_CONTRACT_OUT"


class SubprocessJudge:
    def __init__(self, outdir: Path) -> None:
        self.judge = Judge()
        pid = os.getpid()
        self.violations = outdir / f"{pid}.violations.jsonl"
        self.tally = outdir / f"{pid}.tally.json"
        self._lock = threading.Lock()

    def observe(self, req: Request, response: Response | None, fault: str | None) -> None:
        self.judge.observe(req, response, fault)
        found = self.judge.take()
        if found:
            with self._lock, self.violations.open("a", encoding="utf-8") as stream:
                for violation in found:
                    stream.write(json.dumps(violation.as_dict()) + "\n")

    def close(self) -> None:
        self.tally.write_text(json.dumps(self.judge.tally.as_dict()), encoding="utf-8")


def install_from_environment() -> SubprocessJudge | None:
    """Observe this process's fakes when the harness asked for it (``OUT_ENV`` set)."""
    outdir = os.environ.get(OUT_ENV)
    if not outdir or not Path(outdir).is_dir():
        return None
    judge = SubprocessJudge(Path(outdir))
    dispatcher.OBSERVERS.append(judge.observe)
    return judge
