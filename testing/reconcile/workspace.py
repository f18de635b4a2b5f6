"""A campaigns repository on disk, as a security team has one: a bare origin, the clone the
reconcile job runs in, and commits made by people (campaign changes) pushed to the origin.

Git runs as on a fresh machine (no global or system config), so a developer's settings
(signing, hooks, default branch) never change what the tests see.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

BRANCH = "main"
# The people who commit campaign changes (the bot's identity is campaign-sync's own).
HUMAN = {"GIT_AUTHOR_NAME": "Sec Team", "GIT_AUTHOR_EMAIL": "appsec@example.com"}


def git_environment(date: str | None = None) -> dict[str, str]:
    """The environment every git command of the harness (and campaign-sync's) runs with.

    ``date`` fixes the author and committer dates (ISO 8601), so that the same commits made
    in two runs of a scenario are the same commits, hashes included.
    """
    env = {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
    }
    if date is not None:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return env


def git(cwd: Path, *args: str, date: str | None = None, human: bool = False) -> str:
    env = {**os.environ, **git_environment(date)}
    if human:
        env |= HUMAN | {
            "GIT_COMMITTER_NAME": HUMAN["GIT_AUTHOR_NAME"],
            "GIT_COMMITTER_EMAIL": HUMAN["GIT_AUTHOR_EMAIL"],
        }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {cwd}: {done.stderr.strip()}")
    return done.stdout


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit of the origin's branch: what an auditor reads."""

    message: str
    author: str
    files: Mapping[str, str]  # path -> text, the whole tree


@dataclass(frozen=True, slots=True)
class Workspace:
    """``origin`` (bare), ``work`` (the clone apply runs in), ``desk`` (where people edit)."""

    base: Path

    @property
    def origin(self) -> Path:
        return self.base / "origin.git"

    @property
    def work(self) -> Path:
        return self.base / "work"

    @property
    def desk(self) -> Path:
        return self.base / "desk"

    @classmethod
    def create(cls, base: Path, files: Mapping[str, str], *, date: str) -> Workspace:
        """A new origin whose first commit holds ``files``; a clone of it to run apply in."""
        space = cls(base)
        base.mkdir(parents=True, exist_ok=True)
        git(base, "init", "--quiet", "--bare", f"--initial-branch={BRANCH}", str(space.origin))
        git(base, "clone", "--quiet", space.origin.as_uri(), "desk")
        git(space.desk, "checkout", "--quiet", "-b", BRANCH)
        space.commit(files, "Campaigns", date=date, pull=False)
        space.fresh_clone()
        return space

    def commit(
        self, files: Mapping[str, str | None], message: str, *, date: str, pull: bool = True
    ) -> None:
        """A person's change (a merged pull request): write or delete files, push to main."""
        if pull:  # the bot pushed reports since
            git(self.desk, "pull", "--quiet", "--ff-only", "origin", BRANCH, date=date)
        for name, text in files.items():
            path = self.desk / name
            if text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        git(self.desk, "add", "--all", date=date)
        git(self.desk, "commit", "--quiet", "-m", message, date=date, human=True)
        git(self.desk, "push", "--quiet", "origin", BRANCH, date=date)

    def fresh_clone(self) -> None:
        """A new checkout of main, as every GitHub Actions run starts with: whatever an
        earlier run left in its working tree (files, commits, a lock) is gone.

        The clone is reused when git can bring it back exactly to origin's main (fetch,
        hard reset, remove every untracked and ignored file): the same tree and history as
        a new clone, without deleting and writing a whole ``.git`` each time.
        """
        dot_git = self.work / ".git"
        unfinished = any(dot_git.glob("*.lock")) or any(
            (dot_git / name).exists() for name in ("rebase-merge", "rebase-apply", "MERGE_HEAD")
        )
        if self.work.exists() and not unfinished:
            git(self.work, "fetch", "--quiet", "origin")
            git(self.work, "checkout", "--quiet", "--force", "-B", BRANCH, f"origin/{BRANCH}")
            git(self.work, "clean", "--quiet", "-ffdx")
            return
        if self.work.exists():
            shutil.rmtree(self.work)
        git(self.base, "clone", "--quiet", "--branch", BRANCH, self.origin.as_uri(), "work")

    def pull(self) -> None:
        """Bring a long-lived working tree (a self-hosted runner's) up to date."""
        git(self.work, "pull", "--quiet", "--rebase", "origin", BRANCH)

    def head(self) -> str:
        return git(self.origin, "rev-parse", BRANCH).strip()

    def tree(self, rev: str = BRANCH) -> dict[str, str]:
        """Every file of the origin at ``rev``: path -> text."""
        return self._trees([rev])[0]

    def _trees(self, revs: list[str]) -> list[dict[str, str]]:
        listings = []
        for rev in revs:
            listing = git(self.origin, "ls-tree", "-r", "--format=%(objectname) %(path)", rev)
            listings.append([line.split(" ", 1) for line in listing.splitlines()])
        texts = self._blobs(sorted({blob for listing in listings for blob, _ in listing}))
        return [{path: texts[blob] for blob, path in listing} for listing in listings]

    def _blobs(self, shas: list[str]) -> dict[str, str]:
        """The text of many blobs, in one ``git cat-file --batch``."""
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=self.origin,
            env={**os.environ, **git_environment()},
            input="".join(f"{sha}\n" for sha in shas).encode(),
            capture_output=True,
            check=True,
        )
        data, texts, pos = done.stdout, {}, 0
        for sha in shas:
            end = data.index(b"\n", pos)
            size = int(data[pos:end].split()[2])
            texts[sha] = data[end + 1 : end + 1 + size].decode("utf-8")
            pos = end + 1 + size + 1
        return texts

    def history(self) -> list[Commit]:
        """Every commit of the origin's main, oldest first, with its whole tree."""
        log = git(self.origin, "log", "--reverse", "--format=%H%x00%an <%ae>%x00%B%x1e", BRANCH)
        records = [r.strip("\n").split("\x00", 2) for r in log.split("\x1e") if r.strip("\n")]
        trees = self._trees([sha for sha, _, _ in records])
        return [
            Commit(message.strip("\n"), author, files)
            for (_, author, message), files in zip(records, trees, strict=True)
        ]
