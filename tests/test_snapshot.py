"""The snapshot source: GitHub's own JSON, in every shape ``gh api`` writes it."""

from __future__ import annotations

import io
import json
import os
import tempfile
import tracemalloc
from collections.abc import Iterator
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testing.contract import description
from testing.contract.rest import RestJudge

from campaign_sync.errors import SourceError
from campaign_sync.model import Alert, Repository
from campaign_sync.sources import snapshot
from campaign_sync.sources.base import AlertSource, SourceResult
from campaign_sync.sources.snapshot import SnapshotSource

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "snapshot"

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def spec() -> Any:
    """GitHub's official REST description (``npm ci`` installs it); skips the test without."""
    if description.rest_package() is None:
        pytest.skip(f"GitHub's official description is not installed: {description.INSTALL_HINT}")
    return description.rest_description()


def example(name: str) -> Any:
    """A response example from GitHub's OpenAPI description (a fresh copy)."""
    return json.loads(json.dumps(spec()["components"]["examples"][name]["value"]))


def values(text: str) -> list[Any]:
    """The JSON values of a stream written back to back (what ``gh api --paginate`` writes)."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    index = 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            return found
        value, index = decoder.raw_decode(text, index)
        found.append(value)


def items(path: Path) -> list[dict[str, Any]]:
    return [item for page in values(path.read_text(encoding="utf-8")) for item in page]


def fetch(*paths: Path) -> SourceResult:
    return SnapshotSource(list(paths)).fetch()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def error_of(*paths: Path) -> str:
    with pytest.raises(SourceError) as caught:
        fetch(*paths)
    return str(caught.value)


# ------------------------------------------------------------------ the forms gh api writes

ALERTS = items(EXAMPLE / "code-scanning.json")[:7] + items(EXAMPLE / "dependabot.json")[:5]


def paginated(alerts: list[Any]) -> str:
    """``gh api --paginate``: each page's array right after the previous one."""
    return "".join(json.dumps(alerts[i : i + 5]) for i in range(0, len(alerts), 5))


def slurped(alerts: list[Any]) -> str:
    """``gh api --paginate --slurp``: an array of the pages."""
    return json.dumps([alerts[i : i + 5] for i in range(0, len(alerts), 5)], indent=2)


def jq_lines(alerts: list[Any]) -> str:
    """``gh api --paginate --jq '.[]'``: one object per line."""
    return "".join(json.dumps(a) + "\n" for a in alerts)


def pretty(alerts: list[Any]) -> str:
    """One page, pretty-printed, with a byte order mark (PowerShell's ``>``)."""
    return "\ufeff" + json.dumps(alerts, indent=4) + "\n"


FORMS = {"paginated": paginated, "slurped": slurped, "jq": jq_lines, "pretty": pretty}


def test_example_snapshot_loads() -> None:
    result = fetch(EXAMPLE)
    assert len(result.alerts) == 53
    types = {a.type for a in result.alerts}
    assert types == {"code-scanning", "dependabot", "secret-scanning"}
    assert [r.full_name for r in result.repositories] == [
        "acme/data-pipeline",
        "acme/inventory-service",
        "acme/legacy-billing",
        "acme/payments-api",
        "acme/sandbox-experiments",
        "acme/web-admin",
        "acme/web-storefront",
    ]
    assert result.watermark == max(a.updated_at for a in result.alerts if a.updated_at)
    assert (result.skipped, result.requests) == ((), 0)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_gives_the_same_alerts(form: str, tmp_path: Path) -> None:
    expected = fetch(write(tmp_path / "one.json", json.dumps(ALERTS)))
    assert len(expected.alerts) == len(ALERTS)
    assert fetch(write(tmp_path / "other.json", FORMS[form](ALERTS))) == expected


