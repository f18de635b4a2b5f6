"""The fake's git: a bare repository on disk per fake repository, written as GitHub writes.

A test attaches a bare repository (``FakeGitHub.attach_git``) and clones it over
``file://``: what the client pushes there, the fake's API sees (pull requests compare its
branches), and what the API writes (``createCommitOnBranch``), the next ``git fetch``
brings. A branch a ruleset protects (``FakeGitHub.protect_branch``) refuses pushes in a
pre-receive hook, with GitHub's words, unless the pusher is on the ruleset's bypass list.
A ``file://`` push carries no credentials, so the hook takes the pusher's login from the
environment variable ``FAKE_GITHUB_PUSHER`` (a test sets it as a token would say it).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from .model import Repo, User

RULES_FILE = "fake-github-rules"

# GitHub's answer to a push a ruleset refuses (`git push` prints it after "remote: "):
# "GH013: Repository rule violations found for refs/heads/main." and one line per rule,
# "- Changes must be made through a pull request."
_HOOK = """#!/bin/sh
rules="$(cd "$(dirname "$0")/.." && pwd)/fake-github-rules"
status=0
while read -r old new ref; do
  branch="${ref#refs/heads/}"
  [ -f "$rules" ] || continue
  line="$(grep -F "$(printf '%s\\t' "$branch")" "$rules" | head -n 1)"
  [ -n "$line" ] || continue
  bypass=" $(printf '%s' "$line" | cut -f 2) "
  case "$bypass" in
    *" ${FAKE_GITHUB_PUSHER:-nobody} "*) continue ;;
  esac
  echo "error: GH013: Repository rule violations found for $ref." >&2
  echo "- Changes must be made through a pull request." >&2
  status=1
done
exit $status
"""


class GitBackendError(Exception):
    """A git write the fake refuses, with GitHub's message; ``kind`` is its GraphQL type."""

    def __init__(self, message: str, kind: str = "UNPROCESSABLE") -> None:
        super().__init__(message)
        self.kind = kind


def _git(
    git_dir: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k == "GIT_EXEC_PATH"
    }
    environment.update({"LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1", **(env or {})})
    return subprocess.run(
        ["git", "--git-dir", git_dir, *args],
        env=environment,
        input=stdin,
        capture_output=True,
        check=False,
    )


