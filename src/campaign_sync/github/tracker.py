"""The writes (and the reads they need) of reconciling: tracking issues, comments, labels,
native security campaigns and Copilot Autofix requests, as typed values over a Transport.

Three rules hold for every function here:

- **A create is never re-sent blindly.** A POST whose answer was lost (AmbiguousWrite) may
  or may not have happened. ``create_issue``, ``comment`` and ``create_native_campaign``
  then look at the state, by a consistent listing (never the search API, which lags), and
  create again only when the object is really absent. PATCHes set a state and are simply
  retried by the transport; creating a label or requesting an autofix is naturally
  idempotent (the repeat answers "already exists" / the existing autofix).
- **Limits are checked before sending**: issue and comment bodies (65,536 characters),
  native campaigns (name 50, description 255, 1,000 alerts, one user manager, ten team
  managers). Nothing is sent when a check fails.
- **Every failure is a GitHubError** (TrackerError) whose message says what was attempted
  and where (repository or organization), and never contains the token.

Values returned are frozen dataclasses, never GitHub's raw JSON.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeVar

from campaign_sync.errors import GitHubError
from campaign_sync.github.listing import PER_PAGE, explain
from campaign_sync.github.transport import AmbiguousWrite, RequestFailed, Response, Transport
from campaign_sync.model import HoldReason

# GitHub's limits.
MAX_BODY = 65_536  # characters in an issue or comment body
MAX_CAMPAIGN_NAME = 50
MAX_CAMPAIGN_DESCRIPTION = 255
MAX_CAMPAIGN_ALERTS = 1_000
MAX_CAMPAIGN_MANAGERS = 1  # "At this time, only a single manager can be supplied."
MAX_CAMPAIGN_TEAM_MANAGERS = 10
MAX_OPEN_CAMPAIGNS = 10  # per organization; enforced by GitHub, checked by the planner

# How many times a create is sent when each answer is lost and the object is not there.
CREATE_ATTEMPTS = 3
# Seconds waited before sending a campaign create again after a bare 429 (GitHub documents
# the 429 of "Create a campaign" with no retry-after): bounded, then deferred to next run.
CAMPAIGN_429_BACKOFF = (60.0, 120.0)

# request_autofix's answers besides GitHub's own statuses (pending, success, error, ...).
AUTOFIX_UNSUPPORTED = "unsupported"  # GitHub cannot autofix this alert (tool, rule, language)
AUTOFIX_NOT_OPEN = "not_open"  # the alert is no longer open

T = TypeVar("T")
# "duplicate": in GitHub's description (api.github.com and every GHES in @octokit/openapi).
CloseReason = Literal["completed", "not_planned", "duplicate"]
CampaignState = Literal["open", "closed"]

_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_ORG = re.compile(r"[A-Za-z0-9_.-]+")


class TrackerError(GitHubError):
    """A tracker read or write failed. ``status`` is GitHub's HTTP status, if it answered,
    and ``github_message`` the ``message`` of its answer (never shown alone: it is GitHub's
    text, kept to tell causes apart)."""

    def __init__(
        self, message: str, *, status: int | None = None, github_message: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.github_message = github_message


def refused_because(error: GitHubError, *, creating_issue: bool) -> HoldReason | None:
    """Whether GitHub refused a write to a repository because of the repository itself:
    ``archived`` (403 "Repository was archived so is read-only."), or ``issues-off`` (410
    where Issues are turned off: "If issues are disabled in the repository, the API returns
    a 410 Gone status", Create an issue). None for any other failure.

    A 410 on anything but a create also means a deleted issue: only GitHub's words for
    disabled Issues make it ``issues-off`` there.
    """
    if not isinstance(error, TrackerError):
        return None
    said = error.github_message.lower()
    if error.status == 403 and "archived" in said:
        return "archived"
    if error.status == 410 and (creating_issue or "disabled" in said):
        return "issues-off"
    return None


class Deferred(TrackerError):
    """GitHub's own budget for this kind of write is spent (a rate limit it documents
    without saying when it resets): nothing was done, the next run asks again."""


# -- values ------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class CommentRef:
    repository: str
    issue_number: int
    id: int
    body: str
    html_url: str = ""


@dataclass(frozen=True, slots=True)
class CampaignAlerts:
    """The code scanning alerts of one repository to put in a native campaign."""

    repository_id: int
    alert_numbers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NativeCampaign:
    """A GitHub security campaign (``/orgs/{org}/campaigns``)."""

    number: int
    name: str
    state: str  # open | closed
    description: str
    ends_at: str
    contact_link: str | None = None
    managers: tuple[str, ...] = ()
    team_managers: tuple[str, ...] = ()
    closed_at: str | None = None
    open_alerts: int | None = None
    closed_alerts: int | None = None


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


def comment_ref(repository: str, issue_number: int, item: Mapping[str, Any]) -> CommentRef:
    return CommentRef(
        repository=repository,
        issue_number=issue_number,
        id=int(item["id"]),
        body=str(item.get("body") or ""),
        html_url=str(item.get("html_url") or ""),
    )


def native_campaign(item: Mapping[str, Any]) -> NativeCampaign:
    """A NativeCampaign from GitHub's campaign-summary JSON."""
    stats = item.get("alert_stats")
    stats = stats if isinstance(stats, Mapping) else {}
    return NativeCampaign(
        number=int(item["number"]),
        name=str(item.get("name") or ""),
        state=str(item.get("state") or ""),
        description=str(item.get("description") or ""),
        ends_at=str(item.get("ends_at") or ""),
        contact_link=item.get("contact_link"),
        managers=tuple(
            str(u.get("login", "")) for u in item.get("managers") or () if isinstance(u, Mapping)
        ),
        team_managers=tuple(
            str(t.get("slug", ""))
            for t in item.get("team_managers") or ()
            if isinstance(t, Mapping)
        ),
        closed_at=item.get("closed_at"),
        open_alerts=_int_or_none(stats.get("open_count")),
        closed_alerts=_int_or_none(stats.get("closed_count")),
    )


