"""JSON shapes shared by many endpoints: timestamps, users, teams, repositories.

The :class:`Renderer` knows the public base URLs and caches per-object fragments: a user's
JSON, each repository's ``simple-repository`` JSON (embedded in every org-level alert).
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import quote

from .model import Org, Repo, Team, User

Json = dict[str, Any]


def ts(seconds: float | None) -> str | None:
    """GitHub's timestamp format, or None."""
    if seconds is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def ts_json(seconds: float | None) -> str:
    """A timestamp as a JSON literal (``"..."`` or ``null``)."""
    if seconds is None:
        return "null"
    return time.strftime('"%Y-%m-%dT%H:%M:%SZ"', time.gmtime(seconds))


def node_id(kind: str, number: int) -> str:
    """Legacy-style global node id: base64 of ``0NN:KindID``."""
    raw = f"0{len(kind):02d}:{kind}{number}"
    return base64.b64encode(raw.encode()).decode().rstrip("=")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_REPO_URL_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("archive_url", "/{archive_format}{/ref}"),
    ("assignees_url", "/assignees{/user}"),
    ("blobs_url", "/git/blobs{/sha}"),
    ("branches_url", "/branches{/branch}"),
    ("collaborators_url", "/collaborators{/collaborator}"),
    ("comments_url", "/comments{/number}"),
    ("commits_url", "/commits{/sha}"),
    ("compare_url", "/compare/{base}...{head}"),
    ("contents_url", "/contents/{+path}"),
    ("contributors_url", "/contributors"),
    ("deployments_url", "/deployments"),
    ("downloads_url", "/downloads"),
    ("events_url", "/events"),
    ("forks_url", "/forks"),
    ("git_commits_url", "/git/commits{/sha}"),
    ("git_refs_url", "/git/refs{/sha}"),
    ("git_tags_url", "/git/tags{/sha}"),
    ("hooks_url", "/hooks"),
    ("issue_comment_url", "/issues/comments{/number}"),
    ("issue_events_url", "/issues/events{/number}"),
    ("issues_url", "/issues{/number}"),
    ("keys_url", "/keys{/key_id}"),
    ("labels_url", "/labels{/name}"),
    ("languages_url", "/languages"),
    ("merges_url", "/merges"),
    ("milestones_url", "/milestones{/number}"),
    ("notifications_url", "/notifications{?since,all,participating}"),
    ("pulls_url", "/pulls{/number}"),
    ("releases_url", "/releases{/id}"),
    ("stargazers_url", "/stargazers"),
    ("statuses_url", "/statuses/{sha}"),
    ("subscribers_url", "/subscribers"),
    ("subscription_url", "/subscription"),
    ("tags_url", "/tags"),
    ("teams_url", "/teams"),
    ("trees_url", "/git/trees{/sha}"),
)

FEATURE_KEYS: tuple[tuple[str, str], ...] = (
    ("code_scanning", "advanced_security"),
    ("secret_scanning", "secret_scanning"),
    ("dependabot", "dependabot_security_updates"),
)


