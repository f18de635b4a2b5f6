"""Behaviour of the fake GitHub (testing/fake_github) over real HTTP, via plain urllib."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from testing.fake_github import FakeConfig, FakeGitHub
from testing.fake_github.alert_query import GENERIC_SECRET_TYPES
from testing.fake_github.http_client import Reply, call, walk

ORG = "acme"
KINDS = ("code-scanning", "dependabot", "secret-scanning")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shared() -> Iterator[FakeGitHub]:
    """A read-only fake shared by the listing tests (no test may change its state)."""
    with FakeGitHub(
        repos=10, alerts=900, seed=7, simulated_clock=True, token_budget=100_000
    ) as fake:
        yield fake


def get(fake: FakeGitHub, path: str, token: str | None = None, **kwargs: Any) -> Reply:
    return call(fake.url, "GET", path, token=token or fake.token, **kwargs)


def send(fake: FakeGitHub, method: str, path: str, body: Any = None, **kwargs: Any) -> Reply:
    kwargs.setdefault("token", fake.token)
    return call(fake.url, method, path, body=body, **kwargs)


def repo_of(fake: FakeGitHub, index: int = 0) -> str:
    """A writable repository with every security feature enabled."""
    return fake.repo_names(archived=False, complete=True)[index]


def collect(fake: FakeGitHub, path: str, token: str | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for reply in walk(fake.url, path, token=token or fake.token):
        assert reply.status == 200, reply.body
        items.extend(reply.body)
    return items


def keys(items: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(item["repository"]["full_name"], item["number"]) for item in items]


# pagination ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("code-scanning", "per_page=100"),
        pytest.param(
            "code-scanning",
            "per_page=37&after=",
            marks=pytest.mark.off_description("an empty cursor: allowEmptyValue is false"),
        ),
        ("secret-scanning", "per_page=25"),
        pytest.param(
            "secret-scanning",
            "per_page=40&after=",
            marks=pytest.mark.off_description("an empty cursor: allowEmptyValue is false"),
        ),
        ("dependabot", "per_page=50"),
        ("dependabot", "per_page=100&sort=updated&direction=asc"),
    ],
)
def test_pagination_walks_every_alert_exactly_once(
    shared: FakeGitHub, kind: str, query: str
) -> None:
    items = collect(shared, f"/orgs/{ORG}/{kind}/alerts?{query}")
    found = keys(items)
    assert len(found) == len(set(found)) == shared.alert_count(kind) - generic(shared, kind)


def generic(fake: FakeGitHub, kind: str) -> int:
    """How many of the org's alerts of ``kind`` are of generic secret patterns."""
    if kind != "secret-scanning":
        return 0
    org = fake.state.org(ORG)
    assert org is not None
    return sum(a.secret_type.slug in GENERIC_SECRET_TYPES for a in org.secret_alerts)


def test_generic_secret_patterns_are_listed_only_when_named(shared: FakeGitHub) -> None:
    # `secret_type`: "All default secret patterns are returned. To return generic
    # patterns, pass the token name(s) in the parameter."
    assert generic(shared, "secret-scanning") > 0
    plain = collect(shared, f"/orgs/{ORG}/secret-scanning/alerts?per_page=100")
    assert not {a["secret_type"] for a in plain} & GENERIC_SECRET_TYPES
    named = ",".join(sorted(GENERIC_SECRET_TYPES))
    only = collect(shared, f"/orgs/{ORG}/secret-scanning/alerts?per_page=100&secret_type={named}")
    assert {a["secret_type"] for a in only} <= GENERIC_SECRET_TYPES
    assert len(plain) + len(only) == shared.alert_count("secret-scanning")
    wanted = "password,npm_access_token"
    mixed = collect(shared, f"/orgs/{ORG}/secret-scanning/alerts?per_page=100&secret_type={wanted}")
    assert {a["secret_type"] for a in mixed} <= {"password", "npm_access_token"}


