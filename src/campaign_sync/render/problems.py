"""Reporters for validation results: text for people, json for machines, github for Actions.

Each reporter reads one ValidationResult and writes to a stream it is handed;
REPORTERS' keys are the `--format` choices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

from campaign_sync.config.loader import ValidationResult
from campaign_sync.problems import Problem
from campaign_sync.render.annotations import workflow_command
from campaign_sync.untrusted.markdown import escape_inline
from campaign_sync.untrusted.terminal import printable
from campaign_sync.wording import plural


def summary_line(result: ValidationResult) -> str:
    errors, warnings = len(result.errors), len(result.warnings)
    files = plural(len(result.files), "file")
    warned = f", {plural(warnings, 'warning')}" if warnings else ""
    if not errors:
        return f"ok: {files} valid{warned}"
    # Files with any problem: counting only those with errors read "in 1 of 3 files" when
    # a second file had a warning the lines above show.
    bad = len({p.file for p in result.problems})
    return f"{plural(errors, 'error')}{warned} in {bad} of {files}"


def _text_line(problem: Problem) -> str:
    # File names, keys and values come from the files checked: a newline, an escape
    # sequence or a bidi override in them must not forge or reorder lines on a terminal.
    where = f" [{printable(problem.path)}]" if problem.path else ""
    return (
        f"{printable(problem.file)}:{problem.line}:{problem.column}: "
        f"{problem.severity.value}: {printable(problem.message)}{where}"
    )


def report_text(result: ValidationResult, out: TextIO) -> None:
    for problem in result.problems:
        out.write(_text_line(problem) + "\n")
    out.write(summary_line(result) + "\n")


def problem_json(problem: Problem) -> dict[str, object]:
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "path": problem.path,
        "message": problem.message,
        "severity": problem.severity.value,
        "code": problem.code,
    }


def report_json(result: ValidationResult, out: TextIO) -> None:
    json.dump([problem_json(p) for p in result.problems], out, indent=2, ensure_ascii=False)
    out.write("\n")


def _visible_lines(text: str) -> str:
    """printable() for each line: the workflow command escapes the line breaks itself."""
    return "\r".join(
        "\n".join(printable(line) for line in part.split("\n")) for part in text.split("\r")
    )


def report_github(result: ValidationResult, out: TextIO) -> None:
    for problem in result.problems:
        # The file stays as it is (the annotation must name the real file); what is shown
        # as text is made visible, as on a terminal.
        where = f" ({problem.path})" if problem.path else ""
        out.write(
            workflow_command(
                problem.severity.value,
                _visible_lines(f"{problem.message}{where}"),
                file=problem.file,
                line=problem.line,
                col=problem.column,
                title="campaign-sync validate",
            )
            + "\n"
        )
    out.write(summary_line(result) + "\n")


def step_summary(result: ValidationResult) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY."""
    lines = [f"### campaign-sync validate: {summary_line(result)}", ""]
    if result.problems:
        lines += ["| Location | Severity | Problem |", "| --- | --- | --- |"]
        for p in result.problems:
            where = escape_inline(f"{p.file}:{p.line}:{p.column}")
            message = escape_inline(p.message)
            lines.append(f"| {where} | {p.severity.value} | {message} |")
        lines.append("")
    return "\n".join(lines) + "\n"


Reporter = Callable[[ValidationResult, TextIO], None]
REPORTERS: dict[str, Reporter] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
}
