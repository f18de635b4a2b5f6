"""Many issues read in one GraphQL request: their bodies and states, and when asked their
comments; or every issue of several repositories that carries a label.

What a batch cannot vouch for is left out of its answer, never guessed: an issue GitHub
reports an error for (not found, moved, no permission), one whose answer names another
repository or number, or one with more comments than a page holds. The caller reads those
through REST, one by one, whose errors say precisely what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from campaign_sync.github.graphql import run_query
from campaign_sync.github.tracker import IssueRef
from campaign_sync.github.transport import Transport

# GitHub bounds a query at 500,000 nodes and charges about one point of its 5,000 an hour
# per 100 connections asked for. A batch of issues asks 50 x (100 labels + 10 assignees +
# 100 comments) = 10,500 nodes over about 150 connections (2 points); a batch of
# repositories 20 x 50 issues x 110 = 110,000 nodes over about 2,000 connections (20 points).
# Issues per query: 50 bodies of at most 65,536 characters keep an answer to a few MB.
MAX_ISSUES = 50
# Repositories per label query, and issues per repository. A repository with more labelled
# issues than a page is listed through REST (it pages); a campaign repository rarely has.
MAX_REPOSITORIES = 20
LABELLED_PAGE = 50
COMMENTS_PAGE = 100

# What is read ahead is used within this many seconds of being read, so a human's edit can
# only be overwritten if it lands in that window (see readahead).
FRESH_SECONDS = 15.0

IssueKey = tuple[str, int]  # (owner/name, number)

_ISSUE_FIELDS = (
    "number title body state stateReason url repository { nameWithOwner } author { login } "
    "labels(first: 100) { totalCount nodes { name } } "
    "assignees(first: 10) { totalCount nodes { login } }"
)


@dataclass(frozen=True, slots=True)
class IssueSnapshot:
    """An issue as GitHub held it when read; ``comments`` (bodies, oldest first) only when
    they were asked for."""

    issue: IssueRef
    comments: tuple[str, ...] | None = None


def issues_per_batch(write_interval: float) -> int:
    """Issues a batch holds: as many as are written within FRESH_SECONDS (1 to MAX_ISSUES)."""
    if write_interval <= 0:
        return MAX_ISSUES
    return max(1, min(MAX_ISSUES, int(FRESH_SECONDS / write_interval)))


def read_issues(
    transport: Transport, keys: Sequence[IssueKey], *, comments: frozenset[IssueKey] = frozenset()
) -> dict[IssueKey, IssueSnapshot]:
    """The issues ``keys`` (at most MAX_ISSUES), with the comments of those in ``comments``.

    Raises GraphQLUnavailable when the query as a whole fails. Keys missing from the
    answer are to be read through REST.
    """
    if len(keys) > MAX_ISSUES:
        raise ValueError(f"read_issues: at most {MAX_ISSUES} issues a query, not {len(keys)}")
    if not keys:
        return {}
    declarations, selections, variables = [], [], {}
    for i, (repository, number) in enumerate(keys):
        owner, _, name = repository.partition("/")
        variables.update({f"o{i}": owner, f"n{i}": name, f"i{i}": number})
        declarations.append(f"$o{i}: String!, $n{i}: String!, $i{i}: Int!")
        extra = (
            f" comments(last: {COMMENTS_PAGE}) {{ totalCount nodes {{ body }} }}"
            if (repository, number) in comments
            else ""
        )
        selections.append(
            f"q{i}: repository(owner: $o{i}, name: $n{i}) "
            f"{{ issue(number: $i{i}) {{ {_ISSUE_FIELDS}{extra} }} }}"
        )
    answers = _repositories(transport, declarations, selections, variables)
    found: dict[IssueKey, IssueSnapshot] = {}
    for key, repo in zip(keys, answers, strict=True):
        if repo is None:
            continue
        snapshot = _snapshot(key, repo.get("issue"), with_comments=key in comments)
        if snapshot is not None:
            found[key] = snapshot
    return found


def read_labelled(
    transport: Transport, repositories: Sequence[str], label: str
) -> dict[str, tuple[IssueRef, ...]]:
    """Every issue (open and closed) labelled ``label`` in each repository, oldest first.

    At most MAX_REPOSITORIES; raises GraphQLUnavailable when the query as a whole fails.
    Repositories missing from the answer (not found, or more issues than one page) are to be
    listed through REST.
    """
    if len(repositories) > MAX_REPOSITORIES:
        raise ValueError(
            f"read_labelled: at most {MAX_REPOSITORIES} repositories a query, "
            f"not {len(repositories)}"
        )
    if not repositories:
        return {}
    declarations, selections = ["$label: String!"], []
    variables: dict[str, Any] = {"label": label}
    for i, repository in enumerate(repositories):
        owner, _, name = repository.partition("/")
        variables.update({f"o{i}": owner, f"n{i}": name})
        declarations.append(f"$o{i}: String!, $n{i}: String!")
        selections.append(
            f"q{i}: repository(owner: $o{i}, name: $n{i}) {{ nameWithOwner "
            f"issues(first: {LABELLED_PAGE}, labels: [$label], states: [OPEN, CLOSED], "
            "orderBy: {field: CREATED_AT, direction: ASC}) "
            f"{{ totalCount pageInfo {{ hasNextPage }} nodes {{ {_ISSUE_FIELDS} }} }} }}"
        )
    answers = _repositories(transport, declarations, selections, variables)
    found: dict[str, tuple[IssueRef, ...]] = {}
    for repository, repo in zip(repositories, answers, strict=True):
        if repo is None:
            continue
        if str(repo.get("nameWithOwner", "")).lower() != repository.lower():
            continue  # renamed or transferred: REST says what happened
        issues = repo.get("issues")
        if not isinstance(issues, Mapping) or _has_more(issues):
            continue
        nodes = issues.get("nodes")
        if not isinstance(nodes, list):
            continue
        refs = [_issue_ref(repository, node) for node in nodes if isinstance(node, Mapping)]
        if any(ref is None for ref in refs) or len(refs) != issues.get("totalCount"):
            continue
        found[repository] = tuple(ref for ref in refs if ref is not None)
    return found


# -- internals ---------------------------------------------------------------------------


def _repositories(
    transport: Transport,
    declarations: Sequence[str],
    selections: Sequence[str],
    variables: Mapping[str, Any],
) -> list[Mapping[str, Any] | None]:
    """One query of the aliases ``q0``, ``q1``, ... (each a ``repository``); each alias's
    answer in order, None for one GitHub reported an error for or left out."""
    query = f"query({', '.join(declarations)}) {{ {' '.join(selections)} }}"
    result = run_query(transport, query, variables)
    answers: list[Mapping[str, Any] | None] = []
    for i in range(len(selections)):
        repo = result.data.get(f"q{i}")
        failed = f"q{i}" in result.failed or not isinstance(repo, Mapping)
        answers.append(None if failed else repo)
    return answers


def _has_more(connection: Mapping[str, Any]) -> bool:
    page = connection.get("pageInfo")
    return not isinstance(page, Mapping) or page.get("hasNextPage") is not False


def _snapshot(key: IssueKey, node: Any, *, with_comments: bool) -> IssueSnapshot | None:
    repository, number = key
    if not isinstance(node, Mapping):
        return None
    issue = _issue_ref(repository, node)
    if issue is None or issue.number != number:
        return None
    if not with_comments:
        return IssueSnapshot(issue)
    connection = node.get("comments")
    if not isinstance(connection, Mapping):
        return None
    nodes = connection.get("nodes")
    if not isinstance(nodes, list) or connection.get("totalCount") != len(nodes):
        return None  # more comments than a page: REST pages through them
    bodies = []
    for comment in nodes:
        if not isinstance(comment, Mapping) or not isinstance(comment.get("body"), str):
            return None
        bodies.append(comment["body"])
    return IssueSnapshot(issue, tuple(bodies))


def _issue_ref(repository: str, node: Mapping[str, Any]) -> IssueRef | None:
    """REST's IssueRef from GraphQL's fields, or None when the answer is not for
    ``repository`` or is incomplete (lists longer than a page included)."""
    repo = node.get("repository")
    if not isinstance(repo, Mapping) or str(repo.get("nameWithOwner", "")).lower() != (
        repository.lower()
    ):
        return None
    number, body, state = node.get("number"), node.get("body"), node.get("state")
    if not isinstance(number, int) or not isinstance(body, str) or state not in ("OPEN", "CLOSED"):
        return None
    labels = _names(node.get("labels"), "name")
    assignees = _names(node.get("assignees"), "login")
    if labels is None or assignees is None:
        return None
    reason = node.get("stateReason")
    return IssueRef(
        repository=repository,
        number=number,
        state=state.lower(),
        body=body,
        title=str(node.get("title") or ""),
        labels=labels,
        state_reason=reason.lower() if isinstance(reason, str) else None,
        assignees=assignees,
        html_url=str(node.get("url") or ""),
        author=str(author.get("login") or "")
        if isinstance(author := node.get("author"), Mapping)
        else "",
    )


def _names(connection: Any, field: str) -> tuple[str, ...] | None:
    if not isinstance(connection, Mapping) or not isinstance(connection.get("nodes"), list):
        return None
    nodes = [n for n in connection["nodes"] if isinstance(n, Mapping)]
    if connection.get("totalCount") != len(nodes):
        return None
    return tuple(str(n.get(field, "")) for n in nodes)