def test_page_links_look_like_githubs(shared: FakeGitHub) -> None:
    reply = get(shared, f"/orgs/{ORG}/code-scanning/alerts?per_page=10&page=2&state=open")
    total = len(collect(shared, f"/orgs/{ORG}/code-scanning/alerts?per_page=100&state=open"))
    last = -(-total // 10)
    base = f"{shared.url}/orgs/{ORG}/code-scanning/alerts?state=open"
    assert reply.header("Link") == (
        f'<{base}&page=1&per_page=10>; rel="prev", <{base}&page=3&per_page=10>; rel="next", '
        f'<{base}&page={last}&per_page=10>; rel="last", <{base}&page=1&per_page=10>; rel="first"'
    )
    assert len(reply.body) == 10


def test_cursor_links_and_walking_backwards(shared: FakeGitHub) -> None:
    first = get(shared, f"/orgs/{ORG}/dependabot/alerts?per_page=20")
    links = first.links()
    assert set(links) == {"next"}
    assert "after=" in links["next"]
    assert "&page=" not in links["next"]
    second = get(shared, links["next"])
    assert set(second.links()) == {"prev", "next"}
    back = get(shared, second.links()["prev"])
    assert keys(back.body) == keys(first.body)
    forward_more = get(shared, f"/orgs/{ORG}/dependabot/alerts?per_page=40")
    assert keys(forward_more.body) == keys(first.body) + keys(second.body)


@pytest.mark.off_description("page: Dependabot declares no page parameter")
def test_dependabot_is_cursor_only(shared: FakeGitHub) -> None:
    for path in (
        f"/orgs/{ORG}/dependabot/alerts?page=2",
        f"/repos/{repo_of(shared)}/dependabot/alerts?page=1",
    ):
        reply = get(shared, path)
        assert reply.status == 400
        assert "`page` parameter is not supported" in reply.body["message"]


def test_keep_alive_and_date_header_follow_the_clock(shared: FakeGitHub) -> None:
    host, port = shared.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        for _ in range(3):  # three requests, one connection
            conn.request("GET", "/rate_limit", headers={"Authorization": f"token {shared.token}"})
            response = conn.getresponse()
            assert response.status == 200
            assert json.loads(response.read())["rate"]["limit"] == 100_000
            assert response.getheader("Date", "").endswith(" GMT")
            assert response.getheader("Date", "")[5:16] == time.strftime(
                "%d %b %Y", time.gmtime(shared.clock.now())
            )
    finally:
        conn.close()


def test_per_page_is_capped_at_100_and_defaults_to_30(shared: FakeGitHub) -> None:
    assert len(get(shared, f"/orgs/{ORG}/code-scanning/alerts?per_page=500").body) == 100
    assert len(get(shared, f"/orgs/{ORG}/code-scanning/alerts").body) == 30


@pytest.mark.off_description("a cursor GitHub never issued; its 400 is not declared")
def test_invalid_cursor_is_a_400(shared: FakeGitHub) -> None:
    reply = get(shared, f"/orgs/{ORG}/secret-scanning/alerts?after=bm9wZQ")
    assert reply.status == 400


# filters and sorting -----------------------------------------------------------------


@pytest.mark.off_description("state=bogus")
def test_code_scanning_filters(shared: FakeGitHub) -> None:
    base = f"/orgs/{ORG}/code-scanning/alerts?per_page=100"
    everything = collect(shared, base)
    for state in ("open", "fixed", "dismissed"):
        got = collect(shared, f"{base}&state={state}")
        assert got
        assert all(a["state"] == state for a in got)
        assert len(got) == sum(1 for a in everything if a["state"] == state)
    closed = collect(shared, f"{base}&state=closed")
    assert {a["state"] for a in closed} == {"fixed", "dismissed"}
    high = collect(shared, f"{base}&severity=high")
    assert high
    assert all(a["rule"]["security_severity_level"] == "high" for a in high)
    notes = collect(shared, f"{base}&severity=note")
    assert all(a["rule"]["severity"] == "note" for a in notes)
    for tool in ("CodeQL", "Semgrep OSS", "Trivy"):
        got = collect(shared, f"{base}&tool_name={tool.replace(' ', '%20')}")
        assert got
        assert {a["tool"]["name"] for a in got} == {tool}
    assert get(shared, f"{base}&state=bogus").status == 400


def test_secret_scanning_filters_and_hide_secret(shared: FakeGitHub) -> None:
    base = f"/orgs/{ORG}/secret-scanning/alerts?per_page=100"
    everything = collect(shared, base)
    assert everything
    assert all("secret" in a for a in everything)
    hidden = collect(shared, f"{base}&hide_secret=true")
    assert hidden
    assert all("secret" not in a for a in hidden)
    resolved = collect(shared, f"{base}&state=resolved")
    assert resolved
    assert all(a["state"] == "resolved" and a["resolution"] for a in resolved)
    types = collect(shared, f"{base}&secret_type=aws_access_key_id,slack_api_token")
    assert {a["secret_type"] for a in types} == {"aws_access_key_id", "slack_api_token"}
    active = collect(shared, f"{base}&validity=active,inactive")
    assert {a["validity"] for a in active} == {"active", "inactive"}
    revoked = collect(shared, f"{base}&resolution=revoked")
    assert revoked
    assert all(a["resolution"] == "revoked" for a in revoked)


def test_dependabot_filters(shared: FakeGitHub) -> None:
    base = f"/orgs/{ORG}/dependabot/alerts?per_page=100"
    everything = collect(shared, base)
    got = collect(shared, f"{base}&state=fixed,dismissed")
    assert {a["state"] for a in got} == {"fixed", "dismissed"}
    assert len(got) == sum(1 for a in everything if a["state"] in ("fixed", "dismissed"))
    crit = collect(shared, f"{base}&severity=critical,high")
    assert crit
    assert {a["security_advisory"]["severity"] for a in crit} <= {"critical", "high"}
    npm = collect(shared, f"{base}&ecosystem=npm")
    assert npm
    assert {a["dependency"]["package"]["ecosystem"] for a in npm} == {"npm"}
    package = npm[0]["dependency"]["package"]["name"]
    same = collect(shared, f"{base}&package={package}")
    assert same
    assert {a["dependency"]["package"]["name"] for a in same} == {package}
    unpatched = [
        a for a in everything if a["security_vulnerability"]["first_patched_version"] is None
    ]
    assert unpatched, "some advisories have no patched version"


def test_sort_updated_desc_supports_incremental_listing(
    fake_github_factory: Callable[..., FakeGitHub],
) -> None:
    fake = fake_github_factory(repos=4, alerts=200)
    base = f"/orgs/{ORG}/code-scanning/alerts?per_page=100&sort=updated&direction=desc"
    stamps = [a["updated_at"] for a in collect(fake, base)]
    assert stamps == sorted(stamps, reverse=True)
    watermark = stamps[0]
    fake.clock.advance(3600)
    repo = repo_of(fake)
    fake.set_alert_state(repo, "code-scanning", 1, "dismissed", reason="won't fix")
    newer = get(fake, f"{base}&per_page=5").body
    assert (newer[0]["repository"]["full_name"], newer[0]["number"]) == (repo, 1)
    assert newer[0]["updated_at"] > watermark >= newer[1]["updated_at"]


def test_repository_level_listing_and_single_alerts(shared: FakeGitHub) -> None:
    org_items = collect(shared, f"/orgs/{ORG}/code-scanning/alerts?per_page=100")
    full_name = org_items[0]["repository"]["full_name"]
    repo_items = collect(shared, f"/repos/{full_name}/code-scanning/alerts?per_page=100")
    assert sorted(a["number"] for a in repo_items) == sorted(
        a["number"] for a in org_items if a["repository"]["full_name"] == full_name
    )
    assert all("repository" not in a for a in repo_items)
    one = get(shared, f"/repos/{full_name}/code-scanning/alerts/{repo_items[0]['number']}")
    assert one.status == 200
    assert one.body["number"] == repo_items[0]["number"]
    assert "help" in one.body["rule"]
    assert get(shared, f"/repos/{full_name}/code-scanning/alerts/99999").status == 404


# auth, permissions, disabled features --------------------------------------------------


def test_auth_errors(fake_github: FakeGitHub) -> None:
    path = f"/orgs/{ORG}/code-scanning/alerts"
    missing = call(fake_github.url, "GET", path)
    assert missing.status == 401
    assert missing.body["message"] == "Requires authentication"
    bad = get(fake_github, path, token="ghp_nope")
    assert bad.status == 401
    assert bad.body["message"] == "Bad credentials"
    assert "documentation_url" in bad.body
    assert get(fake_github, path, scheme="Bearer").status == 200
    token = fake_github.add_token()
    assert get(fake_github, path, token=token).status == 200
    fake_github.revoke_token(token)
    assert get(fake_github, path, token=token).status == 401


@pytest.mark.parametrize(
    ("kind", "permission"),
    [
        ("code-scanning", "security_events"),
        ("dependabot", "vulnerability_alerts"),
        ("secret-scanning", "secret_scanning_alerts"),
    ],
)
def test_missing_permission_names_the_permission(
    fake_github: FakeGitHub, kind: str, permission: str
) -> None:
    token = fake_github.add_token()
    path = f"/orgs/{ORG}/{kind}/alerts"
    assert get(fake_github, path, token=token).status == 200
    fake_github.remove_permission(token, permission)
    reply = get(fake_github, path, token=token)
    assert reply.status == 403
    assert reply.body["message"] == "Resource not accessible by integration"
    assert reply.header("x-accepted-github-permissions") == f"{permission}=read"


def test_write_needs_write_permission(fake_github: FakeGitHub) -> None:
    token = fake_github.add_token(permissions={"issues": "read", "metadata": "read"})
    repo = repo_of(fake_github)
    assert get(fake_github, f"/repos/{repo}/issues", token=token).status == 200
    reply = send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "x"}, token=token)
    assert reply.status == 403
    assert reply.header("x-accepted-github-permissions") == "issues=write"


