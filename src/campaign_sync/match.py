"""Which alerts each campaign selects. Pure: values in, values out, no I/O, no clock.

A filter that concerns only some alert types (``rules`` and ``tools`` for code scanning,
``secret-types`` and ``secret-validity`` for secret scanning, ``ecosystems``, ``packages``
and ``fix-available`` for Dependabot) does not restrict the others; ``severity`` and
``cwe`` restrict the types that have them (secret scanning alerts have neither). Filters
combine with AND, values within one list with OR. Repository ``exclude`` wins over
``include``; archived repositories are never selected.

Matching a million alerts against fifty campaigns one by one would be fifty million
predicate calls, so alerts are grouped once by the fields the filters read, and each
campaign's filters run once per group (see ``AlertIndex``).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import math
import operator
import re
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from campaign_sync.gcpause import cyclic_gc_paused
from campaign_sync.model import Alert, PathSelection, Repository, Selection

# Types a filter applies to. Others pass it.
_SEVERITY_TYPES = frozenset({"code-scanning", "dependabot"})
_CWE_TYPES = frozenset({"code-scanning", "dependabot"})


# Glob tokens. `*` is `[^/]*`, `**` is `.*`, `**/` is `(?:.*/)?`, `?` is `[^/]`; the rest
# is literal. Matching runs them as an NFA over a bitset of positions, one step per path
# character, so a pattern of many `**` against a long path costs len(pattern) x len(path)
# at worst, never the backtracking a regex of nested `.*` does (issue 13, finding 8). The
# regex still answers when its backtracking is provably small (see `_Glob.match`).
_STAR, _DSTAR, _DSTAR_SLASH, _ANY_ONE = "*", "**", "**/", "?"
_REGEX = {_STAR: "[^/]*", _DSTAR: ".*", _DSTAR_SLASH: "(?:.*/)?", _ANY_ONE: "[^/]"}
_REGEX_BUDGET = 20_000


def _glob_tokens(pattern: str) -> list[str]:
    """The pattern's tokens, with runs that match the same paths as one token made one.

    ``**/**/`` is ``**/``; ``**`` next to ``*``, ``**`` or ``**/`` is ``**``. Merging keeps
    the NFA's chains of empty steps short, so each path character costs a few big-int
    operations, however the pattern repeats its wildcards.
    """
    tokens: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            token, i = _DSTAR_SLASH, i + 3
        elif pattern.startswith("**", i):
            token, i = _DSTAR, i + 2
        else:
            token, i = pattern[i], i + 1
        previous = tokens[-1] if tokens else None
        wild = {_STAR, _DSTAR, _DSTAR_SLASH}
        if previous == token == _DSTAR_SLASH:
            continue
        if token in wild and previous in wild and _DSTAR in (token, previous):
            tokens[-1] = _DSTAR
            continue
        tokens.append(token)
    return tokens


@dataclass(frozen=True, slots=True)
class _Glob:
    """A glob compiled to bit masks of NFA states (see ``_compile_glob``)."""

    start: int
    accept: int
    eps1: int  # states with an empty step to the next one
    eps2: int  # states with an empty step over the next one
    literal: Mapping[str, tuple[int, int, int]]  # char -> (advance 1, advance 2, stay)
    slash: tuple[int, int, int]
    other: tuple[int, int, int]  # any other character
    regex: re.Pattern[str]  # the same glob, fast in C while its backtracking is bounded
    wildcards: int  # how many `*`, `**` and `**/` the regex has

    def closure(self, states: int) -> int:
        while True:
            wider = states | ((states & self.eps1) << 1) | ((states & self.eps2) << 2)
            if wider == states:
                return states
            states = wider

    def match(self, path: str) -> bool:
        # A regex tries at most C(len(path) + k, k) ways to share the path among its k
        # wildcards; below a small budget that is faster than stepping the NFA in Python.
        if math.comb(len(path) + self.wildcards, self.wildcards) <= _REGEX_BUDGET:
            return self.regex.match(path) is not None
        return self.nfa_match(path)

    def nfa_match(self, path: str) -> bool:
        states = self.closure(self.start)
        literal, slash, other = self.literal, self.slash, self.other
        for char in path:
            one, two, stay = literal.get(char, slash if char == "/" else other)
            states = self.closure(((states & one) << 1) | ((states & two) << 2) | (states & stay))
            if not states:
                return False
        return bool(states & self.accept)


@functools.lru_cache(maxsize=4096)
def _compile_glob(pattern: str) -> _Glob:
    """One NFA state per token, two for ``**/`` (entry, then inside ``.*``).

    ``?`` and a literal step to the next state on their character; ``*`` stays on anything
    but ``/`` and may be skipped; ``**`` stays on anything and may be skipped. ``**/``'s
    entry may be skipped (to the state after its inner one), and on any character steps to
    its inner state, on ``/`` also over it; the inner state stays on anything and steps on
    ``/`` to the next token.
    """
    tokens = _glob_tokens(pattern)
    literals: dict[str, int] = {}
    any_one = star = dstar = entry = inner = 0
    bit = 1
    for token in tokens:
        if token == _DSTAR_SLASH:
            entry |= bit
            inner |= bit << 1
            bit <<= 2
            continue
        if token == _ANY_ONE:
            any_one |= bit
        elif token == _STAR:
            star |= bit
        elif token == _DSTAR:
            dstar |= bit
        else:
            literals[token] = literals.get(token, 0) | bit
        bit <<= 1

    def masks(char: str) -> tuple[int, int, int]:
        if char == "/":
            return (literals.get("/", 0) | entry | inner, entry, dstar | inner)
        return (literals.get(char, 0) | any_one | entry, 0, star | dstar | inner)

    return _Glob(
        start=1,
        accept=bit,
        eps1=star | dstar,
        eps2=entry,
        literal={char: masks(char) for char in literals},
        slash=masks("/"),
        other=masks(""),
        # DOTALL: git allows newlines in file names, and `**` must not stop at one.
        regex=re.compile("".join(_REGEX.get(t) or re.escape(t) for t in tokens) + r"\Z", re.DOTALL),
        wildcards=sum(t in (_STAR, _DSTAR, _DSTAR_SLASH) for t in tokens),
    )


def path_matches(path: str, pattern: str) -> bool:
    return _compile_glob(pattern).match(path)


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
class AlertGroup:
    """Alerts of one type that every filter but paths and repositories treats alike."""

    sample: Alert  # any one of them: the filters' verdict on it is the group's
    # Their places in AlertIndex.ordered, ascending: machine integers (a million int
    # objects would take 28 MB), in runs of one repository each.
    ranks: array[int]
    # The runs: repository names, and where each run starts in ``ranks`` (plus its end).
    # A campaign that leaves some repositories out (archived ones at least) tests each
    # repository of the group once, not each alert.
    run_names: tuple[str, ...]
    run_starts: array[int]

    def runs(self) -> Iterator[tuple[str, array[int]]]:
        starts = self.run_starts
        for i, name in enumerate(self.run_names):
            yield name, self.ranks[starts[i] : starts[i + 1]]


@dataclass(frozen=True, slots=True)
class AlertIndex:
    """The alerts of a run, indexed for matching. Build once, match many campaigns.

    Alerts that differ only in repository, path, number and the like share every field the
    alert filters read. A real organization has a million alerts but only hundreds of such
    groups (a rule and its severity, an advisory and its package), so a campaign's filters
    run once per group, not once per alert. Alerts are numbered in id order (their rank),
    so a selection sorts as integers, and repository and path filters read flat lists.
    """

    by_id: Mapping[str, Alert]
    ordered: Sequence[Alert]  # every alert, sorted by id
    groups: Mapping[str, tuple[AlertGroup, ...]]  # by alert type
    repositories: tuple[str, ...]  # every repository with an alert, sorted

    @classmethod
    def build(cls, alerts: Iterable[Alert]) -> AlertIndex:
        with cyclic_gc_paused():  # millions of small containers, no cycles
            return cls._build(alerts)

    @classmethod
    def _build(cls, alerts: Iterable[Alert]) -> AlertIndex:
        by_id = {alert.id: alert for alert in alerts}
        ordered = sorted(by_id.values(), key=_BY_ID)
        # signature -> repository -> ranks. Ids sort by type, then repository, so each
        # repository's ranks are one ascending run, and the runs come in ascending order.
        grouped: dict[tuple[object, ...], dict[str, list[int]]] = {}
        for rank, alert in enumerate(ordered):
            signature = (
                alert.type,
                alert.severity,
                alert.cwes,
                alert.rule_id,
                alert.tool,
                alert.secret_type,
                alert.secret_validity,
                alert.ecosystem,
                alert.package,
                alert.fix_available,
            )  # every field alert_selected reads but the path: its verdict is the group's
            by_repository = grouped.get(signature)
            if by_repository is None:
                by_repository = grouped[signature] = {}
            ranks = by_repository.get(alert.repository)
            if ranks is None:
                by_repository[alert.repository] = [rank]
            else:
                ranks.append(rank)
        groups: dict[str, list[AlertGroup]] = defaultdict(list)
        for by_repository in grouped.values():
            packed = array("q")
            starts = array("q")
            for run in by_repository.values():
                starts.append(len(packed))
                packed.extend(run)
            starts.append(len(packed))
            sample = ordered[packed[0]]
            group = AlertGroup(sample, packed, tuple(by_repository), starts)
            groups[sample.type].append(group)
        return cls(
            by_id=by_id,
            ordered=ordered,
            groups={kind: tuple(g) for kind, g in groups.items()},
            repositories=tuple(sorted({a.repository for a in ordered})),
        )


def _path_verdicts(selection: Selection, paths: Iterable[str | None]) -> dict[str | None, bool]:
    """Whether each path passes the selection's path filters."""
    wanted = selection.paths
    verdicts: dict[str | None, bool] = {}
    for path in paths:
        if path in verdicts:
            continue
        if path is None:
            verdicts[path] = not wanted.include  # nothing to match an include against
        else:
            verdicts[path] = (
                not wanted.include or any(path_matches(path, p) for p in wanted.include)
            ) and not any(path_matches(path, p) for p in wanted.exclude)
    return verdicts