def test_a_single_object_is_one_alert(tmp_path: Path) -> None:
    # gh api /repos/OWNER/REPO/dependabot/alerts/N
    alert = example("dependabot-alert-open")
    result = fetch(write(tmp_path / "one.json", json.dumps(alert)))
    assert [a.id for a in result.alerts] == [f"dependabot:octocat/hello-world:{alert['number']}"]


def test_a_code_scanning_alert_without_a_state_is_skipped_and_counted(tmp_path: Path) -> None:
    # GitHub's schema: `code-scanning-alert-state` is nullable. One such alert must not
    # fail the whole file.
    code = items(EXAMPLE / "code-scanning.json")[:3]
    nulled = [{**code[0], "state": None}, *code[1:]]
    result = fetch(write(tmp_path / "code.json", json.dumps(nulled)))
    assert len(result.alerts) == 2
    assert result.notes == (
        "1 code-scanning alert without a state (GitHub sent null) was skipped: open or not "
        "is unknown, so they are left as the last run saw them",
    )


@pytest.mark.parametrize("text", ["", "[]", "[]\n[]", "[[]]", "  \n"])
def test_empty_snapshots(text: str, tmp_path: Path) -> None:
    assert fetch(write(tmp_path / "empty.json", text)) == SourceResult(alerts=())


@SETTINGS
@given(chunk=st.integers(min_value=1, max_value=80), form=st.sampled_from(sorted(FORMS)))
def test_chunk_boundaries_do_not_matter(chunk: int, form: str) -> None:
    """The reader refills its buffer anywhere, even inside a number or an escape."""
    text = FORMS[form](ALERTS[:4]) + '\n{"full_name": "acme/x", "topics": ["\\u00e9t\\u00e9"]}'
    expected = [json.loads(json.dumps(a)) for a in ALERTS[:4]]
    stream = snapshot._JsonStream(io.StringIO(text.lstrip("\ufeff")))
    stream._chunk = chunk
    found = [value for value, _, _ in stream.items()]
    assert found[:-1] == expected
    assert found[-1]["topics"] == ["\u00e9t\u00e9"]


json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


def flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from flatten(item)
    else:
        yield value


@SETTINGS
@given(
    stream=st.lists(json_values, max_size=5),
    spaces=st.sampled_from([" ", "\n", "\r\n\t "]),  # scalars need a separator
    chunk=st.integers(min_value=1, max_value=16),
)
def test_the_reader_flattens_any_stream_of_values(
    stream: list[Any], spaces: str, chunk: int
) -> None:
    text = spaces.join(json.dumps(v, indent=1 if "\n" in spaces else None) for v in stream)
    reader = snapshot._JsonStream(io.StringIO(text))
    reader._chunk = chunk
    found = list(reader.items())
    assert [v for v, _, _ in found] == [i for v in stream for i in flatten(v)]
    # Each item's line and column point at its first character.
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    decoder = json.JSONDecoder()
    for value, line, column in found:
        assert decoder.raw_decode(text, starts[line - 1] + column - 1)[0] == value