@pytest.mark.off_description("a path GitHub does not have")
def test_unknown_org_and_foreign_org_are_404(fake_github: FakeGitHub) -> None:
    assert get(fake_github, "/orgs/nope/code-scanning/alerts").status == 404
    other = fake_github.add_token(orgs=["someone-else"])
    reply = get(fake_github, f"/orgs/{ORG}/dependabot/alerts", token=other)
    assert reply.status == 404
    assert reply.body["message"] == "Not Found"
    unknown = get(fake_github, "/no/such/route")
    assert unknown.status == 404
    assert unknown.body == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404",
    }


def test_disabled_features_answer_like_github(fake_github: FakeGitHub) -> None:
    repo = repo_of(fake_github)
    before = {kind: fake_github.alert_count(kind) for kind in KINDS}
    for feature in ("code_scanning", "dependabot", "secret_scanning"):
        fake_github.set_feature(repo, feature, False)
    cs = get(fake_github, f"/repos/{repo}/code-scanning/alerts")
    assert cs.status == 403
    assert cs.body["message"] == (
        "Advanced Security must be enabled for this repository to use code scanning."
    )
    dep = get(fake_github, f"/repos/{repo}/dependabot/alerts")
    assert (dep.status, dep.body["message"]) == (
        403,
        "Dependabot alerts are disabled for this repository.",
    )
    sec = get(fake_github, f"/repos/{repo}/secret-scanning/alerts/1")
    assert (sec.status, sec.body["message"]) == (
        404,
        "Secret scanning is disabled on this repository.",
    )
    for kind in KINDS:
        listed = keys(collect(fake_github, f"/orgs/{ORG}/{kind}/alerts?per_page=100"))
        assert all(name != repo for name, _ in listed)
        assert len(listed) <= before[kind]


def test_archive_and_blank_at_runtime(fake_github: FakeGitHub) -> None:
    repo = repo_of(fake_github, 1)
    fake_github.archive_repo(repo)
    assert get(fake_github, f"/repos/{repo}").body["archived"] is True
    reply = send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "t"})
    assert (reply.status, reply.body["message"]) == (
        403,
        "Repository was archived so is read-only.",
    )
    fake_github.blank_alerts(kinds=["code-scanning"])
    assert get(fake_github, f"/orgs/{ORG}/code-scanning/alerts").body == []
    assert get(fake_github, f"/orgs/{ORG}/dependabot/alerts").body != []
    fake_github.blank_alerts(kinds=["code-scanning"], blank=False)
    assert get(fake_github, f"/orgs/{ORG}/code-scanning/alerts").body != []


def test_issues_turned_off_answer_410_on_every_issue_write(fake_github: FakeGitHub) -> None:
    repo = repo_of(fake_github, 2)
    opened = send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "t"})
    number = opened.body["number"]
    # Through the control API, as a harness in another process flips it.
    off = {"repo": repo, "feature": "has_issues"}
    flip = send(fake_github, "POST", "/_fake/repos/feature", off)
    assert flip.status == 200
    assert get(fake_github, f"/repos/{repo}").body["has_issues"] is False
    listed = collect(fake_github, f"/orgs/{ORG}/repos?per_page=100")
    assert [r["has_issues"] for r in listed if r["full_name"] == repo] == [False]
    writes = [
        ("POST", f"/repos/{repo}/issues", {"title": "t"}),
        ("PATCH", f"/repos/{repo}/issues/{number}", {"state": "closed"}),
        ("POST", f"/repos/{repo}/issues/{number}/comments", {"body": "b"}),
        ("POST", f"/repos/{repo}/issues/{number}/labels", {"labels": ["x"]}),
    ]
    for method, path, body in writes:
        reply = send(fake_github, method, path, body)
        assert (reply.status, reply.body["message"]) == (410, "Issues are disabled for this repo")
    fake_github.set_feature(repo, "has_issues", True)
    assert send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "t"}).status == 201


def test_a_deleted_issue_answers_410_and_leaves_the_listings(fake_github: FakeGitHub) -> None:
    repo = repo_of(fake_github, 1)
    number = send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "t"}).body["number"]
    done = send(fake_github, "POST", "/_fake/issues/delete", {"repo": repo, "number": number})
    assert done.status == 200
    for method, path, body in [
        ("GET", f"/repos/{repo}/issues/{number}", None),
        ("PATCH", f"/repos/{repo}/issues/{number}", {"state": "closed"}),
        ("GET", f"/repos/{repo}/issues/{number}/comments", None),
        ("POST", f"/repos/{repo}/issues/{number}/comments", {"body": "b"}),
    ]:
        reply = send(fake_github, method, path, body)
        assert (reply.status, reply.body["message"]) == (410, "This issue was deleted")
    assert number not in [i["number"] for i in collect(fake_github, f"/repos/{repo}/issues")]
    # Its number stays taken.
    assert send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "u"}).body["number"] == (
        number + 1
    )


def test_a_transferred_issue_answers_301_to_its_new_address(fake_github: FakeGitHub) -> None:
    repo, other = repo_of(fake_github, 1), repo_of(fake_github, 2)
    opened = send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "t", "labels": ["x"]})
    number = opened.body["number"]
    moved = send(
        fake_github, "POST", "/_fake/issues/transfer", {"repo": repo, "number": number, "to": other}
    ).body["number"]
    old = get(fake_github, f"/repos/{repo}/issues/{number}")
    other_id = get(fake_github, f"/repos/{other}").body["id"]
    location = f"{fake_github.url}/repositories/{other_id}/issues/{moved}"
    assert (old.status, old.header("location"), old.body["url"]) == (301, location, location)
    assert send(fake_github, "PATCH", f"/repos/{repo}/issues/{number}", {}).status == 301
    assert send(
        fake_github, "POST", f"/repos/{repo}/issues/{number}/comments", {"body": "b"}
    ).status == (404)
    there = get(fake_github, location)
    assert (there.status, there.body["title"], there.body["number"]) == (200, "t", moved)
    assert [label["name"] for label in there.body["labels"]] == ["x"]
    assert number not in [i["number"] for i in collect(fake_github, f"/repos/{repo}/issues")]


