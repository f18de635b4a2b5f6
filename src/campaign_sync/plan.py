"""Desired state against current state -> an ordered list of typed actions. Pure.

The plan is a value (octodns's model): ``plan`` renders it, ``apply`` executes the same
value. It also carries the ledgers as they will be once applied, so a run that changes
nothing writes the same bytes and a second apply finds nothing to do.
"""

from __future__ import annotations

import dataclasses
import operator
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from campaign_sync.actions import (
    ACTION_WRITES,
    GITHUB_WRITES_PER_HOUR,
    READS_ISSUE,
    Action,
    CloseIssue,
    action_order,
)
from campaign_sync.config.checks import (
    NATIVE_OPEN_CAMPAIGNS_MAX,
)
from campaign_sync.config.repo_config import SafetyConfig
from campaign_sync.destinations.autofix import plan_autofix
from campaign_sync.destinations.native_campaign import NativeSlots, plan_native, recorded_open
from campaign_sync.destinations.tracking_issues.plan import OUT_OF_SCOPE, IssueInputs, plan_issues
from campaign_sync.drift import LiveIssues
from campaign_sync.errors import UnsafePlan
from campaign_sync.gcpause import cyclic_gc_paused
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
from campaign_sync.native import (
    NativeContext,
    ghes_note,
)
from campaign_sync.renames import current_names, follow_renames
from campaign_sync.scope import leave_unselected, left_note, not_joining_note, scope_digest
from campaign_sync.sources.base import SourceResult
from campaign_sync.wording import plural


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


