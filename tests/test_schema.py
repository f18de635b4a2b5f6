"""Unit tests of config/schema.py and of the two schema files themselves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from campaign_sync.config.schema import (
    SCHEMA_NAMES,
    SchemaName,
    load_schema,
    schema_problems,
    validator,
)
from campaign_sync.config.yaml_loader import DocumentError, load_yaml
from campaign_sync.problems import Problem, Severity

FILE = "campaigns/c.yml"

# `select` comes last so that a test can add keys to it by appending lines.
VALID = """\
name: SQL injection burn-down
description: Fix SQL injection.
managers: [mona, "@acme/appsec"]
contact: https://github.com/orgs/acme/discussions/42
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
"""

VALID_CONFIG = "organizations: [acme]\n"


def problems(text: str, name: SchemaName = "campaign") -> list[Problem]:
    return sorted(schema_problems(load_yaml(text, FILE), name))


def only(text: str, name: SchemaName = "campaign") -> Problem:
    (problem,) = problems(text, name)
    assert problem.file == FILE
    assert problem.severity is Severity.ERROR
    assert problem.code == "schema"
    return problem


def position(text: str, needle: str) -> tuple[int, int]:
    """Line and column of the last ``needle`` in ``text`` (tests append the bad value)."""
    index = text.rindex(needle)
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def located(problem: Problem) -> tuple[int, int, str]:
    return problem.line, problem.column, problem.path


def test_the_base_documents_are_valid() -> None:
    assert problems(VALID) == []
    assert problems(VALID_CONFIG, "config") == []


# --- one problem per error kind, at the offending value ---------------------------------


def test_enum_item_is_located_at_the_bad_item() -> None:
    text = VALID + "  severity: [critical, high, urgent]\n"
    problem = only(text)
    assert located(problem) == (9, 30, "select.severity[2]")
    assert problem.message == "'urgent' is not allowed; use one of: critical, high, medium, low"


def test_enum_scalar() -> None:
    text = VALID.replace("state: active", "state: done")
    problem = only(text)
    assert located(problem) == (6, 8, "state")
    assert problem.message == "'done' is not allowed; use one of: draft, active, closed"


@pytest.mark.parametrize(
    ("extra", "needle", "path", "message"),
    [
        (
            "sla: {critical: seven}\n",
            "seven",
            "sla.critical",
            "expected a whole number, got the text 'seven'",
        ),
        ("sla: 7\n", "7", "sla", "expected a mapping, got the number 7"),
        (
            "tracking: {public-details: 'yes'}\n",
            "'yes'",
            "tracking.public-details",
            "expected true or false, got the text 'yes'",
        ),
        (
            "  cwe: [CWE-89]\n",
            "CWE-89",
            "select.cwe[0]",
            "expected a whole number, got the text 'CWE-89'",
        ),
        ("  rules: [1.5]\n", "1.5", "select.rules[0]", "expected text, got the number 1.5"),
        (
            "  fix-available: null\n",
            "null",
            "select.fix-available",
            "expected true or false, got nothing (null)",
        ),
        ("  paths: [src]\n", "[src]", "select.paths", "expected a mapping, got a list"),
        ("  tools: {a: 1}\n", "{a: 1}", "select.tools", "expected a list, got a mapping"),
        (
            "  repositories: {properties: {tier: 1}}\n",
            "1}}",
            "select.repositories.properties.tier",
            "expected text or a list, got the number 1",
        ),
    ],
)
def test_type(extra: str, needle: str, path: str, message: str) -> None:
    text = VALID + extra
    problem = only(text)
    assert located(problem) == (*position(text, needle), path)
    assert problem.message == message


def test_type_of_an_empty_value_is_located_after_its_colon() -> None:
    text = VALID.replace("state: active", "state:")
    problem = only(text)
    assert located(problem) == (6, 7, "state")
    assert problem.message.endswith("is not allowed; use one of: draft, active, closed")


@pytest.mark.parametrize("ends", ["31/03/2027", "2027-3-31", "2027-03-31T00:00:00", "2027-03-31x"])
def test_format_date(ends: str) -> None:
    text = VALID.replace("ends: 2027-03-31", f"ends: {ends}")
    problem = only(text)
    assert located(problem) == (5, 7, "ends")
    assert problem.message == f"{ends!r} is not a date (YYYY-MM-DD)"


@pytest.mark.parametrize(
    ("ends", "why"),
    [
        ("2027-02-30", "February 2027 has 28 days"),
        ("2028-02-30", "February 2028 has 29 days"),
        ("2027-04-31", "April 2027 has 30 days"),
        ("2027-01-00", "January 2027 has 31 days"),
        ("2027-13-01", "there is no month 13 (months are 01 to 12)"),
        ("2027-00-10", "there is no month 00 (months are 01 to 12)"),
    ],
)
def test_a_date_the_calendar_lacks_says_which_day_is_missing(ends: str, why: str) -> None:
    """The format was right, the calendar wrong: say that, not "(YYYY-MM-DD)" again."""
    text = VALID.replace("ends: 2027-03-31", f"ends: {ends}")
    problem = only(text)
    assert located(problem) == (5, 7, "ends")
    assert problem.message == f"{ends!r} is not a date: {why}"


def test_format_date_applies_to_dates_written_as_yaml_timestamps() -> None:
    # 2027-03-31 10:00:00 is a YAML timestamp; kept as text, it is not a plain date.
    text = VALID.replace("ends: 2027-03-31", "ends: 2027-03-31 10:00:00") + "starts: 2027-01-05\n"
    problem = only(text)
    assert located(problem) == (5, 7, "ends")
    assert problem.message == "'2027-03-31 10:00:00' is not a date (YYYY-MM-DD)"


@pytest.mark.parametrize(
    "contact",
    ["not a url", "https://", "github.com/acme", "https://exa mple.com", "/relative/path"],
)
def test_format_uri(contact: str) -> None:
    text = VALID.replace("https://github.com/orgs/acme/discussions/42", repr(contact))
    problem = only(text)
    assert located(problem) == (4, 10, "contact")
    assert problem.message == f"{contact!r} is not an absolute URL (https://...)"


@pytest.mark.parametrize(
    "contact", ["mailto:appsec@acme.example", "https://acme.slack.com/archives/C01", "http://h"]
)
def test_format_uri_accepts_absolute_uris(contact: str) -> None:
    assert problems(VALID.replace("https://github.com/orgs/acme/discussions/42", contact)) == []


@pytest.mark.parametrize(
    ("entry", "ok"),
    [
        ("mona", True),
        ("'@mona'", True),
        ("'@acme/app-sec.team_1'", True),
        ("'bad user!'", False),
        ("-mona", False),
        ("'@acme/'", False),
        ("a" * 40, False),
        ("'acme/appsec'", False),
    ],
)
def test_pattern_managers(entry: str, ok: bool) -> None:
    text = VALID.replace('[mona, "@acme/appsec"]', f"[hubot, {entry}]")
    found = problems(text)
    if ok:
        assert found == []
        return
    (problem,) = found
    assert located(problem) == (*position(text, entry), "managers[1]")
    value = entry.strip("'")
    assert problem.message == (
        f"{value!r} is not a valid GitHub user login or team (@org/team-slug)"
    )


def test_unknown_key_with_a_close_match_suggests_it() -> None:
    text = VALID + "tracking:\n  issues: per-repository\n  lables: [security]\n"
    problem = only(text)
    assert located(problem) == (11, 3, "tracking.lables")
    assert problem.message == "unknown key 'lables' in tracking; did you mean 'labels'?"


def test_unknown_key_in_select_is_located_at_the_key() -> None:
    text = VALID + "  sevrity: [high]\n"
    problem = only(text)
    assert located(problem) == (9, 3, "select.sevrity")
    assert problem.message == "unknown key 'sevrity' in select; did you mean 'severity'?"


def test_unknown_top_level_key_without_a_close_match_lists_the_allowed_keys() -> None:
    text = VALID + "colour: red\n"
    problem = only(text)
    assert located(problem) == (9, 1, "colour")
    assert problem.message == (
        "unknown key 'colour'; allowed keys: $schema, contact, description, ends, github, "
        "managers, name, select, sla, starts, state, tracking"
    )


def test_several_unknown_keys_in_one_mapping() -> None:
    text = VALID + "github: {native: true, autofx: true}\n"
    found = problems(text)
    assert [located(p) for p in found] == [(9, 10, "github.native"), (9, 24, "github.autofx")]
    assert found[1].message == "unknown key 'autofx' in github; did you mean 'autofix'?"


def test_missing_required_key_is_located_at_the_first_key() -> None:
    text = "# a comment first\n" + VALID.replace(
        "contact: https://github.com/orgs/acme/discussions/42\n", ""
    )
    problem = only(text)
    assert located(problem) == (2, 1, "contact")
    assert problem.message.startswith(
        "missing required key 'contact' (Link to the named point of contact"
    )


def test_missing_required_key_mentions_the_first_sentence_of_its_description() -> None:
    problem = only(VALID.replace("state: active\n", ""))
    assert problem.message == "missing required key 'state' (Lifecycle state)"


def test_missing_required_keys_of_an_empty_mapping() -> None:
    found = problems("{}\n")
    assert {p.path for p in found} == {
        "name",
        "description",
        "managers",
        "contact",
        "ends",
        "state",
        "select",
    }
    assert {(p.line, p.column) for p in found} == {(1, 1)}


def test_each_missing_key_is_reported_once() -> None:
    found = problems("{}\n")
    assert len(found) == 7


@pytest.mark.parametrize(
    ("old", "new", "needle", "path"),
    [
        ('managers: [mona, "@acme/appsec"]', "managers: []", "[]", "managers"),
        ("alerts: [code-scanning]", "alerts: []", "[]", "select.alerts"),
    ],
)
def test_min_items(old: str, new: str, needle: str, path: str) -> None:
    text = VALID.replace(old, new)
    problem = only(text)
    assert located(problem) == (*position(text, needle), path)
    assert problem.message == "the list is empty; give at least 1 item(s)"


def test_unique_items_is_located_at_the_list() -> None:
    text = VALID.replace("alerts: [code-scanning]", "alerts:\n    - dependabot\n    - dependabot")
    problem = only(text)
    assert located(problem) == (9, 5, "select.alerts")
    assert problem.message == "the list repeats an item; list each value once"


@pytest.mark.parametrize(
    ("extra", "needle", "path", "message"),
    [
        ("  cwe: [89, 0]\n", "0]", "select.cwe[1]", "0 is out of range; it must be at least 1"),
        ("sla: {critical: 0}\n", "0}", "sla.critical", "0 is out of range; it must be at least 1"),
        ("sla: {low: 3651}\n", "3651", "sla.low", "3651 is out of range; it must be at most 3650"),
    ],
)
def test_minimum_and_maximum(extra: str, needle: str, path: str, message: str) -> None:
    text = VALID + extra
    problem = only(text)
    assert located(problem) == (*position(text, needle), path)
    assert problem.message == message


def test_max_length() -> None:
    text = VALID.replace("SQL injection burn-down", "x" * 201)
    problem = only(text)
    assert located(problem) == (1, 7, "name")
    assert problem.message == "the text has 201 characters; at most 200 are allowed"


def test_max_length_of_a_list_item_and_max_items() -> None:
    assignees = ", ".join(f"user{i}" for i in range(11))
    text = VALID + f"tracking:\n  labels: [ok, {'l' * 51}]\n  assignees: [{assignees}]\n"
    found = problems(text)
    assert [(located(p), p.message) for p in found] == [
        ((10, 16, "tracking.labels[1]"), "the text has 51 characters; at most 50 are allowed"),
        ((11, 14, "tracking.assignees"), "the list has 11 items; at most 10 are allowed"),
    ]


def test_tracking_issues_off_is_accepted_unquoted() -> None:
    assert problems(VALID + "tracking:\n  issues: off\n") == []


def test_tracking_issues_off_is_accepted_quoted() -> None:
    assert problems(VALID + "tracking:\n  issues: 'off'\n") == []


def test_min_length() -> None:
    text = VALID.replace("description: Fix SQL injection.", "description: ''")
    problem = only(text)
    assert located(problem) == (2, 14, "description")
    assert problem.message == "the text is empty"


def test_several_errors_in_one_file_are_all_reported() -> None:
    text = (
        "name: SQL injection burn-down\n"
        "descripton: Fix SQL injection.\n"
        "managers: [mona, mona]\n"
        "contact: not a url\n"
        "ends: 2027-13-01\n"
        "state: finished\n"
        "select:\n"
        "  severity: [critical, urgent]\n"
        "  cwe: [0]\n"
        "sla: {high: 0}\n"
    )
    found = problems(text)
    assert [(located(p), p.message) for p in found] == [
        ((1, 1, "description"), found[0].message),
        ((2, 1, "descripton"), "unknown key 'descripton'; did you mean 'description'?"),
        ((3, 11, "managers"), "the list repeats an item; list each value once"),
        ((4, 10, "contact"), "'not a url' is not an absolute URL (https://...)"),
        ((5, 7, "ends"), "'2027-13-01' is not a date: there is no month 13 (months are 01 to 12)"),
        ((6, 8, "state"), "'finished' is not allowed; use one of: draft, active, closed"),
        (
            (8, 24, "select.severity[1]"),
            "'urgent' is not allowed; use one of: critical, high, medium, low",
        ),
        ((9, 9, "select.cwe[0]"), "0 is out of range; it must be at least 1"),
        ((10, 13, "sla.high"), "0 is out of range; it must be at least 1"),
    ]
    assert found[0].message.startswith("missing required key 'description'")


def test_errors_inside_aliases_are_located_at_the_anchor() -> None:
    text = VALID + "  severity: &sev [high, urgent]\ntracking:\n  labels: *sev\n"
    found = problems(text)
    # Only severity is checked against the enum; the alias is just a list of labels.
    assert [located(p) for p in found] == [(9, 25, "select.severity[1]")]


# --- the config schema ------------------------------------------------------------------


def test_config_api_url_not_a_uri_is_reported_once() -> None:
    text = VALID_CONFIG + "api-url: not a url\n"
    problem = only(text, "config")
    assert located(problem) == (2, 10, "api-url")
    assert problem.message == "'not a url' is not an absolute URL (https://...)"


def test_config_api_url_pattern_uses_the_title() -> None:
    problem = only(VALID_CONFIG + "api-url: ftp://ghe.example\n", "config")
    assert located(problem) == (2, 10, "api-url")
    assert problem.message == "'ftp://ghe.example' is not a valid API URL (https://...)"


@pytest.mark.parametrize("folder", ["../x", "/abs", "a/../b", ".."])
def test_config_folders_stay_inside_the_repository(folder: str) -> None:
    problem = only(VALID_CONFIG + f"reports: {folder}\n", "config")
    assert located(problem) == (2, 10, "reports")
    assert problem.message == (
        f"{folder!r} is not a valid folder inside the repository (relative, no '..')"
    )


def test_config_safety_bounds() -> None:
    text = VALID_CONFIG + (
        "safety:\n  max-close-share: 0\n  min-issues-for-threshold: -1\n  max-writes-per-run: 0\n"
    )
    found = problems(text, "config")
    assert [(located(p), p.message) for p in found] == [
        ((3, 20, "safety.max-close-share"), "0 is out of range; it must be greater than 0"),
        (
            (4, 29, "safety.min-issues-for-threshold"),
            "-1 is out of range; it must be at least 0",
        ),
        ((5, 23, "safety.max-writes-per-run"), "0 is out of range; it must be at least 1"),
    ]


def test_config_requires_organizations() -> None:
    problem = only("campaigns: campaigns\n", "config")
    assert located(problem) == (1, 1, "organizations")
    assert problem.message.startswith("missing required key 'organizations' (GitHub organizations")


def test_config_max_close_share_nan_is_refused() -> None:
    # NaN passes every numeric bound; the loader refuses it before the schema sees it.
    text = VALID_CONFIG + "safety: {max-close-share: .nan}\n"
    with pytest.raises(DocumentError) as caught:
        load_yaml(text, "campaign-sync.yml")
    problem = caught.value.problem
    assert (problem.line, problem.column, problem.path) == (2, 27, "safety.max-close-share")


def test_bad_custom_property_name_is_located_at_the_key() -> None:
    text = VALID + "  repositories:\n    properties:\n      tier: '1'\n      bad name: x\n"
    problem = only(text)
    assert located(problem) == (12, 7, "select.repositories.properties.bad name")


def test_bad_custom_property_name_is_reported() -> None:
    text = VALID + "  repositories:\n    properties:\n      tier: '1'\n      bad name: x\n"
    problem = only(text)
    assert problem.path.startswith("select.repositories.properties")
    assert problem.message == "'bad name' is not a valid custom property name"


# --- the schema files -------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_a_valid_draft_2020_12_schema(name: SchemaName) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


# The one object whose keys are data, not fields: custom property name -> allowed values.
OPEN_OBJECTS = {"/properties/select/properties/repositories/properties/properties"}


_MAP_KEYWORDS = ("properties", "$defs", "patternProperties")
_SCHEMA_KEYWORDS = ("items", "additionalProperties", "propertyNames", "not", "contains")
_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")


def _walk(schema: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema (not every JSON object: a `properties` map is not a schema), by pointer."""
    if not isinstance(schema, dict):
        return  # a boolean schema
    yield pointer, schema
    for keyword in _MAP_KEYWORDS:
        for key, sub in schema.get(keyword, {}).items():
            yield from _walk(sub, f"{pointer}/{keyword}/{key}")
    for keyword in _SCHEMA_KEYWORDS:
        if keyword in schema:
            yield from _walk(schema[keyword], f"{pointer}/{keyword}")
    for keyword in _LIST_KEYWORDS:
        for index, sub in enumerate(schema.get(keyword, [])):
            yield from _walk(sub, f"{pointer}/{keyword}/{index}")


