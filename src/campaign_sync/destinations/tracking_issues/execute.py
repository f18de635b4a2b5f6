"""Carrying out the actions on tracking issues: updates merged into the body a person may
have edited, closes and reopens announced by a comment posted once, due-date notices."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from campaign_sync.actions import (
    Action,
    CloseIssue,
    CommentIssue,
    CreateIssue,
    ReopenIssue,
    UpdateIssue,
)
from campaign_sync.destinations.base import CampaignState, Run
from campaign_sync.destinations.tracking_issues.create import create_once
from campaign_sync.github import tracker
from campaign_sync.github.transport import Transport
from campaign_sync.issue_markers import is_latest_event, merge_body
from campaign_sync.render.issue import section_text


def execute(action: Action, run: Run, state: CampaignState, position: int) -> None:
    issues = state.issues
    transport, reads = run.transport, run.reads
    if isinstance(action, CreateIssue):
        issues[action.repository] = create_once(run, action)
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
        reason = action.state_reason
        _announce_then(
            run,
            action,
            position,
            "closed",
            lambda: tracker.close_issue(transport, action.where, action.number, reason=reason),
        )
        previous = issues[action.repository]
        issues[action.repository] = dataclasses.replace(previous, state="closed")
    elif isinstance(action, ReopenIssue):
        where = action.where
        _announce_then(
            run,
            action,
            position,
            "open",
            lambda: tracker.reopen_issue(transport, where, action.number),
        )
        previous = issues[action.repository]
        issues[action.repository] = dataclasses.replace(
            previous, state="open", closed_by_hand=False
        )
    elif isinstance(action, CommentIssue):
        where = action.where
        posted = reads.comments(position, where, action.number)
        reads.writing(where, action.number)
        _comment_once(transport, posted, where, action.number, action.body)


def _announce_then(
    run: Run,
    action: CloseIssue | ReopenIssue,
    position: int,
    state: str,
    change: Callable[[], tracker.IssueRef],
) -> None:
    """Bring the issue to ``state`` unless it is there already: the comment saying why
    first (posted once), then the change, so a run that dies between the two finds the
    comment and does not post it again."""
    where, reads = action.where, run.reads
    current = reads.issue(position, where, action.number)
    if current.state == state:
        return
    posted = reads.comments(position, where, action.number)
    reads.writing(where, action.number)
    posted = _comment_once(run.transport, posted, where, action.number, action.comment)
    reads.wrote(where, action.number, change(), posted)


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
