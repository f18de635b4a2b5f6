"""The fake's state and its runtime mutators. One re-entrant lock guards everything."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from .alert_query import (
    Listing,
    build_listing,
    code_scanning_filter,
    dependabot_filter,
    secret_scanning_filter,
)
from .clock import Clock
from .config import FakeConfig
from .model import (
    ALERT_KINDS,
    Alert,
    CodeScanningAlert,
    Comment,
    DependabotAlert,
    Issue,
    Label,
    Org,
    Repo,
    SecretScanningAlert,
    Team,
    Token,
    User,
)
from .render_alerts import AlertRenderer
from .render_common import Renderer

# What set_feature turns on or off: the three alert features, and the Issues feature.
FEATURES = ("code_scanning", "secret_scanning", "dependabot", "has_issues")

# Permissions an all-powerful token holds (GitHub App permission names).
ALL_PERMISSIONS: dict[str, str] = {
    "metadata": "read",
    "issues": "write",
    "security_events": "write",
    "secret_scanning_alerts": "write",
    "vulnerability_alerts": "write",
    "organization_administration": "read",
    "organization_custom_properties": "read",
    "contents": "write",
    "pull_requests": "write",
}

_FILTERS: dict[str, Callable[[dict[str, str]], tuple[tuple[Any, ...], Callable[[Any], bool]]]] = {
    "code-scanning": code_scanning_filter,
    "dependabot": dependabot_filter,
    "secret-scanning": secret_scanning_filter,
}


class NotFoundError(KeyError):
    """A runtime mutator was pointed at something that does not exist."""


class State:
    """Organizations, repositories, alerts, issues, campaigns and tokens."""

    def __init__(self, clock: Clock | None = None, config: FakeConfig | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.config = config or FakeConfig()
        self.orgs: dict[str, Org] = {}
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.repos_by_id: dict[int, Repo] = {}
        # Old full names (lower case) of renamed or transferred repositories -> their id:
        # requests to an old name are redirected, as GitHub does.
        self.moved: dict[str, int] = {}
        self._ids: dict[str, int] = {}
        self.alert_version = 0
        self._listings: OrderedDict[tuple[Any, ...], Listing] = OrderedDict()
        self._token_counter = 0
        self.app_permissions: dict[str, str] = dict(ALL_PERMISSIONS)
        self.renderer = Renderer("http://127.0.0.1", self.config.html_url)
        self.alert_renderer = AlertRenderer(self.renderer)

    # ids and urls ----------------------------------------------------------------------

    def next_id(self, kind: str, start: int = 1) -> int:
        value = self._ids.get(kind, start)
        self._ids[kind] = value + 1
        return value

    def set_base_url(self, api_url: str) -> None:
        with self.lock:
            if api_url.rstrip("/") == self.renderer.api:
                return
            self.renderer = Renderer(api_url, self.config.html_url)
            self.alert_renderer = AlertRenderer(self.renderer)
            for org in self.orgs.values():
                org.cache.clear()
                for repo in org.repos.values():
                    repo.cache.clear()

    def now(self) -> int:
        return int(self.clock.now())

    # lookups -------------------------------------------------------------------------

    def org(self, login: str) -> Org | None:
        return self.orgs.get(login.lower())

    def repo(self, full_name: str) -> Repo | None:
        owner, _, name = full_name.partition("/")
        org = self.org(owner)
        return None if org is None else org.repos.get(name.lower())

    def require_repo(self, full_name: str) -> Repo:
        repo = self.repo(full_name)
        if repo is None:
            raise NotFoundError(full_name)
        return repo

    def user(self, login: str) -> User | None:
        return self.users.get(login.lower())

    # creation ------------------------------------------------------------------------

    def add_user(self, login: str, kind: str = "User", *, site_admin: bool = False) -> User:
        with self.lock:
            existing = self.user(login)
            if existing is not None:
                return existing
            user = User(login, self.next_id("user", 1001), kind, site_admin)
            self.users[login.lower()] = user
            return user

    def add_org(self, login: str, created: int | None = None) -> Org:
        with self.lock:
            existing = self.org(login)
            if existing is not None:
                return existing
            org_id = self.next_id("org", 9001)
            org = Org(
                login, org_id, installation_id=org_id + 50_000_000, created=created or self.now()
            )
            self.orgs[login.lower()] = org
            return org

    def add_member(self, org: Org, login: str) -> User:
        user = self.add_user(login)
        org.members[login.lower()] = user
        return user

    def add_team(self, org: Org, slug: str, name: str, description: str | None = None) -> Team:
        team = Team(self.next_id("team", 301), slug, name, description, org.login)
        org.teams[slug] = team
        return team

    def add_repo(self, org: Org, name: str, **attrs: Any) -> Repo:
        with self.lock:
            now = self.now()
            attrs.setdefault("language", "Python")
            attrs.setdefault("visibility", "private")
            attrs.setdefault("description", None)
            attrs.setdefault("created", now)
            attrs.setdefault("pushed", attrs["created"])
            repo = Repo(id=self.next_id("repo", 100_001), org=org, name=name, **attrs)
            repo.updated = repo.pushed
            org.repos[name.lower()] = repo
            self.repos_by_id[repo.id] = repo
            return repo

    def new_token_value(self, prefix: str) -> str:
        self._token_counter += 1
        digest = hashlib.sha256(f"{prefix}{self._token_counter}".encode()).hexdigest()
        return prefix + digest[:36]

    def add_token(
        self,
        *,
        permissions: dict[str, str] | Iterable[str] | None = None,
        orgs: Iterable[str] | None = None,
        user: str = "mona",
        kind: str = "pat",
        budget: int | None = None,
        value: str | None = None,
        expires_at: float | None = None,
        installation_id: int | None = None,
    ) -> str:
        """Register a token and return its value.

        ``permissions`` is ``{name: "read"|"write"}`` or a list of names (write access);
        None grants :data:`ALL_PERMISSIONS`. ``orgs`` limits which orgs the token sees.
        """
        with self.lock:
            if permissions is None:
                perms = dict(ALL_PERMISSIONS)
            elif isinstance(permissions, dict):
                perms = dict(permissions)
            else:
                perms = dict.fromkeys(permissions, "write")
            if budget is None:
                budget = (
                    self.config.installation_budget
                    if kind == "installation"
                    else self.config.pat_budget
                )
            token_value = value or self.new_token_value(
                "ghs_" if kind == "installation" else "ghp_"
            )
            self.tokens[token_value] = Token(
                value=token_value,
                kind=kind,
                user=self.add_user(user, "Bot" if user.endswith("[bot]") else "User"),
                permissions=perms,
                orgs=None if orgs is None else {o.lower() for o in orgs},
                budget=budget,
                expires_at=expires_at,
                installation_id=installation_id,
            )
            return token_value

    # runtime mutators (for mid-run tests) ---------------------------------------------

    def _token(self, value: str) -> Token:
        token = self.tokens.get(value)
        if token is None:
            raise NotFoundError(value)
        return token

    def revoke_token(self, value: str) -> None:
        with self.lock:
            self._token(value).revoked = True

    def remove_permission(self, value: str, permission: str) -> None:
        with self.lock:
            self._token(value).permissions.pop(permission, None)

    def grant_permission(self, value: str, permission: str, level: str = "write") -> None:
        with self.lock:
            self._token(value).permissions[permission] = level

    def set_token_orgs(self, value: str, orgs: Iterable[str] | None) -> None:
        with self.lock:
            self._token(value).orgs = None if orgs is None else {o.lower() for o in orgs}

    def archive_repo(self, full_name: str, archived: bool = True) -> None:
        with self.lock:
            repo = self.require_repo(full_name)
            repo.archived = archived
            repo.updated = self.now()
            repo.touch()

    def rename_repo(self, full_name: str, new_full_name: str) -> Repo:
        """Rename ``OWNER/REPO`` to ``NEW_OWNER/NEW_REPO`` (another owner: a transfer).

        The repository keeps its id, alerts (and their numbers) and issues (and theirs);
        the old name answers with a redirect from now on, as on GitHub.
        """
        new_owner, _, new_name = new_full_name.partition("/")
        if not new_owner or not new_name or "/" in new_name:
            raise ValueError(f"expected OWNER/REPO, got {new_full_name!r}")
        with self.lock:
            repo = self.require_repo(full_name)
            target = self.org(new_owner)
            if target is None:
                raise NotFoundError(new_owner)
            clash = target.repos.get(new_name.lower())
            if clash is not None and clash is not repo:
                raise ValueError(f"{new_full_name} already exists")
            old_org = repo.org
            del old_org.repos[repo.name.lower()]
            if target is not old_org:
                for kind in ALERT_KINDS:
                    moving = list(self.repo_alerts(repo, kind))
                    kept = [a for a in self.org_alerts(old_org, kind) if a.repo is not repo]
                    self.org_alerts(old_org, kind)[:] = kept
                    listed = self.org_alerts(target, kind)
                    listed.extend(moving)
                    listed.sort(key=lambda a: a.gid)
            self.moved[repo.full_name.lower()] = repo.id
            repo.org, repo.name = target, new_name
            target.repos[new_name.lower()] = repo
            # A name taken again is a repository of its own, no longer a redirect.
            self.moved.pop(repo.full_name.lower(), None)
            repo.updated = self.now()
            repo.touch()
            old_org.cache.clear()
            target.cache.clear()
            self.alerts_changed()
            return repo

    def delete_issue(self, full_name: str, number: int) -> None:
        """Delete an issue as an admin does: its number stays taken, and reading it answers
        410 Gone from now on."""
        with self.lock:
            issue = self._issue(full_name, number)
            issue.deleted = True
            issue.repo.touch()

    def transfer_issue(self, full_name: str, number: int, to: str) -> int:
        """Transfer an issue to the repository ``to`` (GitHub's "Transfer issue"): it gets
        the next number there, keeps its title, body, state, assignees who can be, comments
        and labels (created there when missing); its old address answers 301. Returns the
        new number."""
        with self.lock:
            issue = self._issue(full_name, number)
            target = self.require_repo(to)
            if target is issue.repo:
                raise ValueError(f"{full_name}#{number} is in {to} already")
            labels = []
            for label in issue.labels:
                known = target.labels if target.labels is not None else {}
                found = known.get(label.name.lower())
                if found is None:
                    found = Label(self.next_id("label", 5001), label.name, label.color, None)
                    if target.labels is None:
                        target.labels = {}
                    target.labels[label.name.lower()] = found
                labels.append(found)
            moved = Issue(
                id=issue.id,  # the same issue, at a new address
                repo=target,
                number=len(target.issues) + 1,
                title=issue.title,
                body=issue.body,
                user=issue.user,
                created=issue.created,
                updated=self.now(),
                labels=labels,
                assignees=[u for u in issue.assignees if u in target.org.members.values()],
                state=issue.state,
                state_reason=issue.state_reason,
                closed_at=issue.closed_at,
                closed_by=issue.closed_by,
            )
            moved.comments = [
                Comment(c.id, moved, c.body, c.user, c.created, c.updated) for c in issue.comments
            ]
            target.issues.append(moved)
            issue.transferred_to = moved
            issue.repo.touch()
            target.touch()
            return moved.number

    def _issue(self, full_name: str, number: int) -> Issue:
        repo = self.require_repo(full_name)
        if not 1 <= number <= len(repo.issues) or not repo.issues[number - 1].present:
            raise NotFoundError(f"{full_name}#{number}")
        return repo.issues[number - 1]

    def moved_to(self, full_name: str) -> Repo | None:
        """The repository an old name now redirects to, if any."""
        repo_id = self.moved.get(full_name.lower())
        return None if repo_id is None else self.repos_by_id.get(repo_id)

    def set_feature(self, full_name: str, feature: str, enabled: bool) -> None:
        """Turn ``code_scanning``, ``secret_scanning``, ``dependabot`` or ``has_issues`` (the
        Issues feature) on or off."""
        if feature not in FEATURES:
            raise ValueError(f"unknown feature {feature!r}")
        with self.lock:
            repo = self.require_repo(full_name)
            setattr(repo, feature, enabled)
            if feature == "has_issues":
                repo.updated = self.now()  # a settings change, as archiving is
            repo.touch()
            self.alerts_changed()

    def blank_alerts(
        self, org_login: str, kinds: Iterable[str] = ALERT_KINDS, blank: bool = True
    ) -> None:
        """Make the org-level alert listings of ``kinds`` return nothing (or restore them)."""
        with self.lock:
            org = self.org(org_login)
            if org is None:
                raise NotFoundError(org_login)
            for kind in kinds:
                if kind not in ALERT_KINDS:
                    raise ValueError(f"unknown alert kind {kind!r}")
                if blank:
                    org.blanked.add(kind)
                else:
                    org.blanked.discard(kind)

    def alerts_changed(self) -> None:
        self.alert_version += 1
        self._listings.clear()

    def alert(self, repo: Repo, kind: str, number: int) -> Alert | None:
        alerts: list[Any] = self.repo_alerts(repo, kind)
        if 1 <= number <= len(alerts):
            found: Alert = alerts[number - 1]
            return found
        return None

    def set_alert_state(
        self,
        full_name: str,
        kind: str,
        number: int,
        state: str,
        *,
        reason: str | None = None,
        comment: str | None = None,
        by: str | None = "mona",
    ) -> None:
        """Change an alert's state as GitHub would (timestamps and reasons included)."""
        with self.lock:
            repo = self.require_repo(full_name)
            alert = self.alert(repo, kind, number)
            if alert is None:
                raise NotFoundError(f"{full_name} {kind} #{number}")
            user = None if by is None else self.add_user(by)
            apply_state(alert, state, self.now(), reason=reason, comment=comment, by=user)
            self.alerts_changed()

    def null_field(self, full_name: str, kind: str, number: int, field: str) -> None:
        """Make a field GitHub's schema marks nullable null: a code scanning alert's
        ``state`` or a secret scanning alert's ``updated_at``. Nothing else changes."""
        with self.lock:
            repo = self.require_repo(full_name)
            alert = self.alert(repo, kind, number)
            if alert is None:
                raise NotFoundError(f"{full_name} {kind} #{number}")
            if isinstance(alert, CodeScanningAlert) and field == "state":
                alert.state = None
            elif isinstance(alert, SecretScanningAlert) and field == "updated_at":
                alert.updated_known = False
            else:
                raise ValueError(f"{kind} alerts have no nullable field {field!r}")
            self.alerts_changed()

    def repo_alerts(self, repo: Repo, kind: str) -> list[Any]:
        if kind == "code-scanning":
            return repo.code_alerts
        if kind == "dependabot":
            return repo.dependabot_alerts
        if kind == "secret-scanning":
            return repo.secret_alerts
        raise ValueError(f"unknown alert kind {kind!r}")

    def org_alerts(self, org: Org, kind: str) -> list[Any]:
        if kind == "code-scanning":
            return org.code_alerts
        if kind == "dependabot":
            return org.dependabot_alerts
        if kind == "secret-scanning":
            return org.secret_alerts
        raise ValueError(f"unknown alert kind {kind!r}")

    # listings ------------------------------------------------------------------------

    def listing(self, scope: Org | Repo, kind: str, args: dict[str, str], sort: str) -> Listing:
        """The filtered, sorted listing (cached until an alert changes)."""
        filter_key, keep = _FILTERS[kind](args)
        key = (id(scope), kind, filter_key, sort)
        cached = self._listings.get(key)
        if cached is not None:
            self._listings.move_to_end(key)
            return cached
        if isinstance(scope, Org):
            feature = kind.replace("-", "_")
            alerts = [a for a in self.org_alerts(scope, kind) if getattr(a.repo, feature)]
        else:
            alerts = self.repo_alerts(scope, kind)
        listing = build_listing(alerts, keep, sort)
        self._listings[key] = listing
        while len(self._listings) > 16:
            self._listings.popitem(last=False)
        return listing


def apply_state(
    alert: Alert,
    state: str,
    now: int,
    *,
    reason: str | None = None,
    comment: str | None = None,
    by: User | None = None,
) -> None:
    """Move an alert to ``state``, keeping GitHub's timestamp and reason fields coherent."""
    if isinstance(alert, CodeScanningAlert):
        if state not in ("open", "dismissed", "fixed"):
            raise ValueError(f"invalid code scanning state {state!r}")
        alert.fixed_at = now if state == "fixed" else None
        dismissed = state == "dismissed"
        alert.dismissed_at = now if dismissed else None
        alert.dismissed_reason = (reason or "false positive") if dismissed else None
        alert.dismissed_comment = comment if dismissed else None
        alert.dismissed_by = by if dismissed else None
    elif isinstance(alert, DependabotAlert):
        if state not in ("open", "dismissed", "fixed", "auto_dismissed"):
            raise ValueError(f"invalid Dependabot state {state!r}")
        alert.fixed_at = now if state == "fixed" else None
        dismissed = state == "dismissed"
        alert.dismissed_at = now if dismissed else None
        alert.dismissed_reason = (reason or "tolerable_risk") if dismissed else None
        alert.dismissed_comment = comment if dismissed else None
        alert.dismissed_by = by if dismissed else None
        alert.auto_dismissed_at = now if state == "auto_dismissed" else None
    elif isinstance(alert, SecretScanningAlert):
        if state not in ("open", "resolved"):
            raise ValueError(f"invalid secret scanning state {state!r}")
        resolved = state == "resolved"
        alert.resolution = (reason or "revoked") if resolved else None
        alert.resolved_at = now if resolved else None
        alert.resolved_by = by if resolved else None
        alert.resolution_comment = comment if resolved else None
    alert.state = state
    alert.updated = max(now, alert.created)
