"""JSON for issues, comments, labels, search results, campaigns, installations."""

from __future__ import annotations

from urllib.parse import quote

from .model import Campaign, Comment, Issue, Label, Org, Repo, User
from .render_common import Json, Renderer, node_id, ts


def label_dict(r: Renderer, repo: Repo, label: Label) -> Json:
    return {
        "id": label.id,
        "node_id": node_id("Label", label.id),
        "url": f"{r.api}/repos/{repo.full_name}/labels/{quote(label.name)}",
        "name": label.name,
        "color": label.color,
        "default": label.default,
        "description": label.description,
    }


def _reactions(url: str) -> Json:
    return {
        "url": f"{url}/reactions",
        "total_count": 0,
        "+1": 0,
        "-1": 0,
        "laugh": 0,
        "hooray": 0,
        "confused": 0,
        "heart": 0,
        "rocket": 0,
        "eyes": 0,
    }


def association(repo: Repo, user: User) -> str:
    if user.type == "Bot":
        return "NONE"
    return "MEMBER" if user.login.lower() in repo.org.members else "NONE"


def issue_dict(r: Renderer, issue: Issue) -> Json:
    repo = issue.repo
    repo_api = f"{r.api}/repos/{repo.full_name}"
    url = f"{repo_api}/issues/{issue.number}"
    return {
        "url": url,
        "repository_url": repo_api,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{r.html}/{repo.full_name}/issues/{issue.number}",
        "id": issue.id,
        "node_id": node_id("Issue", issue.id),
        "number": issue.number,
        "title": issue.title,
        "user": r.user_dict(issue.user),
        "labels": [label_dict(r, repo, label) for label in issue.labels],
        "state": issue.state,
        "locked": issue.locked,
        "assignee": r.user_dict(issue.assignees[0]) if issue.assignees else None,
        "assignees": [r.user_dict(u) for u in issue.assignees],
        "milestone": None,
        "comments": len(issue.comments),
        "created_at": ts(issue.created),
        "updated_at": ts(issue.updated),
        "closed_at": ts(issue.closed_at),
        "author_association": association(repo, issue.user),
        "type": None,
        "active_lock_reason": None,
        "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
        "body": issue.body,
        "closed_by": None if issue.closed_by is None else r.user_dict(issue.closed_by),
        "reactions": _reactions(url),
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": None,
        "state_reason": issue.state_reason,
    }


def search_item(r: Renderer, issue: Issue) -> Json:
    item = issue_dict(r, issue)
    item["score"] = 1.0
    return item


def comment_dict(r: Renderer, comment: Comment) -> Json:
    issue = comment.issue
    repo = issue.repo
    repo_api = f"{r.api}/repos/{repo.full_name}"
    url = f"{repo_api}/issues/comments/{comment.id}"
    return {
        "url": url,
        "html_url": f"{r.html}/{repo.full_name}/issues/{issue.number}#issuecomment-{comment.id}",
        "issue_url": f"{repo_api}/issues/{issue.number}",
        "id": comment.id,
        "node_id": node_id("IssueComment", comment.id),
        "user": r.user_dict(comment.user),
        "created_at": ts(comment.created),
        "updated_at": ts(comment.updated),
        "author_association": association(repo, comment.user),
        "body": comment.body,
        "reactions": _reactions(url),
        "performed_via_github_app": None,
    }


def campaign_dict(r: Renderer, campaign: Campaign) -> Json:
    open_count = sum(1 for a in campaign.alerts if a.state == "open")
    in_progress = sum(
        1 for a in campaign.alerts if a.state == "open" and a.number in a.repo.autofixes
    )
    return {
        "number": campaign.number,
        "created_at": ts(campaign.created),
        "updated_at": ts(campaign.updated),
        "name": campaign.name,
        "description": campaign.description,
        "managers": [r.user_dict(u) for u in campaign.managers],
        "team_managers": [r.team_dict(t) for t in campaign.team_managers],
        "published_at": ts(campaign.created),
        "ends_at": ts(campaign.ends_at),
        "closed_at": ts(campaign.closed_at),
        "state": campaign.state,
        "contact_link": campaign.contact_link,
        "alert_stats": {
            "open_count": open_count,
            "closed_count": len(campaign.alerts) - open_count,
            "in_progress_count": in_progress,
        },
    }


def installation_dict(
    r: Renderer, org: Org, app_id: int, app_slug: str, permissions: dict[str, str]
) -> Json:
    inst = org.installation_id
    return {
        "id": inst,
        "account": r.org_owner(org),
        "repository_selection": "all",
        "access_tokens_url": f"{r.api}/app/installations/{inst}/access_tokens",
        "repositories_url": f"{r.api}/installation/repositories",
        "html_url": f"{r.html}/organizations/{org.login}/settings/installations/{inst}",
        "app_id": app_id,
        "app_slug": app_slug,
        "target_id": org.id,
        "target_type": "Organization",
        "permissions": dict(sorted(permissions.items())),
        "events": [],
        "created_at": ts(org.created),
        "updated_at": ts(org.created),
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
    }
