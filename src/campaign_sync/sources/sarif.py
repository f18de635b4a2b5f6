"""Alerts from SARIF 2.1.0 files, the output format of nearly every code scanner.

A SARIF file lists what a scanner finds *now*. Each result becomes an ``Alert`` of type
``code-scanning`` in state ``open``: a finding that an earlier scan had and a later one does
not is fixed. This source says so by leaving it out and naming, in ``SourceResult.covered``,
the id prefix of each repository and tool whose scan ran (a run with a ``results`` array,
empty or not): a member under a covered prefix that is not listed is fixed
(``membership.py``). A run without ``results`` (SARIF: the tool could not compute them)
covers nothing, and neither does a repository or tool no file names: unknown is never fixed.

Two exceptions to ``open``: a result the scanner reports as suppressed (``suppressions`` with
no status or ``accepted``, e.g. a ``# nosemgrep`` comment) is ``dismissed`` with reason
``suppressed`` and, as its comment, the suppression's ``justification`` (capped as
``dismissal.py`` says); results of kind ``pass``, ``notApplicable`` or ``informational`` and results
whose ``baselineState`` is ``absent`` are not findings and are left out.

Fields:

- repository: the ``repository`` argument, else the run's ``versionControlProvenance``
  ``repositoryUri`` (``https://github.com/OWNER/REPO(.git)``, any host, or
  ``git@HOST:OWNER/REPO.git``), else a SourceError telling the user to name it.
- tool: ``run.tool.driver.name``.
- rule: ``ruleId`` (or ``rule.id``), its descriptor found by ``rule.index``/``ruleIndex``
  in the tool component ``rule.toolComponent`` names (the driver by default), else by id
  in ``driver.rules`` and every ``tool.extensions[].rules`` (CodeQL keeps a query pack's
  rules there). ``rule_name`` is the descriptor's ``shortDescription``, else its ``name``.
- severity: the descriptor's ``properties["security-severity"]`` (a CVSS score, also read
  from the result's properties) mapped as GitHub does: >= 9.0 critical, >= 7.0 high,
  >= 4.0 medium, > 0 low; otherwise None.
- CWEs: from ``properties.tags`` of the descriptor and the result, CodeQL style
  (``external/cwe/cwe-089``) and Semgrep style (``CWE-89: Improper Neutralization ...``);
  from ``cwe``/``cwes``/``cwe_id`` properties (``"CWE-605"``, ``89``, lists of them); and
  from the descriptor's ``relationships`` to a ``CWE`` taxonomy.
- location: the first location's ``artifactLocation.uri`` (or the ``run.artifacts`` entry
  its ``index`` points at), percent-decoded, relative: ``file://`` is stripped and so is a
  ``file://`` base the run declares in ``originalUriBaseIds``; ``region.startLine``.
- message: ``message.text``, or ``message.id`` looked up in the descriptor's
  ``messageStrings``, with ``{0}``-style placeholders filled from ``message.arguments``.

Identity. ``id`` is ``code-scanning:OWNER/REPO:sarif/TOOL/FINGERPRINT``; TOOL is the driver
name as a slug (``semgrep-oss``), FINGERPRINT a 16-hex-digit SHA-256 digest that must stay
the same from one scan to the next while the finding stays, wherever its line moves.
In order of precedence, the digest is taken over the tool, rule id, file path and:

1. the first usable fingerprint the scanner wrote for the result: ``partialFingerprints``
   (``primaryLocationLineHash`` first, which CodeQL computes from the flagged line's
   content, not its number; then the other keys by name, except
   ``primaryLocationStartColumnFingerprint``, a column offset and not an identity), then
   ``fingerprints`` by key name (Semgrep's ``matchBasedId/v1``), then ``correlationGuid``.
   The key's name is part of the digest.
2. Otherwise, what stays the same when code moves: the flagged code
   (``region.snippet.text`` with runs of whitespace collapsed) or, without a snippet, the
   message text, plus an occurrence counter among the results with the same tool, rule,
   path and text, ordered by line (then column), so two identical findings in one file get
   distinct ids that survive lines being inserted above them.

A fingerprint key is useless in a run, and ignored for every result of that run, when any
of its values is a placeholder (not a string, empty, ``0``, ``none``, ``null``, or Semgrep
OSS's ``requires login``); when one value names two different lines of the same file (no
fingerprint of code can do that); or when every result that has the key has the same
value, in two or more files. Sharing a value across files or rules on the same line is
allowed: CodeQL's line hash is the same for identical lines anywhere. A consequence: a run
whose every finding sits on an identical line in different files uses step 2; its ids
change once a different finding joins it.

Results that get the same id (a scanner reporting one location twice) are one alert.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from campaign_sync import dismissal
from campaign_sync.errors import SourceError
from campaign_sync.model import Alert
from campaign_sync.sources.base import SourceResult
from campaign_sync.sources.github_json import is_repository_name
from campaign_sync.sources.snapshot import expand_paths

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


def alerts_from_log(log: Any, source: str, *, repository: str | None = None) -> tuple[Alert, ...]:
    """The alerts of one parsed SARIF log, in file order; ``source`` names it in errors.

    Results that get the same id (one location reported twice) appear once.
    """
    return read_log(log, source, repository=repository)[0]


def read_log(
    log: Any, source: str, *, repository: str | None = None
) -> tuple[tuple[Alert, ...], frozenset[str]]:
    """``alerts_from_log``, and the id prefixes the log covers (see the module)."""
    _check_repository(repository)
    if not isinstance(log, Mapping) or not isinstance(log.get("runs"), list):
        raise SourceError(f'{source}: not a SARIF log: expected an object with "runs"')
    version = log.get("version")
    if version is not None and version != "2.1.0":
        raise SourceError(
            f"{source}: SARIF version {str(version)[:20]!r} is not supported; "
            "campaign-sync reads SARIF 2.1.0"
        )
    alerts: dict[str, Alert] = {}
    covered: set[str] = set()
    for index, run in enumerate(log["runs"]):
        prefix, found = _run_alerts(run, f"{source}: runs[{index}]", repository)
        if prefix is not None:
            covered.add(prefix)
        for alert in found:
            alerts.setdefault(alert.id, alert)
    return tuple(alerts.values()), frozenset(covered)


class SarifSource:
    """Findings from SARIF 2.1.0 files as open code scanning alerts (see the module).

    ``paths`` are files (any name) or folders (every ``*.sarif`` and ``*.json`` below them,
    sorted). ``repository`` (``OWNER/REPO``) names the repository every run belongs to; without
    it, each run must name its own in ``versionControlProvenance``.
    """

    def __init__(self, paths: Sequence[Path], *, repository: str | None = None) -> None:
        _check_repository(repository)
        self._paths = tuple(Path(p) for p in paths)
        self._repository = repository

    @property
    def name(self) -> str:
        return "sarif"

    def fetch(self, expected: Collection[str] = ()) -> SourceResult:
        """Every finding of the SARIF files (read whole: ``expected`` changes nothing)."""
        alerts: dict[str, Alert] = {}
        covered: set[str] = set()
        for path in expand_paths(self._paths, ("*.sarif", "*.json")):
            found, prefixes = read_log(_load(path), str(path), repository=self._repository)
            covered.update(prefixes)
            for alert in found:
                alerts.setdefault(alert.id, alert)
        return SourceResult(
            alerts=tuple(alerts[key] for key in sorted(alerts)), covered=frozenset(covered)
        )


def _load(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise SourceError(
            f"{path}:{error.lineno}:{error.colno}: malformed JSON: {error.msg}"
        ) from None
    except RecursionError:
        raise SourceError(f"{path}: malformed JSON: nested too deeply") from None
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not UTF-8 text; is this a SARIF file?") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise SourceError(f"{path}: malformed JSON: {error}") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot read: {error.strerror or error}") from None


def _run_alerts(run: Any, where: str, repository: str | None) -> tuple[str | None, Iterator[Alert]]:
    """The id prefix the run covers (None when it has no ``results``) and its alerts."""
    if not isinstance(run, Mapping):
        raise SourceError(f"{where} is not an object")
    tool = _obj(run.get("tool"))
    tool_name = _str(_obj(tool.get("driver")).get("name"))
    if not tool_name or not tool_name.strip():
        raise SourceError(f"{where}: tool.driver.name is missing; not a SARIF 2.1.0 run")
    results = run.get("results")
    if results is None:
        return None, iter(())
    if not isinstance(results, list):
        raise SourceError(f"{where}: results is not an array")
    rules = _Rules(tool)
    paths = _Paths(run)
    findings: list[_Finding] = []
    for index, result in enumerate(results):
        if not isinstance(result, Mapping):
            raise SourceError(f"{where}: results[{index}] is not an object")
        if _str(result.get("kind")) in _NOT_FINDINGS or result.get("baselineState") == "absent":
            continue
        findings.append(_finding(index, result, rules, paths))
    if not findings and repository is None and not _list(run.get("versionControlProvenance")):
        # Nothing found, and no repository named: nothing to list, nothing it can cover.
        return None, iter(())
    named = repository or _run_repository(run, where)
    return _prefix(named, tool_name), _alerts(findings, tool_name, named)


def _prefix(repository: str, tool: str) -> str:
    """The start of the id of every finding ``tool`` reports in ``repository``."""
    return f"code-scanning:{repository}:sarif/{_slug(tool)}/"


def _finding(index: int, result: Json, rules: _Rules, paths: _Paths) -> _Finding:
    rule_id, rule = rules.find(result)
    location = _obj(next(iter(_list(result.get("locations"))), None))
    region = _obj(_obj(location.get("physicalLocation")).get("region"))
    line = _int(region.get("startLine"))
    message = _message(result, rule)
    snippet = _collapse(_str(_obj(region.get("snippet")).get("text")) or "")
    if snippet.lower() in _PLACEHOLDERS:
        snippet = ""
    suppressions = _accepted_suppressions(result)
    return _Finding(
        index=index,
        rule_id=rule_id,
        rule=rule,
        props=_obj(result.get("properties")),
        path=paths.path(location),
        line=line if line is not None and line > 0 else None,
        column=_int(region.get("startColumn")),
        text=snippet or _collapse(message or ""),
        message=message,
        fingerprints=_candidates(result),
        suppressed=bool(suppressions),
        justification=_justification(suppressions),
    )


def _run_repository(run: Json, where: str) -> str:
    for provenance in _list(run.get("versionControlProvenance")):
        uri = _str(_obj(provenance).get("repositoryUri"))
        if uri is None:
            continue
        repository = repository_from_uri(uri)
        if repository is None:
            raise SourceError(
                f"{where}: versionControlProvenance names {uri[:200]!r}, which is not a "
                "repository URL like https://github.com/OWNER/REPO; name the repository "
                "the results belong to (--source sarif:PATH#OWNER/REPO)"
            )
        return repository
    raise SourceError(
        f"{where}: cannot tell which repository these results belong to: the run has no "
        "versionControlProvenance repositoryUri; name it (--source sarif:PATH#OWNER/REPO)"
    )


def _alerts(findings: Sequence[_Finding], tool: str, repository: str) -> Iterator[Alert]:
    useless = _useless_keys(findings)
    fingerprints: dict[int, str] = {}
    fallback: dict[tuple[str | None, str | None, str], list[_Finding]] = defaultdict(list)
    for finding in findings:
        chosen = next(
            (
                (key, value)
                for key, value in finding.fingerprints
                if key not in useless and isinstance(value, str)
            ),
            None,
        )
        if chosen is None:
            fallback[(finding.rule_id, finding.path, finding.text)].append(finding)
        else:
            key, value = chosen
            fingerprints[finding.index] = _digest(
                tool, finding.rule_id or "", finding.path or "", key, value
            )
    for (rule_id, path, text), group in fallback.items():
        # Ordered by position; the same position reported twice is one finding.
        positions = sorted({(f.line or 0, f.column or 0) for f in group})
        occurrence = {position: n for n, position in enumerate(positions)}
        for finding in group:
            n = occurrence[(finding.line or 0, finding.column or 0)]
            fingerprints[finding.index] = _digest(
                tool, rule_id or "", path or "", "text", text, str(n)
            )
    prefix = _prefix(repository, tool)
    for finding in findings:
        props = _obj(finding.rule.get("properties"))
        yield Alert(
            id=prefix + fingerprints[finding.index],
            type="code-scanning",
            repository=repository,
            state="dismissed" if finding.suppressed else "open",
            state_reason="suppressed" if finding.suppressed else None,
            rule_id=finding.rule_id,
            rule_name=_rule_name(finding.rule),
            tool=tool,
            severity=security_severity(props.get("security-severity"))
            or security_severity(finding.props.get("security-severity")),
            cwes=cwes(props, finding.props, relationships=finding.rule.get("relationships")),
            path=finding.path,
            start_line=finding.line,
            message=finding.message,
            dismissed_comment=finding.justification if finding.suppressed else None,
        )


def _rule_name(rule: Json) -> str | None:
    short = _str(_obj(rule.get("shortDescription")).get("text"))
    return short or _str(rule.get("name"))
