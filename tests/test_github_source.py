"""GitHubSource and the listings, end to end over HTTP against the fake GitHub."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.errors import GitHubError
from campaign_sync.github.listing import GENERIC_SECRET_TYPES, AlertQuery
from campaign_sync.model import ALERT_TYPES
from campaign_sync.sources.github import GitHubSource


def alert_requests(fake: FakeGitHub, kind: str) -> list[dict[str, list[str]]]:
    """The query of every logged request to the org listing of ``kind``."""
    queries = []
    for entry in fake.requests():
        path = str(entry.get("path", ""))
        if f"/orgs/acme/{kind}/alerts" in path:
            queries.append(parse_qs(urlsplit(path).query))
    return queries


def test_every_alert_of_the_organization_once(fake_github: FakeGitHub) -> None:
    result = GitHubSource(transport_for(fake_github), "acme").fetch()
    for alert_type in ALERT_TYPES:
        of_type = [a for a in result.alerts if a.type == alert_type]
        assert len(of_type) == fake_github.alert_count(alert_type), alert_type
    ids = [a.id for a in result.alerts]
    assert ids == sorted(set(ids))
    assert result.skipped == ()
    assert {r.full_name for r in result.repositories} == set(fake_github.repo_names())
    assert result.watermark == max(a.updated_at for a in result.alerts if a.updated_at)


def test_requests_are_the_minimum(fake_github_factory: Any) -> None:
    fake = fake_github_factory(repos=30, alerts=2_345, seed=5)
    transport = transport_for(fake)
    result = GitHubSource(transport, "acme", include_repositories=False).fetch()
    # Secret scanning is two listings: the default patterns, then the generic ones.
    generic = sum(a.secret_type in GENERIC_SECRET_TYPES for a in result.alerts)
    listings = [fake.alert_count(t) for t in ALERT_TYPES if t != "secret-scanning"]
    listings += [fake.alert_count("secret-scanning") - generic, generic]
    minimum = sum(math.ceil(n / 100) for n in listings)
    assert transport.stats.requests == minimum


def test_pagination_styles(fake_github_factory: Any) -> None:
    fake = fake_github_factory(repos=10, alerts=700, seed=2)
    GitHubSource(transport_for(fake), "acme", include_repositories=False).fetch()
    code_scanning = alert_requests(fake, "code-scanning")
    dependabot = alert_requests(fake, "dependabot")
    assert len(code_scanning) > 1
    assert len(dependabot) > 1
    # Code scanning walks page numbers; Dependabot only takes cursors.
    assert all("after" not in q for q in code_scanning)
    assert any("page" in q for q in code_scanning[1:])
    assert all("page" not in q for q in dependabot)
    assert all("after" in q for q in dependabot[1:])
    assert all(q.get("per_page") == ["100"] for q in code_scanning + dependabot)


def test_secret_values_are_never_requested(fake_github: FakeGitHub) -> None:
    result = GitHubSource(transport_for(fake_github), "acme", alert_types=["secret-scanning"])
    alerts = result.fetch().alerts
    assert alerts
    assert all(
        q.get("hide_secret") == ["true"] for q in alert_requests(fake_github, "secret-scanning")
    )


def test_server_side_filters(fake_github: FakeGitHub) -> None:
    queries = {
        "code-scanning": AlertQuery(states=("open",), severities=("critical",)),
        "dependabot": AlertQuery(states=("open", "dismissed"), severities=("critical", "high")),
        "secret-scanning": AlertQuery(states=("open",), validities=("active",)),
    }
    result = GitHubSource(transport_for(fake_github), "acme", queries=queries).fetch()
    for alert in result.alerts:
        if alert.type == "code-scanning":
            assert (alert.state, alert.severity) == ("open", "critical")
        elif alert.type == "dependabot":
            assert alert.state in ("open", "dismissed")
            assert alert.severity in ("critical", "high")
        else:
            assert (alert.state, alert.secret_validity) == ("open", "active")
    [dependabot_query] = alert_requests(fake_github, "dependabot")
    assert dependabot_query["state"] == ["auto_dismissed,dismissed,open"]


def test_incremental_listing_stops_at_the_watermark(fake_github_factory: Any) -> None:
    fake = fake_github_factory(repos=10, alerts=900, seed=3)
    first = GitHubSource(transport_for(fake), "acme", include_repositories=False).fetch()
    assert first.watermark is not None
    repo = fake.repo_names(archived=False, complete=True)[0]
    fake.clock.advance(3600)
    number = next(
        a.number
        for a in first.alerts
        if a.repository == repo and a.is_open and a.type == "code-scanning"
    )
    fake.set_alert_state(repo, "code-scanning", number, "dismissed", reason="false positive")
    transport = transport_for(fake)
    since = {t: AlertQuery(since=first.watermark) for t in ALERT_TYPES}
    second = GitHubSource(transport, "acme", queries=since, include_repositories=False).fetch()
    changed = f"code-scanning:{repo}:{number}"
    # Inclusive at the watermark: an alert updated in the same second as the last one seen
    # must not be missed, so that last one comes again, unchanged.
    assert {a.id for a in second.alerts} - {changed} <= {
        a.id for a in first.alerts if a.updated_at == first.watermark
    }
    assert next(a for a in second.alerts if a.id == changed).state == "dismissed"
    # One page per listing, no prefetch: secret scanning lists its generic patterns apart.
    assert transport.stats.requests == len(ALERT_TYPES) + 1


def test_repository_scope_skips_a_disabled_feature(fake_github: FakeGitHub) -> None:
    repo = fake_github.repo_names(archived=False, complete=True)[0]
    fake_github.set_feature(repo, "code_scanning", False)
    result = GitHubSource(transport_for(fake_github), repo).fetch()
    assert [s.alert_type for s in result.skipped] == ["code-scanning"]
    assert "Advanced Security must be enabled" in result.skipped[0].reason
    assert {a.type for a in result.alerts} <= {"dependabot", "secret-scanning"}
    assert all(a.repository == repo for a in result.alerts)
    assert [r.full_name for r in result.repositories] == [repo]


def test_fetch_under_20_percent_faults_equals_the_clean_fetch(
    fake_github_factory: Any,
) -> None:
    fake = fake_github_factory(repos=20, alerts=1_500, seed=9)
    clean = GitHubSource(transport_for(fake), "acme").fetch()
    fake.set_faults(rate=0.2, seed=11, timeout_hold=0.4)
    transport = transport_for(fake, timeout=0.2, max_attempts=10)
    faulty = GitHubSource(transport, "acme").fetch()
    assert faulty.alerts == clean.alerts
    assert faulty.repositories == clean.repositories
    assert fake.snapshot()["faults_injected"] >= 5
    assert transport.stats.retries >= 5


def test_bad_credentials(fake_github: FakeGitHub) -> None:
    source = GitHubSource(transport_for(fake_github, token="ghp_wrong"), "acme")
    with pytest.raises(GitHubError) as caught:
        source.fetch()
    assert str(caught.value) == (
        "GitHub rejected the credentials (401 Bad credentials): the token is wrong, "
        "expired or revoked. Set GITHUB_TOKEN (or GH_TOKEN) to a valid token."
    )


def test_missing_permission_is_named(fake_github: FakeGitHub) -> None:
    token = fake_github.add_token(permissions={"security_events": "read", "metadata": "read"})
    source = GitHubSource(transport_for(fake_github, token=token), "acme")
    with pytest.raises(GitHubError) as caught:
        source.fetch()
    message = str(caught.value)
    assert message.startswith("the token may not read the secret-scanning alerts of acme")
    assert "secret_scanning_alerts" in message
    assert token not in message


def test_unknown_organization(fake_github: FakeGitHub) -> None:
    with pytest.raises(GitHubError) as caught:
        GitHubSource(transport_for(fake_github), "no-such-org").fetch()
    assert str(caught.value) == (
        "organization 'no-such-org' was not found, or the token cannot see it (404). Check "
        "the name, and that the token has access to the organization."
    )


def test_token_revoked_mid_run(fake_github_factory: Any) -> None:
    fake = fake_github_factory(repos=10, alerts=900, seed=4)
    token = fake.add_token()
    transport = transport_for(fake, token=token)
    pages = transport.paginate("/orgs/acme/code-scanning/alerts", {"per_page": 50})
    next(pages)
    fake.revoke_token(token)
    with pytest.raises(GitHubError, match="HTTP 401: Bad credentials"):
        list(pages)


def test_generic_secret_patterns_are_listed_by_name(fake_github_factory: Any) -> None:
    """GitHub leaves generic patterns out unless `secret_type` names them: the source asks
    for them in a second listing, and a query naming one gets it."""
    fake = fake_github_factory(repos=2, alerts=0, seed=3)
    repo = fake.repo_names(archived=False, complete=True)[0]
    numbers = {
        kind: fake.add_alert(repo, "secret-scanning", secret_type=kind)
        for kind in ("github_personal_access_token", "password", "rsa_private_key")
    }
    transport = transport_for(fake)
    plain = transport.get("/orgs/acme/secret-scanning/alerts", {"hide_secret": "true"})
    assert [a["secret_type"] for a in plain.data] == ["github_personal_access_token"]

    result = GitHubSource(transport, "acme", alert_types=["secret-scanning"]).fetch()
    assert {a.secret_type: a.number for a in result.alerts} == numbers
    asked = [q.get("secret_type", [""])[0] for q in alert_requests(fake, "secret-scanning")]
    assert ",".join(GENERIC_SECRET_TYPES) in asked

    named = GitHubSource(
        transport_for(fake),
        "acme",
        alert_types=["secret-scanning"],
        queries={"secret-scanning": AlertQuery(secret_types=("password",))},
    ).fetch()
    assert [a.secret_type for a in named.alerts] == ["password"]


def test_an_alert_without_a_state_is_skipped_counted_and_shown(fake_github_factory: Any) -> None:
    """GitHub's schema lets a code scanning alert's `state` be null: the listing goes on
    without it, and says how many it left out."""
    fake = fake_github_factory(repos=3, alerts=300, seed=4)
    repo = fake.repo_names(archived=False, complete=True)[0]
    numbers = [fake.add_alert(repo, "code-scanning") for _ in range(2)]
    for number in numbers:
        fake.null_field(repo, "code-scanning", number, "state")
    result = GitHubSource(transport_for(fake), "acme", include_repositories=False).fetch()
    ids = {a.id for a in result.alerts}
    assert not ids & {f"code-scanning:{repo}:{n}" for n in numbers}
    assert sum(a.type == "code-scanning" for a in result.alerts) == (
        fake.alert_count("code-scanning") - 2
    )
    assert result.notes == (
        "github:acme: 2 code-scanning alerts without a state (GitHub sent null) were skipped: "
        "open or not is unknown, so they are left as the last run saw them",
    )


def test_an_alert_without_updated_at_does_not_end_an_incremental_listing(
    fake_github_factory: Any,
) -> None:
    """A secret scanning alert's `updated_at` may be null. Newest first, an incremental
    listing stops at the first alert older than the watermark; a null is not older, so the
    alerts after it are still read."""
    fake = fake_github_factory(repos=4, alerts=400, seed=6)
    first = GitHubSource(transport_for(fake), "acme", include_repositories=False).fetch()
    assert first.watermark is not None
    fake.clock.advance(7200)
    target = next(a for a in first.alerts if a.type == "secret-scanning" and a.is_open)
    fake.set_alert_state(
        target.repository, "secret-scanning", target.number, "resolved", reason="revoked"
    )
    fake.clock.advance(60)
    # Newer than the resolved one, so listed before it, and with a null updated_at.
    number = fake.add_alert(target.repository, "secret-scanning")
    fake.null_field(target.repository, "secret-scanning", number, "updated_at")
    since = {t: AlertQuery(since=first.watermark) for t in ALERT_TYPES}
    second = GitHubSource(
        transport_for(fake), "acme", queries=since, include_repositories=False
    ).fetch()
    by_id = {a.id: a for a in second.alerts}
    assert by_id[target.id].state == "resolved"
    new = by_id[f"secret-scanning:{target.repository}:{number}"]
    assert new.updated_at is None
    assert second.notes == (
        "github:acme: 1 secret-scanning alert without an updated_at (GitHub sent null): kept; "
        "an incremental listing cannot tell when they change, the full listing every 7 days "
        "(or --full-listing) does",
    )


# --- how an alert was closed: reason, who, comment (issue 14, item 9) -------------------


def _first_open(fake: FakeGitHub, kind: str) -> tuple[str, int]:
    alerts = GitHubSource(transport_for(fake), "acme", alert_types=[kind]).fetch().alerts
    alert = next(a for a in alerts if a.is_open and a.number is not None)
    assert alert.number is not None
    return alert.repository, alert.number


@pytest.mark.parametrize(
    ("kind", "state", "reason"),
    [
        ("code-scanning", "dismissed", "won't fix"),
        ("dependabot", "dismissed", "tolerable_risk"),
        ("secret-scanning", "resolved", "false_positive"),
    ],
)
def test_who_closed_an_alert_and_their_comment_are_read_from_each_type(
    fake_github: FakeGitHub, kind: str, state: str, reason: str
) -> None:
    repository, number = _first_open(fake_github, kind)
    comment = "Only reachable\tfrom the\nadmin console; ask @acme/appsec"
    fake_github.set_alert_state(
        repository, kind, number, state, reason=reason, comment=comment, by="hubot"
    )
    alerts = GitHubSource(transport_for(fake_github), "acme", alert_types=[kind]).fetch().alerts
    (alert,) = [a for a in alerts if a.repository == repository and a.number == number]
    assert (alert.state, alert.state_reason) == (state, reason)
    assert (alert.dismissed_by, alert.dismissed_comment) == ("hubot", comment)


def test_a_long_comment_is_cut_at_280_characters_and_a_reopened_alert_has_none(
    fake_github: FakeGitHub,
) -> None:
    repository, number = key = _first_open(fake_github, "secret-scanning")
    # Secret scanning sets no limit on a resolution comment; the ledger keeps 280 characters.
    fake_github.set_alert_state(
        repository, "secret-scanning", number, "resolved", reason="wont_fix", comment="x" * 500
    )
    source = GitHubSource(transport_for(fake_github), "acme", alert_types=["secret-scanning"])
    (alert,) = [a for a in source.fetch().alerts if (a.repository, a.number) == key]
    assert alert.dismissed_comment == "x" * 279 + "…"
    assert alert.dismissed_by == "mona"
    fake_github.set_alert_state(repository, "secret-scanning", number, "open")
    (alert,) = [a for a in source.fetch().alerts if (a.repository, a.number) == key]
    assert (alert.state, alert.dismissed_by, alert.dismissed_comment) == ("open", None, None)
