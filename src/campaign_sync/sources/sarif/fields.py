"""Reading SARIF's loosely typed JSON safely: objects, lists, strings and numbers taken
only when they are what the format says, the repository a URI names, a rule's severity
and CWEs, and a message as text."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from campaign_sync.sources.github_json import is_repository_name

Json = Mapping[str, Any]


_PLACEHOLDERS = frozenset({"", "0", "none", "null", "requires login"})


_NOT_IDENTITY = frozenset({"primaryLocationStartColumnFingerprint"})


_NOT_FINDINGS = frozenset({"pass", "notApplicable", "informational"})


# Digits are bounded: int() of thousands of digits raises, and no CWE id is that long.
_CWE_CODEQL = re.compile(r"(?:^|/)cwe/cwe-0*(\d{1,9})\Z", re.IGNORECASE)


_CWE_TEXT = re.compile(r"\s*CWE[-_ ]?0*(\d{1,9})(?!\d)", re.IGNORECASE)


_CWE_NUMBER = re.compile(r"\s*0*(\d{1,9})\s*\Z")


_CWE_KEYS = ("cwe", "cwes", "cwe_id", "cwe_ids", "CWE")


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\d{1,9})\}")


_SSH_URI = re.compile(r"[\w.-]+@[\w.-]+:(?P<path>[^/].*)\Z")


def _obj(value: Any) -> Json:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _collapse(text: str) -> str:
    return " ".join(text.split())


def repository_from_uri(uri: str) -> str | None:
    """``https://github.com/OWNER/REPO(.git)`` or ``git@HOST:OWNER/REPO.git`` -> OWNER/REPO."""
    ssh = _SSH_URI.match(uri)
    if ssh:
        path = ssh.group("path")
    else:
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https", "ssh", "git") or not parts.netloc:
            return None
        path = parts.path
    segments = [s for s in path.split("/") if s]
    if len(segments) != 2:
        return None
    owner, repo = segments[0], segments[1].removesuffix(".git")
    name = f"{owner}/{repo}"
    # Not '..' or '.': the name becomes part of API paths (/repos/OWNER/REPO/issues).
    return name if is_repository_name(name) else None


def security_severity(score: Any) -> str | None:
    """A CVSS score (``"8.8"``) as GitHub's security severity level."""
    if isinstance(score, bool) or not isinstance(score, int | float | str):
        return None
    try:
        value = float(score)
    except (ValueError, OverflowError):  # "high", or an integer too large for a float
        return None
    if not math.isfinite(value) or value <= 0:
        return None
    if value >= 9.0:
        return "critical"
    if value >= 7.0:
        return "high"
    if value >= 4.0:
        return "medium"
    return "low"


def _cwe_from_text(text: str, *, bare_numbers: bool) -> int | None:
    match = _CWE_CODEQL.search(text) or _CWE_TEXT.match(text)
    if match is None and bare_numbers:
        match = _CWE_NUMBER.match(text)
    return int(match.group(1)) if match else None


def cwes(*properties: Json, relationships: Any = None) -> tuple[int, ...]:
    """CWE ids from rule or result properties (tags and cwe fields) and rule relationships."""
    found: list[int | None] = []
    for props in properties:
        for tag in _list(props.get("tags")):
            if isinstance(tag, str):
                found.append(_cwe_from_text(tag, bare_numbers=False))
        for key in _CWE_KEYS:
            value = props.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    found.append(_cwe_from_text(item, bare_numbers=True))
                else:
                    found.append(_int(item))
    for relationship in _list(relationships):
        target = _obj(_obj(relationship).get("target"))
        component = _str(_obj(target.get("toolComponent")).get("name")) or ""
        target_id = _str(target.get("id"))
        if component.upper() == "CWE" and target_id is not None:
            found.append(_cwe_from_text(target_id, bare_numbers=True))
    return tuple(sorted({cwe for cwe in found if cwe is not None and 0 < cwe < 10**9}))


def _format(template: str, arguments: Sequence[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)[0]  # "{{" -> "{", "}}" -> "}"
        index = int(match.group(1))
        return arguments[index] if index < len(arguments) else match.group(0)

    return _PLACEHOLDER.sub(replace, template)


def _message(result: Json, rule: Json) -> str | None:
    message = _obj(result.get("message"))
    arguments = [
        a if isinstance(a, str) else json.dumps(a) for a in _list(message.get("arguments"))
    ]
    text = _str(message.get("text"))
    if text is None:
        message_id = _str(message.get("id"))
        if message_id is None:
            return None
        text = _str(_obj(_obj(rule.get("messageStrings")).get(message_id)).get("text"))
        if text is None:
            return None
        return _format(text, arguments)
    return _format(text, arguments) if arguments else text
