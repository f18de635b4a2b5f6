"""The burn-down chart: checked by Mermaid's own parser (Node, no browser) and structurally.

Mermaid's parser runs from ``testing/mermaid/`` (``npm ci --prefix testing/mermaid``, which
.ci/run does). Without it the parser tests are skipped on a developer's machine and fail
in CI, so CI can never pass without having run them.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign_sync.reports.chart import MAX_POINTS, burndown, points
from campaign_sync.reports.history import HistoryRow

MERMAID = Path(__file__).resolve().parent.parent / "testing" / "mermaid"
START = date(2026, 11, 28)


def history(days: int, start: int = 400) -> list[HistoryRow]:
    """A campaign burning down: a few alerts closed a day, some dismissed, some joining."""
    rows = []
    open_, fixed, dismissed = start, 0, 0
    for n in range(days):
        rows.append(HistoryRow(START + timedelta(days=n), open_, fixed, dismissed))
        closed = min(open_, 3 + n % 4)
        fixed += closed - closed // 3
        dismissed += closed // 3
        open_ += (n % 7 == 0) - closed
    return rows


def body(block: str) -> str:
    """The diagram text between the ```mermaid fence lines."""
    lines = block.split("\n")
    assert lines[0] == "```mermaid", block
    assert lines[-1] == "```", block
    return "\n".join(lines[1:-1])


def parse_structure(block: str) -> dict[str, Any]:
    """A strict reading of the xychart-beta block we write, independent of Mermaid."""
    lines = body(block).split("\n")
    assert lines[0] == "xychart-beta"
    assert all(line.startswith("    ") for line in lines[1:])
    fields = dict(line.strip().split(" ", 1) for line in lines[1:])
    assert set(fields) == {"title", "x-axis", "y-axis", "line"}
    x_axis = re.fullmatch(r"\[(\"\d{4}-\d\d-\d\d\"(?:, \"\d{4}-\d\d-\d\d\")*)\]", fields["x-axis"])
    y_axis = re.fullmatch(r'"Open alerts" 0 --> (\d+)', fields["y-axis"])
    values = re.fullmatch(r"\[(\d+(?:, \d+)*)\]", fields["line"])
    assert x_axis, block
    assert y_axis, block
    assert values, block
    return {
        "days": [d.strip('"') for d in x_axis.group(1).split(", ")],
        "top": int(y_axis.group(1)),
        "open": [int(v) for v in values.group(1).split(", ")],
    }


# Read at import: a conftest fixture clears CI for every test (see tests/conftest.py).
IN_CI = bool(os.environ.get("CI"))


def mermaid_parse(diagrams: list[str]) -> list[dict[str, Any]]:
    if not (MERMAID / "node_modules" / "mermaid").is_dir() or shutil.which("node") is None:
        message = "Mermaid's parser is not installed: npm ci --prefix testing/mermaid"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        ["node", str(MERMAID / "check.mjs")],
        input=json.dumps(diagrams),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def test_points_keep_first_and_last_and_spread_evenly() -> None:
    rows = history(400)
    shown = points(rows)
    assert len(shown) == MAX_POINTS
    assert shown[0] == (rows[0].day, rows[0].open)
    assert shown[-1] == (rows[-1].day, rows[-1].open)
    gaps = {(b[0] - a[0]).days for a, b in itertools.pairwise(shown)}
    assert gaps <= {6, 7}
    assert points(rows[:MAX_POINTS]) == [(r.day, r.open) for r in rows[:MAX_POINTS]]
    with pytest.raises(ValueError, match="at least its first and last day"):
        points(rows, 1)


def test_the_x_axis_is_calendar_time_not_one_point_per_run() -> None:
    """Runs on days 0, 1 and 30 were drawn as three evenly spaced points: a month without
    runs looked like a day. Now every day is a point, carrying the last run's count."""
    rows = [
        HistoryRow(START, 40, 0, 0),
        HistoryRow(START + timedelta(days=1), 35, 5, 0),
        HistoryRow(START + timedelta(days=30), 10, 30, 0),
    ]
    chart = parse_structure(burndown(rows))
    assert chart["days"] == [(START + timedelta(days=n)).isoformat() for n in range(31)]
    assert chart["open"] == [40] + [35] * 29 + [10]


@given(
    st.lists(st.integers(min_value=0, max_value=3 * MAX_POINTS), min_size=1, unique=True),
    st.integers(min_value=2, max_value=MAX_POINTS),
)
def test_points_are_calendar_spaced_and_show_the_run_before(offsets: list[int], limit: int) -> None:
    rows = [HistoryRow(START + timedelta(days=d), d % 97, 0, 0) for d in sorted(offsets)]
    shown = points(rows, limit)
    span = (rows[-1].day - rows[0].day).days
    assert len(shown) == min(span, limit - 1) + 1  # one point for a single day
    assert shown[0][0] == rows[0].day
    assert shown[-1][0] == rows[-1].day
    gaps = {(b[0] - a[0]).days for a, b in itertools.pairwise(shown)}
    assert not gaps or max(gaps) - min(gaps) <= 1  # even in calendar time
    for day, count in shown:
        before = [r for r in rows if r.day <= day]
        assert count == before[-1].open


@pytest.mark.parametrize("days", [1, 2, MAX_POINTS, MAX_POINTS + 1, 400])
def test_structure_matches_the_history(days: int) -> None:
    rows = history(days)
    chart = parse_structure(burndown(rows))
    shown = points(rows)
    assert chart["days"] == [day.isoformat() for day, _ in shown]
    assert chart["open"] == [count for _, count in shown]
    assert chart["top"] == max(r.total for r in rows)
    assert all(v <= chart["top"] for v in chart["open"])


def test_all_zero_history_still_has_a_y_range() -> None:
    chart = parse_structure(burndown([HistoryRow(START, 0, 0, 0)]))
    assert chart["top"] == 1


def test_empty_history_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        burndown([])


def test_mermaid_parses_every_burndown_as_the_history_says() -> None:
    cases = [history(1), history(2), history(45), history(400), [HistoryRow(START, 0, 0, 0)]]
    broken = body(burndown(history(3))).replace("line [", "line [x, ")
    results = mermaid_parse([*(body(burndown(rows)) for rows in cases), broken])
    for rows, result in zip(cases, results, strict=False):
        assert result["ok"], result
        assert result["type"] == "xychart"
        data = result["data"]
        shown = points(rows)
        assert data["title"] == "Open alerts by day"
        assert data["xAxis"]["categories"] == [day.isoformat() for day, _ in shown]
        assert data["yAxis"]["min"] == 0
        assert data["yAxis"]["max"] == max(max(r.total for r in rows), 1)
        (plot,) = data["plots"]
        assert plot["type"] == "line"
        assert plot["data"] == [[day.isoformat(), count] for day, count in shown]
    # The harness can fail: a broken block is rejected with Mermaid's own message.
    assert not results[-1]["ok"]
    assert "Parse error" in results[-1]["error"]
