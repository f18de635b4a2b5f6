"""Text from alerts, made safe to print on a terminal."""

from __future__ import annotations

import re

# C0 and C1 control characters (escape sequences could rewrite the screen or the title),
# bidi overrides and zero-width characters (could hide or reorder what is shown), and the
# line and paragraph separators (a new line to anything that splits lines as Unicode does).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)


def printable(text: str) -> str:
    """``text`` with every control or invisible character shown as a \\u escape."""
    return _UNSAFE.sub(lambda m: f"\\u{{{ord(m.group()):x}}}", text)
