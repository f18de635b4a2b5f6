"""escape_markdown makes untrusted text inert: no mentions, HTML, links, images or emphasis."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign_sync.untrusted.markdown import escape_inline, escape_markdown, neutralize_markdown

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


# escape_inline: escape_markdown, and inert for GitHub's own text processing too.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("@mona", f"@{WJ}mona"),
        # Issue references would link (and cross-reference) issues.
        ("see #12", f"see \\#{WJ}12"),
        ("acme/web#3", f"acme/web\\#{WJ}3"),
        ("GH-7 and gh-8", f"GH\\-{WJ}7 and gh\\-{WJ}8"),
        ("#hash xgh-1", "\\#hash xgh\\-1"),
        # Bare URLs would autolink.
        ("https://evil.example/x", f"https:{WJ}//evil\\.example/x"),
        ("www.evil.example", f"www{WJ}\\.evil\\.example"),
        ("awww.x", "awww\\.x"),
        # Math.
        ("$x^2$", "\\$x^2\\$"),
        # Control characters go; a tab is a space.
        ("a\tb\x00c\x1b[31md\x7f\x9b", "a bc\\[31md"),
    ],
)
def test_escape_inline(text: str, expected: str) -> None:
    assert escape_inline(text) == expected


@given(st.text(alphabet="abgwhGHW0123 /._-#:$@<", max_size=30))
def test_escape_inline_fast_path_agrees_with_the_full_escape(text: str) -> None:
    full = escape_markdown(text).replace("$", "\\$")
    full = re.sub(r"(\\#|(?<![A-Za-z0-9])[Gg][Hh]\\-)(?=[0-9])", "\\1\u2060", full)
    full = re.sub(r":(?=//)", ":\u2060", full)
    full = re.sub(r"(?<![A-Za-z0-9])([Ww]{3})(?=\\\.)", "\\1\u2060", full)
    assert escape_inline(text) == full


def test_escape_inline_keeps_escape_markdowns_guarantees() -> None:
    text = escape_inline("<!-- x --> [a](b) ![c](d) **e** @f \u202eg\u200bh\ni")
    assert "<" not in text
    assert "\n" not in text
    assert "\u202e" not in text
    assert "\u200b" not in text
    assert "@f" not in text


# neutralize_markdown: reviewed markdown kept, but unable to reach outside its place.


def test_neutralize_keeps_markdown() -> None:
    text = "Fix **every** alert.\n\n- see [guide](https://example.com/a_b)\n> quoted\n`code`"
    assert neutralize_markdown(text) == text


def test_neutralize_removes_html_and_comment_markers() -> None:
    assert neutralize_markdown("<b>x</b>") == "&lt;b>x&lt;/b>"
    assert neutralize_markdown("<!-- campaign-sync:end -->") == "&lt;!-- campaign-sync:end --&gt;"
    assert neutralize_markdown("a --> b") == "a --&gt; b"
    assert neutralize_markdown("<https://example.com>") == "&lt;https://example.com>"


def test_neutralize_stops_mentions_after_anything_but_a_letter_or_digit() -> None:
    assert neutralize_markdown("ask @mona\n@acme/appsec (@x)") == (
        f"ask @{WJ}mona\n@{WJ}acme/appsec (@{WJ}x)"
    )
    # GitHub notifies after punctuation too: one such line in a description would ping a
    # whole team from every tracking issue.
    assert neutralize_markdown(",@team /@team .@team -@team :@0") == (
        f",@{WJ}team /@{WJ}team .@{WJ}team -@{WJ}team :@{WJ}0"
    )
    # Inside links and addresses the '@' is not a mention, and links must keep working.
    kept = "[post](https://medium.com/@author/post) mailto:appsec@acme.example a@b"
    assert neutralize_markdown(kept) == kept
    # A link's text is text; a destination without its "[text]" is no link.
    assert neutralize_markdown("[@x](/@y) ](/@z)") == f"[@{WJ}x](/@y) ](/@{WJ}z)"


_LIVE_MENTION = re.compile(r"(?<![A-Za-z0-9])@[A-Za-z0-9]")
_LINKS = re.compile(r"\]\([^()\s]*\)|(?:^|(?<=[\s(*_~]))(?:https?://|mailto:)[^\s<>()]*", re.M)


@given(st.text(alphabet=st.sampled_from("@ab0,./-:_()[]~*\n h"), max_size=40))
def test_no_live_mention_survives_outside_a_link(text: str) -> None:
    out = _LINKS.sub(" ", neutralize_markdown(text))
    assert not _LIVE_MENTION.search(out)


def test_neutralize_removes_invisible_and_control_characters() -> None:
    assert neutralize_markdown("a\u202eb\u200bc\x00d\x1b") == "abcd"


def test_neutralize_normalizes_line_ends_and_drops_trailing_blank_lines() -> None:
    assert neutralize_markdown("a\r\nb\rc\n\n  \n") == "a\nb\nc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("```\ncode", "```\ncode\n```"),
        ("~~~~ python\ncode\n~~~", "~~~~ python\ncode\n~~~\n~~~~"),
        ("```\ncode\n```", "```\ncode\n```"),
        ("````\ncode\n```\n", "````\ncode\n```\n````"),
        ("```\na\n```\n```\nb", "```\na\n```\n```\nb\n```"),
        ("``` not `a fence\ntext", "``` not `a fence\ntext"),
        ("    ```\nindented code, not a fence", "    ```\nindented code, not a fence"),
    ],
)
def test_neutralize_closes_an_open_code_fence(text: str, expected: str) -> None:
    assert neutralize_markdown(text) == expected
