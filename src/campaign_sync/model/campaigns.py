"""A campaign file as a frozen value: its selection, SLA, tracking and GitHub settings.
Raw dicts (schema-valid) become values only here."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from campaign_sync.model.alerts import ALERT_TYPES, SEVERITIES, AlertType

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
