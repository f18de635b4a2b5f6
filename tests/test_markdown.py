"""escape_markdown makes untrusted text inert: no mentions, HTML, links, images or emphasis."""

from __future__ import annotations

import pytest

from campaign_sync.render.markdown import escape_markdown

WJ = "\u2060"  # WORD JOINER: invisible, and it stops GitHub from seeing a mention.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("", ""),
        # Mentions.
        ("@mona please look", f"@{WJ}mona please look"),
        ("@acme/appsec", f"@{WJ}acme/appsec"),
        ("cc @a and @b", f"cc @{WJ}a and @{WJ}b"),
        ("@@x", f"@@{WJ}x"),
        ("mail a@b", f"mail a@{WJ}b"),
        ("a lone @ sign", "a lone @ sign"),
        # HTML.
        ("<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"),
        ('<img src="x" onerror="y">', "&lt;img src=&quot;x&quot; onerror=&quot;y&quot;&gt;"),
        ("<!-- hidden -->", "&lt;\\!\\-\\- hidden \\-\\-&gt;"),
        ("a & b", "a &amp; b"),
        ("&lt;", "&amp;lt;"),
        ("<https://evil.example>", "&lt;https://evil\\.example&gt;"),
        # Links and images.
        ("[click](https://evil.example)", "\\[click\\]\\(https://evil\\.example\\)"),
        ("![x](https://e.example/i.png)", "\\!\\[x\\]\\(https://e\\.example/i\\.png\\)"),
        ("[ref][1]", "\\[ref\\]\\[1\\]"),
        # Emphasis, code, strike-through.
        ("*bold* **strong**", "\\*bold\\* \\*\\*strong\\*\\*"),
        ("_it_ __it__", "\\_it\\_ \\_\\_it\\_\\_"),
        ("~~gone~~", "\\~\\~gone\\~\\~"),
        ("`code`", "\\`code\\`"),
        # Block syntax, tables, backslashes.
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. item", "1\\. item"),
        ("a | b", "a \\| b"),
        ("{x}", "\\{x\\}"),
        ("a\\b", "a\\\\b"),
        ("\\*", "\\\\\\*"),
        # One line: newlines of any kind become spaces.
        ("a\nb", "a b"),
        ("a\r\nb", "a b"),
        ("a\rb", "a b"),
        ("a\u2028b", "a b"),
        ("a\n\nb", "a  b"),
    ],
)
def test_escape_markdown(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected


@pytest.mark.parametrize(
    "char",
    [
        "\u200b",  # ZERO WIDTH SPACE
        "\u200c",  # ZERO WIDTH NON-JOINER
        "\u200d",  # ZERO WIDTH JOINER
        "\u200e",  # LEFT-TO-RIGHT MARK
        "\u200f",  # RIGHT-TO-LEFT MARK
        "\u202a",  # LEFT-TO-RIGHT EMBEDDING
        "\u202b",  # RIGHT-TO-LEFT EMBEDDING
        "\u202c",  # POP DIRECTIONAL FORMATTING
        "\u202d",  # LEFT-TO-RIGHT OVERRIDE
        "\u202e",  # RIGHT-TO-LEFT OVERRIDE
        "\u2060",  # WORD JOINER
        "\u2061",  # FUNCTION APPLICATION
        "\u2062",  # INVISIBLE TIMES
        "\u2063",  # INVISIBLE SEPARATOR
        "\u2064",  # INVISIBLE PLUS
        "\u2066",  # LEFT-TO-RIGHT ISOLATE
        "\u2067",  # RIGHT-TO-LEFT ISOLATE
        "\u2068",  # FIRST STRONG ISOLATE
        "\u2069",  # POP DIRECTIONAL ISOLATE
        "\ufeff",  # ZERO WIDTH NO-BREAK SPACE (BOM)
    ],
)
def test_invisible_and_bidi_characters_are_removed(char: str) -> None:
    assert escape_markdown(f"ab{char}cd") == "abcd"


def test_trojan_source_text_is_shown_as_stored() -> None:
    # "access level: user" made to display as something else with an override.
    assert escape_markdown("level: \u202eresu\u202c\u2066 admin\u2069") == "level: resu admin"


def test_invisible_characters_cannot_hide_a_mention() -> None:
    assert escape_markdown("@\u200bmona") == f"@{WJ}mona"
    assert escape_markdown("@\u2060mona") == f"@{WJ}mona"


def test_invisible_characters_cannot_split_markup() -> None:
    assert escape_markdown("[x]\u200b(https://e.example)") == "\\[x\\]\\(https://e\\.example\\)"


def test_output_is_one_line() -> None:
    assert "\n" not in escape_markdown("a\nb\r\nc\x0bd\x0ce\x1cf\x1dg\x1eh\x85i\u2029j")


def test_arabic_letter_mark_is_removed() -> None:
    assert escape_markdown("ab\u061ccd") == "abcd"
