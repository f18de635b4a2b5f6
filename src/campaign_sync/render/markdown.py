"""Make untrusted text inert in GitHub-flavoured markdown: no HTML, no links, no mentions."""

from __future__ import annotations

import re

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
# Markdown punctuation that can start emphasis, links, images, code, headings, tables.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
# @mention and #123 / GH-123 references would notify people or link issues.
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
# Bidi overrides and zero-width characters can hide or reorder what a reader sees.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\U000e0000-\U000e007f]"
)


def escape_markdown(text: str) -> str:
    """Escape ``text`` for inline use in markdown (one line: newlines become spaces)."""
    text = _INVISIBLE.sub("", text)
    text = " ".join(text.splitlines())
    text = "".join(_HTML.get(c, c) for c in text)
    text = _PUNCTUATION.sub(r"\\\1", text)
    # A zero-width joiner after '@' keeps the text readable but stops the mention.
    return _MENTION.sub("@\u2060", text)
