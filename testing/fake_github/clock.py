"""The fake's notion of time: real wall-clock time, or a simulated clock moved explicitly.

Everything time-dependent in the fake (rate-limit windows, secondary limits, search lag,
issue timestamps, token expiry) reads this clock, so a simulated clock lets a test or a
benchmark cover hours of API budget instantly.
"""

from __future__ import annotations

import calendar
import threading
import time

# Seeded data is dated relative to this instant (not "now"), so it is the same on every run.
SEED_REFERENCE = calendar.timegm((2025, 12, 1, 0, 0, 0))
# Where a simulated clock starts unless told otherwise.
SIMULATED_START = calendar.timegm((2026, 1, 1, 0, 0, 0))


class Clock:
    """Seconds since the epoch, either real (plus an offset) or simulated."""

    def __init__(self, *, simulated: bool = False, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._simulated = simulated
        if simulated:
            self._now = float(SIMULATED_START if start is None else start)
            self._offset = 0.0
        else:
            self._now = 0.0
            self._offset = 0.0 if start is None else float(start) - time.time()

    @property
    def simulated(self) -> bool:
        return self._simulated

    def now(self) -> float:
        if self._simulated:
            with self._lock:
                return self._now
        return time.time() + self._offset

    def set(self, timestamp: float) -> None:
        """Jump to an absolute time (a real clock keeps ticking from there)."""
        with self._lock:
            if self._simulated:
                self._now = float(timestamp)
            else:
                self._offset = float(timestamp) - time.time()

    def advance(self, seconds: float) -> float:
        """Move forward (or back, with a negative value) and return the new time."""
        with self._lock:
            if self._simulated:
                self._now += seconds
                return self._now
            self._offset += seconds
            return time.time() + self._offset