# -- issues ------------------------------------------------------------------------------


def list_issues_with_label(
    transport: Transport, repository: str, label: str
) -> tuple[IssueRef, ...]:
    """Every issue (open and closed) carrying ``label``, oldest first; pull requests skipped.

    This is how a tracking issue is found again by its marker: the label listing is
    consistent (an issue created a moment ago is in it), unlike the search API.
    """
    base = _repo_path(repository)
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
    with _failure(f"listing the issues labelled {label!r} in {repository}", repository):
        found = [
            issue_ref(repository, item)
            for response in transport.paginate(f"{base}/issues", params)
            for item in _items(response)
            if not is_pull_request(item)
        ]
    return tuple(found)


def get_issue(transport: Transport, repository: str, number: int) -> IssueRef:
    path = f"{_repo_path(repository)}/issues/{_number(number)}"
    what = f"reading issue #{number} of {repository}"
    with _failure(what, repository, target=f"issue #{number}"):
        response = transport.get(path)
    _expect(response, (200,), what)
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
    path = f"{_repo_path(repository)}/issues/{_number(number)}"
    what = f"reading issue #{number} of {repository}"
    try:
        with _failure(what, repository, target=f"issue #{number}"):
            response = transport.request("GET", path, follow_redirects=False)
    except TrackerError as error:
        if error.status == 410 and refused_because(error, creating_issue=False) is None:
            return None, None
        raise
    if response.status not in (301, 302, 307, 308):
        _expect(response, (200,), what)
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
        else f"{_repo_path(found['name'])}/issues/{int(found['number'])}"
    )
    with _failure(f"{what} where it moved", repository, target=f"issue #{number}"):
        moved = transport.get(there)
    _expect(moved, (200,), f"{what} where it moved")
    url = str(moved.data.get("repository_url") or "")
    name = "/".join(url.rstrip("/").split("/")[-2:]) if "/repos/" in url else ""
    if not _REPOSITORY.fullmatch(name):
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
    path = f"{_repo_path(repository)}/issues"
    what = f"creating the issue {title!r} in {repository}"
    if not labels:
        raise TrackerError(f"{what}: a tracking issue needs a label, so that it can be found again")
    _check_body(body, what)
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

    response = _create(transport, path, payload, what, repository, recover)
    if isinstance(response, IssueRef):
        return response
    _expect(response, (201,), what)
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
        _check_body(body, what)
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


