"""What the tool records of a campaign between runs, as frozen values: its members, its
tracking issues, the repositories held back, and what other destinations record.
``ledger.py`` reads and writes them."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from campaign_sync.model.alerts import AlertState


class Member(NamedTuple):
    """An alert's place in a campaign, as the ledger records it.

    A named tuple rather than a frozen dataclass: a large organization's campaigns hold
    millions of members, and a tuple is built three times faster. It is as immutable, and
    orders the same way (by alert id first).
    """

    alert_id: str
    state: AlertState
    joined: str  # when it joined the campaign (ISO 8601, UTC)
    changed: str  # when its state last changed, as far as the tool knows
    # Only for a member that is closed, as GitHub recorded its closing ("" when it has
    # none, and in a ledger written before they were kept): the reason (won't fix,
    # revoked...), the login of who closed it, and their comment (see ``dismissal.py``).
    reason: str = ""
    by: str = ""
    comment: str = ""

    @property
    def repository(self) -> str:
        # ids are TYPE:OWNER/REPO:REST; a repository name has no ':'
        return self.alert_id.split(":", 2)[1]


@dataclass(frozen=True, slots=True)
class TrackedIssue:
    """The tracking issue of one repository, as last written by the tool."""

    repository: str
    number: int
    state: Literal["open", "closed"]
    digest: str  # of the tool-owned section last written: unchanged text means no update
    # Transferred to another repository (OWNER/NAME), where it has ``number``: followed.
    moved_to: str | None = None
    # Closed by someone else while its alerts were open, and left so
    # (``tracking.manual-close: respect``): not reopened until someone reopens it.
    closed_by_hand: bool = False

    @property
    def where(self) -> str:
        """The repository the issue is in: its own, or the one it was transferred to."""
        return self.moved_to or self.repository


HoldReason = Literal["archived", "issues-off"]


@dataclass(frozen=True, slots=True)
class HeldRepository:
    """A repository of a campaign where no tracking issue is written (see ``holds.py``)."""

    repository: str
    reason: HoldReason
    since: str  # ISO 8601 UTC: the run that first found it so
    origin: Literal["listing", "write"] = "listing"  # "write": GitHub refused one in apply


@dataclass(frozen=True, slots=True)
class CampaignLedger:
    """What the tool knows of a campaign between runs; committed under reports/<id>/."""

    campaign: str
    members: tuple[Member, ...] = ()  # sorted by alert id
    issues: tuple[TrackedIssue, ...] = ()  # sorted by repository
    activated: str | None = None  # first applied as active: snapshot members fixed then
    native_campaign: int | None = None
    native_organization: str | None = None  # where the native campaign was created
    native_digest: str | None = None
    autofix_requested: tuple[str, ...] = ()  # alert ids, sorted
    watermark: str | None = None
    due_notice_sent: bool = False
    closed_notice_sent: bool = False
    # (full name, id) of each repository of its members and issues, sorted: the id survives
    # a rename or transfer, so the next run finds them under the new name.
    repositories: tuple[tuple[str, int], ...] = ()
    held: tuple[HeldRepository, ...] = ()  # sorted by repository
    # The digest of the selection its members were chosen with (``scope.scope_digest``):
    # a change is a scope edit the plan shows. None in a ledger written before it was kept.
    scope: str | None = None
    # What other destinations record between runs, by destination name, sorted: each as
    # canonical JSON text (``canonical_states``), so the ledger stays a frozen value. The first
    # destinations (issues, Autofix, native campaign) predate it and keep the fields above.
    destinations: tuple[tuple[str, str], ...] = ()

    def member_map(self) -> dict[str, Member]:
        return {m.alert_id: m for m in self.members}

    def issue_map(self) -> dict[str, TrackedIssue]:
        return {i.repository: i for i in self.issues}

    def held_map(self) -> dict[str, HeldRepository]:
        return {h.repository: h for h in self.held}

    def state_of(self, destination: str) -> Any:
        """What ``destination`` recorded (parsed JSON), or None if nothing."""
        return self.states().get(destination)

    def states(self) -> dict[str, Any]:
        """What every destination recorded (parsed JSON), by name."""
        return {name: json.loads(text) for name, text in self.destinations}

    def with_state(self, destination: str, value: Any) -> CampaignLedger:
        """This ledger with ``value`` (JSON-serializable; None: nothing) recorded for
        ``destination``."""
        return self.with_states({**self.states(), destination: value})

    def with_states(self, states: Mapping[str, Any]) -> CampaignLedger:
        """This ledger with ``states`` as every destination's record (None: nothing)."""
        return dataclasses.replace(self, destinations=canonical_states(states))


def canonical_states(states: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Destinations' records as the ledger keeps them: by name, sorted, each as canonical
    JSON; a record of None is no record."""
    return tuple(
        (str(name), record_json(value))
        for name, value in sorted(states.items())
        if value is not None
    )


def record_json(value: Any) -> str:
    """A destination's record as canonical JSON: equal records, equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
