"""Tracking issues: one issue per repository per campaign, opened, updated, closed,
reopened and commented on, as the plan says.

Every write is made safe to repeat, so a run killed at any point and run again converges
on the same end state:

- before opening an issue, the repository's issues carrying the tool's label are read
  and searched for this campaign's marker: an issue opened by a run that died before
  writing its ledger is found again (label listing is consistent; search is not), and
  only when the tool's own identity opened it (``_adoptable``);
- an update merges the new section into the issue's current body, and writes nothing
  when the text is already there; a close or reopen skips an issue already in that state;
- a comment is not posted again if it is the issue's newest event comment already
  (``is_latest_event``), and it is posted before the state change it announces, so a run
  that dies between the two finds it there;
- two open issues of one campaign and repository (two runs at once): the older is kept,
  the newer closed as its duplicate (``_heal``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from campaign_sync.actions import (
    Action,
    CloseIssue,
    CommentIssue,
    CreateIssue,
    ReopenIssue,
    UpdateIssue,
)
from campaign_sync.destinations.base import CampaignState, Run
from campaign_sync.github import tracker
from campaign_sync.github.identity import WhoAmI
from campaign_sync.github.transport import Transport
from campaign_sync.issue_markers import find_markers, is_latest_event, merge_body
from campaign_sync.model import TrackedIssue
from campaign_sync.render.issue import comment_duplicate, section_text

# Every tracking issue carries this label, so issues can be found again by listing it.
TOOL_LABEL = "campaign-sync"


class TrackingIssues:
    """The ``tracking.issues: per-repository`` destination."""

    name = "tracking-issues"
    kinds = frozenset(
        {"create_issue", "update_issue", "close_issue", "reopen_issue", "comment_issue"}
    )

    def execute(self, action: Action, run: Run, state: CampaignState, position: int) -> None:
        _execute(action, run, state, position)


def _execute(action: Action, run: Run, state: CampaignState, position: int) -> None:
    issues = state.issues
    transport, reads = run.transport, run.reads
    if isinstance(action, CreateIssue):
        issues[action.repository] = _create(run, action)
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


def _create(run: Run, action: CreateIssue) -> TrackedIssue:
    transport, reads, me = run.transport, run.reads, run.me
    ours = _adoptable(action.campaign, action.repository, action.previous_names, me)
    # A fresh look immediately before the create, not a read-ahead of seconds ago: another
    # run (by hand, next to the scheduled one) may have opened it a moment ago.
    listed = tracker.list_issues_with_label(transport, action.repository, TOOL_LABEL)
    run.notes.extend(_lookalikes(listed, action, me))
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
    kept = _heal(transport, action, found, kept, run.healed)
    return TrackedIssue(action.repository, kept, "open", action.digest)


def _heal(
    transport: Transport,
    action: CreateIssue,
    found: Sequence[tracker.IssueRef],
    kept: int,
    healed: list[str],
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
        healed.append(
            f"{action.campaign}: {action.repository}#{number} closed as a duplicate of #{oldest}"
        )
    return oldest
