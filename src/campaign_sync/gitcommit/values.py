"""The values of committing the reports: the bot identity, where the commit goes, what
it did, and the errors a user reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from campaign_sync.errors import CampaignSyncError, ConfigError

IDENTITY_ENV = "CAMPAIGN_SYNC_COMMIT_AUTHOR"


DEFAULT_IDENTITY = "campaign-sync[bot] <campaign-sync[bot]@users.noreply.github.com>"


PUSH_ATTEMPTS = 5


BACKOFF_SECONDS = 1.0  # doubled after each rejected push: 1, 2, 4, 8 s


# A network operation that takes longer than this is stuck (a dead connection, a prompt
# nobody answers): failing beats holding a CI job until its own timeout.
NETWORK_TIMEOUT_SECONDS = 600.0


# How many alerts changed, by what happened to them, in the order the message lists them.
_CHANGE_ORDER = ("fixed", "resolved", "dismissed", "reopened", "new", "left")


class GitError(CampaignSyncError):
    """Committing or pushing the reports failed; the message says what to do."""


class NotARepository(GitError):
    """--commit was asked for outside a git working tree."""


class DetachedHead(GitError):
    """HEAD is not a branch, so a commit would be lost."""


class NoUpstream(GitError):
    """The branch has no upstream to push to."""


class PushRejected(GitError):
    """The remote kept rejecting the push after every retry, or refused it outright."""


class RebaseConflict(GitError):
    """The remote's new commits conflict with this run's reports; nothing was lost."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the commit is by: both author and committer."""

    name: str
    email: str

    @classmethod
    def parse(cls, text: str, source: str = IDENTITY_ENV) -> Identity:
        found = re.fullmatch(r"\s*([^<>\n]*?)\s*<([^<>\s]+)>\s*", text)
        if found is None or not found.group(1):
            raise ConfigError(
                f"{source} must look like 'Name <email>', e.g. '{DEFAULT_IDENTITY}' (got {text!r})"
            )
        return cls(found.group(1), found.group(2))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Identity:
        value = environ.get(IDENTITY_ENV, "").strip()
        return cls.parse(value) if value else cls.parse(DEFAULT_IDENTITY, "default")

    def env(self) -> dict[str, str]:
        # The environment beats `-c user.name`: GIT_AUTHOR_* set by a user or a CI step
        # would otherwise put their name on the bot's commit.
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


@dataclass(frozen=True, slots=True)
class GitTarget:
    """Where the commit goes: a working tree, its branch, and the upstream it pushes to."""

    toplevel: Path
    branch: str
    remote: str | None = None  # None: commit only (--no-push)
    merge: str | None = None  # the upstream branch's ref, e.g. refs/heads/main

    @property
    def upstream(self) -> str:
        """For messages: ``origin/main``."""
        branch = (self.merge or "").removeprefix("refs/heads/")
        return redact(f"{self.remote}/{branch}")

    @property
    def upstream_branch(self) -> str:
        return (self.merge or "").removeprefix("refs/heads/")


@dataclass(frozen=True, slots=True)
class CommitResult:
    commit: str | None  # None: no report changed, nothing committed
    message: str = ""
    pushed: bool = False
    push_attempts: int = 0
    # The remote already had the very same reports (pushed by someone else first): the
    # rebase dropped this run's commit as empty.
    already_upstream: bool = False

    def describe(self, target: GitTarget) -> str:
        """One line for the terminal."""
        subject = self.message.split("\n", 1)[0]
        if self.already_upstream:
            return f"{target.upstream} already has these reports: nothing left to push"
        if self.commit is None:
            done = "reports unchanged: nothing to commit"
            return done + (f"; pushed earlier commits to {target.upstream}" if self.pushed else "")
        where = f"committed {self.commit[:12]} on {target.branch} ({subject})"
        if not self.pushed:
            return where + ", not pushed"
        retries = f" after {self.push_attempts} attempts" if self.push_attempts > 1 else ""
        return where + f", pushed to {target.upstream}{retries}"


def redact(text: str) -> str:
    """Hide credentials a remote URL or git's output may carry (``https://x:TOKEN@host``)."""
    text = re.sub(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@", r"\1***@", text)
    return re.sub(r"\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})", "***", text)
