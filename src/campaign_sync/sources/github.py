"""Alerts from GitHub's API: a whole organization, or one repository."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Iterable

from campaign_sync.errors import SourceError
from campaign_sync.github.exchange import RequestFailed
from campaign_sync.github.listing import (
    ORG_PATHS,
    REPO_PATHS,
    AlertQuery,
    Progress,
    ProgressCallback,
    explain,
    feature_disabled,
    iter_alerts,
)
from campaign_sync.github.repositories import get_repository, list_repositories
from campaign_sync.github.transport import Transport
from campaign_sync.model import ALERT_TYPES, Alert, AlertType, Repository
from campaign_sync.renames import current_names, rename_alert_id
from campaign_sync.sources import github_json
from campaign_sync.sources.base import Skipped, SourceResult
from campaign_sync.sources.incremental import (
    FULL_LISTING_EVERY,
    REPOSITORIES_EVERY,
    StoreOptions,
    incremental,
    load_store,
    save_store,
    staleness,
    stamp,
)
from campaign_sync.sources.relist import RELIST_AT_MOST, missing, relist
from campaign_sync.sources.store import StoredListing
from campaign_sync.untrusted.terminal import printable


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
        store: StoreOptions | None = None,
    ) -> None:
        self._transport = transport
        self._scope = scope.strip("/")
        self._types = tuple(t for t in ALERT_TYPES if t in set(alert_types))
        self._queries = queries or {}
        self._include_repositories = include_repositories
        self._on_page = on_page
        # The store only holds complete listings: a filtered one (`alerts --state`) skips it.
        self._store = store if not self._queries else None
        self._updated = 0
        self._listed: list[Alert] = []  # alerts this run listed that the store had not
        self._without = Counter[tuple[AlertType, str]]()  # (type, null field) -> alerts
        # Closed alerts the store holds and this run has not listed (yet).
        self._unconfirmed: set[str] = set()

    @property
    def name(self) -> str:
        return f"github:{self._scope}"

    @property
    def transport(self) -> Transport:
        """The connection it lists through (plan reads GitHub's live limits through it)."""
        return self._transport

    @property
    def is_repository(self) -> bool:
        return "/" in self._scope

    def fetch(self, expected: Collection[str] = ()) -> SourceResult:
        """``expected``: ids of the alerts the ledgers have open. After an incremental
        listing, the repositories where some were not returned are listed again (relist.py).
        """
        stored = load_store(self._store, self._scope)
        alerts: dict[str, Alert] = {a.id: a for a in stored.alerts} if stored else {}
        self._unconfirmed = {a.id for a in stored.alerts if a.state != "open"} if stored else set()
        self._updated = 0  # alerts listed that the store did not have as they are now
        self._listed = []
        self._without.clear()
        skipped: list[Skipped] = []
        watermark: str | None = None
        for alert_type in self._types:
            query = self._queries.get(alert_type, AlertQuery())
            if stored is not None and alert_type in stored.watermarks:
                query = incremental(query, stored.watermarks[alert_type])
            listed = Counter[str]()
            newest = self._list(alert_type, query, alerts, skipped, listed)
            watermark = max(filter(None, (watermark, newest)), default=None)
            if query.since is not None and not listed["first page"]:
                # Newest first, GitHub's first page holds the newest alerts whether or not
                # they changed: empty, where the last run listed some, means they are gone
                # from the token's view, not that nothing changed.
                raise SourceError(
                    f"{self.name}: GitHub listed no {alert_type} alerts at all, where the last "
                    f"run saw some: the token has probably lost access (a permission, or the "
                    "organization). Nothing was changed; check the token, or run with "
                    "--full-listing if the alerts are really gone"
                )
        repositories, listed_at = self._repositories_of(stored)
        relisted: tuple[str, ...] = ()
        if stored is not None:
            repositories = self._follow_renames(alerts, repositories, stored.repositories)
            if expected and not self.is_repository:
                relisted = self._relist(expected, alerts, repositories)
        if self._store is not None and self._store_changed(stored, listed_at):
            save_store(self._store, self._scope, stored, alerts, repositories, listed_at)
        if stored is not None:
            watermark = max(filter(None, (watermark, *stored.watermarks.values())), default=None)
        return SourceResult(
            alerts=tuple(alerts[k] for k in sorted(alerts)),
            repositories=repositories,
            skipped=tuple(sorted(skipped)),
            watermark=watermark,
            requests=self._transport.stats.requests,
            rate_remaining=self._transport.rate_limit.remaining,
            notes=self._notes() + relisted + staleness(self.name, stored, self._types),
            unconfirmed=frozenset(self._unconfirmed),
        )

    def _notes(self) -> tuple[str, ...]:
        """What the user must know of this listing: alerts GitHub sent with a null field."""
        notes = []
        for (alert_type, field), count in sorted(self._without.items()):
            alerts = f"{count} {alert_type} alert{'s' if count != 1 else ''}"
            if field == "state":
                notes.append(
                    f"{self.name}: {alerts} without a state (GitHub sent null) "
                    f"{'was' if count == 1 else 'were'} skipped: open or not is unknown, "
                    "so they are left as the last run saw them"
                )
            else:
                notes.append(
                    f"{self.name}: {alerts} without an updated_at (GitHub sent null): "
                    "kept; an incremental listing cannot tell when they change, the full "
                    f"listing every {FULL_LISTING_EVERY.days} days (or --full-listing) does"
                )
        return tuple(notes)

    def _list(
        self,
        alert_type: AlertType,
        query: AlertQuery,
        alerts: dict[str, Alert],
        skipped: list[Skipped],
        listed: Counter[str] | None = None,
    ) -> str | None:
        """List one alert type into ``alerts``; the newest ``updated_at`` seen. ``listed``
        counts the items of the first page (``"first page"``)."""
        if not query.selects(alert_type):
            return None  # e.g. --state resolved: no code scanning alert can match
        if self.is_repository:
            path = REPO_PATHS[alert_type].format(repo=self._scope)
            repository: str | None = self._scope
        else:
            path = ORG_PATHS[alert_type].format(org=self._scope)
            repository = None
        newest: str | None = None
        progress = Progress(alert_type)  # one count over the type's listings

        def on_page(progress: Progress) -> None:
            # The first listing's first page tells whether access was lost; the generic
            # secret patterns' listing comes second and may be empty in any organization.
            if progress.pages == 1 and listed is not None:
                listed["first page"] = progress.items
            if self._on_page is not None:
                self._on_page(progress)

        try:
            for listing in query.listings(alert_type):
                for alert in iter_alerts(
                    self._transport,
                    path,
                    alert_type,
                    listing,
                    repository=repository,
                    on_page=on_page,
                    progress=progress,
                ):
                    self._unconfirmed.discard(alert.id)
                    if alerts.get(alert.id) != alert:
                        alerts[alert.id] = alert
                        self._updated += 1
                        self._listed.append(alert)
                    if alert.updated_at and (newest is None or alert.updated_at > newest):
                        newest = alert.updated_at
        except github_json.ShapeError as error:
            # GitHub answered, but not with an alert this tool can read (a proxy's
            # page, an API change): say so instead of failing with a traceback.
            raise SourceError(
                f"{self.name}: GitHub sent a {alert_type} alert that cannot be read: {error}"
            ) from None
        except RequestFailed as error:
            if self.is_repository and feature_disabled(error):
                skipped.append(Skipped(self._scope, alert_type, _reason(error)))
                return None
            raise explain(error, alert_type=alert_type, scope=self._scope) from error
        self._count_nulls(alert_type, progress)
        return newest

    def _follow_renames(
        self,
        alerts: dict[str, Alert],
        repositories: tuple[Repository, ...],
        stored: tuple[Repository, ...],
    ) -> tuple[Repository, ...]:
        """The store's alerts and repositories under the names they have now (in place for
        ``alerts``). An incremental listing does not list again the unchanged alerts of a
        repository renamed since: kept under the old name, they would be another
        repository's. Names by id from the repository listing, then from the alerts listed
        this run (fresher than a listing the store kept), then, for a repository scope,
        from GitHub's redirect."""
        current = current_names(repositories)
        current.update(current_names((), self._listed))
        scope_moved = self._transport.moved.get(self._scope) if self.is_repository else None
        before = current_names(stored)
        if before and not scope_moved and all(before.get(i, n) == n for i, n in current.items()):
            return repositories  # no id has another name: no need to look at every alert
        stale = [
            alert
            for alert in alerts.values()
            if (alert.repository_id is None and alert.repository == self._scope and scope_moved)
            or current.get(alert.repository_id or 0, alert.repository) != alert.repository
        ]
        for alert in stale:
            del alerts[alert.id]
        for alert in stale:
            name = current.get(alert.repository_id or 0) or scope_moved or alert.repository
            moved = dataclasses.replace(
                alert, id=rename_alert_id(alert.id, {alert.repository: name}), repository=name
            )
            kept = alerts.setdefault(moved.id, moved)  # one listed this run under the new name wins
            if alert.id in self._unconfirmed:
                self._unconfirmed.discard(alert.id)
                if kept is moved:
                    self._unconfirmed.add(moved.id)
            self._updated += 1
        return tuple(
            sorted(
                (
                    dataclasses.replace(r, full_name=current[r.id])
                    if r.id is not None and current.get(r.id, r.full_name) != r.full_name
                    else r
                    for r in repositories
                ),
                key=lambda r: r.full_name,
            )
        )

    def _relist(
        self,
        expected: Collection[str],
        alerts: dict[str, Alert],
        repositories: tuple[Repository, ...],
    ) -> tuple[str, ...]:
        """List again the repositories where ``expected`` open alerts were not returned;
        what is found joins ``alerts`` (and so the store). Notes of what was done."""
        wanted = missing(expected, alerts, repositories, self._types)
        if not wanted:
            return ()
        unreadable: list[str] = []
        for found in relist(self._transport, wanted[:RELIST_AT_MOST], self._queries):
            if isinstance(found, tuple):
                want, why = found
                unreadable.append(f"{want.repository} ({want.alert_type}: {why})")
                continue
            self._unconfirmed.discard(found.id)
            if alerts.get(found.id) != found:
                alerts[found.id] = found
                self._updated += 1
                self._listed.append(found)
        asked = wanted[:RELIST_AT_MOST]
        notes = [
            f"{self.name}: listed again, by repository, {len(asked)} "
            f"repositor{'y' if len(asked) == 1 else 'ies'} where the ledgers have open alerts "
            "the incremental listing did not return ("
            + ", ".join(f"{w.repository} {w.alert_type}: {w.alerts}" for w in asked[:5])
            + (", ..." if len(asked) > 5 else "")
            + ")"
        ]
        if unreadable:
            notes.append(
                f"{self.name}: still unreadable: "
                + "; ".join(unreadable[:5])
                + ("; ..." if len(unreadable) > 5 else "")
            )
        if len(wanted) > RELIST_AT_MOST:
            notes.append(
                f"{self.name}: {len(wanted) - RELIST_AT_MOST} more such repositories are listed "
                f"again by the next runs ({RELIST_AT_MOST} a run), or all at once with "
                "--full-listing"
            )
        return tuple(printable(note) for note in notes)

    def _count_nulls(self, alert_type: AlertType, progress: Progress) -> None:
        if progress.without_state:
            self._without[alert_type, "state"] += progress.without_state
        if progress.without_updated_at:
            self._without[alert_type, "updated_at"] += progress.without_updated_at

    def _repositories_of(
        self, stored: StoredListing | None
    ) -> tuple[tuple[Repository, ...], str | None]:
        """The repositories, and when they were listed: from the store when it listed them
        within the day (their topics, properties and archiving change rarely)."""
        if not self._include_repositories:
            return (), None
        if (
            self._store is not None
            and stored is not None
            and stored.repositories
            and stored.repositories_listed_at is not None
            and self._store.recent(stored.repositories_listed_at, REPOSITORIES_EVERY)
        ):
            return stored.repositories, stored.repositories_listed_at
        listed_at = stamp(self._store.now) if self._store is not None else None
        return self._repositories(), listed_at

    def _store_changed(self, stored: StoredListing | None, listed_at: str | None) -> bool:
        """Whether the store must be written again (a million alerts take seconds)."""
        return stored is None or bool(self._updated) or listed_at != stored.repositories_listed_at

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
