"""pytest plugin: GitHub's official descriptions judge every exchange with the fake GitHub.

Register with ``pytest_plugins`` in a conftest. It installs a ``Judge`` as an observer of
every fake GitHub in the process (``testing.fake_github.dispatcher.OBSERVERS``: the fixtures'
fakes and the ones tests construct themselves), and, through ``CAMPAIGN_SYNC_CONTRACT_OUT``,
of fakes started as subprocesses (``python -m testing.fake_github``). A request or response
off the description fails the test during which it happened (setup, call or teardown), with
the operation, the side, the status, the field and the validator's message. At the end, one
summary line gives the figure; with pytest-xdist the workers' tallies are added up.

``CAMPAIGN_SYNC_CONTRACT``:

- unset or ``auto``: judge when the npm packages are installed (``npm ci`` at the root),
  otherwise say so in one line and carry on (a fresh ``pip install '.[test]'`` machine);
- ``required`` (CI, ``.ci/run``): a missing description is a usage error;
- ``off``: no judge at all.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testing.fake_github import dispatcher

from . import description
from .findings import Violation
from .judge import Judge, Tally
from .subprocess import OUT_ENV

ENV = "CAMPAIGN_SYNC_CONTRACT"
KEY = "contract"


class ContractPlugin:
    def __init__(self, config: pytest.Config, judge: Judge | None, skipped: str | None) -> None:
        self.config = config
        self.judge = judge
        self.skipped = skipped
        self.total = Tally()
        self.outdir: Path | None = None
        self._offsets: dict[Path, int] = {}
        if judge is not None:
            dispatcher.OBSERVERS.append(judge.observe)
            self.outdir = Path(tempfile.mkdtemp(prefix="contract-"))
            os.environ[OUT_ENV] = str(self.outdir)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.judge is not None and self.judge.observe in dispatcher.OBSERVERS:
            dispatcher.OBSERVERS.remove(self.judge.observe)
        if self.outdir is not None:
            os.environ.pop(OUT_ENV, None)
            shutil.rmtree(self.outdir, ignore_errors=True)

    # per test: collect what the fakes saw during each phase --------------------------------

    def _subprocess_violations(self) -> list[Violation]:
        found: list[Violation] = []
        if self.outdir is None:
            return found
        for path in sorted(self.outdir.glob("*.violations.jsonl")):
            with path.open("rb") as stream:
                stream.seek(self._offsets.get(path, 0))
                data = stream.read()
            end = data.rfind(b"\n") + 1
            self._offsets[path] = self._offsets.get(path, 0) + end
            for line in data[:end].splitlines():
                found.append(Violation(**json.loads(line)))
        return found

    def _check(self, item: pytest.Item, when: str) -> None:
        if self.judge is None:
            return
        found = self.judge.take() + self._subprocess_violations()
        if found:
            lines = "\n".join(f"  {violation}" for violation in found[:20])
            more = f"\n  ... and {len(found) - 20} more" if len(found) > 20 else ""
            package = description.rest_package()
            against = package.label if package else description.REST_PACKAGE
            pytest.fail(
                f"contract: {len(found)} finding(s) off GitHub's official description "
                f"({against}) during {when}:\n{lines}{more}",
                pytrace=False,
            )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        if self.judge is not None:
            self.judge.take()  # nothing from between tests is blamed on this one
            self.judge.deliberate = item.get_closest_marker("off_description") is not None
        result = yield
        self._check(item, "setup")
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        result = yield
        self._check(item, "the test")
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Iterator[None]:
        try:
            result = yield
            self._check(item, "teardown")
        finally:
            if self.judge is not None:
                self.judge.deliberate = False
        return result

    # the figure -----------------------------------------------------------------------------

    def _own_tally(self) -> dict[str, Any]:
        tally = Tally()
        if self.judge is not None:
            self.judge.wait()
            tally.merge(self.judge.tally.as_dict())
        if self.outdir is not None:
            for path in self.outdir.glob("*.tally.json"):
                tally.merge(json.loads(path.read_text()))
        return tally.as_dict()

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        own = self._own_tally()
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:  # an xdist worker: the controller adds it up
            workeroutput[KEY] = json.dumps(own)
        else:
            self.total.merge(own)

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        data = getattr(node, "workeroutput", {}).get(KEY)
        if data:
            self.total.merge(json.loads(data))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if getattr(self.config, "workerinput", None) is not None:
            return
        write = terminalreporter.write_line
        if self.judge is None:
            write(f"contract: {self.skipped}")
            return
        total = self.total
        rest, graphql = description.rest_package(), description.graphql_package()
        assert rest is not None
        assert graphql is not None
        excused = sum(total.excused.values())
        line = (
            f"contract: {len(total.operations)} operations, {total.pairs:,} request/response "
            f"pairs and {total.graphql:,} GraphQL queries validated against {rest.label} "
            f"(api.github.com) and {graphql.label}; {total.off:,} off the description"
        )
        if excused:
            line += f"; {excused:,} excused as upstream quirks"
        if total.deliberate:
            line += (
                f"; {total.deliberate:,} requests off it on purpose (tests marked off_description)"
            )
        if total.faults:
            line += f"; {total.faults:,} injected faults skipped"
        write(line)
        write(f"contract: {total.seconds:.1f} s of CPU spent judging (all processes)")
        for reason, count in sorted(total.excused.items()):
            write(f"contract: excused {count:,}x: {reason}")
        if self.config.get_verbosity() > 0:
            for operation, count in sorted(total.operations.items()):
                write(f"contract:   {count:>7,}  {operation}")
        cache = getattr(self.config, "cache", None)
        if cache is not None:
            cache.set(
                "contract/summary",
                {"rest": rest.label, "graphql": graphql.label, **total.as_dict()},
            )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "off_description(reason): the test sends requests GitHub would refuse, on purpose "
        "(the contract judge counts them instead of failing the test, and accepts any 4xx "
        "in GitHub's error shape as their answer)",
    )
    mode = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if mode not in ("auto", "required", "off"):
        raise pytest.UsageError(f"{ENV} must be auto, required or off, not {mode!r}")
    judge: Judge | None = None
    skipped: str | None = None
    if mode == "off":
        skipped = f"off ({ENV}=off): nothing checked against GitHub's official description"
    else:
        missing = description.missing()
        if missing and mode == "required":
            raise pytest.UsageError(
                f"contract: {', '.join(missing)} not installed and {ENV}=required: "
                f"run {description.INSTALL_HINT}"
            )
        if missing:
            skipped = (
                f"skipped: {', '.join(missing)} not installed (run {description.INSTALL_HINT} "
                "to check every exchange with the fake against GitHub's official description)"
            )
        else:
            judge = Judge(background=True)
    config.pluginmanager.register(ContractPlugin(config, judge, skipped), "contract-judge")
