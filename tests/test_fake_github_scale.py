"""The fake GitHub's knobs for the scale benchmark: writes that move a simulated clock, bulk
churn of alert states, and counters split for rate-limit accounting."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from testing.fake_github import FakeConfig, FakeGitHub
from testing.fake_github.http_client import Reply, call, walk

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("code-scanning", "dependabot", "secret-scanning")
Factory = Callable[..., FakeGitHub]


def _create_issue(fake: FakeGitHub, repo: str, n: int) -> Reply:
    body = {"title": f"t{n}", "body": "b"}
    return call(fake.url, "POST", f"/repos/{repo}/issues", token=fake.token, body=body)


def _states(fake: FakeGitHub) -> dict[tuple[str, str, int], tuple[str, str]]:
    """(type, repo, number) -> (state, updated_at) of every alert the org listings show."""
    found = {}
    for kind in KINDS:
        path = f"/orgs/acme/{kind}/alerts?per_page=100"
        for reply in walk(fake.url, path, token=fake.token):
            assert reply.status == 200, reply.body
            for item in reply.body:
                key = (kind, item["repository"]["full_name"], item["number"])
                found[key] = (item["state"], item["updated_at"])
    return found


def test_each_admitted_write_moves_the_simulated_clock(fake_github_factory: Factory) -> None:
    fake = fake_github_factory(repos=2, alerts=20, seed=3, config=FakeConfig(write_clock_step=0.75))
    repo = fake.repo_names(archived=False)[0]
    start = fake.clock.now()
    call(fake.url, "GET", f"/repos/{repo}", token=fake.token)
    assert fake.clock.now() == start  # reads take no time
    assert _create_issue(fake, repo, 1).status == 201
    assert fake.clock.now() == start + 0.75


def test_paced_writes_stay_under_the_per_minute_limit(fake_github_factory: Factory) -> None:
    """0.75 s a write is exactly 80 a minute: never refused, until the hourly 500."""
    fake = fake_github_factory(
        repos=2,
        alerts=20,
        seed=3,
        config=FakeConfig(write_clock_step=0.75, secondary_per_hour=100),
        token_budget=10_000,
    )
    repo = fake.repo_names(archived=False)[0]
    statuses = [_create_issue(fake, repo, n).status for n in range(101)]
    assert statuses[:100] == [201] * 100
    assert statuses[100] == 403  # the hourly cap, on the simulated clock
    snapshot = fake.snapshot()
    assert snapshot["secondary_limited"] == 1
    assert (snapshot["writes"], snapshot["writes_succeeded"]) == (101, 100)
    fake.clock.advance(3600)
    assert _create_issue(fake, repo, 101).status == 201


def test_without_the_step_writes_hit_the_per_minute_limit(fake_github_factory: Factory) -> None:
    fake = fake_github_factory(repos=2, alerts=20, seed=3, token_budget=10_000)
    repo = fake.repo_names(archived=False)[0]
    statuses = [_create_issue(fake, repo, n).status for n in range(81)]
    assert statuses[-1] == 403
    assert statuses[:80] == [201] * 80


@pytest.mark.off_description("an issue without a title, to count a 422")
def test_counters_split_counted_reads_free_304s_and_writes(fake_github_factory: Factory) -> None:
    fake = fake_github_factory(repos=3, alerts=60, seed=5)
    repo = fake.repo_names(archived=False)[0]
    first = call(fake.url, "GET", "/orgs/acme/repos", token=fake.token)
    etag = first.header("ETag")
    assert etag
    again = call(
        fake.url, "GET", "/orgs/acme/repos", token=fake.token, headers={"If-None-Match": etag}
    )
    assert again.status == 304
    assert _create_issue(fake, repo, 1).status == 201
    bad = call(fake.url, "POST", f"/repos/{repo}/issues", token=fake.token, body={"body": "x"})
    assert bad.status == 422
    snapshot = fake.snapshot()
    assert snapshot["reads"] == 2
    assert snapshot["reads_counted"] == 1
    assert snapshot["not_modified"] == 1
    assert (snapshot["writes"], snapshot["writes_succeeded"]) == (2, 1)


def test_churn_changes_that_share_of_listed_alerts_and_dates_them_now(
    fake_github_factory: Factory,
) -> None:
    fake = fake_github_factory(repos=6, alerts=800, seed=11)
    before = _states(fake)
    fake.clock.advance(3600)
    result = fake.churn(0.05, seed=2)
    after = _states(fake)
    changed = {key for key in before if before[key][0] != after[key][0]}
    assert result["changed"] == round(len(before) * 0.05) == len(changed)
    by_type = result["by_type"]
    assert sum(sum(kinds.values()) for kinds in by_type.values()) == len(changed)
    for kind in KINDS:
        assert sum(by_type[kind].values()) == sum(1 for key in changed if key[0] == kind)
    stamp = after[next(iter(changed))][1]
    assert all(after[key][1] == stamp for key in changed)
    assert all(after[key][1] < stamp for key in set(before) - changed)
    for key in changed:
        old, new = before[key][0], after[key][0]
        if old == "open":
            expected = {"secret-scanning": {"resolved"}}.get(key[0], {"fixed", "dismissed"})
            assert new in expected
        else:
            assert new == "open"
    assert set(by_type["secret-scanning"]) <= {"resolved", "reopened"}
    assert by_type["code-scanning"]["fixed"] > by_type["code-scanning"].get("dismissed", 0)


def test_churn_is_deterministic_for_a_seed() -> None:
    results = []
    for _ in range(2):
        fake = FakeGitHub(repos=5, alerts=400, seed=4, simulated_clock=True)
        results.append((fake.churn(0.1, seed=9), _fingerprint(fake)))
    assert results[0] == results[1]
    other = FakeGitHub(repos=5, alerts=400, seed=4, simulated_clock=True)
    other.churn(0.1, seed=10)
    assert _fingerprint(other) != results[0][1]


def _fingerprint(fake: FakeGitHub) -> list[tuple[str, str, int, str]]:
    org = fake.state.org("acme")
    assert org is not None
    return [
        (kind, alert.repo.name, alert.number, alert.state)
        for kind in KINDS
        for alert in fake.state.org_alerts(org, kind)
    ]


def test_churn_over_http_and_its_errors(fake_github_factory: Factory) -> None:
    fake = fake_github_factory(repos=3, alerts=100, seed=6)
    reply = call(fake.url, "POST", "/_fake/alerts/churn", body={"fraction": 0.1, "seed": 1})
    assert reply.status == 200
    listed = sum(fake.alert_count(kind) for kind in KINDS)
    assert reply.body["changed"] == round(listed * 0.1)
    assert set(reply.body["by_type"]) == set(KINDS)
    bad = call(fake.url, "POST", "/_fake/alerts/churn", body={"fraction": 2})
    assert bad.status == 400
    assert "between 0 and 1" in bad.body["message"]
    unknown = call(fake.url, "POST", "/_fake/alerts/churn", body={"fraction": 0.1, "org": "x"})
    assert unknown.status == 404


def test_the_command_line_takes_a_write_clock_step() -> None:
    command = [sys.executable, "-m", "testing.fake_github", "--repos", "2", "--alerts", "10"]
    command += ["--simulated-clock", "--write-clock-step", "0.5"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            ready: dict[str, Any] = json.loads(process.stdout.readline())
            config = call(ready["url"], "POST", "/_fake/config", body={})
            assert config.body["write_clock_step"] == 0.5
        finally:
            process.terminate()
            process.wait(timeout=10)
