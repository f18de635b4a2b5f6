"""apply's progress (`[n/N] done ...: URL`) and `apply --format json` (issue 14, item 11),
over HTTP against the fake GitHub."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.actions import CreateIssue
from campaign_sync.apply import ActionOutcome
from campaign_sync.commands.apply import run_apply
from campaign_sync.model import TrackedIssue
from campaign_sync.render.applied import outcome_url
from campaign_sync.sources.github import GitHubSource

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
CAMPAIGN = """\
name: Critical code scanning
description: Fix the critical code scanning alerts.
managers: [mona]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
  severity: [critical]
  membership: rolling
"""


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=4, alerts=120, seed=5)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaign-sync.yml").write_text(
        "organizations: [acme]\napi-url: https://ghe.example.com/api/v3\n", encoding="utf-8"
    )
    (tmp_path / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    return tmp_path


def apply(
    fake: FakeGitHub, repo: Path, output_format: str = "text", **options: Any
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    sources = [GitHubSource(transport_for(fake), "acme")]
    code = run_apply(
        repo,
        sources,
        transport_for(fake),
        out=out,
        err=err,
        now=NOW,
        output_format=output_format,
        **options,
    )
    return code, out.getvalue(), err.getvalue()


def test_each_action_is_counted_and_links_the_issue_it_wrote(fake: FakeGitHub, repo: Path) -> None:
    code, out, err = apply(fake, repo)
    assert (code, err) == (0, ""), out + err
    lines = [line for line in out.splitlines() if line.startswith("[")]
    total = len(lines)
    assert total > 1
    for position, line in enumerate(lines, start=1):
        assert line.startswith(f"[{position}/{total}] done crit: open tracking issue acme/")
        # The web address comes from the config's api-url (GHES: the host itself).
        repository = line.split("open tracking issue ", 1)[1].split(":", 1)[0]
        assert f": https://ghe.example.com/{repository}/issues/" in line


def test_json_lists_every_action_with_its_outcome_and_url_and_keeps_stdout_clean(
    fake: FakeGitHub, repo: Path
) -> None:
    code, out, err = apply(fake, repo, "json")
    assert code == 0, err
    document = json.loads(out)  # nothing but the document on stdout
    assert document["ok"] is True
    actions = document["actions"]
    assert document["counts"]["done"] == len(actions) > 1
    assert [a["position"] for a in actions] == list(range(1, len(actions) + 1))
    for action in actions:
        assert action["of"] == len(actions)
        assert (action["outcome"], action["kind"], action["error"]) == (
            "done",
            "create_issue",
            None,
        )
        assert action["url"] == (
            f"https://ghe.example.com/{action['repository']}/issues/{action['number']}"
        )
    assert any(p.endswith("crit/README.md") for p in document["reports_changed"])
    assert "[1/" in err  # the human lines went to stderr
    # Nothing to do: an empty list, and still one document.
    code, out, _ = apply(fake, repo, "json")
    assert (code, json.loads(out)["actions"], json.loads(out)["reports_changed"]) == (0, [], [])


def test_json_tells_deferred_actions_and_why(fake: FakeGitHub, repo: Path) -> None:
    (repo / "campaign-sync.yml").write_text(
        "organizations: [acme]\nsafety: {max-writes-per-run: 1}\n", encoding="utf-8"
    )
    code, out, _ = apply(fake, repo, "json")
    document = json.loads(out)
    assert code == 0
    outcomes = [a["outcome"] for a in document["actions"]]
    assert outcomes[0] == "done"
    assert set(outcomes[1:]) == {"deferred"}
    assert document["counts"]["deferred"] == outcomes.count("deferred")
    assert "max-writes-per-run" in document["stopped_by"]
    assert all(a["url"] is None for a in document["actions"] if a["outcome"] == "deferred")


def test_a_dry_run_in_json_prints_the_plans_json(fake: FakeGitHub, repo: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    sources = [GitHubSource(transport_for(fake), "acme")]
    code = run_apply(
        repo, sources, None, out=out, err=err, now=NOW, dry_run=True, output_format="json"
    )
    assert code == 0
    assert json.loads(out.getvalue())["changes"] is True


def test_a_hostile_repository_name_gets_no_url() -> None:
    action = CreateIssue("crit", 'acme/x" onclick="y', "t", "b", "d", (), ())
    issue = TrackedIssue('acme/x" onclick="y', 3, "open", "d")
    told = ActionOutcome(action, 1, 1, "done", issue=issue)
    assert outcome_url(told, "https://github.com") is None
    fine = ActionOutcome(action, 1, 1, "done", issue=TrackedIssue("acme/api", 3, "open", "d"))
    assert outcome_url(fine, "https://github.com") == "https://github.com/acme/api/issues/3"
    assert outcome_url(ActionOutcome(action, 1, 1, "failed", "boom", issue), "x") is None
