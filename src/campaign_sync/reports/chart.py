"""The burn-down: open alerts by day, as a Mermaid ``xychart-beta`` block GitHub draws. Pure.

::

    ```mermaid
    xychart-beta
        title "Open alerts by day"
        x-axis ["2026-11-28", "2026-11-29"]
        y-axis "Open alerts" 0 --> 40
        line [40, 37]
    ```

The x axis has one category per history row (a day with a run; days without one are not
drawn), at most ``MAX_POINTS`` of them: a longer history is thinned evenly, always
keeping its first and last day. The y axis runs from 0 to the most alerts the campaign has
had, so the line's height shows how much of the campaign's scope is left. Nothing here
comes from alerts or campaign files: only dates and counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from campaign_sync.reports.history import HistoryRow

MAX_POINTS = 60


def thin(rows: Sequence[HistoryRow], limit: int = MAX_POINTS) -> list[HistoryRow]:
    """At most ``limit`` (at least 2) rows, evenly spaced, the first and the last kept."""
    if limit < 2:
        raise ValueError("a chart needs room for at least its first and last day")
    count = len(rows)
    if count <= limit:
        return list(rows)
    steps = limit - 1
    # Integer arithmetic: the same rows on every machine.
    picked = sorted({(i * (count - 1) + steps // 2) // steps for i in range(limit)})
    return [rows[i] for i in picked]


def burndown(rows: Sequence[HistoryRow]) -> str:
    """The fenced ``mermaid`` block; ``rows`` sorted by day and not empty."""
    if not rows:
        raise ValueError("a burn-down needs at least one day of history")
    shown = thin(rows)
    top = max(max(r.total for r in rows), 1)
    days = ", ".join(f'"{r.day.isoformat()}"' for r in shown)
    counts = ", ".join(str(r.open) for r in shown)
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
