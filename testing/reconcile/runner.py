"""Running `campaign-sync` as a user does, against the fake GitHub, on the fake's time.

Two ways, the same command line:

- ``run_inprocess``: ``campaign_sync.cli.main([...])`` in this process (fast: no start-up),
  its stdout and stderr captured;
- ``spawn``: a real process (``python -m testing.reconcile.child``), for what needs one:
  SIGKILL at an exact point.

Both change exactly two things, because the CLI takes them from the machine and a test
needs them fixed, and nothing else:

- **now**: ``campaign_sync.cli_env.now`` returns the scenario's instant (the CLI has no
  ``--now``), so two runs of a scenario render the same dates;
- **waiting**: every ``Transport`` the CLI makes waits on the fake's simulated clock (its
  ``sleep`` advances that clock, its ``clock`` reads it) and times a request out after
  ``timeout`` seconds. Write spacing, ``retry-after`` and backoff are still obeyed, in
  simulated time, so a run under faults takes seconds instead of hours.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import traceback
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from campaign_sync import cli, cli_env
from campaign_sync.github.transport import Transport
from testing.environment import CLEARED_ENV

from .workspace import git_environment

ROOT = Path(__file__).resolve().parents[2]
# A fixed token in GitHub's classic format (ghp_ + 36 characters), never a real one. The
# scenarios register it on the fake, so it can be searched for in everything afterwards.
TOKEN = "ghp_R3c0nc1LeHarn3ssT0k3nAbCdEfGhIjKlMn"
# Loopback answers in milliseconds, but a loaded CI machine may pause a few hundred: a clean
# run waits this long before calling a request timed out. A run under injected faults waits
# CHAOS_TIMEOUT, so that each injected timeout costs the suite half a second.
REQUEST_TIMEOUT = 10.0
CHAOS_TIMEOUT = 0.5


@dataclass(frozen=True, slots=True)
class Run:
    """One command's exit code and output."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def traceback(self) -> bool:
        """A bug: the CLI's boundary printed a traceback (exit 3) or one escaped it."""
        return self.code == 3 or "Traceback (most recent call last)" in self.output


def environment(token: str, date: str) -> dict[str, str]:
    """The variables a run gets on top of (or instead of) the caller's."""
    return {"GITHUB_TOKEN": token, **git_environment(date)}


@contextlib.contextmanager
def _patched_environ(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    for name in CLEARED_ENV:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def injected_time(
    now: datetime,
    sleep: Callable[[float], Any],
    clock: Callable[[], float],
    timeout: float = REQUEST_TIMEOUT,
) -> Iterator[None]:
    """``cli_env.now`` returns ``now``; every new Transport waits with ``sleep``/``clock``."""
    defaults = Transport.__init__.__kwdefaults__
    assert defaults is not None
    wanted = {"sleep": sleep, "clock": clock, "timeout": timeout, "seed": 1}
    missing = wanted.keys() - defaults.keys()
    # The harness must fail loudly if Transport stops taking these, not silently sleep.
    assert not missing, f"Transport no longer takes {sorted(missing)}"
    saved_defaults = dict(defaults)
    saved_now = cli_env.now
    defaults.update(wanted)
    cli_env.now = lambda: now
    try:
        yield
    finally:
        defaults.clear()
        defaults.update(saved_defaults)
        cli_env.now = saved_now


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run_inprocess(
    work: Path,
    argv: Sequence[str],
    *,
    now: datetime,
    sleep: Callable[[float], Any],
    clock: Callable[[], float],
    token: str = TOKEN,
    date: str,
    timeout: float = REQUEST_TIMEOUT,
) -> Run:
    """``campaign-sync ARGV`` in ``work``, in this process."""
    out, err = io.StringIO(), io.StringIO()
    with (
        _patched_environ(environment(token, date)),
        _cwd(work),
        injected_time(now, sleep, clock, timeout),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = cli.main(list(argv))
        except Exception:  # past main's own boundary: a bug, counted as one
            err.write(traceback.format_exc())
            code = 3
    return Run(code, out.getvalue(), err.getvalue())


def spawn(
    work: Path,
    argv: Sequence[str],
    *,
    fake_url: str,
    now: datetime,
    token: str = TOKEN,
    date: str,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """``campaign-sync ARGV`` in ``work`` as its own process (in its own process group, so
    killing the group also kills the git it may be running). Output goes to files in
    ``work/..``: read them with ``collect``."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env |= environment(token, date) | (extra_env or {})
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    logs = work.parent
    with (
        open(logs / "child.stdout", "wb") as stdout,
        open(logs / "child.stderr", "wb") as stderr,
    ):
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "testing.reconcile.child",
                "--fake-url",
                fake_url,
                "--now",
                now.isoformat(),
                "--",
                *argv,
            ],
            cwd=work,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )


def collect(work: Path, code: int) -> Run:
    logs = work.parent
    return Run(
        code,
        (logs / "child.stdout").read_text(encoding="utf-8", errors="replace"),
        (logs / "child.stderr").read_text(encoding="utf-8", errors="replace"),
    )


class RemoteClock:
    """The fake's simulated clock seen from another process, through its control API."""

    def __init__(self, fake_url: str) -> None:
        self._url = fake_url.rstrip("/") + "/_fake/clock"
        # Loopback only: never through a proxy the environment may name.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._now = self._post({})

    def _post(self, body: dict[str, float]) -> float:
        request = urllib.request.Request(
            self._url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with self._opener.open(request, timeout=10) as response:
            return float(json.load(response)["now"])

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        self._now = self._post({"advance": max(0.0, seconds)})
