"""Tracking issues on GitHub: listed by label, read (following a transfer, telling a
deleted one apart), opened once, edited, closed and reopened."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from campaign_sync.github.listing import PER_PAGE
from campaign_sync.github.tracker.common import (
    TrackerError,
    check_body,
    checked_number,
    create_once,
    expect_status,
    failure,
    items_of,
    refused_because,
    repo_path,
)
from campaign_sync.github.transport import Transport
from campaign_sync.model import REPOSITORY_NAME

# "duplicate": in GitHub's description (api.github.com and every GHES in @octokit/openapi).
CloseReason = Literal["completed", "not_planned", "duplicate"]


@dataclass(frozen=True, slots=True)
class IssueRef:
    """A tracking issue as GitHub holds it."""

    repository: str
    number: int
    state: str  # open | closed
    body: str
    title: str
    labels: tuple[str, ...]
    state_reason: str | None = None
    assignees: tuple[str, ...] = ()
    html_url: str = ""
    author: str = ""  # who opened it (REST user.login; GraphQL's bots lack "[bot]")
    closed_by: str = ""  # who closed it, when closed (REST "Get an issue" only)


def issue_ref(repository: str, item: Mapping[str, Any]) -> IssueRef:
    """An IssueRef from GitHub's issue JSON."""
    labels = tuple(
        str(label.get("name", "")) if isinstance(label, Mapping) else str(label)
        for label in item.get("labels") or ()
    )
    assignees = tuple(
        str(user.get("login", ""))
        for user in item.get("assignees") or ()
        if isinstance(user, Mapping)
    )
    return IssueRef(
        repository=repository,
        number=int(item["number"]),
        state=str(item.get("state") or "open"),
        body=str(item.get("body") or ""),
        title=str(item.get("title") or ""),
        labels=labels,
        state_reason=item.get("state_reason"),
        assignees=assignees,
        html_url=str(item.get("html_url") or ""),
        author=str(user.get("login") or "")
        if isinstance(user := item.get("user"), Mapping)
        else "",
        closed_by=str(closer.get("login") or "")
        if isinstance(closer := item.get("closed_by"), Mapping)
        else "",
    )


def is_pull_request(item: Mapping[str, Any]) -> bool:
    """The issues endpoints list pull requests too; they carry a ``pull_request`` key."""
    return item.get("pull_request") is not None


def list_issues_with_label(
    transport: Transport, repository: str, label: str
) -> tuple[IssueRef, ...]:
    """Every issue (open and closed) carrying ``label``, oldest first; pull requests skipped.

    This is how a tracking issue is found again by its marker: the label listing is
    consistent (an issue created a moment ago is in it), unlike the search API.
    """
    base = repo_path(repository)
    if not label or "," in label:
        raise TrackerError(
            f"cannot list the issues of {repository} by the label {label!r}: a label to look "
            "issues up by must be non-empty and have no comma (GitHub reads commas as a list)"
        )
    params = {
        "labels": label,
        "state": "all",
        "sort": "created",
        "direction": "asc",
        "per_page": PER_PAGE,
    }
    with failure(f"listing the issues labelled {label!r} in {repository}", repository):
        found = [
            issue_ref(repository, item)
            for response in transport.paginate(f"{base}/issues", params)
            for item in items_of(response)
            if not is_pull_request(item)
        ]
    return tuple(found)


def get_issue(transport: Transport, repository: str, number: int) -> IssueRef:
    path = f"{repo_path(repository)}/issues/{checked_number(number)}"
    what = f"reading issue #{number} of {repository}"
    with failure(what, repository, target=f"issue #{number}"):
        response = transport.get(path)
    expect_status(response, (200,), what)
    return issue_ref(repository, response.data)


# Where a transferred issue's 301 points: ``/repositories/{id}/issues/{n}`` (by the id of the
# repository it is in now, as GitHub's repository redirects are), or ``/repos/{o}/{r}/...``.
_MOVED_ISSUE = re.compile(
    r"/(?:repositories/(?P<id>[0-9]+)|repos/(?P<name>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+))"
    r"/issues/(?P<number>[0-9]+)$"
)


