"""One campaign's plan: its members (joins, scope edits, frozen repositories), then what
each destination plans for it (``destinations``: tracking issues, Autofix, the native
campaign), and its ledger as it will be once applied. Pure.
"""

from __future__ import annotations

import dataclasses
import operator
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from campaign_sync.actions import Action
from campaign_sync.destinations.base import CampaignPlanner, CampaignView
from campaign_sync.drift import LiveIssues
from campaign_sync.holds import describe, listing_reason, still_trusted
from campaign_sync.match import AlertIndex, select
from campaign_sync.membership import joins, members_seen
from campaign_sync.model import (
    ALERT_STATES,
    Alert,
    Campaign,
    CampaignLedger,
    HeldRepository,
    Member,
    Repository,
    TrackedIssue,
)
from campaign_sync.scope import leave_unselected, left_note, not_joining_note, scope_digest


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    campaign: str
    name: str
    state: str
    members: Mapping[str, int]  # counts by alert state
    repositories: int
    open_issues_before: int
    members_before: int = 0  # in the ledger the plan started from
    unseen: int = 0  # of those, how many this run's alerts did not include
    # Repositories where no issue is written: (repository, reason, open alerts), sorted.
    held: tuple[tuple[str, str, int], ...] = ()
    # An active campaign whose `starts` is still ahead: planned like a draft, not applied.
    waits_until: date | None = None


