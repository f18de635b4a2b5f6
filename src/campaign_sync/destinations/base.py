"""What every destination is: a place where a campaign's progress is shown (tracking
issues, a native security campaign, Copilot Autofix requests; a Projects board next).

A destination executes the actions of its kinds (``kinds``), through the GitHub client,
and records what it did in the campaign's state, which apply writes to the ledger. It is
handed one action at a time, most urgent first, within apply's budgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from campaign_sync.actions import Action
from campaign_sync.github.identity import WhoAmI
from campaign_sync.github.transport import Transport
from campaign_sync.model import HeldRepository, TrackedIssue
from campaign_sync.readahead import ReadAhead


@dataclass(frozen=True, slots=True)
class ActionKind:
    """One kind of action a destination makes: what it costs and how the plan shows it."""

    # Requests it costs at most, its reads made one by one through REST (apply's
    # rate-limit reserve counts these, to stop in time whatever way it reads).
    requests: int
    # Write requests it makes (GitHub's secondary limits count these).
    writes: int
    # When a limited write budget is spent on it (0 first): native campaigns (few, and
    # what managers watch), then corrections of issues people have (a regression first),
    # then new and changed issues by urgency, then notices, then Autofix requests.
    tier: int
    # Its place among one repository's actions: the issue exists before it is changed.
    order: int
    verb: str  # what the plan says it does: "open tracking issue"
    # Terraform's signs: + creates (or brings back), - closes, ~ changes in place, >
    # adds to what is there (a comment, an Autofix request).
    sign: str
    reads_issue: bool = False  # reads its issue (and maybe its comments) before writing


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
    def kinds(self) -> Mapping[str, ActionKind]:
        """The action kinds it makes and executes."""
        ...

    def execute(self, action: Action, run: Run, state: CampaignState, position: int) -> None:
        """Carry ``action`` out (``position``: its place in the run, for read-ahead) and
        record it in ``state``; GitHubError when GitHub refuses it."""
        ...
