"""Batched issue reads over real HTTP against the fake GitHub: what one GraphQL request says
of many issues equals what REST says of each, and what it cannot vouch for is left out."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.github import tracker
from campaign_sync.github.issue_batch import (
    LABELLED_PAGE,
    MAX_ISSUES,
    MAX_REPOSITORIES,
    IssueSnapshot,
    read_issues,
    read_labelled,
)
from campaign_sync.github.transport import Transport

LABEL = "campaign-sync"


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=4, alerts=10, seed=9)


def _open(transport: Transport, repository: str, body: str, labels: tuple[str, ...] = (LABEL,)):
    return tracker.create_issue(
        transport,
        repository,
        title=f"Tracking {body[:10]!r}",
        body=body,
        labels=labels,
        find_existing=lambda _body: False,
    )


def _rest(transport: Transport, repository: str, number: int) -> IssueSnapshot:
    issue = _without_closer(tracker.get_issue(transport, repository, number))
    comments = tracker.list_comments(transport, repository, number)
    return IssueSnapshot(issue, tuple(c.body for c in comments))


def _without_closer(issue: tracker.IssueRef) -> tracker.IssueRef:
    """The batch reads no ``closed_by`` (drift asks REST for it, github/tracked.py)."""
    return dataclasses.replace(issue, closed_by="")


def test_a_batch_says_what_rest_says_of_each_issue(fake: FakeGitHub) -> None:
    transport = transport_for(fake)
    first, second = fake.repo_names()[:2]
    opened = _open(transport, first, "one\r\nwith CRLF")
    tracker.comment(transport, first, opened.number, "a comment")
    closed = _open(transport, second, "two", labels=(LABEL, "security", "Team: A"))
    tracker.update_issue(transport, second, closed.number, assignees=["mona"])
    tracker.close_issue(transport, second, closed.number, reason="not_planned")
    keys = [(first, opened.number), (second, closed.number)]
    before = transport.stats.requests
    batch = read_issues(transport, keys, comments=frozenset(keys))
    assert transport.stats.requests - before == 1
    for repository, number in keys:
        assert batch[(repository, number)] == _rest(transport, repository, number)
    assert batch[(second, closed.number)].issue.state_reason == "not_planned"


def test_comments_are_read_only_when_asked(fake: FakeGitHub) -> None:
    transport = transport_for(fake)
    name = fake.repo_names()[0]
    issue = _open(transport, name, "body")
    (snapshot,) = read_issues(transport, [(name, issue.number)]).values()
    assert snapshot.comments is None
    assert snapshot.issue == tracker.get_issue(transport, name, issue.number)


# Each example opens an issue of its own: sharing the fake between examples is fine.
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
def test_any_body_reads_back_as_rest_reads_it(fake: FakeGitHub, body: str) -> None:
    transport = transport_for(fake)
    name = fake.repo_names()[0]
    issue = _open(transport, name, body)
    (snapshot,) = read_issues(transport, [(name, issue.number)]).values()
    assert snapshot.issue == tracker.get_issue(transport, name, issue.number)


def test_what_a_batch_cannot_vouch_for_is_left_out(fake: FakeGitHub) -> None:
    transport = transport_for(fake)
    name = fake.repo_names()[0]
    issue = _open(transport, name, "body")
    chatty = _open(transport, name, "many comments")
    for n in range(101):
        tracker.comment(transport, name, chatty.number, f"comment {n}")
    keys = [
        (name, issue.number),
        (name, 9999),  # no such issue
        ("acme/no-such-repository", 1),
        ('acme/x") { a: rateLimit { cost } } b: repository(owner: "acme', 1),  # hostile name
        (name, chatty.number),  # more comments than a page
    ]
    found = read_issues(transport, keys, comments=frozenset({(name, chatty.number)}))
    assert set(found) == {(name, issue.number)}
    # Without its comments, the chatty issue is vouched for.
    assert (name, chatty.number) in read_issues(transport, [(name, chatty.number)])


def test_an_issue_of_an_organization_the_token_cannot_see_is_left_out(fake: FakeGitHub) -> None:
    transport = transport_for(fake)
    name = fake.repo_names()[0]
    issue = _open(transport, name, "body")
    outsider = fake.add_token(orgs=["other"])
    assert read_issues(transport_for(fake, outsider), [(name, issue.number)]) == {}


def test_labelled_issues_of_many_repositories_equal_rest_listings(fake: FakeGitHub) -> None:
    transport = transport_for(fake)
    names = fake.repo_names()
    for n, name in enumerate(names[:3]):
        for i in range(n + 1):
            _open(transport, name, f"{name} {i}")
        _open(transport, name, "unlabelled", labels=("other",))
    tracker.close_issue(transport, names[1], 1)
    before = transport.stats.requests
    found = read_labelled(transport, [*names, "acme/no-such-repository"], LABEL)
    assert transport.stats.requests - before == 1
    assert set(found) == set(names)
    for name in names:
        listed = tracker.list_issues_with_label(transport, name, LABEL)
        assert found[name] == tuple(_without_closer(issue) for issue in listed)


def test_a_repository_with_more_labelled_issues_than_a_page_is_left_out(
    fake: FakeGitHub,
) -> None:
    transport = transport_for(fake)
    busy, quiet = fake.repo_names()[:2]
    for i in range(LABELLED_PAGE + 1):
        _open(transport, busy, f"issue {i}")
    _open(transport, quiet, "one")
    assert set(read_labelled(transport, [busy, quiet], LABEL)) == {quiet}


def test_batches_are_bounded(fake: FakeGitHub) -> None:
    transport = transport_for(fake)
    with pytest.raises(ValueError, match="at most"):
        read_issues(transport, [("acme/a", n) for n in range(1, MAX_ISSUES + 2)])
    with pytest.raises(ValueError, match="at most"):
        read_labelled(transport, [f"acme/r{n}" for n in range(MAX_REPOSITORIES + 1)], LABEL)
    assert read_issues(transport, []) == {}
    assert read_labelled(transport, [], LABEL) == {}
    assert transport.stats.requests == 0