def _is_object_schema(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in node


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_property_has_a_description(name: SchemaName) -> None:
    schema = load_schema(name)
    properties = [
        (f"{pointer}/properties/{key}", sub)
        for pointer, node in _walk(schema)
        for key, sub in node.get("properties", {}).items()
    ]
    assert len(properties) > 5
    undocumented = [
        pointer
        for pointer, sub in properties
        if not (isinstance(sub.get("description"), str) and sub["description"].strip())
    ]
    assert undocumented == []


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_object_is_closed(name: SchemaName) -> None:
    schema = load_schema(name)
    objects = [(p, n) for p, n in _walk(schema) if _is_object_schema(n)]
    assert objects
    open_objects = {p for p, n in objects if n.get("additionalProperties") is not False}
    expected = OPEN_OBJECTS if name == "campaign" else set()
    assert open_objects == expected


def test_the_open_object_is_documented_and_constrained() -> None:
    schema = load_schema("campaign")
    node = schema["properties"]["select"]["properties"]["repositories"]["properties"]
    node = node["properties"]
    assert node["description"]
    assert node["propertyNames"]["pattern"]
    assert node["additionalProperties"]["description"]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_default_is_valid_for_its_own_schema(name: SchemaName) -> None:
    schema = load_schema(name)
    with_defaults = [(p, n) for p, n in _walk(schema) if "default" in n]
    assert with_defaults
    for pointer, node in with_defaults:
        sub = {k: v for k, v in node.items() if k != "default"}
        sub["$defs"] = schema.get("$defs", {})
        errors = list(Draft202012Validator(sub).iter_errors(node["default"]))
        assert errors == [], pointer


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_ref_resolves(name: SchemaName) -> None:
    schema = load_schema(name)
    refs = [n["$ref"] for _, n in _walk(schema) if isinstance(n.get("$ref"), str)]
    for ref in refs:
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in schema["$defs"], ref


def _errors(validator: Draft202012Validator, data: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (tuple(map(str, e.absolute_path)), str(e.validator), e.message)
        for e in validator.iter_errors(data)
    )


EXAMPLE_DOCUMENTS = [
    VALID,
    VALID + "  severity: [critical, urgent]\n  repositories: {include: [a, a], topics: []}\n",
    VALID + "managers: []\nsla: {high: 0, low: x}\ntracking: {assignees: ['@acme/team']}\n",
    VALID + "  repositories: {include: ['a/b c'], exclude: [1], properties: {'a b': []}}\n",
    "{}\n",
]


@pytest.mark.parametrize("text", EXAMPLE_DOCUMENTS)
def test_inlined_refs_validate_like_the_schema_file(text: str) -> None:
    # validator() inlines `$ref`s for speed; it must find the same errors as the file does.
    fast = validator("campaign")
    plain = Draft202012Validator(load_schema("campaign"), format_checker=fast.format_checker)
    data = load_yaml(text, FILE).data
    assert _errors(fast, data) == _errors(plain, data)


@pytest.mark.parametrize("url", ["https://[api.github.com", "https://host:port/x", "https://[::1"])
def test_a_malformed_url_is_a_schema_error_not_a_crash(url: str) -> None:
    problem = only(f"{VALID_CONFIG}api-url: {url}\n", "config")
    assert problem.path == "api-url"
