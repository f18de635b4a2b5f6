"""The SARIF source: real scanners' output shapes, and ids that survive code moving."""

from __future__ import annotations

import copy
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign_sync.errors import SourceError
from campaign_sync.model import Alert
from campaign_sync.sources import sarif
from campaign_sync.sources.base import AlertSource, SourceResult
from campaign_sync.sources.sarif import SarifSource, alerts_from_log

DATA = Path(__file__).parent / "data" / "sarif"
ID = re.compile(
    r"code-scanning:(?P<repo>[^:]+):sarif/(?P<tool>[a-z0-9-]+)/(?P<digest>[0-9a-f]{16})\Z"
)


def scan(tool: str, number: int, repository: str | None = None) -> dict[tuple[str, str], Alert]:
    """One fixture scan's alerts, keyed by (rule, path:line) for readable assertions."""
    (path,) = (DATA / tool).glob(f"scan-{number}.*")
    result = SarifSource([path], repository=repository).fetch()
    return {(a.rule_id or "", f"{a.path}:{a.start_line}"): a for a in result.alerts}


def log(results: list[dict[str, Any]], **run: Any) -> dict[str, Any]:
    """A minimal SARIF log with one run of a tool named "Scanner"."""
    driver = {"name": "Scanner", "rules": run.pop("rules", [])}
    return {"version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results, **run}]}


def result(
    path: str = "src/app.py",
    line: int = 10,
    rule: str = "r1",
    message: str = "bad thing",
    snippet: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": line, "startColumn": 5}
    if snippet is not None:
        region["snippet"] = {"text": snippet}
    location = {"physicalLocation": {"artifactLocation": {"uri": path}, "region": region}}
    return {"ruleId": rule, "message": {"text": message}, "locations": [location], **extra}


def ids(document: dict[str, Any], repository: str = "acme/app") -> list[str]:
    return [a.id for a in alerts_from_log(document, "test.sarif", repository=repository)]


def one(document: dict[str, Any], repository: str = "acme/app") -> Alert:
    (alert,) = alerts_from_log(document, "test.sarif", repository=repository)
    return alert


def error_of(document: Any, repository: str | None = None) -> str:
    with pytest.raises(SourceError) as caught:
        alerts_from_log(document, "test.sarif", repository=repository)
    return str(caught.value)


# ------------------------------------------------------------------ two scans of each scanner

# For each scanner: findings in both scans (the line moved), fixed ones, new ones,
# as (rule, path:line in scan 1 or 2).
SCANS: dict[str, dict[str, Any]] = {
    "codeql": {
        "repository": None,  # the runs name acme/payments-api in versionControlProvenance
        "kept": [
            (
                ("py/sql-injection", "app/db/orders.py:42"),
                ("py/sql-injection", "app/db/orders.py:51"),
            ),
            (
                ("py/path-injection", "app/api/files.py:30"),
                ("py/path-injection", "app/api/files.py:33"),
            ),
            (
                ("py/clear-text-logging-sensitive-data", "app/services/auth.py:88"),
                ("py/clear-text-logging-sensitive-data", "app/services/auth.py:88"),
            ),
        ],
        "fixed": [("py/sql-injection", "app/db/customers.py:17")],
        "new": [("py/flask-debug", "app/main.py:12")],
    },
    "semgrep": {
        "repository": "acme/payments-api",
        "kept": [
            *(
                (
                    (
                        "python.lang.security.audit.formatted-sql-query.formatted-sql-query",
                        f"app/reports.py:{a}",
                    ),
                    (
                        "python.lang.security.audit.formatted-sql-query.formatted-sql-query",
                        f"app/reports.py:{b}",
                    ),
                )
                for a, b in ((27, 30), (45, 48), (61, 64))
            ),
            (
                ("python.flask.security.audit.debug-enabled.debug-enabled", "app/main.py:40"),
                ("python.flask.security.audit.debug-enabled.debug-enabled", "app/main.py:40"),
            ),
        ],
        "fixed": [
            (
                "python.lang.security.audit.subprocess-shell-true.subprocess-shell-true",
                "scripts/deploy.py:14",
            )
        ],
        "new": [("python.lang.security.deserialization.pickle.avoid-pickle", "app/cache.py:9")],
    },
    "bandit": {
        "repository": "acme/payments-api",
        "kept": [
            (("B608", "app/queries.py:20"), ("B608", "app/queries.py:26")),
            (("B105", "app/settings.py:5"),) * 2,
        ],
        "fixed": [("B602", "app/tasks.py:11")],
        "new": [("B301", "app/cache.py:9")],
    },
    "trivy": {
        "repository": "acme/web-storefront",
        "kept": [
            (
                ("CVE-2021-23337", "package-lock.json:5120"),
                ("CVE-2021-23337", "package-lock.json:5188"),
            )
        ],
        "fixed": [("CVE-2021-44906", "package-lock.json:7311")],
        "new": [("CVE-2023-45857", "package-lock.json:1002")],
    },
}


@pytest.mark.parametrize("tool", sorted(SCANS))
def test_ids_survive_lines_moving_and_fixed_findings_disappear(tool: str) -> None:
    case = SCANS[tool]
    first, second = scan(tool, 1, case["repository"]), scan(tool, 2, case["repository"])
    for before, after in case["kept"]:
        assert first[before].id == second[after].id, (before, after)
    kept_ids = {first[before].id for before, _ in case["kept"]}
    fixed_ids = {first[key].id for key in case["fixed"]}
    new_ids = {second[key].id for key in case["new"]}
    assert {a.id for a in first.values()} == kept_ids | fixed_ids
    assert {a.id for a in second.values()} == kept_ids | new_ids
    assert not fixed_ids & {a.id for a in second.values()}
    for alert in [*first.values(), *second.values()]:
        match = ID.match(alert.id)
        assert match, alert.id
        assert match["repo"] == alert.repository
        assert alert.type == "code-scanning"


def test_codeql_fields() -> None:
    alerts = scan("codeql", 1)
    sqli = alerts[("py/sql-injection", "app/db/orders.py:42")]
    assert sqli.repository == "acme/payments-api"  # from versionControlProvenance
    assert sqli.id.startswith("code-scanning:acme/payments-api:sarif/codeql/")
    assert (sqli.state, sqli.tool, sqli.severity, sqli.cwes) == ("open", "CodeQL", "high", (89,))
    assert sqli.rule_name == "SQL query built from user-controlled sources"  # from an extension
    assert sqli.message == "This SQL query depends on a [user-provided value](1)."
    assert (sqli.number, sqli.html_url, sqli.repository_id) == (None, None, None)
    path = alerts[("py/path-injection", "app/api/files.py:30")]
    assert path.cwes == (22, 23, 36, 73, 99)


def test_codeql_ids_come_from_the_line_hash() -> None:
    """The fingerprint wins: a changed message or column does not change the id."""
    document = json.loads(next((DATA / "codeql").glob("scan-1.*")).read_text(encoding="utf-8"))
    before = ids(document)
    for found in document["runs"][0]["results"]:
        found["message"]["text"] = "reworded"
        found["locations"][0]["physicalLocation"]["region"]["startColumn"] += 4
        found["partialFingerprints"]["primaryLocationStartColumnFingerprint"] = "0"
    assert ids(document) == before


def test_semgrep_fields_and_the_useless_fingerprint() -> None:
    alerts = scan("semgrep", 1, "acme/payments-api")
    sqli = alerts[
        ("python.lang.security.audit.formatted-sql-query.formatted-sql-query", "app/reports.py:27")
    ]
    assert (sqli.tool, sqli.severity, sqli.cwes) == ("Semgrep OSS", None, (89,))
    assert sqli.id.startswith("code-scanning:acme/payments-api:sarif/semgrep-oss/")
    # Every result says "requires login": the ids come from the code instead, and the two
    # identical findings in app/reports.py are two alerts.
    assert len({a.id for a in alerts.values()}) == len(alerts) == 5
    suppressed = alerts[
        ("python.flask.security.audit.debug-enabled.debug-enabled", "app/main.py:40")
    ]
    assert (suppressed.state, suppressed.state_reason, suppressed.cwes) == (
        "dismissed",
        "suppressed",
        (489,),
    )


def test_bandit_and_trivy_fields() -> None:
    bandit = scan("bandit", 1, "acme/payments-api")[("B608", "app/queries.py:20")]
    assert (bandit.tool, bandit.rule_name, bandit.cwes, bandit.severity) == (
        "Bandit",
        "hardcoded_sql_expressions",
        (89,),
        None,
    )
    trivy = scan("trivy", 1, "acme/web-storefront")
    assert trivy[("CVE-2021-44906", "package-lock.json:7311")].severity == "critical"
    assert trivy[("CVE-2021-23337", "package-lock.json:5120")].severity == "high"


def test_the_source() -> None:
    source: AlertSource = SarifSource([DATA / "codeql"])
    assert source.name == "sarif"
    result = source.fetch()
    # Both scans: the three findings they share appear once.
    assert len(result.alerts) == 5
    assert [a.id for a in result.alerts] == sorted(a.id for a in result.alerts)
    assert result == SarifSource([DATA / "codeql"]).fetch()
    assert (result.repositories, result.skipped, result.watermark) == ((), (), None)


def test_folders_take_sarif_and_json_files(tmp_path: Path) -> None:
    for name in ("a.sarif", "b.sarif.json", "c.json", "d.txt"):
        (tmp_path / name).write_text(
            json.dumps(log([result(line=1, message=name)])), encoding="utf-8"
        )
    source = SarifSource([tmp_path], repository="acme/app")
    assert sorted(a.message or "" for a in source.fetch().alerts) == [
        "a.sarif",
        "b.sarif.json",
        "c.json",
    ]


# ------------------------------------------------------------------ identity


def test_identical_findings_in_one_file_get_distinct_stable_ids() -> None:
    same: dict[str, Any] = {"snippet": "query = f'SELECT {x}'", "message": "formatted SQL"}
    first = ids(log([result(line=5, **same), result(line=20, **same)]))
    assert len(set(first)) == 2
    moved = ids(log([result(line=25, **same), result(line=8, **same)]))
    assert moved == [first[1], first[0]]  # ordered by line, not by position in the file


def test_the_same_location_reported_twice_is_one_alert() -> None:
    same: dict[str, Any] = {"snippet": "eval(x)"}
    assert len(ids(log([result(**same), result(**same)]))) == 1
    fingerprinted: dict[str, Any] = {"partialFingerprints": {"primaryLocationLineHash": "abc:1"}}
    assert len(ids(log([result(**fingerprinted), result(**fingerprinted)]))) == 1


def test_without_a_snippet_the_message_identifies_the_finding() -> None:
    first = ids(log([result(line=3, message="a"), result(line=9, message="b")]))
    assert ids(log([result(line=40, message="b"), result(line=33, message="a")])) == first[::-1]
    assert ids(log([result(line=3, message="a  \n changed whitespace only")])) != first[:1]
    assert ids(log([result(line=3, message="  a ")])) == first[:1]


@pytest.mark.parametrize(
    ("fingerprints", "used"),
    [
        ({"partialFingerprints": {"primaryLocationLineHash": "h1:1"}}, True),
        ({"fingerprints": {"matchBasedId/v1": "m-1"}}, True),
        ({"correlationGuid": "6e2f5e21-4c0e-4d55-b2e7-3b4d22c1b57a"}, True),
        ({"fingerprints": {"matchBasedId/v1": "requires login"}}, False),
        ({"fingerprints": {"matchBasedId/v1": "Requires Login "}}, False),
        ({"partialFingerprints": {"primaryLocationLineHash": ""}}, False),
        ({"partialFingerprints": {"primaryLocationLineHash": "0"}}, False),
        ({"partialFingerprints": {"primaryLocationLineHash": 12345}}, False),
        ({"partialFingerprints": {"primaryLocationStartColumnFingerprint": "17"}}, False),
    ],
)
def test_which_fingerprints_count(fingerprints: dict[str, Any], used: bool) -> None:
    """A used fingerprint makes the id independent of the code; an unused one does not."""
    a = ids(log([result(snippet="x = 1", **fingerprints)]))
    b = ids(log([result(snippet="x = 2", **fingerprints)]))
    assert (a == b) is used


def test_fingerprint_precedence() -> None:
    both: dict[str, Any] = {
        "partialFingerprints": {"primaryLocationLineHash": "p:1", "other": "o"},
        "fingerprints": {"matchBasedId/v1": "m"},
        "correlationGuid": "g",
    }
    assert ids(log([result(**both)])) == ids(
        log([result(partialFingerprints={"primaryLocationLineHash": "p:1"})])
    )
    no_partial = {k: v for k, v in both.items() if k != "partialFingerprints"}
    assert ids(log([result(**no_partial)])) == ids(
        log([result(fingerprints={"matchBasedId/v1": "m"})])
    )
    assert ids(log([result(correlationGuid="g")])) != ids(log([result(fingerprints={"x": "g"})]))


def fingerprinted(path: str, line: int, value: str, rule: str = "r1") -> dict[str, Any]:
    return result(
        path=path, line=line, rule=rule, snippet=f"code at {line}", fingerprints={"fp": value}
    )


def uses_fingerprints(results: list[dict[str, Any]]) -> bool:
    """Whether the run's ids come from the fingerprints (changing the code keeps them)."""
    changed = copy.deepcopy(results)
    for found in changed:
        found["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] += " changed"
    return ids(log(results)) == ids(log(changed))


def test_a_value_for_every_result_in_several_files_is_useless() -> None:
    assert not uses_fingerprints(
        [fingerprinted("a.py", 1, "same"), fingerprinted("b.py", 7, "same")]
    )


def test_a_value_for_two_lines_of_one_file_is_useless() -> None:
    # flawfinder-style context hashes that collide on repeated code: the key is dropped
    # for the whole run, even for the results whose value is unique.
    results = [
        fingerprinted("a.py", 1, "v1"),
        fingerprinted("a.py", 9, "v1"),
        fingerprinted("b.py", 3, "v2"),
    ]
    assert not uses_fingerprints(results)
    assert len(set(ids(log(results)))) == 3


def test_a_shared_value_across_files_or_rules_on_one_line_is_fine() -> None:
    # CodeQL's line hash is the same for identical lines anywhere, and for two rules on
    # the same line: the path and the rule are part of the id.
    results = [
        fingerprinted("a.py", 1, "h:1"),
        fingerprinted("b.py", 4, "h:1"),
        fingerprinted("b.py", 4, "h:1", rule="r2"),
        fingerprinted("c.py", 2, "k:1"),
    ]
    assert uses_fingerprints(results)
    assert len(set(ids(log(results)))) == 4


def test_a_useless_key_falls_back_to_the_next_one() -> None:
    results = [
        result(line=1, snippet="a", fingerprints={"a/v1": "requires login", "b/v1": "x1"}),
        result(line=2, snippet="b", fingerprints={"a/v1": "requires login", "b/v1": "x2"}),
    ]
    assert ids(log(results)) == ids(
        log(
            [
                result(line=1, snippet="zz", fingerprints={"b/v1": "x1"}),
                result(line=2, snippet="yy", fingerprints={"b/v1": "x2"}),
            ]
        )
    )


def test_ids_depend_on_tool_rule_path_and_repository() -> None:
    base = ids(log([result()]))
    assert ids(log([result(rule="r2")])) != base
    assert ids(log([result(path="src/other.py")])) != base
    assert (
        ids(log([result()]), repository="acme/other")[0].split(":", 2)[2]
        == base[0].split(":", 2)[2]
    )
    renamed = log([result()])
    renamed["runs"][0]["tool"]["driver"]["name"] = "Other Scanner"
    assert ids(renamed)[0].startswith("code-scanning:acme/app:sarif/other-scanner/")
    assert ids(renamed) != base


finding = st.tuples(
    st.sampled_from(["a.py", "b.py", "lib/c.py"]),
    st.sampled_from(["r1", "r2"]),
    st.sampled_from(["eval(x)", "exec(y)", "run(cmd, shell=True)"]),
    st.integers(min_value=1, max_value=60),
)


def moved(line: int, inserted: list[int]) -> int:
    """The line after inserting a blank line above each of ``inserted`` (original numbering)."""
    return line + sum(1 for at in inserted if at <= line)


@settings(max_examples=120, deadline=None)
@given(
    findings=st.lists(finding, min_size=1, max_size=12),
    inserted=st.dictionaries(
        st.sampled_from(["a.py", "b.py", "lib/c.py"]), st.lists(st.integers(1, 60), max_size=6)
    ),
    mode=st.sampled_from(["snippet", "message", "requires login", "line hash"]),
)
def test_blank_lines_inserted_above_findings_do_not_change_ids(
    findings: list[tuple[str, str, str, int]], inserted: dict[str, list[int]], mode: str
) -> None:
    def build(shift: bool) -> dict[str, Any]:
        results = []
        occurrences: dict[tuple[str, str, int], int] = {}
        for path, rule, code, line in sorted(findings, key=lambda f: (f[0], f[3])):
            new_line = moved(line, inserted.get(path, [])) if shift else line
            extra: dict[str, Any] = {"message": f"{rule} flagged {code}"}
            if mode != "message":
                extra["snippet"] = f"    {code}  "
            if mode == "requires login":
                extra["fingerprints"] = {"matchBasedId/v1": "requires login"}
            if mode == "line hash":  # CodeQL: the line's content, and its occurrence in the file
                n = occurrences.setdefault(
                    (path, code, line), len([k for k in occurrences if k[:2] == (path, code)]) + 1
                )
                extra["partialFingerprints"] = {"primaryLocationLineHash": f"{code}:{n}"}
            results.append(result(path=path, line=new_line, rule=rule, **extra))
        return log(results)

    before, after = ids(build(shift=False)), ids(build(shift=True))
    assert before == after
    distinct_places = {(p, r, c, line) for p, r, c, line in findings}
    assert len(set(before)) == len(before) == len(distinct_places)


# ------------------------------------------------------------------ fields


@pytest.mark.parametrize(
    ("score", "severity"),
    [
        ("10.0", "critical"),
        ("9.0", "critical"),
        ("8.9", "high"),
        ("7.0", "high"),
        ("6.9", "medium"),
        ("4.0", "medium"),
        ("3.9", "low"),
        ("0.1", "low"),
        (9.8, "critical"),
        (5, "medium"),
        ("0", None),
        ("0.0", None),
        ("-1", None),
        ("high", None),
        ("nan", None),
        ("inf", None),
        (10**400, None),
        (True, None),
        (None, None),
        ([9.0], None),
    ],
)
def test_security_severity(score: Any, severity: str | None) -> None:
    assert sarif.security_severity(score) == severity


def test_severity_from_the_rule_or_else_the_result() -> None:
    rules = [{"id": "r1", "properties": {"security-severity": "9.1"}}]
    assert one(log([result()], rules=rules)).severity == "critical"
    assert one(log([result(properties={"security-severity": "5.0"})])).severity == "medium"
    assert one(log([result()])).severity is None


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        ({"tags": ["security", "external/cwe/cwe-089"]}, (89,)),
        ({"tags": ["external/cwe/cwe-079", "external/cwe/cwe-116"]}, (79, 116)),
        (
            {
                "tags": [
                    "CWE-89: Improper Neutralization of Special Elements used in an SQL Command"
                ]
            },
            (89,),
        ),
        ({"tags": ["OWASP-A03:2021 - Injection", "CWE Top 25", "cwe-top-25", "security"]}, ()),
        ({"tags": ["CWE-0", "external/cwe/cwe-" + "9" * 5000]}, ()),
        ({"cwe": "CWE-605"}, (605,)),
        ({"cwe": ["CWE-79", 89, "22", True, None]}, (22, 79, 89)),
        ({"cwe_id": "cwe_352"}, (352,)),
        ({"cwes": "not a cwe"}, ()),
    ],
)
def test_cwes(properties: dict[str, Any], expected: tuple[int, ...]) -> None:
    assert sarif.cwes(properties) == expected


def test_cwes_from_rule_result_and_relationships() -> None:
    rules = [
        {
            "id": "r1",
            "properties": {"tags": ["external/cwe/cwe-022"]},
            "relationships": [
                {"target": {"id": "73", "toolComponent": {"name": "CWE"}}, "kinds": ["superset"]},
                {"target": {"id": "A01", "toolComponent": {"name": "OWASP"}}},
            ],
        }
    ]
    alert = one(log([result(properties={"tags": ["CWE-23"]})], rules=rules))
    assert alert.cwes == (22, 23, 73)


def test_rules_are_found_by_index_component_or_id() -> None:
    rules = [{"id": "r0", "name": "zero"}, {"id": "r1", "shortDescription": {"text": "One"}}]
    extension = {
        "name": "pack",
        "rules": [{"id": "x/y", "shortDescription": {"text": "Pack rule"}}],
    }
    document = log(
        [
            result(rule="r1", ruleIndex=1),
            result(line=2, rule="x/y"),
            {
                **result(line=3, rule="ignored"),
                "ruleId": None,
                "rule": {"index": 0, "toolComponent": {"index": 0}},
            },
            result(line=4, rule="r0", ruleIndex=1),  # a wrong index: the id wins
            result(line=5, rule="unknown"),
        ],
        rules=rules,
    )
    document["runs"][0]["tool"]["extensions"] = [extension]
    names = [
        (a.rule_id, a.rule_name) for a in alerts_from_log(document, "t", repository="acme/app")
    ]
    assert names == [
        ("r1", "One"),
        ("x/y", "Pack rule"),
        ("x/y", "Pack rule"),
        ("r0", "zero"),
        ("unknown", None),
    ]


def test_messages_from_message_strings_and_arguments() -> None:
    rules = [
        {"id": "r1", "messageStrings": {"default": {"text": "Variable '{0}' is {1}; {{literal}}."}}}
    ]
    found = result()
    found["message"] = {"id": "default", "arguments": ["password", "logged"]}
    assert one(log([found], rules=rules)).message == "Variable 'password' is logged; {literal}."
    found["message"] = {"text": "{0} from {1}", "arguments": ["a"]}
    assert one(log([found])).message == "a from {1}"
    found["message"] = {"text": "dict {x} stays"}
    assert one(log([found])).message == "dict {x} stays"
    found["message"] = {"id": "missing"}
    assert one(log([found])).message is None


@pytest.mark.parametrize(
    ("location", "path"),
    [
        ({"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}, "src/app.py"),
        ({"uri": "./src/app.py"}, "src/app.py"),
        ({"uri": "src/my%20file.py"}, "src/my file.py"),
        ({"uri": "%SRCROOT%/src/app.py", "uriBaseId": "%SRCROOT%"}, "src/app.py"),
        ({"uri": "file:///home/runner/work/app/app/src/app.py"}, "src/app.py"),
        ({"uri": "file:///opt/elsewhere/app.py"}, "/opt/elsewhere/app.py"),
        ({"uri": "src\\win\\app.py"}, "src/win/app.py"),
        ({"index": 1}, "lib/listed.py"),
        ({}, None),
    ],
)
def test_paths(location: dict[str, Any], path: str | None) -> None:
    found = result()
    found["locations"][0]["physicalLocation"]["artifactLocation"] = location
    document = log(
        [found],
        originalUriBaseIds={"SRCROOT": {"uri": "file:///home/runner/work/app/app/"}},
        artifacts=[{"location": {"uri": "x.py"}}, {"location": {"uri": "lib/listed.py"}}],
    )
    assert one(document).path == path


def test_results_that_are_not_findings_are_left_out() -> None:
    document = log(
        [
            result(line=1, kind="pass"),
            result(line=2, kind="notApplicable"),
            result(line=3, baselineState="absent"),
            result(line=4, kind="fail", baselineState="unchanged"),
            result(line=5, suppressions=[{"kind": "external", "status": "underReview"}]),
        ]
    )
    assert [
        (a.start_line, a.state) for a in alerts_from_log(document, "t", repository="acme/app")
    ] == [
        (4, "open"),
        (5, "open"),
    ]


# ------------------------------------------------------------------ repository and errors


@pytest.mark.parametrize(
    ("uri", "repository"),
    [
        ("https://github.com/acme/payments-api", "acme/payments-api"),
        ("https://github.com/acme/payments-api.git", "acme/payments-api"),
        ("https://github.com/acme/payments-api/", "acme/payments-api"),
        ("https://ghe.acme.example/platform/api.git", "platform/api"),
        ("git@github.com:acme/payments-api.git", "acme/payments-api"),
        ("ssh://git@github.com/acme/payments-api.git", "acme/payments-api"),
        ("https://dev.azure.com/acme/project/_git/repo", None),
        ("file:///src/app", None),
        ("payments-api", None),
    ],
)
def test_repository_from_uri(uri: str, repository: str | None) -> None:
    assert sarif.repository_from_uri(uri) == repository


def test_repository_resolution() -> None:
    provenance = {
        "versionControlProvenance": [{"repositoryUri": "https://github.com/acme/from-file.git"}]
    }
    assert one(log([result()], **provenance), repository=None).repository == "acme/from-file"  # type: ignore[arg-type]
    assert one(log([result()], **provenance), repository="acme/given").repository == "acme/given"
    assert error_of(log([result()])) == (
        "test.sarif: runs[0]: cannot tell which repository these results belong to: the run has "
        "no versionControlProvenance repositoryUri; name it (--source sarif:PATH#OWNER/REPO)"
    )
    odd = {"versionControlProvenance": [{"repositoryUri": "https://dev.azure.com/a/b/_git/c"}]}
    assert "which is not a repository URL like https://github.com/OWNER/REPO" in error_of(
        log([result()], **odd)
    )
    assert alerts_from_log(log([]), "t") == ()  # no results, no repository needed
    with pytest.raises(SourceError, match="repository must be OWNER/REPO, not 'acme'"):
        SarifSource([DATA], repository="acme")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], 'test.sarif: not a SARIF log: expected an object with "runs"'),
        ({"runs": {}}, 'test.sarif: not a SARIF log: expected an object with "runs"'),
        (
            {"version": "2.0.0", "runs": []},
            "test.sarif: SARIF version '2.0.0' is not supported; campaign-sync reads SARIF 2.1.0",
        ),
        ({"runs": [3]}, "test.sarif: runs[0] is not an object"),
        (
            {"runs": [{"tool": {"driver": {}}}]},
            "test.sarif: runs[0]: tool.driver.name is missing; not a SARIF 2.1.0 run",
        ),
        (
            {"runs": [{"tool": {"driver": {"name": "x"}}, "results": {}}]},
            "test.sarif: runs[0]: results is not an array",
        ),
        (
            {"runs": [{"tool": {"driver": {"name": "x"}}, "results": [[]]}]},
            "test.sarif: runs[0]: results[0] is not an object",
        ),
    ],
)
def test_documents_that_are_not_sarif(document: Any, message: str) -> None:
    assert error_of(document, repository="acme/app") == message