def test_add_alert_and_change_state(fake_github: FakeGitHub) -> None:
    repo = repo_of(fake_github)
    number = fake_github.add_alert(repo, "code-scanning", rule="js/xss", path="web/app.js")
    alert = get(fake_github, f"/repos/{repo}/code-scanning/alerts/{number}").body
    assert alert["rule"]["id"] == "js/xss"
    assert alert["state"] == "open"
    assert "external/cwe/cwe-079" in alert["rule"]["tags"]
    fake_github.set_alert_state(repo, "code-scanning", number, "fixed")
    alert = get(fake_github, f"/repos/{repo}/code-scanning/alerts/{number}").body
    assert alert["state"] == "fixed"
    assert alert["fixed_at"]
    secret = fake_github.add_alert(repo, "secret-scanning", secret_type="aws_access_key_id")
    body = get(fake_github, f"/repos/{repo}/secret-scanning/alerts/{secret}").body
    assert body["secret"].startswith("AKIA")
    assert body["validity"] == "active"


# rate limits -------------------------------------------------------------------------


def test_rate_limit_headers_and_exhaustion(fake_github: FakeGitHub) -> None:
    token = fake_github.add_token(budget=3)
    path = f"/orgs/{ORG}/repos"
    for used in (1, 2, 3):
        reply = get(fake_github, path, token=token)
        assert reply.status == 200
        assert reply.header("x-ratelimit-limit") == "3"
        assert reply.header("x-ratelimit-used") == str(used)
        assert reply.header("x-ratelimit-remaining") == str(3 - used)
        assert reply.header("x-ratelimit-resource") == "core"
        assert int(reply.header("x-ratelimit-reset") or 0) > fake_github.clock.now()
    limited = get(fake_github, path, token=token)
    assert limited.status == 403
    assert limited.body["message"].startswith("API rate limit exceeded")
    assert limited.header("x-ratelimit-remaining") == "0"
    overview = get(fake_github, "/rate_limit", token=token)
    assert overview.status == 200
    assert overview.body["rate"]["remaining"] == 0
    assert get(fake_github, "/rate_limit", token=token).body["rate"]["used"] == 3
    fake_github.clock.advance(3601)
    assert get(fake_github, path, token=token).status == 200


def test_rate_limit_can_answer_429(fake_github_factory: Callable[..., FakeGitHub]) -> None:
    fake = fake_github_factory(repos=2, alerts=0, config=FakeConfig(rate_limit_status=429))
    fake.set_rate_limit_remaining(fake.token, 0)
    assert get(fake, "/orgs/acme/repos").status == 429


def test_not_modified_is_not_counted(fake_github: FakeGitHub) -> None:
    path = f"/orgs/{ORG}/secret-scanning/alerts?per_page=5"
    first = get(fake_github, path)
    etag = first.header("ETag")
    assert etag
    assert etag.startswith('W/"')
    used = first.header("x-ratelimit-used")
    again = get(fake_github, path, headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.raw == b""
    assert again.header("x-ratelimit-used") == used
    assert fake_github.snapshot()["not_modified"] == 1
    changed = get(fake_github, path, headers={"If-None-Match": 'W/"other"'})
    assert changed.status == 200
    assert int(changed.header("x-ratelimit-used") or 0) == int(used or 0) + 1


def test_nullable_alert_fields_can_be_served_null(fake_github: FakeGitHub) -> None:
    # GitHub's schemas: `code-scanning-alert-state` and secret scanning's
    # `nullable-alert-updated-at` are "nullable": true.
    repo = fake_github.repo_names(archived=False, complete=True)[0]
    code = fake_github.add_alert(repo, "code-scanning")
    secret = fake_github.add_alert(repo, "secret-scanning")
    reply = send(
        fake_github,
        "POST",
        "/_fake/alerts/null",
        {"repo": repo, "kind": "code-scanning", "number": code, "field": "state"},
    )
    assert reply.status == 200
    fake_github.null_field(repo, "secret-scanning", secret, "updated_at")
    alert = get(fake_github, f"/repos/{repo}/code-scanning/alerts/{code}").body
    assert alert["state"] is None
    assert alert["most_recent_instance"]["state"] is None
    listed = collect(fake_github, f"/repos/{repo}/secret-scanning/alerts?per_page=100")
    assert next(a for a in listed if a["number"] == secret)["updated_at"] is None
    bad = {"repo": repo, "kind": "dependabot", "number": 1, "field": "state"}
    assert send(fake_github, "POST", "/_fake/alerts/null", bad).status in (400, 404)


def test_an_etag_belongs_to_the_token_that_got_it(fake_github: FakeGitHub) -> None:
    # GitHub's ETags are per token (github/docs#34689): a new App token each run never
    # gets a 304 for what the last run's token stored.
    path = f"/orgs/{ORG}/secret-scanning/alerts?per_page=5"
    first = get(fake_github, path)
    etag = first.header("ETag")
    assert etag
    other = fake_github.add_token(kind="installation")
    fresh = get(fake_github, path, token=other, headers={"If-None-Match": etag})
    assert fresh.status == 200
    assert fresh.raw == first.raw
    assert fresh.header("ETag") not in (None, etag)
    again = get(fake_github, path, token=other, headers={"If-None-Match": fresh.header("ETag")})
    assert again.status == 304


def test_secondary_limit_per_minute_with_retry_after(
    fake_github_factory: Callable[..., FakeGitHub],
) -> None:
    fake = fake_github_factory(repos=2, alerts=0, config=FakeConfig(secondary_per_minute=3))
    repo = repo_of(fake)
    for i in range(3):
        assert send(fake, "POST", f"/repos/{repo}/issues", {"title": f"t{i}"}).status == 201
    limited = send(fake, "POST", f"/repos/{repo}/issues", {"title": "t3"})
    assert limited.status == 403
    assert limited.body["message"].startswith("You have exceeded a secondary rate limit")
    assert 1 <= int(limited.header("retry-after") or 0) <= 60
    assert get(fake, f"/repos/{repo}/issues").status == 200  # reads are not limited
    fake.clock.advance(int(limited.header("retry-after") or 0))
    assert send(fake, "POST", f"/repos/{repo}/issues", {"title": "t4"}).status == 201
    assert fake.snapshot()["secondary_limited"] == 1


def test_secondary_limit_refuses_concurrent_writes(
    fake_github_factory: Callable[..., FakeGitHub],
) -> None:
    fake = fake_github_factory(repos=2, alerts=0, config=FakeConfig(write_delay=0.4))
    repo = repo_of(fake)
    replies: list[Reply] = []

    def write(title: str) -> None:
        replies.append(send(fake, "POST", f"/repos/{repo}/issues", {"title": title}))

    threads = [threading.Thread(target=write, args=(f"t{i}",)) for i in range(2)]
    threads[0].start()
    time.sleep(0.1)
    threads[1].start()
    for thread in threads:
        thread.join()
    assert sorted(r.status for r in replies) == [201, 403]
    refused = next(r for r in replies if r.status == 403)
    assert refused.header("retry-after")


def test_hourly_secondary_limit(fake_github_factory: Callable[..., FakeGitHub]) -> None:
    fake = fake_github_factory(
        repos=3, alerts=0, config=FakeConfig(secondary_per_minute=1000, secondary_per_hour=5)
    )
    repo = repo_of(fake)
    statuses = [
        send(fake, "POST", f"/repos/{repo}/labels", {"name": f"l{i}"}).status for i in range(6)
    ]
    assert statuses == [201] * 5 + [403]
    fake.clock.advance(3600)
    assert send(fake, "POST", f"/repos/{repo}/labels", {"name": "later"}).status == 201


# faults ------------------------------------------------------------------------------


def _outcomes(fake: FakeGitHub, paths: list[str]) -> list[str]:
    result = []
    for path in paths:
        try:
            result.append(str(get(fake, path, timeout=0.3).status))
        except (OSError, http.client.HTTPException) as exc:
            result.append(type(exc).__name__)
    return result


def test_fault_injection_is_deterministic_and_retries_converge(
    fake_github_factory: Callable[..., FakeGitHub],
) -> None:
    fake = fake_github_factory(repos=4, alerts=250)
    clean = keys(collect(fake, f"/orgs/{ORG}/code-scanning/alerts?per_page=10"))
    fake.set_faults(
        rate=0.2, kinds=["500", "502", "503", "drop", "timeout"], seed=99, timeout_hold=0.6
    )
    paths = [f"/orgs/{ORG}/code-scanning/alerts?per_page=10&page={p}" for p in range(1, 31)]
    first = _outcomes(fake, paths)
    fake.set_faults(seed=99)
    assert _outcomes(fake, paths) == first
    assert 0 < sum(o != "200" for o in first) < len(first)
    assert fake.snapshot()["faults_injected"] == 2 * sum(o != "200" for o in first)

    fake.set_faults(seed=5)
    retried: list[tuple[str, int]] = []
    url: str | None = f"/orgs/{ORG}/code-scanning/alerts?per_page=10"
    attempts = 0
    while url:
        attempts += 1
        try:
            reply = get(fake, url, timeout=0.3)
        except (OSError, http.client.HTTPException):
            continue
        if reply.status >= 500:
            continue
        assert reply.status == 200
        retried += keys(reply.body)
        url = reply.links().get("next")
    assert retried == clean
    assert attempts > len(clean) // 10


def test_faults_leave_state_unchanged_unless_ambiguous(fake_github: FakeGitHub) -> None:
    repo = repo_of(fake_github)
    fake_github.set_faults(rate=1.0, kinds=["drop"], seed=1)
    with pytest.raises((OSError, http.client.HTTPException)):
        send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "lost"}, timeout=2)
    status = call(fake_github.url, "GET", "/_fake/stats").status  # control API is exempt
    assert status == 200
    fake_github.set_faults(ambiguous_writes=True)
    with pytest.raises((OSError, http.client.HTTPException)):
        send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "applied"}, timeout=2)
    fake_github.set_faults(rate=0.0)
    titles = [i["title"] for i in get(fake_github, f"/repos/{repo}/issues").body]
    assert titles == ["applied"]


