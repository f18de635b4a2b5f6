"""What every destination is: a place where a campaign's progress is shown (tracking
issues, a native security campaign, Copilot Autofix requests; a Projects board next).

A destination executes the actions of its kinds (``kinds``), through the GitHub client,
and records what it did in the campaign's state, which apply writes to the ledger. It is
handed one action at a time, most urgent first, within apply's budgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from campaign_sync.actions import Action
from campaign_sync.github.identity import WhoAmI
from campaign_sync.github.transport import Transport
from campaign_sync.model import HeldRepository, TrackedIssue
from campaign_sync.readahead import ReadAhead


@dataclass(slots=True)
class CampaignState:
    """What apply has made of one campaign so far this run: written to its ledger at the
    end, so the ledger records what was done, not what was planned."""

    issues: dict[str, TrackedIssue]
    autofix: set[str]
    native: int | None
    native_organization: str | None
    native_digest: str | None
    failures: int = 0
    held: dict[str, HeldRepository] = field(default_factory=dict)  # met by a write this run


@dataclass(frozen=True, slots=True)
class Run:
    """One apply's connection and what its destinations report back."""

    transport: Transport
    reads: ReadAhead  # issues and comments read ahead, many to a request
    me: WhoAmI  # who the tool runs as (asked only when needed)
    notes: list[str]  # what the run should say (look-alike issues left alone)
    healed: list[str]  # duplicates closed (two runs at once)


class Destination(Protocol):
    """A place where a campaign's progress is shown."""

    @property
    def name(self) -> str: ...

    @property
    def kinds(self) -> frozenset[str]:
        """The action kinds it makes and executes."""
        ...

    def execute(self, action: Action, run: Run, state: CampaignState, position: int) -> None:
        """Carry ``action`` out (``position``: its place in the run, for read-ahead) and
        record it in ``state``; GitHubError when GitHub refuses it."""
        ...
