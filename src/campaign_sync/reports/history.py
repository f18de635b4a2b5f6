"""``reports/<id>/history.csv``: the campaign's counts, one row a day. Pure.

::

    date,open,fixed,dismissed,total
    2026-11-28,40,0,0,40
    2026-11-29,37,2,1,40

Sorted by date, one row per day on which the reports were written. Each run replaces the
row of its own day (``upsert``), so several runs in one day leave one row, the last
one's, and a run that changes nothing rewrites the same bytes. ``dismissed`` counts
secret scanning alerts resolved without a fix too; ``total`` is the sum of the three.
GitHub shows the file as a table; the burn-down chart of the report is drawn from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from campaign_sync.errors import ConfigError

FILENAME = "history.csv"
HEADER = "date,open,fixed,dismissed,total"


@dataclass(frozen=True, slots=True, order=True)
class HistoryRow:
    day: date
    open: int
    fixed: int
    dismissed: int

    @property
    def total(self) -> int:
        return self.open + self.fixed + self.dismissed


def upsert(rows: Iterable[HistoryRow], row: HistoryRow) -> tuple[HistoryRow, ...]:
    """``rows`` with ``row`` in place of any row of its day, sorted by day."""
    kept = {r.day: r for r in rows}
    kept[row.day] = row
    return tuple(kept[day] for day in sorted(kept))


def render_history(rows: Iterable[HistoryRow]) -> str:
    lines = [HEADER]
    for row in sorted(rows):
        lines.append(f"{row.day.isoformat()},{row.open},{row.fixed},{row.dismissed},{row.total}")
    return "\n".join(lines) + "\n"


def _row(line: str) -> HistoryRow | None:
    """The row a line holds, or None if it is not one."""
    fields = line.split(",")
    if len(fields) != 5 or len(fields[0]) != 10:
        return None
    if not all(f.isascii() and f.isdigit() and len(f) < 10 for f in fields[1:]):
        return None
    try:
        day = date.fromisoformat(fields[0])
    except ValueError:
        return None
    open_, fixed, dismissed, total = (int(f) for f in fields[1:])
    if open_ + fixed + dismissed != total:
        return None
    return HistoryRow(day, open_, fixed, dismissed)


def parse_history(text: str, source: str) -> tuple[HistoryRow, ...]:
    """The rows of a history file, sorted; ConfigError naming the line of anything else."""
    rows: dict[date, HistoryRow] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if number == 1:
            if line != HEADER:
                raise ConfigError(
                    f"{source}:1: expected the header {HEADER!r}; restore the file from git"
                )
            continue
        if not line:
            continue
        row = _row(line)
        if row is None or row.day in rows:
            raise ConfigError(
                f"{source}:{number}: not a history row (a date YYYY-MM-DD not seen before, then "
                "open, fixed, dismissed and their total); fix the line or restore the file "
                "from git"
            )
        rows[row.day] = row
    return tuple(rows[day] for day in sorted(rows))
