"""Drift: what GitHub shows of the tracking issues against what the tool recorded. Pure.

Every run reads the tracking issues the ledgers name (``github/tracked.py``) and the plan
compares: an issue closed by someone else while its alerts are open is reopened with a
comment naming them, or left closed (``tracking.manual-close``); a deleted issue is
replaced by a new one; a transferred issue is followed to where it is now. What the run
learns is recorded in the ledger whatever the actions do (``Plan.learned``), so the
report shows the truth, and no run fails for ever on an issue that is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from campaign_sync.model import TrackedIssue
from campaign_sync.wording import plural

IssueKey = tuple[str, int]  # (OWNER/NAME where the ledger says it is, number)


@dataclass(frozen=True, slots=True)
class LiveIssue:
    """A tracking issue as GitHub showed it when the plan was made."""

    repository: str  # where it is now (another one when it was transferred)
    number: int
    state: Literal["open", "closed", "deleted"]
    # Closed: whether the tool's own identity closed it (False: someone else, or unknown).
    closed_by_tool: bool = False


@dataclass(frozen=True, slots=True)
class LiveIssues:
    """What a run read of its tracking issues. ``read``: whether they were read at all
    (no GitHub connection: not); ``unread``: why some could not be (then those are
    planned from the ledger alone, as before); ``reads``: requests it took."""

    issues: Mapping[IssueKey, LiveIssue] = field(default_factory=dict)
    read: bool = False
    unread: str | None = None
    reads: int = 0

    def get(self, issue: TrackedIssue) -> LiveIssue | None:
        return self.issues.get((issue.where, issue.number))


@dataclass(frozen=True, slots=True)
class Seen:
    """What the plan makes of one recorded issue: the issue as it now stands (None: it
    was deleted), whether it was closed by hand while alerts are open, and the note."""

    issue: TrackedIssue | None
    hand_closed: bool = False
    note: str | None = None


def compare(
    campaign: str,
    recorded: TrackedIssue,
    live: LiveIssue | None,
    *,
    open_count: int,
    wants_open: bool,
    policy: Literal["reopen", "respect"],
) -> Seen:
    """``recorded`` as GitHub shows it. ``open_count``: the repository's open alerts;
    ``wants_open``: whether the plan wants the issue open (alerts open, campaign not
    closed)."""
    if live is None:
        return Seen(recorded)
    here = f"{recorded.where}#{recorded.number}"
    if live.state == "deleted":
        then = "a new issue replaces it" if wants_open else "no new one: none of its alerts is open"
        return Seen(None, note=f"{campaign}: tracking issue {here} was deleted; {then}")
    issue, notes = recorded, []
    if (live.repository, live.number) != (recorded.where, recorded.number):
        moved_to = None if live.repository == recorded.repository else live.repository
        issue = TrackedIssue(
            recorded.repository,
            live.number,
            recorded.state,
            recorded.digest,
            moved_to,
            recorded.closed_by_hand,
        )
        notes.append(
            f"tracking issue {here} was transferred to {live.repository}#{live.number}: "
            "followed there"
        )
    if live.state == "open" and issue.state == "closed" and issue.closed_by_hand:
        # Left closed by hand, and reopened by hand since: tracked as open again.
        issue = _with(issue, state="open", closed_by_hand=False)
    hand_closed = False
    if live.state == "closed" and issue.state == "open":
        if wants_open and not live.closed_by_tool:
            hand_closed = True
            what = f"{issue.where}#{issue.number} was closed by hand while "
            what += f"{plural(open_count, 'alert')} {'is' if open_count == 1 else 'are'} open"
            if policy == "respect":
                notes.append(f"{what}: left closed (tracking.manual-close: respect)")
                issue = _with(issue, state="closed", closed_by_hand=True)
            else:
                notes.append(f"{what}: reopened (tracking.manual-close: reopen)")
                issue = _with(issue, state="closed")
        else:
            # Closed already, by the tool (a run that did not live to record it) or when
            # the plan closes it anyway: recorded as it is, nothing to say.
            issue = _with(issue, state="closed")
    note = f"{campaign}: {'; '.join(notes)}" if notes else None
    return Seen(issue, hand_closed, note)


def _with(
    issue: TrackedIssue, *, state: Literal["open", "closed"], closed_by_hand: bool = False
) -> TrackedIssue:
    return TrackedIssue(
        issue.repository, issue.number, state, issue.digest, issue.moved_to, closed_by_hand
    )
