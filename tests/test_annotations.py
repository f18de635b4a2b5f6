"""GitHub Actions workflow commands, escaped as actions/toolkit packages/core/src/command.ts does.

command.ts:
    escapeData:     % -> %25, CR -> %0D, LF -> %0A
    escapeProperty: escapeData, then : -> %3A and , -> %2C
    toString:       ::command key=value,key=value::data
"""

from __future__ import annotations

import pytest

from campaign_sync.render.annotations import escape_data, escape_property, workflow_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", "plain text"),
        ("", ""),
        ("100%", "100%25"),
        ("a\rb", "a%0Db"),
        ("a\nb", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab"),
        # % first, so text that already looks escaped stays what it was.
        ("%0A", "%250A"),
        ("%%", "%25%25"),
        # Data keeps : and , (the runner splits on the first '::' after the properties).
        ("a: b, c::d", "a: b, c::d"),
        ("tab\there", "tab\there"),
    ],
)
def test_escape_data(text: str, expected: str) -> None:
    assert escape_data(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("campaigns/a.yml", "campaigns/a.yml"),
        ("a:b", "a%3Ab"),
        ("a,b", "a%2Cb"),
        ("a::b,,c", "a%3A%3Ab%2C%2Cc"),
        ("50%", "50%25"),
        ("%3A", "%253A"),
        ("a\r\nb", "a%0D%0Ab"),
        ("C:\\dir,x\n%", "C%3A\\dir%2Cx%0A%25"),
    ],
)
def test_escape_property(text: str, expected: str) -> None:
    assert escape_property(text) == expected


def test_workflow_command_without_properties() -> None:
    assert workflow_command("warning", "This is the message") == "::warning::This is the message"


def test_workflow_command_with_properties_in_order() -> None:
    assert (
        workflow_command("error", "bad value", file="campaigns/a.yml", line=3, col=5, title="t")
        == "::error file=campaigns/a.yml,line=3,col=5,title=t::bad value"
    )


def test_workflow_command_escapes_properties_and_message() -> None:
    assert workflow_command(
        "error",
        "50% done\nnext: line, here",
        file="a,b:c.yml",
        title="x: y, z",
    ) == ("::error file=a%2Cb%3Ac.yml,title=x%3A y%2C z::50%25 done%0Anext: line, here")


def test_a_message_cannot_start_a_second_command() -> None:
    command = workflow_command("notice", "ok\n::error::injected")
    assert "\n" not in command
    assert command == "::notice::ok%0A::error::injected"