@dataclass(frozen=True, slots=True)
class Plan:
    actions: tuple[Action, ...]
    campaigns: tuple[CampaignSummary, ...]
    ledgers: tuple[CampaignLedger, ...]  # as they will be once the actions succeed
    applies: frozenset[str] = field(default_factory=frozenset)  # campaigns apply touches
    notes: tuple[str, ...] = ()  # what the plan could not do, and why (shown, not errors)
    writes_per_run: int = GITHUB_WRITES_PER_HOUR  # safety.max-writes-per-run
    rate_remaining: int | None = None  # the token's primary rate limit left, when known
    # How apply reads before writing: issues, and repositories' labelled issues, a request
    # (batched through GraphQL; 1 each through REST).
    issues_per_read: int = 1
    repositories_per_read: int = 1
    # Requests plan made to read GitHub: its limits (server, open campaigns) and the
    # tracking issues the ledgers name (drift.py).
    live_reads: int = 0
    # The ledgers the plan started from: as read, renamed repositories followed (apply
    # starts from these, so an issue that moved with its repository is found by its name).
    started_from: tuple[CampaignLedger, ...] = ()
    # What followed a renamed or transferred repository (also among the notes), for apply.
    renamed: tuple[str, ...] = ()
    # Why a safety rail refuses this plan (``unsafe``), shown with it: in the PR comment
    # and the job summary, not only on stderr.
    refused: str | None = None
    # Campaigns whose file was deleted: their work is wound down (removal.py).
    removed: frozenset[str] = field(default_factory=frozenset)
    # What the run learned of tracking issues from GitHub (drift.py), recorded in the
    # ledger whatever the actions do: (campaign, repository, the issue as it now stands,
    # None: deleted), sorted.
    learned: tuple[tuple[str, str, TrackedIssue | None], ...] = ()

    @property
    def has_changes(self) -> bool:
        """Whether apply would change anything: drafts' actions are shown, never applied,
        so they alone are no changes (plan's exit 2 and the action's `changes`)."""
        return any(a.campaign in self.applies for a in self.actions)

    @property
    def requests(self) -> int:
        """API requests apply makes for the actions: their writes, and the reads before
        them, ``issues_per_read`` issues and ``repositories_per_read`` repositories (whose
        labelled issues are listed before a create there) a request. Drafts' actions are
        shown but never applied, so they cost nothing."""
        applied = [a for a in self.actions if a.campaign in self.applies]
        # One read an issue: after writing, apply knows the issue from GitHub's answer.
        issues = {
            (getattr(a, "where", a.repository), getattr(a, "number", 0))
            for a in applied
            if a.kind in READS_ISSUE
        }
        # A create lists the repository's labelled issues right before and right after
        # (two runs at once: apply.py), through REST, for a fresh answer each time.
        creates = sum(1 for a in applied if a.kind == "create_issue")
        natives = sum(1 for a in applied if a.kind == "create_native_campaign")
        return (
            self.writes
            + -(-len(issues) // max(1, self.issues_per_read))
            + 2 * creates
            + natives  # the organization's open campaigns, listed before creating one
            + self.live_reads
        )

    @property
    def writes(self) -> int:
        """Write requests the actions of applied campaigns make (drafts are not applied)."""
        return sum(ACTION_WRITES[a.kind] for a in self.actions if a.campaign in self.applies)

    @property
    def runs_needed(self) -> int:
        """Runs the writes take at ``writes_per_run`` each (0: nothing to write)."""
        return -(-self.writes // max(1, self.writes_per_run))

    @property
    def hours_needed(self) -> int:
        """Hours the writes take with a run an hour: no fewer than the runs, and no fewer
        than GitHub's hourly limit on content-creating requests allows."""
        return max(self.runs_needed, -(-self.writes // GITHUB_WRITES_PER_HOUR))

    def counts(self) -> dict[str, int]:
        """Actions apply would carry out, by kind (drafts' are in ``draft_counts``)."""
        return dict(
            sorted(Counter(a.kind for a in self.actions if a.campaign in self.applies).items())
        )

    def draft_counts(self) -> dict[str, int]:
        """Actions of draft campaigns, by kind: shown in the plan, never applied."""
        return dict(
            sorted(Counter(a.kind for a in self.actions if a.campaign not in self.applies).items())
        )

    def unsafe(self, safety: SafetyConfig, *, seen_alerts: int) -> str | None:
        """Why a safety rail refuses this plan, or None."""
        try:
            self.raise_if_unsafe(safety, seen_alerts=seen_alerts)
        except UnsafePlan as refusal:
            return str(refusal)
        return None

    def raise_if_unsafe(self, safety: SafetyConfig, *, seen_alerts: int) -> None:
        """Refuse a plan that would close too much at once (octodns's TooMuchChange), or
        that was made without the alerts it needs. Drafts are never applied: they count
        for neither."""
        applied = [c for c in self.campaigns if c.campaign in self.applies]
        open_before = sum(c.open_issues_before for c in applied)
        # Closing a campaign (a reviewed change of its file) closes its issues on purpose;
        # only closes because alerts vanished can come from a token that lost access.
        closes = sum(
            1
            for a in self.actions
            if isinstance(a, CloseIssue)
            # A deleted campaign file is a mass close like any other: a mistyped
            # `campaigns:` folder "removes" every campaign at once.
            and (
                a.state_reason == "completed"
                or a.campaign in self.removed
                or a.reason == OUT_OF_SCOPE
            )
            and a.campaign in self.applies
        )
        if seen_alerts == 0 and open_before > 0:
            raise UnsafePlan(
                f"the source returned no alerts at all, but {open_before} tracking issues are "
                "open: the token has probably lost access. Nothing was changed; check the "
                "token's permissions, or run with --force if the alerts are really gone"
            )
        for summary in applied:
            # Deleted alerts are rare, all of a campaign's at once is not how alerts go: it
            # is a permission or an organization lost, and its issues would be rewritten
            # without their details. (A repository deleted on purpose: --force, once.)
            before = summary.members_before
            if before and summary.unseen == before and summary.open_issues_before:
                raise UnsafePlan(
                    f"campaign {summary.campaign}: none of the {plural(before, 'alert')} its "
                    "ledger lists was among the alerts listed this run: the token has probably "
                    "lost access to them (a permission, or an organization). Nothing was changed; "
                    "check the token's permissions, or run with --force if the alerts are "
                    "really gone"
                )
        if open_before >= safety.min_issues_for_threshold and closes:
            share = closes / open_before
            if share > safety.max_close_share:
                raise UnsafePlan(
                    f"the plan closes {closes} of {open_before} open tracking issues "
                    f"({share:.0%}), more than the {safety.max_close_share:.0%} allowed "
                    "(safety.max-close-share): often a token that lost access. Review the "
                    "plan; --force required"
                )


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
    slots: NativeSlots | None = None,
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

    ``slots``: the open campaigns left in each organization (by default: read from nothing
    but the ledger). ``ids`` are this run's repository ids by name (the next ledger records
    them); ``renamed_from`` the names a repository had in the ledger before a rename (its
    ledger already follows it: see ``renames.follow_renames``).
    """
    if slots is None:
        slots = NativeSlots(NativeContext(), recorded_open({campaign.id: ledger}))
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
    scope_closes = 0

    actions: list[Action] = []
    notes: list[str] = []
    if kept_open:
        notes.append(
            f"{campaign.id}: {kept_open} alert{'s' if kept_open != 1 else ''} closed only in "
            "the cached alert store: kept open until a listing confirms (the next full "
            "listing, or --full-listing)"
        )
    issues = ledger.issue_map()
    next_issues: dict[str, TrackedIssue] = dict(issues)
    learned: dict[str, TrackedIssue | None] = {}
    tracking = campaign.tracking.issues == "per-repository"
    due_passed = campaign.state == "active" and campaign.ends < today
    held = _holds(ledger, repositories, by_repo.keys() | issues.keys(), tracking=tracking, now=now)
    notes.extend(
        f"{campaign.id}: {describe(h.repository, h.reason, open_counts.get(h.repository, 0))}"
        for h in held.values()
    )
    if tracking:
        planned_issues = plan_issues(
            IssueInputs(
                campaign,
                ledger,
                by_repo,
                open_counts,
                repositories,
                frozen | held.keys(),
                live,
                renamed_from,
                frozenset(out_of_scope),
                left_here,
                today,
                due_passed,
            )
        )
        actions.extend(planned_issues.actions)
        notes.extend(planned_issues.notes)
        next_issues = planned_issues.issues
        learned = planned_issues.learned
        scope_closes = planned_issues.scope_closes

    if left:
        notes.append(left_note(campaign.id, left, scope_closes))
    if rescoped and campaign.state == "active" and not joins(campaign, ledger):
        chosen = {m.alert_id for m in members}
        would_join = sum(
            1
            for alert in select(campaign.select, index, repositories)
            if alert.state == "open" and alert.id not in chosen and alert.repository not in frozen
        )
        if would_join:
            notes.append(not_joining_note(campaign.id, would_join))

    autofix_actions, autofix_notes, autofix = plan_autofix(
        campaign, ledger, alerts, frozen=frozen, ghes=slots.context.ghes
    )
    actions.extend(autofix_actions)
    notes.extend(autofix_notes)

    native_actions, native_notes, native_digest = plan_native(
        campaign, ledger, members, alerts, slots=slots, today=today
    )
    actions.extend(native_actions)
    notes.extend(native_notes)

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
    known = dict(ledger.repositories)
    known.update(ids or {})
    next_ledger = dataclasses.replace(
        ledger,
        repositories=tuple(
            (name, known[name])
            for name in sorted(by_repo.keys() | next_issues.keys())
            if name in known
        ),
        members=members,
        issues=tuple(next_issues[k] for k in sorted(next_issues)),
        activated=activated,
        autofix_requested=tuple(sorted(autofix)),
        due_notice_sent=ledger.due_notice_sent or (due_passed and tracking),
        native_digest=native_digest if ledger.native_campaign is not None else None,
        # The newest alert update seen: where the next incremental listing can start.
        watermark=max(filter(None, (ledger.watermark, watermark)), default=None),
        held=tuple(held.values()),
        scope=scope,
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


def make_plan(
    campaigns: Sequence[Campaign],
    result: SourceResult,
    ledgers: Mapping[str, CampaignLedger],
    *,
    now: datetime,
    native: NativeContext | None = None,
    live: LiveIssues | None = None,
) -> Plan:
    """The plan. ``native``: what GitHub said this run of native campaigns (None: nothing,
    no connection; the ledgers' record of open campaigns stands in). ``live``: what GitHub
    showed of the tracking issues the ledgers name (None: not read; the ledgers stand in)."""
    with cyclic_gc_paused():
        return _make_plan(
            campaigns,
            result,
            ledgers,
            now=now,
            native=native or NativeContext(),
            live=live or LiveIssues(),
        )


def _make_plan(
    campaigns: Sequence[Campaign],
    result: SourceResult,
    ledgers: Mapping[str, CampaignLedger],
    *,
    now: datetime,
    native: NativeContext,
    live: LiveIssues,
) -> Plan:
    index = AlertIndex.build(result.alerts)
    repositories = {r.full_name: r for r in result.repositories}
    # Repositories are known by id: a ledger's repository renamed or transferred since is
    # followed to its new name first, so everything below sees one name only.
    # The repository listing names most; alerts (a million) are read only for the rest.
    unlisted = not repositories.keys() >= set(index.repositories)
    current = current_names(result.repositories, result.alerts if unlisted else ())
    ids = {name: repo_id for repo_id, name in current.items()}
    followed: dict[str, CampaignLedger] = {}
    renamed: dict[str, dict[str, tuple[str, ...]]] = {}
    rename_notes: list[str] = []
    for campaign_id, ledger in ledgers.items():
        followed[campaign_id], moves = follow_renames(ledger, current)
        renamed[campaign_id] = {m.new: (m.old,) for m in moves}
        rename_notes.extend(m.describe(campaign_id) for m in moves)
    ledgers = followed
    # Repositories whose alerts are unknown this run: unreadable, or archived.
    frozen_owners = {s.scope for s in result.skipped if "/" not in s.scope}
    frozen = frozenset(
        {s.scope for s in result.skipped if "/" in s.scope}
        | {name for name, repo in repositories.items() if repo.archived}
        # An organization that could not be read: all its repositories are unknown.
        | _repositories_of(frozen_owners, index, repositories, ledgers)
    )
    actions: list[Action] = []
    next_ledgers: list[CampaignLedger] = []
    summaries: list[CampaignSummary] = []
    applies: set[str] = set()
    notes: list[str] = list(result.notes)  # the source's first: they qualify the data
    notes.extend(sorted(rename_notes))
    slots = NativeSlots(native, recorded_open(ledgers))
    notes.extend(_native_context_notes(campaigns, native))
    if live.unread is not None:
        notes.append(
            f"some tracking issues could not be compared with GitHub ({live.unread}): they "
            "are planned from the ledger alone"
        )
    learned: list[tuple[str, str, TrackedIssue | None]] = []
    for campaign in sorted(campaigns, key=lambda c: c.id):
        ledger = ledgers.get(campaign.id) or CampaignLedger(campaign=campaign.id)
        waits = _waits_until(campaign, now.date())
        campaign_actions, next_ledger, summary, campaign_notes, seen = plan_campaign(
            # Not started yet: planned as a draft is, so a reviewer sees what it will do.
            campaign if waits is None else dataclasses.replace(campaign, state="draft"),
            ledger,
            index,
            repositories,
            frozen=frozen,
            now=now,
            slots=slots,
            watermark=result.watermark,
            ids=ids,
            renamed_from=renamed.get(campaign.id),
            unconfirmed=result.unconfirmed,
            covered=result.covered,
            live=live if live.read else None,
        )
        if waits is not None:
            summary = dataclasses.replace(summary, state=campaign.state, waits_until=waits)
            days = (waits - now.date()).days
            notes.append(
                f"{campaign.id}: starts on {waits.isoformat()} (in {plural(days, 'day')}): "
                "planned, nothing applied until then"
            )
        summaries.append(summary)
        notes.extend(campaign_notes)
        if campaign.state == "draft" or waits is not None:
            # Planned, so a reviewer sees what it would do, but never applied.
            actions.extend(campaign_actions)
            next_ledgers.append(ledger)
            continue
        applies.add(campaign.id)
        actions.extend(campaign_actions)
        next_ledgers.append(next_ledger)
        learned.extend((campaign.id, name, issue) for name, issue in sorted(seen.items()))
    actions.sort(key=action_order)
    return Plan(
        tuple(actions),
        tuple(summaries),
        tuple(next_ledgers),
        frozenset(applies),
        tuple(notes),
        live_reads=native.reads + live.reads,
        started_from=tuple(followed[c] for c in sorted(followed)),
        renamed=tuple(sorted(rename_notes)),
        learned=tuple(learned),
    )


def _waits_until(campaign: Campaign, today: date) -> date | None:
    """The day an active campaign starts, while it is still ahead (`starts` was shown in
    the plan and the issues, and did nothing)."""
    starts = campaign.starts
    if campaign.state == "active" and starts is not None and starts > today:
        return starts
    return None


def _native_context_notes(campaigns: Sequence[Campaign], native: NativeContext) -> list[str]:
    """What the plan could not check of GitHub's live limits, or what the server lacks."""
    wanted = tuple(
        c.id
        for c in sorted(campaigns, key=lambda c: c.id)
        if c.state != "draft" and (c.github.native_campaign or c.github.autofix)
    )
    if not wanted:
        return []
    if native.ghes:
        return [ghes_note(native, wanted)]
    mirrored = [c for c in campaigns if c.github.native_campaign and c.state == "active"]
    if not mirrored:
        return []
    if not native.connected:
        return [
            "the organizations' open security campaigns were not read (no GitHub "
            "connection), so campaigns made in GitHub's UI are not counted against its "
            f"{NATIVE_OPEN_CAMPAIGNS_MAX}: this plan assumes only those the ledgers record are "
            "open; apply reads them and mirrors fewer if the organization has no room"
        ]
    return [
        f"the open security campaigns of {org} could not be read ({why}): only those the "
        "ledgers record are counted"
        for org, why in sorted(native.unread.items())
    ]


def _repositories_of(
    owners: set[str],
    index: AlertIndex,
    repositories: Mapping[str, Repository],
    ledgers: Mapping[str, CampaignLedger],
) -> set[str]:
    """Every repository of these owners the run or the ledgers know of."""
    if not owners:
        return set()  # the usual case: no need to walk millions of members
    known = (
        set(index.repositories)
        | set(repositories)
        | {m.repository for ledger in ledgers.values() for m in ledger.members}
        | {i.repository for ledger in ledgers.values() for i in ledger.issues}
    )
    return {name for name in known if name.split("/", 1)[0] in owners}
