"""Filtering, ordering and cursor positioning of alert listings.

A listing is computed once per (scope, kind, filters, sort) and cached until any alert
changes: an ascending list of alerts plus a parallel list of integer sort keys
(``timestamp << 32 | gid``), so page and cursor lookups are slices and bisects.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Alert, CodeScanningAlert, DependabotAlert, SecretScanningAlert


class QueryError(ValueError):
    """An invalid filter value; the message is GitHub-like."""


def _csv(value: str | None) -> set[str] | None:
    if value is None or value == "":
        return None
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def _check(values: set[str] | None, allowed: Sequence[str], name: str) -> None:
    if values is None:
        return
    bad = sorted(values - set(allowed))
    if bad:
        raise QueryError(f"Invalid value for {name}: {', '.join(bad)}")


CODE_STATES = ("open", "closed", "dismissed", "fixed")
CODE_SEVERITIES = ("critical", "high", "medium", "low", "warning", "note", "error")
DEP_STATES = ("auto_dismissed", "dismissed", "fixed", "open")
DEP_SEVERITIES = ("low", "medium", "high", "critical")
SECRET_STATES = ("open", "resolved")
SECRET_VALIDITIES = ("active", "inactive", "unknown")
# Generic ("non-provider") patterns and Copilot's passwords: left out of a listing unless
# `secret_type` names them. The `secret_type` parameter of "List secret scanning alerts for
# an organization": "A comma-separated list of secret types to return. All default secret
# patterns are returned. To return generic patterns, pass the token name(s) in the
# parameter." The tokens are the "Generic" rows of "Supported secret scanning patterns"
# (non-provider patterns) and `password` ("To retrieve alerts for passwords, use the value
# password", GitHub changelog 2024-08-06).
GENERIC_SECRET_TYPES = frozenset(
    {
        "ec_private_key",
        "generic_private_key",
        "http_basic_authentication_header",
        "http_bearer_authentication_header",
        "mongodb_connection_string",
        "mysql_connection_string",
        "openssh_private_key",
        "password",
        "pgp_private_key",
        "postgres_connection_string",
        "rsa_private_key",
    }
)
SECRET_RESOLUTIONS = (
    "false_positive",
    "wont_fix",
    "revoked",
    "pattern_edited",
    "pattern_deleted",
    "used_in_tests",
)


def code_scanning_filter(args: dict[str, str]) -> tuple[tuple[Any, ...], Callable[[Any], bool]]:
    state = args.get("state") or None
    if state is not None and state not in CODE_STATES:
        raise QueryError(f"Invalid value for state: {state}")
    severity = args.get("severity") or None
    if severity is not None and severity not in CODE_SEVERITIES:
        raise QueryError(f"Invalid value for severity: {severity}")
    tool = args.get("tool_name") or None
    states = {"closed": ("dismissed", "fixed")}.get(state or "", (state,) if state else None)

    def keep(a: CodeScanningAlert) -> bool:
        if states is not None and a.state not in states:
            return False
        if tool is not None and a.rule.tool.name != tool:
            return False
        if severity is not None:
            if severity in ("error", "warning", "note"):
                return a.rule.severity == severity
            return a.rule.security_severity_level == severity
        return True

    return ("code", state, severity, tool), keep


def dependabot_filter(args: dict[str, str]) -> tuple[tuple[Any, ...], Callable[[Any], bool]]:
    states = _csv(args.get("state"))
    _check(states, DEP_STATES, "state")
    severities = _csv(args.get("severity"))
    _check(severities, DEP_SEVERITIES, "severity")
    ecosystems = _csv(args.get("ecosystem"))
    packages = _csv(args.get("package"))
    manifests = {m.strip() for m in (args.get("manifest") or "").split(",") if m.strip()} or None
    scope = args.get("scope") or None
    has_patch = "patch" in (_csv(args.get("has")) or set())

    def keep(a: DependabotAlert) -> bool:
        adv = a.advisory
        return (
            (states is None or a.state in states)
            and (severities is None or adv.severity in severities)
            and (ecosystems is None or adv.ecosystem in ecosystems)
            and (packages is None or adv.package.lower() in packages)
            and (manifests is None or a.manifest_path in manifests)
            and (scope is None or a.scope == scope)
            and (not has_patch or adv.first_patched_version is not None)
        )

    key = (
        "dep",
        _frozen(states),
        _frozen(severities),
        _frozen(ecosystems),
        _frozen(packages),
        _frozen(manifests),
        scope,
        has_patch,
    )
    return key, keep


def secret_scanning_filter(args: dict[str, str]) -> tuple[tuple[Any, ...], Callable[[Any], bool]]:
    state = args.get("state") or None
    if state is not None and state not in SECRET_STATES:
        raise QueryError(f"Invalid value for state: {state}")
    types = {t.strip() for t in (args.get("secret_type") or "").split(",") if t.strip()} or None
    resolutions = _csv(args.get("resolution"))
    _check(resolutions, SECRET_RESOLUTIONS, "resolution")
    validities = _csv(args.get("validity"))
    _check(validities, SECRET_VALIDITIES, "validity")

    def keep(a: SecretScanningAlert) -> bool:
        # Without `secret_type`, the default patterns only (see GENERIC_SECRET_TYPES).
        slug = a.secret_type.slug
        return (
            (state is None or a.state == state)
            and (slug in types if types is not None else slug not in GENERIC_SECRET_TYPES)
            and (resolutions is None or (a.resolution or "") in resolutions)
            and (validities is None or a.validity in validities)
        )

    key = ("secret", state, _frozen(types), _frozen(resolutions), _frozen(validities))
    return key, keep


def _frozen(values: set[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(sorted(values))


def sort_key(sort: str) -> Callable[[Any], int]:
    if sort == "updated":
        return lambda a: (a.updated << 32) | a.gid
    if sort == "epss_percentage":
        return lambda a: (int(a.advisory.epss_percentage * 1_000_000) << 32) | a.gid
    return lambda a: (a.created << 32) | a.gid


@dataclass(frozen=True, slots=True)
class Listing:
    items: list[Alert]  # ascending by key
    keys: list[int]


def build_listing(alerts: Sequence[Alert], keep: Callable[[Any], bool], sort: str) -> Listing:
    selected = [a for a in alerts if keep(a)]
    key = sort_key(sort)
    selected.sort(key=key)
    return Listing(selected, [key(a) for a in selected])


@dataclass(frozen=True, slots=True)
class Window:
    items: list[Alert]  # in the requested order
    total: int
    has_prev: bool
    has_next: bool
    start: int  # position of the first item in the ordered view


def page_window(listing: Listing, descending: bool, page: int, per_page: int) -> Window:
    n = len(listing.items)
    start = min((page - 1) * per_page, n)
    end = min(start + per_page, n)
    return Window(_slice(listing, descending, start, end), n, start > 0, end < n, start)


def cursor_window(
    listing: Listing, descending: bool, per_page: int, after: int | None, before: int | None
) -> Window:
    """Items after (or before) a cursor key, in view order."""
    n = len(listing.items)
    keys = listing.keys
    if before is not None:
        end = n - bisect_right(keys, before) if descending else bisect_left(keys, before)
        start = max(0, end - per_page)
    else:
        if after is None:
            start = 0
        elif descending:
            start = n - bisect_left(keys, after)
        else:
            start = bisect_right(keys, after)
        end = min(n, start + per_page)
    return Window(_slice(listing, descending, start, end), n, start > 0, end < n, start)


def _slice(listing: Listing, descending: bool, start: int, end: int) -> list[Alert]:
    if not descending:
        return listing.items[start:end]
    n = len(listing.items)
    chunk = listing.items[n - end : n - start]
    chunk.reverse()
    return chunk


_CURSOR_PREFIX = b"cursor:v2:"


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(_CURSOR_PREFIX + str(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError) as exc:
        raise QueryError("The cursor is invalid.") from exc
    if not raw.startswith(_CURSOR_PREFIX):
        raise QueryError("The cursor is invalid.")
    try:
        return int(raw[len(_CURSOR_PREFIX) :])
    except ValueError as exc:
        raise QueryError("The cursor is invalid.") from exc