def test_fault_status_bodies(fake_github: FakeGitHub) -> None:
    for kind in ("500", "502", "503"):
        fake_github.set_faults(rate=1.0, kinds=[kind])
        reply = get(fake_github, f"/orgs/{ORG}/repos")
        assert reply.status == int(kind)
        assert reply.body["message"]
    fake_github.set_faults(rate=0.0)


# determinism -------------------------------------------------------------------------


def _bytes(fake: FakeGitHub) -> bytes:
    parts = []
    for path in (
        f"/orgs/{ORG}/code-scanning/alerts?per_page=100",
        f"/orgs/{ORG}/dependabot/alerts?per_page=100",
        f"/orgs/{ORG}/secret-scanning/alerts?per_page=100",
        f"/orgs/{ORG}/repos?per_page=100",
        f"/orgs/{ORG}/properties/values?per_page=100",
    ):
        for reply in walk(fake.url, path, token=fake.token):
            parts.append(reply.raw.replace(fake.url.encode(), b"BASE"))
    return b"".join(parts)


def test_generation_is_deterministic() -> None:
    with (
        FakeGitHub(repos=6, alerts=300, seed=42) as one,
        FakeGitHub(repos=6, alerts=300, seed=42) as two,
        FakeGitHub(repos=6, alerts=300, seed=43) as other,
    ):
        assert _bytes(one) == _bytes(two)
        assert _bytes(one) != _bytes(other)


def test_seeded_org_is_realistic(shared: FakeGitHub) -> None:
    repos = collect(shared, f"/orgs/{ORG}/repos?per_page=100")
    assert len(repos) == 10
    assert {r["visibility"] for r in repos} <= {"public", "private", "internal"}
    assert all({"tier", "team"} <= set(r["custom_properties"]) for r in repos)
    props = collect(shared, f"/orgs/{ORG}/properties/values?per_page=100")
    assert {p["repository_full_name"] for p in props} == {r["full_name"] for r in repos}
    code = collect(shared, f"/orgs/{ORG}/code-scanning/alerts?per_page=100")
    dependabot = collect(shared, f"/orgs/{ORG}/dependabot/alerts?per_page=100")
    secrets = collect(shared, f"/orgs/{ORG}/secret-scanning/alerts?per_page=100")
    total = len(code) + len(dependabot) + len(secrets)
    assert 0.45 < len(code) / total < 0.75
    assert 0.1 < len(dependabot) / total < 0.4
    assert any(t.startswith("external/cwe/cwe-") for a in code for t in a["rule"]["tags"])
    assert any("test" in a["most_recent_instance"]["classifications"] for a in code)
    assert all(a["security_advisory"]["ghsa_id"].startswith("GHSA-") for a in dependabot)
    assert {a["validity"] for a in secrets} == {"active", "inactive", "unknown"}


# issues, labels, comments, search --------------------------------------------------------


