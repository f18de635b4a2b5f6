"""apply end to end, over HTTP against the fake GitHub: the reconcile loop and its contracts."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.commands.apply import run_apply
from campaign_sync.commands.plan import run_plan
from campaign_sync.errors import UnsafePlan
from campaign_sync.github import tracker
from campaign_sync.issue_markers import TOOL_LABEL, find_marker
from campaign_sync.ledger import read_ledger
from campaign_sync.sources.github import GitHubSource

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
CAMPAIGN = """\
name: Critical code scanning
description: Fix the critical and high code scanning alerts.
managers: [mona, "@acme/appsec"]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
  severity: [critical, high]
  membership: rolling
tracking:
  labels: [security]
  mention: ["@acme/appsec"]
"""


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=6, alerts=240, seed=21)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    (tmp_path / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    return tmp_path


def apply(
    fake: FakeGitHub, repo: Path, *, force: bool = False, orgs: tuple[str, ...] = ("acme",)
) -> tuple[int, str, str, int]:
    """One apply; returns (exit code, stdout, stderr, write requests it made)."""
    transport = transport_for(fake)
    sources = [GitHubSource(transport_for(fake), org) for org in orgs]
    out, err = io.StringIO(), io.StringIO()
    before = fake.snapshot()["writes"]
    code = run_apply(repo, sources, transport, out=out, err=err, now=NOW, force=force)
    return code, out.getvalue(), err.getvalue(), fake.snapshot()["writes"] - before


def tracking_issues(fake: FakeGitHub) -> dict[tuple[str, str], list[tracker.IssueRef]]:
    transport = transport_for(fake)
    found: dict[tuple[str, str], list[tracker.IssueRef]] = {}
    for name in fake.repo_names():
        try:
            issues = tracker.list_issues_with_label(transport, name, TOOL_LABEL)
        except Exception:
            continue
        for issue in issues:
            marker = find_marker(issue.body)
            assert marker is not None
            found.setdefault(marker, []).append(issue)
    return found


def selected_open(fake: FakeGitHub) -> dict[str, list[int]]:
    """Open critical/high code scanning alerts of non-archived repos, by repository."""
    alerts = GitHubSource(transport_for(fake), "acme").fetch()
    archived = {r.full_name for r in alerts.repositories if r.archived}
    chosen: dict[str, list[int]] = {}
    for alert in alerts.alerts:
        if (
            alert.type == "code-scanning"
            and alert.is_open
            and alert.severity in ("critical", "high")
            and alert.repository not in archived
        ):
            chosen.setdefault(alert.repository, []).append(alert.number or 0)
    return chosen


def test_first_apply_opens_one_issue_per_repository(fake: FakeGitHub, repo: Path) -> None:
    expected = selected_open(fake)
    assert expected
    code, out, err, writes = apply(fake, repo)
    assert (code, err) == (0, "")
    assert writes == len(expected)  # one create per repository, nothing else
    issues = tracking_issues(fake)
    assert set(issues) == {("crit", name) for name in expected}
    assert all(len(found) == 1 for found in issues.values())
    for (_, name), (issue,) in issues.items():
        assert issue.state == "open"
        assert set(issue.labels) >= {TOOL_LABEL, "security"}
        assert "@acme/appsec" in issue.body
        for number in expected[name]:
            assert f"#{number}" in issue.body
    assert (repo / "reports" / "crit" / "ledger.tsv").exists()
    assert "Applied" in out


def test_second_apply_writes_nothing_and_leaves_the_ledger_byte_identical(
    fake: FakeGitHub, repo: Path
) -> None:
    apply(fake, repo)
    ledger = {p.name: p.read_bytes() for p in (repo / "reports" / "crit").iterdir()}
    code, _, _, writes = apply(fake, repo)
    assert (code, writes) == (0, 0)
    assert {p.name: p.read_bytes() for p in (repo / "reports" / "crit").iterdir()} == ledger


def _first_apply_then_all_fixed(fake: FakeGitHub, repo: Path) -> tuple[str, list[int]]:
    """A first apply, then every alert of the first repository's issue fixed."""
    apply(fake, repo)
    target, numbers = sorted(selected_open(fake).items())[0]
    for number in numbers:
        fake.set_alert_state(target, "code-scanning", number, "fixed")
    return target, numbers


def test_fixed_alerts_check_items_and_close_the_issue_then_a_regression_reopens_it(
    fake: FakeGitHub, repo: Path
) -> None:
    target, numbers = _first_apply_then_all_fixed(fake, repo)
    apply(fake, repo)
    (issue,) = tracking_issues(fake)[("crit", target)]
    assert issue.state == "closed"
    assert all("- [x]" in line for line in issue.body.splitlines() if f"#{numbers[0]}" in line)
    comments = tracker.list_comments(transport_for(fake), target, issue.number)
    assert len(comments) == 1
    fake.set_alert_state(target, "code-scanning", numbers[0], "open")
    apply(fake, repo)
    (issue,) = tracking_issues(fake)[("crit", target)]
    assert issue.state == "open"
    assert len(tracker.list_comments(transport_for(fake), target, issue.number)) == 2
    # Fixed again: closed again, and told so again, in the same words as the first time.
    fake.set_alert_state(target, "code-scanning", numbers[0], "fixed")
    apply(fake, repo)
    (issue,) = tracking_issues(fake)[("crit", target)]
    assert issue.state == "closed"
    closed, reopened, closed_again = (
        c.body for c in tracker.list_comments(transport_for(fake), target, issue.number)
    )
    assert closed_again == closed != reopened


