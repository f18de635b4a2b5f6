"""Request log and counters, so tests can assert e.g. "zero write requests"."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LogEntry:
    seq: int
    time: float
    method: str
    path: str
    route: str
    status: int | None  # None: no response (timeout or dropped connection)
    fault: str | None
    counted: bool
    write: bool
    token: str | None  # last four characters of the token, if any


class Stats:
    def __init__(self, log_limit: int = 200_000) -> None:
        self._lock = threading.Lock()
        self._log_limit = log_limit
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.writes = 0
            # Split for rate-limit accounting: reads the primary limit counted (a 304 is
            # free) and writes GitHub carried out (not refused or failed).
            self.reads_counted = 0
            self.writes_succeeded = 0
            self.not_modified = 0
            self.primary_counted = 0
            self.control = 0
            self.by_method: Counter[str] = Counter()
            self.by_route: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.secondary_limited = 0
            self.primary_limited = 0
            self.log: deque[LogEntry] = deque(maxlen=self._log_limit)
            self._seq = 0

    def record(self, entry_args: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            entry = LogEntry(seq=self._seq, **entry_args)
            self.log.append(entry)
            self.total += 1
            self.by_method[entry.method] += 1
            self.by_route[f"{entry.method} {entry.route}"] += 1
            self.by_status["none" if entry.status is None else str(entry.status)] += 1
            if entry.write:
                self.writes += 1
                if entry.status is not None and entry.status < 400:
                    self.writes_succeeded += 1
            elif entry.counted:
                self.reads_counted += 1
            if entry.status == 304:
                self.not_modified += 1
            if entry.counted:
                self.primary_counted += 1
            if entry.fault:
                self.faults[entry.fault] += 1

    def note(self, counter: str) -> None:
        """Increment ``primary_limited`` or ``secondary_limited``."""
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)

    def count_control(self) -> None:
        with self._lock:
            self.control += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self.total,
                "writes": self.writes,
                "writes_succeeded": self.writes_succeeded,
                "reads": self.total - self.writes,
                "reads_counted": self.reads_counted,
                "not_modified": self.not_modified,
                "primary_counted": self.primary_counted,
                "primary_limited": self.primary_limited,
                "secondary_limited": self.secondary_limited,
                "faults_injected": sum(self.faults.values()),
                "faults": dict(self.faults),
                "by_method": dict(self.by_method),
                "by_route": dict(self.by_route),
                "by_status": dict(self.by_status),
                "control_requests": self.control,
            }

    def entries(self, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(e) for e in self.log if e.seq > since]
