"""Progress of long fetches, on stderr: a redrawn line on a terminal, periodic lines in CI."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from campaign_sync.github.listing import Progress


class ProgressReporter:
    """Callable for ``on_page``; prints nothing for fetches that finish quickly."""

    def __init__(
        self,
        stream: TextIO,
        *,
        interactive: bool | None = None,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._interactive = stream.isatty() if interactive is None else interactive
        self._interval = interval
        self._clock = clock
        self._started = clock()
        self._last = self._started
        self._drawn = False

    def __call__(self, progress: Progress) -> None:
        now = self._clock()
        if self._interactive:
            if now - self._last < 0.1 and progress.pages > 1:
                return
            self._last = now
            self._stream.write("\r\x1b[K" + self._describe(progress))
            self._stream.flush()
            self._drawn = True
        elif now - self._last >= self._interval:
            self._last = now
            self._stream.write(self._describe(progress) + "\n")
            self._stream.flush()

    def _describe(self, progress: Progress) -> str:
        pages = f"page {progress.pages:,}"
        if progress.last_page:
            share = min(1.0, progress.pages / progress.last_page)
            width = 24
            filled = int(share * width)
            bar = "#" * filled + "-" * (width - filled)
            pages = f"[{bar}] page {progress.pages:,}/{progress.last_page:,}"
        elapsed = self._clock() - self._started
        return (
            f"fetching {progress.alert_type} alerts: {pages}, "
            f"{progress.items:,} alerts, {elapsed:.0f}s"
        )

    def finish(self) -> None:
        """Clear the progress line, once; safe to call again."""
        if self._drawn:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._drawn = False
