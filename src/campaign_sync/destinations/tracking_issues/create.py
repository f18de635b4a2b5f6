"""Opening a tracking issue exactly once: the issue an earlier run opened and did not
record is found by its label and marker and adopted (only if the tool's own identity
opened it); a look right after the create finds a second run's issue, and the newer of
two is closed as the older's duplicate."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from campaign_sync.actions import CreateIssue
from campaign_sync.destinations.base import Run
from campaign_sync.github import tracker
from campaign_sync.github.identity import WhoAmI
from campaign_sync.github.transport import Transport
from campaign_sync.issue_markers import TOOL_LABEL, find_markers, is_latest_event, merge_body
from campaign_sync.model import TrackedIssue
from campaign_sync.render.issue import comment_duplicate, section_text


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


def _renamed_title(title: str, action: CreateIssue) -> str | None:
    """The new title of an issue opened before its repository was renamed, if the tool
    wrote its title (it names the old repository where ``action.title`` names the new);
    None to leave it, a human's title included."""
    stem = action.title.removesuffix(action.repository)
    if stem == action.title:
        return None  # cut to GitHub's length: not worth guessing
    return action.title if any(title == stem + old for old in action.previous_names) else None


def create_once(run: Run, action: CreateIssue) -> TrackedIssue:
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
