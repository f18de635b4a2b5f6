"""``FakeGitHub``: a seeded fake GitHub REST API served over real HTTP on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from . import git_backend
from .auth import make_jwt
from .catalog import Catalog
from .churn import churn
from .clock import Clock
from .config import FakeConfig, FaultConfig
from .control import make_control
from .dispatcher import Dispatcher
from .factory import add_alert_at_runtime
from .faults import FaultInjector
from .model import ALERT_KINDS
from .ratelimit import rate_identity
from .routes_pulls import pull_dict
from .seed import seed_org, seed_ui_campaigns
from .server import FakeHTTPServer
from .stats import Stats
from .store import State


class FakeGitHub:
    """A fake GitHub for one organization (more can be seeded into ``state``).

    ``FakeGitHub(repos=8, alerts=300, seed=1)`` seeds the org deterministically; ``start()``
    (or ``with``) serves it on ``host:port`` (port 0: any free port) in a background thread.
    ``url`` is the API base URL, ``token`` a personal access token with every permission
    (hourly budget ``token_budget``, default ``config.pat_budget``).
    """

    def __init__(
        self,
        *,
        repos: int = 5,
        alerts: int = 150,
        seed: int = 0,
        org: str = "acme",
        simulated_clock: bool = False,
        clock: Clock | None = None,
        config: FakeConfig | None = None,
        faults: FaultConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        token_budget: int | None = None,
        ui_campaigns: int = 0,
    ) -> None:
        self.clock = clock or Clock(simulated=simulated_clock)
        self.config = config or FakeConfig()
        if faults is not None:
            self.config.faults = faults
        self.state = State(self.clock, self.config)
        self.catalog = Catalog(seed)
        self.org = org
        the_org = seed_org(
            self.state, org=org, repos=repos, alerts=alerts, seed=seed, catalog=self.catalog
        )
        seed_ui_campaigns(self.state, the_org, ui_campaigns)
        self.token = self.state.add_token(user="mona", budget=token_budget)
        self.stats = Stats(self.config.log_limit)
        self.faults = FaultInjector(self.config.faults)
        self.dispatcher = Dispatcher(self.state, self.stats, self.faults, make_control(self))
        self._host, self._port = host, port
        self._server: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None

    # lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        if self._server is not None:
            return self
        server = FakeHTTPServer((self._host, self._port), self.dispatcher)
        port = server.server_address[1]
        self._url = f"http://{self._host}:{port}"
        self.state.set_base_url(self.config.public_url or self._url)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-github-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API base URL (``http://127.0.0.1:PORT``); the fake must be started."""
        if self._url is None:
            raise RuntimeError("FakeGitHub is not started")
        return self.config.public_url or self._url

    # introspection ---------------------------------------------------------------------

    def repo_names(
        self, org: str | None = None, *, archived: bool | None = None, complete: bool = False
    ) -> list[str]:
        """Full names of the org's repositories, in creation order.

        ``archived`` filters on archival; ``complete`` keeps only repositories with code
        scanning, secret scanning and Dependabot all enabled.
        """
        the_org = self.state.org(org or self.org)
        assert the_org is not None
        return [
            r.full_name
            for r in sorted(the_org.repos.values(), key=lambda r: r.id)
            if (archived is None or r.archived == archived)
            and (not complete or (r.code_scanning and r.secret_scanning and r.dependabot))
        ]

    def alert_count(self, kind: str, org: str | None = None) -> int:
        """Alerts of a kind the org-level endpoint lists (feature-enabled repositories)."""
        with self.state.lock:
            the_org = self.state.org(org or self.org)
            assert the_org is not None
            feature = kind.replace("-", "_")
            return sum(1 for a in self.state.org_alerts(the_org, kind) if getattr(a.repo, feature))

    def snapshot(self) -> dict[str, Any]:
        """Counters: total, writes, not_modified, primary_counted, faults, by_route, ..."""
        return self.stats.snapshot()

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """The request log (method, path, route, status, fault, counted, write, ...)."""
        return self.stats.entries(since)

    def reset_stats(self) -> None:
        self.stats.reset()

    # auth --------------------------------------------------------------------------------

    @property
    def app_id(self) -> int:
        return self.config.app_id

    def app_jwt(self, ttl: int = 540) -> str:
        """A JWT for the app (unsigned; the fake checks only its shape, ``iss`` and ``exp``)."""
        return make_jwt(self.config.app_id, self.clock.now(), ttl)

    def installation_id(self, org: str | None = None) -> int:
        the_org = self.state.org(org or self.org)
        assert the_org is not None
        return the_org.installation_id

    def add_token(
        self,
        *,
        permissions: dict[str, str] | Iterable[str] | None = None,
        orgs: Iterable[str] | None = None,
        user: str = "mona",
        kind: str = "pat",
        budget: int | None = None,
        value: str | None = None,
    ) -> str:
        """A new token; ``permissions`` None means all, ``orgs`` None means every org."""
        return self.state.add_token(
            permissions=permissions, orgs=orgs, user=user, kind=kind, budget=budget, value=value
        )

    def revoke_token(self, token: str) -> None:
        self.state.revoke_token(token)

    def remove_permission(self, token: str, permission: str) -> None:
        self.state.remove_permission(token, permission)

    def grant_permission(self, token: str, permission: str, level: str = "write") -> None:
        self.state.grant_permission(token, permission, level)

    def set_rate_limit_remaining(self, token: str, remaining: int, resource: str = "core") -> None:
        """Set what is left of a token's current window (e.g. 0 to exhaust it)."""
        with self.state.lock:
            tok = self.state.tokens[token]
            key, limit = rate_identity(tok, None)
            if resource == "search":
                limit = self.config.search_budget
            self.dispatcher.primary.set_remaining(key, resource, limit, remaining)

    # runtime changes -----------------------------------------------------------------------

    def archive_repo(self, full_name: str, archived: bool = True) -> None:
        self.state.archive_repo(full_name, archived)

    def rename_repo(self, full_name: str, new_full_name: str) -> int:
        """Rename a repository, or transfer it to another organization (``new_full_name``
        names another owner, which must exist). It keeps its id (returned), its alerts and
        issues with their numbers; its old name answers 301 (GET) or 307 (other methods),
        with a Location under ``/repositories/{id}``."""
        return self.state.rename_repo(full_name, new_full_name).id

    # git: branches, rulesets, pull requests (Python only) ----------------------------

    def attach_git(self, full_name: str, git_dir: str | Path) -> None:
        """Serve this bare repository as ``full_name``'s git data: its branches are what
        pull requests compare and what ``createCommitOnBranch`` writes; clone it over
        ``file://``. Installs the pre-receive hook that enforces ``protect_branch``."""
        with self.state.lock:
            git_backend.attach(self.state.require_repo(full_name), git_dir)

    def protect_branch(
        self, full_name: str, branch: str, *, bypass: Iterable[str] = (), protected: bool = True
    ) -> None:
        """A ruleset requiring pull requests on ``branch``; ``bypass`` are the logins on its
        bypass list (bypass mode Always): for pushes, the ``FAKE_GITHUB_PUSHER`` a push
        runs with, for the API, the token's user."""
        with self.state.lock:
            repo = self.state.require_repo(full_name)
            if protected:
                repo.rules[branch] = set(bypass)
            else:
                repo.rules.pop(branch, None)
            git_backend.write_rules(repo)

    def merge_pull(self, full_name: str, number: int, *, squash: bool = False) -> str:
        """A reviewer presses the merge button (rulesets satisfied): the pull request's
        head merged into its base (or squashed), the pull request closed; the new oid."""
        with self.state.lock:
            repo = self.state.require_repo(full_name)
            pull = next(p for p in repo.pulls if p.number == number)
            tip = git_backend.head(repo, pull.head)
            assert tip is not None
            # A repository's merge_commit_title defaults to MERGE_MESSAGE: "default to the
            # classic title for a merge message (e.g., Merge pull request #123 from
            # branch-name)", the pull request's title below it; a squash is titled
            # "TITLE (#123)" (@octokit/openapi, repository.merge_commit_title and
            # squash_merge_commit_title).
            if squash:
                message = f"{pull.issue.title} (#{number})\n"
            else:
                owner = full_name.split("/", 1)[0]
                message = f"Merge pull request #{number} from {owner}/{pull.head}\n\n"
                message += f"{pull.issue.title}\n"
            oid = git_backend.merge(
                repo, pull.base, tip, message=message, squash=squash, when=self.state.now()
            )
            pull.issue.state = "closed"
            pull.issue.closed_at = self.state.now()
            return oid

    def allow_auto_merge(self, full_name: str, allowed: bool = True) -> None:
        """The repository setting *Allow auto-merge*."""
        with self.state.lock:
            self.state.require_repo(full_name).allow_auto_merge = allowed

    def pulls(self, full_name: str) -> list[dict[str, Any]]:
        """Every pull request of the repository, as GitHub renders one."""
        with self.state.lock:
            repo = self.state.require_repo(full_name)
            return [pull_dict(self.state.renderer, p, full=True) for p in repo.pulls]

    def delete_issue(self, full_name: str, number: int) -> None:
        """Delete an issue, as an organization owner or repository admin can: reading it
        answers 410 Gone from now on, and listings leave it out."""
        self.state.delete_issue(full_name, number)

    def transfer_issue(self, full_name: str, number: int, to: str) -> int:
        """Transfer an issue to the repository ``to``; returns its number there. Its old
        address answers 301 with a Location under ``/repositories/{id}/issues/{number}``."""
        return self.state.transfer_issue(full_name, number, to)

    def set_feature(self, full_name: str, feature: str, enabled: bool) -> None:
        """``feature``: code_scanning | secret_scanning | dependabot | has_issues (Issues)."""
        self.state.set_feature(full_name, feature, enabled)

    def blank_alerts(
        self, org: str | None = None, kinds: Iterable[str] = ALERT_KINDS, blank: bool = True
    ) -> None:
        """Make org-level alert listings return ``[]`` (as for a token that lost access)."""
        self.state.blank_alerts(org or self.org, kinds, blank)

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
        self.state.set_alert_state(
            full_name, kind, number, state, reason=reason, comment=comment, by=by
        )

    def change_advisory(
        self,
        ghsa_id: str,
        *,
        severity: str | None = None,
        first_patched_version: str | None = None,
    ) -> None:
        """Change an advisory as GitHub's curators do (a new severity, a patch released):
        every Dependabot alert of it shows the change, and none is re-sorted.

        "List Dependabot alerts for an organization", `sort`: "`updated` means when the
        alert's state last changed." An advisory change is not a state change, so the
        alerts keep their `updated_at` and their place in `sort=updated` listings: an
        incremental listing stopping at the watermark cannot see it, as on GitHub.
        """
        with self.state.lock:
            advisory = self.catalog.advisories_by_id[ghsa_id]
            if severity is not None:
                advisory.severity = severity
            if first_patched_version is not None:
                advisory.first_patched_version = first_patched_version or None
            advisory.updated_at = self.state.now()  # the advisory's own, not the alerts'
            self.state.alert_renderer.forget_advisory(advisory)
            self.state.alerts_changed()  # severity and `has=patch` filters see it at once

    def null_field(self, full_name: str, kind: str, number: int, field: str) -> None:
        """Send a field GitHub's schema marks nullable as null from now on: a code scanning
        alert's ``state`` or a secret scanning alert's ``updated_at``."""
        self.state.null_field(full_name, kind, number, field)

    def churn(self, fraction: float, seed: int = 0, org: str | None = None) -> dict[str, Any]:
        """Fix, dismiss, resolve or reopen ``fraction`` of the org's alerts at once (see
        ``churn.churn``); returns the counts by type and by what happened."""
        return churn(self.state, org or self.org, fraction, seed)

    def add_alert(self, full_name: str, kind: str, **fields: Any) -> int:
        """Add an alert now and return its number (see ``factory.add_alert_at_runtime``)."""
        return add_alert_at_runtime(self.state, self.catalog, full_name, kind, **fields)

    def set_faults(
        self,
        *,
        rate: float | None = None,
        kinds: Iterable[str] | None = None,
        seed: int | None = None,
        timeout_hold: float | None = None,
        exempt_control: bool | None = None,
        ambiguous_writes: bool | None = None,
    ) -> None:
        """Change fault injection at runtime; a ``seed`` restarts the sequence."""
        self.faults.configure(
            rate=rate,
            kinds=None if kinds is None else tuple(kinds),
            seed=seed,
            timeout_hold=timeout_hold,
            exempt_control=exempt_control,
            ambiguous_writes=ambiguous_writes,
        )