def _out(git_dir: str, *args: str, env: Mapping[str, str] | None = None) -> str:
    done = _git(git_dir, *args, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace')}")
    return done.stdout.decode().strip()


def attach(repo: Repo, git_dir: str | Path) -> None:
    path = str(Path(git_dir).resolve())
    repo.git_dir = path
    hook = Path(path) / "hooks" / "pre-receive"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(_HOOK, encoding="utf-8")
    hook.chmod(0o755)
    write_rules(repo)


def write_rules(repo: Repo) -> None:
    if repo.git_dir is None:
        return
    lines = [f"{branch}\t{' '.join(sorted(bypass))}\n" for branch, bypass in repo.rules.items()]
    (Path(repo.git_dir) / RULES_FILE).write_text("".join(lines), encoding="utf-8")


def head(repo: Repo, branch: str) -> str | None:
    if repo.git_dir is None:
        return None
    done = _git(repo.git_dir, "rev-parse", "--quiet", "--verify", f"refs/heads/{branch}^{{commit}}")
    return done.stdout.decode().strip() if done.returncode == 0 else None


def commits_between(repo: Repo, base: str, tip: str) -> int:
    assert repo.git_dir is not None
    return int(_out(repo.git_dir, "rev-list", "--count", f"{base}..{tip}"))


def changed_files(repo: Repo, base: str, tip: str) -> tuple[int, int, int]:
    """(files, additions, deletions) from the merge base of ``base`` to ``tip``."""
    assert repo.git_dir is not None
    stat = _out(repo.git_dir, "diff", "--numstat", f"{base}...{tip}")
    files = added = deleted = 0
    for line in stat.splitlines():
        plus, minus, _ = line.split("\t", 2)
        files += 1
        added += int(plus) if plus.isdigit() else 0
        deleted += int(minus) if minus.isdigit() else 0
    return files, added, deleted


def commit_on_branch(
    repo: Repo,
    branch: str,
    *,
    expected: str,
    message: str,
    author: User,
    additions: Mapping[str, bytes],
    deletions: Sequence[str],
    when: int,
) -> str:
    """``createCommitOnBranch``: a commit whose parent is the branch's head, authored by the
    credential's owner and committed by GitHub (as web commits are); the branch moves only
    if it still points at ``expected``."""
    git_dir = repo.git_dir
    if git_dir is None:
        missing = f"Could not resolve to a Repository with the name '{repo.full_name}'."
        raise GitBackendError(missing, "NOT_FOUND")
    current = head(repo, branch)
    if current is None:
        raise GitBackendError(f'A ref named "refs/heads/{branch}" does not exist.', "NOT_FOUND")
    if current != expected:
        # GitHub: HTTP 200, data null, {"type": "STALE_DATA", "message": "Expected branch to
        # point to \"<oid>\" but it did not.  Pull and try again."}
        raise GitBackendError(
            f'Expected branch to point to "{expected}" but it did not.  Pull and try again.',
            "STALE_DATA",
        )
    with tempfile.TemporaryDirectory(prefix="fake-github-index-") as folder:
        env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
        _out(git_dir, "read-tree", current, env=env)
        for path in deletions:
            listed = _out(git_dir, "ls-files", "--", path, env=env)
            if not listed:
                raise GitBackendError(
                    "A path was requested for deletion which does not exist as of commit oid "
                    f"`{current}`"
                )
            # A zero mode removes the entry (`--force-remove` wants a work tree).
            line = f"0 {'0' * 40}\t{path}\n".encode()
            removed = _git(git_dir, "update-index", "--index-info", env=env, stdin=line)
            if removed.returncode != 0:
                raise RuntimeError(removed.stderr.decode(errors="replace"))
        for path, content in additions.items():
            written = _git(git_dir, "hash-object", "-w", "--stdin", stdin=content)
            blob = written.stdout.decode().strip()
            _out(git_dir, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = _out(git_dir, "write-tree", env=env)
    stamp = f"@{when} +0000"
    identity = {
        "GIT_AUTHOR_NAME": author.login,
        "GIT_AUTHOR_EMAIL": f"{author.id}+{author.login}@users.noreply.github.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": "GitHub",
        "GIT_COMMITTER_EMAIL": "noreply@github.com",
        "GIT_COMMITTER_DATE": stamp,
    }
    made = _git(git_dir, "commit-tree", tree, "-p", current, env=identity, stdin=message.encode())
    if made.returncode != 0:
        raise RuntimeError(made.stderr.decode(errors="replace"))
    oid = made.stdout.decode().strip()
    moved = _git(git_dir, "update-ref", f"refs/heads/{branch}", oid, current)
    if moved.returncode != 0:  # moved by a push meanwhile
        raise GitBackendError(
            f'Expected branch to point to "{expected}" but it did not.  Pull and try again.',
            "STALE_DATA",
        )
    return oid


def merge(repo: Repo, base: str, tip: str, *, message: str, squash: bool, when: int) -> str:
    """The merge button: ``tip`` into branch ``base``, as a merge commit (two parents) or a
    squash (one), committed by GitHub."""
    assert repo.git_dir is not None
    current = head(repo, base)
    if current is None:
        raise GitBackendError(f"Base branch {base} was not found", "NOT_FOUND")
    merged = _git(repo.git_dir, "merge-tree", "--write-tree", "--no-messages", current, tip)
    if merged.returncode != 0:
        raise GitBackendError("Pull Request is not mergeable")
    tree = merged.stdout.decode().split()[0]
    stamp = f"@{when} +0000"
    identity = {
        "GIT_AUTHOR_NAME": "GitHub",
        "GIT_AUTHOR_EMAIL": "noreply@github.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": "GitHub",
        "GIT_COMMITTER_EMAIL": "noreply@github.com",
        "GIT_COMMITTER_DATE": stamp,
    }
    parents = ["-p", current] + ([] if squash else ["-p", tip])
    made = _git(repo.git_dir, "commit-tree", tree, *parents, env=identity, stdin=message.encode())
    oid = made.stdout.decode().strip()
    _out(repo.git_dir, "update-ref", f"refs/heads/{base}", oid, current)
    return oid
