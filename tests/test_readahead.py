"""Reading ahead for apply, over real HTTP against the fake GitHub: many reads to a request,
never staler than FRESH_SECONDS, re-read after this run's own writes, and REST whenever
GraphQL cannot answer."""

from __future__ import annotations

from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.actions import Action, CloseIssue, CreateIssue, UpdateIssue
from campaign_sync.github import tracker
from campaign_sync.github.issue_batch import (
    FRESH_SECONDS,
    MAX_ISSUES,
    MAX_REPOSITORIES,
    issues_per_batch,
)
from campaign_sync.github.tracker import TrackerError
from campaign_sync.github.transport import Transport
from campaign_sync.readahead import ReadAhead

LABEL = "campaign-sync"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=30, alerts=10, seed=3)


def _issues(fake: FakeGitHub, count: int) -> list[tuple[str, int]]:
    transport = transport_for(fake)
    names = fake.repo_names()
    keys = []
    for n in range(count):
        name = names[n % len(names)]
        issue = tracker.create_issue(
            transport,
            name,
            title=f"issue {n}",
            body=f"body {n}",
            labels=[LABEL],
            find_existing=lambda _body: False,
        )
        keys.append((name, issue.number))
    return keys


def _updates(keys: list[tuple[str, int]]) -> list[Action]:
    return [
        UpdateIssue("c", repository, number, "section", "digest") for repository, number in keys
    ]


def _graphql_requests(transport: Transport) -> int:
    return sum(n for route, n in transport.stats.by_route.items() if route.endswith("/graphql"))


def _rest_reads(transport: Transport) -> int:
    return transport.stats.reads - _graphql_requests(transport)


@pytest.mark.parametrize(
    ("interval", "size"), [(0.0, MAX_ISSUES), (0.1, MAX_ISSUES), (0.75, 20), (1.0, 15), (60.0, 1)]
)
def test_a_batch_is_what_is_written_within_the_freshness_window(interval: float, size: int) -> None:
    assert issues_per_batch(interval) == size


def test_the_issues_of_many_updates_are_read_a_batch_at_a_time(fake: FakeGitHub) -> None:
    keys = _issues(fake, MAX_ISSUES + 10)
    transport = transport_for(fake)
    reads = ReadAhead(transport, _updates(keys), label=LABEL, write_interval=0.0, clock=Clock())
    for position, (repository, number) in enumerate(keys):
        issue = reads.issue(position, repository, number)
        assert issue.body == f"body {position}"
    assert (_graphql_requests(transport), _rest_reads(transport)) == (2, 0)
    assert reads.batches == 2
    assert reads.fallback is None


def test_what_was_read_is_used_only_while_fresh(fake: FakeGitHub) -> None:
    keys = _issues(fake, 3)
    transport = transport_for(fake)
    clock = Clock()
    reads = ReadAhead(transport, _updates(keys), label=LABEL, write_interval=0.0, clock=clock)
    reads.issue(0, *keys[0])
    tracker.update_issue_body(transport_for(fake), *keys[1], "edited by a human")
    assert reads.issue(1, *keys[1]).body == "body 1"  # read ahead, still fresh
    clock.now = FRESH_SECONDS + 0.1
    assert reads.issue(2, *keys[2]).body == "body 2"  # stale: read again...
    assert _graphql_requests(transport) == 2
    assert reads.issue(1, *keys[1]).body == "edited by a human"  # ...and now current


def test_an_issue_this_run_writes_is_read_again_unless_the_answer_says_what_it_is(
    fake: FakeGitHub,
) -> None:
    keys = _issues(fake, 3)
    transport = transport_for(fake)
    reads = ReadAhead(transport, _updates(keys), label=LABEL, write_interval=0.0, clock=Clock())
    reads.issue(0, *keys[0])
    reads.writing(*keys[1])
    tracker.update_issue_body(transport, *keys[1], "written")
    assert reads.issue(1, *keys[1]).body == "written"  # read again
    assert _graphql_requests(transport) == 2
    reads.writing(*keys[2])
    answer = tracker.update_issue_body(transport, *keys[2], "written too")
    reads.wrote(*keys[2], answer, ())
    assert reads.issue(2, *keys[2]).body == "written too"  # known from the answer
    assert reads.comments(2, *keys[2]) == ()
    assert _graphql_requests(transport) == 2


def test_a_close_reads_its_comments_in_the_same_batch(fake: FakeGitHub) -> None:
    keys = _issues(fake, 2)
    transport = transport_for(fake)
    tracker.comment(transport, *keys[1], "closing note")
    actions: list[Action] = [
        UpdateIssue("c", *keys[0], "section", "digest"),
        CloseIssue("c", *keys[1], comment="closing note", reason="fixed"),
    ]
    reads = ReadAhead(transport, actions, label=LABEL, write_interval=0.0, clock=Clock())
    before = transport.stats.requests
    reads.issue(0, *keys[0])
    assert reads.issue(1, *keys[1]).state == "open"
    assert reads.comments(1, *keys[1]) == ("closing note",)
    assert transport.stats.requests - before == 1


def test_without_graphql_every_read_goes_through_rest_after_one_try(fake: FakeGitHub) -> None:
    keys = _issues(fake, 5)
    fake.config.graphql = False
    transport = transport_for(fake)
    reads = ReadAhead(transport, _updates(keys), label=LABEL, write_interval=0.0, clock=Clock())
    for position, key in enumerate(keys):
        assert reads.issue(position, *key).body == f"body {position}"
        assert reads.comments(position, *key) == ()
    assert reads.labelled(0, keys[0][0])
    assert reads.fallback is not None
    assert "404" in reads.fallback
    assert _graphql_requests(transport) == 1
    assert reads.batches == 0


def test_an_issue_graphql_cannot_find_is_read_through_rest_once(fake: FakeGitHub) -> None:
    keys = [*_issues(fake, 1), (fake.repo_names()[0], 999)]
    transport = transport_for(fake)
    reads = ReadAhead(transport, _updates(keys), label=LABEL, write_interval=0.0, clock=Clock())
    reads.issue(0, *keys[0])
    with pytest.raises(TrackerError, match="issue #999 was not found"):
        reads.issue(1, *keys[1])
    assert _graphql_requests(transport) == 1  # not asked of GraphQL a second time


def test_labelled_issues_are_listed_for_the_next_creates_together(fake: FakeGitHub) -> None:
    _issues(fake, 30)
    names = fake.repo_names()
    creates: list[Action] = [
        CreateIssue("c", name, "title", "section", None, (), ()) for name in names
    ]
    transport = transport_for(fake)
    reads = ReadAhead(transport, creates, label=LABEL, write_interval=1.0, clock=Clock())
    for position, name in enumerate(names):
        listed = reads.labelled(position, name)
        assert listed == list(tracker.list_issues_with_label(transport_for(fake), name, LABEL))
    assert _graphql_requests(transport) == -(-len(names) // MAX_REPOSITORIES)
    assert _rest_reads(transport) == 0
