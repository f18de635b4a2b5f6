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


# C0 and C1 control characters other than the line breaks escape_markdown turns into spaces.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# After escape_markdown: "#123" and "GH-123" link (and cross-reference) issues, "https://"
# and "www." start autolinks. GitHub finds these in the rendered text, where a backslash
# escape is gone; an invisible WORD JOINER inside them is not.
_REFERENCE = re.compile(r"(\\#|(?<![A-Za-z0-9])[Gg][Hh]\\-)(?=[0-9])")
_AUTOLINK = re.compile(r":(?=//)|(?<![A-Za-z0-9])([Ww]{3})(?=\\\.)")


# Paths and rule ids are mostly these characters: only '.', '_' and '-' need escaping.
_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN = re.compile(r"[A-Za-z0-9 /._-]*")
_PLAIN_ESCAPES = str.maketrans({".": "\\.", "_": "\\_", "-": "\\-"})


def escape_inline(text: str) -> str:
    """``escape_markdown``, and also inert for GitHub's own text processing.

    On top of escape_markdown: no control characters (a tab is a space), no math (``$``),
    no issue references (``#123``, ``GH-123``) and no bare-URL autolinks (``https://``,
    ``www.``). One line, like escape_markdown.
    """
    if _PLAIN.fullmatch(text):
        lowered = text.lower()
        if "gh-" not in lowered and "www" not in lowered:
            return text.translate(_PLAIN_ESCAPES)
    text = _CONTROL.sub("", text.replace("\t", " "))
    # A lone surrogate (JSON can hold one) cannot be written as UTF-8: shown as U+FFFD.
    text = _SURROGATE.sub("\ufffd", text)
    text = escape_markdown(text).replace("$", "\\$")
    text = _REFERENCE.sub("\\1\u2060", text)
    return _AUTOLINK.sub(lambda m: (m.group(1) or ":") + "\u2060", text)


_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_FENCE_CLOSE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# GitHub reads a mention wherever '@' follows a character that is not a letter or digit:
# ",@team", "/@team", ".@team" and "-@team" all notify. An '@' inside a word (an address,
# "a@b") is not one, and neither is one inside a link, which GitHub's mention filter skips:
# a link's destination ("[post](https://x.example/@a)") and a URL GitHub autolinks (after
# a line start, whitespace or "(*_~", as GFM's autolink extension says) keep theirs, so
# links keep working.
_WORD_MENTION = re.compile(r"(?<![A-Za-z0-9])@(?=[A-Za-z0-9])")
_LINKED = re.compile(
    r"(?<=\[)[^\[\]\n]*\]\([^()\s]*\)"  # a link's text (kept below) and its destination
    r"|(?:(?<=^)|(?<=[\s(*_~]))(?:https?://|mailto:)[^\s<>()]*",  # an autolinked URL
    re.MULTILINE,
)


def _stop_mentions(text: str) -> str:
    parts: list[str] = []
    start = 0
    for link in _LINKED.finditer(text):
        kept = link.start()
        if not link.group().startswith(("http", "mailto:")):  # "text](destination)"
            kept = text.index("](", link.start()) + 1
        parts.append(_WORD_MENTION.sub("@\u2060", text[start:kept]))
        parts.append(text[kept : link.end()])
        start = link.end()
    parts.append(_WORD_MENTION.sub("@\u2060", text[start:]))
    return "".join(parts)


def neutralize_markdown(text: str) -> str:
    """Reviewed markdown (a campaign's description) made safe to embed in a larger document.

    The markdown stays (emphasis, lists, links, code), but nothing in it can reach outside:
    no HTML (``<`` is written ``&lt;``, so no tags, comments or marker lines), no ``-->``,
    no @-mentions (an '@' after anything but a letter or digit, outside links), no invisible
    or bidi characters, no control characters, and a code fence left open is closed. Lines
    end with ``\\n``; no trailing blank lines.
    """
    text = _CONTROL.sub("", _INVISIBLE.sub("", text))
    # Vertical tab, form feed, the separators \x1c-\x1f and NEL: line breaks to Python and
    # to some readers, control characters to GitHub. A space keeps the words apart.
    text = _OTHER_BREAKS.sub(" ", text)
    text = text.replace("<", "&lt;").replace("-->", "--&gt;")
    text = _stop_mentions(text)
    lines = _LINE_BREAK.split(text)
    fence: str | None = None
    for line in lines:
        if fence is None:
            opened = _FENCE_OPEN.fullmatch(line)
            if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
                fence = opened.group(1)
        else:
            closed = _FENCE_CLOSE.fullmatch(line)
            if closed and closed.group(1)[0] == fence[0] and len(closed.group(1)) >= len(fence):
                fence = None
    while lines and not lines[-1].strip():
        lines.pop()
    if fence is not None:
        lines.append(fence)
    return "\n".join(lines)
