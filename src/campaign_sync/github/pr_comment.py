"""One sticky comment on a pull request: created once, then edited in place on every run.

The comment is found again by a hidden marker (``<!-- campaign-sync:KEY -->``) at the top
of its body, through the pull request's conversation comments (the issues endpoint: a pull
request's conversation is its issue's). A marker alone is not enough: anyone who can
comment could paste it, and the tool would then overwrite a person's comment. So a
comment is the tool's own only when its author is also the tool's identity:

- with ``author`` given (a login), the comment's author must be that login;
- without it, the author must be a bot account (``user.type == "Bot"``). GitHub Actions'
  GITHUB_TOKEN comments as ``github-actions[bot]`` and a GitHub App installation as
  ``APP[bot]``, both of type Bot, and no person can comment as a bot. ``GET /user``,
  which would name the token's own identity, does not work for either of those tokens,
  so it is not used; a personal access token of a machine user needs ``author``.

Of several matching comments (possible only if two runs raced, which the workflow's
concurrency group prevents) the oldest is kept up to date. A body that did not change is
not sent again, so a re-run with the same plan makes no write.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from campaign_sync.errors import GitHubError
from campaign_sync.github import tracker
from campaign_sync.github.exchange import RequestFailed
from campaign_sync.github.listing import PER_PAGE
from campaign_sync.github.transport import Transport
from campaign_sync.model import REPOSITORY_NAME

MAX_BODY = tracker.MAX_BODY
DEFAULT_KEY = "plan"
MARKER_PREFIX = "<!-- campaign-sync:"
_KEY = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)

Outcome = Literal["created", "updated", "unchanged"]


class PullRequestCommentError(GitHubError):
    """The sticky comment could not be read or written; the message says what to do."""


@dataclass(frozen=True, slots=True)
class IssueComment:
    """A conversation comment with its author, as the sticky-comment lookup needs it."""

    id: int
    body: str
    author: str
    author_type: str  # User | Bot | Organization
    html_url: str = ""


@dataclass(frozen=True, slots=True)
class StickyResult:
    outcome: Outcome
    comment_id: int
    html_url: str
    truncated: bool


def marker(key: str = DEFAULT_KEY) -> str:
    """The hidden first line of the tool's comment for ``key`` (one sticky comment a key)."""
    if not _KEY.fullmatch(key):
        raise PullRequestCommentError(
            f"{key!r} is not a comment key: use lower-case letters, digits, '.', '_' or '-' "
            "(at most 64 characters), e.g. plan"
        )
    return f"{MARKER_PREFIX}{key} -->"


def sticky_body(text: str, key: str = DEFAULT_KEY) -> tuple[str, bool]:
    """The comment body for ``text``: the marker, then the text cut to GitHub's limit.

    Returns the body and whether it was cut. Any marker inside ``text`` is defused, so a
    body can never claim to be another key's comment. A cut falls on a line boundary,
    closes a code block left open, and ends with a note saying where the rest is.
    """
    head = marker(key) + "\n"
    text = text.replace(MARKER_PREFIX, "&lt;!-- campaign-sync:").rstrip("\n") + "\n"
    if len(head) + len(text) <= MAX_BODY:
        return head + text, False
    note = (
        "\n---\n*The rest of this text did not fit in a comment "
        f"(GitHub allows {MAX_BODY:,} characters; this text has {len(text):,}). "
        "The whole plan is in the job summary and the job log.*\n"
    )
    room = MAX_BODY - len(head) - len(note) - len("```\n")
    cut = text[:room]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n") + 1]
    if len(_FENCE.findall(cut)) % 2 == 1:
        cut += "```\n"
    return head + cut + note, True


def is_sticky(comment: IssueComment, key: str = DEFAULT_KEY, author: str | None = None) -> bool:
    """Whether ``comment`` is the tool's comment for ``key``: marker first, right author."""
    if not comment.body.lstrip().startswith(marker(key)):
        return False
    if author is not None:
        return comment.author.lower() == author.removeprefix("@").lower()
    return comment.author_type == "Bot"


def issue_comment(item: Mapping[str, Any]) -> IssueComment:
    user = item.get("user")
    user = user if isinstance(user, Mapping) else {}
    return IssueComment(
        id=int(item["id"]),
        body=str(item.get("body") or ""),
        author=str(user.get("login") or ""),
        author_type=str(user.get("type") or ""),
        html_url=str(item.get("html_url") or ""),
    )