@pytest.mark.off_description("an issue without a title")
def test_issue_lifecycle(fake_github: FakeGitHub) -> None:
    repo = repo_of(fake_github)
    created = send(
        fake_github,
        "POST",
        f"/repos/{repo}/issues",
        {
            "title": "Fix SQL injection",
            "body": "<!-- marker -->",
            "labels": ["security", "bug"],
            "assignees": ["octocat"],
        },
    )
    assert created.status == 201
    number = created.body["number"]
    assert [lb["name"] for lb in created.body["labels"]] == ["security", "bug"]
    assert created.body["assignees"][0]["login"] == "octocat"
    fake_github.clock.advance(10)
    send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "Other", "labels": ["bug"]})
    listed = get(fake_github, f"/repos/{repo}/issues?labels=security,bug").body
    assert [i["number"] for i in listed] == [number]
    newest_first = get(fake_github, f"/repos/{repo}/issues").body
    assert [i["number"] for i in newest_first] == [number + 1, number]
    closed = send(
        fake_github,
        "PATCH",
        f"/repos/{repo}/issues/{number}",
        {"state": "closed", "state_reason": "not_planned"},
    )
    assert closed.body["state"] == "closed"
    assert closed.body["state_reason"] == "not_planned"
    assert closed.body["closed_at"]
    assert [i["number"] for i in get(fake_github, f"/repos/{repo}/issues").body] == [number + 1]
    all_issues = get(fake_github, f"/repos/{repo}/issues?state=all&direction=asc").body
    assert [i["number"] for i in all_issues] == [number, number + 1]
    reopened = send(fake_github, "PATCH", f"/repos/{repo}/issues/{number}", {"state": "open"})
    assert reopened.body["state_reason"] == "reopened"
    bad = send(fake_github, "POST", f"/repos/{repo}/issues", {"body": "no title"})
    assert bad.status == 422
    assert bad.body["errors"][0]["field"] == "title"


def test_comments_and_labels(fake_github: FakeGitHub) -> None:
    repo = repo_of(fake_github)
    number = send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "t"}).body["number"]
    comment = send(
        fake_github, "POST", f"/repos/{repo}/issues/{number}/comments", {"body": "first"}
    )
    assert comment.status == 201
    edited = send(
        fake_github,
        "PATCH",
        f"/repos/{repo}/issues/comments/{comment.body['id']}",
        {"body": "edited"},
    )
    assert edited.body["body"] == "edited"
    comments = get(fake_github, f"/repos/{repo}/issues/{number}/comments").body
    assert [c["body"] for c in comments] == ["edited"]
    assert get(fake_github, f"/repos/{repo}/issues/{number}").body["comments"] == 1
    label = send(
        fake_github, "POST", f"/repos/{repo}/labels", {"name": "campaign", "color": "ff0000"}
    )
    assert label.status == 201
    duplicate = send(fake_github, "POST", f"/repos/{repo}/labels", {"name": "Campaign"})
    assert duplicate.status == 422
    assert duplicate.body["errors"][0]["code"] == "already_exists"
    added = send(
        fake_github,
        "POST",
        f"/repos/{repo}/issues/{number}/labels",
        {"labels": ["campaign", "new-one"]},
    )
    assert [lb["name"] for lb in added.body] == ["campaign", "new-one"]
    names = [lb["name"] for lb in get(fake_github, f"/repos/{repo}/labels?per_page=100").body]
    assert {"bug", "campaign", "new-one"} <= set(names)


def test_search_is_eventually_consistent(fake_github: FakeGitHub) -> None:
    repo = repo_of(fake_github)
    send(
        fake_github,
        "POST",
        f"/repos/{repo}/issues",
        {"title": "Campaign sql-injection", "body": "marker-123", "labels": ["security"]},
    )
    query = f"/search/issues?q=repo:{repo}+is:issue+label:security+marker-123"
    fresh = get(fake_github, query)
    assert fresh.status == 200
    assert fresh.body["total_count"] == 0
    assert fresh.header("x-ratelimit-resource") == "search"
    fake_github.clock.advance(61)
    later = get(fake_github, query)
    assert later.body["total_count"] == 1
    assert later.body["items"][0]["title"] == "Campaign sql-injection"


def test_zero_writes_are_observable(fake_github: FakeGitHub) -> None:
    get(fake_github, f"/orgs/{ORG}/code-scanning/alerts")
    get(fake_github, f"/orgs/{ORG}/repos")
    snapshot = fake_github.snapshot()
    assert snapshot["writes"] == 0
    assert snapshot["total"] == 2
    assert snapshot["by_route"] == {
        "GET /orgs/{org}/code-scanning/alerts": 1,
        "GET /orgs/{org}/repos": 1,
    }
    send(fake_github, "POST", f"/repos/{repo_of(fake_github)}/labels", {"name": "x"})
    assert fake_github.snapshot()["writes"] == 1
    log = fake_github.requests()
    assert [e["method"] for e in log] == ["GET", "GET", "POST"]
    assert log[-1]["route"] == "/repos/{owner}/{repo}/labels"
    assert log[-1]["status"] == 201


# campaigns and autofix -------------------------------------------------------------------


def _campaign(
    fake: FakeGitHub, name: str = "SQLi burn-down", count: int = 3, **extra: Any
) -> dict[str, Any]:
    alerts = collect(fake, f"/orgs/{ORG}/code-scanning/alerts?per_page=100")[:count]
    groups: dict[int, list[int]] = {}
    for alert in alerts:
        groups.setdefault(alert["repository"]["id"], []).append(alert["number"])
    return {
        "name": name,
        "description": "Fix them all",
        "ends_at": "2026-12-31T00:00:00Z",
        "code_scanning_alerts": [
            {"repository_id": rid, "alert_numbers": numbers} for rid, numbers in groups.items()
        ],
        **extra,
    }


