"""Problems found in campaign files: one value per error or warning, with its location."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# A path into a YAML document: mapping keys and sequence indexes.
DocPath = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One finding, located at ``file:line:column`` (both 1-based) and at a document path."""

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: Severity = Severity.ERROR
    code: str = "schema"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def format_path(path: DocPath) -> str:
    """Render a document path the way a person reads it: ``select.severity[2]``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(part)
    return "".join(out)