def list_pull_request_comments(
    transport: Transport, repository: str, number: int
) -> tuple[IssueComment, ...]:
    """Every conversation comment of a pull request (or issue), oldest first."""
    path = f"{_repo_path(repository)}/issues/{_number(number)}/comments"
    with _explained(f"reading the comments of pull request #{number} of {repository}", number):
        return tuple(
            issue_comment(item)
            for response in transport.paginate(path, {"per_page": PER_PAGE})
            if isinstance(response.data, list)
            for item in response.data
            if isinstance(item, Mapping)
        )


def upsert_sticky_comment(
    transport: Transport,
    repository: str,
    number: int,
    text: str,
    *,
    key: str = DEFAULT_KEY,
    author: str | None = None,
) -> StickyResult:
    """Edit the tool's comment for ``key`` on the pull request to say ``text``; create it
    if there is none. At most one list of the comments and one write."""
    if not text.strip():
        raise PullRequestCommentError(
            f"commenting on pull request #{number} of {repository}: the text is empty"
        )
    body, truncated = sticky_body(text, key)
    comments = list_pull_request_comments(transport, repository, number)
    ours = [c for c in comments if is_sticky(c, key, author)]
    if ours:
        current = ours[0]
        if _normalized(current.body) == _normalized(body):
            return StickyResult("unchanged", current.id, current.html_url, truncated)
        updated = _update(transport, repository, number, current.id, body)
        if updated is not None:
            return StickyResult("updated", updated.id, updated.html_url, truncated)
        # Deleted between the listing and the edit: post a new one below.
    with _explained(f"commenting on pull request #{number} of {repository}", number, write=True):
        created = tracker.comment(transport, repository, number, body)
    return StickyResult("created", created.id, created.html_url, truncated)


# -- internals ---------------------------------------------------------------------------


def _update(
    transport: Transport, repository: str, number: int, comment_id: int, body: str
) -> IssueComment | None:
    """PATCH the comment; None when it no longer exists."""
    path = f"{_repo_path(repository)}/issues/comments/{comment_id}"
    what = f"editing comment {comment_id} on pull request #{number} of {repository}"
    try:
        with _explained(what, number, write=True):
            response = transport.request("PATCH", path, body={"body": body})
    except PullRequestCommentError as error:
        cause = error.__cause__
        if isinstance(cause, RequestFailed) and cause.status == 404:
            return None
        raise
    if response.status != 200 or not isinstance(response.data, Mapping):
        raise PullRequestCommentError(f"{what}: GitHub answered {response.status} unexpectedly")
    return issue_comment(response.data)


_WRITE_HINT = (
    " In GitHub Actions, give the job `permissions: pull-requests: write`; a pull request "
    "from a fork gets a read-only token, so its workflow cannot comment (validate only)."
)


@contextmanager
def _explained(what: str, number: int, *, write: bool = False) -> Iterator[None]:
    """A GitHub failure inside becomes a PullRequestCommentError saying what to do."""
    try:
        yield
    except PullRequestCommentError:
        raise
    except RequestFailed as error:
        raise PullRequestCommentError(f"{what}: {_explain(error, number, write)}") from error
    except tracker.TrackerError as error:
        # tracker.comment has explained it already; add what only this use knows.
        hint = _WRITE_HINT if error.status == 403 else ""
        raise PullRequestCommentError(f"{error}.{hint}" if hint else str(error)) from error
    except GitHubError as error:
        raise PullRequestCommentError(f"{what}: {error}") from error


def _explain(error: RequestFailed, number: int, write: bool) -> str:
    data = error.data
    message = str(data.get("message") or "") if isinstance(data, Mapping) else ""
    if error.status == 401:
        return (
            "GitHub rejected the credentials (401 Bad credentials): the token is wrong, "
            "expired or revoked"
        )
    if error.status == 403:
        accepted = error.headers.get("x-accepted-github-permissions", "")
        wants = f" GitHub wants: {accepted}." if accepted else ""
        if write:
            return f"GitHub refused the write (403 {message or 'Forbidden'}).{wants}{_WRITE_HINT}"
        return (
            f"GitHub refused to list the comments (403 {message or 'Forbidden'}).{wants} The "
            "token needs read access to the repository's pull requests."
        )
    if error.status == 404:
        return (
            f"pull request #{number} was not found, or the token cannot see the repository "
            "(404). Check --repo and --pr, and that the token has access."
        )
    if error.status == 410:
        return f"pull request #{number} is gone (410 {message or 'Gone'})"
    return f"GitHub answered {error.status}: {message or 'error'}"


def _normalized(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _repo_path(repository: str) -> str:
    if not REPOSITORY_NAME.fullmatch(repository) or ".." in repository:
        raise PullRequestCommentError(
            f"{repository!r} is not a repository name of the form owner/name"
        )
    return f"/repos/{repository}"


def _number(number: int) -> int:
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise PullRequestCommentError(f"{number!r} is not a pull request number")
    return number
