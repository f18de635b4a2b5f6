"""Carry out a plan through the rate-limit-aware client, and write the ledger.

The same Plan value that `plan` showed is executed here: there is no separate dry-run
path. Each action goes to the destination of its kind (``destinations``), most urgent
first, within the run's budgets; every destination's writes are safe to repeat, so a run
killed at any point and run again converges on the same end state.

The reads before the writes are made ahead, many to a request (``readahead``), and fall
back to REST.

The ledger written at the end records what was done, not what was planned: an action
that failed leaves its part of the ledger as it was, so the next run tries again.

A write GitHub refuses because of the repository itself, archived (403) or with Issues
turned off (410), is not a failure: the repository changed since the plan was made. It
becomes a note and a hold in the ledger (``holds.py``), the repository's other actions of
the run are left out, and the next plan writes nothing there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from campaign_sync.actions import Action
from campaign_sync.destinations import (
    KINDS,
    destination_of,
    urgency,
)
from campaign_sync.destinations.base import CampaignState, Run
from campaign_sync.errors import GitHubError
from campaign_sync.github import tracker
from campaign_sync.github.identity import WhoAmI
from campaign_sync.github.transport import Transport
from campaign_sync.holds import describe
from campaign_sync.issue_markers import TOOL_LABEL
from campaign_sync.ledger import write_ledger
from campaign_sync.model import (
    CampaignLedger,
    HeldRepository,
    HoldReason,
    TrackedIssue,
    canonical_states,
)
from campaign_sync.planned import Planned
from campaign_sync.readahead import ReadAhead
from campaign_sync.renames import current_names, learn_from_redirects


@dataclass(slots=True)
class ApplyResult:
    done: list[Action] = field(default_factory=list)
    failed: list[tuple[Action, str]] = field(default_factory=list)
    skipped: int = 0  # actions of draft campaigns
    deferred: int = 0  # actions left for the next run: the budget below was reached
    stopped_by: str | None = None  # why actions were deferred, for the summary
    # Writes GitHub's own budget for them refused (tracker.Deferred): left for the next run.
    postponed: list[tuple[Action, str]] = field(default_factory=list)
    read_fallback: str | None = None  # why issues were read one by one through REST
    # Refused because the repository is archived or has Issues off: not failures.
    held_notes: list[str] = field(default_factory=list)  # one for each repository, as met
    held_actions: int = 0  # actions not made there (the refused ones and the rest)
    # Duplicates closed (two runs at once), and look-alike issues left alone, as met.
    healed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


Outcome = Literal["done", "failed", "held", "postponed", "deferred", "gone"]
_HELD_WHY = {
    "archived": "its repository is archived",
    "issues-off": "its repository has Issues turned off",
}


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """One action as apply met it, told as it happens: for the ``[3/12] done ...``
    progress and ``apply --format json``.

    ``outcome``: done; failed (retried next run); held (its repository is archived or has
    Issues off); postponed (GitHub's own budget for its kind is spent); deferred (this
    run's write budget or rate limit reserve reached); gone (the issue was deleted since
    the plan: the next run opens a new one).
    """

    action: Action
    position: int  # 1-based, in the order apply takes the actions (most urgent first)
    total: int
    outcome: Outcome
    error: str | None = None
    # Where the result can be seen: the repository's tracking issue after the action,
    # or the native campaign as (organization, number).
    issue: TrackedIssue | None = None
    native: tuple[str, int] | None = None


def _held_back(action: Action, held: dict[str, HoldReason]) -> bool:
    """Whether the action goes to a repository met as archived or Issues-off this run."""
    reason = held.get(action.repository)
    kind = KINDS[action.kind]
    if reason is None or kind.scope != "repository":
        return False
    return reason == "archived" or kind.needs_issues


def _hold_note(planned: Planned, action: Action, reason: HoldReason, error: str) -> str:
    ledger = next(lg for lg in planned.plan.ledgers if lg.campaign == action.campaign)
    here = action.repository
    open_alerts = sum(1 for m in ledger.members if m.state == "open" and m.repository == here)
    return (
        f"{action.campaign}: {describe(here, reason, open_alerts)}; it changed since the "
        f"plan ({error}); the next plan writes nothing there"
    )


def apply_plan(
    planned: Planned,
    transport: Transport | None,
    *,
    on_action: Callable[[ActionOutcome], None] | None = None,
    now: datetime | None = None,
) -> ApplyResult:
    """Execute the plan's actions of non-draft campaigns, then write their ledgers.

    Most urgent first (``urgency``), within two budgets: ``safety.max-writes-per-run``
    write requests, and the token's primary rate limit down to ``limits.reserve-requests``.
    What does not fit is left for the next run, which plans it again: the ledger records
    what was done, so it is consistent wherever the run stops.

    A failing action is reported and the run goes on with the others (of other
    repositories); the ledger keeps the failed part as it was, so the next run retries it.
    One refused because its repository is archived or has Issues off is a note instead
    (``ApplyResult.held_notes``), recorded in the ledger as a hold since ``now``.

    Without a ``transport`` (no credentials: offline sources, tracking and mirroring off)
    the plan must have nothing to do on GitHub: only the ledgers are written.

    ``on_action`` hears of every action as it is met, whatever became of it.
    """
    plan = planned.plan
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    held: dict[str, HoldReason] = {}  # repository -> why, as met this run
    result = ApplyResult()
    writes_allowed = planned.config.safety.max_writes_per_run
    reserve = planned.config.limits.reserve_requests
    progress = {campaign: _state_of(planned.previous[campaign]) for campaign in plan.applies}
    # What the plan learned of the issues from GitHub (drift.py): recorded whatever the
    # actions do, so the report shows the truth and a deleted issue is never retried.
    for campaign, repository, issue in plan.learned:
        if campaign in progress:
            if issue is None:
                progress[campaign].issues.pop(repository, None)
            else:
                progress[campaign].issues[repository] = issue
    result.skipped = sum(1 for a in plan.actions if a.campaign not in plan.applies)
    ordered = sorted((a for a in plan.actions if a.campaign in plan.applies), key=urgency)
    if transport is None:
        if ordered:
            raise ValueError("apply_plan needs a transport for actions on GitHub")
        _write_ledgers(planned, progress, {})
        return result
    writes_before = transport.stats.writes
    total = len(ordered)

    def tell(position: int, action: Action, outcome: Outcome, error: str | None = None) -> None:
        if on_action is None:
            return
        state = progress[action.campaign]
        native = None
        if (
            KINDS[action.kind].scope == "organization"
            and state.native
            and state.native_organization
        ):
            native = (state.native_organization, state.native)
        issue = None if native is not None else state.issues.get(action.repository)
        on_action(ActionOutcome(action, position + 1, total, outcome, error, issue, native))

    reads = ReadAhead(transport, ordered, label=TOOL_LABEL, write_interval=transport.write_interval)
    me = WhoAmI(transport)
    run = Run(transport, reads, me, result.notes, result.healed)
    spent: dict[str, str] = {}  # action kinds GitHub has no budget left for this run
    try:
        for position, action in enumerate(ordered):
            written = transport.stats.writes - writes_before
            remaining = transport.rate_limit.remaining
            if remaining is None:  # nothing sent yet: what the listing's last answer said
                remaining = planned.result.rate_remaining
            if written + KINDS[action.kind].writes > writes_allowed:
                result.stopped_by = (
                    f"the write budget of {writes_allowed} a run (safety.max-writes-per-run)"
                )
            elif remaining is not None and remaining - KINDS[action.kind].requests < reserve:
                result.stopped_by = (
                    f"the rate limit reserve of {reserve} requests (limits.reserve-requests; "
                    f"{remaining} left until the hourly reset)"
                )
            if result.stopped_by is not None:
                result.deferred = len(ordered) - position
                for later_position, later in enumerate(ordered[position:], start=position):
                    # Not done: a notice of the campaign is not sent yet either.
                    progress[later.campaign].failures += 1
                    tell(later_position, later, "deferred", result.stopped_by)
                break
            if _held_back(action, held):
                _hold(progress[action.campaign], action.repository, held, stamp)
                result.held_actions += 1
                tell(position, action, "held", _HELD_WHY[held[action.repository]])
                continue
            if action.kind in spent:
                result.postponed.append((action, spent[action.kind]))
                tell(position, action, "postponed", spent[action.kind])
                continue
            try:
                destination_of(action.kind).execute(
                    action, run, progress[action.campaign], position
                )
            except tracker.Deferred as exc:
                # Not a failure: nothing was done, nothing is recorded, the next run asks
                # again; the rest of this kind waits too (the budget is GitHub's, not ours).
                spent[action.kind] = str(exc)
                result.postponed.append((action, str(exc)))
                tell(position, action, "postponed", str(exc))
                continue
            except GitHubError as exc:
                reason = tracker.refused_because(exc, creating_issue=action.kind == "create_issue")
                if reason is not None and KINDS[action.kind].scope == "repository":
                    held[action.repository] = reason
                    _hold(progress[action.campaign], action.repository, held, stamp)
                    result.held_actions += 1
                    result.held_notes.append(_hold_note(planned, action, reason, str(exc)))
                    tell(position, action, "held", str(exc))
                    continue
                if _issue_deleted(exc, action):
                    # Deleted since the plan read it: forgotten, so the next run opens a
                    # new one instead of failing on it for ever.
                    forgotten = progress[action.campaign].issues.pop(action.repository, None)
                    if forgotten is not None:
                        result.notes.append(
                            f"{action.campaign}: tracking issue {forgotten.where}#"
                            f"{forgotten.number} was deleted since the plan: the next run "
                            "opens a new one"
                        )
                    tell(position, action, "gone", str(exc))
                    continue
                progress[action.campaign].failures += 1
                result.failed.append((action, str(exc)))
                tell(position, action, "failed", str(exc))
                continue
            result.done.append(action)
            tell(position, action, "done")
    finally:
        result.read_fallback = reads.fallback
        _write_ledgers(planned, progress, transport.moved)
    return result


def _state_of(ledger: CampaignLedger) -> CampaignState:
    """What the last apply recorded, which this one's actions change."""
    return CampaignState(
        issues=ledger.issue_map(),
        autofix=set(ledger.autofix_requested),
        native=ledger.native_campaign,
        native_organization=ledger.native_organization,
        native_digest=ledger.native_digest,
        destinations=ledger.states(),
    )


