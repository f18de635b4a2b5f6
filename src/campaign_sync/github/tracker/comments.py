"""Comments on an issue (posted once, even when an answer is lost), and the labels a
repository needs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from campaign_sync.github.exchange import RequestFailed
from campaign_sync.github.listing import PER_PAGE
from campaign_sync.github.tracker.common import (
    Handled,
    TrackerError,
    already_exists,
    check_body,
    checked_number,
    create_once,
    expect_status,
    failure,
    items_of,
    normalized_text,
    repo_path,
)
from campaign_sync.github.transport import Transport


@dataclass(frozen=True, slots=True)
class CommentRef:
    repository: str
    issue_number: int
    id: int
    body: str
    html_url: str = ""


def comment_ref(repository: str, issue_number: int, item: Mapping[str, Any]) -> CommentRef:
    return CommentRef(
        repository=repository,
        issue_number=issue_number,
        id=int(item["id"]),
        body=str(item.get("body") or ""),
        html_url=str(item.get("html_url") or ""),
    )


def list_comments(transport: Transport, repository: str, number: int) -> tuple[CommentRef, ...]:
    """Every comment of an issue, oldest first."""
    path = f"{repo_path(repository)}/issues/{checked_number(number)}/comments"
    what = f"listing the comments of issue #{number} of {repository}"
    with failure(what, repository, target=f"issue #{number}"):
        return tuple(
            comment_ref(repository, number, item)
            for response in transport.paginate(path, {"per_page": PER_PAGE})
            for item in items_of(response)
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
    path = f"{repo_path(repository)}/issues/{checked_number(number)}/comments"
    what = f"commenting on issue #{number} of {repository}"
    if not body.strip():
        raise TrackerError(f"{what}: the comment is empty")
    check_body(body, what)
    wanted = normalized_text(body)

    def recover() -> CommentRef | None:
        comments = list_comments(transport, repository, number)
        matches = [c for c in comments if normalized_text(c.body) == wanted]
        if not matches or (posted_already is not None and not posted_already(comments)):
            return None
        return matches[-1]

    response = create_once(transport, path, {"body": body}, what, repository, recover)
    if isinstance(response, CommentRef):
        return response
    expect_status(response, (201,), what)
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
    base = repo_path(repository)
    wanted: dict[str, str] = {}
    for name in labels:
        if not name.strip():
            raise TrackerError(f"creating labels in {repository}: a label name is empty")
        wanted.setdefault(name.lower(), name)
    if not wanted:
        return ()
    with failure(f"listing the labels of {repository}", repository):
        existing = {
            str(item.get("name", "")).lower()
            for response in transport.paginate(f"{base}/labels", {"per_page": PER_PAGE})
            for item in items_of(response)
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
            with failure(f"creating the label {name!r} in {repository}", repository):
                transport.request("POST", f"{base}/labels", body=payload, idempotent=True)
        except Handled as error:
            cause = error.__cause__
            # Created meanwhile, or by our own POST whose answer was lost: there it is.
            if not (isinstance(cause, RequestFailed) and already_exists(cause)):
                raise
        created.append(name)
    return tuple(created)
