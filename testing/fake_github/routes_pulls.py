"""Pull requests between branches of one repository: list (``head``, ``base``, ``state``
filters) and create, over the repository's attached git (``git_backend``).

What GitHub does and the fake does too:

- "Pull requests are issues" in numbering: a pull request takes the next issue number.
- Creating one needs the *Pull requests* write permission; ``head`` and ``base`` must be
  branches that exist (422 ``invalid`` on the field), ``head`` must have commits ``base``
  lacks (422 "No commits between BASE and HEAD"), and only one pull request may be open
  per head and base (422 "A pull request already exists for OWNER:HEAD.").
- ``head`` filters by ``OWNER:BRANCH`` ("Filter pulls by head user or head organization
  and branch name in the format of `user:ref-name`").
"""

from __future__ import annotations

from typing import Any

from . import git_backend
from .http_util import HttpError, Response, fail, json_response, validation_failed
from .model import Pull, Repo
from .paging import paginate
from .render_common import Renderer, node_id, ts
from .render_issues import association
from .routes_issues import body_of, new_issue
from .routing import Ctx, Route, route_doc

_DOC_LIST = route_doc("pulls/pulls", "list-pull-requests")
_DOC_CREATE = route_doc("pulls/pulls", "create-a-pull-request")


def _branch_ref(r: Renderer, repo: Repo, branch: str, sha: str) -> dict[str, Any]:
    owner = r.org_owner(repo.org)
    return {
        "label": f"{repo.org.login}:{branch}",
        "ref": branch,
        "sha": sha,
        "user": owner,
        "repo": _repository(r, repo),
    }


def _repository(r: Renderer, repo: Repo) -> dict[str, Any]:
    """The ``repository`` schema: as the full repository, but its ``temp_clone_token`` is a
    string when present (``full-repository`` has it nullable), so it is left out."""
    result = r.full_repo_dict(repo) | {"allow_auto_merge": repo.allow_auto_merge}
    result.pop("temp_clone_token", None)
    return result


