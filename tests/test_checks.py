"""Checks the schema cannot express: ids, uniqueness, templates, dates, native-mirror limits."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from campaign_sync.config.checks import (
    NATIVE_DESCRIPTION_MAX,
    NATIVE_NAME_MAX,
    NATIVE_OPEN_CAMPAIGNS_MAX,
    CampaignFile,
    check_date_order,
    check_dates,
    check_id,
    check_native_limits,
    check_template,
    check_unique_ids,
    template_name,
)
from campaign_sync.config.loader import validate_paths
from campaign_sync.config.templates import builtin_templates
from campaign_sync.config.yaml_loader import load_yaml
from campaign_sync.model import Campaign
from campaign_sync.problems import Problem, Severity

TODAY = date(2026, 11, 28)

# Where _campaign_text puts things (1-based line, column of the value).
NAME_AT = (1, 7)
DESCRIPTION_AT = (2, 14)
ENDS_AT = (5, 7)
NATIVE_AT = (10, 20)


def _campaign_text(
    *,
    name: str = "Test campaign",
    description: str = "A campaign for the tests.",
    ends: str = "2027-01-31",
    state: str = "active",
    alerts: str = "[code-scanning]",
    native: bool = False,
    starts: str | None = None,
) -> str:
    text = (
        f"name: {json.dumps(name)}\n"
        f"description: {json.dumps(description)}\n"
        "managers: [mona]\n"
        "contact: https://github.com/orgs/acme/discussions/1\n"
        f"ends: {ends}\n"
        f"state: {state}\n"
        "select:\n"
        f"  alerts: {alerts}\n"
        "github:\n"
        f"  native-campaign: {'true' if native else 'false'}\n"
    )
    if starts is not None:
        text += f"starts: {starts}\n"
    return text


def _item(campaign_id: str = "c", **kwargs: object) -> CampaignFile:
    file = f"campaigns/{campaign_id}.yml"
    doc = load_yaml(_campaign_text(**kwargs), file)  # type: ignore[arg-type]
    return CampaignFile(
        id=campaign_id, doc=doc, campaign=Campaign.from_data(campaign_id, doc.data, source=file)
    )


def _native_warning(file: str, at: tuple[int, int], path: str, message: str) -> Problem:
    return Problem(file, *at, path, message, Severity.WARNING, "native-limit")


# --- check_id ---------------------------------------------------------------------------


GOOD_IDS = [
    "a", "0", "ab", "a-b", "a--b", "sql-injection", "2027-q1",
    "a" * 63, "a" * 64, "a" + "-" * 62 + "b",
]  # fmt: skip
BAD_IDS = [
    "", "A", "Sql", "-a", "a-", "-", "a_b", "a.b", "a b", "é", "a\n", "a/b",
    "a" * 65, "a" + "-" * 63 + "b",
]  # fmt: skip


@pytest.mark.parametrize(
    "campaign_id", ["con", "nul", "aux", "prn", "com1", "com9", "lpt1", "lpt9"]
)
def test_check_id_rejects_names_windows_reserves(campaign_id: str) -> None:
    (problem,) = check_id(campaign_id, "campaigns/x.yml")
    assert (problem.file, problem.line, problem.column) == ("campaigns/x.yml", 1, 1)
    assert problem.message == (
        f"campaign id {campaign_id!r} (the file name without .yml) is a device name "
        "Windows reserves, so its campaign file and report folder cannot exist there; rename "
        "the file"
    )


@pytest.mark.parametrize("campaign_id", ["com0", "com10", "console", "lpt", "nul-1", "auxiliary"])
def test_check_id_accepts_names_near_the_reserved_ones(campaign_id: str) -> None:
    assert list(check_id(campaign_id, "campaigns/x.yml")) == []


@pytest.mark.parametrize("campaign_id", GOOD_IDS)
def test_check_id_accepts(campaign_id: str) -> None:
    assert list(check_id(campaign_id, "campaigns/x.yml")) == []


@pytest.mark.parametrize("campaign_id", BAD_IDS)
def test_check_id_rejects(campaign_id: str) -> None:
    problems = list(check_id(campaign_id, "campaigns/x.yml"))
    assert problems == [
        Problem(
            "campaigns/x.yml",
            1,
            1,
            "",
            f"campaign id {campaign_id!r} (the file name without .yml) must be 1 to 64 "
            "lowercase letters, digits and '-', starting and ending with a letter or digit; "
            "rename the file",
            Severity.ERROR,
            "campaign-id",
        )
    ]


def test_check_id_through_validate_paths(tmp_path: Path) -> None:
    folder = tmp_path / "campaigns"
    folder.mkdir()
    (folder / "Bad_Id.yml").write_text(_campaign_text(), encoding="utf-8")
    result = validate_paths([folder], today=TODAY, cwd=tmp_path)
    assert [(p.file, p.line, p.column, p.code) for p in result.problems] == [
        ("campaigns/Bad_Id.yml", 1, 1, "campaign-id")
    ]
    assert not result.ok


# --- check_unique_ids -------------------------------------------------------------------


def test_check_unique_ids_no_duplicates() -> None:
    assert list(check_unique_ids([("a", "campaigns/a.yml"), ("b", "campaigns/b.yml")])) == []
    assert list(check_unique_ids([])) == []


def test_check_unique_ids_reports_later_duplicates_against_the_first() -> None:
    files = [
        ("a", "campaigns/a.yml"),
        ("b", "campaigns/b.yml"),
        ("a", "campaigns/sub/a.yaml"),
        ("a", "campaigns/other/a.yml"),
    ]
    assert list(check_unique_ids(files)) == [
        Problem(
            file,
            1,
            1,
            "",
            "campaign id 'a' is already used by campaigns/a.yml; campaign ids (file names "
            "without .yml) must be unique",
            Severity.ERROR,
            "duplicate-id",
        )
        for file in ("campaigns/sub/a.yaml", "campaigns/other/a.yml")
    ]


def test_duplicate_ids_through_validate_paths(tmp_path: Path) -> None:
    folder = tmp_path / "campaigns"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.yml").write_text(_campaign_text(), encoding="utf-8")
    (folder / "sub" / "a.yaml").write_text(_campaign_text(), encoding="utf-8")
    result = validate_paths([folder], today=TODAY, cwd=tmp_path)
    assert [(p.file, p.code, p.message) for p in result.problems] == [
        (
            "campaigns/sub/a.yaml",
            "duplicate-id",
            "campaign id 'a' is already used by campaigns/a.yml; campaign ids (file names "
            "without .yml) must be unique",
        )
    ]


# --- check_template ---------------------------------------------------------------------


def test_check_template_known_and_absent() -> None:
    names = builtin_templates()
    known = load_yaml("select: {template: xss}\n", "f.yml")
    absent = load_yaml("select: {alerts: [dependabot]}\n", "f.yml")
    assert list(check_template(known, names)) == []
    assert list(check_template(absent, names)) == []


def test_check_template_unknown_with_suggestion() -> None:
    doc = load_yaml("name: x\nselect:\n  template: sql-injections\n", "f.yml")
    assert list(check_template(doc, builtin_templates())) == [
        Problem(
            "f.yml",
            3,
            13,
            "select.template",
            "unknown template 'sql-injections'; did you mean 'sql-injection'? "
            "`campaign-sync templates` lists them",
            Severity.ERROR,
            "unknown-template",
        )
    ]


def test_check_template_unknown_without_suggestion() -> None:
    doc = load_yaml("select: {template: zzzz}\n", "f.yml")
    [problem] = check_template(doc, builtin_templates())
    assert problem.message == "unknown template 'zzzz'; `campaign-sync templates` lists them"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"select": {"template": "xss"}}, "xss"),
        ({"select": {}}, None),
        ({"select": {"template": 3}}, None),
        ({"select": "xss"}, None),
        ({}, None),
    ],
)
def test_template_name(data: dict[str, object], expected: str | None) -> None:
    assert template_name(data) == expected


# --- check_dates ------------------------------------------------------------------------


def test_check_dates_fine() -> None:
    assert list(check_dates(_item(starts="2026-11-01", ends="2027-01-31"), TODAY)) == []


def test_check_dates_same_day_start_and_end_is_fine() -> None:
    assert list(check_dates(_item(starts="2027-01-31", ends="2027-01-31"), TODAY)) == []


def test_check_dates_due_today_is_not_past() -> None:
    assert list(check_dates(_item(ends="2026-11-28"), TODAY)) == []


def test_check_date_order_ends_before_starts_is_an_error_at_ends() -> None:
    item = _item(starts="2027-02-01", ends="2027-01-31")
    assert list(check_date_order(item.doc)) == [
        Problem(
            "campaigns/c.yml",
            *ENDS_AT,
            "ends",
            "the campaign ends (2027-01-31) before it starts (2027-02-01)",
            Severity.ERROR,
            "dates",
        )
    ]


def test_ends_before_starts_is_said_together_with_the_schemas_problems(tmp_path: Path) -> None:
    """It used to wait until every other error was fixed: a second round trip."""
    folder = tmp_path / "campaigns"
    folder.mkdir()
    text = _campaign_text(starts="2027-02-01", ends="2027-01-31", state="bogus")
    (folder / "c.yml").write_text(text, encoding="utf-8")
    result = validate_paths([folder], today=TODAY, cwd=tmp_path)
    messages = [p.message for p in result.errors]
    assert "the campaign ends (2027-01-31) before it starts (2027-02-01)" in messages
    assert any("'bogus' is not allowed" in m for m in messages)


@pytest.mark.parametrize(("starts", "ends"), [("2027-02-30", "2027-01-31"), ("x", "2027-01-31")])
def test_date_order_is_left_to_the_schema_when_a_date_is_no_date(starts: str, ends: str) -> None:
    doc = load_yaml(_campaign_text(starts=starts, ends=ends), "campaigns/c.yml")
    assert list(check_date_order(doc)) == []


@pytest.mark.parametrize("state", ["active", "draft"])
def test_check_dates_past_due_is_a_warning(state: str) -> None:
    item = _item(ends="2026-11-27", state=state)
    assert list(check_dates(item, TODAY)) == [
        Problem(
            "campaigns/c.yml",
            *ENDS_AT,
            "ends",
            "the due date 2026-11-27 has passed; move it or set state: closed",
            Severity.WARNING,
            "dates",
        )
    ]


def test_check_dates_past_due_closed_is_fine() -> None:
    assert list(check_dates(_item(ends="2026-01-01", state="closed"), TODAY)) == []


def test_check_dates_both_problems() -> None:
    item = _item(starts="2026-10-01", ends="2026-09-30")
    problems = [*check_date_order(item.doc), *check_dates(item, TODAY)]
    assert [(p.severity, p.code, p.line) for p in problems] == [
        (Severity.ERROR, "dates", ENDS_AT[0]),
        (Severity.WARNING, "dates", ENDS_AT[0]),
    ]


def test_past_due_warning_keeps_validate_ok(tmp_path: Path) -> None:
    folder = tmp_path / "campaigns"
    folder.mkdir()
    (folder / "old.yml").write_text(_campaign_text(ends="2026-01-01"), encoding="utf-8")
    result = validate_paths([folder], today=TODAY, cwd=tmp_path)
    assert result.ok
    assert [(p.file, p.line, p.column, p.severity) for p in result.problems] == [
        ("campaigns/old.yml", *ENDS_AT, Severity.WARNING)
    ]


# --- check_native_limits ----------------------------------------------------------------


def test_native_limits_ignore_campaigns_that_are_not_mirrored() -> None:
    item = _item(name="n" * 200, description="d" * 5000, alerts="[dependabot]", native=False)
    assert list(check_native_limits([item])) == []


def test_native_name_at_the_limit_is_fine() -> None:
    assert NATIVE_NAME_MAX == 50
    assert list(check_native_limits([_item(name="n" * 50, native=True)])) == []


def test_native_name_over_the_limit_warns_at_the_name() -> None:
    assert list(check_native_limits([_item(name="n" * 51, native=True)])) == [
        _native_warning(
            "campaigns/c.yml",
            NAME_AT,
            "name",
            "the name has 51 characters; the native GitHub campaign allows 50, so the "
            "mirror's name will be cut short",
        )
    ]


def test_native_description_at_the_limit_is_fine() -> None:
    assert NATIVE_DESCRIPTION_MAX == 255
    assert list(check_native_limits([_item(description="d" * 255, native=True)])) == []


def test_native_description_over_the_limit_warns_at_the_description() -> None:
    assert list(check_native_limits([_item(description="d" * 256, native=True)])) == [
        _native_warning(
            "campaigns/c.yml",
            DESCRIPTION_AT,
            "description",
            "the description has 256 characters; the native GitHub campaign allows 255, so "
            "the mirror's will be cut short",
        )
    ]


def test_native_campaign_without_code_scanning_warns() -> None:
    item = _item(alerts="[dependabot, secret-scanning]", native=True)
    assert list(check_native_limits([item])) == [
        _native_warning(
            "campaigns/c.yml",
            NATIVE_AT,
            "github.native-campaign",
            "native GitHub campaigns hold only code scanning alerts, and this campaign "
            "selects none; it will not be mirrored",
        )
    ]


def test_native_campaign_with_code_scanning_among_others_is_fine() -> None:
    item = _item(alerts="[dependabot, code-scanning]", native=True)
    assert list(check_native_limits([item])) == []


def test_ten_active_mirrored_campaigns_are_fine() -> None:
    assert NATIVE_OPEN_CAMPAIGNS_MAX == 10
    items = [_item(f"c{i:02}", native=True) for i in range(10)]
    assert list(check_native_limits(items)) == []


def test_eleventh_active_mirrored_campaign_warns() -> None:
    items = [_item(f"c{i:02}", native=True) for i in range(11)]
    assert list(check_native_limits(items)) == [
        _native_warning(
            "campaigns/c10.yml",
            NATIVE_AT,
            "github.native-campaign",
            "11 active campaigns ask for a native mirror; GitHub allows 10 open campaigns, "
            "so this one (past the first 10 by id) may not be mirrored; those made in "
            "GitHub's UI count too, and `plan` says which are left out",
        )
    ]


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_only_active_mirrored_campaigns_count_toward_the_limit(state: str) -> None:
    items = [_item(f"c{i:02}", native=True) for i in range(10)]
    items.append(_item("c10", native=True, state=state, ends="2027-01-31"))
    items.append(_item("c11", native=False))
    assert list(check_native_limits(items)) == []


def test_native_limits_through_validate_paths_are_ordered_by_id(tmp_path: Path) -> None:
    folder = tmp_path / "campaigns"
    # The highest ids sit in a folder discovered first, so discovery order would pick
    # c08 and c09 as the ones past the limit; ordering by id picks c10 and c11.
    for i in range(12):
        sub = folder / ("a" if i >= 10 else "b")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"c{i:02}.yml").write_text(_campaign_text(native=True), encoding="utf-8")
    result = validate_paths([folder], today=TODAY, cwd=tmp_path)
    assert result.files[:2] == ("campaigns/a/c10.yml", "campaigns/a/c11.yml")
    assert result.ok
    assert [(p.file, p.line, p.column, p.code) for p in result.problems] == [
        ("campaigns/a/c10.yml", *NATIVE_AT, "native-limit"),
        ("campaigns/a/c11.yml", *NATIVE_AT, "native-limit"),
    ]
    assert all(p.message.startswith("12 active campaigns") for p in result.problems)
