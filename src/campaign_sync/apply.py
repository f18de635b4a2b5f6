"""Carry out a plan through the rate-limit-aware client, and write the ledger.

The same Plan value that `plan` showed is executed here: there is no separate dry-run
path. Every write is made safe to repeat, so a run killed at any point and run again
converges on the same end state:

- before opening an issue, the repository's issues carrying the tool's label are read
  and searched for this campaign's marker: an issue opened by a run that died before
  writing its ledger is found again (label listing is consistent; search is not);
- an update merges the new section into the issue's current body, and writes nothing
  when the text is already there; a close or reopen skips an issue already in that state;
- a comment is not posted again if it is the issue's newest event comment already
  (``is_latest_event``), and it is posted before the state change it announces, so a run
  that dies between the two finds it there.

Those reads are made ahead, many to a request (``readahead``), and fall back to REST.

The ledger written at the end records what was done, not what was planned: an action
that failed leaves its part of the ledger as it was, so the next run tries again.

A write GitHub refuses because of the repository itself, archived (403) or with Issues
turned off (410), is not a failure: the repository changed since the plan was made. It
becomes a note and a hold in the ledger (``holds.py``), the repository's other actions of
the run are left out, and the next plan writes nothing there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from campaign_sync.errors import GitHubError
from campaign_sync.github import tracker
from campaign_sync.github.identity import WhoAmI
from campaign_sync.github.transport import Transport
from campaign_sync.holds import describe
from campaign_sync.issue_markers import find_markers, is_latest_event, merge_body
from campaign_sync.ledger import write_ledger
from campaign_sync.model import CampaignLedger, HeldRepository, HoldReason, TrackedIssue
from campaign_sync.plan import (
    ACTION_REQUESTS,
    ACTION_WRITES,
    NATIVE_CLOSED,
    Action,
    CloseIssue,
    CloseNativeCampaign,
    CommentIssue,
    CreateIssue,
    CreateNativeCampaign,
    ReopenIssue,
    RequestAutofix,
    UpdateIssue,
    UpdateNativeCampaign,
    urgency,
)
from campaign_sync.planned import Planned
from campaign_sync.readahead import ReadAhead
from campaign_sync.renames import current_names, learn_from_redirects
from campaign_sync.render.issue import comment_duplicate, section_text

# Every tracking issue carries this label, so issues can be found again by listing it.
TOOL_LABEL = "campaign-sync"


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
_NATIVE_KINDS = frozenset(
    {"create_native_campaign", "update_native_campaign", "close_native_campaign"}
)


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


@dataclass(slots=True)
class _CampaignProgress:
    issues: dict[str, TrackedIssue]
    autofix: set[str]
    native: int | None
    native_organization: str | None
    native_digest: str | None
    failures: int = 0
    held: dict[str, HeldRepository] = field(default_factory=dict)  # met by a write this run


def _adoptable(
    campaign: str, repository: str, previous_names: Sequence[str], me: WhoAmI
) -> Callable[[tracker.IssueRef], bool]:
    """Whether an issue the ledger does not name is this campaign's for the repository:
    every marker in its body names this campaign and the repository (or a name it had
    before a rename), and the tool's own identity opened it. A member's copy of the marker,
    or another campaign's section forged into it, is nobody's to take over."""
    names = {repository, *previous_names}

    def adoptable(issue: tracker.IssueRef) -> bool:
        markers = find_markers(issue.body or "")
        if not markers or any(c != campaign or r not in names for c, r in markers):
            return False
        return me.is_me(issue.author)  # asked last: a request, at most once a run

    return adoptable


def _lookalikes(listed: Sequence[tracker.IssueRef], action: CreateIssue, me: WhoAmI) -> list[str]:
    """Notes on issues carrying this campaign's marker for the repository that the tool did
    not open (left alone: never edited, never closed)."""
    names = {action.repository, *action.previous_names}
    notes = []
    for issue in listed:
        markers = find_markers(issue.body or "")
        if any(c == action.campaign and r in names for c, r in markers) and not (
            all(c == action.campaign and r in names for c, r in markers) and me.is_me(issue.author)
        ):
            why = (
                f"opened by {issue.author or 'someone else'}, not by campaign-sync"
                f"{f' ({me.login()})' if me.login() else ''}"
                if not me.is_me(issue.author)
                else "it also carries another campaign's marker"
            )
            notes.append(
                f"{action.campaign}: {action.repository}#{issue.number} carries this "
                f"campaign's marker but is not its tracking issue ({why}): left alone, and "
                "the tool opens its own"
            )
    if notes and me.problem is not None:
        notes.append(f"{action.campaign}: who the tool runs as is unknown ({me.problem})")
    return notes


def _comment_once(
    transport: Transport, posted: tuple[str, ...], repository: str, number: int, body: str
) -> tuple[str, ...]:
    """Post ``body`` unless it is the newest event comment of ``posted`` (the issue's
    comments, read before this run's writes to it); returns the comments now."""
    if is_latest_event(posted, body):
        return posted
    tracker.comment(
        transport,
        repository,
        number,
        body,
        posted_already=lambda comments: is_latest_event([c.body for c in comments], body),
    )
    return (*posted, body)


def _renamed_title(title: str, action: CreateIssue) -> str | None:
    """The new title of an issue opened before its repository was renamed, if the tool
    wrote its title (it names the old repository where ``action.title`` names the new);
    None to leave it, a human's title included."""
    stem = action.title.removesuffix(action.repository)
    if stem == action.title:
        return None  # cut to GitHub's length: not worth guessing
    return action.title if any(title == stem + old for old in action.previous_names) else None


def _create(
    transport: Transport,
    reads: ReadAhead,
    action: CreateIssue,
    me: WhoAmI,
    result: ApplyResult,
) -> TrackedIssue:
    ours = _adoptable(action.campaign, action.repository, action.previous_names, me)
    # A fresh look immediately before the create, not a read-ahead of seconds ago: another
    # run (by hand, next to the scheduled one) may have opened it a moment ago.
    listed = tracker.list_issues_with_label(transport, action.repository, TOOL_LABEL)
    result.notes.extend(_lookalikes(listed, action, me))
    found = [issue for issue in listed if ours(issue)]
    if found:
        existing = found[0]  # oldest first: the one to keep
        # Opened by an earlier run that did not live to record it.
        body = merge_body(existing.body, section_text(action.content), action.previous_names)
        title = _renamed_title(existing.title, action)
        reads.writing(action.repository, existing.number)
        if body != existing.body or title is not None:
            tracker.update_issue(
                transport,
                action.repository,
                existing.number,
                title=title,
                body=body if body != existing.body else None,
            )
        if existing.state != "open":
            tracker.reopen_issue(transport, action.repository, existing.number)
        kept = existing.number
    else:
        created = tracker.create_issue(
            transport,
            action.repository,
            title=action.title,
            body=merge_body(None, section_text(action.content)),
            labels=(TOOL_LABEL, *action.labels),
            assignees=action.assignees,
            find_existing=ours,
        )
        me.learn(created.author)
        kept = created.number
        # The look after: a run racing this one created its issue between our look and our
        # create. The label listing is consistent, so the later of two creators sees both.
        found = [
            i
            for i in tracker.list_issues_with_label(transport, action.repository, TOOL_LABEL)
            if ours(i)
        ]
    kept = _heal(transport, action, found, kept, result)
    return TrackedIssue(action.repository, kept, "open", action.digest)


def _heal(
    transport: Transport,
    action: CreateIssue,
    found: Sequence[tracker.IssueRef],
    kept: int,
    result: ApplyResult,
) -> int:
    """Two open issues of one campaign and repository (two runs at once): the older is
    kept, each newer one closed as a duplicate pointing at it. Returns the one kept."""
    open_numbers = sorted({kept, *(i.number for i in found if i.state == "open")})
    oldest, newer = open_numbers[0], open_numbers[1:]
    for number in newer:
        tracker.comment(
            transport,
            action.repository,
            number,
            comment_duplicate(oldest),
            posted_already=lambda comments: is_latest_event(
                [c.body for c in comments], comment_duplicate(oldest)
            ),
        )
        tracker.close_issue(transport, action.repository, number, reason="duplicate")
        result.healed.append(
            f"{action.campaign}: {action.repository}#{number} closed as a duplicate of #{oldest}"
        )
    return oldest


def _execute(
    transport: Transport,
    action: Action,
    progress: _CampaignProgress,
    reads: ReadAhead,
    position: int,
    me: WhoAmI,
    result: ApplyResult,
) -> None:
    issues = progress.issues
    if isinstance(action, CreateIssue):
        issues[action.repository] = _create(transport, reads, action, me, result)
    elif isinstance(action, UpdateIssue):
        where = action.where  # the repository the issue is in (transferred: another)
        current = reads.issue(position, where, action.number)
        body = merge_body(current.body, section_text(action.content), action.previous_names)
        # Renamed: a title as the tool wrote it names the old repository; a human's stays.
        title = action.retitle[1] if action.retitle and current.title == action.retitle[0] else None
        if body != current.body or title is not None:
            known = reads.writing(where, action.number)
            updated = tracker.update_issue(
                transport,
                where,
                action.number,
                title=title,
                body=body if body != current.body else None,
            )
            reads.wrote(where, action.number, updated, known)
        previous = issues[action.repository]
        issues[action.repository] = dataclasses.replace(previous, digest=action.digest)
    elif isinstance(action, CloseIssue):
        where = action.where
        current = reads.issue(position, where, action.number)
        if current.state != "closed":
            posted = reads.comments(position, where, action.number)
            reads.writing(where, action.number)
            posted = _comment_once(transport, posted, where, action.number, action.comment)
            closed = tracker.close_issue(
                transport, where, action.number, reason=action.state_reason
            )
            reads.wrote(where, action.number, closed, posted)
        previous = issues[action.repository]
        issues[action.repository] = dataclasses.replace(previous, state="closed")
    elif isinstance(action, ReopenIssue):
        where = action.where
        current = reads.issue(position, where, action.number)
        if current.state != "open":
            posted = reads.comments(position, where, action.number)
            reads.writing(where, action.number)
            posted = _comment_once(transport, posted, where, action.number, action.comment)
            reopened = tracker.reopen_issue(transport, where, action.number)
            reads.wrote(where, action.number, reopened, posted)
        previous = issues[action.repository]
        issues[action.repository] = dataclasses.replace(
            previous, state="open", closed_by_hand=False
        )
    elif isinstance(action, CommentIssue):
        where = action.where
        posted = reads.comments(position, where, action.number)
        reads.writing(where, action.number)
        _comment_once(transport, posted, where, action.number, action.body)
    elif isinstance(action, RequestAutofix):
        tracker.request_autofix(transport, action.repository, action.alert_number)
        progress.autofix.add(action.alert_id)
    elif isinstance(action, CreateNativeCampaign):
        fields = action.fields
        # Created by an earlier run that did not live to record it? GitHub lists the
        # organization's open campaigns consistently: take the one with our name and text.
        opened = tracker.list_native_campaigns(transport, action.repository, state="open")
        existing = sorted(
            (c for c in opened if (c.name, c.description) == (fields.name, fields.description)),
            key=lambda c: c.number,
        )
        if existing:
            found = existing[0]  # the oldest
            progress.native, progress.native_digest = found.number, fields.digest()
            progress.native_organization = action.repository
            return
        if len(opened) >= tracker.MAX_OPEN_CAMPAIGNS:
            # Someone opened one (maybe in GitHub's UI) since the plan read them: never
            # send an eleventh, wait for a run with room.
            raise tracker.Deferred(
                f"{action.repository} has {len(opened)} open security campaigns, GitHub's "
                f"limit; the native campaign of {action.campaign} is left for a later run"
            )
        created = tracker.create_native_campaign(
            transport,
            action.repository,
            name=fields.name,
            description=fields.description,
            ends_at=fields.ends,
            code_scanning_alerts=[
                tracker.CampaignAlerts(repo_id, numbers) for repo_id, numbers in action.alerts
            ],
            managers=fields.managers,
            team_managers=fields.team_managers,
            contact_link=fields.contact_link or None,
        )
        progress.native, progress.native_digest = created.number, fields.digest()
        progress.native_organization = action.repository
    elif isinstance(action, UpdateNativeCampaign):
        fields, sent = action.fields, set(action.changes)
        # Only what changed: a field GitHub would refuse (a passed due date) is left out.
        tracker.update_native_campaign(
            transport,
            action.repository,
            action.number,
            name=fields.name if "name" in sent else None,
            description=fields.description if "description" in sent else None,
            ends_at=fields.ends if "ends_at" in sent else None,
            managers=fields.managers if "managers" in sent else None,
            team_managers=fields.team_managers if "team_managers" in sent else None,
            contact_link=(fields.contact_link or None) if "contact_link" in sent else None,
        )
        progress.native_digest = fields.digest()
    elif isinstance(action, CloseNativeCampaign):
        tracker.close_native_campaign(transport, action.repository, action.number)
        progress.native_digest = NATIVE_CLOSED


# Actions that write to their repository (the native campaigns write to an organization).
_REPOSITORY_WRITES = frozenset(
    {
        "create_issue",
        "update_issue",
        "close_issue",
        "reopen_issue",
        "comment_issue",
        "request_autofix",
    }
)


def _held_back(action: Action, held: dict[str, HoldReason]) -> bool:
    """Whether the action goes to a repository met as archived or Issues-off this run."""
    reason = held.get(action.repository)
    if reason is None or action.kind not in _REPOSITORY_WRITES:
        return False
    return reason == "archived" or action.kind != "request_autofix"


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
    progress = {
        campaign: _CampaignProgress(
            issues=planned.previous[campaign].issue_map(),
            autofix=set(planned.previous[campaign].autofix_requested),
            native=planned.previous[campaign].native_campaign,
            native_organization=planned.previous[campaign].native_organization,
            native_digest=planned.previous[campaign].native_digest,
        )
        for campaign in plan.applies
    }
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
        if action.kind in _NATIVE_KINDS and state.native and state.native_organization:
            native = (state.native_organization, state.native)
        issue = None if native is not None else state.issues.get(action.repository)
        on_action(ActionOutcome(action, position + 1, total, outcome, error, issue, native))

    reads = ReadAhead(transport, ordered, label=TOOL_LABEL, write_interval=transport.write_interval)
    me = WhoAmI(transport)
    spent: dict[str, str] = {}  # action kinds GitHub has no budget left for this run
    try:
        for position, action in enumerate(ordered):
            written = transport.stats.writes - writes_before
            remaining = transport.rate_limit.remaining
            if remaining is None:  # nothing sent yet: what the listing's last answer said
                remaining = planned.result.rate_remaining
            if written + ACTION_WRITES[action.kind] > writes_allowed:
                result.stopped_by = (
                    f"the write budget of {writes_allowed} a run (safety.max-writes-per-run)"
                )
            elif remaining is not None and remaining - ACTION_REQUESTS[action.kind] < reserve:
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
                _execute(transport, action, progress[action.campaign], reads, position, me, result)
            except tracker.Deferred as exc:
                # Not a failure: nothing was done, nothing is recorded, the next run asks
                # again; the rest of this kind waits too (the budget is GitHub's, not ours).
                spent[action.kind] = str(exc)
                result.postponed.append((action, str(exc)))
                tell(position, action, "postponed", str(exc))
                continue
            except GitHubError as exc:
                reason = tracker.refused_because(exc, creating_issue=action.kind == "create_issue")
                if reason is not None and action.kind in _REPOSITORY_WRITES:
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


_ISSUE_ACTIONS = frozenset({"update_issue", "close_issue", "reopen_issue", "comment_issue"})


def _issue_deleted(error: GitHubError, action: Action) -> bool:
    """GitHub answered 410 Gone for an existing issue, not for Issues turned off ("If the
    issue was deleted from a repository where the authenticated user has read access, the
    API returns a `410 Gone` status", Get an issue)."""
    return (
        action.kind in _ISSUE_ACTIONS
        and isinstance(error, tracker.TrackerError)
        and error.status == 410
        and tracker.refused_because(error, creating_issue=False) is None
    )


def _hold(
    progress: _CampaignProgress, repository: str, held: dict[str, HoldReason], stamp: str
) -> None:
    progress.held[repository] = HeldRepository(repository, held[repository], stamp, "write")


def _write_ledgers(
    planned: Planned, progress: dict[str, _CampaignProgress], moved: Mapping[str, str]
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
