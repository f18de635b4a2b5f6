"""Standing between campaign-sync and the fake GitHub: faults, crash gates, mid-run events.

``Interposer`` wraps a started fake's dispatcher, so it sees every API request in arrival
order (control requests under ``/_fake/`` pass untouched) and may answer in the fake's
place. It adds what the fake's own fault injector (``set_faults``) does not have, and keeps
its own counts:

- **faults** (``chaos``): one seeded draw per request; a hit is one of HTTP 500, 502, 503,
  a timeout (held past the client's timeout, then closed), a dropped connection, or a
  secondary rate limit (403 with ``retry-after``). A write that draws a 5xx, timeout or drop
  is, with probability ``ambiguous_share``, *applied first* and only its answer lost: the
  case a client cannot tell from a write that never happened.
- **a gate** (``gate``): the N-th write request stops, before the fake applies it or after
  (its answer not sent yet), until released. A crash test kills the client there.
- **a trigger** (``on_request``): a function run once, when the N-th request (or write
  request) from now arrives, before it is handled (a token revoked mid-run).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from testing.fake_github import FakeGitHub
from testing.fake_github.dispatcher import Outcome
from testing.fake_github.faults import fault_response
from testing.fake_github.http_util import SECONDARY_DOCS, Request, error

FAULT_KINDS: tuple[str, ...] = ("500", "502", "503", "timeout", "drop", "secondary")
# Longer than runner.CHAOS_TIMEOUT: the client gives up first, as with a real timeout.
TIMEOUT_HOLD = 0.8
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


@dataclass(slots=True)
class _Chaos:
    rate: float
    kinds: tuple[str, ...]
    ambiguous_share: float
    rng: random.Random


@dataclass(slots=True)
class Gate:
    """Stop write request number ``write`` (counted since the interposer was installed),
    ``when`` before or after the fake applies it."""

    write: int
    when: str  # "before" | "after"
    reached: threading.Event
    release: threading.Event
    method: str = ""
    path: str = ""


class Interposer:
    def __init__(self, fake: FakeGitHub) -> None:
        self._inner = fake.dispatcher.handle
        self._lock = threading.Lock()
        self._chaos: _Chaos | None = None
        self._gate: Gate | None = None
        self._trigger: tuple[str, int, Callable[[], None]] | None = None
        self.requests = 0
        self.writes = 0
        self.faults: Counter[str] = Counter()
        self.faulted: Counter[str] = Counter()  # which requests the faults hit
        fake.dispatcher.handle = self.handle  # type: ignore[method-assign]

    # configuration ---------------------------------------------------------------------

    def chaos(
        self,
        rate: float,
        *,
        seed: int,
        kinds: tuple[str, ...] = FAULT_KINDS,
        ambiguous_share: float = 0.5,
    ) -> None:
        """Inject faults from now on (``rate`` 0 turns them off)."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        with self._lock:
            self._chaos = (
                _Chaos(rate, kinds, ambiguous_share, random.Random(seed)) if rate > 0 else None
            )

    def gate(self, writes: int, when: str) -> Gate:
        """Stop the ``writes``-th write request from now (1: the next one)."""
        if when not in ("before", "after"):
            raise ValueError("when is 'before' or 'after'")
        with self._lock:
            gate = Gate(self.writes + writes, when, threading.Event(), threading.Event())
            self._gate = gate
        return gate

    def on_request(self, count: int, action: Callable[[], None], *, writes: bool = False) -> None:
        """Run ``action`` once, as the ``count``-th request (write request) from now arrives,
        before it is handled."""
        with self._lock:
            kind = "writes" if writes else "requests"
            self._trigger = (kind, getattr(self, kind) + count, action)

    def reset(self) -> None:
        """No faults, no gate, no trigger (counts are kept)."""
        with self._lock:
            self._chaos = None
            gate, self._gate = self._gate, None
            self._trigger = None
        if gate is not None:
            gate.release.set()

    # the request path ------------------------------------------------------------------

    def handle(self, req: Request) -> Outcome:
        if req.path.startswith("/_fake/"):
            return self._inner(req)
        with self._lock:
            self.requests += 1
            if req.is_write:
                self.writes += 1
            action = None
            if self._trigger is not None:
                kind, at, run = self._trigger
                if getattr(self, kind) >= at:
                    action, self._trigger = run, None
            gate = self._gate
            if gate is not None and not (req.is_write and self.writes == gate.write):
                gate = None
            fault, ambiguous = self._draw(req)
        if action is not None:
            action()
        if gate is not None:
            return self._gated(req, gate)
        if fault is None:
            return self._inner(req)
        if ambiguous:
            self._inner(req)  # applied; the answer is lost below
        return _fault_outcome(fault)

    def _draw(self, req: Request) -> tuple[str | None, bool]:
        chaos = self._chaos
        if chaos is None:
            return None, False
        # Three draws for every request, hit or not: one request's outcome never shifts the
        # sequence the next requests draw from.
        hit = chaos.rng.random() < chaos.rate
        kind = chaos.kinds[int(chaos.rng.random() * len(chaos.kinds))]
        lost = chaos.rng.random() < chaos.ambiguous_share
        if not hit:
            return None, False
        ambiguous = req.is_write and kind != "secondary" and lost
        self.faults[kind] += 1
        self.faulted[f"{req.method} {_category(req.path)}"] += 1
        if ambiguous:
            self.faults["ambiguous_write"] += 1
        return kind, ambiguous

    def _gated(self, req: Request, gate: Gate) -> Outcome:
        gate.method, gate.path = req.method, req.path
        outcome = self._inner(req) if gate.when == "after" else None
        gate.reached.set()
        gate.release.wait(60)
        # The client was killed while we held it: whatever is sent now goes nowhere.
        return outcome if outcome is not None else Outcome(None)


def _category(path: str) -> str:
    if path.endswith("/autofix"):
        return "autofix"
    if "/comments" in path:
        return "comment"
    if "/campaigns" in path:
        return "native campaign"
    if "/issues" in path:
        return "issue"
    if "/alerts" in path:
        return "alert listing"
    return "other"


def _fault_outcome(kind: str) -> Outcome:
    if kind == "drop":
        return Outcome(None)
    if kind == "timeout":
        return Outcome(None, hold=TIMEOUT_HOLD)
    if kind == "secondary":
        return Outcome(
            error(403, SECONDARY_MESSAGE, SECONDARY_DOCS, headers=[("retry-after", "30")])
        )
    return Outcome(fault_response(kind))
