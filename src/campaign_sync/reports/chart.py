"""The burn-down: open alerts by day, as a Mermaid ``xychart-beta`` block GitHub draws. Pure.

::

    ```mermaid
    xychart-beta
        title "Open alerts by day"
        x-axis ["2026-11-28", "2026-11-29"]
        y-axis "Open alerts" 0 --> 40
        line [40, 37]
    ```

The x axis is calendar time: Mermaid spaces its categories evenly, so a category per run
would draw a month without runs as wide as one day. It has one category per day from the
first run to the last, or, past ``MAX_POINTS`` days, days sampled at even intervals of the
calendar (the first and last day always kept). A day without a run shows the count of the
run before it: nothing was recorded to change it. The y axis runs from 0 to the most
alerts the campaign has had, so the line's height shows how much of the campaign's scope
is left. Nothing here comes from alerts or campaign files: only dates and counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from campaign_sync.reports.history import HistoryRow

MAX_POINTS = 60


def points(rows: Sequence[HistoryRow], limit: int = MAX_POINTS) -> list[tuple[date, int]]:
    """(day, open alerts) at evenly spaced calendar days from the first row's to the last's:
    every day when they fit in ``limit`` (at least 2), else ``limit`` of them. ``rows``
    sorted by day, not empty."""
    if limit < 2:
        raise ValueError("a chart needs room for at least its first and last day")
    first, last = rows[0].day, rows[-1].day
    span = (last - first).days
    if span == 0:
        return [(first, rows[-1].open)]
    steps = min(span, limit - 1)
    # Integer arithmetic: the same days on every machine.
    days = [first + timedelta(days=(i * span + steps // 2) // steps) for i in range(steps + 1)]
    shown: list[tuple[date, int]] = []
    latest = 0  # the last row on or before the day
    for day in days:
        while latest + 1 < len(rows) and rows[latest + 1].day <= day:
            latest += 1
        shown.append((day, rows[latest].open))
    return shown


def burndown(rows: Sequence[HistoryRow]) -> str:
    """The fenced ``mermaid`` block; ``rows`` sorted by day and not empty."""
    if not rows:
        raise ValueError("a burn-down needs at least one day of history")
    shown = points(rows)
    top = max(max(r.total for r in rows), 1)
    days = ", ".join(f'"{day.isoformat()}"' for day, _ in shown)
    counts = ", ".join(str(count) for _, count in shown)
    return "\n".join(
        [
            "```mermaid",
            "xychart-beta",
            '    title "Open alerts by day"',
            f"    x-axis [{days}]",
            f'    y-axis "Open alerts" 0 --> {top}',
            f"    line [{counts}]",
            "```",
        ]
    )