def test_a_large_snapshot_is_read_as_a_stream(tmp_path: Path) -> None:
    """Memory follows what is kept (Alert values), not the size of the file."""
    alert = dict(ALERTS[0], padding=["x" * 100] * 20)
    path = tmp_path / "large.json"
    with path.open("w", encoding="utf-8") as handle:
        for page in range(12):
            handle.write(json.dumps([dict(alert, updated_at=f"2026-01-01T00:{page:02}:00Z")] * 100))
    assert path.stat().st_size > 8_000_000
    tracemalloc.start()
    try:
        result = fetch(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [a.updated_at for a in result.alerts] == ["2026-01-01T00:11:00Z"]
    assert peak < 1_500_000


# ------------------------------------------------------------------ what each object becomes


def test_type_detection_from_the_examples() -> None:
    by_type: dict[str, set[str]] = {}
    for alert in fetch(EXAMPLE).alerts:
        by_type.setdefault(alert.type, set()).add(alert.id.split(":")[0])
    assert by_type == {t: {t} for t in ("code-scanning", "dependabot", "secret-scanning")}


@pytest.mark.parametrize(
    ("name", "alert_type"),
    [
        ("code-scanning-alert-items", "code-scanning"),
        ("dependabot-alerts-for-repository", "dependabot"),
        ("secret-scanning-alert-list", "secret-scanning"),
    ],
)
def test_repository_level_alerts_take_the_repository_from_html_url(
    name: str, alert_type: str, tmp_path: Path
) -> None:
    listed = example(name)
    assert all("repository" not in a for a in listed)
    result = fetch(write(tmp_path / "repo.json", json.dumps(listed)))
    assert len(result.alerts) == len({a["number"] for a in listed})
    for alert in result.alerts:
        assert alert.html_url is not None
        owner, repo = alert.html_url.split("/")[3:5]
        assert alert.repository == f"{owner}/{repo}"
        assert alert.id == f"{alert_type}:{owner}/{repo}:{alert.number}"


def test_a_repository_level_alert_without_html_url_is_an_error(tmp_path: Path) -> None:
    alert = example("code-scanning-alert-items")[0]
    del alert["html_url"]
    path = write(tmp_path / "repo.json", json.dumps([alert]))
    assert error_of(path) == (
        f"{path}:1:2: item 1: a code-scanning alert with neither a repository.full_name "
        "nor an html_url naming one (https://HOST/OWNER/REPO/...)"
    )


def test_secret_values_are_never_kept(tmp_path: Path) -> None:
    listed = example("organization-secret-scanning-alert-list")
    secrets = [a["secret"] for a in listed]
    assert all(secrets)
    result = fetch(write(tmp_path / "secrets.json", json.dumps(listed)))
    assert len(result.alerts) == len(listed)
    dumped = repr(result)
    for secret in secrets:
        assert secret not in dumped


def test_secret_scanning_fields(tmp_path: Path) -> None:
    result = fetch(EXAMPLE / "secret-scanning.json")
    alert = next(a for a in result.alerts if a.id == "secret-scanning:acme/payments-api:2")
    assert (alert.state, alert.state_reason, alert.secret_validity) == (
        "resolved",
        "revoked",
        "inactive",
    )
    assert (alert.secret_type, alert.rule_name) == (
        "github_personal_access_token",
        "GitHub Personal Access Token",
    )
    assert (alert.path, alert.start_line, alert.fixed_at) == (
        "scripts/release.sh",
        9,
        alert.updated_at,
    )


def test_repository_listing_and_custom_properties(tmp_path: Path) -> None:
    result = fetch(EXAMPLE / "repos.json")
    assert result.alerts == ()
    repos = {r.full_name: r for r in result.repositories}
    payments = repos["acme/payments-api"]
    assert payments.id == 731200451
    assert (payments.archived, payments.visibility) == (False, "private")
    assert payments.topics == ("payments", "production", "python")
    assert payments.properties == (
        ("data-classification", ("pci", "pii")),
        ("owner-team", ("payments",)),
        ("tier", ("1",)),
    )
    assert repos["acme/legacy-billing"].archived
    assert repos["acme/sandbox-experiments"].is_public
    assert repos["acme/sandbox-experiments"].properties == ()  # every property null


def test_property_values_listing_overrides_and_unsets(tmp_path: Path) -> None:
    # gh api /orgs/acme/properties/values: the dedicated endpoint wins over the listing,
    # and null unsets a property.
    values_page = [
        {
            "repository_id": 731200451,
            "repository_name": "payments-api",
            "repository_full_name": "acme/payments-api",
            "properties": [
                {"property_name": "tier", "value": "0"},
                {"property_name": "owner-team", "value": None},
                {"property_name": "regions", "value": ["eu", "us"]},
            ],
        },
        {
            "repository_id": 99,
            "repository_name": "new-service",
            "repository_full_name": "acme/new-service",
            "properties": [{"property_name": "tier", "value": "2"}],
        },
    ]
    validate(values_page, "org-repo-custom-property-values")
    values_file = write(tmp_path / "properties.json", json.dumps(values_page))
    for order in ([EXAMPLE / "repos.json", values_file], [values_file, EXAMPLE / "repos.json"]):
        repos = {r.full_name: r for r in fetch(*order).repositories}
        assert repos["acme/payments-api"].properties == (
            ("data-classification", ("pci", "pii")),
            ("regions", ("eu", "us")),
            ("tier", ("0",)),
        )
        assert repos["acme/payments-api"].topics == ("payments", "production", "python")
        new = repos["acme/new-service"]
        assert (new.id, new.properties, new.topics) == (99, (("tier", ("2",)),), ())


def test_a_full_repository_object_is_a_repository(tmp_path: Path) -> None:
    # gh api /repos/OWNER/REPO
    repo = example("full-repository")
    result = fetch(write(tmp_path / "repo.json", json.dumps(repo)))
    assert [r.full_name for r in result.repositories] == [repo["full_name"]]


def test_the_same_alert_in_several_files_keeps_the_latest(tmp_path: Path) -> None:
    org_level = items(EXAMPLE / "code-scanning.json")
    original = next(a for a in org_level if a["number"] == 3 and "payments" in a["html_url"])
    newer = json.loads(json.dumps(original))
    newer.update(state="fixed", updated_at="2026-11-27T10:00:00Z", fixed_at="2026-11-27T10:00:00Z")
    del newer["repository"]  # the repository-level endpoint's shape
    newer_file = write(tmp_path / "b-repo-level.json", json.dumps([newer]))
    older_file = write(tmp_path / "a-org-level.json", json.dumps([original]))
    for order in ([older_file, newer_file], [newer_file, older_file]):
        (alert,) = fetch(*order).alerts
        assert (alert.state, alert.updated_at) == ("fixed", "2026-11-27T10:00:00Z")
        assert alert.repository_id == original["repository"]["id"]  # kept from the older copy


def test_results_are_sorted_and_deterministic(tmp_path: Path) -> None:
    files = sorted(EXAMPLE.glob("*.json"))
    first = fetch(*files)
    assert [a.id for a in first.alerts] == sorted(a.id for a in first.alerts)
    assert fetch(*reversed(files)) == first
    assert fetch(EXAMPLE) == first
    assert SnapshotSource([EXAMPLE]).fetch() == SnapshotSource([EXAMPLE]).fetch()


def test_is_an_alert_source() -> None:
    source: AlertSource = SnapshotSource([EXAMPLE])
    assert source.name == "snapshot"


def test_folders_are_read_recursively_in_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    write(tmp_path / "b" / "z.json", json.dumps(ALERTS[:2]))
    write(tmp_path / "a" / "y.json", json.dumps(ALERTS[2:4]))
    write(tmp_path / "notes.txt", "not json")
    assert snapshot.expand_paths([tmp_path], ("*.json",)) == [
        tmp_path / "a" / "y.json",
        tmp_path / "b" / "z.json",
    ]
    assert len(fetch(tmp_path).alerts) == 4


# ------------------------------------------------------------------ errors


def test_malformed_json_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.json", '[\n  {"number": 1,\n   "state": open}\n]\n')
    assert error_of(path) == f"{path}:3:13: malformed JSON: Expecting value"


@SETTINGS
@given(chunk=st.integers(min_value=1, max_value=40), padding=st.integers(min_value=0, max_value=30))
def test_error_positions_do_not_depend_on_chunks(chunk: int, padding: int) -> None:
    text = json.dumps(ALERTS[:1], indent=2) + "\n" * padding + ' [{"number": 2,\n  "x": tru }]'
    line = text.count("\n", 0, text.index("tru ")) + 1
    column = text.index("tru ") - text.rfind("\n", 0, text.index("tru "))
    reader = snapshot._JsonStream(io.StringIO(text))
    reader._chunk = chunk
    with pytest.raises(snapshot._Malformed) as caught:
        list(reader.items())
    assert (caught.value.line, caught.value.column) == (line, column)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[], []", "1:8: malformed JSON: unexpected end of file inside an array"),
        ("[[] []]", "1:5: malformed JSON: Expecting ',' delimiter"),
        ("[[],]", "1:5: malformed JSON: Expecting value"),
        ("]", "1:1: malformed JSON: unexpected ']'"),
        ('{"a": "b', "1:7: malformed JSON: Unterminated string starting at"),
        ("[" * 100_000, "malformed JSON: unexpected end of file inside an array"),
        ('{"a":' * 100_000, "malformed JSON: JSON nested too deeply"),
        ("[" + "9" * 5000 + "]", "1:2: malformed JSON: Exceeds the limit"),
    ],
)
def test_malformed_json_errors(text: str, message: str, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.json", text)
    error = error_of(path)
    assert error.startswith(f"{path}:")
    assert message in error


def test_an_unknown_object_names_file_item_and_position(tmp_path: Path) -> None:
    path = write(
        tmp_path / "odd.json", json.dumps(ALERTS[:2]) + '\n[{"login": "octocat", "id": 1}]'
    )
    assert error_of(path) == (
        f"{path}:2:2: item 3 is neither a GitHub alert nor a repository: it is an object with "
        "keys id, login; expected an alert (code scanning, Dependabot, secret scanning), a "
        "repository (full_name) or custom property values (repository_full_name, properties)"
    )


@pytest.mark.parametrize(
    ("value", "kind"), [(1, "a number"), ("x", "a string"), (None, "null"), ({}, "an empty object")]
)
def test_an_item_that_is_not_an_object(value: Any, kind: str, tmp_path: Path) -> None:
    path = write(tmp_path / "odd.json", json.dumps([value]))
    assert (
        f"{path}:1:2: item 1 is neither a GitHub alert nor a repository: it is {kind}"
        in error_of(path)
    )


def test_an_invalid_alert(tmp_path: Path) -> None:
    alert = dict(ALERTS[0], state="reopened")
    path = write(tmp_path / "odd.json", json.dumps([alert]))
    assert error_of(path) == (
        f"{path}:1:2: item 1: not a valid code-scanning alert: "
        "unknown code scanning state 'reopened'"
    )


def test_a_github_error_body_says_what_to_do(tmp_path: Path) -> None:
    body = {
        "message": "Resource not accessible by integration",
        "documentation_url": "https://docs.github.com/rest",
        "status": "403",
    }
    path = write(tmp_path / "denied.json", json.dumps(body))
    assert error_of(path) == (
        f"{path}:1:1: item 1 is a GitHub API error response ('Resource not accessible by "
        "integration'), not an alert: take the snapshot again with a token that can read "
        "these alerts"
    )


def test_unreadable_paths(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    assert error_of(missing) == f"{missing}: no such file or folder"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert error_of(empty) == f"{empty}: no *.json files in this folder"
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"[\xff\xfe]")
    assert error_of(binary) == f"{binary}: not UTF-8 text; is this a JSON snapshot?"


@pytest.mark.skipif(
    os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads anything"
)
def test_a_file_without_read_permission(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.json", "[]")
    path.chmod(0)
    assert error_of(path).startswith(f"{path}: cannot read: ")


@settings(max_examples=150, deadline=None)
@given(stream=st.lists(json_values, max_size=4))
def test_any_json_ends_in_a_result_or_a_source_error(stream: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.json"
        path.write_text("\n".join(json.dumps(v) for v in stream), encoding="utf-8")
        try:
            result: SourceResult | str = SnapshotSource([path]).fetch()
        except SourceError as error:
            result = str(error)
        if isinstance(result, str):
            assert result.startswith(str(path))
        else:
            assert all(isinstance(a, Alert) for a in result.alerts)


alert_like = st.fixed_dictionaries(
    {"number": st.integers(min_value=1, max_value=9) | json_scalars},
    optional={
        "state": st.sampled_from(["open", "fixed", "dismissed", "resolved", "auto_dismissed"])
        | json_values,
        "rule": json_values,
        "tool": json_values,
        "most_recent_instance": json_values,
        "repository": st.just({"full_name": "acme/x", "id": 1}) | json_values,
        "html_url": st.just("https://github.com/acme/x/security/code-scanning/1") | json_values,
        "secret_type": json_values,
        "secret": st.just("SUPER-SECRET-VALUE"),
        "security_advisory": json_values,
        "dependency": json_values,
        "security_vulnerability": json_values,
        "first_location_detected": json_values,
        "updated_at": json_values,
    },
)


@settings(max_examples=200, deadline=None)
@given(alerts=st.lists(alert_like, max_size=4))
def test_alert_shaped_junk_ends_in_a_result_or_a_source_error(alerts: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.json"
        path.write_text(json.dumps(alerts), encoding="utf-8")
        try:
            result = SnapshotSource([path]).fetch()
        except SourceError:
            return
        assert "SUPER-SECRET-VALUE" not in repr(result)


# ------------------------------------------------------------------ the shipped example


@cache
def judge() -> RestJudge:
    return RestJudge(spec())


def validate(listed: list[Any], schema: str) -> None:
    for index, item in enumerate(listed):
        errors = judge().schema_errors(schema, item)
        assert not errors, f"item {index} is not a valid {schema}: {errors[:3]}"


@pytest.mark.parametrize(
    ("file", "schema", "count"),
    [
        ("code-scanning.json", "code-scanning-organization-alert-items", 26),
        ("dependabot.json", "dependabot-alert-with-repository", 18),
        ("secret-scanning.json", "organization-secret-scanning-alert", 9),
        ("repos.json", "minimal-repository", 7),
    ],
)
def test_example_files_follow_githubs_schemas(file: str, schema: str, count: int) -> None:
    listed = items(EXAMPLE / file)
    assert len(listed) == count
    validate(listed, schema)
    assert all(
        item.get("repository", {}).get("full_name", "acme/").startswith("acme/") for item in listed
    )


def test_example_has_no_secret_values() -> None:
    assert all("secret" not in item for item in items(EXAMPLE / "secret-scanning.json"))


def selects(campaign: str, alert: Alert, repos: dict[str, Repository]) -> bool:
    """What each example campaign under campaigns/ asks for, written out by hand."""
    repo = repos[alert.repository]
    if not alert.is_open:
        return False
    if campaign == "sql-injection":  # code scanning, CWE-89, critical/high, production, no tests
        return (
            alert.type == "code-scanning"
            and 89 in alert.cwes
            and alert.severity in ("critical", "high")
            and not fnmatch(alert.repository, "acme/sandbox-*")
            and "production" in repo.topics
            and not any(
                fnmatch(alert.path or "", p)
                for p in ("**/test/**", "**/tests/**", "test/*", "tests/*")
            )
        )
    if campaign == "critical-dependencies":  # critical, patched, npm/pip/maven, not *-archive
        return (
            alert.type == "dependabot"
            and alert.severity == "critical"
            and bool(alert.fix_available)
            and alert.ecosystem in ("npm", "pip", "maven")
            and not fnmatch(alert.repository, "acme/*-archive")
        )
    if campaign == "leaked-secrets":  # secrets the provider still accepts
        return alert.type == "secret-scanning" and alert.secret_validity == "active"
    if campaign == "frontend-xss":  # code scanning, CWE-79, web-* repos, src/** or app/**
        return (
            alert.type == "code-scanning"
            and 79 in alert.cwes
            and any(fnmatch(alert.repository, p) for p in ("acme/web-*", "acme/storefront"))
            and any((alert.path or "").startswith(p) for p in ("src/", "app/"))
        )
    raise AssertionError(campaign)


EXPECTED_SELECTION = {
    "sql-injection": [
        "code-scanning:acme/inventory-service:14",
        "code-scanning:acme/inventory-service:16",  # Semgrep, critical, "CWE-89: ..." tag
        "code-scanning:acme/payments-api:3",
        "code-scanning:acme/payments-api:7",
    ],
    "critical-dependencies": [
        "dependabot:acme/inventory-service:4",
        "dependabot:acme/legacy-billing:15",
        "dependabot:acme/payments-api:12",
        "dependabot:acme/sandbox-experiments:2",
        "dependabot:acme/web-admin:7",
        "dependabot:acme/web-storefront:21",
    ],
    "leaked-secrets": [
        "secret-scanning:acme/inventory-service:1",
        "secret-scanning:acme/payments-api:1",
        "secret-scanning:acme/sandbox-experiments:1",
        "secret-scanning:acme/web-storefront:2",
    ],
    "frontend-xss": [
        "code-scanning:acme/web-admin:3",
        "code-scanning:acme/web-storefront:5",
        "code-scanning:acme/web-storefront:8",
    ],
}


@pytest.mark.parametrize("campaign", sorted(EXPECTED_SELECTION))
def test_example_has_alerts_the_campaigns_select_and_others(campaign: str) -> None:
    assert (ROOT / "campaigns" / f"{campaign}.yml").is_file()
    result = fetch(EXAMPLE)
    repos = {r.full_name: r for r in result.repositories}
    selected = [a.id for a in result.alerts if selects(campaign, a, repos)]
    assert selected == EXPECTED_SELECTION[campaign]
    same_type = [a for a in result.alerts if a.type == result.alerts[0].type]
    assert len(selected) < len(same_type)


def test_example_alerts_the_campaigns_leave_out() -> None:
    alerts = {a.id: a for a in fetch(EXAMPLE).alerts}
    # SQL injection, but: a test path, the sandbox, no production topic, archived, medium,
    # fixed, dismissed.
    for left_out in (
        "code-scanning:acme/payments-api:9",
        "code-scanning:acme/sandbox-experiments:1",
        "code-scanning:acme/data-pipeline:6",
        "code-scanning:acme/legacy-billing:21",
        "code-scanning:acme/payments-api:11",
        "code-scanning:acme/payments-api:2",
        "code-scanning:acme/inventory-service:11",
    ):
        assert 89 in alerts[left_out].cwes
    assert alerts["code-scanning:acme/payments-api:11"].severity == "medium"
    # Critical Dependabot alerts without a fix, in Go, fixed or dismissed.
    assert not alerts["dependabot:acme/data-pipeline:3"].fix_available
    assert alerts["dependabot:acme/inventory-service:9"].ecosystem == "go"
    assert alerts["dependabot:acme/inventory-service:6"].state == "dismissed"
    assert alerts["dependabot:acme/web-admin:8"].state_reason == "auto_dismissed"


def test_a_redirect_body_is_an_error_not_an_empty_page(tmp_path: Path) -> None:
    body = {
        "message": "Moved Permanently",
        "url": "https://api.github.com/repositories/12/code-scanning/alerts",
        "documentation_url": "https://docs.github.com/rest",
    }
    path = write(tmp_path / "moved.json", json.dumps(body))
    assert error_of(path) == (
        f"{path}:1:1: item 1 is GitHub's redirect ('Moved Permanently' to "
        "'https://api.github.com/repositories/12/code-scanning/alerts'), not an alert: the "
        "repository was renamed or transferred. Take the snapshot again under its new name, "
        "or with a client that follows redirects"
    )
