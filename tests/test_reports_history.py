"""history.csv: one row a day, today's row upserted, sorted, byte-stable; clear parse errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign_sync.errors import ConfigError
from campaign_sync.reports.history import (
    HEADER,
    HistoryRow,
    parse_history,
    render_history,
    upsert,
)

DAY = date(2026, 11, 28)


def row(day: date, open_: int, fixed: int = 0, dismissed: int = 0) -> HistoryRow:
    return HistoryRow(day, open_, fixed, dismissed)


def test_same_day_is_replaced_not_appended() -> None:
    rows = upsert([row(DAY, 40)], row(DAY, 37, 2, 1))
    assert rows == (row(DAY, 37, 2, 1),)
    assert render_history(rows) == f"{HEADER}\n2026-11-28,37,2,1,40\n"


def test_a_new_day_is_appended_after_the_others() -> None:
    first = upsert([], row(DAY, 40))
    second = upsert(first, row(DAY + timedelta(days=1), 37, 3))
    assert render_history(second) == f"{HEADER}\n2026-11-28,40,0,0,40\n2026-11-29,37,3,0,40\n"


def test_a_day_in_the_past_lands_in_its_place() -> None:
    rows = upsert([row(DAY, 40), row(DAY + timedelta(days=2), 30)], row(DAY + timedelta(1), 35))
    assert [r.day.day for r in rows] == [28, 29, 30]


day_strategy = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
row_strategy = st.builds(
    HistoryRow,
    day_strategy,
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
)


@given(st.lists(row_strategy, max_size=30), row_strategy)
def test_upsert_is_idempotent_sorted_and_round_trips(
    rows: list[HistoryRow], today: HistoryRow
) -> None:
    once = upsert(rows, today)
    assert upsert(once, today) == once
    assert list(once) == sorted(once)
    assert len({r.day for r in once}) == len(once)
    assert today in once
    text = render_history(once)
    assert parse_history(text, "h.csv") == once
    assert render_history(parse_history(text, "h.csv")) == text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("date,open\n", 1),
        (f"{HEADER}\n2026-11-28,1,2,3\n", 2),
        (f"{HEADER}\n2026-11-28,1,2,3,7\n", 2),  # the total is not the sum
        (f"{HEADER}\n2026-13-28,1,2,3,6\n", 2),
        (f"{HEADER}\n28.11.2026,1,2,3,6\n", 2),
        (f"{HEADER}\n2026-11-28,-1,2,3,4\n", 2),
        (f"{HEADER}\n2026-11-28,1,2,3,6\n2026-11-28,1,2,3,6\n", 3),  # a day twice
        (f"{HEADER}\n2026-11-28,1,x,3,6\n", 2),
    ],
)
def test_a_broken_file_names_the_line(text: str, line: int) -> None:
    with pytest.raises(ConfigError, match=rf"^h\.csv:{line}: .*restore the file from git"):
        parse_history(text, "h.csv")


def test_rows_out_of_order_on_disk_come_back_sorted() -> None:
    text = f"{HEADER}\n2026-11-29,1,0,0,1\n2026-11-28,2,0,0,2\n"
    assert [r.day.day for r in parse_history(text, "h.csv")] == [28, 29]


def test_blank_file_and_crlf_are_read() -> None:
    assert parse_history("", "h.csv") == ()
    assert parse_history(f"{HEADER}\r\n2026-11-28,2,0,0,2\r\n", "h.csv") == (row(DAY, 2),)
