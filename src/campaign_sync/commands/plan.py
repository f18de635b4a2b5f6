"""`campaign-sync plan`: what apply would do, without doing it.

Exit codes follow `terraform plan -detailed-exitcode`: 0 nothing to do, 2 changes,
1 error (an unsafe plan included: it is shown first, then refused).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from campaign_sync.config.loader import load_campaigns
from campaign_sync.config.repo_config import RepoConfig
from campaign_sync.github.issue_batch import MAX_REPOSITORIES, issues_per_batch
from campaign_sync.ledger import read_ledger
from campaign_sync.model import Campaign, CampaignLedger
from campaign_sync.plan import Plan, make_plan
from campaign_sync.render.plan import PLAN_FORMATS, render_markdown
from campaign_sync.render.summary import write_step_summary
from campaign_sync.sources.base import AlertSource, SourceResult
from campaign_sync.sources.registry import fetch_all

EXIT_NO_CHANGES = 0
EXIT_CHANGES = 2


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


def make(
    root: Path,
    sources: Sequence[AlertSource],
    *,
    now: datetime,
    on_fetched: Callable[[], None] | None = None,
) -> Planned:
    """Read the campaigns, the ledgers and the alerts (in that order: cheap first), plan."""
    config, campaigns = load_campaigns(root, today=now.date())
    reports = root / config.reports_dir
    ledgers: dict[str, CampaignLedger] = {c.id: read_ledger(reports, c.id) for c in campaigns}
    result = fetch_all(sources)
    if on_fetched is not None:
        on_fetched()
    plan = dataclasses.replace(
        make_plan(campaigns, result, ledgers, now=now),
        writes_per_run=config.safety.max_writes_per_run,
        rate_remaining=result.rate_remaining,
        issues_per_read=issues_per_batch(config.limits.write_interval),
        repositories_per_read=MAX_REPOSITORIES,
    )
    followed = {ledger.campaign: ledger for ledger in plan.started_from}
    return Planned(config, campaigns, result, plan, reports, {**ledgers, **followed})


def run_plan(
    root: Path,
    sources: Sequence[AlertSource],
    *,
    output_format: str,
    out: TextIO,
    now: datetime,
    force: bool = False,
    on_fetched: Callable[[], None] | None = None,
) -> int:
    planned = make(root, sources, now=now, on_fetched=on_fetched)
    # Shown before the safety check, so a refused plan can still be reviewed.
    out.write(PLAN_FORMATS[output_format](planned.plan))
    write_step_summary(render_markdown(planned.plan))
    if not force:
        planned.plan.raise_if_unsafe(planned.config.safety, seen_alerts=len(planned.result.alerts))
    return EXIT_CHANGES if planned.plan.has_changes else EXIT_NO_CHANGES
