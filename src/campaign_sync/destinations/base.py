"""What every destination is: a place where a campaign's progress is shown (tracking
issues, a native security campaign, Copilot Autofix requests; a Projects board next).

Plan: for each plan the destination makes a planner (``planner``: it may keep what it
shares across campaigns, like the native campaigns an organization has room for), which
is shown each campaign (``CampaignView``: its members, its ledger, what this run read)
and answers with a ``DestinationPlan``: its actions, its notes, and what it records in
the ledger once applied. Pure: no GitHub call.

Apply: the destination executes the actions of its kinds (``kinds``), through the GitHub
client, and records what it did in the campaign's state, which apply writes to the
ledger. It is handed one action at a time, most urgent first, within apply's budgets.

What a destination keeps between runs goes in the ledger: ``CampaignLedger.state_of`` /
``with_state`` in the plan, ``CampaignState.destinations`` in apply (JSON, under its name).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

from campaign_sync.actions import Action
from campaign_sync.drift import LiveIssues
from campaign_sync.github.identity import WhoAmI
from campaign_sync.github.transport import Transport
from campaign_sync.model import (
    Alert,
    Campaign,
    CampaignLedger,
    HeldRepository,
    Member,
    Repository,
    TrackedIssue,
)
from campaign_sync.native import NativeContext
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
    # Where it writes: to its repository (held back when that is archived), or to the
    # organization (a native campaign, written whatever its repositories are).
    scope: Literal["repository", "organization"] = "repository"
    needs_issues: bool = False  # held back too where the repository has Issues turned off


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What one plan knows before it plans its campaigns, for every destination."""

    ledgers: Mapping[str, CampaignLedger]  # every campaign's, renames followed
    native: NativeContext  # what GitHub said this run of native campaigns


@dataclass(frozen=True, slots=True)
class CampaignView:
    """One campaign as the planner has resolved it, shown to every destination."""

    campaign: Campaign
    ledger: CampaignLedger  # what the last apply recorded (renames followed)
    members: Sequence[Member]  # as they will be, sorted by alert id
    alerts: Sequence[Alert | None]  # each member's alert this run (None: unseen)
    # Members and their alerts by repository, in the members' order; open ones counted.
    by_repo: Mapping[str, tuple[list[Member], list[Alert | None]]]
    open_counts: Mapping[str, int]
    repositories: Mapping[str, Repository]  # listed this run
    frozen: frozenset[str]  # repositories whose alerts are unknown: unreadable, archived
    held: frozenset[str]  # repositories where no issue is written (holds.py)
    live: LiveIssues | None  # what GitHub shows of the recorded issues (drift.py)
    renamed_from: Mapping[str, tuple[str, ...]]  # names before a rename, by current name
    left_here: Mapping[str, int]  # members that left with a scope edit, by repository
    out_of_scope: Collection[str]  # repositories every member of which left so
    today: date
    due_passed: bool  # active, and its due date is behind


def _unchanged(ledger: CampaignLedger) -> CampaignLedger:
    return ledger


@dataclass(frozen=True, slots=True)
class DestinationPlan:
    """What one destination plans for one campaign."""

    actions: Sequence[Action] = ()
    notes: Sequence[str] = ()
    # The campaign's next ledger with this destination's part as it will be once applied
    # (a pure function of the ledger the plan is making: ``with_state`` for a new one).
    record: Callable[[CampaignLedger], CampaignLedger] = _unchanged
    # What GitHub showed of its places that the ledger did not record (None: deleted),
    # by repository: apply records it whatever the actions do (drift.py).
    learned: Mapping[str, TrackedIssue | None] = field(default_factory=dict)
    # Of its places, how many close because a scope edit left their repository.
    closes_out_of_scope: int = 0


class CampaignPlanner(Protocol):
    def plan(self, view: CampaignView) -> DestinationPlan:
        """Its actions for one campaign. Campaigns are shown in id order."""
        ...


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
    # What other destinations record (``CampaignLedger.destinations``), parsed, by name:
    # from the last ledger, changed as their actions are done.
    destinations: dict[str, Any] = field(default_factory=dict)


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

    def planner(self, context: PlanContext) -> CampaignPlanner:
        """What plans its actions for each campaign of one plan."""
        ...

    def execute(self, action: Action, run: Run, state: CampaignState, position: int) -> None:
        """Carry ``action`` out (``position``: its place in the run, for read-ahead) and
        record it in ``state``; GitHubError when GitHub refuses it."""
        ...
