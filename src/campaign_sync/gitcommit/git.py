"""Running git for a reports commit: no hooks, no prompts, bounded time; the branch and
upstream to commit on, refused mid-rebase or with someone else's unpushed commits."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from campaign_sync.gitcommit.values import (
    DetachedHead,
    GitError,
    GitTarget,
    Identity,
    NotARepository,
    NoUpstream,
    redact,
)


def git_environment() -> dict[str, str]:
    """The environment every git process the tool runs gets: output we parse is stable
    in the C locale, and a prompt for a password would hang CI."""
    return {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


def _git(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    environment = {**git_environment(), **(env or {})}
    try:
        return subprocess.run(
            # Literal pathspecs: a reports folder named like a glob means itself.
            ["git", "--literal-pathspecs", *args],
            cwd=cwd,
            env=environment,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        if not cwd.is_dir():
            raise NotARepository(f"{cwd} is not a folder") from None
        raise GitError("git is not installed or not on PATH; --commit needs it") from None
    except subprocess.TimeoutExpired:
        raise GitError(
            f"`git {args[0]}` did not finish within {timeout:.0f} s: is the remote reachable?"
        ) from None


def _check(result: subprocess.CompletedProcess[str], what: str) -> str:
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise GitError(f"{what} failed: {redact(detail)}" if detail else f"{what} failed")
    return result.stdout


def _config(cwd: Path, key: str) -> str | None:
    result = _git(cwd, "config", "--get", key)
    return (result.stdout.strip() or None) if result.returncode == 0 else None


_FINISH = "finish or abort it before --commit"


_IN_PROGRESS = (
    ("rebase-merge", f"a rebase is in progress: {_FINISH}"),
    ("rebase-apply", f"a rebase is in progress: {_FINISH}"),
    ("MERGE_HEAD", f"a merge is in progress: {_FINISH}"),
    ("CHERRY_PICK_HEAD", f"a cherry-pick is in progress: {_FINISH}"),
    ("REVERT_HEAD", f"a revert is in progress: {_FINISH}"),
    # Left by a git killed mid-command (a runner that keeps its working tree); found here,
    # not when committing after every GitHub write.
    (
        "index.lock",
        "index.lock exists: another git command is running, or one was killed and left it. "
        "Wait for it, or remove the lock if none is running, before --commit",
    ),
)


def _operation_in_progress(toplevel: Path) -> str | None:
    asked = [arg for marker, _ in _IN_PROGRESS for arg in ("--git-path", marker)]
    paths = _check(_git(toplevel, "rev-parse", *asked), "git rev-parse").splitlines()
    for path, (_, operation) in zip(paths, _IN_PROGRESS, strict=True):
        if (toplevel / path).exists():  # relative to toplevel, or absolute in a worktree
            return operation
    return None


def find_target(root: Path, *, push: bool, identity: Identity) -> GitTarget:
    """Check that the reports can be committed (and pushed) from ``root``, before apply
    writes anything to GitHub: a run that cannot commit should fail while nothing changed."""
    found = _git(root, "rev-parse", "--show-toplevel")
    if found.returncode != 0:
        raise NotARepository(
            f"{root} is not inside a git working tree: --commit commits the reports to the "
            "campaigns repository's history. Run it in a clone of that repository, or drop "
            "--commit"
        )
    toplevel = Path(found.stdout.strip())
    branch = _git(toplevel, "symbolic-ref", "--quiet", "--short", "HEAD")
    if branch.returncode != 0:
        raise DetachedHead(
            "HEAD is detached (actions/checkout does this for pull requests and tags), so a "
            "commit would belong to no branch. Check out the branch the reports belong on, "
            "e.g. `git switch main`, or run on a push, schedule or workflow_dispatch event"
        )
    name = branch.stdout.strip()
    if _git(toplevel, "rev-parse", "--quiet", "--verify", "HEAD^{commit}").returncode != 0:
        raise GitError(f"branch {name} has no commit yet: commit the campaigns first")
    operation = _operation_in_progress(toplevel)
    if operation is not None:
        raise GitError(f"in {toplevel}, {operation}")
    if not push:
        return GitTarget(toplevel, name)
    remote = _config(toplevel, f"branch.{name}.remote")
    merge = _config(toplevel, f"branch.{name}.merge")
    if remote is None or merge is None:
        raise NoUpstream(
            f"branch {name} has no upstream to push the reports to: set one with "
            f"`git branch --set-upstream-to=origin/{name}`, or pass --no-push to commit only"
        )
    target = GitTarget(toplevel, name, remote, merge)
    _refuse_foreign_unpushed(target, identity)
    return target


def _refuse_foreign_unpushed(target: GitTarget, identity: Identity) -> None:
    # Pushing the branch publishes every local commit on it. Ours (a --no-push run's) may
    # go; someone's unpushed work may not ride along with a bot commit.
    ahead = _git(target.toplevel, "log", "--format=%ae", "@{upstream}..HEAD")
    if ahead.returncode != 0:  # no remote-tracking ref yet: nothing known to be ahead
        return
    foreign = [email for email in ahead.stdout.split() if email != identity.email]
    if foreign:
        raise GitError(
            f"branch {target.branch} has {len(foreign)} commit(s) not on {target.upstream} "
            "that campaign-sync did not make; pushing the reports would publish them too. "
            "Push or move them first, or pass --no-push to commit the reports only"
        )
