"""`campaign-sync plan`: what apply would do, without doing it.

Exit codes follow `terraform plan -detailed-exitcode`: 0 nothing to do, 2 changes,
1 error (an unsafe plan included: it is shown first, then refused).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from campaign_sync.config.loader import load_campaigns
from campaign_sync.config.repo_config import RepoConfig
from campaign_sync.drift import LiveIssues
from campaign_sync.errors import GitHubError, UnsafePlan
from campaign_sync.github import tracker
from campaign_sync.github.issue_batch import MAX_REPOSITORIES, issues_per_batch
from campaign_sync.github.tracked import issues_to_read, read_live
from campaign_sync.github.transport import Transport
from campaign_sync.ledger import read_ledger, recorded_campaigns
from campaign_sync.model import Campaign, CampaignLedger
from campaign_sync.native import LiveCampaign, NativeContext, server_from_url
from campaign_sync.plan import make_plan
from campaign_sync.planned import Planned
from campaign_sync.removal import removed_ids, with_removed
from campaign_sync.render.plan import PLAN_FORMATS, render_markdown
from campaign_sync.render.summary import write_step_summary
from campaign_sync.selection import select
from campaign_sync.sources.base import AlertSource, SourceResult
from campaign_sync.sources.registry import fetch_all

EXIT_NO_CHANGES = 0
EXIT_CHANGES = 2


def make(
    root: Path,
    sources: Sequence[AlertSource],
    *,
    now: datetime,
    on_fetched: Callable[[], None] | None = None,
    transport: Transport | None = None,
    leave_out: Collection[Path] = (),
    only: Collection[str] = (),
) -> Planned:
    """Read the campaigns, the ledgers and the alerts (in that order: cheap first), then
    what GitHub says of native campaigns when a campaign wants them, and plan.

    ``transport``: the GitHub connection (by default a github: source's); without one the
    live limits are not read, and the plan says so. ``only`` (``--campaign``): plan these
    campaigns and leave the others as they are (selection.py).
    """
    config, every = load_campaigns(root, today=now.date(), leave_out=leave_out)
    reports = root / config.reports_dir
    # Removed among every campaign, not the selected ones: one left out is not removed.
    selection = select(every, removed_ids(recorded_campaigns(reports), every), only)
    campaigns = selection.campaigns
    ledgers: dict[str, CampaignLedger] = {c.id: read_ledger(reports, c.id) for c in campaigns}
    # A deleted campaign file leaves its ledger: its work is wound down, not orphaned.
    removed = {campaign_id: read_ledger(reports, campaign_id) for campaign_id in selection.removed}
    # What the ledgers have open: a listing that missed some reads their repositories again.
    expected = {
        m.alert_id
        for ledger in (*ledgers.values(), *removed.values())
        for m in ledger.members
        if m.state == "open"
    }
    result = fetch_all(sources, expected)
    if on_fetched is not None:
        on_fetched()
    connection = transport or _source_transport(sources)
    native = native_context(config, campaigns, result, ledgers, connection)
    live = live_issues(campaigns, ledgers, connection)
    plan = dataclasses.replace(
        with_removed(
            make_plan(campaigns, result, ledgers, now=now, native=native, live=live), removed
        ),
        writes_per_run=config.safety.max_writes_per_run,
        rate_remaining=result.rate_remaining,
        issues_per_read=issues_per_batch(config.limits.write_interval),
        repositories_per_read=MAX_REPOSITORIES,
    )
    if selection.note is not None:
        plan = dataclasses.replace(plan, notes=(selection.note, *plan.notes))
    followed = {ledger.campaign: ledger for ledger in plan.started_from}
    return Planned(
        config,
        campaigns,
        result,
        plan,
        reports,
        {**ledgers, **removed, **followed},
        selection.others,
    )


def live_issues(
    campaigns: Sequence[Campaign],
    ledgers: Mapping[str, CampaignLedger],
    transport: Transport | None,
) -> LiveIssues | None:
    """What GitHub shows of the tracking issues the ledgers name (drift.py): None without
    a connection (the ledgers stand in, as they always did)."""
    if transport is None:
        return None
    keys, recorded_open = issues_to_read(campaigns, ledgers)
    if not keys:
        return LiveIssues(read=True)
    ids = {name: repo_id for ledger in ledgers.values() for name, repo_id in ledger.repositories}
    return read_live(transport, keys, recorded_open=recorded_open, repository_ids=ids)


def _source_transport(sources: Sequence[AlertSource]) -> Transport | None:
    for source in sources:
        transport = getattr(source, "transport", None)
        if isinstance(transport, Transport):
            return transport
    return None


def native_context(
    config: RepoConfig,
    campaigns: Sequence[Campaign],
    result: SourceResult,
    ledgers: dict[str, CampaignLedger],
    transport: Transport | None,
) -> NativeContext:
    """The server, and the open campaigns of each organization a mirrored campaign may be
    created in: at most one request for the server (none when its URL tells) and one for
    each organization (GitHub allows 10 open campaigns, one page holds 100)."""
    live = [c for c in campaigns if c.state != "draft"]
    natives = [c for c in live if c.state == "active" and c.github.native_campaign]
    if not any(c.github.native_campaign or c.github.autofix for c in live):
        return NativeContext()
    if transport is None:
        return NativeContext(server=server_from_url(config.api_url))
    before = transport.stats.requests
    server = server_from_url(transport.api_url)
    version = None
    if server == "unknown":
        try:
            version = tracker.server_version(transport)
        except GitHubError:
            version = None  # no answer: assume the server has what the campaigns ask for
        server = "ghes" if version else "cloud"
    if server == "ghes" or not natives:
        return NativeContext(server, version, True, reads=transport.stats.requests - before)
    organizations = sorted(
        {a.repository.split("/", 1)[0].lower() for a in result.alerts if a.type == "code-scanning"}
        | {
            ledger.native_organization.lower()
            for ledger in ledgers.values()
            if ledger.native_organization
        }
    )
    found: dict[str, tuple[LiveCampaign, ...]] = {}
    unread: dict[str, str] = {}
    for organization in organizations:
        try:
            listed = tracker.list_native_campaigns(transport, organization, state="open")
        except GitHubError as error:
            unread[organization] = str(error)
            continue
        found[organization] = tuple(_live(c) for c in listed if c.state == "open")
    return NativeContext(
        server, version, True, found, unread, reads=transport.stats.requests - before
    )


def _live(campaign: tracker.NativeCampaign) -> LiveCampaign:
    return LiveCampaign(
        campaign.number,
        campaign.name,
        campaign.description,
        campaign.ends_at,
        campaign.contact_link,
        campaign.managers,
        campaign.team_managers,
    )


def run_plan(
    root: Path,
    sources: Sequence[AlertSource],
    *,
    output_format: str,
    out: TextIO,
    now: datetime,
    force: bool = False,
    on_fetched: Callable[[], None] | None = None,
    save_to: Path | None = None,
    only: Collection[str] = (),
) -> int:
    """``save_to``: also save the plan there for ``apply FILE`` (not when refused).
    ``only``: the campaigns ``--campaign`` names (every one when empty)."""
    planned = make(root, sources, now=now, on_fetched=on_fetched, only=only)
    plan = planned.plan
    refused = (
        None
        if force
        else plan.unsafe(planned.config.safety, seen_alerts=len(planned.result.alerts))
    )
    # A refused plan is still shown, to be reviewed, and says it is refused wherever it is
    # read: the PR comment and the job summary as well as stderr.
    plan = dataclasses.replace(plan, refused=refused)
    out.write(PLAN_FORMATS[output_format](plan))
    write_step_summary(render_markdown(plan))
    if refused is not None:
        raise UnsafePlan(refused)
    if save_to is not None:
        from campaign_sync.saved_plan import save

        save(save_to, root, planned, only)
    return EXIT_CHANGES if plan.has_changes else EXIT_NO_CHANGES