def test_a_comment_posted_by_a_run_that_died_before_closing_is_not_posted_again(
    fake: FakeGitHub, repo: Path
) -> None:
    target, _ = _first_apply_then_all_fixed(fake, repo)
    (issue,) = tracking_issues(fake)[("crit", target)]
    transport = transport_for(fake)
    apply(fake, repo)
    comments = [c.body for c in tracker.list_comments(transport, target, issue.number)]
    assert len(comments) == 1
    # Back to where a run that died between its comment and its close left things: the
    # issue open, the ledger not knowing of the close; and a human answered meanwhile.
    tracker.reopen_issue(transport, target, issue.number)
    tracker.comment(transport, target, issue.number, "Thanks, all fixed here.")
    ledger = repo / "reports" / "crit" / "ledger.json"
    data = json.loads(ledger.read_text(encoding="utf-8"))
    data["issues"][target]["state"] = "open"
    ledger.write_text(json.dumps(data), encoding="utf-8")
    apply(fake, repo)
    (issue,) = tracking_issues(fake)[("crit", target)]
    assert issue.state == "closed"
    assert [c.body for c in tracker.list_comments(transport, target, issue.number)] == [
        comments[0],
        "Thanks, all fixed here.",
    ]


def test_human_text_and_comments_survive_an_update(fake: FakeGitHub, repo: Path) -> None:
    apply(fake, repo)
    target, numbers = sorted(selected_open(fake).items())[0]
    (issue,) = tracking_issues(fake)[("crit", target)]
    transport = transport_for(fake)
    human_body = "Triage notes from the team.\n\n" + issue.body + "\nOwner: @octocat\n"
    tracker.update_issue_body(transport, target, issue.number, human_body)
    tracker.comment(transport, target, issue.number, "We are on it.")
    fake.set_alert_state(target, "code-scanning", numbers[0], "dismissed", reason="false positive")
    apply(fake, repo)
    (updated,) = tracking_issues(fake)[("crit", target)]
    assert updated.body.startswith("Triage notes from the team.\n\n")
    assert updated.body.endswith("\nOwner: @octocat\n")
    assert updated.body != human_body  # the tool's section changed
    bodies = [c.body for c in tracker.list_comments(transport, target, issue.number)]
    assert "We are on it." in bodies


def test_safety_rail_trips_when_the_token_loses_access(fake: FakeGitHub, repo: Path) -> None:
    apply(fake, repo)
    before = tracking_issues(fake)
    fake.blank_alerts()
    with pytest.raises(UnsafePlan, match="lost access"):
        apply(fake, repo)
    after = tracking_issues(fake)
    assert [i.state for v in after.values() for i in v] == [
        i.state for v in before.values() for i in v
    ]