def list_comments(transport: Transport, repository: str, number: int) -> tuple[CommentRef, ...]:
    """Every comment of an issue, oldest first."""
    path = f"{_repo_path(repository)}/issues/{_number(number)}/comments"
    what = f"listing the comments of issue #{number} of {repository}"
    with _failure(what, repository, target=f"issue #{number}"):
        return tuple(
            comment_ref(repository, number, item)
            for response in transport.paginate(path, {"per_page": PER_PAGE})
            for item in _items(response)
        )


def comment(
    transport: Transport,
    repository: str,
    number: int,
    body: str,
    *,
    posted_already: Callable[[Sequence[CommentRef]], bool] | None = None,
) -> CommentRef:
    """Post a comment. When GitHub's answer is lost, the issue's comments are read, and the
    comment counts as posted when ``posted_already(comments)`` says so (by default: the
    newest comment with the same body is taken for it), so it is not posted twice.

    With the default, make each comment's body specific to its event (what happened,
    when): an identical older comment would be taken for this one.
    """
    path = f"{_repo_path(repository)}/issues/{_number(number)}/comments"
    what = f"commenting on issue #{number} of {repository}"
    if not body.strip():
        raise TrackerError(f"{what}: the comment is empty")
    _check_body(body, what)
    wanted = _normalized(body)

    def recover() -> CommentRef | None:
        comments = list_comments(transport, repository, number)
        matches = [c for c in comments if _normalized(c.body) == wanted]
        if not matches or (posted_already is not None and not posted_already(comments)):
            return None
        return matches[-1]

    response = _create(transport, path, {"body": body}, what, repository, recover)
    if isinstance(response, CommentRef):
        return response
    _expect(response, (201,), what)
    return comment_ref(repository, number, response.data)


def ensure_labels(
    transport: Transport,
    repository: str,
    labels: Iterable[str],
    *,
    color: str | None = None,
    description: str | None = None,
) -> tuple[str, ...]:
    """Create the labels the repository lacks; returns the names that were missing (none
    when all were there), in the order given.

    One listing, then one POST per missing label. Names compare case-insensitively, as on
    GitHub. A label that appears meanwhile (422 ``already_exists``) counts as success, so a
    POST whose answer was lost is simply sent again.
    """
    base = _repo_path(repository)
    wanted: dict[str, str] = {}
    for name in labels:
        if not name.strip():
            raise TrackerError(f"creating labels in {repository}: a label name is empty")
        wanted.setdefault(name.lower(), name)
    if not wanted:
        return ()
    with _failure(f"listing the labels of {repository}", repository):
        existing = {
            str(item.get("name", "")).lower()
            for response in transport.paginate(f"{base}/labels", {"per_page": PER_PAGE})
            for item in _items(response)
        }
    created = []
    for key, name in wanted.items():
        if key in existing:
            continue
        payload: dict[str, Any] = {"name": name}
        if color is not None:
            payload["color"] = color.removeprefix("#")
        if description is not None:
            payload["description"] = description
        try:
            with _failure(f"creating the label {name!r} in {repository}", repository):
                transport.request("POST", f"{base}/labels", body=payload, idempotent=True)
        except _Handled as error:
            cause = error.__cause__
            # Created meanwhile, or by our own POST whose answer was lost: there it is.
            if not (isinstance(cause, RequestFailed) and _already_exists(cause)):
                raise
        created.append(name)
    return tuple(created)


# -- native security campaigns -----------------------------------------------------------


def server_version(transport: Transport) -> str | None:
    """GitHub Enterprise Server's version from ``GET /meta`` (``installed_version``, which
    only GHES's answer has); None on GitHub.com and GHE.com."""
    with _failure("reading the server's meta information", transport.api_url):
        response = transport.get("/meta")
    data = response.data
    version = data.get("installed_version") if isinstance(data, Mapping) else None
    return str(version) if version else None


def list_native_campaigns(
    transport: Transport, org: str, *, state: CampaignState | None = None
) -> tuple[NativeCampaign, ...]:
    path = f"{_org_path(org)}/campaigns"
    params: dict[str, Any] = {"per_page": PER_PAGE}
    if state is not None:
        params["state"] = state
    with _failure(f"listing the security campaigns of {org}", org):
        return tuple(
            native_campaign(item)
            for response in transport.paginate(path, params)
            for item in _items(response)
        )


def open_native_campaigns_named(
    transport: Transport, org: str, name: str, description: str
) -> list[NativeCampaign]:
    """The organization's open campaigns with this name and description, oldest first:
    how a campaign created by a write whose answer was lost is found again."""
    matches = [
        c
        for c in list_native_campaigns(transport, org, state="open")
        if c.name == name and c.description == description
    ]
    return sorted(matches, key=lambda c: c.number)


