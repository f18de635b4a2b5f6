"""GitHub's native security campaigns and Copilot Autofix: what a plan knows of them live,
and GitHub's rules for them. Pure: the values are read elsewhere (commands/plan.py).

The rules, each from GitHub's documentation:

- the server: GitHub Enterprise Server has no campaigns and no Autofix endpoints (they are
  absent from the GHES 3.17-3.19 REST descriptions); api.github.com and *.ghe.com are cloud,
  ``https://HOST/api/v3`` is GHES, and otherwise ``GET /meta`` tells (``installed_version``
  is in GHES's answer only);
- a campaign's due date: "The date must be in the future" (``ends_at`` of "Create a
  campaign");
- managers: "At this time, only a single manager can be supplied." (``managers``), and at
  most 10 team managers (``team_managers``' ``maxItems``);
- the contact: "The contact link of the campaign. Must be a URI." Whether GitHub takes a
  ``mailto:`` URI is not documented: the safe reading is that it may not, so a ``mailto:``
  contact is not sent (the tracking issues still show it);
- Autofix: "Copilot Autofix is available for CodeQL analysis." (docs: "Responsible use of
  Copilot Autofix for code scanning"; the third-party preview was withdrawn in 2025).
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ServerKind = Literal["cloud", "ghes", "unknown"]

# GitHub's limits on what a native campaign takes.
USER_MANAGERS_MAX = 1
TEAM_MANAGERS_MAX = 10

# Code scanning tools Copilot Autofix supports (GitHub's tool name, lower-cased).
AUTOFIX_TOOLS = frozenset({"codeql"})


def server_from_url(api_url: str | None) -> ServerKind:
    """What the API URL alone says of the server; ``unknown`` when it cannot tell."""
    if not api_url:
        return "cloud"  # the default API URL is api.github.com
    split = urllib.parse.urlsplit(api_url)
    host = (split.hostname or "").lower()
    if host == "api.github.com" or host == "ghe.com" or host.endswith(".ghe.com"):
        return "cloud"
    if split.path.rstrip("/").endswith("/api/v3"):
        return "ghes"
    return "unknown"


@dataclass(frozen=True, slots=True)
class LiveCampaign:
    """An open campaign of an organization as GitHub lists it (maybe made in GitHub's UI:
    its text is untrusted and never rendered)."""

    number: int
    name: str
    description: str
    ends_at: str
    contact_link: str | None = None
    managers: tuple[str, ...] = ()
    team_managers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NativeContext:
    """What GitHub said, this run, about native campaigns: the server, and each
    organization's open campaigns (all of them, those made in GitHub's UI included)."""

    server: ServerKind = "unknown"
    version: str | None = None  # GHES's installed_version
    connected: bool = False  # False: no GitHub connection, the live limits were not read
    open_campaigns: Mapping[str, tuple[LiveCampaign, ...]] = field(default_factory=dict)
    unread: Mapping[str, str] = field(default_factory=dict)  # organization -> why not read
    reads: int = 0  # requests it took, counted in the plan's estimate

    @property
    def ghes(self) -> bool:
        return self.server == "ghes"

    def open_in(self, organization: str) -> tuple[LiveCampaign, ...] | None:
        """The organization's open campaigns; None when they were not read."""
        return self.open_campaigns.get(organization.lower())


def ghes_note(context: NativeContext, wanted: tuple[str, ...]) -> str:
    version = f" {context.version}" if context.version else ""
    return (
        f"native security campaigns and Copilot Autofix are unavailable on GitHub Enterprise "
        f"Server{version} (it has neither API), so nothing is mirrored or requested for "
        f"{', '.join(wanted)}; the tracking issues work as everywhere"
    )


def autofix_supported(tool: str | None) -> bool:
    return (tool or "").lower() in AUTOFIX_TOOLS


def contact_link(contact: str) -> str:
    """The campaign's contact as the native campaign's ``contact_link``; empty: not sent."""
    scheme = urllib.parse.urlsplit(contact).scheme.lower()
    return "" if scheme == "mailto" else contact


@dataclass(frozen=True, slots=True)
class NativeFields:
    """What a native GitHub security campaign shows, within GitHub's limits."""

    name: str
    description: str
    ends: str  # YYYY-MM-DD
    contact_link: str  # empty: not sent (a mailto: contact)
    managers: tuple[str, ...]  # at most one user
    team_managers: tuple[str, ...]  # team slugs

    def digest(self) -> str:
        text = "\x1f".join(
            [
                self.name,
                self.description,
                self.ends,
                self.contact_link,
                *self.managers,
                "|",
                *self.team_managers,
            ]
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# The fields an update may send, in the order GitHub documents them.
FIELD_NAMES = ("name", "description", "managers", "team_managers", "ends_at", "contact_link")


def changed_fields(fields: NativeFields, live: LiveCampaign | None) -> tuple[str, ...]:
    """The fields whose value differs from the live campaign's (all, when it is unknown);
    an empty contact link is never sent."""
    if live is None:
        changed = set(FIELD_NAMES)
    else:
        changed = {
            name
            for name, differs in (
                ("name", fields.name != live.name),
                ("description", fields.description != live.description),
                ("managers", _lower(fields.managers) != _lower(live.managers)),
                ("team_managers", _lower(fields.team_managers) != _lower(live.team_managers)),
                ("ends_at", fields.ends != live.ends_at[:10]),
                ("contact_link", fields.contact_link != (live.contact_link or "")),
            )
            if differs
        }
    if not fields.contact_link:
        changed.discard("contact_link")
    return tuple(name for name in FIELD_NAMES if name in changed)


def _lower(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name.lower() for name in names)
