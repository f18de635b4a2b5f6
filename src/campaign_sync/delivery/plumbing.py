"""The git plumbing a delivery is made of: trees with the reports folder of another
commit, commits made without touching the working tree, remote refs listed and fetched."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from campaign_sync.errors import ConfigError
from campaign_sync.gitcommit import NETWORK_TIMEOUT_SECONDS, GitTarget, Identity, redact
from campaign_sync.gitcommit.git import _check, _git


def rev_of(top: Path, revision: str) -> str | None:
    found = _git(top, "rev-parse", "--quiet", "--verify", f"{revision}^{{commit}}")
    return found.stdout.strip() if found.returncode == 0 else None


def tree_of(top: Path, revision: str, pathspec: str) -> str | None:
    """The reports folder's tree id at ``revision`` (None: it has none)."""
    found = _git(top, "rev-parse", "--quiet", "--verify", f"{revision}:{pathspec}")
    return found.stdout.strip() if found.returncode == 0 else None


def is_ancestor(top: Path, older: str, newer: str) -> bool:
    return _git(top, "merge-base", "--is-ancestor", older, newer).returncode == 0


@contextmanager
def scratch_index(top: Path) -> Iterator[dict[str, str]]:
    """An index of our own, so the user's staging area is never touched."""
    with tempfile.TemporaryDirectory(prefix="campaign-sync-index-") as folder:
        yield {"GIT_INDEX_FILE": str(Path(folder) / "index")}


def tree_with_reports(top: Path, base: str, pathspec: str) -> str:
    """The tree of ``base`` with the reports folder as the working tree has it."""
    with scratch_index(top) as env:
        _check(_git(top, "read-tree", base, env=env), "git read-tree")
        _check(
            _git(
                top,
                "rm",
                "-r",
                "-f",
                "--cached",
                "--quiet",
                "--ignore-unmatch",
                "--",
                pathspec,
                env=env,
            ),
            "git rm --cached",
        )
        if (top / pathspec).exists():
            _check(_git(top, "add", "--all", "--", pathspec, env=env), "git add")
        return _check(_git(top, "write-tree", env=env), "git write-tree").strip()


def commit_tree(
    top: Path, tree: str, parents: Collection[str], message: str, identity: Identity
) -> str:
    args = [arg for parent in parents for arg in ("-p", parent)]
    made = _git(
        top,
        "-c",
        "commit.gpgsign=false",
        "commit-tree",
        tree,
        *args,
        env=identity.env(),
        stdin=message,
    )
    return _check(made, "git commit-tree").strip()


def ls_remote(target: GitTarget, branches: Collection[str]) -> dict[str, str]:
    """The remote's tips of these branches (those that exist)."""
    remote = target.remote or ""
    listed = _git(
        target.toplevel,
        "ls-remote",
        "--heads",
        remote,
        *(f"refs/heads/{b}" for b in branches),
        timeout=NETWORK_TIMEOUT_SECONDS,
    )
    text = _check(listed, f"git ls-remote {redact(remote)}")
    tips: dict[str, str] = {}
    for line in text.splitlines():
        oid, _, ref = line.partition("\t")
        tips[ref.removeprefix("refs/heads/")] = oid
    return tips


def fetch_ref(target: GitTarget, branch: str, local: str) -> str:
    remote = target.remote or ""
    _check(
        _git(
            target.toplevel,
            "fetch",
            "--no-tags",
            "--no-recurse-submodules",
            remote,
            f"+refs/heads/{branch}:{local}",
            timeout=NETWORK_TIMEOUT_SECONDS,
        ),
        f"git fetch {redact(remote)} {branch}",
    )
    return _check(_git(target.toplevel, "rev-parse", local), "git rev-parse").strip()


REMOTE_URL = re.compile(r"(?:[:/])([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]+?)(?:\.git)?/?$")


def repository_of(target: GitTarget, environ: Mapping[str, str]) -> str:
    """The campaigns repository's owner/name: ``GITHUB_REPOSITORY`` (set by Actions), else
    the remote's URL."""
    named = environ.get("GITHUB_REPOSITORY", "").strip()
    if named:
        return named
    url = ""
    if target.remote is not None:
        url = _git(target.toplevel, "remote", "get-url", target.remote).stdout.strip()
    found = REMOTE_URL.search(url)
    if found is None:
        raise ConfigError(
            f"`delivery: api` and `delivery: pull-request` need the campaigns repository's "
            f"owner/name, and the remote URL {redact(url)!r} does not say it: set "
            "GITHUB_REPOSITORY=OWNER/NAME (GitHub Actions sets it)"
        )
    return f"{found.group(1)}/{found.group(2)}"


def head_of(target: GitTarget) -> str:
    return _check(_git(target.toplevel, "rev-parse", "HEAD"), "git rev-parse").strip()


def reset_to(target: GitTarget, commit: str, local: str) -> None:
    """The local branch takes GitHub's commit when its tree is the local one (the index
    and the working tree then stay as they are)."""
    top = target.toplevel
    if _git(top, "diff", "--quiet", commit, local).returncode == 0:
        _check(_git(top, "reset", "--soft", commit), "git reset")
