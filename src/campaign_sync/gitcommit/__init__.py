"""Committing the reports folder back, with a bot identity, and pushing it: the commit
(commit.py), its message (message.py), the git it runs (git.py), the push with its
retries (push.py), and their values (values.py).
"""

from __future__ import annotations

from campaign_sync.gitcommit.commit import (
    commit_reports,
    committed_ledgers,
)
from campaign_sync.gitcommit.git import (
    find_target,
)
from campaign_sync.gitcommit.message import (
    campaign_changes,
    campaign_line,
    commit_message,
    run_url_from_env,
)
from campaign_sync.gitcommit.push import (
    commit_and_push,
    push_with_retries,
)
from campaign_sync.gitcommit.values import (
    BACKOFF_SECONDS,
    DEFAULT_IDENTITY,
    IDENTITY_ENV,
    NETWORK_TIMEOUT_SECONDS,
    PUSH_ATTEMPTS,
    CommitResult,
    DetachedHead,
    GitError,
    GitTarget,
    Identity,
    NotARepository,
    NoUpstream,
    PushRejected,
    RebaseConflict,
    redact,
)

__all__ = [
    "BACKOFF_SECONDS",
    "DEFAULT_IDENTITY",
    "IDENTITY_ENV",
    "NETWORK_TIMEOUT_SECONDS",
    "PUSH_ATTEMPTS",
    "CommitResult",
    "DetachedHead",
    "GitError",
    "GitTarget",
    "Identity",
    "NoUpstream",
    "NotARepository",
    "PushRejected",
    "RebaseConflict",
    "campaign_changes",
    "campaign_line",
    "commit_and_push",
    "commit_message",
    "commit_reports",
    "committed_ledgers",
    "find_target",
    "push_with_retries",
    "redact",
    "run_url_from_env",
]
