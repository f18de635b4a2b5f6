"""Git for tests: run it, and as on a fresh machine."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def git(cwd: Path, *args: str) -> str:
    """``git ARGS`` in ``cwd``; its stdout. A failure fails the test with git's stderr."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def isolate_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Git as on a fresh machine: no global or system config, a human's identity for the
    commits a test makes itself, no repository found above ``tmp_path``, and none of the
    variables that name the bot's identity, the run or the job summary."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for variable in ("NAME", "EMAIL"):
        value = "Hu Man" if variable == "NAME" else "human@example.com"
        monkeypatch.setenv(f"GIT_AUTHOR_{variable}", value)
        monkeypatch.setenv(f"GIT_COMMITTER_{variable}", value)
    for variable in ("CAMPAIGN_SYNC_COMMIT_AUTHOR", "GITHUB_RUN_ID", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(variable, raising=False)
