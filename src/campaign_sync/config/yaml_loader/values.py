"""What loading YAML gives and refuses: a document with the position of every value,
the limits (size, depth, alias expansion), and the error with its position."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from campaign_sync.problems import DocPath, Problem, format_path

MAX_FILE_BYTES = 1024 * 1024


# Nodes an alias may expand to, summed over the document. Real campaign files reuse a
# few small lists; an alias bomb needs millions.
ALIAS_EXPANSION_BUDGET = 1_000


MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based position in a file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """The data of one YAML document and the position of each of its keys and values."""

    file: str
    data: dict[str, Any]
    value_marks: Mapping[DocPath, Mark]
    key_marks: Mapping[DocPath, Mark]
    # Non-fatal problems found while loading (duplicate keys): the data is still usable.
    problems: tuple[Problem, ...] = ()

    def mark_of(self, path: DocPath) -> Mark:
        """Where the value at ``path`` starts, or its nearest located ancestor."""
        while path:
            mark = self.value_marks.get(path)
            if mark is not None:
                return mark
            path = path[:-1]
        return self.value_marks.get((), Mark(1, 1))

    def key_mark_of(self, path: DocPath) -> Mark:
        """Where the key of the entry at ``path`` starts (falls back to its value)."""
        return self.key_marks.get(path) or self.mark_of(path)


class DocumentError(Exception):
    """The file cannot be loaded at all; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _mark(node_mark: Any) -> Mark:
    return Mark(node_mark.line + 1, node_mark.column + 1)


def _fail(file: str, mark: Mark, message: str, code: str, path: DocPath = ()) -> DocumentError:
    return DocumentError(
        Problem(file, mark.line, mark.column, format_path(path), message, code=code)
    )
