"""Primary (hourly budget per token and resource) and secondary (write pacing) limits."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .clock import Clock

if TYPE_CHECKING:
    from .auth import AppAuth
    from .model import Token

WINDOWS: dict[str, int] = {"core": 3600, "search": 60}
APP_BUDGET = 5000
ANONYMOUS_BUDGET = 60


def rate_identity(token: Token | None, app: AppAuth | None) -> tuple[str, int]:
    """The bucket key and core budget for a caller."""
    if token is not None:
        return f"token:{token.value}", token.budget
    if app is not None:
        return app.key, APP_BUDGET
    return "anonymous", ANONYMOUS_BUDGET


@dataclass
class Bucket:
    limit: int
    used: int = 0
    reset: int = 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def headers(self, resource: str) -> list[tuple[str, str]]:
        return [
            ("x-ratelimit-limit", str(self.limit)),
            ("x-ratelimit-remaining", str(self.remaining)),
            ("x-ratelimit-reset", str(self.reset)),
            ("x-ratelimit-used", str(self.used)),
            ("x-ratelimit-resource", resource),
        ]


class PrimaryLimiter:
    """A fixed window per (key, resource) that starts at the first request after a reset."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.buckets: dict[tuple[str, str], Bucket] = {}

    def bucket(self, key: str, resource: str, limit: int) -> Bucket:
        now = self.clock.now()
        bucket = self.buckets.get((key, resource))
        if bucket is None or now >= bucket.reset:
            bucket = Bucket(limit, 0, math.ceil(now) + WINDOWS.get(resource, 3600))
            self.buckets[(key, resource)] = bucket
        bucket.limit = limit
        return bucket

    def set_remaining(self, key: str, resource: str, limit: int, remaining: int) -> None:
        bucket = self.bucket(key, resource, limit)
        bucket.used = max(0, limit - remaining)


@dataclass
class _WriteLog:
    times: deque[float] = field(default_factory=deque)
    in_flight: int = 0


class SecondaryLimiter:
    """Content-creating requests: per-minute and per-hour caps, and no concurrent writes."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.logs: dict[str, _WriteLog] = {}

    def _log(self, key: str) -> _WriteLog:
        log = self.logs.get(key)
        if log is None:
            log = self.logs[key] = _WriteLog()
        return log

    def admit(self, key: str, per_minute: int, per_hour: int, max_concurrent: int) -> int | None:
        """Register a write and return None, or refuse it with a retry-after in seconds."""
        now = self.clock.now()
        log = self._log(key)
        while log.times and log.times[0] <= now - 3600:
            log.times.popleft()
        if log.in_flight >= max_concurrent:
            return 1
        in_last_minute = 0
        first_in_minute = None
        for t in reversed(log.times):
            if t <= now - 60:
                break
            in_last_minute += 1
            first_in_minute = t
        if in_last_minute >= per_minute and first_in_minute is not None:
            return max(1, math.ceil(first_in_minute + 60 - now))
        if len(log.times) >= per_hour:
            return max(1, math.ceil(log.times[0] + 3600 - now))
        log.times.append(now)
        log.in_flight += 1
        return None

    def done(self, key: str) -> None:
        log = self._log(key)
        log.in_flight = max(0, log.in_flight - 1)