def pull_dict(r: Renderer, pull: Pull, *, full: bool) -> dict[str, Any]:
    issue = pull.issue
    repo = issue.repo
    api = f"{r.api}/repos/{repo.full_name}"
    url = f"{api}/pulls/{pull.number}"
    html = f"{r.html}/{repo.full_name}/pull/{pull.number}"
    head_sha = git_backend.head(repo, pull.head) or pull.head_sha
    base_sha = git_backend.head(repo, pull.base) or pull.base_sha
    result: dict[str, Any] = {
        "url": url,
        "id": pull.id,
        "node_id": node_id("PullRequest", pull.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{api}/issues/{pull.number}",
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{pull.number}/comments",
        "statuses_url": f"{api}/statuses/{head_sha}",
        "number": pull.number,
        "state": issue.state,
        "locked": issue.locked,
        "title": issue.title,
        "user": r.user_dict(issue.user),
        "body": issue.body,
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": ts(issue.created),
        "updated_at": ts(issue.updated),
        "closed_at": ts(issue.closed_at),
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": _branch_ref(r, repo, pull.head, head_sha),
        "base": _branch_ref(r, repo, pull.base, base_sha),
        "_links": {
            name: {"href": href}
            for name, href in (
                ("self", url),
                ("html", html),
                ("issue", f"{api}/issues/{pull.number}"),
                ("comments", f"{api}/issues/{pull.number}/comments"),
                ("review_comments", f"{url}/comments"),
                ("review_comment", f"{api}/pulls/comments{{/number}}"),
                ("commits", f"{url}/commits"),
                ("statuses", f"{api}/statuses/{head_sha}"),
            )
        },
        "author_association": association(repo, issue.user),
        "auto_merge": None
        if pull.auto_merge_by is None
        else {
            "enabled_by": r.user_dict(pull.auto_merge_by),
            "merge_method": pull.auto_merge_method,
            "commit_title": f"{issue.title} (#{pull.number})",
            "commit_message": "",
        },
        "draft": False,
    }
    if full:
        files, additions, deletions = (0, 0, 0)
        commits = 0
        if repo.git_dir is not None:
            files, additions, deletions = git_backend.changed_files(repo, base_sha, head_sha)
            commits = git_backend.commits_between(repo, base_sha, head_sha)
        result.update(
            {
                "merged": False,
                "mergeable": None,  # GitHub computes it in the background
                "rebaseable": None,
                "mergeable_state": "unknown",
                "merged_by": None,
                "comments": len(issue.comments),
                "review_comments": 0,
                "maintainer_can_modify": pull.maintainer_can_modify,
                "commits": commits,
                "additions": additions,
                "deletions": deletions,
                "changed_files": files,
            }
        )
    return result


def list_pulls(ctx: Ctx) -> Response:
    repo = ctx.need_repo()
    req = ctx.req
    state = req.arg("state") or "open"
    if state not in ("open", "closed", "all"):
        raise fail(422, f"Invalid value for state: {state}", _DOC_LIST)
    head = req.arg("head")
    base = req.arg("base")
    found = []
    for pull in repo.pulls:
        if state != "all" and pull.issue.state != state:
            continue
        if head is not None:
            owner, _, branch = head.partition(":")
            if owner.lower() != repo.org.login.lower() or (branch and branch != pull.head):
                continue
        if base is not None and pull.base != base:
            continue
        found.append(pull)
    found.sort(key=lambda p: p.number, reverse=True)  # sort=created, direction=desc
    page = paginate(ctx, found)
    return json_response(200, [pull_dict(ctx.state.renderer, p, full=False) for p in page])


def create_pull(ctx: Ctx) -> Response:
    repo = ctx.need_repo()
    body = body_of(ctx)
    if not isinstance(body, dict) or not body.get("title"):
        raise HttpError(
            validation_failed(
                _DOC_CREATE, {"resource": "PullRequest", "code": "missing_field", "field": "title"}
            )
        )
    head_name = str(body.get("head") or "")
    base_name = str(body.get("base") or "")
    owner, sep, branch = head_name.partition(":")
    if sep and owner.lower() != repo.org.login.lower():
        raise HttpError(
            validation_failed(
                _DOC_CREATE, {"resource": "PullRequest", "field": "head", "code": "invalid"}
            )
        )
    head_name = branch if sep else head_name
    head_sha = git_backend.head(repo, head_name)
    base_sha = git_backend.head(repo, base_name)
    for field, sha in (("base", base_sha), ("head", head_sha)):
        if sha is None:
            raise HttpError(
                validation_failed(
                    _DOC_CREATE, {"resource": "PullRequest", "field": field, "code": "invalid"}
                )
            )
    assert head_sha is not None
    assert base_sha is not None
    label = f"{repo.org.login}:{head_name}"
    for pull in repo.pulls:
        if pull.issue.state == "open" and pull.head == head_name and pull.base == base_name:
            raise HttpError(
                validation_failed(
                    _DOC_CREATE,
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"A pull request already exists for {label}.",
                    },
                )
            )
    if git_backend.commits_between(repo, base_sha, head_sha) == 0:
        raise HttpError(
            validation_failed(
                _DOC_CREATE,
                {
                    "resource": "PullRequest",
                    "code": "custom",
                    "message": f"No commits between {base_name} and {head_name}",
                },
            )
        )
    issue = new_issue(ctx, repo, body)
    pull = Pull(
        id=ctx.state.next_id("pull", 90_000_001),
        issue=issue,
        head=head_name,
        base=base_name,
        head_sha=head_sha,
        base_sha=base_sha,
        maintainer_can_modify=bool(body.get("maintainer_can_modify", False)),
    )
    repo.pulls.append(pull)
    return json_response(201, pull_dict(ctx.state.renderer, pull, full=True))


def find_pull(repos: list[Repo], global_id: str) -> Pull | None:
    """A pull request by its ``node_id`` (GraphQL's ``pullRequestId``)."""
    for repo in repos:
        for pull in repo.pulls:
            if node_id("PullRequest", pull.id) == global_id:
                return pull
    return None


def routes() -> list[Route]:
    base = "/repos/{owner}/{repo}"
    return [
        Route("GET", f"{base}/pulls", list_pulls, ("pull_requests", "read"), doc=_DOC_LIST),
        Route("POST", f"{base}/pulls", create_pull, ("pull_requests", "write"), doc=_DOC_CREATE),
    ]
