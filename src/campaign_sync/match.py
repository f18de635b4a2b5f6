"""Which alerts each campaign selects. Pure: values in, values out, no I/O, no clock.

A filter that concerns only some alert types (``rules`` and ``tools`` for code scanning,
``secret-types`` and ``secret-validity`` for secret scanning, ``ecosystems``, ``packages``
and ``fix-available`` for Dependabot) does not restrict the others; ``severity`` and
``cwe`` restrict the types that have them (secret scanning alerts have neither). Filters
combine with AND, values within one list with OR. Repository ``exclude`` wins over
``include``; archived repositories are never selected.

Matching a million alerts against fifty campaigns one by one would be fifty million
predicate calls, so alerts are indexed once (by type, by repository, by CWE, by severity)
and each campaign starts from the smallest candidate set its selection allows.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from campaign_sync.model import Alert, Repository, Selection

# Types a filter applies to. Others pass it.
_SEVERITY_TYPES = frozenset({"code-scanning", "dependabot"})
_CWE_TYPES = frozenset({"code-scanning", "dependabot"})


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    """A glob as a regex: ``*`` within one path segment, ``**`` across segments."""
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            parts.append(".*")
            i += 2
            continue
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        else:
            parts.append(re.escape(char))
        i += 1
    # DOTALL: git allows newlines in file names, and `**` must not stop at one.
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def path_matches(path: str, pattern: str) -> bool:
    return _glob(pattern).match(path) is not None


def _any_glob(value: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


def _any_name_glob(name: str, patterns: Sequence[str]) -> bool:
    # GitHub's owner and repository names are case-insensitive: acme/* matches Acme/Web.
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in patterns)


def repository_selected(selection: Selection, name: str, repo: Repository | None) -> bool:
    """Whether the selection's repository filters admit this repository."""
    if repo is not None and repo.archived:
        return False
    wanted = selection.repositories
    if wanted.include and not _any_name_glob(name, wanted.include):
        return False
    if wanted.exclude and _any_name_glob(name, wanted.exclude):
        return False
    if wanted.topics and (repo is None or not set(wanted.topics) & set(repo.topics)):
        return False
    if wanted.properties:
        if repo is None:
            return False
        have = dict(repo.properties)
        for prop, allowed in wanted.properties:
            if not set(have.get(prop, ())) & set(allowed):
                return False
    return True


def alert_selected(selection: Selection, alert: Alert) -> bool:
    """Whether the selection's alert filters (everything but repositories) admit the alert."""
    kind = alert.type
    if kind not in selection.alerts:
        return False
    if selection.severity and kind in _SEVERITY_TYPES and alert.severity not in selection.severity:
        return False
    if selection.cwe and kind in _CWE_TYPES and not set(selection.cwe) & set(alert.cwes):
        return False
    if kind == "code-scanning":
        if selection.rules and not (alert.rule_id and _any_glob(alert.rule_id, selection.rules)):
            return False
        if selection.tools and alert.tool not in selection.tools:
            return False
    elif kind == "secret-scanning":
        if selection.secret_types and alert.secret_type not in selection.secret_types:
            return False
        if selection.secret_validity and alert.secret_validity not in selection.secret_validity:
            return False
    elif kind == "dependabot":
        if selection.ecosystems and alert.ecosystem not in selection.ecosystems:
            return False
        if selection.packages and not (
            alert.package and _any_glob(alert.package, selection.packages)
        ):
            return False
        if selection.fix_available is not None and alert.fix_available != selection.fix_available:
            return False
    paths = selection.paths
    if paths.include or paths.exclude:
        if alert.path is None:
            return not paths.include  # nothing to match an include against
        if paths.include and not any(path_matches(alert.path, p) for p in paths.include):
            return False
        if paths.exclude and any(path_matches(alert.path, p) for p in paths.exclude):
            return False
    return True


@dataclass(frozen=True, slots=True)
class AlertIndex:
    """The alerts of a run, indexed for matching. Build once, match many campaigns."""

    by_id: Mapping[str, Alert]
    by_type: Mapping[str, tuple[Alert, ...]]
    by_type_repo: Mapping[tuple[str, str], tuple[Alert, ...]]
    by_type_cwe: Mapping[tuple[str, int], tuple[Alert, ...]]
    by_type_severity: Mapping[tuple[str, str | None], tuple[Alert, ...]]
    repositories: tuple[str, ...]  # every repository with an alert, sorted

    @classmethod
    def build(cls, alerts: Iterable[Alert]) -> AlertIndex:
        by_id: dict[str, Alert] = {}
        by_type: dict[str, list[Alert]] = defaultdict(list)
        by_type_repo: dict[tuple[str, str], list[Alert]] = defaultdict(list)
        by_type_cwe: dict[tuple[str, int], list[Alert]] = defaultdict(list)
        by_type_severity: dict[tuple[str, str | None], list[Alert]] = defaultdict(list)
        for alert in alerts:
            by_id[alert.id] = alert
            by_type[alert.type].append(alert)
            by_type_repo[(alert.type, alert.repository)].append(alert)
            by_type_severity[(alert.type, alert.severity)].append(alert)
            for cwe in alert.cwes:
                by_type_cwe[(alert.type, cwe)].append(alert)
        return cls(
            by_id=by_id,
            by_type={k: tuple(v) for k, v in by_type.items()},
            by_type_repo={k: tuple(v) for k, v in by_type_repo.items()},
            by_type_cwe={k: tuple(v) for k, v in by_type_cwe.items()},
            by_type_severity={k: tuple(v) for k, v in by_type_severity.items()},
            repositories=tuple(sorted({repo for _, repo in by_type_repo})),
        )

    def candidates(
        self, selection: Selection, kind: str, repositories: Sequence[str]
    ) -> Iterable[Alert]:
        """A superset of the alerts of ``kind`` the selection can admit, as small as cheap."""
        options: list[tuple[int, Iterable[Alert]]] = []
        in_repos = [self.by_type_repo.get((kind, r), ()) for r in repositories]
        options.append((sum(len(a) for a in in_repos), _chain(in_repos)))
        if selection.cwe and kind in _CWE_TYPES:
            lists = [self.by_type_cwe.get((kind, c), ()) for c in selection.cwe]
            # An alert with several selected CWEs is in several lists: deduplicate later.
            options.append((sum(len(a) for a in lists), _chain(lists)))
        if selection.severity and kind in _SEVERITY_TYPES:
            lists = [self.by_type_severity.get((kind, s), ()) for s in selection.severity]
            options.append((sum(len(a) for a in lists), _chain(lists)))
        return min(options, key=lambda option: option[0])[1]


def _chain(lists: Sequence[Sequence[Alert]]) -> Iterable[Alert]:
    for items in lists:
        yield from items


def select(
    selection: Selection,
    index: AlertIndex,
    repositories: Mapping[str, Repository],
) -> tuple[Alert, ...]:
    """Every alert the selection admits, sorted by id, each once."""
    admitted_repos = [
        name
        for name in index.repositories
        if repository_selected(selection, name, repositories.get(name))
    ]
    repo_set = set(admitted_repos)
    chosen: dict[str, Alert] = {}
    for kind in selection.alerts:
        for alert in index.candidates(selection, kind, admitted_repos):
            if alert.repository in repo_set and alert_selected(selection, alert):
                chosen[alert.id] = alert
    return tuple(chosen[k] for k in sorted(chosen))
