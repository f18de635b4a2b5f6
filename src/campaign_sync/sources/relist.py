"""Listing again, by repository, the alerts a ledger has open and an incremental listing
did not return.

An organization's incremental listing returns the alerts updated since the last run. An
alert that was unreadable during the last full listing (code scanning turned off for a
while, the App's access to the repository lost) and has not changed since is returned by
no incremental listing: until the next full listing, up to FULL_LISTING_EVERY later, its
tracking issue could not be written (plan.py leaves such an issue as it is). So the
repositories where a ledger expects open alerts the listing did not see are listed again
in full through their own endpoint, a few a run, and what is found joins the alert store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from campaign_sync.github.exchange import RequestFailed
from campaign_sync.github.listing import REPO_PATHS, AlertQuery, iter_alerts
from campaign_sync.github.transport import Transport
from campaign_sync.model import Alert, AlertType, Repository

# Repositories (of one alert type each) listed again in one run: each costs a request or
# more, and a repository whose alerts stay unreadable is asked again every run.
RELIST_AT_MOST = 20


@dataclass(frozen=True, slots=True)
class Missing:
    repository: str
    alert_type: AlertType
    alerts: int  # open alerts the ledgers expect there that the listing did not return


def missing(
    expected: Collection[str],
    listed: Mapping[str, Alert],
    repositories: Collection[Repository],
    types: Collection[AlertType],
) -> list[Missing]:
    """Where the ledgers expect open alerts (``expected``: their ids) that ``listed`` does
    not hold, in repositories still listed and not archived (an archived repository's
    alerts are frozen; one no longer listed was deleted or renamed: renames.py follows it).
    Pure; sorted by repository and type."""
    names = {r.full_name for r in repositories if not r.archived}
    counts = Counter[tuple[str, str]]()
    for alert_id in expected:
        if alert_id in listed:
            continue
        alert_type, _, rest = alert_id.partition(":")
        repository = rest.rpartition(":")[0]
        if alert_type in types and repository in names:
            counts[repository, alert_type] += 1
    return [
        Missing(repository, alert_type, count)  # type: ignore[arg-type]
        for (repository, alert_type), count in sorted(counts.items())
    ]


def relist(
    transport: Transport, wanted: list[Missing], queries: Mapping[AlertType, AlertQuery]
) -> Iterator[Alert | tuple[Missing, str]]:
    """Every alert of each wanted repository and type, through the repository endpoint;
    for one that cannot be read, ``(missing, why)`` instead (still unreadable: the plan's
    note says so, and the next run asks again)."""
    for want in wanted:
        path = REPO_PATHS[want.alert_type].format(repo=want.repository)
        query = queries.get(want.alert_type, AlertQuery())
        try:
            for listing in query.listings(want.alert_type):
                yield from iter_alerts(
                    transport, path, want.alert_type, listing, repository=want.repository
                )
        except RequestFailed as error:
            message = error.data.get("message") if isinstance(error.data, dict) else None
            yield want, str(message or f"HTTP {error.status}")
