"""ProgressReporter: exact stderr output, on a terminal and in CI, on a clock the test moves."""

from __future__ import annotations

import io

import pytest

from campaign_sync.github.listing import Progress
from campaign_sync.render.progress import ProgressReporter

CLEAR = "\r\x1b[K"


class Clock:
    """A clock that only moves when the test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Terminal(io.StringIO):
    """A stream that says it is a terminal, and counts flushes."""

    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def isatty(self) -> bool:
        return True

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def reporter(
    stream: io.StringIO, clock: Clock, *, interactive: bool | None, interval: float = 5.0
) -> ProgressReporter:
    return ProgressReporter(stream, interactive=interactive, interval=interval, clock=clock)


# --- on a terminal: one line, redrawn -------------------------------------------------------


def test_interactive_bar_when_the_last_page_is_known() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=True)
    report(Progress("code-scanning", pages=1, items=100, last_page=4))
    assert stream.getvalue() == (
        CLEAR + "fetching code-scanning alerts: [######------------------] page 1/4, 100 alerts, 0s"
    )
    clock.advance(3)
    report(Progress("code-scanning", pages=2, items=200, last_page=4))
    clock.advance(3)
    report(Progress("code-scanning", pages=4, items=350, last_page=4))
    assert stream.getvalue().split(CLEAR) == [
        "",
        "fetching code-scanning alerts: [######------------------] page 1/4, 100 alerts, 0s",
        "fetching code-scanning alerts: [############------------] page 2/4, 200 alerts, 3s",
        "fetching code-scanning alerts: [########################] page 4/4, 350 alerts, 6s",
    ]
    assert "\n" not in stream.getvalue()


def test_interactive_cursor_pagination_has_no_bar() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=True)
    clock.advance(12)
    report(Progress("dependabot", pages=3, items=250))
    assert stream.getvalue() == CLEAR + "fetching dependabot alerts: page 3, 250 alerts, 12s"


def test_interactive_large_numbers_have_thousands_separators() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=True)
    clock.advance(1234)
    report(Progress("secret-scanning", pages=1234, items=123_400, last_page=10_000))
    assert stream.getvalue() == (
        CLEAR + "fetching secret-scanning alerts: [##----------------------] page 1,234/10,000, "
        "123,400 alerts, 1234s"
    )


def test_interactive_bar_is_full_when_pages_run_past_the_last() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=True)
    clock.advance(1)
    report(Progress("code-scanning", pages=5, items=500, last_page=4))
    assert "[########################] page 5/4" in stream.getvalue()


def test_interactive_redraws_at_most_every_tenth_of_a_second() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=True)
    report(Progress("code-scanning", pages=1, items=100))
    clock.advance(0.05)
    report(Progress("code-scanning", pages=2, items=200))  # too soon: skipped
    assert stream.getvalue().count(CLEAR) == 1
    clock.advance(0.06)  # 0.11 s since the last draw
    report(Progress("code-scanning", pages=3, items=300))
    assert stream.getvalue().count(CLEAR) == 2
    assert stream.getvalue().endswith("page 3, 300 alerts, 0s")


def test_interactive_first_page_of_each_listing_is_always_drawn() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=True)
    report(Progress("code-scanning", pages=1, items=3))
    report(Progress("secret-scanning", pages=1, items=2))  # same instant: still drawn
    assert stream.getvalue() == (
        CLEAR
        + "fetching code-scanning alerts: page 1, 3 alerts, 0s"
        + CLEAR
        + "fetching secret-scanning alerts: page 1, 2 alerts, 0s"
    )


# --- not a terminal (CI logs): a line now and then --------------------------------------------


def test_non_interactive_prints_nothing_for_a_fast_fetch() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=False)
    for page in range(1, 20):
        clock.advance(0.2)
        report(Progress("code-scanning", pages=page, items=page * 100, last_page=19))
    report.finish()
    assert stream.getvalue() == ""


def test_non_interactive_prints_a_line_per_interval() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=False)
    clock.advance(4.9)
    report(Progress("dependabot", pages=1, items=100))
    assert stream.getvalue() == ""
    clock.advance(0.1)  # 5 s since the start
    report(Progress("dependabot", pages=2, items=200))
    assert stream.getvalue() == "fetching dependabot alerts: page 2, 200 alerts, 5s\n"
    clock.advance(4)  # 4 s since the last line: quiet
    report(Progress("dependabot", pages=3, items=300))
    clock.advance(1)
    report(Progress("dependabot", pages=4, items=400))
    clock.advance(5)
    report(Progress("code-scanning", pages=2, items=200, last_page=8))
    assert stream.getvalue() == (
        "fetching dependabot alerts: page 2, 200 alerts, 5s\n"
        "fetching dependabot alerts: page 4, 400 alerts, 10s\n"
        "fetching code-scanning alerts: [######------------------] page 2/8, 200 alerts, 15s\n"
    )
    assert "\r" not in stream.getvalue()
    assert "\x1b" not in stream.getvalue()


def test_non_interactive_interval_is_configurable() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=False, interval=30)
    clock.advance(29)
    report(Progress("code-scanning", pages=1, items=1))
    clock.advance(1)
    report(Progress("code-scanning", pages=2, items=2))
    assert stream.getvalue() == "fetching code-scanning alerts: page 2, 2 alerts, 30s\n"


# --- finish() ---------------------------------------------------------------------------------


def test_finish_clears_the_line_it_drew() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=True)
    report(Progress("code-scanning", pages=1, items=1))
    report.finish()
    assert (
        stream.getvalue() == CLEAR + "fetching code-scanning alerts: page 1, 1 alerts, 0s" + CLEAR
    )


def test_finish_writes_nothing_on_a_terminal_when_nothing_was_drawn() -> None:
    stream = io.StringIO()
    reporter(stream, Clock(), interactive=True).finish()
    assert stream.getvalue() == ""


def test_finish_writes_nothing_after_periodic_lines() -> None:
    stream, clock = io.StringIO(), Clock()
    report = reporter(stream, clock, interactive=False)
    clock.advance(5)
    report(Progress("code-scanning", pages=1, items=1))
    before = stream.getvalue()
    assert before
    report.finish()
    assert stream.getvalue() == before


# --- which mode -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (io.StringIO(), ""),
        (Terminal(), CLEAR + "fetching code-scanning alerts: page 1, 1 alerts, 0s"),
    ],
    ids=["pipe", "terminal"],
)
def test_mode_follows_isatty_by_default(stream: io.StringIO, expected: str) -> None:
    report = ProgressReporter(stream, clock=Clock())
    report(Progress("code-scanning", pages=1, items=1))
    assert stream.getvalue() == expected


def test_every_write_is_flushed() -> None:
    stream, clock = Terminal(), Clock()
    report = reporter(stream, clock, interactive=None)
    report(Progress("code-scanning", pages=1, items=1))
    assert stream.flushes == 1
    report.finish()
    assert stream.flushes == 2
