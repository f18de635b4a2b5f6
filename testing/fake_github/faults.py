"""Deterministic fault injection: one seeded draw per eligible request, in arrival order."""

from __future__ import annotations

import random
import threading

from .config import FAULT_KINDS, FaultConfig
from .http_util import Response, error, json_response

_BODIES: dict[str, tuple[int, str]] = {
    "500": (500, "Server Error"),
    "502": (502, "Server Error"),
}


class FaultInjector:
    def __init__(self, config: FaultConfig) -> None:
        self._lock = threading.Lock()
        self.config = config
        self._rng = random.Random(config.seed)

    def configure(
        self,
        *,
        rate: float | None = None,
        kinds: tuple[str, ...] | list[str] | None = None,
        seed: int | None = None,
        timeout_hold: float | None = None,
        exempt_control: bool | None = None,
        ambiguous_writes: bool | None = None,
    ) -> None:
        """Change settings; passing ``seed`` restarts the deterministic sequence."""
        with self._lock:
            c = self.config
            if rate is not None:
                if not 0.0 <= rate <= 1.0:
                    raise ValueError("fault rate must be within [0, 1]")
                c.rate = rate
            if kinds is not None:
                unknown = set(kinds) - set(FAULT_KINDS)
                if unknown or not kinds:
                    raise ValueError(f"fault kinds must be a non-empty subset of {FAULT_KINDS}")
                c.kinds = tuple(kinds)
            if timeout_hold is not None:
                c.timeout_hold = timeout_hold
            if exempt_control is not None:
                c.exempt_control = exempt_control
            if ambiguous_writes is not None:
                c.ambiguous_writes = ambiguous_writes
            if seed is not None:
                c.seed = seed
                self._rng = random.Random(seed)

    def draw(self) -> str | None:
        """The fault for the next request, or None."""
        with self._lock:
            if self.config.rate <= 0.0:
                return None
            hit = self._rng.random() < self.config.rate
            kind = self.config.kinds[int(self._rng.random() * len(self.config.kinds))]
            return kind if hit else None


def fault_response(kind: str) -> Response:
    """The HTTP answer for a status-code fault."""
    if kind == "503":
        return json_response(
            503,
            {
                "code": "service_unavailable",
                "message": "Service Unavailable",
                "documentation_url": "https://docs.github.com/rest",
            },
            [("retry-after", "1")],
        )
    status, message = _BODIES[kind]
    return error(status, message)
