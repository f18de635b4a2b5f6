"""What every GitHub resource module shares: the error a user reads (TrackerError),
creates that are never re-sent blindly, and the checks on names, numbers and bodies made
before any request."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from campaign_sync.errors import GitHubError
from campaign_sync.github.exchange import AmbiguousWrite, RequestFailed, Response
from campaign_sync.github.listing import explain
from campaign_sync.github.transport import Transport
from campaign_sync.model import REPOSITORY_NAME, HoldReason

# GitHub's limits.
MAX_OPEN_CAMPAIGNS = 10  # per organization; enforced by GitHub, checked by the planner
MAX_BODY = 65_536  # characters in an issue or comment body


# How many times a create is sent when each answer is lost and the object is not there.
CREATE_ATTEMPTS = 3


T = TypeVar("T")


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


class Handled(TrackerError):
    """A TrackerError already explained by an inner failure: passed through unchanged."""


def create_once(
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
            with failure(what, scope):
                return transport.request("POST", path, body=payload)
        except Handled as error:
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
def failure(what: str, scope: str, *, target: str | None = None) -> Iterator[None]:
    """Turns a GitHubError raised inside into a TrackerError saying what failed, and where.

    ``scope`` is the repository or organization, ``target`` the object (``issue #3``) for a
    precise 404 message. An error already explained by an inner ``failure`` passes as is.
    """
    try:
        yield
    except Handled:
        raise
    except RequestFailed as error:
        raise Handled(
            f"{what}: {_explain(error, scope, target)}",
            status=error.status,
            github_message=error_message(error),
        ) from error
    except GitHubError as error:  # AmbiguousWrite, gave up retrying, rate limit too far away
        raise Handled(f"{what}: {error}") from error


def _explain(error: RequestFailed, scope: str, target: str | None) -> str:
    message = error_message(error)
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
        details = validation_errors(error.data)
        if "maximum of" in lowered and "campaign" in lowered:
            return (
                f"{message} (422). GitHub allows {MAX_OPEN_CAMPAIGNS} open security campaigns "
                f"in an organization: close one in {scope} first"
            )
        return f"GitHub rejected the request (422 {message or 'Unprocessable Entity'}{details})"
    return f"GitHub answered {status}: {message or 'error'}"


def validation_errors(data: Any) -> str:
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


def error_message(error: RequestFailed) -> str:
    data = error.data
    return str(data.get("message") or "") if isinstance(data, Mapping) else ""


def already_exists(error: RequestFailed) -> bool:
    if error.status != 422 or not isinstance(error.data, Mapping):
        return False
    errors = error.data.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, Mapping) and e.get("code") == "already_exists" for e in errors
    )


def expect_status(response: Response, statuses: tuple[int, ...], what: str) -> None:
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


def items_of(response: Response) -> Iterator[Mapping[str, Any]]:
    data = response.data
    if isinstance(data, list):
        yield from (item for item in data if isinstance(item, Mapping))


def check_body(body: str, what: str) -> None:
    if len(body) > MAX_BODY:
        raise TrackerError(
            f"{what}: the text is {len(body):,} characters long; GitHub allows at most "
            f"{MAX_BODY:,} (summarize, or continue in comments)"
        )


def normalized_text(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def repo_path(repository: str) -> str:
    if not REPOSITORY_NAME.fullmatch(repository) or ".." in repository:
        raise TrackerError(f"{repository!r} is not a repository name of the form owner/name")
    owner, name = repository.split("/")
    return f"/repos/{owner}/{name}"


def org_path(org: str) -> str:
    if not _ORG.fullmatch(org) or ".." in org:
        raise TrackerError(f"{org!r} is not an organization name")
    return f"/orgs/{org}"


def checked_number(number: int) -> int:
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise TrackerError(f"{number!r} is not an issue, alert or campaign number")
    return number


def int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
