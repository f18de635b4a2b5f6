"""The transport over real HTTP against the fake GitHub: retries, rate limits, ETags, writes."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.errors import GitHubError
from campaign_sync.github.exchange import (
    AmbiguousWrite,
    EtagCache,
    RequestFailed,
    Response,
    parse_link_header,
)
from campaign_sync.github.listing import AlertQuery, iter_alerts, page_items
from campaign_sync.github.transport import Transport

Factory = Callable[..., FakeGitHub]


def test_parse_link_header() -> None:
    header = (
        '<https://api.github.com/x?page=2>; rel="next", '
        '<https://api.github.com/x?page=9>; rel="last"'
    )
    assert parse_link_header(header) == {
        "next": "https://api.github.com/x?page=2",
        "last": "https://api.github.com/x?page=9",
    }
    assert parse_link_header("") == {}


def test_paginate_walks_every_page_once(fake_github: FakeGitHub) -> None:
    transport = transport_for(fake_github)
    pages = list(transport.paginate("/orgs/acme/code-scanning/alerts", {"per_page": 7}))
    numbers = [(a["repository"]["full_name"], a["number"]) for p in pages for a in p.data]
    assert len(numbers) == len(set(numbers)) == fake_github.alert_count("code-scanning")
    assert transport.stats.requests == len(pages)


def test_retries_5xx_timeouts_and_dropped_connections(fake_github: FakeGitHub) -> None:
    clean = transport_for(fake_github)
    expected = [p.data for p in clean.paginate("/orgs/acme/dependabot/alerts", {"per_page": 10})]
    fake_github.set_faults(rate=0.4, seed=3, timeout_hold=0.5)
    faulty = transport_for(fake_github, timeout=0.2, max_attempts=12)
    got = [p.data for p in faulty.paginate("/orgs/acme/dependabot/alerts", {"per_page": 10})]
    assert got == expected
    assert faulty.stats.retries > 0
    assert fake_github.snapshot()["faults_injected"] > 0


def test_gives_up_with_a_clear_message_after_max_attempts(fake_github: FakeGitHub) -> None:
    fake_github.set_faults(rate=1.0, kinds=["503"], seed=1)
    transport = transport_for(fake_github, max_attempts=3)
    with pytest.raises(GitHubError) as caught:
        transport.get("/orgs/acme/code-scanning/alerts")
    assert str(caught.value) == (
        "GET /orgs/acme/code-scanning/alerts: HTTP 503; gave up after 3 attempts. "
        "GitHub or the network is failing; try again later"
    )


def test_each_retry_is_said_as_it_happens(fake_github: FakeGitHub) -> None:
    """A failing network was 19 s of silence before "gave up after 6 attempts"."""
    fake_github.set_faults(rate=1.0, kinds=["503"], seed=1)
    said: list[str] = []
    transport = transport_for(fake_github, max_attempts=3, notices=said.append)
    with pytest.raises(GitHubError, match="gave up after 3 attempts"):
        transport.get("/orgs/acme/code-scanning/alerts")
    assert [line.split(", retrying in ")[0] for line in said] == [
        "GET /orgs/acme/code-scanning/alerts: HTTP 503; attempt 1 of 3 failed",
        "GET /orgs/acme/code-scanning/alerts: HTTP 503; attempt 2 of 3 failed",
    ]
    assert all(line.endswith(" s") for line in said)
    assert not any(fake_github.token in line for line in said)


def test_primary_rate_limit_is_waited_out_until_reset(fake_github: FakeGitHub) -> None:
    transport = transport_for(fake_github, max_wait=2 * 3600)
    fake_github.set_rate_limit_remaining(fake_github.token, 0)
    started = fake_github.clock.now()
    response = transport.get("/orgs/acme/code-scanning/alerts")
    assert response.status == 200
    assert transport.stats.rate_limit_waits == 1
    # Waited until the budget's reset, on the simulated clock.
    assert fake_github.clock.now() - started >= transport.stats.waited_seconds > 0


def test_primary_rate_limit_too_far_away_is_an_error(fake_github: FakeGitHub) -> None:
    transport = transport_for(fake_github, max_wait=10)
    fake_github.set_rate_limit_remaining(fake_github.token, 0)
    with pytest.raises(GitHubError, match=r"rate limit asks to wait .* more than the 10 s"):
        transport.get("/orgs/acme/code-scanning/alerts")


def test_secondary_rate_limit_retry_after_is_honoured(fake_github: FakeGitHub) -> None:
    # No spacing between writes: the fake's 80-a-minute limit trips, answers 403 with
    # retry-after, and the transport waits that long and carries on. Nothing is lost or
    # doubled.
    transport = transport_for(fake_github, write_interval=0)
    repo = fake_github.repo_names(archived=False, complete=True)[0]
    for i in range(100):
        transport.request("POST", f"/repos/{repo}/labels", body={"name": f"label-{i}"})
    labels = [p.data for p in transport.paginate(f"/repos/{repo}/labels", {"per_page": 100})]
    names = {label["name"] for page in labels for label in page}
    assert {f"label-{i}" for i in range(100)} <= names
    assert transport.stats.rate_limit_waits >= 1
    assert fake_github.snapshot()["secondary_limited"] >= 1


def test_writes_are_spaced_and_never_trip_the_secondary_limit(fake_github: FakeGitHub) -> None:
    transport = transport_for(fake_github)  # default: one write a second
    repo = fake_github.repo_names(archived=False, complete=True)[0]
    started = fake_github.clock.now()
    for i in range(90):
        transport.request("POST", f"/repos/{repo}/labels", body={"name": f"spaced-{i}"})
    assert fake_github.snapshot()["secondary_limited"] == 0
    assert fake_github.clock.now() - started >= 89


def test_a_create_whose_answer_is_lost_is_not_resent(fake_github: FakeGitHub) -> None:
    repo = fake_github.repo_names(archived=False, complete=True)[0]
    transport = transport_for(fake_github, write_interval=0)
    fake_github.set_faults(rate=1.0, kinds=["drop"], ambiguous_writes=True, seed=1)
    with pytest.raises(AmbiguousWrite, match="may or may not have happened"):
        transport.request("POST", f"/repos/{repo}/issues", body={"title": "once"})
    fake_github.set_faults(rate=0.0)
    issues = transport.get(f"/repos/{repo}/issues", {"state": "all", "per_page": 100}).data
    assert [i["title"] for i in issues].count("once") == 1  # applied once, never twice


def test_etag_cache_makes_unchanged_reads_free(fake_github: FakeGitHub) -> None:
    transport = transport_for(fake_github, etags=EtagCache())
    first = transport.get("/orgs/acme/secret-scanning/alerts", {"hide_secret": True})
    counted_before = fake_github.snapshot()["primary_counted"]
    second = transport.get("/orgs/acme/secret-scanning/alerts", {"hide_secret": True})
    assert second.from_cache
    assert second.status == 304
    assert second.data == first.data
    assert transport.stats.not_modified == 1
    assert fake_github.snapshot()["primary_counted"] == counted_before


def test_http_errors_carry_status_and_message(fake_github: FakeGitHub) -> None:
    transport = transport_for(fake_github, token="ghp_not-a-real-token")
    with pytest.raises(RequestFailed) as caught:
        transport.get("/orgs/acme/code-scanning/alerts")
    assert caught.value.status == 401
    assert str(caught.value) == "GET /orgs/acme/code-scanning/alerts: HTTP 401: Bad credentials"
    assert "ghp_not-a-real-token" not in str(caught.value)


def test_links_to_another_host_are_refused(fake_github: FakeGitHub) -> None:
    transport = transport_for(fake_github)
    with pytest.raises(GitHubError, match=r"refusing to send credentials to evil\.example"):
        transport.get("https://evil.example/orgs/acme/code-scanning/alerts")


def test_params_encoding(fake_github: FakeGitHub) -> None:
    transport = transport_for(fake_github)
    transport.get(
        "/orgs/acme/dependabot/alerts",
        {"severity": ["critical", "high"], "per_page": 5, "scope": None},
    )
    logged = fake_github.requests()[-1]
    assert "severity=critical,high" in str(logged)
    assert "scope" not in str(logged)


# -- redirects: a renamed or transferred repository ------------------------------------


def test_a_get_to_a_renamed_repository_is_followed_and_the_new_name_recorded(
    fake_github: FakeGitHub,
) -> None:
    old = fake_github.repo_names(complete=True)[0]
    repo_id = fake_github.rename_repo(old, f"{old}-app")
    transport = transport_for(fake_github)
    response = transport.get(f"/repos/{old}")
    assert response.status == 200
    assert (response.data["full_name"], response.data["id"]) == (f"{old}-app", repo_id)
    assert transport.moved == {old: f"{old}-app"}
    statuses = [(r["path"].split("?")[0], r["status"]) for r in fake_github.requests()]
    assert (f"/repos/{old}", 301) in statuses


def test_a_redirected_listing_is_read_not_taken_for_an_empty_page(
    fake_github: FakeGitHub,
) -> None:
    old = fake_github.repo_names(complete=True)[0]
    transport = transport_for(fake_github)
    before = list(
        iter_alerts(
            transport,
            f"/repos/{old}/code-scanning/alerts",
            "code-scanning",
            AlertQuery(),
            repository=old,
        )
    )
    assert before
    fake_github.rename_repo(old, f"{old}-app")
    after = list(
        iter_alerts(
            transport_for(fake_github),
            f"/repos/{old}/code-scanning/alerts",
            "code-scanning",
            AlertQuery(),
            repository=old,
        )
    )
    # The same alerts, each once, under the name GitHub redirected to.
    assert [a.number for a in after] == [a.number for a in before]
    assert {a.repository for a in after} == {f"{old}-app"}


def test_a_write_to_a_renamed_repository_follows_its_307(fake_github: FakeGitHub) -> None:
    old = fake_github.repo_names(archived=False, complete=True)[0]
    transport = transport_for(fake_github, write_interval=0)
    number = transport.request("POST", f"/repos/{old}/issues", body={"title": "t"}).data["number"]
    fake_github.rename_repo(old, f"{old}-app")
    updated = transport.request("PATCH", f"/repos/{old}/issues/{number}", body={"body": "moved"})
    assert updated.status == 200
    assert updated.data["body"] == "moved"
    assert transport.get(f"/repos/{old}-app/issues/{number}").data["body"] == "moved"
    assert [r["status"] for r in fake_github.requests() if r["method"] == "PATCH"] == [307, 200]


def test_a_transferred_issue_s_redirect_is_followed_but_moves_no_repository(
    fake_github: FakeGitHub,
) -> None:
    """A transferred issue answers 301 to its new address in another repository: the
    issue is read there, and its old repository is not taken for renamed."""
    old, other = fake_github.repo_names(archived=False, complete=True)[:2]
    transport = transport_for(fake_github, write_interval=0)
    number = transport.request("POST", f"/repos/{old}/issues", body={"title": "t"}).data["number"]
    moved = fake_github.transfer_issue(old, number, other)
    response = transport.get(f"/repos/{old}/issues/{number}")
    assert (response.status, response.data["number"]) == (200, moved)
    assert response.data["repository_url"].endswith(f"/repos/{other}")
    assert transport.moved == {}


def test_a_redirect_off_the_api_host_is_refused_and_the_token_stays_home(
    fake_github_factory: Factory,
) -> None:
    home = fake_github_factory(repos=2, alerts=10, seed=2)
    elsewhere = fake_github_factory(repos=2, alerts=10, seed=3)
    old = home.repo_names()[0]
    home.rename_repo(old, f"{old}-app")
    transport = transport_for(home)
    home.state.set_base_url(elsewhere.url)  # its Locations now name another host
    with pytest.raises(GitHubError) as caught:
        transport.get(f"/repos/{old}/code-scanning/alerts")
    assert "not followed, so the token was not sent there" in str(caught.value)
    assert elsewhere.requests() == []
    assert transport.moved == {}


def test_a_page_that_is_not_a_list_is_an_error_not_an_empty_page() -> None:
    moved = Response(301, {}, b'{"message": "Moved Permanently", "url": "x"}')
    with pytest.raises(GitHubError, match=r"answered 301 without a list \(Moved Permanently\)"):
        page_items(moved, "/orgs/acme/code-scanning/alerts")


def test_a_redirect_loop_ends_after_a_few_hops_with_a_clear_message() -> None:
    """Not something GitHub does (so not in the fake): a server that redirects to itself."""

    class Loop(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(301)
            self.send_header("Location", "/repos/acme/web")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Loop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        transport = Transport(auth=None, api_url=f"http://127.0.0.1:{server.server_port}")
        with pytest.raises(GitHubError, match="redirected more than 5 times"):
            transport.get("/repos/acme/web")
        assert transport.stats.requests == 6
    finally:
        server.shutdown()
        server.server_close()
