"""Desired state against current state -> an ordered list of typed actions. Pure.

The plan is a value (octodns's model): ``plan`` renders it, ``apply`` executes the same
value. It also carries the ledgers as they will be once applied, so a run that changes
nothing writes the same bytes and a second apply finds nothing to do.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from campaign_sync.actions import GITHUB_WRITES_PER_HOUR, Action, CloseIssue
from campaign_sync.campaign_plan import CampaignSummary, plan_campaign
from campaign_sync.config.repo_config import SafetyConfig
from campaign_sync.destinations import KINDS, action_order, planners
from campaign_sync.destinations.base import PlanContext
from campaign_sync.destinations.native_campaign import native_context_notes
from campaign_sync.destinations.tracking_issues.plan import OUT_OF_SCOPE
from campaign_sync.drift import LiveIssues
from campaign_sync.errors import UnsafePlan
from campaign_sync.gcpause import cyclic_gc_paused
from campaign_sync.match import AlertIndex
from campaign_sync.model import (
    Campaign,
    CampaignLedger,
    Repository,
    TrackedIssue,
)
from campaign_sync.native import (
    NativeContext,
)
from campaign_sync.renames import current_names, follow_renames
from campaign_sync.sources.base import SourceResult
from campaign_sync.wording import plural


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
            if KINDS[a.kind].reads_issue
        }
        # The other reads, one by one through REST: a create lists the repository's
        # labelled issues right before and right after (two runs at once: apply.py), for
        # a fresh answer each time; a native create lists the organization's open ones.
        own_reads = sum(
            KINDS[a.kind].requests - KINDS[a.kind].writes
            for a in applied
            if not KINDS[a.kind].reads_issue
        )
        return (
            self.writes
            + -(-len(issues) // max(1, self.issues_per_read))
            + own_reads
            + self.live_reads
        )

    @property
    def writes(self) -> int:
        """Write requests the actions of applied campaigns make (drafts are not applied)."""
        return sum(KINDS[a.kind].writes for a in self.actions if a.campaign in self.applies)

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
    # Made once: a planner may share what it has across campaigns (native slots).
    campaign_planners = planners(PlanContext(ledgers, native))
    notes.extend(native_context_notes(campaigns, native))
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
            planners=campaign_planners,
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