def get_native_campaign(transport: Transport, org: str, number: int) -> NativeCampaign:
    what = f"reading security campaign #{number} of {org}"
    with _failure(what, org, target=f"security campaign #{number}"):
        response = transport.get(f"{_org_path(org)}/campaigns/{_number(number)}")
    _expect(response, (200,), what)
    return native_campaign(response.data)


def native_campaign_problems(
    *,
    name: str | None = None,
    description: str | None = None,
    alerts: Sequence[CampaignAlerts] | None = None,
    managers: Sequence[str] | None = None,
    team_managers: Sequence[str] | None = None,
    contact_link: str | None = None,
) -> tuple[str, ...]:
    """Which of GitHub's limits these campaign fields break (empty: none); pure, so the
    planner can show them before anything is sent. None means "not given"."""
    problems = []
    if name is not None:
        if not name.strip():
            problems.append("the name is empty")
        elif len(name) > MAX_CAMPAIGN_NAME:
            problems.append(
                f"the name is {len(name)} characters long; GitHub allows at most "
                f"{MAX_CAMPAIGN_NAME}"
            )
    if description is not None:
        if not description.strip():
            problems.append("the description is empty; GitHub requires one")
        elif len(description) > MAX_CAMPAIGN_DESCRIPTION:
            problems.append(
                f"the description is {len(description)} characters long; GitHub allows at "
                f"most {MAX_CAMPAIGN_DESCRIPTION}"
            )
    if alerts is not None:
        total = sum(len(group.alert_numbers) for group in alerts)
        if total == 0:
            problems.append("it has no code scanning alerts; GitHub requires at least one")
        elif total > MAX_CAMPAIGN_ALERTS:
            problems.append(
                f"it has {total:,} alerts; GitHub allows at most {MAX_CAMPAIGN_ALERTS:,} in a "
                "campaign (split the campaign, or narrow its selection)"
            )
    if managers is not None and len(managers) > MAX_CAMPAIGN_MANAGERS:
        problems.append(
            f"it names {len(managers)} user managers; GitHub takes at most "
            f"{MAX_CAMPAIGN_MANAGERS} (add teams as team managers instead)"
        )
    if team_managers is not None and len(team_managers) > MAX_CAMPAIGN_TEAM_MANAGERS:
        problems.append(
            f"it names {len(team_managers)} team managers; GitHub takes at most "
            f"{MAX_CAMPAIGN_TEAM_MANAGERS}"
        )
    if contact_link is not None:
        parsed = urllib.parse.urlsplit(contact_link)
        if not parsed.scheme or not parsed.netloc:
            problems.append(f"the contact link {contact_link!r} is not an absolute URL")
    return tuple(problems)


