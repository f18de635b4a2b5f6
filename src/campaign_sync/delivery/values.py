"""The values of a delivery: where the undelivered commit is kept, what a run delivers
(Delivery), what it said it did (Delivered), and the error that keeps nothing from
being lost (DeliveryFailed)."""

from __future__ import annotations

from dataclasses import dataclass

from campaign_sync.config.repo_config import DeliveryConfig
from campaign_sync.gitcommit import GitError, GitTarget
from campaign_sync.github import delivery as api

PENDING_REF = "refs/campaign-sync/pending"


PENDING_BRANCH = "campaign-sync/pending"


FETCHED_REF = "refs/campaign-sync/fetched"  # what prepare fetched: scratch refs


PULL_TITLE = "campaign-sync: reports and ledger"


# A token only for the delivery's API calls (the pull request, its auto-merge, the API
# commit): a second App installed on the campaigns repository alone can hold Contents and
# Pull requests write, so the App that writes issues organization-wide never needs them.
DELIVERY_TOKEN_ENV = "CAMPAIGN_SYNC_DELIVERY_TOKEN"


class DeliveryFailed(GitError):
    """The reports could not be delivered; the message says where they were kept."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """What ``prepare`` found, for ``deliver``."""

    config: DeliveryConfig
    target: GitTarget
    repository: str | None  # owner/name, for the API modes
    branch_tip: str | None = None  # the remote reports branch (branch, pull-request)
    pending_tip: str | None = None  # the remote campaign-sync/pending branch
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Delivered:
    """What ``deliver`` did, in lines for the terminal and the job summary."""

    lines: tuple[str, ...]
    commit: str | None = None
    pull_request: api.PullRequest | None = None