@pytest.mark.off_description("names and descriptions over the limits")
def test_campaign_lifecycle_and_limits(fake_github: FakeGitHub) -> None:
    base = f"/orgs/{ORG}/campaigns"
    created = send(fake_github, "POST", base, _campaign(fake_github, managers=["mona"]))
    assert created.status == 200, created.body
    number = created.body["number"]
    stats = created.body["alert_stats"]
    assert stats["open_count"] + stats["closed_count"] == 3
    assert get(fake_github, f"{base}/{number}").body["name"] == "SQLi burn-down"
    patched = send(fake_github, "PATCH", f"{base}/{number}", {"description": "Updated"})
    assert patched.body["description"] == "Updated"

    too_long = send(fake_github, "POST", base, _campaign(fake_github, name="x" * 51))
    assert too_long.status == 422
    assert "50" in too_long.body["message"]
    long_description = _campaign(fake_github)
    long_description["description"] = "d" * 256
    assert send(fake_github, "POST", base, long_description).status == 422
    repo_id = get(fake_github, f"/repos/{repo_of(fake_github)}").body["id"]
    too_many = _campaign(fake_github)
    too_many["code_scanning_alerts"] = [
        {"repository_id": repo_id, "alert_numbers": list(range(1, 1002))}
    ]
    reply = send(fake_github, "POST", base, too_many)
    assert reply.status == 422
    assert "1000" in reply.body["message"]

    for i in range(9):
        assert send(fake_github, "POST", base, _campaign(fake_github, name=f"c{i}")).status == 200
    eleventh = send(fake_github, "POST", base, _campaign(fake_github, name="eleven"))
    assert eleventh.status == 422
    assert "10 open campaigns" in eleventh.body["message"]
    closed = send(fake_github, "PATCH", f"{base}/{number}", {"state": "closed"})
    assert closed.body["state"] == "closed"
    assert closed.body["closed_at"]
    assert send(fake_github, "POST", base, _campaign(fake_github, name="eleven")).status == 200
    assert len(get(fake_github, f"{base}?per_page=100").body) == 11
    assert len(get(fake_github, f"{base}?state=open&per_page=100").body) == 10
    assert send(fake_github, "DELETE", f"{base}/{number}").status == 204
    assert get(fake_github, f"{base}/{number}").status == 404


def test_autofix(fake_github: FakeGitHub) -> None:
    open_codeql = next(
        a
        for a in collect(fake_github, f"/orgs/{ORG}/code-scanning/alerts?per_page=100")
        if a["state"] == "open" and a["tool"]["name"] == "CodeQL"
    )
    path = (
        f"/repos/{open_codeql['repository']['full_name']}/code-scanning/alerts/"
        f"{open_codeql['number']}/autofix"
    )
    assert get(fake_github, path).status == 404
    first = send(fake_github, "POST", path)
    assert first.status == 202
    assert first.body["status"] == "pending"
    assert send(fake_github, "POST", path).status == 200
    fake_github.clock.advance(10)
    done = get(fake_github, path)
    assert done.body["status"] == "success"
    assert done.body["description"]


def test_campaign_managers_must_be_owners_or_security_managers(fake_github: FakeGitHub) -> None:
    base = f"/orgs/{ORG}/campaigns"
    owner = send(fake_github, "POST", base, _campaign(fake_github, name="a", managers=["mona"]))
    assert owner.status == 200, owner.body
    security_manager = _campaign(
        fake_github, name="b", managers=["ivan-sec"], team_managers=["appsec"]
    )
    assert send(fake_github, "POST", base, security_manager).status == 200
    member = send(fake_github, "POST", base, _campaign(fake_github, name="c", managers=["mallory"]))
    assert member.status == 422
    assert "mallory" in member.body["message"]
    assert "owner or security manager" in member.body["message"]
    team = send(fake_github, "POST", base, _campaign(fake_github, name="d", team_managers=["web"]))
    assert team.status == 422
    number = owner.body["number"]
    patched = send(fake_github, "PATCH", f"{base}/{number}", {"managers": ["niaj"]})
    assert patched.status == 422
    assert get(fake_github, f"{base}/{number}").body["managers"][0]["login"] == "mona"


def test_campaigns_made_in_the_ui_count_against_the_ten(fake_github_factory: Any) -> None:
    fake = fake_github_factory(ui_campaigns=10)
    base = f"/orgs/{ORG}/campaigns"
    listed = get(fake, f"{base}?state=open&per_page=100").body
    assert len(listed) == 10
    assert all(c["name"].startswith("UI campaign") for c in listed)
    refused = send(fake, "POST", base, _campaign(fake, ends_at="2027-12-31T00:00:00Z"))
    assert refused.status == 422
    assert "maximum of 10" in refused.body["message"]


def test_a_campaign_due_in_the_past_is_refused_on_create_and_update(
    fake_github: FakeGitHub,
) -> None:
    base = f"/orgs/{ORG}/campaigns"
    past = send(fake_github, "POST", base, _campaign(fake_github, ends_at="2020-01-01T00:00:00Z"))
    assert past.status == 422
    assert "future" in past.body["message"]
    number = send(fake_github, "POST", base, _campaign(fake_github)).body["number"]
    late = send(fake_github, "PATCH", f"{base}/{number}", {"ends_at": "2020-01-01T00:00:00Z"})
    assert late.status == 422  # undocumented for PATCH: the safe reading, refused


def test_a_mailto_contact_link_is_refused(fake_github: FakeGitHub) -> None:
    body = _campaign(fake_github, contact_link="mailto:appsec@acme.example")
    assert send(fake_github, "POST", f"/orgs/{ORG}/campaigns", body).status == 422


def test_bare_429_on_campaign_create(fake_github: FakeGitHub) -> None:
    fake_github.config.campaign_create_429 = 1
    base = f"/orgs/{ORG}/campaigns"
    limited = send(fake_github, "POST", base, _campaign(fake_github))
    assert limited.status == 429
    assert "retry-after" not in {k.lower() for k in limited.headers}
    assert send(fake_github, "POST", base, _campaign(fake_github)).status == 200


def test_autofix_for_codeql_only_and_its_own_rate_limit(fake_github: FakeGitHub) -> None:
    writable = set(fake_github.repo_names(archived=False))
    alerts = [
        a
        for a in collect(fake_github, f"/orgs/{ORG}/code-scanning/alerts?per_page=100")
        if a["state"] == "open" and a["repository"]["full_name"] in writable
    ]

    def path(alert: dict[str, Any]) -> str:
        name = alert["repository"]["full_name"]
        return f"/repos/{name}/code-scanning/alerts/{alert['number']}/autofix"

    other = next(a for a in alerts if a["tool"]["name"] != "CodeQL")
    assert send(fake_github, "POST", path(other)).status == 400
    codeql = [a for a in alerts if a["tool"]["name"] == "CodeQL"][:3]
    fake_github.config.autofix_remaining = 1
    assert send(fake_github, "POST", path(codeql[0])).status == 202
    spent = send(fake_github, "POST", path(codeql[1]))
    assert spent.status == 403
    assert "rate limit" in spent.body["message"]
    assert "retry-after" not in {k.lower() for k in spent.headers}


def test_ghes_has_no_campaigns_and_no_autofix(fake_github: FakeGitHub) -> None:
    assert "installed_version" not in get(fake_github, "/meta").body  # GitHub.com
    fake_github.config.ghes_version = "3.18"
    assert get(fake_github, "/meta").body["installed_version"] == "3.18.0"
    assert get(fake_github, f"/orgs/{ORG}/campaigns").status == 404
    assert send(fake_github, "POST", f"/orgs/{ORG}/campaigns", _campaign(fake_github)).status == 404
    alert = collect(fake_github, f"/orgs/{ORG}/code-scanning/alerts?per_page=100")[0]
    name = alert["repository"]["full_name"]
    path = f"/repos/{name}/code-scanning/alerts/{alert['number']}/autofix"
    assert send(fake_github, "POST", path).status == 404


