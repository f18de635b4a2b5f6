"""The GitHub client's tests' shared transport (tests/tracker/): a real Transport
that records each request body it sends and can have the fake GitHub lose chosen answers,
and helpers that open and find tracking issues.

Every request body it sends is checked against GitHub's official description by the
contract harness (testing/contract), like every other exchange with the fake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from campaign_sync.github import tracker
from campaign_sync.github.exchange import Response
from campaign_sync.github.tracker import IssueRef
from campaign_sync.github.transport import WRITE_METHODS, Transport
from testing.clients import transport_options
from testing.fake_github import FakeGitHub

Factory = Callable[..., FakeGitHub]
LABEL = "campaign-sync"
ENDS = "2099-12-31"


# -- the transport under test ----------------------------------------------------------------
# Every request body it sends is checked against GitHub's official description by the
# contract harness (testing/contract), like every other exchange with the fake.


class CheckedTransport(Transport):
    """A real Transport that records each request body it sends, and can have the fake lose
    its answer to chosen requests (switching the fake's faults on just before such a request
    goes on the wire and off right after, so nothing else is hit)."""

    def __init__(self, fake: FakeGitHub, **options: Any) -> None:
        super().__init__(**options)
        self.fake = fake
        self.bodies: list[tuple[str, str, Any]] = []
        self._lose_next: tuple[str, bool] | None = None
        self._lose_every_post = False

    def lose_next_answer(self, method: str = "POST", *, applied: bool = True) -> None:
        """The next ``method`` request is dropped: after the fake applied it, or before."""
        self._lose_next = (method, applied)

    def lose_every_post_answer(self) -> None:
        """Every POST from now on is dropped before the fake applies it."""
        self._lose_every_post = True

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        body: Any = None,
        idempotent: bool | None = None,
        **options: Any,
    ) -> Response:
        if method.upper() in WRITE_METHODS:
            self.bodies.append((method.upper(), urlsplit(url).path, body))
        return super().request(
            method, url, params=params, body=body, idempotent=idempotent, **options
        )

    def _send(
        self, method: str, url: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], bytes]:
        # One HTTP exchange (the transport's own retries are separate exchanges), so a fault
        # armed here hits exactly one request on the wire.
        lose: bool | None = None  # None: answer normally; else whether the fake applies it
        if self._lose_next is not None and self._lose_next[0] == method:
            lose, self._lose_next = self._lose_next[1], None
        elif self._lose_every_post and method == "POST":
            lose = False
        if lose is not None:
            self.fake.set_faults(rate=1.0, kinds=["drop"], ambiguous_writes=lose, seed=1)
        try:
            return super()._send(method, url, headers, body)
        finally:
            if lose is not None:
                self.fake.set_faults(rate=0.0)


def transport_for(fake: FakeGitHub, token: str | None = None, **options: Any) -> CheckedTransport:
    """Waits advance the fake's simulated clock instead of sleeping."""
    return CheckedTransport(fake, **transport_options(fake, token, **options))


def repo_of(fake: FakeGitHub, index: int = 0) -> str:
    return fake.repo_names(archived=False, complete=True)[index]


def writes(fake: FakeGitHub) -> int:
    return int(fake.snapshot()["writes"])


def marker(campaign: str, repository: str) -> str:
    return f"<!-- campaign-sync:v1 {campaign} {repository} -->"


def has_marker(campaign: str, repository: str) -> Callable[[tracker.IssueRef], bool]:
    return lambda issue: marker(campaign, repository) in issue.body


def open_tracking_issue(
    transport: Transport, repository: str, campaign: str = "sqli", **extra: Any
) -> IssueRef:
    options: dict[str, Any] = {
        "title": f"Security campaign: {campaign}",
        "body": f"{marker(campaign, repository)}\nFix these.",
        "labels": [LABEL, "security"],
        "find_existing": has_marker(campaign, repository),
    }
    options.update(extra)
    return tracker.create_issue(transport, repository, **options)


def issues_with_marker(transport: Transport, repository: str, campaign: str) -> list[IssueRef]:
    return [
        issue
        for issue in tracker.list_issues_with_label(transport, repository, LABEL)
        if has_marker(campaign, repository)(issue)
    ]
