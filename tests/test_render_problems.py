"""The text, json and github reporters and the step summary, over one fixed result."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest

from campaign_sync.config.loader import ValidationResult
from campaign_sync.problems import Problem, Severity
from campaign_sync.render.problems import (
    REPORTERS,
    Reporter,
    problem_json,
    report_github,
    report_json,
    report_text,
    step_summary,
    summary_line,
)

PROBLEMS = (
    Problem("campaigns/a.yml", 3, 5, "managers[0]", "expected text, got the number 123"),
    Problem(
        "campaigns/a.yml",
        5,
        7,
        "ends",
        "the due date 2026-11-27 has passed; move it or set state: closed",
        Severity.WARNING,
        "dates",
    ),
    Problem("campaigns/b,c.yml", 1, 1, "", "file is empty; expected a mapping of fields"),
    Problem(
        "campaigns/d.yml",
        7,
        24,
        "select.severity[1]",
        "'urgent' is not allowed; use one of: critical, high, medium, low",
    ),
)

RESULT = ValidationResult(
    files=(
        "campaign-sync.yml",
        "campaigns/a.yml",
        "campaigns/b,c.yml",
        "campaigns/d.yml",
        "campaigns/e.yml",
    ),
    campaigns=(),
    config=None,
    problems=PROBLEMS,
)


def _result(*problems: Problem, files: int = 1) -> ValidationResult:
    names = tuple(f"campaigns/f{i}.yml" for i in range(files))
    return ValidationResult(files=names, campaigns=(), config=None, problems=problems)


def _render(reporter: Reporter, result: ValidationResult) -> str:
    out = io.StringIO()
    reporter(result, out)
    return out.getvalue()


ERROR = Problem("campaigns/f0.yml", 1, 1, "name", "bad")
WARNING = Problem("campaigns/f0.yml", 2, 1, "ends", "late", Severity.WARNING, "dates")


def test_reporters_registry_is_the_format_choices() -> None:
    assert dict(REPORTERS) == {"text": report_text, "json": report_json, "github": report_github}


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (_result(files=0), "ok: 0 files valid"),
        (_result(files=1), "ok: 1 file valid"),
        (_result(files=3), "ok: 3 files valid"),
        (_result(WARNING, files=2), "ok: 2 files valid, 1 warning"),
        (_result(WARNING, WARNING, files=1), "ok: 1 file valid, 2 warnings"),
        (_result(ERROR, files=1), "1 error in 1 of 1 file"),
        (_result(ERROR, WARNING, files=4), "1 error, 1 warning in 1 of 4 files"),
        (RESULT, "3 errors, 1 warning in 3 of 5 files"),
        # A warning in a second file is a second file with problems.
        (
            _result(ERROR, dataclasses.replace(WARNING, file="campaigns/f1.yml"), files=3),
            "1 error, 1 warning in 2 of 3 files",
        ),
    ],
)
def test_summary_line(result: ValidationResult, expected: str) -> None:
    assert summary_line(result) == expected


def test_text_reporter() -> None:
    assert _render(report_text, RESULT) == (
        "campaigns/a.yml:3:5: error: expected text, got the number 123 [managers[0]]\n"
        "campaigns/a.yml:5:7: warning: the due date 2026-11-27 has passed; move it or set "
        "state: closed [ends]\n"
        "campaigns/b,c.yml:1:1: error: file is empty; expected a mapping of fields\n"
        "campaigns/d.yml:7:24: error: 'urgent' is not allowed; use one of: critical, high, "
        "medium, low [select.severity[1]]\n"
        "3 errors, 1 warning in 3 of 5 files\n"
    )


def test_text_reporter_when_valid() -> None:
    assert _render(report_text, _result(files=2)) == "ok: 2 files valid\n"


def test_json_reporter_exact() -> None:
    expected_rows = [
        {
            "file": "campaigns/a.yml",
            "line": 3,
            "column": 5,
            "path": "managers[0]",
            "message": "expected text, got the number 123",
            "severity": "error",
            "code": "schema",
        },
        {
            "file": "campaigns/a.yml",
            "line": 5,
            "column": 7,
            "path": "ends",
            "message": "the due date 2026-11-27 has passed; move it or set state: closed",
            "severity": "warning",
            "code": "dates",
        },
        {
            "file": "campaigns/b,c.yml",
            "line": 1,
            "column": 1,
            "path": "",
            "message": "file is empty; expected a mapping of fields",
            "severity": "error",
            "code": "schema",
        },
        {
            "file": "campaigns/d.yml",
            "line": 7,
            "column": 24,
            "path": "select.severity[1]",
            "message": "'urgent' is not allowed; use one of: critical, high, medium, low",
            "severity": "error",
            "code": "schema",
        },
    ]
    text = _render(report_json, RESULT)
    assert text == json.dumps(expected_rows, indent=2) + "\n"
    assert json.loads(text) == expected_rows


def test_json_reporter_shape() -> None:
    rows = json.loads(_render(report_json, RESULT))
    assert isinstance(rows, list)
    assert all(
        list(row) == ["file", "line", "column", "path", "message", "severity", "code"]
        for row in rows
    )
    assert all(isinstance(row["line"], int) and isinstance(row["column"], int) for row in rows)


def test_json_reporter_when_valid_is_an_empty_list() -> None:
    assert _render(report_json, _result(files=3)) == "[]\n"


def test_json_reporter_keeps_non_ascii_text() -> None:
    problem = Problem("campaigns/ü.yml", 1, 1, "name", "nom « café »")
    text = _render(report_json, _result(problem))
    assert '"file": "campaigns/ü.yml"' in text
    assert '"message": "nom « café »"' in text


def test_problem_json() -> None:
    assert problem_json(WARNING) == {
        "file": "campaigns/f0.yml",
        "line": 2,
        "column": 1,
        "path": "ends",
        "message": "late",
        "severity": "warning",
        "code": "dates",
    }


def test_github_reporter() -> None:
    assert _render(report_github, RESULT) == (
        "::error file=campaigns/a.yml,line=3,col=5,title=campaign-sync validate::"
        "expected text, got the number 123 (managers[0])\n"
        "::warning file=campaigns/a.yml,line=5,col=7,title=campaign-sync validate::"
        "the due date 2026-11-27 has passed; move it or set state: closed (ends)\n"
        "::error file=campaigns/b%2Cc.yml,line=1,col=1,title=campaign-sync validate::"
        "file is empty; expected a mapping of fields\n"
        "::error file=campaigns/d.yml,line=7,col=24,title=campaign-sync validate::"
        "'urgent' is not allowed; use one of: critical, high, medium, low (select.severity[1])\n"
        "3 errors, 1 warning in 3 of 5 files\n"
    )


def test_github_reporter_escapes_messages_and_properties() -> None:
    problem = Problem("dir:x/a,b%.yml", 2, 3, "name", "100% bad\r\nsecond line")
    assert _render(report_github, _result(problem)) == (
        "::error file=dir%3Ax/a%2Cb%25.yml,line=2,col=3,title=campaign-sync validate::"
        "100%25 bad%0D%0Asecond line (name)\n"
        "1 error in 1 of 1 file\n"
    )


def test_github_reporter_when_valid() -> None:
    assert _render(report_github, _result(files=2)) == "ok: 2 files valid\n"


def test_step_summary() -> None:
    assert step_summary(RESULT) == (
        "### campaign-sync validate: 3 errors, 1 warning in 3 of 5 files\n"
        "\n"
        "| Location | Severity | Problem |\n"
        "| --- | --- | --- |\n"
        "| campaigns/a\\.yml:3:5 | error | expected text, got the number 123 |\n"
        "| campaigns/a\\.yml:5:7 | warning | the due date 2026\\-11\\-27 has passed; move it "
        "or set state: closed |\n"
        "| campaigns/b,c\\.yml:1:1 | error | file is empty; expected a mapping of fields |\n"
        "| campaigns/d\\.yml:7:24 | error | 'urgent' is not allowed; use one of: critical, "
        "high, medium, low |\n"
        "\n"
    )


def test_step_summary_when_valid() -> None:
    assert step_summary(_result(files=2)) == "### campaign-sync validate: ok: 2 files valid\n\n"


def test_step_summary_escapes_markdown() -> None:
    problem = Problem(
        "campaigns/x|y.yml",
        1,
        1,
        "name",
        "<b>hi</b> @mona [link](https://e.example) | *x*\nnext",
    )
    summary = step_summary(_result(problem))
    assert summary.splitlines()[4] == (
        "| campaigns/x\\|y\\.yml:1:1 | error | &lt;b&gt;hi&lt;/b&gt; @\u2060mona "
        "\\[link\\]\\(https:\u2060//e\\.example\\) \\| \\*x\\* next |"
    )
    # One table row per problem: a newline in a message cannot start a new row.
    assert len(summary.splitlines()) == 6
