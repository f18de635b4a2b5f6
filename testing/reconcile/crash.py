"""Killing a real ``campaign-sync apply --commit`` process with SIGKILL at an exact point.

A crash point is one of:

- ``write N before``: the N-th write request of the run reaches the fake, which holds it
  without applying it; the process is killed while it waits for the answer;
- ``write N after``: the fake applies the N-th write and holds its answer; the process is
  killed without learning that the write happened (the hardest case for idempotence);
- ``git commit`` / ``git push``: the process is killed as it starts ``git commit`` (the
  ledger and reports written, nothing committed) or ``git push`` (committed, not pushed).
  A ``git`` shim first on ``PATH`` stops there until the kill.

Then the run is recovered one of two ways:

- ``fresh``: as GitHub Actions does, the next run starts from a new checkout of main, so
  whatever the killed run wrote to its working tree and did not push is gone;
- ``same``: as on a self-hosted runner or a laptop, the next run starts in the very working
  tree the killed run left.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .runner import Run, collect, spawn
from .scenario import git_date, instant
from .world import APPLY, World

# How long a crash point may take to be reached before the run is counted as finished
# without reaching it.
REACH_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class CrashPoint:
    cycle: int
    where: str  # "write" | "git"
    write: int = 0  # for "write": the N-th write request of the run
    when: str = ""  # for "write": "before" | "after"; for "git": "commit" | "push"
    recovery: str = "fresh"  # "fresh" | "same"

    def __str__(self) -> str:
        what = f"write {self.write} {self.when}" if self.where == "write" else f"git {self.when}"
        return f"day {self.cycle}, {what}, {self.recovery} checkout"


_SHIM = """#!/bin/sh
for argument in "$@"; do
  if [ "$argument" = "$CRASH_GIT_AT" ]; then
    : > "$CRASH_GIT_FLAG"
    sleep 60
  fi
done
exec {git} "$@"
"""


def git_shim(folder: Path) -> Path:
    """A ``git`` that stops before running the subcommand named by ``$CRASH_GIT_AT``."""
    real = shutil.which("git")
    if real is None:
        raise RuntimeError("git is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "git"
    shim.write_text(_SHIM.format(git=real), encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


@dataclass(frozen=True, slots=True)
class Crash:
    reached: bool  # the point was reached and the process killed there
    code: int  # the process's exit status (-9 when killed)
    detail: str  # what the fake held, or why the point was not reached


def crash(world: World, point: CrashPoint) -> Crash:
    """Run the day's apply as a process and kill it at ``point``. ``world.begin`` must have
    been called for the day."""
    work = world.workspace.work
    extra_env: dict[str, str] = {}
    gate = None
    flag = world.workspace.base / "git-reached"
    flag.unlink(missing_ok=True)
    if point.where == "write":
        gate = world.interposer.gate(point.write, point.when)
    else:
        shim = git_shim(world.workspace.base / "shim")
        extra_env = {
            "PATH": f"{shim}{os.pathsep}{os.environ.get('PATH', '')}",
            "CRASH_GIT_AT": point.when,
            "CRASH_GIT_FLAG": str(flag),
        }
    process = spawn(
        work,
        APPLY,
        fake_url=world.fake.url,
        now=instant(point.cycle),
        date=git_date(point.cycle),
        extra_env=extra_env,
    )
    try:
        reached, detail = _wait(process, gate.reached.is_set if gate else flag.exists)
        if gate is not None and reached:
            detail = f"held {gate.method} {gate.path}"
        if reached:
            os.killpg(process.pid, signal.SIGKILL)
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        world.interposer.reset()  # releases the gate: the held answer goes nowhere
    run = collect(work, code)
    world.runs.append(run)
    if not reached:
        detail = f"the run ended (exit {code}) before the point: {run.stderr[-200:]}"
    return Crash(reached, code, detail)


def _wait(process: subprocess.Popen[bytes], reached: Callable[[], bool]) -> tuple[bool, str]:
    deadline = time.monotonic() + REACH_SECONDS
    while time.monotonic() < deadline:
        if reached():
            return True, ""
        if process.poll() is not None:
            return reached(), ""
        time.sleep(0.005)
    return False, f"not reached within {REACH_SECONDS:.0f} s"


def recover(world: World, point: CrashPoint) -> list[Run]:
    """The runs after the crash, until one succeeds (``fresh`` or ``same`` checkout)."""
    if point.recovery == "fresh":
        world.checkout()
    return world.converge(point.cycle, fresh=point.recovery == "fresh")
