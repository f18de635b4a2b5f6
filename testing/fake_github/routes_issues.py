"""Issues, issue comments, labels and (eventually consistent) issue search."""

from __future__ import annotations

import shlex
from datetime import datetime
from typing import Any

from .http_util import BadJsonError, HttpError, Response, fail, json_response, validation_failed
from .model import Comment, Issue, Label, Repo, User
from .paging import paginate
from .render_issues import comment_dict, issue_dict, label_dict, search_item
from .routing import Ctx, Route, route_doc

DEFAULT_LABELS: tuple[tuple[str, str, str], ...] = (
    ("bug", "d73a4a", "Something isn't working"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("duplicate", "cfd3d7", "This issue or pull request already exists"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("good first issue", "7057ff", "Good for newcomers"),
    ("help wanted", "008672", "Extra attention is needed"),
    ("invalid", "e4e669", "This doesn't seem right"),
    ("question", "d876e3", "Further information is requested"),
    ("wontfix", "ffffff", "This will not be worked on"),
)
# GitHub's answer to a write in an archived repository. Docs, "Archiving repositories": "When
# a repository is archived, its issues, pull requests, code, labels, milestones, projects,
# wiki, releases, commits, tags, branches, reactions, code scanning alerts, comments and
# permissions become read-only."
ARCHIVED = "Repository was archived so is read-only."
# GitHub's answer where the Issues feature is off (its message as GitHub sends it). Docs,
# "Create an issue": "If issues are disabled in the repository, the API returns a `410 Gone`
# status." The description lists 410 for updating an issue, commenting and labelling one too.
ISSUES_DISABLED = "Issues are disabled for this repo"
_ISSUES = "issues/issues"


def labels_of(ctx: Ctx, repo: Repo) -> dict[str, Label]:
    if repo.labels is None:
        repo.labels = {}
        for name, color, description in DEFAULT_LABELS:
            label = Label(ctx.state.next_id("label", 5001), name, color, description, True)
            repo.labels[name.lower()] = label
    return repo.labels


def ensure_label(ctx: Ctx, repo: Repo, name: str) -> Label:
    labels = labels_of(ctx, repo)
    label = labels.get(name.lower())
    if label is None:
        label = Label(ctx.state.next_id("label", 5001), name, "ededed", None)
        labels[name.lower()] = label
    return label


def body_of(ctx: Ctx) -> Any:
    try:
        return ctx.req.json()
    except BadJsonError:
        raise fail(400, "Problems parsing JSON", ctx.route.doc) from None


def writable(ctx: Ctx) -> Repo:
    repo = ctx.need_repo()
    if repo.archived:
        raise fail(403, ARCHIVED, ctx.route.doc)
    return repo


def issues_writable(ctx: Ctx) -> Repo:
    """A repository whose issues may be written: not archived (403), Issues on (410)."""
    repo = writable(ctx)
    if not repo.has_issues:
        raise fail(410, ISSUES_DISABLED, ctx.route.doc)
    return repo


def actor(ctx: Ctx) -> User:
    assert ctx.token is not None
    return ctx.token.user


# "Get an issue": "The API returns a `301 Moved Permanently` status if the issue was
# transferred to another repository. If the issue was transferred to or deleted from a
# repository where the authenticated user lacks read access, the API returns a `404 Not
# Found` status. If the issue was deleted from a repository where the authenticated user has
# read access, the API returns a `410 Gone` status." (A token that cannot read the
# repository gets its 404 before this.) "Update an issue" lists 301 and 410 as well; the
# comment routes list 404 and 410, no 301.
ISSUE_DELETED = "This issue was deleted"
# The 301's documentation_url, as the OpenAPI description's link for it.
REDIRECT_DOCS = (
    "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"
)


def find_issue(ctx: Ctx, *, redirect: bool = False) -> Issue:
    """The issue the path names. Deleted: 410. Transferred: 301 to its new address where
    ``redirect`` (reading or updating the issue itself), 404 elsewhere."""
    repo = ctx.need_repo()
    number = ctx.int_param("issue_number")
    if not 1 <= number <= len(repo.issues):
        raise fail(404, "Not Found", ctx.route.doc)
    issue = repo.issues[number - 1]
    if issue.deleted:
        raise fail(410, ISSUE_DELETED, ctx.route.doc)
    moved = issue.transferred_to
    while moved is not None and moved.transferred_to is not None:
        moved = moved.transferred_to  # transferred again: the redirect names where it is
    if moved is not None:
        if not redirect or moved.deleted:
            raise fail(404, "Not Found", ctx.route.doc)
        raise HttpError(_moved_issue(ctx, moved))
    return issue


def _moved_issue(ctx: Ctx, issue: Issue) -> Response:
    """A transferred issue's old address: 301, its new place named by the repository's id
    (as GitHub's repository redirects are, ``/repositories/{id}/...``)."""
    location = f"{ctx.state.renderer.api}/repositories/{issue.repo.id}/issues/{issue.number}"
    return json_response(
        301,
        {
            "message": "Moved Permanently",
            "url": location,
            "documentation_url": REDIRECT_DOCS,
        },
        headers=[("location", location)],
    )


def parse_time(ctx: Ctx, value: str, field: str) -> int:
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise HttpError(
            validation_failed(
                ctx.route.doc,
                {"resource": "Issue", "field": field, "code": "invalid", "value": value},
            )
        ) from None


def _assignees(ctx: Ctx, repo: Repo, logins: list[Any]) -> list[User]:
    users = []
    for login in logins:
        name = login.get("login") if isinstance(login, dict) else login
        user = repo.org.members.get(str(name).lower())
        if user is None:
            raise HttpError(
                validation_failed(
                    ctx.route.doc,
                    {
                        "value": str(name),
                        "resource": "Issue",
                        "field": "assignees",
                        "code": "invalid",
                    },
                )
            )
        if user not in users:
            users.append(user)
    return users


def _label_names(ctx: Ctx, raw: Any) -> list[str]:
    if isinstance(raw, dict):
        raw = raw.get("labels")
    if not isinstance(raw, list):
        raise HttpError(
            validation_failed(
                ctx.route.doc, {"resource": "Label", "field": "labels", "code": "invalid"}
            )
        )
    names = []
    for item in raw:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name:
            raise HttpError(
                validation_failed(
                    ctx.route.doc, {"resource": "Label", "field": "name", "code": "missing_field"}
                )
            )
        names.append(name)
    return names


def _labels(ctx: Ctx, repo: Repo, raw: Any) -> list[Label]:
    result: list[Label] = []
    for name in _label_names(ctx, raw):
        label = ensure_label(ctx, repo, name)
        if label not in result:
            result.append(label)
    return result


def _issue_response(ctx: Ctx, issue: Issue, status: int = 200) -> Response:
    return json_response(status, issue_dict(ctx.state.renderer, issue))


# issues --------------------------------------------------------------------------------


def list_issues(ctx: Ctx) -> Response:
    repo = ctx.need_repo()
    req = ctx.req
    state = req.arg("state") or "open"
    if state not in ("open", "closed", "all"):
        raise HttpError(
            validation_failed(
                ctx.route.doc, {"resource": "Issue", "field": "state", "code": "invalid"}
            )
        )
    wanted = [n.strip().lower() for n in (req.arg("labels") or "").split(",") if n.strip()]
    since = parse_time(ctx, req.arg("since") or "", "since") if req.arg("since") else None
    assignee = req.arg("assignee")
    creator = req.arg("creator")
    issues = []
    for issue in repo.issues:
        if not issue.present:
            continue
        if state != "all" and issue.state != state:
            continue
        names = {label.name.lower() for label in issue.labels}
        if any(name not in names for name in wanted):
            continue
        if since is not None and issue.updated < since:
            continue
        if creator and issue.user.login.lower() != creator.lower():
            continue
        if assignee == "none" and issue.assignees:
            continue
        if assignee == "*" and not issue.assignees:
            continue
        if assignee not in (None, "none", "*") and all(
            u.login.lower() != str(assignee).lower() for u in issue.assignees
        ):
            continue
        issues.append(issue)
    sort = req.arg("sort") or "created"
    if sort not in ("created", "updated", "comments"):
        raise HttpError(
            validation_failed(
                ctx.route.doc, {"resource": "Issue", "field": "sort", "code": "invalid"}
            )
        )
    attr = {"created": "created", "updated": "updated"}.get(sort)
    issues.sort(
        key=lambda i: (len(i.comments) if attr is None else getattr(i, attr), i.number),
        reverse=(req.arg("direction") or "desc") != "asc",
    )
    page = paginate(ctx, issues)
    return json_response(200, [issue_dict(ctx.state.renderer, i) for i in page])


def create_issue(ctx: Ctx) -> Response:
    repo = issues_writable(ctx)
    body = body_of(ctx)
    if not isinstance(body, dict) or body.get("title") in (None, ""):
        raise HttpError(
            validation_failed(
                ctx.route.doc, {"resource": "Issue", "code": "missing_field", "field": "title"}
            )
        )
    assignees = list(body.get("assignees") or [])
    if body.get("assignee"):
        assignees.insert(0, body["assignee"])
    issue = new_issue(
        ctx,
        repo,
        body,
        labels=_labels(ctx, repo, body.get("labels") or []),
        assignees=_assignees(ctx, repo, assignees),
    )
    return _issue_response(ctx, issue, 201)


def new_issue(ctx: Ctx, repo: Repo, body: dict[str, Any], **fields: Any) -> Issue:
    """An issue (or a pull request's issue: they share the numbers) opened now by the
    caller with ``body``'s title and text, as the repository's next number."""
    now = ctx.state.now()
    issue = Issue(
        id=ctx.state.next_id("issue", 70_000_001),
        repo=repo,
        number=len(repo.issues) + 1,
        title=str(body["title"]),
        body=body.get("body"),
        user=actor(ctx),
        created=now,
        updated=now,
        **fields,
    )
    repo.issues.append(issue)
    return issue


def get_issue(ctx: Ctx) -> Response:
    return _issue_response(ctx, find_issue(ctx, redirect=True))


def update_issue(ctx: Ctx) -> Response:
    issues_writable(ctx)
    issue = find_issue(ctx, redirect=True)
    body = body_of(ctx)
    if not isinstance(body, dict):
        raise HttpError(validation_failed(ctx.route.doc, {"resource": "Issue", "code": "invalid"}))
    repo = issue.repo
    now = ctx.state.now()
    if "title" in body and body["title"] is not None:
        issue.title = str(body["title"])
    if "body" in body:
        issue.body = body["body"]
    if "labels" in body:
        issue.labels = _labels(ctx, repo, body["labels"] or [])
    if "assignees" in body:
        issue.assignees = _assignees(ctx, repo, body["assignees"] or [])
    elif "assignee" in body:
        issue.assignees = _assignees(ctx, repo, [body["assignee"]] if body["assignee"] else [])
    state = body.get("state")
    if state not in (None, "open", "closed"):
        raise HttpError(
            validation_failed(
                ctx.route.doc, {"resource": "Issue", "field": "state", "code": "invalid"}
            )
        )
    reason = body.get("state_reason")
    if state == "closed" and issue.state != "closed":
        issue.state, issue.closed_at, issue.closed_by = "closed", now, actor(ctx)
        issue.state_reason = reason or "completed"
    elif state == "open" and issue.state != "open":
        issue.state, issue.closed_at, issue.closed_by = "open", None, None
        issue.state_reason = "reopened"
    elif "state_reason" in body and issue.state == "closed" and reason:
        issue.state_reason = reason
    issue.updated = now
    return _issue_response(ctx, issue)


# comments ------------------------------------------------------------------------------


def list_comments(ctx: Ctx) -> Response:
    issue = find_issue(ctx)
    since_raw = ctx.req.arg("since")
    since = parse_time(ctx, since_raw, "since") if since_raw else None
    comments = [c for c in issue.comments if since is None or c.updated >= since]
    page = paginate(ctx, comments)
    return json_response(200, [comment_dict(ctx.state.renderer, c) for c in page])


def create_comment(ctx: Ctx) -> Response:
    issues_writable(ctx)
    issue = find_issue(ctx)
    body = body_of(ctx)
    if not isinstance(body, dict) or not isinstance(body.get("body"), str) or not body["body"]:
        raise HttpError(
            validation_failed(
                ctx.route.doc,
                {"resource": "IssueComment", "code": "missing_field", "field": "body"},
            )
        )
    now = ctx.state.now()
    comment = Comment(
        ctx.state.next_id("comment", 900_000_001), issue, body["body"], actor(ctx), now, now
    )
    issue.comments.append(comment)
    issue.updated = now
    return json_response(201, comment_dict(ctx.state.renderer, comment))


def find_comment(ctx: Ctx) -> Comment:
    repo = ctx.need_repo()
    comment_id = ctx.int_param("comment_id")
    for issue in repo.issues:
        if not issue.present:
            continue
        for comment in issue.comments:
            if comment.id == comment_id:
                return comment
    raise fail(404, "Not Found", ctx.route.doc)


def get_comment(ctx: Ctx) -> Response:
    return json_response(200, comment_dict(ctx.state.renderer, find_comment(ctx)))


def update_comment(ctx: Ctx) -> Response:
    writable(ctx)
    comment = find_comment(ctx)
    body = body_of(ctx)
    if not isinstance(body, dict) or not isinstance(body.get("body"), str):
        raise HttpError(
            validation_failed(
                ctx.route.doc,
                {"resource": "IssueComment", "code": "missing_field", "field": "body"},
            )
        )
    comment.body = body["body"]
    comment.updated = ctx.state.now()
    return json_response(200, comment_dict(ctx.state.renderer, comment))


# labels --------------------------------------------------------------------------------


def _sorted_labels(labels: list[Label]) -> list[Label]:
    return sorted(labels, key=lambda label: label.name.lower())


def list_labels(ctx: Ctx) -> Response:
    repo = ctx.need_repo()
    page = paginate(ctx, _sorted_labels(list(labels_of(ctx, repo).values())))
    return json_response(200, [label_dict(ctx.state.renderer, repo, label) for label in page])


def create_label(ctx: Ctx) -> Response:
    repo = writable(ctx)
    body = body_of(ctx)
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        raise HttpError(
            validation_failed(
                ctx.route.doc, {"resource": "Label", "field": "name", "code": "missing_field"}
            )
        )
    labels = labels_of(ctx, repo)
    if body["name"].lower() in labels:
        raise HttpError(
            validation_failed(
                ctx.route.doc, {"resource": "Label", "field": "name", "code": "already_exists"}
            )
        )
    color = str(body.get("color") or "ededed").lstrip("#").lower()
    label = Label(ctx.state.next_id("label", 5001), body["name"], color, body.get("description"))
    labels[label.name.lower()] = label
    return json_response(201, label_dict(ctx.state.renderer, repo, label))


def issue_labels(ctx: Ctx) -> Response:
    issue = find_issue(ctx)
    return json_response(
        200, [label_dict(ctx.state.renderer, issue.repo, label) for label in issue.labels]
    )


def add_issue_labels(ctx: Ctx) -> Response:
    issues_writable(ctx)
    issue = find_issue(ctx)
    for label in _labels(ctx, issue.repo, body_of(ctx)):
        if label not in issue.labels:
            issue.labels.append(label)
    issue.updated = ctx.state.now()
    return issue_labels(ctx)


def set_issue_labels(ctx: Ctx) -> Response:
    issues_writable(ctx)
    issue = find_issue(ctx)
    body = body_of(ctx)
    issue.labels = [] if body in (None, {"labels": []}, []) else _labels(ctx, issue.repo, body)
    issue.updated = ctx.state.now()
    return issue_labels(ctx)


# search --------------------------------------------------------------------------------


def search_issues(ctx: Ctx) -> Response:
    q = ctx.req.arg("q")
    if not q:
        raise HttpError(
            validation_failed(
                ctx.route.doc, {"resource": "Search", "field": "q", "code": "missing"}
            )
        )
    try:
        terms = shlex.split(q)
    except ValueError:
        raise HttpError(
            validation_failed(
                ctx.route.doc, {"resource": "Search", "field": "q", "code": "invalid"}
            )
        ) from None
    token = ctx.token
    cutoff = ctx.state.now() - ctx.state.config.search_lag
    matches = [
        issue
        for org in ctx.state.orgs.values()
        if token is None or token.orgs is None or org.login.lower() in token.orgs
        for repo in org.repos.values()
        for issue in repo.issues
        if issue.present and issue.created <= cutoff and _matches(issue, terms)
    ]
    sort = ctx.req.arg("sort")
    descending = (ctx.req.arg("order") or "desc") != "asc"
    if sort in ("created", "updated"):
        matches.sort(key=lambda i: (getattr(i, sort), i.id), reverse=descending)
    elif sort == "comments":
        matches.sort(key=lambda i: (len(i.comments), i.id), reverse=descending)
    else:
        matches.sort(key=lambda i: (i.updated, i.id), reverse=True)
    page = paginate(ctx, matches[:1000])
    return json_response(
        200,
        {
            "total_count": len(matches),
            "incomplete_results": False,
            "search_type": "lexical",
            "items": [search_item(ctx.state.renderer, i) for i in page],
        },
    )


def _matches(issue: Issue, terms: list[str]) -> bool:
    scope: tuple[str, ...] = ("title", "body")
    words = []
    for term in terms:
        key, sep, value = term.partition(":")
        key = key.lower()
        if not sep or key not in (
            "repo",
            "org",
            "user",
            "is",
            "state",
            "label",
            "in",
            "type",
            "author",
            "assignee",
            "no",
        ):
            words.append(term.lower())
            continue
        if key == "repo" and issue.repo.full_name.lower() != value.lower():
            return False
        if key in ("org", "user") and issue.repo.org.login.lower() != value.lower():
            return False
        if key in ("is", "type", "state"):
            value = value.lower()
            if value in ("pr", "pull-request") or (
                value in ("open", "closed") and issue.state != value
            ):
                return False
        if key == "label" and value.lower() not in {lb.name.lower() for lb in issue.labels}:
            return False
        if key == "author" and issue.user.login.lower() != value.lower():
            return False
        if key == "assignee" and value.lower() not in {u.login.lower() for u in issue.assignees}:
            return False
        if key == "no" and value.lower() == "label" and issue.labels:
            return False
        if key == "in":
            scope = tuple(part for part in value.lower().split(",") if part in ("title", "body"))
    haystack = " ".join(
        (issue.title if "title" in scope else "", (issue.body or "") if "body" in scope else "")
    ).lower()
    return all(word in haystack for word in words)


def routes() -> list[Route]:
    def d(anchor: str, section: str = _ISSUES) -> str:
        return route_doc(section, anchor)

    rw = ("issues", "write")
    r = ("issues", "read")
    base = "/repos/{owner}/{repo}"
    return [
        Route("GET", f"{base}/issues", list_issues, r, doc=d("list-repository-issues")),
        Route("POST", f"{base}/issues", create_issue, rw, doc=d("create-an-issue")),
        Route(
            "GET",
            f"{base}/issues/comments/{{comment_id}}",
            get_comment,
            r,
            doc=d("get-an-issue-comment", "issues/comments"),
        ),
        Route(
            "PATCH",
            f"{base}/issues/comments/{{comment_id}}",
            update_comment,
            rw,
            doc=d("update-an-issue-comment", "issues/comments"),
        ),
        Route("GET", f"{base}/issues/{{issue_number}}", get_issue, r, doc=d("get-an-issue")),
        Route(
            "PATCH", f"{base}/issues/{{issue_number}}", update_issue, rw, doc=d("update-an-issue")
        ),
        Route(
            "GET",
            f"{base}/issues/{{issue_number}}/comments",
            list_comments,
            r,
            doc=d("list-issue-comments", "issues/comments"),
        ),
        Route(
            "POST",
            f"{base}/issues/{{issue_number}}/comments",
            create_comment,
            rw,
            doc=d("create-an-issue-comment", "issues/comments"),
        ),
        Route(
            "GET",
            f"{base}/issues/{{issue_number}}/labels",
            issue_labels,
            r,
            doc=d("list-labels-for-an-issue", "issues/labels"),
        ),
        Route(
            "POST",
            f"{base}/issues/{{issue_number}}/labels",
            add_issue_labels,
            rw,
            doc=d("add-labels-to-an-issue", "issues/labels"),
        ),
        Route(
            "PUT",
            f"{base}/issues/{{issue_number}}/labels",
            set_issue_labels,
            rw,
            doc=d("set-labels-for-an-issue", "issues/labels"),
        ),
        Route(
            "GET",
            f"{base}/labels",
            list_labels,
            r,
            doc=d("list-labels-for-a-repository", "issues/labels"),
        ),
        Route("POST", f"{base}/labels", create_label, rw, doc=d("create-a-label", "issues/labels")),
        Route(
            "GET",
            "/search/issues",
            search_issues,
            r,
            resource="search",
            doc=d("search-issues-and-pull-requests", "search/search"),
        ),
    ]
