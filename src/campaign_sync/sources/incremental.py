"""Incremental listing: what the alert store lets a run skip, and how fresh what it skips
is. Alerts are listed newest-updated first down to the last run's watermark (less an
hour); the rest come from the store, listed again in full once a week. The store is a
cache others can write: loaded only when it passes its checks, written without following
a link."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from campaign_sync.errors import SourceError
from campaign_sync.files import UnsafePath
from campaign_sync.github.listing import (
    AlertQuery,
)
from campaign_sync.model import Alert, AlertType, Repository
from campaign_sync.sources.store import StoredListing, check_listing, save_listing, store_path
from campaign_sync.untrusted.terminal import printable

# An incremental listing starts this long before the watermark: an alert updated while the
# last listing was paging (and so skipped by it) is still read.
WATERMARK_MARGIN = timedelta(hours=1)


# Every alert is listed again this often: an alert deleted on GitHub (its analysis deleted,
# its repository gone) never shows up in an "updated since" listing, and neither do the
# changes NOT_SEEN_INCREMENTALLY names. This is the bound on how stale those can be.
FULL_LISTING_EVERY = timedelta(days=7)


# What an incremental listing (sort=updated, newest first, stopping at the watermark) can
# rely on, per alert type, from the `sort` parameter of GitHub's "List ... alerts for an
# organization" (the README's table says the same):
# - dependabot: "`updated` means when the alert's state last changed." Only state changes
#   (fixed, dismissed, reopened) move an alert up; a new advisory severity or a patch
#   released (fix_available) does not.
# - secret-scanning: "`updated` means when the alert was updated or resolved." State and
#   resolution; GitHub does not say whether a validity check counts, so it is not relied on.
# - code-scanning: "The property by which to sort the results.", no definition: only state
#   changes are relied on, not the rule's severity and tags or the alert's location.
# The fields below are as of the last full listing (at most FULL_LISTING_EVERY old), and
# the plan says so whenever a listing was incremental.
NOT_SEEN_INCREMENTALLY: dict[AlertType, str] = {
    "code-scanning": "code scanning rule severity, CWEs and location",
    "dependabot": "Dependabot severity and fix availability",
    "secret-scanning": "secret validity",
}


# Repository metadata (topics, custom properties, archived) is listed again this often; a
# daily reconcile lists it every run. Until then a repository archived since keeps its
# alerts' states, which archiving does not change on GitHub either.
REPOSITORIES_EVERY = timedelta(hours=20)


@dataclass(frozen=True, slots=True)
class StoreOptions:
    """Where the alert store lives, and whether this run may list incrementally."""

    folder: Path
    now: datetime
    full_listing: bool = False  # --full-listing: list everything, then rewrite the store
    # The checkout the store's folder belongs to: no link below it is followed (files.py).
    root: Path | None = None

    @property
    def within(self) -> Path:
        return self.root if self.root is not None else self.folder.parent

    def usable(self, stored: StoredListing) -> bool:
        return not self.full_listing and self.recent(stored.full_listing_at, FULL_LISTING_EVERY)

    def recent(self, stamp: str, within: timedelta) -> bool:
        then = parsed_moment(stamp)
        return then is not None and timedelta(0) <= self.now - then < within


def parsed_moment(stamp: str) -> datetime | None:
    """An ISO 8601 timestamp as GitHub and the store write them, or None."""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def incremental(query: AlertQuery, watermark: str) -> AlertQuery:
    since = incremental_since(watermark)
    return dataclasses.replace(query, since=since) if since is not None else query


def incremental_since(watermark: str) -> str | None:
    moment = parsed_moment(watermark)
    return stamp(moment - WATERMARK_MARGIN) if moment is not None else None


def staleness(
    name: str, stored: StoredListing | None, types: Sequence[AlertType]
) -> tuple[str, ...]:
    """After an incremental listing: which fields are only as fresh as the last full
    listing, since GitHub's `sort=updated` does not move an alert when they change."""
    if stored is None:
        return ()
    fields = [NOT_SEEN_INCREMENTALLY[t] for t in types]
    if not fields:
        return ()
    return (
        f"{name}: listed incrementally: {'; '.join(fields)} are as of the full listing of "
        f"{stored.full_listing_at} (one every {FULL_LISTING_EVERY.days} days; "
        "--full-listing refreshes them now): GitHub's sort=updated does not show their "
        "changes",
    )


def load_store(store: StoreOptions | None, scope: str) -> StoredListing | None:
    """The alert store of ``scope``, when there is one it may list from; a store that fails
    its checks is said in one line on stderr and treated as absent."""
    if store is None:
        return None
    stored, problem = check_listing(store.folder, scope, root=store.within)
    if problem is not None:
        # Untrusted (the Actions cache): one line, never a traceback, and a full listing.
        path = store_path(store.folder, scope)
        print(
            f"campaign-sync: alert store {printable(str(path))} not used, listing every "
            f"alert again: {problem}",
            file=sys.stderr,
        )
    return stored if stored is not None and store.usable(stored) else None


def save_store(
    store: StoreOptions,
    scope: str,
    stored: StoredListing | None,
    alerts: dict[str, Alert],
    repositories: tuple[Repository, ...],
    repositories_listed_at: str | None,
) -> None:
    """Write the store of ``scope`` again: a link on the way is said, never followed."""
    watermarks: dict[str, str] = {}
    for alert in alerts.values():
        if alert.updated_at and alert.updated_at > watermarks.get(alert.type, ""):
            watermarks[alert.type] = alert.updated_at
    try:
        save_listing(
            store.folder,
            root=store.within,
            listing=StoredListing(
                scope=scope,
                full_listing_at=stored.full_listing_at if stored is not None else stamp(store.now),
                watermarks=watermarks,
                alerts=tuple(alerts[k] for k in sorted(alerts)),
                repositories=repositories,
                repositories_listed_at=repositories_listed_at,
            ),
        )
    except UnsafePath as error:
        # A link on the way (a restored cache, a commit): not followed, not fatal, since
        # the store is a cache, not the truth. The next run lists everything.
        print(f"campaign-sync: alert store not written: {error}", file=sys.stderr)
    except OSError as error:
        # A cache that cannot be written costs the next run a full listing, no more.
        raise SourceError(
            f"cannot write the alert store in {store.folder}: {error.strerror}; "
            "fix the folder's permissions or set `cache: ''` in campaign-sync.yml"
        ) from error