def locate_issue(
    transport: Transport, repository: str, number: int
) -> tuple[IssueRef | None, int | None]:
    """An issue read where the ledger says it is, its redirect not followed blindly:
    ``(issue, None)`` when it is there; ``(issue, id)`` when GitHub answers 301 (the issue
    was transferred, or its repository renamed), the issue as read at its new address and
    the id of the repository it is in now (None when the Location names it by name);
    ``(None, None)`` when it was deleted (410 Gone). "Get an issue": "The API returns a
    `301 Moved Permanently` status if the issue was transferred to another repository. ...
    If the issue was deleted from a repository where the authenticated user has read
    access, the API returns a `410 Gone` status." Any other answer raises TrackerError (a
    404 included: deleted, transferred out of sight, or no access, GitHub does not say).

    Only the path of the Location is used, below our API URL: the token goes nowhere else.
    """
    path = f"{repo_path(repository)}/issues/{checked_number(number)}"
    what = f"reading issue #{number} of {repository}"
    try:
        with failure(what, repository, target=f"issue #{number}"):
            response = transport.request("GET", path, follow_redirects=False)
    except TrackerError as error:
        if error.status == 410 and refused_because(error, creating_issue=False) is None:
            return None, None
        raise
    if response.status not in (301, 302, 307, 308):
        expect_status(response, (200,), what)
        return issue_ref(repository, response.data), None
    location = response.headers.get("location", "")
    found = _MOVED_ISSUE.search(urllib.parse.urlsplit(location).path)
    if found is None:
        raise TrackerError(
            f"{what}: GitHub answered {response.status} pointing to {location[:200]!r}, "
            "which is no issue's address",
            status=response.status,
        )
    repo_id = int(found["id"]) if found["id"] else None
    there = (
        f"/repositories/{repo_id}/issues/{int(found['number'])}"
        if repo_id is not None
        else f"{repo_path(found['name'])}/issues/{int(found['number'])}"
    )
    with failure(f"{what} where it moved", repository, target=f"issue #{number}"):
        moved = transport.get(there)
    expect_status(moved, (200,), f"{what} where it moved")
    url = str(moved.data.get("repository_url") or "")
    name = "/".join(url.rstrip("/").split("/")[-2:]) if "/repos/" in url else ""
    if not REPOSITORY_NAME.fullmatch(name):
        raise TrackerError(f"{what}: GitHub's answer where it moved names no repository")
    return issue_ref(name, moved.data), repo_id


def create_issue(
    transport: Transport,
    repository: str,
    *,
    title: str,
    body: str,
    labels: Sequence[str],
    assignees: Sequence[str] = (),
    find_existing: Callable[[IssueRef], bool],
) -> IssueRef:
    """Open an issue and return it. Never creates a duplicate when an answer is lost.

    ``labels[0]`` is the label the issue is found again by, and ``find_existing(issue)``
    says whether an issue is the one being created (e.g. it carries this campaign's and
    repository's marker). When GitHub's answer to the POST is lost, the issues with that
    label are listed; a match is returned as the created issue, and only when there is none
    is the POST sent again (at most CREATE_ATTEMPTS times in all).
    """
    path = f"{repo_path(repository)}/issues"
    what = f"creating the issue {title!r} in {repository}"
    if not labels:
        raise TrackerError(f"{what}: a tracking issue needs a label, so that it can be found again")
    check_body(body, what)
    payload: dict[str, Any] = {"title": title, "body": body, "labels": list(labels)}
    if assignees:
        payload["assignees"] = list(assignees)

    def recover() -> IssueRef | None:
        matches = [
            issue
            for issue in list_issues_with_label(transport, repository, labels[0])
            if find_existing(issue)
        ]
        # The newest: the one just created, should an older (closed) one match as well.
        return max(matches, key=lambda issue: issue.number) if matches else None

    response = create_once(transport, path, payload, what, repository, recover)
    if isinstance(response, IssueRef):
        return response
    expect_status(response, (201,), what)
    return issue_ref(repository, response.data)


def update_issue(
    transport: Transport,
    repository: str,
    number: int,
    *,
    title: str | None = None,
    body: str | None = None,
    labels: Sequence[str] | None = None,
    assignees: Sequence[str] | None = None,
) -> IssueRef:
    """Change what is given (None leaves a field as it is); one PATCH."""
    what = f"updating issue #{number} of {repository}"
    payload: dict[str, Any] = {}
    if title is not None:
        payload["title"] = title
    if body is not None:
        check_body(body, what)
        payload["body"] = body
    if labels is not None:
        payload["labels"] = list(labels)
    if assignees is not None:
        payload["assignees"] = list(assignees)
    if not payload:
        raise ValueError("update_issue: nothing to change")
    return _patch_issue(transport, repository, number, payload, what)


def update_issue_body(transport: Transport, repository: str, number: int, body: str) -> IssueRef:
    return update_issue(transport, repository, number, body=body)


def close_issue(
    transport: Transport, repository: str, number: int, *, reason: CloseReason = "completed"
) -> IssueRef:
    if reason not in ("completed", "not_planned", "duplicate"):
        raise ValueError(
            f"close_issue: reason must be completed, not_planned or duplicate, not {reason!r}"
        )
    what = f"closing issue #{number} of {repository}"
    return _patch_issue(
        transport, repository, number, {"state": "closed", "state_reason": reason}, what
    )


def reopen_issue(transport: Transport, repository: str, number: int) -> IssueRef:
    what = f"reopening issue #{number} of {repository}"
    return _patch_issue(transport, repository, number, {"state": "open"}, what)


def _patch_issue(
    transport: Transport, repository: str, number: int, payload: Mapping[str, Any], what: str
) -> IssueRef:
    path = f"{repo_path(repository)}/issues/{checked_number(number)}"
    with failure(what, repository, target=f"issue #{number}"):
        response = transport.request("PATCH", path, body=payload)
    expect_status(response, (200,), what)
    return issue_ref(repository, response.data)
