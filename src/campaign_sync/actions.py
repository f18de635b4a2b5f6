"""The actions a plan is made of, one value type each, and what each kind costs and how
urgent it is: the plan makes them, renderers show them, destinations execute them. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from campaign_sync.model import SEVERITIES
from campaign_sync.native import FIELD_NAMES, NativeFields
from campaign_sync.section import SectionSource, section_digest


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
    def digest(self) -> str:
        if self.content_digest is not None:
            return self.content_digest
        if isinstance(self.content, str):
            return section_digest(self.content)
        return self.content.digest()


@dataclass(frozen=True, slots=True)
class UpdateIssue:
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

    @property
    def where(self) -> str:
        return self.moved_to or self.repository


@dataclass(frozen=True, slots=True)
class CloseIssue:
    campaign: str
    repository: str
    number: int
    comment: str
    reason: str  # shown in the plan, e.g. "all 4 alerts closed"
    state_reason: Literal["completed", "not_planned"] = "completed"
    moved_to: str | None = None
    kind: Literal["close_issue"] = "close_issue"

    @property
    def where(self) -> str:
        return self.moved_to or self.repository


@dataclass(frozen=True, slots=True)
class ReopenIssue:
    campaign: str
    repository: str
    number: int
    comment: str
    reason: str
    moved_to: str | None = None
    kind: Literal["reopen_issue"] = "reopen_issue"

    @property
    def where(self) -> str:
        return self.moved_to or self.repository


@dataclass(frozen=True, slots=True)
class CommentIssue:
    campaign: str
    repository: str
    number: int
    body: str
    reason: str
    moved_to: str | None = None
    kind: Literal["comment_issue"] = "comment_issue"

    @property
    def where(self) -> str:
        return self.moved_to or self.repository


@dataclass(frozen=True, slots=True)
class RequestAutofix:
    campaign: str
    repository: str
    alert_id: str
    alert_number: int
    kind: Literal["request_autofix"] = "request_autofix"


@dataclass(frozen=True, slots=True)
class CreateNativeCampaign:
    campaign: str
    repository: str  # the organization, for ordering and rendering
    fields: NativeFields
    alerts: tuple[tuple[int, tuple[int, ...]], ...]  # (repository id, alert numbers)
    reason: str
    kind: Literal["create_native_campaign"] = "create_native_campaign"


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


@dataclass(frozen=True, slots=True)
class CloseNativeCampaign:
    campaign: str
    repository: str  # the organization
    number: int
    reason: str = "the campaign is closed"
    kind: Literal["close_native_campaign"] = "close_native_campaign"


Action = (
    CreateIssue
    | UpdateIssue
    | CloseIssue
    | ReopenIssue
    | CommentIssue
    | RequestAutofix
    | CreateNativeCampaign
    | UpdateNativeCampaign
    | CloseNativeCampaign
)

NATIVE_ALERTS_MAX = 1_000
# The ledger's native digest once the native campaign has been closed.
NATIVE_CLOSED = "closed"

# The order actions run in within one repository: the issue exists before it is changed.
KIND_ORDER = {
    "create_issue": 0,
    "reopen_issue": 1,
    "update_issue": 2,
    "comment_issue": 3,
    "close_issue": 4,
    "request_autofix": 5,
    "create_native_campaign": 6,
    "update_native_campaign": 7,
    "close_native_campaign": 8,
}
# Requests each action costs at most, its reads made one by one through REST (apply's
# rate-limit reserve counts these, to stop in time whatever way it reads): a create lists
# the repository's labelled issues; an update reads the issue; a close or reopen reads the
# issue and its comments, comments and changes the state; a comment reads the comments.
ACTION_REQUESTS = {
    "create_issue": 3,  # the look before, the create, the look after (apply.py)
    "update_issue": 2,
    "close_issue": 4,
    "reopen_issue": 4,
    "comment_issue": 2,
    "request_autofix": 1,
    "create_native_campaign": 2,
    "update_native_campaign": 1,
    "close_native_campaign": 1,
}
# The actions that read their issue (and maybe its comments) before writing.
READS_ISSUE = frozenset({"update_issue", "close_issue", "reopen_issue", "comment_issue"})


# Write requests each action makes (GitHub's secondary limits count these): a close or a
# reopen also comments.
ACTION_WRITES = {
    "create_issue": 1,
    "update_issue": 1,
    "close_issue": 2,
    "reopen_issue": 2,
    "comment_issue": 1,
    "request_autofix": 1,
    "create_native_campaign": 1,
    "update_native_campaign": 1,
    "close_native_campaign": 1,
}
# GitHub's secondary limit on content-creating requests, per hour.
GITHUB_WRITES_PER_HOUR = 500

# The order apply spends a limited write budget in: the native campaigns (few, and what
# managers watch), then corrections of issues people already have (a regression first),
# then new and changed issues by urgency, then notices, then Autofix requests.
TIER = {
    "create_native_campaign": 0,
    "update_native_campaign": 0,
    "close_native_campaign": 0,
    "reopen_issue": 1,
    "close_issue": 2,
    "update_issue": 3,
    "create_issue": 3,
    "comment_issue": 4,
    "request_autofix": 5,
}


def urgency(action: Action) -> tuple[int, int, int, int, str, str]:
    """Sort key, most urgent first: tier, then the most severe open alert, the earliest
    SLA due date and the campaign's due date of the issue's section."""
    severity, due, ends = len(SEVERITIES), _NEVER, _NEVER
    content = getattr(action, "content", None)
    if isinstance(content, SectionSource):
        severity, due = content.urgency()
        ends = content.campaign.ends.toordinal()
    return (TIER[action.kind], severity, due, ends, action.campaign, action.repository)


_NEVER = date.max.toordinal()


def action_order(action: Action) -> tuple[str, str, int, str]:
    """The order of a plan's actions: by campaign, repository, then kind (stable output)."""
    return (action.campaign, action.repository, KIND_ORDER[action.kind], _tiebreak(action))


def _tiebreak(action: Action) -> str:
    return action.alert_id if isinstance(action, RequestAutofix) else ""
