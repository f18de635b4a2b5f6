"""Waiting as GitHub asks and retrying what is safe: writes spaced apart, rate limits
waited out (retry-after, the primary limit's reset, GitHub's advice when it gives none)
up to a bound, failures retried with capped exponential backoff and full jitter, each
wait said as it happens."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from typing import Any

from campaign_sync.errors import GitHubError
from campaign_sync.github.exchange import Stats, message_of, route_of


class WaitsOut:
    """The transport's waits and retries (a mixin of ``Transport``)."""

    stats: Stats
    _stats_lock: threading.Lock
    _clock: Callable[[], float]
    _sleep: Callable[[float], None]
    _last_write: float
    _write_interval: float
    _max_wait: float
    _max_attempts: int
    _backoff: float
    _max_backoff: float
    _notices: Callable[[str], None] | None
    _random: random.Random

    def _space_writes(self) -> None:
        now = self._clock()
        delay = self._last_write + self._write_interval - now
        if delay > 0:
            self._sleep(delay)
        self._last_write = max(now, self._last_write + self._write_interval)

    def _rate_limit_wait(self, status: int, headers: Mapping[str, str], data: Any) -> float | None:
        """Seconds to wait before retrying, if this is a rate limit answer."""
        if status not in (403, 429):
            return None
        retry_after = headers.get("retry-after")
        if retry_after is not None and retry_after.strip().isdigit():
            return float(retry_after)
        message = message_of(data).lower()
        if headers.get("x-ratelimit-remaining") == "0":
            reset = headers.get("x-ratelimit-reset", "")
            if reset.isdigit():
                return max(1.0, int(reset) - self._clock() + 1)
            return 60.0
        if "secondary rate limit" in message or "abuse" in message:
            return 60.0  # GitHub's advice when it gives no retry-after
        return None

    def pause(self, seconds: float) -> None:
        """Wait out a rate limit GitHub documents without saying how long (a bare 429),
        counted with the other rate-limit waits."""
        with self._stats_lock:
            self.stats.rate_limit_waits += 1
            self.stats.waited_seconds += seconds
        self._sleep(seconds)

    def _wait(self, seconds: float, method: str, url: str, attempt: int) -> None:
        if seconds > self._max_wait:
            raise GitHubError(
                f"{method} {route_of(url)}: GitHub's rate limit asks to wait {seconds:.0f} s, "
                f"more than the {self._max_wait:.0f} s allowed; run again later or use a "
                "GitHub App installation token (higher limits)"
            )
        if attempt >= self._max_attempts * 4:
            raise GitHubError(f"{method} {route_of(url)}: still rate limited after {attempt} tries")
        if self._notices is not None and seconds >= 1:
            self._notices(
                f"{method} {route_of(url)}: rate limited; waiting {seconds:.0f} s as GitHub asks"
            )
        with self._stats_lock:
            self.stats.rate_limit_waits += 1
            self.stats.waited_seconds += seconds
        self._sleep(seconds)

    def _retry_or_raise(self, attempt: int, what: str) -> None:
        if attempt >= self._max_attempts:
            raise GitHubError(
                f"{what}; gave up after {attempt} attempts. GitHub or the network is "
                "failing; try again later"
            )
        with self._stats_lock:
            self.stats.retries += 1
        # Exponential backoff with full jitter (AWS architecture blog), capped.
        delay = self._random.uniform(0, min(self._max_backoff, self._backoff * 2 ** (attempt - 1)))
        if self._notices is not None:
            self._notices(
                f"{what}; attempt {attempt} of {self._max_attempts} failed, "
                f"retrying in {delay:.1f} s"
            )
        self._sleep(delay)