def _issue_deleted(error: GitHubError, action: Action) -> bool:
    """GitHub answered 410 Gone for an existing issue, not for Issues turned off ("If the
    issue was deleted from a repository where the authenticated user has read access, the
    API returns a `410 Gone` status", Get an issue)."""
    return (
        KINDS[action.kind].reads_issue  # an action on an issue that exists
        and isinstance(error, tracker.TrackerError)
        and error.status == 410
        and tracker.refused_because(error, creating_issue=False) is None
    )


def _hold(
    progress: CampaignState, repository: str, held: dict[str, HoldReason], stamp: str
) -> None:
    progress.held[repository] = HeldRepository(repository, held[repository], stamp, "write")


def _write_ledgers(
    planned: Planned, progress: dict[str, CampaignState], moved: Mapping[str, str]
) -> None:
    ids: dict[str, int] = {}
    if moved:  # GitHub redirected a repository the plan did not know had moved
        current = current_names(planned.result.repositories, planned.result.alerts)
        ids = {name: repo_id for repo_id, name in current.items()}
    for ledger in planned.plan.ledgers:
        if ledger.campaign not in progress:
            continue
        ledger = learn_from_redirects(ledger, moved, ids)
        done = progress[ledger.campaign]
        previous: CampaignLedger = planned.previous[ledger.campaign]
        write_ledger(
            planned.reports,
            dataclasses.replace(
                ledger,
                issues=tuple(done.issues[k] for k in sorted(done.issues)),
                autofix_requested=tuple(sorted(done.autofix)),
                native_campaign=done.native,
                native_organization=done.native_organization,
                native_digest=done.native_digest,
                held=_merged_holds(ledger.held, done.held),
                destinations=canonical_states(done.destinations),
                # A notice counts as sent only when every action of the campaign went through.
                due_notice_sent=ledger.due_notice_sent
                if not done.failures
                else previous.due_notice_sent,
            ),
        )


def _merged_holds(
    planned: tuple[HeldRepository, ...], met: dict[str, HeldRepository]
) -> tuple[HeldRepository, ...]:
    """The plan's holds, and those met by a write this run (which win: they are newer)."""
    merged = {h.repository: h for h in planned}
    merged.update(met)
    return tuple(merged[name] for name in sorted(merged))
