"""The actions a plan is made of: what every action is (``Action``), and the value types
of the first destinations' actions. A destination's planner makes them, renderers show
them, the destination executes them. Pure.

``Action`` is a Protocol, not a union: a new destination defines its action values in its
own module, and everything that handles actions in general (ordering, budgets, rendering,
apply's progress) takes them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from campaign_sync.native import FIELD_NAMES, NativeFields
from campaign_sync.section import SectionSource, section_digest


class Action(Protocol):
    """What every action is, whichever destination made it."""

    @property
    def campaign(self) -> str: ...

    @property
    def repository(self) -> str:
        """Where it acts: a repository (OWNER/NAME), or the organization of a native
        campaign; actions are ordered and held back by it."""
        ...

    @property
    def kind(self) -> str:
        """Its kind, which names its destination (``destinations.destination_of``)."""
        ...

    @property
    def target(self) -> str:
        """What it acts on, as a person reads it: ``acme/api#7``."""
        ...


@dataclass(frozen=True, slots=True)
class CreateIssue:
    campaign: str
    repository: str
    title: str
    content: str | SectionSource  # the section, or what it is rendered from when written
    # The section's digest; None: computed from ``content`` when the issue is written (a
    # first run plans hundreds of thousands of issues, and writes a few hundred).
    content_digest: str | None
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    # Names the repository had before a rename: an issue found there whose marker names
    # one of them is this issue, opened before the rename by a run that did not record it.
    previous_names: tuple[str, ...] = ()
    kind: Literal["create_issue"] = "create_issue"

    @property
    def target(self) -> str:
        return self.repository

    @property
    def digest(self) -> str:
        if self.content_digest is not None:
            return self.content_digest
        if isinstance(self.content, str):
            return section_digest(self.content)
        return self.content.digest()


class _OnAnIssue:
    """What the actions on an existing tracking issue share: where the issue is now (its
    repository, or the one it was transferred to) and how the plan names it."""

    __slots__ = ()
    repository: str
    number: int
    moved_to: str | None

    @property
    def where(self) -> str:
        return self.moved_to or self.repository

    @property
    def target(self) -> str:
        return f"{self.where}#{self.number}"


@dataclass(frozen=True, slots=True)
class UpdateIssue(_OnAnIssue):
    campaign: str
    repository: str
    number: int
    content: str | SectionSource
    digest: str
    # After a rename: the section marked with an old name is the one replaced, and a title
    # still as the tool wrote it (first) becomes the new one (second); a human's stays.
    previous_names: tuple[str, ...] = ()
    retitle: tuple[str, str] | None = None
    moved_to: str | None = None  # the repository the issue was transferred to
    kind: Literal["update_issue"] = "update_issue"


@dataclass(frozen=True, slots=True)
class CloseIssue(_OnAnIssue):
    campaign: str
    repository: str
    number: int
    comment: str
    reason: str  # shown in the plan, e.g. "all 4 alerts closed"
    state_reason: Literal["completed", "not_planned"] = "completed"
    moved_to: str | None = None
    kind: Literal["close_issue"] = "close_issue"


@dataclass(frozen=True, slots=True)
class ReopenIssue(_OnAnIssue):
    campaign: str
    repository: str
    number: int
    comment: str
    reason: str
    moved_to: str | None = None
    kind: Literal["reopen_issue"] = "reopen_issue"


@dataclass(frozen=True, slots=True)
class CommentIssue(_OnAnIssue):
    campaign: str
    repository: str
    number: int
    body: str
    reason: str
    moved_to: str | None = None
    kind: Literal["comment_issue"] = "comment_issue"


@dataclass(frozen=True, slots=True)
class RequestAutofix:
    campaign: str
    repository: str
    alert_id: str
    alert_number: int
    kind: Literal["request_autofix"] = "request_autofix"

    @property
    def target(self) -> str:
        return self.alert_id


@dataclass(frozen=True, slots=True)
class CreateNativeCampaign:
    campaign: str
    repository: str  # the organization, for ordering and rendering
    fields: NativeFields
    alerts: tuple[tuple[int, tuple[int, ...]], ...]  # (repository id, alert numbers)
    reason: str
    kind: Literal["create_native_campaign"] = "create_native_campaign"

    @property
    def target(self) -> str:
        return self.repository


@dataclass(frozen=True, slots=True)
class UpdateNativeCampaign:
    campaign: str
    repository: str  # the organization
    number: int
    fields: NativeFields
    reason: str = "its name, description, due date, managers or contact changed"
    # The fields sent: only those that changed, so a due date that has passed (which GitHub
    # may refuse) never blocks a change of name or managers.
    changes: tuple[str, ...] = FIELD_NAMES
    kind: Literal["update_native_campaign"] = "update_native_campaign"

    @property
    def target(self) -> str:
        return f"{self.repository}#{self.number}"


@dataclass(frozen=True, slots=True)
class CloseNativeCampaign:
    campaign: str
    repository: str  # the organization
    number: int
    reason: str = "the campaign is closed"
    kind: Literal["close_native_campaign"] = "close_native_campaign"

    @property
    def target(self) -> str:
        return f"{self.repository}#{self.number}"


NATIVE_ALERTS_MAX = 1_000
# The ledger's native digest once the native campaign has been closed.
NATIVE_CLOSED = "closed"

# GitHub's secondary limit on content-creating requests, per hour.
GITHUB_WRITES_PER_HOUR = 500
