"""What GitHub shows of the tracking issues the ledgers name, for the plan (``drift.py``).

Read every run, before planning: the issues the plan may act on or the report calls open
(recorded open, or in a repository with open alerts), 50 to a GraphQL request. Those the
batch cannot vouch for (deleted, transferred, renamed away) are read one by one through
REST, redirect not followed blindly (``tracker.locate_issue``). An issue found closed that
the ledger records open is read once more through REST, for ``closed_by``: who closed it
decides whether it was closed by hand. The tool's identity is asked only then.

Nothing here guesses: an issue that could not be read is left out of the answer (and
``unread`` says why), so the plan treats it as it did before, from the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from campaign_sync.drift import IssueKey, LiveIssue, LiveIssues
from campaign_sync.errors import GitHubError
from campaign_sync.github import tracker
from campaign_sync.github.graphql import GraphQLUnavailable
from campaign_sync.github.identity import WhoAmI
from campaign_sync.github.issue_batch import MAX_ISSUES, read_issues
from campaign_sync.github.transport import Transport
from campaign_sync.model import Campaign, CampaignLedger


def issues_to_read(
    campaigns: Sequence[Campaign], ledgers: Mapping[str, CampaignLedger]
) -> tuple[tuple[IssueKey, ...], frozenset[IssueKey]]:
    """The issues worth comparing, sorted, and of those the ones recorded open: of the
    campaigns that are applied and track issues, each issue recorded open or in a
    repository with open alerts (any other the plan leaves alone)."""
    keys: set[IssueKey] = set()
    recorded_open: set[IssueKey] = set()
    for campaign in campaigns:
        ledger = ledgers.get(campaign.id)
        if (
            ledger is None
            or not ledger.issues
            or campaign.state == "draft"
            or not campaign.tracking.per_repository
        ):
            continue
        open_here = {m.repository for m in ledger.members if m.state == "open"}
        for issue in ledger.issues:
            key = (issue.where, issue.number)
            if issue.state == "open":
                recorded_open.add(key)
                keys.add(key)
            elif issue.repository in open_here:
                keys.add(key)
    return tuple(sorted(keys)), frozenset(recorded_open)


def read_live(
    transport: Transport,
    keys: Sequence[IssueKey],
    *,
    recorded_open: frozenset[IssueKey],
    repository_ids: Mapping[str, int],
    me: WhoAmI | None = None,
) -> LiveIssues:
    """What GitHub shows of ``keys``. ``repository_ids``: the ledgers' ids by name, to
    tell a renamed repository (same id: the issue did not move) from a transfer."""
    before = transport.stats.requests
    me = me or WhoAmI(transport)
    found: dict[IssueKey, LiveIssue] = {}
    problems: list[str] = []
    rest: list[IssueKey] = []
    batching = True
    for start in range(0, len(keys), MAX_ISSUES):
        chunk = list(keys[start : start + MAX_ISSUES])
        if not batching:
            rest.extend(chunk)
            continue
        try:
            answered = read_issues(transport, chunk)
        except GraphQLUnavailable as error:
            # REST one by one for every issue would cost as many requests as there are
            # issues: the rest are planned from the ledger, and the plan says why.
            problems.append(f"GraphQL unavailable: {error}")
            batching = False
            continue
        for key in chunk:
            snapshot = answered.get(key)
            if snapshot is None:
                rest.append(key)  # deleted, moved, or not vouched for: REST says which
                continue
            issue = snapshot.issue
            found[key] = LiveIssue(key[0], key[1], "closed" if issue.state == "closed" else "open")
    if batching:
        for key in rest:
            live = _located(transport, key, repository_ids, problems)
            if live is not None:
                found[key] = live
    unread_count = len(keys) - len(found)
    # Closed where the ledger says open: who closed it? (REST: GraphQL's issue has no
    # closedBy.) Rare: only an issue someone else closed, or a run that died unrecorded.
    for key in sorted(k for k, v in found.items() if v.state == "closed" and k in recorded_open):
        live = found[key]
        try:
            issue = tracker.get_issue(transport, live.repository, live.number)
        except GitHubError as error:
            problems.append(str(error))
            del found[key]
            unread_count += 1
            continue
        if issue.state != "closed":
            found[key] = LiveIssue(live.repository, live.number, "open")
            continue
        by_tool = bool(issue.closed_by) and me.is_me(issue.closed_by)
        found[key] = LiveIssue(live.repository, live.number, "closed", closed_by_tool=by_tool)
    unread = None
    if unread_count and problems:
        unread = f"{unread_count} not read: {_first(problems)}"
    return LiveIssues(found, True, unread, transport.stats.requests - before)


def _located(
    transport: Transport,
    key: IssueKey,
    repository_ids: Mapping[str, int],
    problems: list[str],
) -> LiveIssue | None:
    repository, number = key
    try:
        issue, repo_id = tracker.locate_issue(transport, repository, number)
    except GitHubError as error:
        problems.append(str(error))
        return None
    if issue is None:
        return LiveIssue(repository, number, "deleted")
    state: Literal["open", "closed"] = "closed" if issue.state == "closed" else "open"
    if repo_id is not None and repo_id == _repository_id(transport, repository, repository_ids):
        # Its repository was renamed or transferred, with the issue: the plan follows the
        # repository by its id (renames.py); the issue itself did not move.
        return LiveIssue(repository, number, state)
    return LiveIssue(issue.repository, issue.number, state)


def _repository_id(
    transport: Transport, repository: str, repository_ids: Mapping[str, int]
) -> int | None:
    """The id of the repository the ledger names: as recorded, or else asked of GitHub
    (a ledger written before ids were kept; the read follows a rename's redirect, which
    the transport records for apply as well)."""
    known = repository_ids.get(repository)
    if known is not None:
        return known
    try:
        data = transport.get(f"/repos/{repository}").data
    except GitHubError:
        return None
    repo_id = data.get("id") if isinstance(data, Mapping) else None
    return repo_id if isinstance(repo_id, int) and not isinstance(repo_id, bool) else None


def _first(problems: Iterable[str]) -> str:
    listed = list(problems)
    more = f" (and {len(listed) - 1} more)" if len(listed) > 1 else ""
    return f"{listed[0]}{more}"
