"""The judge a fake GitHub reports to: every exchange, against GitHub's official descriptions.

``Judge.observe`` is a ``testing.fake_github.dispatcher.OBSERVERS`` entry. It turns the fake's
request and response into plain values, skips what is not contract data, hands REST pairs to
``RestJudge`` and ``/graphql`` queries to ``GraphQLJudge``, counts what it validated and keeps
the violations until the test harness collects them (``take``).

Not contract data, skipped on purpose and counted apart:

- the fake's own control routes (``/_fake/...``), which GitHub does not have;
- injected faults (``fault`` set: a 500/502/503 fault body, a timeout, a dropped connection,
  or the lost answer of an ambiguous write): their answer is the fault injector's, made up to
  test the client's retries, not the route's.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from testing.fake_github.http_util import Request, Response

from . import description
from .findings import Exchange, Violation

if TYPE_CHECKING:  # loaded on first use: openapi-core alone takes about a second to import
    from .graphql import GraphQLJudge
    from .rest import RestJudge


@dataclass
class Tally:
    """What one process validated; ``merge`` adds another's (xdist workers, subprocesses)."""

    pairs: int = 0
    graphql: int = 0
    faults: int = 0
    operations: Counter[str] = field(default_factory=Counter)
    excused: Counter[str] = field(default_factory=Counter)
    deliberate: int = 0
    off: int = 0
    seconds: float = 0.0  # CPU time spent judging, in the fakes' server threads

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "graphql": self.graphql,
            "faults": self.faults,
            "operations": dict(self.operations),
            "excused": dict(self.excused),
            "deliberate": self.deliberate,
            "off": self.off,
            "seconds": self.seconds,
        }

    def merge(self, other: dict[str, Any]) -> None:
        self.pairs += other.get("pairs", 0)
        self.graphql += other.get("graphql", 0)
        self.faults += other.get("faults", 0)
        self.operations.update(other.get("operations", {}))
        self.excused.update(other.get("excused", {}))
        self.deliberate += other.get("deliberate", 0)
        self.seconds += other.get("seconds", 0.0)
        self.off += other.get("off", 0)


def exchange_of(req: Request, response: Response) -> Exchange:
    return Exchange(
        method=req.method,
        path=req.path,
        query=tuple(req.query),
        headers=dict(req.headers),
        body=req.body,
        status=response.status,
        response_headers=tuple(response.headers),
        response_body=response.body,
    )


class Judge:
    """``background``: judge in a thread of its own, so the fake answers without waiting for
    the verdict (tests with tight client timeouts see no extra latency); ``take`` and
    ``wait`` wait for the exchanges seen so far to be judged."""

    def __init__(self, *, background: bool = False) -> None:
        self.tally = Tally()
        self._background = background
        self._queue: queue.Queue[tuple[Request, Response, bool]] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pending: list[Violation] = []
        self._rest: RestJudge | None = None
        self._graphql: GraphQLJudge | None = None
        # Set by the harness while a test marked ``off_description`` runs (see RestJudge.judge).
        self.deliberate = False

    # the descriptions load on first use: a worker that never starts a fake pays nothing
    @property
    def rest(self) -> RestJudge:
        with self._lock:
            if self._rest is None:
                from .rest import RestJudge

                self._rest = RestJudge(description.rest_description())
            return self._rest

    @property
    def graphql(self) -> GraphQLJudge:
        with self._lock:
            if self._graphql is None:
                from .graphql import GraphQLJudge

                self._graphql = GraphQLJudge(description.graphql_introspection())
            return self._graphql

    def observe(self, req: Request, response: Response | None, fault: str | None) -> None:
        """The fake's observer (called in its server thread). Never raises: a fault in the
        judge is reported as a violation, not felt by the fake as a dropped connection."""
        if req.path.startswith("/_fake/"):
            return
        if fault is not None or response is None:
            with self._lock:
                self.tally.faults += 1
            return
        if not self._background:
            self._judge(req, response, self.deliberate)
            return
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, name="contract-judge", daemon=True
                )
                self._worker.start()
        self._queue.put((req, response, self.deliberate))

    def _work(self) -> None:
        while True:
            req, response, deliberate = self._queue.get()
            try:
                self._judge(req, response, deliberate)
            finally:
                self._queue.task_done()

    def wait(self) -> None:
        """Return once every exchange observed so far is judged."""
        self._queue.join()

    def _judge(self, req: Request, response: Response, deliberate: bool) -> None:
        started = time.thread_time()
        try:
            self._observe(req, response, deliberate)
        except Exception as exc:  # a bug in the judge: fail the test, loudly
            violation = Violation(
                f"{req.method} {req.path}", "judge", None, "-", f"the judge failed: {exc!r}"
            )
            with self._lock:
                self._pending.append(violation)
        finally:
            with self._lock:
                self.tally.seconds += time.thread_time() - started

    def _observe(self, req: Request, response: Response, deliberate: bool) -> None:
        if req.path.rstrip("/") == "/graphql" and req.method == "POST":
            found = self.graphql.judge(req.body, f"POST {req.path}")
            with self._lock:
                self.tally.graphql += 1
                if found and deliberate:
                    self.tally.deliberate += 1
                    found = []
                self._add(found)
            return
        verdict = self.rest.judge(exchange_of(req, response), deliberate=deliberate)
        with self._lock:
            self.tally.pairs += 1
            self.tally.deliberate += verdict.deliberate
            if verdict.operation is not None:
                self.tally.operations[verdict.operation] += 1
            self.tally.excused.update(verdict.excused)
            self._add(verdict.violations)

    def _add(self, found: list[Violation]) -> None:
        if found:
            self._pending.extend(found)
            self.tally.off += len(found)

    def take(self) -> list[Violation]:
        """The violations since the last call."""
        self.wait()
        with self._lock:
            found, self._pending = self._pending, []
        return found