def test_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sarif"
    bad.write_text('{\n  "runs": [\n    {"tool": }\n  ]\n}', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        SarifSource([bad]).fetch()
    assert str(caught.value) == f"{bad}:3:14: malformed JSON: Expecting value"
    with pytest.raises(SourceError, match="no such file or folder"):
        SarifSource([tmp_path / "missing.sarif"]).fetch()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match=r"no \*\.sarif or \*\.json files in this folder"):
        SarifSource([empty]).fetch()
    binary = tmp_path / "binary.sarif"
    binary.write_bytes(b"\xff\xfe\x00{")
    with pytest.raises(SourceError, match="not UTF-8 text"):
        SarifSource([binary]).fetch()


json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
KEYS = [
    "ruleId", "ruleIndex", "rule", "message", "locations", "partialFingerprints", "fingerprints",
    "correlationGuid", "properties", "suppressions", "kind", "baselineState",
]  # fmt: skip
sarif_result = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6)
sarif_run = st.fixed_dictionaries(
    {
        "tool": st.fixed_dictionaries(
            {
                "driver": st.fixed_dictionaries(
                    {"name": st.just("T")}, optional={"rules": json_values}
                )
            },
            optional={"extensions": json_values},
        )
    },
    optional={
        "results": st.lists(sarif_result, max_size=5) | json_values,
        "versionControlProvenance": json_values,
        "originalUriBaseIds": json_values,
        "artifacts": json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(document=st.fixed_dictionaries({"runs": st.lists(sarif_run, max_size=2)}) | json_values)
def test_any_json_ends_in_alerts_or_a_source_error(document: Any) -> None:
    for repository in (None, "acme/app"):
        try:
            alerts = alerts_from_log(document, "any.sarif", repository=repository)
        except SourceError:
            continue
        assert all(ID.match(a.id) for a in alerts)
        assert len({a.id for a in alerts}) == len(alerts)


@settings(max_examples=40, deadline=None)
@given(document=json_values)
def test_any_json_file_ends_in_a_result_or_a_source_error(document: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.sarif"
        path.write_text(json.dumps(document), encoding="utf-8")
        try:
            found: SourceResult | None = SarifSource([path], repository="acme/app").fetch()
        except SourceError:
            found = None
        assert found is None or isinstance(found, SourceResult)


def test_a_suppression_s_justification_is_the_dismissal_comment_capped() -> None:
    """SARIF's dismissal comment is an accepted suppression's ``justification``."""
    suppressed = one(
        log(
            [
                result(
                    suppressions=[
                        {"kind": "inSource", "status": "rejected", "justification": "no"},
                        {"kind": "inSource", "justification": "Test fixture\n" + "y" * 400},
                    ]
                )
            ]
        )
    )
    assert (suppressed.state, suppressed.state_reason) == ("dismissed", "suppressed")
    assert suppressed.dismissed_comment == ("Test fixture\n" + "y" * 400)[:279] + "…"
    assert suppressed.dismissed_by is None  # SARIF names no GitHub user
    assert one(log([result()])).dismissed_comment is None


# ------------------------------------------------------------------ what a scan covers


def test_a_scan_covers_its_repository_and_tool_even_with_no_results() -> None:
    prefix = "code-scanning:acme/app:sarif/scanner/"
    found, covered = sarif.read_log(log([result()]), "test.sarif", repository="acme/app")
    assert covered == {prefix}
    assert all(a.id.startswith(prefix) for a in found)
    assert sarif.read_log(log([]), "test.sarif", repository="acme/app") == ((), {prefix})
    provenance = [{"repositoryUri": "https://github.com/acme/web"}]
    _, named = sarif.read_log(log([], versionControlProvenance=provenance), "test.sarif")
    assert named == {"code-scanning:acme/web:sarif/scanner/"}


def test_a_run_without_results_or_repository_covers_nothing() -> None:
    document = log([])
    del document["runs"][0]["results"]  # SARIF: the tool could not compute them
    assert sarif.read_log(document, "test.sarif", repository="acme/app") == ((), frozenset())
    assert sarif.read_log(log([]), "test.sarif") == ((), frozenset())


def test_the_source_says_what_its_files_cover(tmp_path: Path) -> None:
    (tmp_path / "a.sarif").write_text(json.dumps(log([])), encoding="utf-8")
    result = SarifSource([tmp_path], repository="acme/app").fetch()
    assert (result.alerts, result.covered) == ((), {"code-scanning:acme/app:sarif/scanner/"})