# GitHub App auth -------------------------------------------------------------------------


def test_app_jwt_and_installation_tokens(fake_github: FakeGitHub) -> None:
    jwt = fake_github.app_jwt()
    installations = get(fake_github, "/app/installations", token=jwt, scheme="Bearer")
    assert installations.status == 200
    inst_id = installations.body[0]["id"]
    assert inst_id == fake_github.installation_id()
    assert get(fake_github, f"/orgs/{ORG}/installation", token=jwt, scheme="Bearer").status == 200
    repo = repo_of(fake_github)
    assert (
        get(fake_github, f"/repos/{repo}/installation", token=jwt, scheme="Bearer").body["id"]
        == inst_id
    )
    minted = send(
        fake_github,
        "POST",
        f"/app/installations/{inst_id}/access_tokens",
        token=jwt,
        scheme="Bearer",
    )
    assert minted.status == 201
    assert minted.body["token"].startswith("ghs_")
    token = minted.body["token"]
    reply = get(fake_github, f"/orgs/{ORG}/code-scanning/alerts", token=token)
    assert reply.status == 200
    assert reply.header("x-ratelimit-limit") == "15000"
    issue = send(fake_github, "POST", f"/repos/{repo}/issues", {"title": "bot"}, token=token)
    assert issue.body["user"]["login"] == "campaign-sync[bot]"
    assert issue.body["user"]["type"] == "Bot"
    assert get(fake_github, "/app/installations", token=token).status == 401
    from testing.fake_github import make_jwt

    wrong = make_jwt(1, fake_github.clock.now())
    assert get(fake_github, "/app/installations", token=wrong, scheme="Bearer").status == 401
    fake_github.clock.advance(3601)
    assert get(fake_github, f"/orgs/{ORG}/repos", token=token).status == 401  # expired


# control API and CLI -----------------------------------------------------------------------


def test_control_api(fake_github: FakeGitHub) -> None:
    before = fake_github.clock.now()
    moved = call(fake_github.url, "POST", "/_fake/clock", body={"advance": 120})
    assert moved.body["now"] == before + 120
    token = call(
        fake_github.url, "POST", "/_fake/tokens", body={"permissions": {"metadata": "read"}}
    ).body["token"]
    assert get(fake_github, f"/orgs/{ORG}/repos", token=token).status == 200
    assert get(fake_github, f"/orgs/{ORG}/dependabot/alerts", token=token).status == 403
    call(fake_github.url, "POST", "/_fake/tokens/revoke", body={"token": token})
    assert get(fake_github, f"/orgs/{ORG}/repos", token=token).status == 401
    stats = call(fake_github.url, "GET", "/_fake/stats").body
    assert stats["total"] == 3
    assert stats["writes"] == 0
    assert (
        call(fake_github.url, "POST", "/_fake/orgs/blank", body={"kinds": ["dependabot"]}).status
        == 200
    )
    assert get(fake_github, f"/orgs/{ORG}/dependabot/alerts").body == []


def test_cli_serves_and_prints_one_json_line() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "testing.fake_github",
            "--repos",
            "3",
            "--alerts",
            "40",
            "--seed",
            "3",
            "--simulated-clock",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        assert set(ready) >= {"url", "token", "org", "app_id", "pid"}
        reply = call(ready["url"], "GET", "/orgs/acme/code-scanning/alerts", token=ready["token"])
        assert reply.status == 200
        assert reply.body
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert proc.returncode == 0


# renames and transfers ------------------------------------------------------------------


def test_a_rename_over_the_control_api_keeps_id_alerts_and_issues(
    fake_github_factory: Callable[..., FakeGitHub],
) -> None:
    fake = fake_github_factory(repos=3, alerts=60, seed=4)
    old = fake.repo_names(complete=True)[0]
    issue = send(fake, "POST", f"/repos/{old}/issues", {"title": "t"}).body["number"]
    before = get(fake, f"/repos/{old}").body
    renamed = call(fake.url, "POST", "/_fake/repos/rename", body={"repo": old, "to": f"{old}-app"})
    assert renamed.body == {"id": before["id"]}
    listed = {r["id"]: r["full_name"] for r in get(fake, "/orgs/acme/repos?per_page=100").body}
    assert listed[before["id"]] == f"{old}-app"
    alerts = get(fake, "/orgs/acme/code-scanning/alerts?per_page=100").body
    mine = [a for a in alerts if a["repository"]["id"] == before["id"]]
    assert mine
    assert {a["repository"]["full_name"] for a in mine} == {f"{old}-app"}
    assert all(a["html_url"].startswith(f"{fake.config.html_url}/{old}-app/") for a in mine)
    assert get(fake, f"/repos/{old}-app/issues/{issue}").status == 200
    # The old name redirects: 301 to a read, 307 to a write, by id, in GitHub's shape.
    moved = get(fake, f"/repos/{old}/issues/{issue}")
    location = f"{fake.url}/repositories/{before['id']}/issues/{issue}"
    assert (moved.status, moved.header("location")) == (301, location)
    assert moved.body["url"] == location
    write = send(fake, "PATCH", f"/repos/{old}/issues/{issue}", {"body": "x"})
    assert (write.status, write.body["message"]) == (307, "Temporary Redirect")
    assert get(fake, f"/repositories/{before['id']}/issues/{issue}").body["number"] == issue


def test_a_transfer_moves_the_alerts_to_the_new_organization_s_listings(
    fake_github_factory: Callable[..., FakeGitHub],
) -> None:
    fake = fake_github_factory(repos=3, alerts=60, seed=4)
    fake.state.add_org("labs")
    old = fake.repo_names(complete=True)[0]
    count = len(get(fake, f"/repos/{old}/dependabot/alerts?per_page=100").body)
    repo_id = fake.rename_repo(old, "labs/moved")
    acme = get(fake, "/orgs/acme/dependabot/alerts?per_page=100").body
    labs = get(fake, "/orgs/labs/dependabot/alerts?per_page=100").body
    assert all(a["repository"]["id"] != repo_id for a in acme)
    assert len(labs) == count
    assert {a["repository"]["full_name"] for a in labs} == ({"labs/moved"} if count else set())
    assert get(fake, f"/repos/{old}").header("location") == f"{fake.url}/repositories/{repo_id}"
