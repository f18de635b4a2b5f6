"""One run's rules, paths and results as findings, each with an id that survives a line
moving: the scanner's fingerprints when they are real, else the tool, rule, file and
flagged code."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from campaign_sync import dismissal
from campaign_sync.errors import SourceError
from campaign_sync.sources.github_json import is_repository_name
from campaign_sync.sources.sarif.fields import (
    _NOT_IDENTITY,
    _PLACEHOLDERS,
    Json,
    _int,
    _list,
    _obj,
    _str,
)


class _Rules:
    """A run's rule descriptors: the driver's and each extension's (CodeQL query packs)."""

    def __init__(self, tool: Json) -> None:
        driver = _obj(tool.get("driver"))
        self._extensions = [_obj(e) for e in _list(tool.get("extensions"))]
        self._driver_rules = _list(driver.get("rules"))
        self._by_id: dict[str, Json] = {}
        for rules in [self._driver_rules, *(_list(e.get("rules")) for e in self._extensions)]:
            for rule in rules:
                rule_id = _str(_obj(rule).get("id"))
                if rule_id is not None:
                    self._by_id.setdefault(rule_id, rule)

    def _component_rules(self, reference: Json) -> list[Any]:
        index = _int(reference.get("index"))
        if index is not None:
            return (
                _list(self._extensions[index].get("rules"))
                if 0 <= index < len(self._extensions)
                else []
            )
        name = _str(reference.get("name"))
        if name is not None:
            for extension in self._extensions:
                if extension.get("name") == name:
                    return _list(extension.get("rules"))
        return self._driver_rules

    def find(self, result: Json) -> tuple[str | None, Json]:
        """The result's rule id and descriptor ({} when the run has none)."""
        reference = _obj(result.get("rule"))
        rule_id = _str(result.get("ruleId")) or _str(reference.get("id"))
        index = _int(reference.get("index"))
        if index is None:
            index = _int(result.get("ruleIndex"))
        if index is not None:
            rules = self._component_rules(_obj(reference.get("toolComponent")))
            if 0 <= index < len(rules):
                rule = _obj(rules[index])
                if rule and (rule_id is None or rule.get("id") == rule_id):
                    return rule_id or _str(rule.get("id")), rule
        if rule_id is not None:
            return rule_id, _obj(self._by_id.get(rule_id))
        return None, {}


class _Paths:
    """Turns artifact locations into repository-relative paths."""

    def __init__(self, run: Json) -> None:
        self._artifacts = _list(run.get("artifacts"))
        bases: list[str] = []
        for base in _obj(run.get("originalUriBaseIds")).values():
            uri = _str(_obj(base).get("uri"))
            if uri and uri.startswith("file:"):
                path = unquote(urlsplit(uri).path)
                bases.append(path if path.endswith("/") else path + "/")
        self._bases = sorted(bases, key=len, reverse=True)

    def path(self, location: Json) -> str | None:
        artifact = _obj(_obj(location.get("physicalLocation")).get("artifactLocation"))
        uri = _str(artifact.get("uri"))
        base_id = _str(artifact.get("uriBaseId"))
        index = _int(artifact.get("index"))
        if uri is None and index is not None and 0 <= index < len(self._artifacts):
            listed = _obj(_obj(self._artifacts[index]).get("location"))
            uri = _str(listed.get("uri"))
            base_id = base_id or _str(listed.get("uriBaseId"))
        if not uri:
            return None
        return self._normalize(uri, base_id)

    def _normalize(self, uri: str, base_id: str | None) -> str:
        text = uri.replace("\\", "/")
        if base_id and text.startswith(base_id):  # "%SRCROOT%/src/app.py", seen in the wild
            text = text[len(base_id) :].lstrip("/")
        parts = urlsplit(text)
        if parts.scheme == "file":
            path = unquote(parts.path)
        elif len(parts.scheme) > 1:  # another scheme: keep it whole (a drive letter is not one)
            return text
        else:
            path = unquote(text)
        if path.startswith("/"):
            for base in self._bases:
                if path.startswith(base):
                    path = path[len(base) :]
                    break
        while path.startswith("./"):
            path = path[2:]
        return path


@dataclass(frozen=True, slots=True)
class _Finding:
    index: int
    rule_id: str | None
    rule: Json
    props: Json
    path: str | None
    line: int | None
    column: int | None
    text: str  # the flagged code, or the message, whitespace-collapsed
    message: str | None
    fingerprints: tuple[tuple[str, Any], ...]  # (key, value) in precedence order
    suppressed: bool
    justification: str | None = None  # of the accepted suppression, capped (dismissal.py)

    @property
    def place(self) -> tuple[str | None, int | None]:
        return self.path, self.line


def _candidates(result: Json) -> tuple[tuple[str, Any], ...]:
    found: list[tuple[str, Any]] = []
    partial = _obj(result.get("partialFingerprints"))
    for key in sorted(
        partial, key=lambda k: (not str(k).startswith("primaryLocationLineHash"), str(k))
    ):
        if key not in _NOT_IDENTITY:
            found.append((f"partialFingerprints/{key}", partial[key]))
    full = _obj(result.get("fingerprints"))
    found.extend((f"fingerprints/{key}", full[key]) for key in sorted(full, key=str))
    if "correlationGuid" in result:
        found.append(("correlationGuid", result["correlationGuid"]))
    return tuple(found)


def _accepted_suppressions(result: Json) -> list[Json]:
    """Suppressed in source or elsewhere, unless the suppression is under review or rejected."""
    return [
        suppression
        for suppression in _list(result.get("suppressions"))
        if isinstance(suppression, Mapping) and suppression.get("status", "accepted") == "accepted"
    ]


def _justification(suppressions: Sequence[Json]) -> str | None:
    """The first accepted suppression's ``justification``: SARIF's dismissal comment."""
    return next(
        (c for c in (dismissal.comment(s.get("justification")) for s in suppressions) if c), None
    )


def _useless_keys(findings: Sequence[_Finding]) -> set[str]:
    """Fingerprint keys that do not identify findings in this run (see the module)."""
    useless: set[str] = set()
    places: dict[str, dict[str, set[tuple[str | None, int | None]]]] = defaultdict(
        lambda: defaultdict(set)
    )
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        for key, value in finding.fingerprints:
            if not isinstance(value, str) or value.strip().lower() in _PLACEHOLDERS:
                useless.add(key)
            else:
                places[key][value].add(finding.place)
                counts[key] += 1
    for key, by_value in places.items():
        if key in useless:
            continue
        if len(by_value) == 1 and counts[key] >= 2:
            (only,) = by_value.values()
            if len({path for path, _ in only}) >= 2:
                useless.add(key)
                continue
        for where in by_value.values():
            lines: dict[str | None, set[int | None]] = defaultdict(set)
            for path, line in where:
                lines[path].add(line)
            if any(len(found) > 1 for found in lines.values()):
                useless.add(key)  # one value for two lines of one file
                break
    return useless


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "tool"


def _check_repository(repository: str | None) -> None:
    if repository is not None and not is_repository_name(repository):
        raise SourceError(f"sarif: repository must be OWNER/REPO, not {repository[:100]!r}")