class Renderer:
    """Renders shared shapes against fixed base URLs, caching fragments."""

    def __init__(self, api_url: str, html_url: str) -> None:
        self.api = api_url.rstrip("/")
        self.html = html_url.rstrip("/")
        self._users: dict[int, str] = {}

    # users and teams -----------------------------------------------------------------

    def user_dict(self, user: User) -> Json:
        login = quote(user.login)
        base = f"{self.api}/users/{login}"
        return {
            "login": user.login,
            "id": user.id,
            "node_id": node_id("Bot" if user.type == "Bot" else user.type, user.id),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
            "gravatar_id": "",
            "url": base,
            "html_url": f"{self.html}/{login}",
            "followers_url": f"{base}/followers",
            "following_url": f"{base}/following{{/other_user}}",
            "gists_url": f"{base}/gists{{/gist_id}}",
            "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{base}/subscriptions",
            "organizations_url": f"{base}/orgs",
            "repos_url": f"{base}/repos",
            "events_url": f"{base}/events{{/privacy}}",
            "received_events_url": f"{base}/received_events",
            "type": user.type,
            "user_view_type": "public",
            "site_admin": user.site_admin,
        }

    def user_json(self, user: User | None) -> str:
        if user is None:
            return "null"
        cached = self._users.get(user.id)
        if cached is None:
            cached = self._users[user.id] = dumps(self.user_dict(user))
        return cached

    def org_owner(self, org: Org) -> Json:
        return self.user_dict(User(org.login, org.id, "Organization"))

    def team_dict(self, team: Team) -> Json:
        base = f"{self.api}/organizations/{team.org_login}/team/{team.id}"
        return {
            "id": team.id,
            "node_id": node_id("Team", team.id),
            "name": team.name,
            "slug": team.slug,
            "description": team.description,
            "privacy": "closed",
            "notification_setting": "notifications_enabled",
            "permission": "pull",
            "url": base,
            "html_url": f"{self.html}/orgs/{team.org_login}/teams/{team.slug}",
            "members_url": f"{base}/members{{/member}}",
            "repositories_url": f"{base}/repos",
            "type": "organization",
            "parent": None,
        }

    # repositories --------------------------------------------------------------------

    def _repo_core(self, repo: Repo) -> Json:
        api = f"{self.api}/repos/{repo.full_name}"
        core: Json = {
            "id": repo.id,
            "node_id": node_id("Repository", repo.id),
            "name": repo.name,
            "full_name": repo.full_name,
            "private": repo.private,
            "owner": self.org_owner(repo.org),
            "html_url": f"{self.html}/{repo.full_name}",
            "description": repo.description,
            "fork": False,
            "url": api,
        }
        for key, suffix in _REPO_URL_SUFFIXES:
            core[key] = api + suffix
        return core

    def simple_repo_json(self, repo: Repo) -> str:
        cached = repo.cache.get("simple")
        if cached is None:
            cached = repo.cache["simple"] = dumps(self._repo_core(repo))
        return cached

    def _repo_details(self, repo: Repo) -> Json:
        open_issues = sum(1 for i in repo.issues if i.present and i.state == "open")
        host = self.html.split("://", 1)[-1]
        return {
            "git_url": f"git://{host}/{repo.full_name}.git",
            "ssh_url": f"git@{host}:{repo.full_name}.git",
            "clone_url": f"{self.html}/{repo.full_name}.git",
            "svn_url": f"{self.html}/{repo.full_name}",
            "mirror_url": None,
            "homepage": None,
            "language": repo.language,
            "forks_count": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "size": 1024 + repo.id % 50000,
            "default_branch": "main",
            "open_issues_count": open_issues,
            "is_template": False,
            "topics": list(repo.topics),
            "has_issues": repo.has_issues,
            "has_projects": False,
            "has_wiki": False,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": repo.archived,
            "disabled": False,
            "visibility": repo.visibility,
            "pushed_at": ts(repo.pushed),
            "created_at": ts(repo.created),
            "updated_at": ts(max(repo.updated, repo.pushed)),
            "permissions": {
                "admin": False,
                "maintain": False,
                "push": False,
                "triage": True,
                "pull": True,
            },
            "allow_forking": False,
            "web_commit_signoff_required": False,
            "license": None,
            "forks": 0,
            "open_issues": open_issues,
            "watchers": 0,
            "security_and_analysis": self.security_and_analysis(repo),
            "custom_properties": dict(repo.properties),
        }

    def security_and_analysis(self, repo: Repo) -> Json:
        result: Json = {}
        for attr, key in FEATURE_KEYS:
            result[key] = {"status": "enabled" if getattr(repo, attr) else "disabled"}
        result["secret_scanning_push_protection"] = {
            "status": "enabled" if repo.secret_scanning else "disabled"
        }
        return result

    def minimal_repo_dict(self, repo: Repo) -> Json:
        return {**self._repo_core(repo), **self._repo_details(repo)}

    def full_repo_dict(self, repo: Repo) -> Json:
        result = self.minimal_repo_dict(repo)
        result.update(
            {
                "subscribers_count": 0,
                "network_count": 0,
                "organization": self.org_owner(repo.org),
                "temp_clone_token": None,
                "delete_branch_on_merge": False,
                "allow_squash_merge": True,
                "allow_merge_commit": True,
                "allow_rebase_merge": True,
                "allow_auto_merge": False,
            }
        )
        return result
