"""Frozen values the whole tool passes around. Raw dicts become values only here."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple

AlertType = Literal["code-scanning", "secret-scanning", "dependabot"]
ALERT_TYPES: tuple[AlertType, ...] = ("code-scanning", "secret-scanning", "dependabot")
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
CampaignState = Literal["draft", "active", "closed"]
Membership = Literal["snapshot", "rolling"]


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclass(frozen=True, slots=True)
class RepositorySelection:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    # Custom property name -> allowed values, sorted by name.
    properties: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RepositorySelection:
        props = data.get("properties") or {}
        return cls(
            include=_strings(data.get("include")),
            exclude=_strings(data.get("exclude")),
            topics=_strings(data.get("topics")),
            properties=tuple(sorted((str(k), _strings(v)) for k, v in props.items())),
        )


@dataclass(frozen=True, slots=True)
class PathSelection:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PathSelection:
        return cls(include=_strings(data.get("include")), exclude=_strings(data.get("exclude")))


@dataclass(frozen=True, slots=True)
class Selection:
    """Which alerts a campaign targets. An empty tuple means "not filtered by this"."""

    alerts: tuple[AlertType, ...] = ALERT_TYPES
    template: str | None = None
    severity: tuple[str, ...] = ()
    cwe: tuple[int, ...] = ()
    rules: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    secret_types: tuple[str, ...] = ()
    secret_validity: tuple[str, ...] = ()
    ecosystems: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    fix_available: bool | None = None
    repositories: RepositorySelection = field(default_factory=RepositorySelection)
    paths: PathSelection = field(default_factory=PathSelection)
    membership: Membership = "snapshot"

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Selection:
        alerts = data.get("alerts")
        return cls(
            alerts=tuple(alerts) if alerts else ALERT_TYPES,
            template=data.get("template"),
            severity=_strings(data.get("severity")),
            cwe=tuple(int(c) for c in data.get("cwe") or ()),
            rules=_strings(data.get("rules")),
            tools=_strings(data.get("tools")),
            secret_types=_strings(data.get("secret-types")),
            secret_validity=_strings(data.get("secret-validity")),
            ecosystems=_strings(data.get("ecosystems")),
            packages=_strings(data.get("packages")),
            fix_available=data.get("fix-available"),
            repositories=RepositorySelection.from_data(data.get("repositories") or {}),
            paths=PathSelection.from_data(data.get("paths") or {}),
            membership=data.get("membership", "snapshot"),
        )


@dataclass(frozen=True, slots=True)
class Sla:
    """Days to fix an alert of each severity, counted from when it joined the campaign."""

    critical: int | None = None
    high: int | None = None
    medium: int | None = None
    low: int | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Sla:
        return cls(**{s: data.get(s) for s in SEVERITIES})

    def days_for(self, severity: str | None) -> int | None:
        return getattr(self, severity) if severity in SEVERITIES else None


@dataclass(frozen=True, slots=True)
class Tracking:
    issues: Literal["per-repository", "off"] = "per-repository"
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    mention: tuple[str, ...] = ()
    public_details: bool = False
    # A tracking issue closed by hand while its alerts are open: reopened (with a comment
    # naming them) or left closed (``drift.py``).
    manual_close: Literal["reopen", "respect"] = "reopen"

    @property
    def per_repository(self) -> bool:
        """Whether the campaign opens tracking issues at all (``issues: off``: none)."""
        return self.issues == "per-repository"

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Tracking:
        return cls(
            issues=data.get("issues", "per-repository"),
            labels=_strings(data.get("labels")),
            assignees=tuple(a.lstrip("@") for a in _strings(data.get("assignees"))),
            mention=_strings(data.get("mention")),
            public_details=bool(data.get("public-details", False)),
            manual_close="respect" if data.get("manual-close") == "respect" else "reopen",
        )


@dataclass(frozen=True, slots=True)
class GitHubOptions:
    """The campaign's ``github:`` settings: one for each destination beyond its tracking
    issues."""

    native_campaign: bool = False
    autofix: bool = False
    # Every setting as the (schema-validated) file gives it, by key, as canonical JSON:
    # a destination added later reads its own with ``setting`` (no field needed here).
    settings: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> GitHubOptions:
        return cls(
            native_campaign=bool(data.get("native-campaign", False)),
            autofix=bool(data.get("autofix", False)),
            # A YAML date (a setting the schema allows as a date) is kept as its text.
            settings=tuple(
                sorted(
                    (str(k), json.dumps(v, sort_keys=True, separators=(",", ":"), default=str))
                    for k, v in data.items()
                )
            ),
        )

    def setting(self, key: str) -> Any:
        """The ``github.<key>`` setting as written (parsed JSON), or None if absent."""
        text = dict(self.settings).get(key)
        return None if text is None else json.loads(text)


@dataclass(frozen=True, slots=True)
class Campaign:
    """One campaign file, with its template already merged in."""

    id: str
    name: str
    description: str
    managers: tuple[str, ...]
    contact: str
    ends: date
    state: CampaignState
    select: Selection
    starts: date | None = None
    sla: Sla = field(default_factory=Sla)
    tracking: Tracking = field(default_factory=Tracking)
    github: GitHubOptions = field(default_factory=GitHubOptions)
    source: str = ""

    @classmethod
    def from_data(cls, campaign_id: str, data: Mapping[str, Any], source: str = "") -> Campaign:
        """Build from schema-valid data (the template merged in)."""
        starts = data.get("starts")
        return cls(
            id=campaign_id,
            name=data["name"],
            description=data["description"],
            managers=_strings(data["managers"]),
            contact=data["contact"],
            ends=date.fromisoformat(data["ends"]),
            state=data["state"],
            select=Selection.from_data(data.get("select") or {}),
            starts=date.fromisoformat(starts) if starts else None,
            sla=Sla.from_data(data.get("sla") or {}),
            tracking=Tracking.from_data(data.get("tracking") or {}),
            github=GitHubOptions.from_data(data.get("github") or {}),
            source=source,
        )

    @property
    def user_managers(self) -> tuple[str, ...]:
        return tuple(m.lstrip("@") for m in self.managers if "/" not in m)

    @property
    def team_managers(self) -> tuple[str, ...]:
        return tuple(m for m in self.managers if "/" in m)


AlertState = Literal["open", "fixed", "dismissed", "resolved"]
ALERT_STATES: tuple[AlertState, ...] = ("open", "fixed", "dismissed", "resolved")


@dataclass(frozen=True, slots=True)
class Alert:
    """One security alert, normalized across code scanning, secret scanning, Dependabot, SARIF.

    ``id`` names the same alert in every run: ``TYPE:OWNER/REPO:NUMBER`` for GitHub's alerts,
    ``code-scanning:OWNER/REPO:sarif/TOOL/FINGERPRINT`` for SARIF findings. Timestamps are
    ISO 8601 UTC strings as GitHub writes them (they sort as text). A secret's value is never
    part of an alert.
    """

    id: str
    type: AlertType
    repository: str
    state: AlertState
    repository_id: int | None = None
    number: int | None = None
    state_reason: str | None = None
    rule_id: str | None = None
    rule_name: str | None = None
    tool: str | None = None
    severity: str | None = None
    cwes: tuple[int, ...] = ()
    path: str | None = None
    start_line: int | None = None
    secret_type: str | None = None
    secret_validity: str | None = None
    package: str | None = None
    ecosystem: str | None = None
    manifest: str | None = None
    fix_available: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    fixed_at: str | None = None
    dismissed_at: str | None = None
    html_url: str | None = None
    message: str | None = None
    # Who dismissed or resolved it, and their comment (``dismissal.py``'s rules): only
    # for an alert that is dismissed or resolved. Its reason is ``state_reason``.
    dismissed_by: str | None = None
    dismissed_comment: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True, slots=True)
class Repository:
    """What matching needs to know about a repository besides its alerts."""

    full_name: str
    id: int | None = None
    archived: bool = False
    visibility: str = "private"  # public | private | internal
    topics: tuple[str, ...] = ()
    # Custom property name -> values (multi-select properties have several), sorted by name.
    properties: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # False: the repository's Issues feature is off, so no tracking issue can be opened
    # there (GitHub answers 410). True when unknown, as GitHub's own default is.
    has_issues: bool = True

    @property
    def is_public(self) -> bool:
        return self.visibility == "public"


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