def test_a_refused_plan_says_so_in_the_pr_comment_and_the_job_summary(
    fake: FakeGitHub, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It was said only on stderr: the PR comment showed the plan as if it would apply."""
    apply(fake, repo)
    fake.blank_alerts()
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = io.StringIO()
    sources = [GitHubSource(transport_for(fake), "acme")]
    with pytest.raises(UnsafePlan, match="lost access") as refusal:
        run_plan(repo, sources, output_format="markdown", out=out, now=NOW)
    said = "> **Refused by a safety rail: apply will not run this plan.** "
    assert said in out.getvalue()  # what the action posts as the PR comment
    assert said in summary.read_text(encoding="utf-8")
    summary.unlink()
    sources = [GitHubSource(transport_for(fake), "acme")]
    with pytest.raises(UnsafePlan):
        run_apply(repo, sources, transport_for(fake), out=out, err=io.StringIO(), now=NOW)
    assert said in summary.read_text(encoding="utf-8")
    assert str(refusal.value).split(":")[0] in summary.read_text(encoding="utf-8")


def test_hostile_alert_text_is_inert(fake: FakeGitHub, repo: Path) -> None:
    target = fake.repo_names(archived=False, complete=True)[0]
    forged = "<!-- campaign-sync:v1 campaign=crit repository=evil/repo --> @acme/everyone"
    fake.add_alert(
        target,
        "code-scanning",
        path=f"src/{forged}.py",
        message=f"[click](https://evil.example) {forged}",
        severity="critical",
    )
    apply(fake, repo)
    (issue,) = tracking_issues(fake)[("crit", target)]
    assert find_marker(issue.body) == ("crit", target)
    assert issue.body.count("campaign-sync:v1") == 1
    assert "@acme/everyone" not in issue.body
    assert "](https://evil.example)" not in issue.body


def test_killed_apply_rerun_leaves_no_duplicate(fake: FakeGitHub, repo: Path) -> None:
    fake.config.write_delay = 0.05  # room to kill it between writes
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_API_URL")} | {
        "GITHUB_TOKEN": fake.token
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "campaign_sync", "apply", "--api-url", fake.url],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while fake.snapshot()["writes"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL  # killed mid-run, not finished on its own
    assert fake.snapshot()["writes"] >= 2
    fake.config.write_delay = 0.0
    code, _, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    issues = tracking_issues(fake)
    assert set(issues) == {("crit", name) for name in selected_open(fake)}
    assert Counter(len(v) for v in issues.values()) == Counter({1: len(issues)})
    _, _, _, writes = apply(fake, repo)
    assert writes == 0


def test_native_campaign_and_autofix_are_mirrored_once(fake: FakeGitHub, repo: Path) -> None:
    campaign_file = repo / "campaigns" / "crit.yml"
    campaign_file.write_text(
        CAMPAIGN + "github:\n  native-campaign: true\n  autofix: true\n", encoding="utf-8"
    )
    expected = selected_open(fake)
    code, _, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    transport = transport_for(fake)
    (native,) = tracker.list_native_campaigns(transport, "acme")
    assert native.name == "Critical code scanning"
    assert native.open_alerts == sum(len(n) for n in expected.values())
    autofix_posts = [
        e for e in fake.requests() if e["method"] == "POST" and "autofix" in str(e["path"])
    ]
    # Autofix is asked for the CodeQL alerts only: GitHub has it for CodeQL analysis.
    codeql = [
        a
        for a in GitHubSource(transport_for(fake), "acme").fetch().alerts
        if a.type == "code-scanning"
        and a.is_open
        and a.severity in ("critical", "high")
        and a.number in expected.get(a.repository, ())
        and a.tool == "CodeQL"
    ]
    assert 0 < len(autofix_posts) == len(codeql) < native.open_alerts
    assert apply(fake, repo)[3] == 0  # nothing more to write

    # Closing the campaign winds it down: the native campaign and the issues close.
    campaign_file.write_text(
        campaign_file.read_text(encoding="utf-8").replace("state: active", "state: closed"),
        encoding="utf-8",
    )
    code, _, err, _ = apply(fake, repo)  # closing every issue on purpose needs no --force
    assert (code, err) == (0, "")
    (native,) = tracker.list_native_campaigns(transport, "acme")
    assert native.state == "closed"
    assert {i.state for v in tracking_issues(fake).values() for i in v} == {"closed"}
    assert apply(fake, repo)[3] == 0


# --- budgets: GitHub's write limits and the token's rate limit -------------------------


def _limit_writes(repo: Path, writes: int, reserve: int = 0) -> None:
    (repo / "campaign-sync.yml").write_text(
        "organizations: [acme]\n"
        f"safety: {{max-writes-per-run: {writes}}}\n"
        f"limits: {{write-interval: 0, reserve-requests: {reserve}}}\n",
        encoding="utf-8",
    )


def test_a_run_stops_at_its_write_budget_most_urgent_first_and_the_next_continues(
    fake: FakeGitHub, repo: Path
) -> None:
    expected = selected_open(fake)
    assert len(expected) >= 3
    _limit_writes(repo, 2)
    code, out, err, writes = apply(fake, repo)
    assert (code, err, writes) == (0, "", 2)
    assert "actions left for the next runs" in out
    assert "safety.max-writes-per-run" in out
    opened = {name for _, name in tracking_issues(fake)}
    assert len(opened) == 2
    # Most urgent first: the repositories with a critical alert open come before the rest.
    alerts = GitHubSource(transport_for(fake), "acme").fetch().alerts
    critical = {
        a.repository
        for a in alerts
        if a.type == "code-scanning" and a.is_open and a.severity == "critical"
    } & set(expected)
    assert opened <= critical or critical <= opened
    # The ledger says where the run stopped: the next runs open the rest, nothing twice.
    for _ in range(len(expected)):
        code, out, err, writes = apply(fake, repo)
        assert (code, err) == (0, "")
        if writes == 0:
            break
    issues = tracking_issues(fake)
    assert set(issues) == {("crit", name) for name in expected}
    assert all(len(found) == 1 for found in issues.values())


def test_apply_stops_before_the_rate_limit_reserve(fake: FakeGitHub, repo: Path) -> None:
    expected = selected_open(fake)
    _limit_writes(repo, 500, reserve=1_000)
    fake.set_rate_limit_remaining(fake.token, 900)
    code, out, err, writes = apply(fake, repo)
    assert (code, err, writes) == (0, "", 0)
    assert "limits.reserve-requests" in out
    assert tracking_issues(fake) == {}
    # The ledger is consistent: a later run with quota opens everything, once.
    fake.set_rate_limit_remaining(fake.token, 5_000)
    code, out, err, writes = apply(fake, repo)
    assert (code, writes) == (0, len(expected))


def test_the_plan_says_how_many_runs_the_writes_take(fake: FakeGitHub, repo: Path) -> None:
    from campaign_sync.commands.plan import make

    _limit_writes(repo, 2)
    planned = make(repo, [GitHubSource(transport_for(fake), "acme")], now=NOW)
    plan = planned.plan
    assert plan.writes == len(selected_open(fake))
    assert plan.runs_needed == -(-plan.writes // 2)
    assert plan.rate_remaining is not None
    assert plan.rate_remaining > 0
    from campaign_sync.render.plan import render_json, summary_line

    assert f"so {plan.runs_needed} runs" in summary_line(plan)
    budget = json.loads(render_json(plan))["budget"]
    assert budget["writes_per_run"] == 2
    assert budget["runs_needed"] == plan.runs_needed


def test_the_plan_says_how_many_requests_apply_makes(fake: FakeGitHub, repo: Path) -> None:
    from campaign_sync.apply import apply_plan
    from campaign_sync.commands.plan import make

    for step in range(3):
        # As `apply` does: the plan's reads of GitHub (the tracking issues it compares)
        # and apply's go through one connection, the alert listing through its own.
        transport = transport_for(fake, write_interval=1.0)
        source = GitHubSource(transport_for(fake), "acme")
        planned = make(repo, [source], now=NOW, transport=transport)
        assert planned.config.limits.write_interval == 1.0
        result = apply_plan(planned, transport)
        assert not result.failed
        assert transport.stats.requests == planned.plan.requests, step
        # Then: fixes (updates and a close), and a regression (a reopen).
        chosen = sorted(selected_open(fake).items())
        if step == 0:
            for number in chosen[0][1]:
                fake.set_alert_state(chosen[0][0], "code-scanning", number, "fixed")
            fake.set_alert_state(chosen[1][0], "code-scanning", chosen[1][1][0], "fixed")
        elif step == 1:
            fake.set_alert_state(chosen[0][0], "code-scanning", chosen[0][1][0], "open")


def _story(fake: FakeGitHub, repo: Path) -> dict[tuple[str, str], list[tuple[str, str, list[str]]]]:
    """A first apply, a human's edit, fixes, a dismissal and a regression, each applied;
    then every tracking issue's state, body and comments."""
    apply(fake, repo)
    chosen = sorted(selected_open(fake).items())
    (first, numbers), (second, others) = chosen[0], chosen[1]
    (issue,) = tracking_issues(fake)[("crit", first)]
    transport = transport_for(fake)
    tracker.update_issue_body(transport, first, issue.number, "Notes.\n\n" + issue.body)
    fake.set_alert_state(first, "code-scanning", numbers[0], "dismissed", reason="false positive")
    for number in others:
        fake.set_alert_state(second, "code-scanning", number, "fixed")
    apply(fake, repo)
    fake.set_alert_state(second, "code-scanning", others[0], "open")
    apply(fake, repo)
    return {
        key: [
            (
                found.state,
                found.body,
                [c.body for c in tracker.list_comments(transport, found.repository, found.number)],
            )
            for found in issues
        ]
        for key, issues in tracking_issues(fake).items()
    }


def test_reading_ahead_through_graphql_ends_as_reading_each_issue_through_rest(
    fake_github_factory: Any, tmp_path: Path
) -> None:
    """The same story against two identical fakes, one without GraphQL: the same issues,
    bodies, states and comments; and updates read no issue one by one through REST."""
    ends = []
    for graphql in (True, False):
        fake = fake_github_factory(repos=6, alerts=240, seed=21)
        fake.config.graphql = graphql
        root = tmp_path / str(graphql)
        (root / "campaigns").mkdir(parents=True)
        (root / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
        (root / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
        ends.append(_story(fake, root))
        gets = [
            r
            for r in fake.requests()
            if r["method"] == "GET" and r["route"] == "/repos/{owner}/{repo}/issues/{issue_number}"
        ]
        if graphql:
            assert gets == []
        else:
            assert gets
    assert ends[0] == ends[1]
    # The story did happen: a human's text kept; an issue closed, then reopened.
    assert any(body.startswith("Notes.\n\n") for i in ends[0].values() for _, body, _ in i)
    assert any(len(comments) == 2 for i in ends[0].values() for _, _, comments in i)


def test_without_graphql_apply_says_it_read_through_rest(fake: FakeGitHub, repo: Path) -> None:
    apply(fake, repo)  # creates: read through REST anyway, right before each create
    target, numbers = sorted(selected_open(fake).items())[0]
    fake.set_alert_state(target, "code-scanning", numbers[0], "fixed")  # an update to read
    fake.config.graphql = False
    code, _, err, writes = apply(fake, repo)
    assert code == 0
    assert writes > 0
    assert "read one by one through REST" in err
    assert "404" in err
    assert fake.token not in err


# --- native campaigns and Autofix within GitHub's limits --------------------------------

NATIVE = "github:\n  native-campaign: true\n"


def _native_campaign(repo: Path, name: str, text: str = CAMPAIGN, extra: str = NATIVE) -> None:
    (repo / "campaigns" / f"{name}.yml").write_text(text + extra, encoding="utf-8")


def _requests_to(fake: FakeGitHub, method: str, fragment: str) -> list[dict[str, Any]]:
    return [e for e in fake.requests() if e["method"] == method and fragment in str(e["path"])]


def test_campaigns_made_in_the_ui_leave_fewer_slots_and_the_plan_says_so(
    fake_github_factory: Any, repo: Path
) -> None:
    fake = fake_github_factory(repos=6, alerts=240, seed=21, ui_campaigns=9)
    _native_campaign(repo, "crit")
    _native_campaign(repo, "crit2", CAMPAIGN.replace("Critical code", "Second code"))
    code, out, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    opened = tracker.list_native_campaigns(transport_for(fake), "acme", state="open")
    assert len(opened) == 10
    assert [c.name for c in opened if not c.name.startswith("UI")] == ["Critical code scanning"]
    assert (
        "note: crit2: not mirrored into a native GitHub campaign: acme has 10 open security "
        "campaigns (counting those made in GitHub's UI)"
    ) in out
    assert "mallory" not in out  # the UI campaigns' text is never shown
    # One listing for the plan, one before the create (a lost answer's check), and ours.
    assert len(_requests_to(fake, "GET", "/orgs/acme/campaigns")) == 3
    assert apply(fake, repo)[3] == 0


def test_a_passed_due_date_is_not_mirrored_and_never_blocks_a_rename(
    fake: FakeGitHub, repo: Path
) -> None:
    _native_campaign(repo, "crit")
    assert apply(fake, repo)[:3:2] == (0, "")
    # GitHub's clock at the tool's: a due date before it is passed for both.
    fake.clock.advance(NOW.timestamp() - fake.clock.now())
    passed = CAMPAIGN.replace("ends: 2027-03-31", "ends: 2026-11-01")
    _native_campaign(repo, "crit", passed.replace("Critical code scanning", "Renamed"))
    _native_campaign(repo, "late", passed.replace("Critical code", "Late code"))
    code, out, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    (native,) = tracker.list_native_campaigns(transport_for(fake), "acme")
    assert native.name == "Renamed"
    assert native.ends_at.startswith("2027-03-31")  # not sent: GitHub wants a future date
    assert "note: crit: the native campaign keeps its due date: 2026-11-01 has passed" in out
    assert (
        "note: late: not mirrored into a native GitHub campaign: its due date 2026-11-01 has "
        "passed" in out
    )
    assert apply(fake, repo)[3] == 0


def test_an_ineligible_manager_is_reported_and_the_other_campaigns_go_on(
    fake: FakeGitHub, repo: Path
) -> None:
    _native_campaign(repo, "crit", CAMPAIGN.replace("[mona,", "[mallory,"))
    _native_campaign(repo, "other", CAMPAIGN.replace("Critical code", "Other code"))
    code, _, err, _ = apply(fake, repo)
    assert code == 1
    assert (
        "failed crit: create native security campaign in acme: mallory cannot manage a native "
        "campaign: managers must be organization owners or security managers"
    ) in err
    assert "Traceback" not in err
    (native,) = tracker.list_native_campaigns(transport_for(fake), "acme")
    assert native.name == "Other code scanning"
    assert {campaign for campaign, _ in tracking_issues(fake)} == {"crit", "other"}


def test_on_ghes_nothing_native_is_asked_for_and_the_plan_says_why(
    fake: FakeGitHub, repo: Path
) -> None:
    fake.config.ghes_version = "3.18"
    _native_campaign(repo, "crit", extra="github:\n  native-campaign: true\n  autofix: true\n")
    code, out, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    assert (
        "note: native security campaigns and Copilot Autofix are unavailable on GitHub "
        "Enterprise Server 3.18.0"
    ) in out
    assert len(_requests_to(fake, "GET", "/meta")) == 1
    assert not _requests_to(fake, "GET", "/campaigns")
    assert not [e for e in fake.requests() if "autofix" in str(e["path"])]
    assert tracking_issues(fake)  # the tracking issues work as everywhere


def test_a_ghes_url_decides_without_a_request(fake: FakeGitHub, repo: Path) -> None:
    from campaign_sync.commands.plan import native_context
    from campaign_sync.config.repo_config import RepoConfig
    from campaign_sync.model import Campaign
    from campaign_sync.sources.base import SourceResult

    wanted = Campaign.from_data(
        "crit",
        {
            "name": "n",
            "description": "d",
            "managers": ["mona"],
            "contact": "https://x.example/y",
            "ends": "2027-03-31",
            "state": "active",
            "select": {"alerts": ["code-scanning"]},
            "github": {"native-campaign": True},
        },
    )
    transport = transport_for(fake, api_url=f"{fake.url}/api/v3")
    context = native_context(RepoConfig(), [wanted], SourceResult((), (), ()), {}, transport)
    assert (context.server, context.reads, transport.stats.requests) == ("ghes", 0, 0)


def test_a_bare_429_on_campaign_create_is_waited_out(fake: FakeGitHub, repo: Path) -> None:
    fake.config.campaign_create_429 = 2
    _native_campaign(repo, "crit")
    code, _, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    assert len(tracker.list_native_campaigns(transport_for(fake), "acme")) == 1


def test_a_lasting_429_on_campaign_create_is_left_for_the_next_run(
    fake: FakeGitHub, repo: Path
) -> None:
    fake.config.campaign_create_429 = 3  # more than the backoff waits out
    _native_campaign(repo, "crit")
    code, out, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")  # not a failed run
    assert "1 GitHub writes left for the next run" in out
    assert not tracker.list_native_campaigns(transport_for(fake), "acme")
    code, _, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    assert len(tracker.list_native_campaigns(transport_for(fake), "acme")) == 1


def test_autofix_rate_limit_defers_the_rest_to_the_next_run(fake: FakeGitHub, repo: Path) -> None:
    _native_campaign(repo, "crit", extra="github:\n  autofix: true\n")
    fake.config.autofix_remaining = 2
    code, out, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    assert "GitHub writes left for the next run" in out
    accepted = [e for e in _requests_to(fake, "POST", "/autofix") if e["status"] in (200, 202)]
    assert len(accepted) == 2
    assert len(_requests_to(fake, "POST", "/autofix")) == 3  # one refused, the rest not sent
    requested = read_ledger(repo / "reports", "crit").autofix_requested
    assert len(requested) == 2  # the refused one is not recorded as requested
    fake.config.autofix_remaining = None
    code, out, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    posted = [e["path"] for e in _requests_to(fake, "POST", "/autofix") if e["status"] != 403]
    assert len(posted) == len(set(posted))  # nothing asked twice
    assert len(read_ledger(repo / "reports", "crit").autofix_requested) == len(posted) > 2
    assert apply(fake, repo)[3] == 0


def test_a_mailto_contact_creates_the_native_campaign_without_a_contact_link(
    fake: FakeGitHub, repo: Path
) -> None:
    mailto = CAMPAIGN.replace(
        "contact: https://github.com/orgs/acme/discussions/1",
        "contact: mailto:appsec@acme.example",
    )
    _native_campaign(repo, "crit", mailto)
    code, out, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    (native,) = tracker.list_native_campaigns(transport_for(fake), "acme")
    assert native.contact_link is None
    assert "note: crit: the native campaign gets no contact link" in out
    assert apply(fake, repo)[3] == 0


def test_a_campaign_opened_since_the_plan_read_them_defers_the_create(
    fake_github_factory: Any, repo: Path
) -> None:
    from testing.fake_github.seed import seed_ui_campaigns

    from campaign_sync.apply import apply_plan
    from campaign_sync.commands.plan import make

    fake = fake_github_factory(repos=6, alerts=240, seed=21, ui_campaigns=9)
    _native_campaign(repo, "crit")
    transport = transport_for(fake)
    planned = make(repo, [GitHubSource(transport_for(fake), "acme")], now=NOW, transport=transport)
    assert [a.kind for a in planned.plan.actions].count("create_native_campaign") == 1
    org = fake.state.org("acme")
    assert org is not None
    seed_ui_campaigns(fake.state, org, 1)  # someone opens one in the UI meanwhile
    result = apply_plan(planned, transport)
    assert not result.failed
    ((action, why),) = result.postponed
    assert action.kind == "create_native_campaign"
    assert "acme has 10 open security campaigns" in why
    assert not _requests_to(fake, "POST", "/orgs/acme/campaigns")


# -- a repository renamed or transferred between runs ------------------------------------


def _snapshot_repo(repo: Path, orgs: tuple[str, ...] = ("acme",)) -> None:
    (repo / "campaign-sync.yml").write_text(
        f"organizations: [{', '.join(orgs)}]\n", encoding="utf-8"
    )
    snapshot = CAMPAIGN.replace("membership: rolling", "membership: snapshot")
    (repo / "campaigns" / "crit.yml").write_text(snapshot, encoding="utf-8")


def _moved_story(
    fake: FakeGitHub, repo: Path, new: str, orgs: tuple[str, ...] = ("acme",)
) -> tuple[str, int, int, str]:
    """Apply a snapshot campaign, move one of its repositories to ``new``, fix an alert
    there and apply again; returns (old name, issue number, fixed alert, stdout)."""
    apply(fake, repo, orgs=orgs)
    old, numbers = sorted(selected_open(fake).items())[0]
    (issue,) = tracking_issues(fake)[("crit", old)]
    fake.rename_repo(old, new)
    fake.set_alert_state(new, "code-scanning", numbers[0], "fixed")
    code, out, err, _ = apply(fake, repo, orgs=orgs)
    assert (code, err) == (0, "")
    return old, issue.number, numbers[0], out


def _the_issue_moved(fake: FakeGitHub, repo: Path, old: str, new: str, number: int) -> None:
    issues = tracker.list_issues_with_label(transport_for(fake), new, TOOL_LABEL)
    assert [(i.number, find_marker(i.body)) for i in issues] == [(number, ("crit", new))]
    assert issues[0].title.endswith(f": {new}")
    assert f"repository={old} " not in issues[0].body  # one section, under the new name
    ledger = json.loads((repo / "reports" / "crit" / "ledger.json").read_text())
    assert ledger["issues"][new]["number"] == number
    assert old not in ledger["issues"]
    assert old not in ledger["repositories"]
    members = (repo / "reports" / "crit" / "ledger.tsv").read_text()
    assert f":{old}:" not in members
    assert f":{new}:" in members


def test_a_renamed_repository_keeps_its_issue_and_its_fixes_count(
    fake: FakeGitHub, repo: Path
) -> None:
    _snapshot_repo(repo)
    old = sorted(selected_open(fake))[0]
    new = f"{old}-app"
    old, number, fixed, out = _moved_story(fake, repo, new)
    assert f"{old} was renamed to {new}" in out
    assert "Applied 0 of 0" not in out
    _the_issue_moved(fake, repo, old, new, number)
    members = (repo / "reports" / "crit" / "ledger.tsv").read_text()
    assert f"code-scanning:{new}:{fixed}\tfixed\t" in members
    report = (repo / "reports" / "crit" / "README.md").read_text()
    assert re.search(r"\| \*\*Done\*\* \| \d+% \(1 of \d+ alerts closed\)", report)
    # Every other repository is as it was: one issue each, nothing doubled.
    assert all(len(found) == 1 for found in tracking_issues(fake).values())
    code, _, _, writes = apply(fake, repo)
    assert (code, writes) == (0, 0)


def test_a_repository_transferred_to_another_organization_keeps_its_issue(
    fake: FakeGitHub, repo: Path
) -> None:
    fake.state.add_org("labs")
    _snapshot_repo(repo, ("acme", "labs"))
    old = sorted(selected_open(fake))[0]
    new = "labs/" + old.split("/")[1]
    old, number, fixed, out = _moved_story(fake, repo, new, ("acme", "labs"))
    assert f"{old} was transferred to {new}" in out
    _the_issue_moved(fake, repo, old, new, number)
    members = (repo / "reports" / "crit" / "ledger.tsv").read_text()
    assert f"code-scanning:{new}:{fixed}\tfixed\t" in members
    code, _, _, writes = apply(fake, repo, orgs=("acme", "labs"))
    assert (code, writes) == (0, 0)


def test_a_repository_transferred_out_of_sight_keeps_its_issue_open(
    fake: FakeGitHub, repo: Path
) -> None:
    """Its alerts vanish from the organization's listings: not fixed, so nothing closes."""
    fake.state.add_org("labs")
    _snapshot_repo(repo)  # only acme is listed
    apply(fake, repo)
    old = sorted(selected_open(fake))[0]
    fake.rename_repo(old, "labs/" + old.split("/")[1])
    code, _, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    ledger = json.loads((repo / "reports" / "crit" / "ledger.json").read_text())
    assert ledger["issues"][old]["state"] == "open"
    members = (repo / "reports" / "crit" / "ledger.tsv").read_text()
    assert "\tfixed\t" not in members


def test_an_issue_opened_before_a_rename_and_never_recorded_is_found_by_its_old_marker(
    fake: FakeGitHub, repo: Path
) -> None:
    _snapshot_repo(repo)
    apply(fake, repo)
    old = sorted(selected_open(fake))[0]
    (issue,) = tracking_issues(fake)[("crit", old)]
    state = repo / "reports" / "crit" / "ledger.json"
    ledger = json.loads(state.read_text())
    del ledger["issues"][old]  # as if the run that opened it died before recording it
    state.write_text(json.dumps(ledger))
    new = f"{old}-app"
    fake.rename_repo(old, new)
    code, _, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    _the_issue_moved(fake, repo, old, new, issue.number)


def test_a_ledger_from_before_ids_learns_a_rename_from_github_s_redirect(
    fake: FakeGitHub, repo: Path
) -> None:
    """A repository renamed before the ledger recorded ids: its issue is still reached
    through the redirect, which tells the ledger the id; the next run follows it."""
    _snapshot_repo(repo)
    apply(fake, repo)
    old, numbers = sorted(selected_open(fake).items())[0]
    (issue,) = tracking_issues(fake)[("crit", old)]
    state = repo / "reports" / "crit" / "ledger.json"
    ledger = json.loads(state.read_text())
    del ledger["repositories"]
    state.write_text(json.dumps(ledger))
    new = f"{old}-app"
    fake.rename_repo(old, new)
    fake.set_alert_state(new, "code-scanning", numbers[0], "fixed")
    code, _, err, _ = apply(fake, repo)  # unseen under the old name: the issue says so
    assert (code, err) == (0, "")
    assert json.loads(state.read_text())["repositories"][old] == fake.state.repo(new).id
    code, out, err, _ = apply(fake, repo)
    assert (code, err) == (0, "")
    assert f"{old} was renamed to {new}" in out
    _the_issue_moved(fake, repo, old, new, issue.number)
    members = (repo / "reports" / "crit" / "ledger.tsv").read_text()
    assert f"code-scanning:{new}:{numbers[0]}\tfixed\t" in members


# --- a deleted campaign file ---------------------------------------------------------------


def test_deleting_a_campaign_file_winds_its_work_down(fake: FakeGitHub, repo: Path) -> None:
    """`git rm campaigns/crit.yml` said "No changes", and its issues stayed open for ever."""
    (repo / "campaign-sync.yml").write_text(
        "organizations: [acme]\nsafety: {min-issues-for-threshold: 1000}\n", encoding="utf-8"
    )
    apply(fake, repo)
    opened = [i for v in tracking_issues(fake).values() for i in v if i.state == "open"]
    assert opened
    (repo / "campaigns" / "crit.yml").unlink()

    out = io.StringIO()
    sources = [GitHubSource(transport_for(fake), "acme")]
    assert run_plan(repo, sources, output_format="text", out=out, now=NOW) == 2
    shown = out.getvalue()
    assert "campaign crit (its campaign file was removed: wound down)" in shown
    assert shown.count("- close tracking issue") == len(opened)
    assert "(its campaign file was removed)" in shown

    code, _, err, _ = apply(fake, repo)
    assert code == 0, err
    transport = transport_for(fake)
    for issue in opened:
        closed = tracker.get_issue(transport, issue.repository, issue.number)
        assert (closed.state, closed.state_reason) == ("closed", "not_planned")
        last = tracker.list_comments(transport, issue.repository, issue.number)[-1].body
        assert "The campaign `crit` was removed from the campaigns repository" in last
    ledger = read_ledger(repo / "reports", "crit")
    assert {i.state for i in ledger.issues} == {"closed"}
    index = (repo / "reports" / "README.md").read_text(encoding="utf-8")
    assert "## Removed campaigns" in index
    assert "- [`crit`](crit/README.md)" in index
    assert (repo / "reports" / "crit" / "README.md").is_file()  # kept as history

    out = io.StringIO()
    sources = [GitHubSource(transport_for(fake), "acme")]
    assert run_plan(repo, sources, output_format="text", out=out, now=NOW) == 0
    assert "crit" not in out.getvalue()  # wound down: history now


def test_removing_every_campaign_at_once_trips_the_mass_close_rail(
    fake: FakeGitHub, repo: Path
) -> None:
    """A mistyped `campaigns:` folder "removes" every campaign: refused like any mass close."""
    (repo / "campaign-sync.yml").write_text(
        "organizations: [acme]\nsafety: {min-issues-for-threshold: 1}\n", encoding="utf-8"
    )
    apply(fake, repo)
    before = tracking_issues(fake)
    (repo / "campaign-sync.yml").write_text(
        "organizations: [acme]\ncampaigns: campaign\nsafety: {min-issues-for-threshold: 1}\n",
        encoding="utf-8",
    )
    (repo / "campaign").mkdir()
    with pytest.raises(UnsafePlan, match="closes"):
        apply(fake, repo)
    assert tracking_issues(fake) == before


# --- alerts a listing did not return ----------------------------------------------------------


def test_an_issue_whose_alerts_the_listing_did_not_return_is_left_as_it_is(
    fake: FakeGitHub, repo: Path
) -> None:
    """A repository still listed whose alerts a full listing did not return (code scanning
    turned off, access lost): its issue was rewritten without links, severities or due
    dates. It is now left as it is, and the plan says why."""
    apply(fake, repo)
    name = sorted(selected_open(fake))[0]
    (issue,) = tracking_issues(fake)[("crit", name)]
    fake.set_feature(name, "code_scanning", False)

    code, out, err, _ = apply(fake, repo)

    assert (code, err) == (0, ""), out + err
    assert tracking_issues(fake)[("crit", name)] == [issue]
    assert f"crit: {name}: " in out
    assert "not listed this run (unreadable, or deleted on GitHub)" in out
    fake.set_feature(name, "code_scanning", True)
    code, out, err, writes = apply(fake, repo)
    assert (code, err, writes) == (0, "", 0), out + err
    assert tracking_issues(fake)[("crit", name)] == [issue]