def select(
    selection: Selection,
    index: AlertIndex,
    repositories: Mapping[str, Repository],
) -> tuple[Alert, ...]:
    """Every alert the selection admits, sorted by id, each once."""
    admitted = {
        name
        for name in index.repositories
        if repository_selected(selection, name, repositories.get(name))
    }
    every_repo = len(admitted) == len(index.repositories)
    by_paths = bool(selection.paths.include or selection.paths.exclude)
    by_group = dataclasses.replace(selection, paths=PathSelection()) if by_paths else selection
    ordered = index.ordered
    chosen: list[int] = []
    groups = [
        group
        for kind in dict.fromkeys(selection.alerts)  # each type once
        for group in index.groups.get(kind, ())
        if alert_selected(by_group, group.sample)
    ]
    if by_paths:
        verdicts = _path_verdicts(selection, (ordered[r].path for g in groups for r in g.ranks))
        for group in groups:
            for repository, ranks in group.runs():
                if repository in admitted:
                    chosen += [r for r in ranks if verdicts[ordered[r].path]]
    elif every_repo:
        for group in groups:
            chosen += group.ranks
    else:
        for group in groups:
            for repository, ranks in group.runs():
                if repository in admitted:
                    chosen += ranks
    # Ascending runs of integers: timsort merges them, comparing machine integers.
    chosen.sort()
    return tuple(map(index.ordered.__getitem__, chosen))


_BY_ID = operator.attrgetter("id")
