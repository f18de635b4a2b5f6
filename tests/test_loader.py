"""validate_paths over real files and folders, driven by tests/examples/{valid,invalid}/.

Each file in tests/examples/invalid/ has a sibling `<name>.expected` holding the exact lines
the text reporter prints for it. A top-level folder there is one case validated as a whole
(for checks across files); each of its files has its own `.expected`, empty when the file
itself has no problem.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from campaign_sync.config.loader import (
    ValidationResult,
    default_paths,
    discover,
    load_campaigns,
    validate_paths,
)
from campaign_sync.config.yaml_loader import MAX_FILE_BYTES
from campaign_sync.errors import ConfigError
from campaign_sync.problems import Severity
from campaign_sync.render.problems import report_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "examples"
VALID = EXAMPLES / "valid"
INVALID = EXAMPLES / "invalid"
TODAY = date(2026, 11, 28)

INVALID_CASES = sorted(p for p in INVALID.iterdir() if p.suffix != ".expected")

# The stable `code` of each case's problems (the json reporter's machine-readable kind).
CODES = {
    "Bad_Name.yml": {"campaign-id"},
    "alias-bomb.yml": {"alias-budget"},
    "due-date-passed.yml": {"dates"},
    "duplicate-id": {"duplicate-id"},
    "duplicate-key.yml": {"duplicate-key"},
    "empty.yml": {"not-mapping"},
    "ends-before-starts.yml": {"dates"},
    "invalid-yaml.yml": {"yaml-syntax"},
    "long-native-description.yml": {"native-limit"},
    "long-native-name.yml": {"native-limit"},
    "native-without-code-scanning.yml": {"native-limit"},
    "not-a-mapping.yml": {"not-mapping"},
    "not-utf8.yml": {"not-utf8"},
    "schema-violations.yml": {"schema"},
    "several-documents.yml": {"multiple-documents"},
    "unknown-template.yml": {"unknown-template"},
    "unsupported-tag.yml": {"yaml-tag"},
}
WARNING_ONLY = {
    "due-date-passed.yml",
    "long-native-description.yml",
    "long-native-name.yml",
    "native-without-code-scanning.yml",
}

CAMPAIGN = """\
name: {name}
description: A campaign written by the test.
managers: [mona]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: {state}
select:
  alerts: [code-scanning]
github:
  native-campaign: true
