"""Alerts and the repositories they are in, as frozen values: normalized across code
scanning, secret scanning, Dependabot and SARIF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

AlertType = Literal["code-scanning", "secret-scanning", "dependabot"]
ALERT_TYPES: tuple[AlertType, ...] = ("code-scanning", "secret-scanning", "dependabot")
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
# What an OWNER/REPO name may hold: checked (with ``fullmatch``) before a name read from
# an untrusted place goes into a URL path or a file.
REPOSITORY_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")

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
