"""Matching: every filter of a selection, and select() against a brute-force filter."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign_sync.match import (
    AlertIndex,
    _compile_glob,
    alert_selected,
    path_matches,
    repository_selected,
    select,
)
from campaign_sync.model import ALERT_TYPES, Alert, Repository, Selection


def selection(**data: Any) -> Selection:
    """A Selection from campaign-file keys; ``_`` in a keyword stands for ``-``."""
    return Selection.from_data({k.replace("_", "-"): v for k, v in data.items()})


def code(repo: str = "acme/web", number: int = 1, **fields: Any) -> Alert:
    fields.setdefault("state", "open")
    return Alert(
        id=f"code-scanning:{repo}:{number}",
        type="code-scanning",
        repository=repo,
        number=number,
        **fields,
    )


def secret(repo: str = "acme/web", number: int = 1, **fields: Any) -> Alert:
    fields.setdefault("state", "open")
    return Alert(
        id=f"secret-scanning:{repo}:{number}",
        type="secret-scanning",
        repository=repo,
        number=number,
        **fields,
    )


def dependabot(repo: str = "acme/web", number: int = 1, **fields: Any) -> Alert:
    fields.setdefault("state", "open")
    return Alert(
        id=f"dependabot:{repo}:{number}",
        type="dependabot",
        repository=repo,
        number=number,
        **fields,
    )


# --- alert filters --------------------------------------------------------------------

ALERT_CASES = [
    # alert types; none named means all three
    ("types: code scanning only", {"alerts": ["code-scanning"]}, code(), True),
    ("types: secret excluded", {"alerts": ["code-scanning"]}, secret(), False),
    ("types: dependabot excluded", {"alerts": ["code-scanning"]}, dependabot(), False),
    ("types: two named", {"alerts": ["secret-scanning", "dependabot"]}, dependabot(), True),
    ("types: default code", {}, code(), True),
    ("types: default secret", {}, secret(), True),
    ("types: default dependabot", {}, dependabot(), True),
    # severity restricts code scanning and Dependabot, never secret scanning
    ("severity: code high", {"severity": ["critical", "high"]}, code(severity="high"), True),
    ("severity: code medium", {"severity": ["critical", "high"]}, code(severity="medium"), False),
    ("severity: code unknown", {"severity": ["critical"]}, code(severity=None), False),
    ("severity: dependabot in", {"severity": ["critical"]}, dependabot(severity="critical"), True),
    ("severity: dependabot out", {"severity": ["critical"]}, dependabot(severity="low"), False),
    ("severity: secret passes", {"severity": ["critical"]}, secret(), True),
    # cwe: any of the listed
    ("cwe: match", {"cwe": [89]}, code(cwes=(89,)), True),
    ("cwe: one of several", {"cwe": [89]}, code(cwes=(79, 89)), True),
    ("cwe: two listed", {"cwe": [22, 79]}, code(cwes=(79,)), True),
    ("cwe: other", {"cwe": [89]}, code(cwes=(79,)), False),
    ("cwe: none on alert", {"cwe": [89]}, code(cwes=()), False),
    ("cwe: dependabot", {"cwe": [89]}, dependabot(cwes=(89,)), True),
    ("cwe: dependabot other", {"cwe": [89]}, dependabot(cwes=(1321,)), False),
    ("cwe: secret passes", {"cwe": [89]}, secret(), True),
    # rules: globs, code scanning only
    ("rules: exact", {"rules": ["py/sql-injection"]}, code(rule_id="py/sql-injection"), True),
    ("rules: other", {"rules": ["py/sql-injection"]}, code(rule_id="py/xss"), False),
    ("rules: none on alert", {"rules": ["py/sql-injection"]}, code(rule_id=None), False),
    ("rules: glob prefix", {"rules": ["py/*"]}, code(rule_id="py/sql-injection"), True),
    ("rules: glob prefix other", {"rules": ["py/*"]}, code(rule_id="js/sql-injection"), False),
    ("rules: glob suffix", {"rules": ["*/sql-injection"]}, code(rule_id="js/sql-injection"), True),
    ("rules: second", {"rules": ["py/xss", "js/*"]}, code(rule_id="js/xss"), True),
    ("rules: case matters", {"rules": ["PY/*"]}, code(rule_id="py/xss"), False),
    ("rules: dependabot passes", {"rules": ["py/*"]}, dependabot(), True),
    ("rules: secret passes", {"rules": ["py/*"]}, secret(), True),
    # tools: code scanning only
    ("tools: match", {"tools": ["CodeQL"]}, code(tool="CodeQL"), True),
    ("tools: other", {"tools": ["CodeQL"]}, code(tool="Semgrep"), False),
    ("tools: none on alert", {"tools": ["CodeQL"]}, code(tool=None), False),
    ("tools: dependabot passes", {"tools": ["CodeQL"]}, dependabot(), True),
    # secret types and validity: secret scanning only
    (
        "secret types: match",
        {"secret_types": ["github_personal_access_token"]},
        secret(secret_type="github_personal_access_token"),
        True,
    ),
    (
        "secret types: other",
        {"secret_types": ["github_personal_access_token"]},
        secret(secret_type="aws_access_key_id"),
        False,
    ),
    ("secret types: code passes", {"secret_types": ["x"]}, code(), True),
    ("validity: match", {"secret_validity": ["active"]}, secret(secret_validity="active"), True),
    ("validity: other", {"secret_validity": ["active"]}, secret(secret_validity="inactive"), False),
    ("validity: unknown", {"secret_validity": ["active"]}, secret(secret_validity=None), False),
    ("validity: dependabot passes", {"secret_validity": ["active"]}, dependabot(), True),
    # ecosystems, packages (globs) and fix availability: Dependabot only
    ("ecosystems: match", {"ecosystems": ["pip"]}, dependabot(ecosystem="pip"), True),
    ("ecosystems: other", {"ecosystems": ["pip"]}, dependabot(ecosystem="npm"), False),
    ("ecosystems: code passes", {"ecosystems": ["pip"]}, code(), True),
    ("packages: exact", {"packages": ["flask"]}, dependabot(package="flask"), True),
    ("packages: glob", {"packages": ["django*"]}, dependabot(package="djangorestframework"), True),
    ("packages: glob other", {"packages": ["django*"]}, dependabot(package="flask"), False),
    ("packages: scoped", {"packages": ["@types/*"]}, dependabot(package="@types/node"), True),
    ("packages: none on alert", {"packages": ["flask"]}, dependabot(package=None), False),
    ("packages: secret passes", {"packages": ["flask"]}, secret(), True),
    ("fix: wanted, has", {"fix_available": True}, dependabot(fix_available=True), True),
    ("fix: wanted, has not", {"fix_available": True}, dependabot(fix_available=False), False),
    ("fix: wanted, unknown", {"fix_available": True}, dependabot(fix_available=None), False),
    ("fix: unwanted, has not", {"fix_available": False}, dependabot(fix_available=False), True),
    ("fix: unwanted, has", {"fix_available": False}, dependabot(fix_available=True), False),
    ("fix: code passes", {"fix_available": True}, code(), True),
    # filters combine with AND
    (
        "and: all hold",
        {"severity": ["high"], "cwe": [89], "rules": ["py/*"], "tools": ["CodeQL"]},
        code(severity="high", cwes=(89,), rule_id="py/sql-injection", tool="CodeQL"),
        True,
    ),
    (
        "and: one fails",
        {"severity": ["high"], "cwe": [89], "rules": ["py/*"], "tools": ["CodeQL"]},
        code(severity="high", cwes=(89,), rule_id="py/sql-injection", tool="Semgrep"),
        False,
    ),
    # paths: ** crosses directories, * stays in one; exclude wins; no path, no include match
    ("paths: exclude tests", {"paths": {"exclude": ["**/test/**"]}}, code(path="test/a.py"), False),
    (
        "paths: exclude nested tests",
        {"paths": {"exclude": ["**/test/**"]}},
        code(path="src/pkg/test/a.py"),
        False,
    ),
    (
        "paths: testing is not test",
        {"paths": {"exclude": ["**/test/**"]}},
        code(path="src/testing/a.py"),
        True,
    ),
    ("paths: exclude, no path", {"paths": {"exclude": ["**/test/**"]}}, code(path=None), True),
    ("paths: include deep", {"paths": {"include": ["src/**"]}}, code(path="src/a/b/c.py"), True),
    ("paths: include other", {"paths": {"include": ["src/**"]}}, code(path="lib/a.py"), False),
    ("paths: include, no path", {"paths": {"include": ["src/**"]}}, code(path=None), False),
    (
        "paths: exclude wins",
        {"paths": {"include": ["src/**"], "exclude": ["src/vendor/**"]}},
        code(path="src/vendor/x.py"),
        False,
    ),
    (
        "paths: second include",
        {"paths": {"include": ["src/**", "lib/**"]}},
        code(path="lib/x.py"),
        True,
    ),
    ("paths: star one segment", {"paths": {"include": ["*.py"]}}, code(path="a.py"), True),
    ("paths: star not deeper", {"paths": {"include": ["*.py"]}}, code(path="src/a.py"), False),
    (
        "paths: dependabot manifest",
        {"paths": {"include": ["src/**"]}},
        dependabot(path=None),
        False,
    ),
]


@pytest.mark.parametrize(
    ("data", "alert", "expected"),
    [pytest.param(d, a, e, id=name) for name, d, a, e in ALERT_CASES],
)
def test_alert_selected(data: dict[str, Any], alert: Alert, expected: bool) -> None:
    assert alert_selected(selection(**data), alert) is expected


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("a.py", "**/*.py", True),
        ("a/b/c.py", "**/*.py", True),
        ("a/b/c.pyc", "**/*.py", False),
        ("a/b", "a/**/b", True),
        ("a/x/y/b", "a/**/b", True),
        ("a/x/y/c", "a/**/b", False),
        ("src/a.py", "src/*", True),
        ("src/a/b.py", "src/*", False),
        ("src", "src/**", False),
        ("src/a", "src/**", True),
        ("a.py", "?.py", True),
        ("ab.py", "?.py", False),
        ("a/b", "a?b", False),  # '?' is one character, never '/'
        ("src/a+b.py", "src/a+b.py", True),  # regex characters are literal
        ("src/aXpy", "src/a.py", False),
        ("anything/at/all", "**", True),
        ("Src/a.py", "src/**", False),  # case matters
    ],
)
def test_path_matches(path: str, pattern: str, expected: bool) -> None:
    assert path_matches(path, pattern) is expected


def test_double_star_matches_a_path_with_a_newline() -> None:
    assert path_matches("src/evil\nname.py", "src/**")


def _regex_glob(pattern: str) -> re.Pattern[str]:
    """The glob as the regex it was before issue 13: right, but it backtracks."""
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        else:
            char = pattern[i]
            parts.append({"*": "[^/]*", "?": "[^/]"}.get(char) or re.escape(char))
            i += 1
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


@settings(max_examples=1500)
@given(
    pattern=st.text(alphabet="*?/ab", max_size=10),
    path=st.text(alphabet="/ab\n", max_size=12),
)
def test_path_matches_agrees_with_the_regex_it_replaced(pattern: str, path: str) -> None:
    expected = _regex_glob(pattern).match(path) is not None
    assert path_matches(path, pattern) is expected
    assert _compile_glob(pattern).nfa_match(path) is expected  # short paths take the regex


@pytest.mark.parametrize(
    "pattern",
    [
        "**/" * 30 + "x",
        "*/**/" * 20 + "x",
        "**" + "a**" * 30 + "x",
        "*a" * 40 + "x",
        "?*" * 40 + "x",
    ],
    ids=["double-star-slash", "star-slash-double-star", "double-star-a", "star-a", "one-star"],
)
def test_a_hostile_path_glob_is_matched_in_linear_time(pattern: str) -> None:
    # A pull request's glob of many wildcards against a long path without its last
    # character: the old regex backtracked for seconds or longer; 50 ms is generous.
    paths = ["a/" * 1000, "a" * 2000, ("a" * 9 + "/") * 200]
    for path in paths:
        started = time.perf_counter()
        assert not path_matches(path, pattern)
        assert time.perf_counter() - started < 0.05, (pattern[:20], path[:20])


# --- repository filters ---------------------------------------------------------------

PROD = Repository("acme/web", topics=("production", "python"))
PROPS = Repository("acme/web", properties=(("team", ("payments", "web")), ("tier", ("1",))))

REPOSITORY_CASES = [
    ("no filters, no metadata", {}, "acme/web", None, True),
    ("include", {"include": ["acme/*"]}, "acme/web", None, True),
    ("include other owner", {"include": ["acme/*"]}, "beta/web", None, False),
    ("include second", {"include": ["acme/api", "beta/*"]}, "beta/web", None, True),
    ("exclude", {"exclude": ["acme/sandbox-*"]}, "acme/sandbox-1", None, False),
    ("exclude other", {"exclude": ["acme/sandbox-*"]}, "acme/web", None, True),
    ("exclude wins", {"include": ["acme/*"], "exclude": ["acme/*"]}, "acme/web", None, False),
    (
        "exclude wins over exact include",
        {"include": ["acme/web"], "exclude": ["*/web"]},
        "acme/web",
        None,
        False,
    ),
    ("topics", {"topics": ["production"]}, "acme/web", PROD, True),
    ("topics any of", {"topics": ["pci", "python"]}, "acme/web", PROD, True),
    ("topics none shared", {"topics": ["pci"]}, "acme/web", PROD, False),
    ("topics, repo has none", {"topics": ["pci"]}, "acme/web", Repository("acme/web"), False),
    ("topics, no metadata", {"topics": ["production"]}, "acme/web", None, False),
    ("property", {"properties": {"tier": ["1", "2"]}}, "acme/web", PROPS, True),
    ("property other value", {"properties": {"tier": ["2"]}}, "acme/web", PROPS, False),
    ("property multi-select", {"properties": {"team": ["web"]}}, "acme/web", PROPS, True),
    (
        "properties all must hold",
        {"properties": {"team": ["payments"], "tier": ["1"]}},
        "acme/web",
        PROPS,
        True,
    ),
    (
        "properties one fails",
        {"properties": {"team": ["payments"], "tier": ["3"]}},
        "acme/web",
        PROPS,
        False,
    ),
    ("property missing", {"properties": {"env": ["prod"]}}, "acme/web", PROPS, False),
    ("property, no metadata", {"properties": {"tier": ["1"]}}, "acme/web", None, False),
    ("archived", {}, "acme/web", Repository("acme/web", archived=True), False),
    (
        "archived even if included",
        {"include": ["acme/web"], "topics": ["production"]},
        "acme/web",
        Repository("acme/web", archived=True, topics=("production",)),
        False,
    ),
]


@pytest.mark.parametrize(
    ("data", "name", "repo", "expected"),
    [pytest.param(d, n, r, e, id=case) for case, d, n, r, e in REPOSITORY_CASES],
)
def test_repository_selected(
    data: dict[str, Any], name: str, repo: Repository | None, expected: bool
) -> None:
    assert repository_selected(selection(repositories=data), name, repo) is expected


# --- select ---------------------------------------------------------------------------


def test_select_leaves_archived_repositories_out() -> None:
    alerts = [code("acme/web", 1), code("acme/old", 2), code("acme/bare", 3)]
    repositories = {
        "acme/web": Repository("acme/web"),
        "acme/old": Repository("acme/old", archived=True),
    }
    chosen = select(Selection(), AlertIndex.build(alerts), repositories)
    assert [a.id for a in chosen] == ["code-scanning:acme/bare:3", "code-scanning:acme/web:1"]


def test_select_without_metadata_drops_topic_and_property_filters_repositories() -> None:
    alerts = [code("acme/web", 1), code("acme/api", 2)]
    index = AlertIndex.build(alerts)
    repositories = {"acme/web": Repository("acme/web", topics=("production",))}
    assert select(selection(repositories={"topics": ["production"]}), index, repositories) == (
        alerts[0],
    )
    assert select(selection(repositories={"properties": {"tier": ["1"]}}), index, {}) == ()
    assert select(selection(repositories={"include": ["acme/*"]}), index, {}) == (
        alerts[1],
        alerts[0],
    )


def test_select_sorts_by_id_and_lists_each_alert_once() -> None:
    alerts = [
        code("acme/web", 10, cwes=(79, 89), severity="high"),
        code("acme/web", 9, cwes=(89, 89), severity="critical"),
        dependabot("acme/api", 3, cwes=(79,), severity="high"),
        secret("acme/web", 1),
    ]
    chosen = select(
        selection(alerts=["code-scanning", "dependabot", "code-scanning"], cwe=[79, 89]),
        AlertIndex.build(alerts),
        {},
    )
    ids = [a.id for a in chosen]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert ids == [
        "code-scanning:acme/web:10",
        "code-scanning:acme/web:9",
        "dependabot:acme/api:3",
    ]


def test_select_uses_the_smallest_candidate_set_and_still_filters_repositories() -> None:
    # Severity gives the smallest candidate set here, but its candidates span repositories
    # the selection excludes: those must still be left out.
    alerts = [code(f"acme/r{i}", i, severity="low") for i in range(20)]
    alerts += [code("acme/r0", 100, severity="critical"), code("beta/x", 101, severity="critical")]
    chosen = select(
        selection(severity=["critical"], repositories={"include": ["acme/*"]}),
        AlertIndex.build(alerts),
        {},
    )
    assert [a.id for a in chosen] == ["code-scanning:acme/r0:100"]


# --- select equals a brute-force filter (the index is an optimisation only) -----------

REPOS = ("acme/web", "acme/api", "acme/sandbox-1", "beta/app", "beta/sandbox-x")
TOPICS = ("production", "python", "pci")
PROPERTIES = {"tier": ("1", "2", "3"), "team": ("payments", "web")}
RULES = ("py/sql-injection", "py/xss", "js/sql-injection", "js/xss", "go/path-injection")
TOOLS = ("CodeQL", "Semgrep")
SECRET_TYPES = ("github_personal_access_token", "aws_access_key_id", "slack_webhook")
VALIDITY = ("active", "inactive", "unknown")
ECOSYSTEMS = ("pip", "npm", "maven")
PACKAGES = ("django", "djangorestframework", "flask", "lodash", "@types/node")
PATHS = ("src/app.py", "src/test/test_app.py", "test/a.js", "lib/vendor/x.js", "README.md")
CWES = (22, 79, 89, 798)
SEVERITY = ("critical", "high", "medium", "low")
STATES = ("open", "fixed", "dismissed", "resolved")


def _maybe(values: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.none() | st.sampled_from(values)


def _some(values: tuple[Any, ...]) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(values), min_size=1, max_size=3)


@st.composite
def alerts(draw: st.DrawFn) -> Alert:
    kind = draw(st.sampled_from(ALERT_TYPES))
    repo = draw(st.sampled_from(REPOS))
    number = draw(st.integers(1, 30))
    return Alert(
        id=f"{kind}:{repo}:{number}",
        type=kind,
        repository=repo,
        state=draw(st.sampled_from(STATES)),
        number=number,
        severity=None if kind == "secret-scanning" else draw(_maybe(SEVERITY)),
        cwes=() if kind == "secret-scanning" else tuple(draw(st.lists(st.sampled_from(CWES)))),
        rule_id=draw(_maybe(RULES)) if kind == "code-scanning" else None,
        tool=draw(_maybe(TOOLS)) if kind == "code-scanning" else None,
        secret_type=draw(_maybe(SECRET_TYPES)) if kind == "secret-scanning" else None,
        secret_validity=draw(_maybe(VALIDITY)) if kind == "secret-scanning" else None,
        ecosystem=draw(_maybe(ECOSYSTEMS)) if kind == "dependabot" else None,
        package=draw(_maybe(PACKAGES)) if kind == "dependabot" else None,
        fix_available=draw(st.none() | st.booleans()) if kind == "dependabot" else None,
        path=draw(_maybe(PATHS)),
    )


alert_lists = st.lists(alerts(), max_size=40, unique_by=lambda a: a.id)

selections = st.fixed_dictionaries(
    {},
    optional={
        "alerts": _some(ALERT_TYPES),
        "severity": _some(SEVERITY),
        "cwe": _some(CWES),
        "rules": _some((*RULES, "py/*", "*/xss", "*")),
        "tools": _some(TOOLS),
        "secret-types": _some(SECRET_TYPES),
        "secret-validity": _some(VALIDITY),
        "ecosystems": _some(ECOSYSTEMS),
        "packages": _some((*PACKAGES, "django*", "@types/*")),
        "fix-available": st.booleans(),
        "repositories": st.fixed_dictionaries(
            {},
            optional={
                "include": _some((*REPOS, "acme/*", "beta/*", "*")),
                "exclude": _some(("*/sandbox-*", "acme/api", "beta/*")),
                "topics": _some(TOPICS),
                "properties": st.dictionaries(
                    st.sampled_from(sorted(PROPERTIES)),
                    _some(("1", "2", "3", "payments", "web")),
                    max_size=2,
                ),
            },
        ),
        "paths": st.fixed_dictionaries(
            {},
            optional={
                "include": _some(("src/**", "**/*.py", "*.md", "lib/**")),
                "exclude": _some(("**/test/**", "lib/vendor/**", "**/*.js")),
            },
        ),
    },
).map(Selection.from_data)


@st.composite
def repository_maps(draw: st.DrawFn) -> dict[str, Repository]:
    found: dict[str, Repository] = {}
    for name in REPOS:
        if draw(st.booleans()):
            continue  # no metadata for this one
        props = draw(
            st.dictionaries(
                st.sampled_from(sorted(PROPERTIES)),
                st.lists(st.sampled_from(("1", "2", "3", "payments", "web")), max_size=2),
                max_size=2,
            )
        )
        found[name] = Repository(
            name,
            archived=draw(st.booleans()),
            topics=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=2))),
            properties=tuple(sorted((k, tuple(v)) for k, v in props.items())),
        )
    return found


@settings(max_examples=200)
@given(alert_lists, selections, repository_maps())
def test_select_equals_brute_force(
    all_alerts: list[Alert], chosen: Selection, repositories: dict[str, Repository]
) -> None:
    expected = tuple(
        sorted(
            (
                a
                for a in all_alerts
                if repository_selected(chosen, a.repository, repositories.get(a.repository))
                and alert_selected(chosen, a)
            ),
            key=lambda a: a.id,
        )
    )
    assert select(chosen, AlertIndex.build(all_alerts), repositories) == expected