def format_ends_at(value: str | date | datetime) -> str:
    """GitHub's ``YYYY-MM-DDTHH:MM:SSZ``. A date means the end of that day (UTC); a naive
    datetime or string is taken as UTC."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise TrackerError(f"the end date {text!r} is not an ISO 8601 date or time") from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T23:59:59Z"


def create_native_campaign(
    transport: Transport,
    org: str,
    *,
    name: str,
    description: str,
    ends_at: str | date | datetime,
    code_scanning_alerts: Iterable[CampaignAlerts | Mapping[str, Any]],
    managers: Sequence[str] = (),
    team_managers: Sequence[str] = (),
    contact_link: str | None = None,
) -> NativeCampaign:
    """Create a security campaign of code scanning alerts (the only kind the API takes).

    GitHub's limits are checked first; nothing is sent if one is broken. When the answer to
    the POST is lost, the open campaigns are listed and one with the same name and
    description is taken as the one created.
    """
    what = f"creating the security campaign {name!r} in {org}"
    groups = _alert_groups(code_scanning_alerts)
    _check_campaign(
        what,
        name=name,
        description=description,
        alerts=groups,
        managers=managers,
        team_managers=team_managers,
        contact_link=contact_link,
    )
    payload: dict[str, Any] = {
        "name": name,
        "description": description,
        "ends_at": format_ends_at(ends_at),
        "code_scanning_alerts": [
            {"repository_id": g.repository_id, "alert_numbers": list(g.alert_numbers)}
            for g in groups
        ],
    }
    if managers:
        payload["managers"] = list(managers)
    if team_managers:
        payload["team_managers"] = list(team_managers)
    if contact_link is not None:
        payload["contact_link"] = contact_link

    def recover() -> NativeCampaign | None:
        matches = open_native_campaigns_named(transport, org, name, description)
        return matches[-1] if matches else None  # the newest: the one just created

    path = f"{_org_path(org)}/campaigns"
    waits = iter(CAMPAIGN_429_BACKOFF)
    while True:
        try:
            with _managers_refused(managers, team_managers):
                response = _create(transport, path, payload, what, org, recover)
            break
        except _Handled as error:
            if error.status != 429:
                raise
            wait = next(waits, None)
            if wait is None:
                raise Deferred(
                    f"{what}: GitHub answered 429 Too Many Requests "
                    f"{len(CAMPAIGN_429_BACKOFF) + 1} times; left for the next run",
                    status=429,
                ) from error
            transport.pause(wait)
    if isinstance(response, NativeCampaign):
        return response
    _expect(response, (200, 201), what)
    return native_campaign(response.data)


@contextmanager
def _managers_refused(
    managers: Sequence[str] | None, teams: Sequence[str] | None
) -> Iterator[None]:
    """A 422 about managers becomes a message naming who cannot manage. GitHub's exact
    text is not documented: a 422 whose message or errors name a manager or one of ours."""
    try:
        yield
    except _Handled as error:
        cause = error.__cause__
        named = [*(managers or ()), *(f"@{t}" if t else t for t in teams or ())]
        if not named or error.status != 422 or not isinstance(cause, RequestFailed):
            raise
        text = f"{_error_message(cause)} {_validation_errors(cause.data)}".lower()
        if "manager" not in text:
            raise
        who = [n for n in named if n.lstrip("@").lower() in text] or named
        raise TrackerError(
            f"{' and '.join(who)} cannot manage a native campaign: managers must be "
            "organization owners or security managers (GitHub answered 422). Change the "
            "campaign's managers",
            status=422,
        ) from error


def update_native_campaign(
    transport: Transport,
    org: str,
    number: int,
    *,
    name: str | None = None,
    description: str | None = None,
    managers: Sequence[str] | None = None,
    team_managers: Sequence[str] | None = None,
    ends_at: str | date | datetime | None = None,
    contact_link: str | None = None,
    state: CampaignState | None = None,
) -> NativeCampaign:
    """Change what is given (None leaves a field as it is); one PATCH. Alerts cannot be
    changed: GitHub fixes a campaign's alerts when it is created."""
    what = f"updating security campaign #{number} of {org}"
    _check_campaign(
        what,
        name=name,
        description=description,
        managers=managers,
        team_managers=team_managers,
        contact_link=contact_link,
    )
    payload: dict[str, Any] = {}
    if name is not None:
        payload["name"] = name
    if description is not None:
        payload["description"] = description
    if managers is not None:
        payload["managers"] = list(managers)
    if team_managers is not None:
        payload["team_managers"] = list(team_managers)
    if ends_at is not None:
        payload["ends_at"] = format_ends_at(ends_at)
    if contact_link is not None:
        payload["contact_link"] = contact_link
    if state is not None:
        if state not in ("open", "closed"):
            raise ValueError(f"update_native_campaign: state must be open or closed: {state!r}")
        payload["state"] = state
    if not payload:
        raise ValueError("update_native_campaign: nothing to change")
    path = f"{_org_path(org)}/campaigns/{_number(number)}"
    with (
        _managers_refused(managers, team_managers),
        _failure(what, org, target=f"security campaign #{number}"),
    ):
        response = transport.request("PATCH", path, body=payload)
    _expect(response, (200,), what)
    return native_campaign(response.data)


def close_native_campaign(transport: Transport, org: str, number: int) -> NativeCampaign:
    return update_native_campaign(transport, org, number, state="closed")


# -- Copilot Autofix ---------------------------------------------------------------------

_NOT_SUPPORTED = ("not supported", "not available", "unsupported", "not eligible", "cannot")


