"""A SARIF log (every run of it) read into alerts, and the id prefixes each run covers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from campaign_sync.errors import SourceError
from campaign_sync.model import Alert
from campaign_sync.sources.sarif.fields import (
    _NOT_FINDINGS,
    _PLACEHOLDERS,
    Json,
    _collapse,
    _int,
    _list,
    _message,
    _obj,
    _str,
    cwes,
    repository_from_uri,
    security_severity,
)
from campaign_sync.sources.sarif.findings import (
    _accepted_suppressions,
    _candidates,
    _check_repository,
    _digest,
    _Finding,
    _justification,
    _Paths,
    _Rules,
    _slug,
    _useless_keys,
)


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