"""


def validate(*paths: Path, cwd: Path = ROOT) -> ValidationResult:
    return validate_paths(list(paths), today=TODAY, cwd=cwd)


def reported(result: ValidationResult, file: str) -> list[str]:
    """The lines the text reporter prints for ``file``, without the summary line."""
    only = ValidationResult(
        files=(file,),
        campaigns=(),
        config=None,
        problems=tuple(p for p in result.problems if p.file == file),
    )
    out = io.StringIO()
    report_text(only, out)
    *lines, _summary = out.getvalue().splitlines()
    return lines


def campaign(name: str = "A campaign", state: str = "active") -> str:
    return CAMPAIGN.format(name=name, state=state)


# --- the examples -----------------------------------------------------------------------


def test_valid_examples_are_valid_together() -> None:
    result = validate(VALID)
    assert result.problems == ()
    assert result.ok
    assert result.files == tuple(
        f"tests/examples/valid/{p.name}" for p in sorted(VALID.glob("*.yml"))
    )
    assert [c.id for c in result.campaigns] == [
        "anchors",
        "due-today",
        "every-key",
        "from-template",
        "minimal",
    ]
    assert result.config is not None
    assert result.config.organizations == ("acme", "acme-labs")
    assert result.config.source == "tests/examples/valid/campaign-sync.yml"


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yml")), ids=lambda p: p.name)
def test_each_valid_example_is_valid_alone(path: Path) -> None:
    result = validate(path)
    assert result.problems == ()
    assert result.files == (f"tests/examples/valid/{path.name}",)


def test_valid_examples_load_to_the_values_they_say() -> None:
    campaigns = {c.id: c for c in validate(VALID).campaigns}
    template = campaigns["from-template"]
    # The template supplies alerts and cwe; the file's severity replaces the template's.
    assert template.select.alerts == ("code-scanning",)
    assert template.select.cwe == (89,)
    assert template.select.severity == ("critical", "high")
    assert template.ends == date(2026, 6, 30)
    anchors = campaigns["anchors"]
    assert anchors.managers == ("mona", "@acme/appsec")
    assert anchors.tracking.mention == ("mona", "@acme/appsec")
    assert anchors.tracking.labels == ("security", "secrets")
    assert anchors.tracking.public_details is False
    every = campaigns["every-key"]
    assert every.starts == date(2026, 11, 2)
    assert every.select.repositories.properties == (
        ("data-classification", ("restricted",)),
        ("tier", ("1", "2")),
    )
    assert every.tracking.assignees == ("hubot", "octocat")
    assert every.github.native_campaign
    assert every.source == "tests/examples/valid/every-key.yml"


def test_every_invalid_example_has_an_expectation_file() -> None:
    examples = {p.with_suffix("") for p in INVALID.rglob("*.yml")}
    expectations = {p.with_suffix("") for p in INVALID.rglob("*.expected")}
    assert examples == expectations
    assert {p.name for p in INVALID_CASES} == set(CODES)


@pytest.mark.parametrize("case", INVALID_CASES, ids=lambda p: p.name)
def test_invalid_example_reports_exactly_its_expectation(case: Path) -> None:
    result = validate(case)
    files = discover([case])
    assert result.files == tuple(p.relative_to(ROOT).as_posix() for p in files)
    for path, file in zip(files, result.files, strict=True):
        expected = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
        assert reported(result, file) == expected, file
    assert {p.file for p in result.problems} <= set(result.files)
    assert {p.code for p in result.problems} == CODES[case.name]
    if case.name in WARNING_ONLY:
        assert result.ok
        assert result.problems
        assert all(p.severity is Severity.WARNING for p in result.problems)
    else:
        assert not result.ok


def test_all_invalid_examples_at_once_report_the_same_problems() -> None:
    # Cross-file checks aside (ids), one run over many files reports what each run alone does.
    each = {p for case in INVALID_CASES for p in validate(case).problems}
    together = validate(*INVALID_CASES).problems
    assert set(together) == each
    assert list(together) == sorted(together)


def test_a_broken_file_does_not_hide_the_others(tmp_path: Path) -> None:
    (tmp_path / "broken.yml").write_text("name: [unclosed\n", encoding="utf-8")
    (tmp_path / "good.yml").write_text(campaign(), encoding="utf-8")
    (tmp_path / "worse.yml").write_bytes(b"\xff\xfe")
    result = validate(tmp_path, cwd=tmp_path)
    assert [c.id for c in result.campaigns] == ["good"]
    assert [(p.file, p.code) for p in result.problems] == [
        ("broken.yml", "yaml-syntax"),
        ("worse.yml", "not-utf8"),
    ]


# --- cases generated into tmp_path ------------------------------------------------------


def test_file_over_one_mib(tmp_path: Path) -> None:
    path = tmp_path / "too-large.yml"
    text = campaign()
    path.write_text(text + "#" * (MAX_FILE_BYTES + 1 - len(text)), encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES + 1
    result = validate(path, cwd=tmp_path)
    assert reported(result, "too-large.yml") == [
        "too-large.yml:1:1: error: file is 1,048,577 bytes; campaign files are limited to "
        "1 MiB (1,048,576 bytes)"
    ]
    assert result.problems[0].code == "file-too-large"
    assert result.campaigns == ()


def test_file_of_exactly_one_mib_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "just-fits.yml"
    text = campaign()
    path.write_text(text + "#" * (MAX_FILE_BYTES - len(text)), encoding="utf-8")
    result = validate(path, cwd=tmp_path)
    assert result.problems == ()
    assert [c.id for c in result.campaigns] == ["just-fits"]


def _write_mirrored(folder: Path, count: int, state: str = "active") -> None:
    for i in range(1, count + 1):
        (folder / f"c{i:02}.yml").write_text(campaign(state=state), encoding="utf-8")


def test_eleven_active_mirrored_campaigns_warn_on_the_eleventh(tmp_path: Path) -> None:
    _write_mirrored(tmp_path, 11)
    result = validate(tmp_path, cwd=tmp_path)
    assert result.ok
    assert len(result.campaigns) == 11
    line, column = 10, 20  # the value of github.native-campaign
    assert reported(result, "c11.yml") == [
        f"c11.yml:{line}:{column}: warning: 11 active campaigns ask for a native mirror; "
        "GitHub allows 10 open campaigns, so this one (past the first 10 by id) may not be "
        "mirrored; those made in GitHub's UI count too, and `plan` says which are left out "
        "[github.native-campaign]"
    ]
    assert [p.file for p in result.problems] == ["c11.yml"]


def test_ten_active_mirrored_campaigns_and_inactive_ones_are_fine(tmp_path: Path) -> None:
    _write_mirrored(tmp_path, 10)
    (tmp_path / "z-draft.yml").write_text(campaign(state="draft"), encoding="utf-8")
    (tmp_path / "z-closed.yml").write_text(campaign(state="closed"), encoding="utf-8")
    result = validate(tmp_path, cwd=tmp_path)
    assert result.problems == ()
    assert len(result.campaigns) == 12


def test_a_campaign_with_errors_does_not_count_towards_the_mirror_limit(tmp_path: Path) -> None:
    _write_mirrored(tmp_path, 10)
    (tmp_path / "c11.yml").write_text(campaign() + "colour: red\n", encoding="utf-8")
    result = validate(tmp_path, cwd=tmp_path)
    assert [(p.file, p.code) for p in result.problems] == [("c11.yml", "schema")]


# --- discovery and display --------------------------------------------------------------


def test_folders_are_searched_recursively_for_yml_and_yaml(tmp_path: Path) -> None:
    (tmp_path / "team" / "q1").mkdir(parents=True)
    (tmp_path / "a.yml").write_text(campaign(), encoding="utf-8")
    (tmp_path / "team" / "b.yaml").write_text(campaign(), encoding="utf-8")
    (tmp_path / "team" / "q1" / "c.yml").write_text(campaign(), encoding="utf-8")
    for ignored in ("notes.txt", "d.json", "e.yml.bak"):
        (tmp_path / ignored).write_text("not: [yaml", encoding="utf-8")
    (tmp_path / "folder.yml").mkdir()
    result = validate(tmp_path, cwd=tmp_path)
    assert result.files == ("a.yml", "team/b.yaml", "team/q1/c.yml")
    assert result.problems == ()


def test_a_file_named_twice_is_validated_once(tmp_path: Path) -> None:
    path = tmp_path / "a.yml"
    path.write_text(campaign(), encoding="utf-8")
    result = validate(path, tmp_path, tmp_path / "." / "a.yml", cwd=tmp_path)
    assert result.files == ("a.yml",)
    assert len(result.campaigns) == 1


def test_a_file_named_directly_is_validated_whatever_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text(campaign(), encoding="utf-8")
    result = validate(path, cwd=tmp_path)
    assert result.problems == ()
    assert [c.id for c in result.campaigns] == ["draft"]


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    result = validate(tmp_path / "missing.yml", cwd=tmp_path)
    assert reported(result, "missing.yml") == [
        "missing.yml:1:1: error: cannot read file: No such file or directory"
    ]


def test_the_same_id_with_yml_and_yaml_is_a_duplicate(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(campaign(), encoding="utf-8")
    (tmp_path / "x.yml").write_text(campaign(), encoding="utf-8")
    result = validate(tmp_path, cwd=tmp_path)
    assert [(p.file, p.code) for p in result.problems] == [("x.yml", "duplicate-id")]


def test_files_outside_the_working_directory_keep_the_path_given(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    path = tmp_path / "out.yml"
    path.write_text("- a list\n", encoding="utf-8")
    result = validate(path, cwd=tmp_path / "in")
    assert result.files == (path.as_posix(),)
    assert result.problems[0].file == path.as_posix()


def test_bom_and_crlf_line_endings_are_valid_and_located(tmp_path: Path) -> None:
    text = campaign().replace("state: active", "state: finished")
    path = tmp_path / "windows.yml"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = validate(path, cwd=tmp_path)
    (problem,) = result.problems
    assert (problem.line, problem.column, problem.path) == (6, 8, "state")


# --- the config file --------------------------------------------------------------------


def test_an_invalid_config_is_reported_with_the_campaigns(tmp_path: Path) -> None:
    (tmp_path / "campaign-sync.yml").write_text(
        "organizations: [acme]\norganisation: acme\n", encoding="utf-8"
    )
    (tmp_path / "a.yml").write_text(campaign(), encoding="utf-8")
    result = validate(tmp_path, cwd=tmp_path)
    assert result.config is None
    assert [c.id for c in result.campaigns] == ["a"]
    assert reported(result, "campaign-sync.yml") == [
        "campaign-sync.yml:2:1: error: unknown key 'organisation'; did you mean "
        "'organizations'? [organisation]"
    ]


def test_a_config_that_is_not_yaml_is_reported(tmp_path: Path) -> None:
    (tmp_path / "campaign-sync.yaml").write_text("organizations: [acme\n", encoding="utf-8")
    result = validate(tmp_path / "campaign-sync.yaml", cwd=tmp_path)
    assert result.config is None
    assert [p.code for p in result.problems] == ["yaml-syntax"]


def test_default_paths_follow_the_configured_campaigns_folder(tmp_path: Path) -> None:
    (tmp_path / "campaign-sync.yml").write_text(
        "organizations: [acme]\ncampaigns: security/campaigns\n", encoding="utf-8"
    )
    assert default_paths(tmp_path) == [
        tmp_path / "campaign-sync.yml",
        tmp_path / "security" / "campaigns",
    ]
    (tmp_path / "campaign-sync.yml").write_text("[broken\n", encoding="utf-8")
    assert default_paths(tmp_path) == [tmp_path / "campaign-sync.yml", tmp_path / "campaigns"]


def test_load_campaigns_returns_the_config_and_campaigns(tmp_path: Path) -> None:
    (tmp_path / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaigns" / "b.yml").write_text(campaign(), encoding="utf-8")
    (tmp_path / "campaigns" / "a.yml").write_text(campaign(), encoding="utf-8")
    config, campaigns = load_campaigns(tmp_path, today=TODAY)
    assert config.organizations == ("acme",)
    assert [(c.id, c.source) for c in campaigns] == [
        ("a", "campaigns/a.yml"),
        ("b", "campaigns/b.yml"),
    ]


def test_load_campaigns_raises_config_error_listing_the_errors(tmp_path: Path) -> None:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaigns" / "a.yml").write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_campaigns(tmp_path, today=TODAY)
    assert str(info.value) == (
        "campaign files are invalid:\n"
        "  campaigns/a.yml:1:1: the document is a list; expected a mapping of fields (key: value)"
    )