def request_autofix(transport: Transport, repository: str, alert_number: int) -> str:
    """Ask Copilot Autofix for a fix of a code scanning alert; returns the autofix status.

    GitHub's status (``pending``, ``success``, ...) when it accepted the request, or when an
    autofix exists already (asking again is harmless, so a lost answer is simply asked
    again). ``unsupported`` when GitHub says it cannot autofix this alert, ``not_open`` when
    the alert is no longer open: neither is an error for a campaign.
    """
    path = f"{_repo_path(repository)}/code-scanning/alerts/{_number(alert_number)}/autofix"
    what = f"requesting an autofix for code scanning alert #{alert_number} of {repository}"
    try:
        with _failure(what, repository, target=f"code scanning alert #{alert_number}"):
            response = transport.request("POST", path, idempotent=True)
    except _Handled as error:
        cause = error.__cause__
        if not isinstance(cause, RequestFailed):
            raise
        message = _error_message(cause).lower()
        if cause.status == 403 and "rate limit" in message:
            # "Response if the repository is archived, if GitHub Advanced Security is not
            # enabled for this repository or if rate limit is exceeded": Autofix's own budget,
            # with no word on when it resets.
            raise Deferred(
                f"{what}: Copilot Autofix's rate limit is exceeded", status=403
            ) from cause
        if cause.status in (400, 403, 422) and any(p in message for p in _NOT_SUPPORTED):
            return AUTOFIX_UNSUPPORTED
        if cause.status == 422 and "open" in message:
            return AUTOFIX_NOT_OPEN
        raise
    _expect(response, (200, 202), what)
    data = response.data
    status = data.get("status") if isinstance(data, Mapping) else None
    return str(status or "pending")


# -- internals ---------------------------------------------------------------------------


class _Handled(TrackerError):
    """A TrackerError already explained by an inner _failure: passed through unchanged."""


def _create(
    transport: Transport,
    path: str,
    payload: Mapping[str, Any],
    what: str,
    scope: str,
    recover: Callable[[], T | None],
) -> Response | T:
    """POST ``payload``; when the answer is lost, ``recover()`` looks for the object and
    the POST is sent again only when it returns None."""
    for _attempt in range(CREATE_ATTEMPTS):
        try:
            with _failure(what, scope):
                return transport.request("POST", path, body=payload)
        except _Handled as error:
            if not isinstance(error.__cause__, AmbiguousWrite):
                raise
        try:
            found = recover()
        except GitHubError as error:
            raise TrackerError(
                f"{what}: GitHub's answer was lost, and checking whether the create happened "
                f"failed ({error})",
                status=error.status if isinstance(error, TrackerError) else None,
            ) from error
        if found is not None:
            return found
    raise TrackerError(
        f"{what}: GitHub's answer was lost {CREATE_ATTEMPTS} times and the object is not "
        "there; GitHub or the network is failing, try again later"
    )


@contextmanager
def _failure(what: str, scope: str, *, target: str | None = None) -> Iterator[None]:
    """Turns a GitHubError raised inside into a TrackerError saying what failed, and where.

    ``scope`` is the repository or organization, ``target`` the object (``issue #3``) for a
    precise 404 message. An error already explained by an inner ``_failure`` passes as is.
    """
    try:
        yield
    except _Handled:
        raise
    except RequestFailed as error:
        raise _Handled(
            f"{what}: {_explain(error, scope, target)}",
            status=error.status,
            github_message=_error_message(error),
        ) from error
    except GitHubError as error:  # AmbiguousWrite, gave up retrying, rate limit too far away
        raise _Handled(f"{what}: {error}") from error


def _explain(error: RequestFailed, scope: str, target: str | None) -> str:
    message = _error_message(error)
    lowered = message.lower()
    status = error.status
    if status == 401:
        return str(explain(error, alert_type=None, scope=scope))
    if status == 403:
        if "archived" in lowered:
            return f"{scope} is archived, so it is read-only (403)"
        accepted = error.headers.get("x-accepted-github-permissions", "")
        if "not accessible" in lowered or "permission" in lowered:
            wants = f" GitHub wants: {accepted}." if accepted else ""
            return f"the token lacks a permission for {scope} (403 {message}).{wants}"
        return f"GitHub refused (403): {message or 'Forbidden'}"
    if status == 404:
        if target is None:
            return str(explain(error, alert_type=None, scope=scope))
        return (
            f"{target} was not found in {scope}, or the token cannot see {scope} (404). "
            "Check the number, and that the token has access."
        )
    if status == 410:
        if "disabled" in lowered:
            return f"{scope} has Issues turned off (410 {message})"
        return f"{target or scope} is gone (410 {message or 'Gone'})"
    if status == 422:
        details = _validation_errors(error.data)
        if "maximum of" in lowered and "campaign" in lowered:
            return (
                f"{message} (422). GitHub allows {MAX_OPEN_CAMPAIGNS} open security campaigns "
                f"in an organization: close one in {scope} first"
            )
        return f"GitHub rejected the request (422 {message or 'Unprocessable Entity'}{details})"
    return f"GitHub answered {status}: {message or 'error'}"


