"""Counted nouns: "1 alert", "2 alerts", "1 repository". One rule for every message."""

from __future__ import annotations


def plural(count: int, word: str, words: str | None = None) -> str:
    """``count`` and the noun, singular for exactly 1 (``words`` for irregular plurals)."""
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"
