"""GitHub's alert JSON -> Alert. Shared by the live client and the snapshot source.

The functions accept both the organization-level shapes (with ``repository``) and the
repository-level ones, given the repository from elsewhere. They read only the fields an
Alert keeps, and never a secret scanning alert's ``secret``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

from campaign_sync import dismissal
from campaign_sync.model import Alert, AlertState, AlertType, Repository

_CWE_TAG = re.compile(r"(?:external/)?cwe/cwe-0*(\d{1,9})\Z", re.IGNORECASE)
# Semgrep and most third-party tools tag rules "CWE-89: Improper Neutralization of ...".
_CWE_TEXT_TAG = re.compile(r"CWE-0*(\d{1,9})(?!\d)", re.IGNORECASE)
_CWE_ID = re.compile(r"CWE-0*(\d{1,9})\Z", re.IGNORECASE)

Json = Mapping[str, Any]


class ShapeError(ValueError):
    """The JSON is not an alert of the expected type."""


class NoState(ShapeError):
    """A code scanning alert whose ``state`` is null, as GitHub's schema allows: whether it
    is open is unknown, so it is skipped (and counted), never guessed."""


def cwes_from_tags(tags: Any) -> tuple[int, ...]:
    """CWE ids from rule tags: CodeQL's ``external/cwe/cwe-089``, or ``CWE-89: ...`` (Semgrep).

    Code scanning alerts from third-party tools carry the tags of the SARIF they came in.
    """
    if not isinstance(tags, list):
        return ()
    # Every alert of a rule carries the same tags: parse each set once.
    key = tuple(str(tag) for tag in tags)
    cached = _CWES_BY_TAGS.get(key)
    if cached is None:
        found: set[int] = set()
        for tag in key:
            match = _CWE_TAG.search(tag) or _CWE_TEXT_TAG.match(tag)
            if match:
                found.add(int(match.group(1)))
        cached = tuple(sorted(found))
        if len(_CWES_BY_TAGS) < _CWES_CACHE_SIZE:
            _CWES_BY_TAGS[key] = cached
    return cached


_CWES_CACHE_SIZE = 10_000
_CWES_BY_TAGS: dict[tuple[str, ...], tuple[int, ...]] = {}


def _cwes_from_advisory(cwes: Any) -> tuple[int, ...]:
    found: set[int] = set()
    for entry in cwes if isinstance(cwes, list) else ():
        match = _CWE_ID.match(str(entry.get("cwe_id", ""))) if isinstance(entry, Mapping) else None
        if match:
            found.add(int(match.group(1)))
    return tuple(sorted(found))


# GitHub's names: an owner and a repository of letters, digits, '.', '_' and '-', neither
# '.' nor '..'. Anything else would reach issue markers, ledger lines and API paths.
_FULL_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}/[A-Za-z0-9._-]{1,100}\Z")
_VALID_NAMES: set[str] = set()  # names already checked: a million alerts share a few


def is_repository_name(name: Any) -> bool:
    """True for ``OWNER/REPO`` as GitHub names repositories."""
    if name in _VALID_NAMES:
        return True
    if not isinstance(name, str) or not _FULL_NAME.match(name):
        return False
    if any(part in (".", "..") for part in name.split("/")):
        return False
    if len(_VALID_NAMES) < _CWES_CACHE_SIZE:
        _VALID_NAMES.add(name)
    return True


def repository_name(name: Any) -> str:
    """``name`` if it is an ``OWNER/REPO`` name, else ShapeError."""
    if not is_repository_name(name):
        shown = repr(name[:100]) if isinstance(name, str) else f"a {type(name).__name__}"
        raise ShapeError(f"{shown} is not a repository name (OWNER/REPO)")
    return sys.intern(name)


def _repo(data: Json, repository: str | None) -> tuple[str, int | None]:
    if not isinstance(data, Mapping):
        raise ShapeError(f"an alert must be an object, not {type(data).__name__}")
    repo = data.get("repository")
    if isinstance(repo, Mapping) and isinstance(repo.get("full_name"), str):
        return repository_name(repo["full_name"]), _int(repo.get("id"))
    if repository is None:
        raise ShapeError("alert has no repository.full_name and no repository was given")
    return repository_name(repository), None


def _number(data: Json) -> int:
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ShapeError("alert has no number")
    return number


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _obj(value: Any) -> Json:
    """A nested object, or an empty one when GitHub sent null (or something unexpected)."""
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _shared(value: Any) -> str | None:
    """A string many alerts repeat (repository, rule, tool, path...): one copy in memory.

    At a million alerts, separate copies of these strings were most of the memory.
    """
    return sys.intern(value) if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _closed_by(closed: bool, user: Any, comment: Any) -> tuple[str | None, str | None]:
    """Who closed the alert and their comment (``dismissal.py``'s rules), only when it is
    closed: a reopened alert's last dismissal is no longer what it is."""
    if not closed:
        return None, None
    return dismissal.login(user), dismissal.comment(comment)


def code_scanning_alert(data: Json, repository: str | None = None) -> Alert:
    full_name, repo_id = _repo(data, repository)
    number = _number(data)
    rule = _obj(data.get("rule"))
    tool = _obj(data.get("tool"))
    instance = _obj(data.get("most_recent_instance"))
    location = _obj(instance.get("location"))
    message = _obj(instance.get("message")).get("text")
    state = data.get("state")
    if state is None:
        raise NoState(f"code scanning alert {full_name}#{number} has no state")
    if state not in ("open", "fixed", "dismissed"):
        raise ShapeError(f"unknown code scanning state {state!r}")
    by, comment = _closed_by(
        state == "dismissed", data.get("dismissed_by"), data.get("dismissed_comment")
    )
    return Alert(
        id=f"code-scanning:{full_name}:{number}",
        type="code-scanning",
        repository=full_name,
        repository_id=repo_id,
        number=number,
        state=state,
        state_reason=_shared(data.get("dismissed_reason")),
        rule_id=_shared(rule.get("id")),
        rule_name=_shared(rule.get("description")) or _shared(rule.get("name")),
        tool=_shared(tool.get("name")),
        severity=_shared(rule.get("security_severity_level")),
        cwes=cwes_from_tags(rule.get("tags")),
        path=_shared(location.get("path")),
        start_line=_int(location.get("start_line")),
        created_at=_str(data.get("created_at")),
        updated_at=_str(data.get("updated_at")),
        fixed_at=_str(data.get("fixed_at")),
        dismissed_at=_str(data.get("dismissed_at")),
        html_url=_str(data.get("html_url")),
        message=_str(message),
        dismissed_by=by,
        dismissed_comment=comment,
    )


_DEPENDABOT_STATES: dict[str, AlertState] = {
    "open": "open",
    "fixed": "fixed",
    "dismissed": "dismissed",
    "auto_dismissed": "dismissed",
}


def dependabot_alert(data: Json, repository: str | None = None) -> Alert:
    full_name, repo_id = _repo(data, repository)
    number = _number(data)
    dependency = _obj(data.get("dependency"))
    package = _obj(dependency.get("package"))
    advisory = _obj(data.get("security_advisory"))
    vulnerability = _obj(data.get("security_vulnerability"))
    raw_state = data.get("state")
    state = _DEPENDABOT_STATES.get(raw_state) if isinstance(raw_state, str) else None
    if state is None:
        raise ShapeError(f"unknown Dependabot state {raw_state!r}")
    # auto_dismissed is a dismissal by a rule, not by a person: keep the distinction.
    reason = "auto_dismissed" if raw_state == "auto_dismissed" else data.get("dismissed_reason")
    by, comment = _closed_by(
        state == "dismissed", data.get("dismissed_by"), data.get("dismissed_comment")
    )
    return Alert(
        id=f"dependabot:{full_name}:{number}",
        type="dependabot",
        repository=full_name,
        repository_id=repo_id,
        number=number,
        state=state,
        state_reason=_shared(reason),
        rule_id=_shared(advisory.get("ghsa_id")),
        rule_name=_shared(advisory.get("summary")),
        tool="Dependabot",
        severity=_shared(vulnerability.get("severity")) or _shared(advisory.get("severity")),
        cwes=_cwes_from_advisory(advisory.get("cwes")),
        path=_shared(dependency.get("manifest_path")),
        package=_shared(package.get("name")),
        ecosystem=_shared(package.get("ecosystem")),
        manifest=_shared(dependency.get("manifest_path")),
        fix_available=vulnerability.get("first_patched_version") is not None,
        created_at=_str(data.get("created_at")),
        updated_at=_str(data.get("updated_at")),
        fixed_at=_str(data.get("fixed_at")),
        dismissed_at=_str(data.get("dismissed_at")) or _str(data.get("auto_dismissed_at")),
        html_url=_str(data.get("html_url")),
        message=_shared(advisory.get("summary")),
        dismissed_by=by,
        dismissed_comment=comment,
    )


def secret_scanning_alert(data: Json, repository: str | None = None) -> Alert:
    """Never reads ``secret``: the value must not reach the ledger, issues or logs."""
    full_name, repo_id = _repo(data, repository)
    number = _number(data)
    state = data.get("state")
    if state not in ("open", "resolved"):
        raise ShapeError(f"unknown secret scanning state {state!r}")
    location = _obj(data.get("first_location_detected"))
    secret_type = _shared(data.get("secret_type"))
    resolution = _str(data.get("resolution"))
    resolved_at = _str(data.get("resolved_at"))
    # A revoked secret is fixed; other resolutions (false positive, won't fix, used in
    # tests) are dismissals.
    revoked = resolution == "revoked"
    by, comment = _closed_by(
        state == "resolved", data.get("resolved_by"), data.get("resolution_comment")
    )
    return Alert(
        id=f"secret-scanning:{full_name}:{number}",
        type="secret-scanning",
        repository=full_name,
        repository_id=repo_id,
        number=number,
        state=state,
        state_reason=resolution,
        rule_id=secret_type,
        rule_name=_shared(data.get("secret_type_display_name")) or secret_type,
        tool="secret-scanning",
        path=_shared(location.get("path")),
        start_line=_int(location.get("start_line")),
        secret_type=secret_type,
        secret_validity=_shared(data.get("validity")),
        created_at=_str(data.get("created_at")),
        updated_at=_str(data.get("updated_at")),
        fixed_at=resolved_at if revoked else None,
        dismissed_at=None if revoked else resolved_at,
        html_url=_str(data.get("html_url")),
        dismissed_by=by,
        dismissed_comment=comment,
    )


NORMALIZERS: dict[AlertType, Callable[[Json, str | None], Alert]] = {
    "code-scanning": code_scanning_alert,
    "dependabot": dependabot_alert,
    "secret-scanning": secret_scanning_alert,
}


def detect_type(data: Json) -> AlertType:
    """Which alert type a GitHub alert object is, from its shape."""
    if "secret_type" in data or "secret_type_display_name" in data:
        return "secret-scanning"
    if "security_advisory" in data or "dependency" in data:
        return "dependabot"
    if "rule" in data and ("most_recent_instance" in data or "tool" in data):
        return "code-scanning"
    raise ShapeError(
        "not a GitHub alert: expected code scanning (rule, tool), Dependabot "
        "(security_advisory, dependency) or secret scanning (secret_type) fields"
    )


def repository(data: Json) -> Repository:
    """A repository from GitHub's repository JSON (org listing, or GET /repos/{o}/{r})."""
    full_name = data.get("full_name")
    if not isinstance(full_name, str):
        raise ShapeError("repository has no full_name")
    full_name = repository_name(full_name)
    visibility = data.get("visibility")
    if not isinstance(visibility, str):
        visibility = "private" if data.get("private", True) else "public"
    custom = data.get("custom_properties")
    return Repository(
        full_name=full_name,
        id=_int(data.get("id")),
        archived=bool(data.get("archived", False)),
        visibility=visibility,
        topics=tuple(sorted(str(t) for t in _list(data.get("topics")))),
        properties=custom_properties(custom) if isinstance(custom, Mapping) else (),
        # Absent (an older GHES, a trimmed snapshot): GitHub's default, Issues on.
        has_issues=data.get("has_issues") is not False,
    )


def custom_properties(values: Mapping[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``{"tier": "1", "teams": ["a", "b"], "x": null}`` -> sorted (name, values) pairs."""
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for name, value in values.items():
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        pairs.append((str(name), tuple(str(v) for v in items)))
    return tuple(sorted(pairs))