def _validation_errors(data: Any) -> str:
    if not isinstance(data, Mapping) or not isinstance(data.get("errors"), list):
        return ""
    parts = []
    for item in data["errors"]:
        if isinstance(item, Mapping):
            text = item.get("message") or " ".join(
                str(item[k]) for k in ("resource", "field", "code") if item.get(k)
            )
            parts.append(str(text))
        else:
            parts.append(str(item))
    return f": {'; '.join(parts)}" if parts else ""


def _error_message(error: RequestFailed) -> str:
    data = error.data
    return str(data.get("message") or "") if isinstance(data, Mapping) else ""


def _already_exists(error: RequestFailed) -> bool:
    if error.status != 422 or not isinstance(error.data, Mapping):
        return False
    errors = error.data.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, Mapping) and e.get("code") == "already_exists" for e in errors
    )


def _patch_issue(
    transport: Transport, repository: str, number: int, payload: Mapping[str, Any], what: str
) -> IssueRef:
    path = f"{_repo_path(repository)}/issues/{_number(number)}"
    with _failure(what, repository, target=f"issue #{number}"):
        response = transport.request("PATCH", path, body=payload)
    _expect(response, (200,), what)
    return issue_ref(repository, response.data)


def _expect(response: Response, statuses: tuple[int, ...], what: str) -> None:
    """A success status we do not handle (e.g. 301: the issue was transferred) is an error."""
    if response.status in statuses and isinstance(response.data, Mapping):
        return
    if response.status in (301, 302, 307):
        raise TrackerError(
            f"{what}: GitHub answered {response.status}: it moved (transferred to another "
            "repository, or the repository was renamed)",
            status=response.status,
        )
    raise TrackerError(
        f"{what}: GitHub answered {response.status} with an unexpected body",
        status=response.status,
    )


def _items(response: Response) -> Iterator[Mapping[str, Any]]:
    data = response.data
    if isinstance(data, list):
        yield from (item for item in data if isinstance(item, Mapping))


def _check_body(body: str, what: str) -> None:
    if len(body) > MAX_BODY:
        raise TrackerError(
            f"{what}: the text is {len(body):,} characters long; GitHub allows at most "
            f"{MAX_BODY:,} (summarize, or continue in comments)"
        )


def _check_campaign(what: str, **fields: Any) -> None:
    problems = native_campaign_problems(**fields)
    if problems:
        raise TrackerError(f"{what}: {'; '.join(problems)}. Nothing was sent.")


def _alert_groups(raw: Iterable[CampaignAlerts | Mapping[str, Any]]) -> tuple[CampaignAlerts, ...]:
    """One group per repository, numbers de-duplicated and sorted, empty groups dropped."""
    numbers: dict[int, set[int]] = {}
    for group in raw:
        if isinstance(group, CampaignAlerts):
            repository_id, alert_numbers = group.repository_id, group.alert_numbers
        else:
            repository_id, alert_numbers = group["repository_id"], group["alert_numbers"]
        numbers.setdefault(int(repository_id), set()).update(int(n) for n in alert_numbers)
    return tuple(
        CampaignAlerts(repository_id, tuple(sorted(found)))
        for repository_id, found in sorted(numbers.items())
        if found
    )


def _normalized(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _repo_path(repository: str) -> str:
    if not _REPOSITORY.fullmatch(repository) or ".." in repository:
        raise TrackerError(f"{repository!r} is not a repository name of the form owner/name")
    owner, name = repository.split("/")
    return f"/repos/{owner}/{name}"


def _org_path(org: str) -> str:
    if not _ORG.fullmatch(org) or ".." in org:
        raise TrackerError(f"{org!r} is not an organization name")
    return f"/orgs/{org}"


def _number(number: int) -> int:
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise TrackerError(f"{number!r} is not an issue, alert or campaign number")
    return number


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
