"""Alerts from GitHub's API: a whole organization, or one repository."""

from __future__ import annotations

from collections.abc import Iterable

from campaign_sync.errors import SourceError
from campaign_sync.github.listing import (
    ORG_PATHS,
    REPO_PATHS,
    AlertQuery,
    ProgressCallback,
    explain,
    feature_disabled,
    get_repository,
    iter_alerts,
    list_repositories,
)
from campaign_sync.github.transport import RequestFailed, Transport
from campaign_sync.model import ALERT_TYPES, Alert, AlertType, Repository
from campaign_sync.sources import github_json
from campaign_sync.sources.base import Skipped, SourceResult


class GitHubSource:
    """Every alert of ``scope`` (``ORG`` or ``OWNER/REPO``) of the given types.

    Organization scope uses the org-level endpoints (one listing per type for the whole
    organization); repository scope uses the repository endpoints, and a repository
    without the feature enabled is reported in ``skipped`` while the run goes on.
    """

    def __init__(
        self,
        transport: Transport,
        scope: str,
        *,
        alert_types: Iterable[AlertType] = ALERT_TYPES,
        queries: dict[AlertType, AlertQuery] | None = None,
        include_repositories: bool = True,
        on_page: ProgressCallback | None = None,
    ) -> None:
        self._transport = transport
        self._scope = scope.strip("/")
        self._types = tuple(t for t in ALERT_TYPES if t in set(alert_types))
        self._queries = queries or {}
        self._include_repositories = include_repositories
        self._on_page = on_page

    @property
    def name(self) -> str:
        return f"github:{self._scope}"

    @property
    def is_repository(self) -> bool:
        return "/" in self._scope

    def fetch(self) -> SourceResult:
        alerts: dict[str, Alert] = {}
        skipped: list[Skipped] = []
        watermark: str | None = None
        for alert_type in self._types:
            query = self._queries.get(alert_type, AlertQuery())
            if not query.selects(alert_type):
                continue  # e.g. --state resolved: no code scanning alert can match
            if self.is_repository:
                path = REPO_PATHS[alert_type].format(repo=self._scope)
                repository: str | None = self._scope
            else:
                path = ORG_PATHS[alert_type].format(org=self._scope)
                repository = None
            try:
                for alert in iter_alerts(
                    self._transport,
                    path,
                    alert_type,
                    query,
                    repository=repository,
                    on_page=self._on_page,
                ):
                    alerts[alert.id] = alert
                    if alert.updated_at and (watermark is None or alert.updated_at > watermark):
                        watermark = alert.updated_at
            except github_json.ShapeError as error:
                # GitHub answered, but not with an alert this tool can read (a proxy's
                # page, an API change): say so instead of failing with a traceback.
                raise SourceError(
                    f"{self.name}: GitHub sent a {alert_type} alert that cannot be read: {error}"
                ) from None
            except RequestFailed as error:
                if self.is_repository and feature_disabled(error):
                    skipped.append(Skipped(self._scope, alert_type, _reason(error)))
                    continue
                raise explain(error, alert_type=alert_type, scope=self._scope) from error
        repositories = self._repositories() if self._include_repositories else ()
        return SourceResult(
            alerts=tuple(alerts[k] for k in sorted(alerts)),
            repositories=repositories,
            skipped=tuple(sorted(skipped)),
            watermark=watermark,
            requests=self._transport.stats.requests,
            rate_remaining=self._transport.rate_limit.remaining,
        )

    def _repositories(self) -> tuple[Repository, ...]:
        try:
            if self.is_repository:
                return (get_repository(self._transport, self._scope),)
            return tuple(
                sorted(list_repositories(self._transport, self._scope), key=lambda r: r.full_name)
            )
        except github_json.ShapeError as error:
            raise SourceError(
                f"{self.name}: GitHub sent a repository that cannot be read: {error}"
            ) from None
        except RequestFailed as error:
            raise explain(error, alert_type=None, scope=self._scope) from error


def _reason(error: RequestFailed) -> str:
    message = error.data.get("message") if isinstance(error.data, dict) else None
    return str(message or f"HTTP {error.status}")