def _now_text(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_campaign(
    campaign: Campaign,
    ledger: CampaignLedger,
    index: AlertIndex,
    repositories: Mapping[str, Repository],
    *,
    frozen: frozenset[str],
    now: datetime,
    planners: Sequence[CampaignPlanner],
    watermark: str | None = None,
    ids: Mapping[str, int] | None = None,
    renamed_from: Mapping[str, tuple[str, ...]] | None = None,
    unconfirmed: Collection[str] = frozenset(),
    covered: Collection[str] = frozenset(),
    live: LiveIssues | None = None,
) -> tuple[
    list[Action], CampaignLedger, CampaignSummary, list[str], dict[str, TrackedIssue | None]
]:
    """The actions, the next ledger, notes, and what GitHub showed of its tracking issues
    that the ledger did not record (``live``; see drift.py), for one campaign.

    ``planners``: one for each destination, in the order their actions and notes are
    listed (``destinations.DESTINATIONS``). ``ids`` are this run's repository ids by name
    (the next ledger records them); ``renamed_from`` the names a repository had in the
    ledger before a rename (its ledger already follows it: see ``renames.follow_renames``).
    """
    renamed_from = renamed_from or {}
    stamp = _now_text(now)
    today = now.date()
    seen = index.by_id
    # Only alerts that may join need selecting: an active snapshot campaign takes no more.
    selected = select(campaign.select, index, repositories) if joins(campaign, ledger) else ()
    # A repository GitHub answered "archived" to in the last apply is frozen too, while the
    # listing may still be the store's copy from before (holds.py).
    written_archived = {
        h.repository for h in ledger.held if h.reason == "archived" and still_trusted(h, now)
    }
    if written_archived:
        frozen = frozen | written_archived
    member_list, alerts = members_seen(
        campaign,
        ledger,
        selected,
        seen,
        now=stamp,
        frozen_repositories=frozen,
        unconfirmed=unconfirmed,
        covered=covered,
    )
    scope = scope_digest(campaign.select)
    # The selection changed since the members were chosen: a scope edit (scope.py).
    rescoped = ledger.scope is not None and ledger.scope != scope and campaign.state != "closed"
    left: list[Member] = []
    if rescoped:
        member_list, alerts, left = leave_unselected(
            campaign,
            member_list,
            alerts,
            repositories,
            frozen=frozen,
            unconfirmed=unconfirmed,
        )
    members = tuple(member_list)
    del member_list
    kept_open = (
        sum(
            1
            for member, alert in zip(members, alerts, strict=True)
            if alert is not None and member.state == "open" and alert.id in unconfirmed
        )
        if unconfirmed
        else 0
    )
    activated = ledger.activated
    if activated is None and campaign.state == "active":
        activated = stamp
    by_repo, open_counts = _by_repository(members, alerts)
    # Repositories all of whose members left with a scope edit: their issues close.
    left_here = Counter(m.repository for m in left)
    out_of_scope = left_here.keys() - by_repo.keys()

    actions: list[Action] = []
    notes: list[str] = []
    if kept_open:
        notes.append(
            f"{campaign.id}: {kept_open} alert{'s' if kept_open != 1 else ''} closed only in "
            "the cached alert store: kept open until a listing confirms (the next full "
            "listing, or --full-listing)"
        )
    tracking = campaign.tracking.per_repository
    due_passed = campaign.state == "active" and campaign.ends < today
    held = _holds(
        ledger,
        repositories,
        by_repo.keys() | ledger.issue_map().keys(),
        tracking=tracking,
        now=now,
    )
    notes.extend(
        f"{campaign.id}: {describe(h.repository, h.reason, open_counts.get(h.repository, 0))}"
        for h in held.values()
    )
    view = CampaignView(
        campaign,
        ledger,
        members,
        alerts,
        by_repo,
        open_counts,
        repositories,
        frozen,
        frozenset(held),
        live,
        renamed_from,
        left_here,
        frozenset(out_of_scope),
        today,
        due_passed,
    )
    planned = [planner.plan(view) for planner in planners]
    if left:
        closes = sum(p.closes_out_of_scope for p in planned)
        notes.append(left_note(campaign.id, left, closes))
    if rescoped and campaign.state == "active" and not joins(campaign, ledger):
        chosen = {m.alert_id for m in members}
        would_join = sum(
            1
            for alert in select(campaign.select, index, repositories)
            if alert.state == "open" and alert.id not in chosen and alert.repository not in frozen
        )
        if would_join:
            notes.append(not_joining_note(campaign.id, would_join))
    learned: dict[str, TrackedIssue | None] = {}
    for part in planned:
        actions.extend(part.actions)
        notes.extend(part.notes)
        learned.update(part.learned)

    counts = Counter(map(_STATE, members))
    summary = CampaignSummary(
        campaign=campaign.id,
        name=campaign.name,
        state=campaign.state,
        members={state: counts.get(state, 0) for state in ALERT_STATES},
        repositories=len(by_repo),
        open_issues_before=sum(1 for i in ledger.issues if i.state == "open"),
        members_before=len(ledger.members),
        # Members that joined this run are seen by definition: the unseen are old ones.
        # (Not alerts.count(None): that compares every Alert with None in Python.)
        unseen=len(alerts) - sum(map(bool, alerts)),
        held=tuple(
            (h.repository, h.reason, open_counts.get(h.repository, 0)) for h in held.values()
        ),
    )
    next_ledger = dataclasses.replace(
        ledger,
        members=members,
        activated=activated,
        # The newest alert update seen: where the next incremental listing can start.
        watermark=max(filter(None, (ledger.watermark, watermark)), default=None),
        held=tuple(held.values()),
        scope=scope,
    )
    for part in planned:
        next_ledger = part.record(next_ledger)
    known = dict(ledger.repositories)
    known.update(ids or {})
    next_ledger = dataclasses.replace(
        next_ledger,
        repositories=tuple(
            (name, known[name])
            for name in sorted(by_repo.keys() | next_ledger.issue_map().keys())
            if name in known
        ),
    )
    return actions, next_ledger, summary, notes, learned


def _holds(
    ledger: CampaignLedger,
    repositories: Mapping[str, Repository],
    names: Iterable[str],
    *,
    tracking: bool,
    now: datetime,
) -> dict[str, HeldRepository]:
    """Of the campaign's repositories (``names``: with members or a tracking issue), those
    where no issue is written this run, by name, sorted. A hold keeps the time it was first
    found while its reason stays the same, so an unchanged run writes the same ledger."""
    previous = ledger.held_map()
    held: dict[str, HeldRepository] = {}
    for name in sorted(names):
        before = previous.get(name)
        reason = listing_reason(repositories.get(name), tracking=tracking)
        origin: Literal["listing", "write"] = "listing"
        if reason is None and before is not None and still_trusted(before, now):
            reason, origin = before.reason, "write"
        if reason is None:
            continue
        since = before.since if before is not None and before.reason == reason else _now_text(now)
        held[name] = HeldRepository(name, reason, since, origin)
    return held


_Group = tuple[list[Member], list[Alert | None]]


def _by_repository(
    members: Sequence[Member], alerts: Sequence[Alert | None]
) -> tuple[dict[str, _Group], Counter[str]]:
    """Members (and their alerts) by repository, in the members' order; open ones counted."""
    by_repo: dict[str, _Group] = {}
    open_counts: Counter[str] = Counter()
    # Sorted ids (TYPE:OWNER/REPO:REST) come in runs of one repository, whose alerts share
    # one name string: an identity test is all most members cost.
    repository = ""
    group_members: list[Member] = []
    group_alerts: list[Alert | None] = []
    opened = 0
    for member, alert in zip(members, alerts, strict=True):
        name = alert.repository if alert is not None else member.repository
        if name is not repository and name != repository:
            open_counts[repository] += opened
            repository, opened = name, 0
            group = by_repo.get(repository)
            if group is None:
                group = by_repo[repository] = ([], [])
            group_members, group_alerts = group
        group_members.append(member)
        group_alerts.append(alert)
        if member.state == "open":
            opened += 1
    open_counts[repository] += opened
    return by_repo, open_counts


_STATE = operator.itemgetter(1)  # of a member
