"""``Planned``: a plan with everything it was made from, handed from `plan` to `apply`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from campaign_sync.config.repo_config import RepoConfig
from campaign_sync.model import Campaign, CampaignLedger
from campaign_sync.plan import Plan
from campaign_sync.sources.base import SourceResult


@dataclass(frozen=True, slots=True)
class Planned:
    """Everything a plan was made from, for apply to carry out."""

    config: RepoConfig
    campaigns: tuple[Campaign, ...]
    result: SourceResult
    plan: Plan
    reports: Path
    # The ledgers the plan started from (renamed repositories followed).
    previous: dict[str, CampaignLedger]
    # Campaigns --campaign left out: not planned, still listed in the reports index.
    others: tuple[Campaign, ...] = ()
