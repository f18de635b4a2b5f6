"""The interface every alert source implements, and the value it returns."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from campaign_sync.model import Alert, Repository


@dataclass(frozen=True, slots=True, order=True)
class Skipped:
    """A repository (or organization) whose alerts of one type could not be read.

    Its alerts are unknown, not fixed: the reconciler must leave them as they were.
    """

    scope: str  # "acme/web", or "acme" for an organization
    alert_type: str
    reason: str


@dataclass(frozen=True, slots=True)
class SourceResult:
    alerts: tuple[Alert, ...]
    # Metadata of the repositories the source knows (topics, custom properties, archived),
    # sorted by full name; may be empty when the source has none (SARIF).
    repositories: tuple[Repository, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    # For incremental listing: the newest `updated_at` seen (ISO 8601), if the source has one.
    watermark: str | None = None
    requests: int = 0
    # The token's primary rate limit left after fetching (x-ratelimit-remaining), if known.
    rate_remaining: int | None = None
    # What the user should know about these alerts (alerts skipped for a null field, data
    # an incremental listing cannot refresh): shown on stderr and in the plan, not errors.
    notes: tuple[str, ...] = ()
    # Ids of alerts in a closed state (fixed, dismissed, resolved) that this run did not list
    # but took from the alert store (the Actions cache, writable by others): they never
    # close a member that the ledger has open, until a listing confirms them.
    unconfirmed: frozenset[str] = frozenset()
    # Alert id prefixes this source lists in full (SARIF: one per repository and tool whose
    # scan ran): a member under one of them that this run did not list was fixed.
    covered: frozenset[str] = frozenset()


class AlertSource(Protocol):
    """Where alerts come from.

    Contract:
    - ``fetch`` must return every alert the source can see, each once, sorted by ``id``.
    - It must never return a secret's value, and must not fetch one when it can avoid it.
    - A repository or organization that cannot be read must be listed in ``skipped`` and
      its alerts left out; the absence of an alert from a readable scope means the source
      no longer reports it (for SARIF: the finding was fixed).
    - It may raise SourceError for a failure that makes the whole source unusable
      (bad credentials, unreadable file), with a message a user can act on.
    - ``expected`` holds the ids of the alerts the ledgers have open: a source that lists
      incrementally reads again, in full, where some were not returned (github.py); one
      that always reads everything ignores it.
    """

    @property
    def name(self) -> str: ...

    def fetch(self, expected: Collection[str] = ()) -> SourceResult: ...
