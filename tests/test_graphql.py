"""The GraphQL client over real HTTP against the fake GitHub, whose /graphql executes queries
with graphql-core against a subset of GitHub's schema: partial answers, whole failures that
send the caller back to REST, and a separate rate limit that never blocks the REST one."""

from __future__ import annotations

from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.github import tracker
from campaign_sync.github.graphql import GraphQLUnavailable, graphql_url, run_query

ISSUE = "query($o: String!, $n: String!, $i: Int!) { r: repository(owner: $o, name: $n) { issue(number: $i) { number body state } } }"  # noqa: E501


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=3, alerts=10, seed=5)


@pytest.mark.parametrize(
    ("api", "expected"),
    [
        ("https://api.github.com", "https://api.github.com/graphql"),
        ("https://api.github.com/", "https://api.github.com/graphql"),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com/api/graphql"),
        ("https://ghe.example.com/api/v3/", "https://ghe.example.com/api/graphql"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/graphql"),
    ],
)
def test_the_endpoint_sits_beside_the_rest_base_url(api: str, expected: str) -> None:
    assert graphql_url(api) == expected


def _issue(fake: FakeGitHub) -> tuple[str, int]:
    name = fake.repo_names()[0]
    created = tracker.create_issue(
        transport_for(fake),
        name,
        title="t",
        body="body",
        labels=["campaign-sync"],
        find_existing=lambda _body: False,
    )
    return name, created.number


def test_an_answer_with_an_unresolved_alias_keeps_the_others(fake: FakeGitHub) -> None:
    name, number = _issue(fake)
    owner, repo = name.split("/")
    query = (
        "query($o: String!, $n: String!) { "
        "a: repository(owner: $o, name: $n) { issue(number: 1) { number body state } } "
        "b: repository(owner: $o, name: $n) { issue(number: 999) { number } } "
        'c: repository(owner: $o, name: "no-such-repo") { nameWithOwner } }'
    )
    result = run_query(transport_for(fake), query, {"o": owner, "n": repo})
    assert result.data["a"] == {"issue": {"number": number, "body": "body", "state": "OPEN"}}
    assert set(result.failed) == {"b", "c"}
    assert "999" in result.failed["b"]
    assert "no-such-repo" in result.failed["c"]


def test_a_query_is_a_read_neither_spaced_nor_counted_as_a_write(fake: FakeGitHub) -> None:
    name, number = _issue(fake)
    owner, repo = name.split("/")
    slept: list[float] = []
    transport = transport_for(fake, write_interval=1000.0, sleep=slept.append)
    for _ in range(3):
        run_query(transport, ISSUE, {"o": owner, "n": repo, "i": number})
    assert slept == []
    assert (transport.stats.reads, transport.stats.writes) == (3, 0)
    fake_writes = [r for r in fake.requests() if r["route"] == "/graphql" and r["write"]]
    assert fake_writes == []


def test_its_rate_limit_headers_leave_the_rest_budget_alone(fake: FakeGitHub) -> None:
    name, number = _issue(fake)
    owner, repo = name.split("/")
    transport = transport_for(fake)
    fake.set_rate_limit_remaining(fake.token, 10, resource="graphql")
    tracker.get_issue(transport, name, number)
    core = transport.rate_limit.remaining
    assert core is not None
    assert core > 1000
    run_query(transport, ISSUE, {"o": owner, "n": repo, "i": number})
    assert transport.rate_limit.remaining == core


def test_an_exhausted_graphql_limit_fails_at_once_instead_of_waiting(fake: FakeGitHub) -> None:
    name, number = _issue(fake)
    owner, repo = name.split("/")
    transport = transport_for(fake)
    fake.set_rate_limit_remaining(fake.token, 0, resource="graphql")
    before = fake.clock.now()
    with pytest.raises(GraphQLUnavailable, match="rate limit"):
        run_query(transport, ISSUE, {"o": owner, "n": repo, "i": number})
    assert transport.stats.rate_limit_waits == 0
    assert fake.clock.now() - before < 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('query { repository(owner: "a", name: "b") { nope } }', "Cannot query field 'nope'"),
        ('query { repository(owner: 1, name: "b") { name } }', "non string value"),
        ("query {", "Syntax Error"),
        ("mutation { addStar }", "Cannot query field 'addStar' on type 'Mutation'"),
    ],
)
@pytest.mark.off_description("queries the public schema refuses")
def test_a_query_github_would_refuse_is_refused_whole(
    fake: FakeGitHub, query: str, message: str
) -> None:
    with pytest.raises(GraphQLUnavailable, match=message):
        run_query(transport_for(fake), query, {})


def test_a_connection_without_first_or_last_is_an_error_at_its_alias(fake: FakeGitHub) -> None:
    name = fake.repo_names()[0]
    owner, repo = name.split("/")
    query = "query($o: String!, $n: String!) { r: repository(owner: $o, name: $n) { issues { totalCount } } }"  # noqa: E501
    result = run_query(transport_for(fake), query, {"o": owner, "n": repo})
    assert "first" in result.failed["r"]


def test_a_revoked_token_is_unavailable_and_the_message_has_no_token(fake: FakeGitHub) -> None:
    token = fake.add_token()
    transport = transport_for(fake, token)
    fake.revoke_token(token)
    with pytest.raises(GraphQLUnavailable) as raised:
        run_query(transport, ISSUE, {"o": "acme", "n": "x", "i": 1})
    assert token not in str(raised.value)
    assert "401" in str(raised.value)


def test_a_host_without_graphql_is_unavailable(fake: FakeGitHub) -> None:
    fake.config.graphql = False
    with pytest.raises(GraphQLUnavailable, match="404"):
        run_query(transport_for(fake), ISSUE, {"o": "acme", "n": "x", "i": 1})


def test_a_5xx_storm_is_retried_then_unavailable(fake: FakeGitHub) -> None:
    transport = transport_for(fake, max_attempts=3, backoff=0.01)
    fake.set_faults(rate=1.0, kinds=["502"], seed=1)
    with pytest.raises(GraphQLUnavailable, match="502"):
        run_query(transport, ISSUE, {"o": "acme", "n": "x", "i": 1})
    assert transport.stats.retries == 2


def test_a_token_without_issue_access_is_forbidden_at_its_alias(fake: FakeGitHub) -> None:
    name, number = _issue(fake)
    owner, repo = name.split("/")
    token = fake.add_token(permissions={"metadata": "read"})
    result = run_query(transport_for(fake, token), ISSUE, {"o": owner, "n": repo, "i": number})
    assert "not accessible" in result.failed["r"]
