"""printable(): text from alerts (paths, rule ids) made safe to print on a terminal."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign_sync.untrusted.terminal import printable


@pytest.mark.parametrize(
    "text",
    [
        "",
        "src/app/db/queries.py",
        "py/sql-injection",
        "café, naïve, Ünïcødé",
        "日本語のパス/ファイル.py",
        "Ελληνικά и кириллица",
        "עברית and العربية as written",  # right-to-left letters are not overrides
        "emoji 🎉🔒",
        "a\u200ab",  # hair space: visible, not zero-width
        "back\\slash and \\u{1b} already escaped",
    ],
)
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert printable(text) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "\\u{1b}[31mred\\u{1b}[0m"),  # ESC: colours, cursor moves
        ("\x1b]0;pwned\x07", "\\u{1b}]0;pwned\\u{7}"),  # OSC: sets the window title, BEL ends it
        ("bell\x07", "bell\\u{7}"),
        ("overwrite\rfake", "overwrite\\u{d}fake"),  # CR: rewrites the line
        ("two\nlines", "two\\u{a}lines"),
        ("tab\tseparated", "tab\\u{9}separated"),  # would split a field of the text format
        ("nul\x00", "nul\\u{0}"),
        ("del\x7f", "del\\u{7f}"),
        ("c1 csi \x9b2J", "c1 csi \\u{9b}2J"),
        ("c1 \x80 and \x9f", "c1 \\u{80} and \\u{9f}"),
    ],
)
def test_control_characters_are_escaped(text: str, shown: str) -> None:
    assert printable(text) == shown


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\u202a", "\\u{202a}"),  # LEFT-TO-RIGHT EMBEDDING
        ("\u202b", "\\u{202b}"),  # RIGHT-TO-LEFT EMBEDDING
        ("\u202c", "\\u{202c}"),  # POP DIRECTIONAL FORMATTING
        ("\u202d", "\\u{202d}"),  # LEFT-TO-RIGHT OVERRIDE
        ("\u202e", "\\u{202e}"),  # RIGHT-TO-LEFT OVERRIDE ("Trojan Source")
        ("\u2066", "\\u{2066}"),  # LEFT-TO-RIGHT ISOLATE
        ("\u2067", "\\u{2067}"),  # RIGHT-TO-LEFT ISOLATE
        ("\u2068", "\\u{2068}"),  # FIRST STRONG ISOLATE
        ("\u2069", "\\u{2069}"),  # POP DIRECTIONAL ISOLATE
        ("\u200e", "\\u{200e}"),  # LEFT-TO-RIGHT MARK
        ("\u200f", "\\u{200f}"),  # RIGHT-TO-LEFT MARK
        ("\u061c", "\\u{61c}"),  # ARABIC LETTER MARK
    ],
)
def test_bidi_controls_are_escaped(char: str, shown: str) -> None:
    assert printable(f"a{char}b") == f"a{shown}b"


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\u200b", "\\u{200b}"),  # ZERO WIDTH SPACE
        ("\u200c", "\\u{200c}"),  # ZERO WIDTH NON-JOINER
        ("\u200d", "\\u{200d}"),  # ZERO WIDTH JOINER
        ("\u2060", "\\u{2060}"),  # WORD JOINER
        ("\u2064", "\\u{2064}"),  # INVISIBLE PLUS
        ("\ufeff", "\\u{feff}"),  # ZERO WIDTH NO-BREAK SPACE (BOM)
        ("\u00ad", "\\u{ad}"),  # SOFT HYPHEN
        ("\u180e", "\\u{180e}"),  # MONGOLIAN VOWEL SEPARATOR
        ("\U000e0041", "\\u{e0041}"),  # TAG LATIN CAPITAL LETTER A
    ],
)
def test_zero_width_characters_are_escaped(char: str, shown: str) -> None:
    assert printable(f"a{char}b") == f"a{shown}b"


def test_a_trojan_source_rule_id_shows_what_it_hides() -> None:
    # Shown raw, the override and the isolate would reorder what the reader sees.
    rule = "py/sql-\u202eefas-\u2066injection\u2069"
    assert printable(rule) == "py/sql-\\u{202e}efas-\\u{2066}injection\\u{2069}"


_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)


@given(st.text())
def test_output_never_holds_an_unsafe_character(text: str) -> None:
    assert not _UNSAFE.search(printable(text))


@given(st.text())
def test_escaping_is_reversible_and_stable(text: str) -> None:
    shown = printable(text)
    # Printing twice changes nothing more: the escapes are themselves printable.
    assert printable(shown) == shown
    if "\\u{" not in text:
        unescaped = re.sub(r"\\u\{([0-9a-f]+)\}", lambda m: chr(int(m.group(1), 16)), shown)
        assert unescaped == text
