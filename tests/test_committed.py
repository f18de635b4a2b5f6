"""apply asks on a terminal and, in CI, applies committed campaign files only (issue 14,
item 4): a file nobody reviewed is never applied, and a person at a terminal sees the
plan before anything is written."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.commands.apply import run_apply
from campaign_sync.committed import uncommitted
from campaign_sync.errors import GitHubError
from campaign_sync.github import tracker
from campaign_sync.issue_markers import TOOL_LABEL
from campaign_sync.sources.github import GitHubSource

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
CAMPAIGN = """\
name: Critical code scanning
description: Fix the critical and high code scanning alerts.
managers: [mona]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
  severity: [critical, high]
"""


def tracking_issues(fake: FakeGitHub) -> list[tracker.IssueRef]:
    transport = transport_for(fake)
    found: list[tracker.IssueRef] = []
    for name in fake.repo_names():
        try:
            found += tracker.list_issues_with_label(transport, name, TOOL_LABEL)
        except GitHubError:
            continue  # e.g. Issues turned off
    return found


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=4, alerts=120, seed=21)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "config")
    return tmp_path


def run(fake: FakeGitHub, repo: Path, **options: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_apply(
        repo,
        [GitHubSource(transport_for(fake), "acme")],
        transport_for(fake),
        out=out,
        err=err,
        now=NOW,
        **options,
    )
    return code, out.getvalue(), err.getvalue()


def test_in_ci_an_uncommitted_campaign_file_is_left_out_and_named(
    fake: FakeGitHub, repo: Path
) -> None:
    (repo / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")

    code, out, err = run(fake, repo, committed_only=True)

    assert (code, err) == (0, ""), out + err
    assert "note: campaigns/crit.yml: not committed (untracked); left out" in out
    assert not tracking_issues(fake)
    git(repo, "add", "campaigns/crit.yml")
    code, out, _ = run(fake, repo, committed_only=True)
    assert "campaigns/crit.yml: not committed (added, not in HEAD)" in out
    assert not tracking_issues(fake)
    git(repo, "commit", "-qm", "crit")
    code, out, err = run(fake, repo, committed_only=True)
    assert (code, err) == (0, "")
    assert "left out" not in out
    assert tracking_issues(fake)


def test_in_ci_a_campaign_file_changed_since_head_is_left_out(fake: FakeGitHub, repo: Path) -> None:
    (repo / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "crit")
    (repo / "campaigns" / "crit.yml").write_text(
        CAMPAIGN.replace("state: active", "state: closed"), encoding="utf-8"
    )
    assert [i.why for i in uncommitted(repo, repo / "campaigns")] == ["changed since HEAD's commit"]
    code, out, _ = run(fake, repo, committed_only=True)
    assert code == 0
    assert "campaigns/crit.yml: changed since HEAD's commit; left out" in out
    assert not tracking_issues(fake)


def test_outside_a_git_repository_nothing_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaigns" / "a.yml").write_text("x: 1\n", encoding="utf-8")
    assert uncommitted(tmp_path, tmp_path / "campaigns") == ()


def test_on_a_terminal_apply_shows_the_plan_and_writes_only_after_yes(
    fake: FakeGitHub, repo: Path
) -> None:
    (repo / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    asked: list[str] = []

    def no(question: str) -> bool:
        asked.append(question)
        return False

    code, out, err = run(fake, repo, confirm=no)

    assert code == 1
    assert err == "Apply cancelled: nothing was written.\n"
    assert "open tracking issue" in out
    assert asked
    assert asked[0].startswith("Apply ")
    assert asked[0].endswith("to GitHub? Only 'yes' is accepted")
    assert not tracking_issues(fake)
    assert not (repo / "reports").exists()

    code, out, err = run(fake, repo, confirm=lambda _: True)
    assert (code, err) == (0, "")
    assert tracking_issues(fake)
    asked.clear()
    code, _, _ = run(fake, repo, confirm=no)  # nothing to do: nothing asked
    assert (code, asked) == (0, [])


# --- plan --out FILE, apply FILE -------------------------------------------------------------


def test_apply_of_a_saved_plan_applies_it_and_refuses_once_its_inputs_changed(
    fake: FakeGitHub, repo: Path
) -> None:
    from campaign_sync.commands.plan import run_plan
    from campaign_sync.errors import ConfigError

    (repo / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    saved = repo / "crit.plan"
    shown = io.StringIO()
    sources = [GitHubSource(transport_for(fake), "acme")]
    assert run_plan(repo, sources, output_format="text", out=shown, now=NOW, save_to=saved) == 2
    assert '"kind": "campaign-sync saved plan"' in saved.read_text(encoding="utf-8")

    # The campaign file changed after the plan was saved: refused, nothing written.
    (repo / "campaigns" / "crit.yml").write_text(
        CAMPAIGN.replace("[critical, high]", "[critical]"), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"campaigns changed since\. Nothing was written"):
        run(fake, repo, saved=saved)
    assert not tracking_issues(fake)

    # Back as it was: the very plan is applied, without asking.
    (repo / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    code, out, err = run(fake, repo, saved=saved, confirm=lambda _: False)
    assert (code, err) == (0, ""), out + err
    assert f"note: {saved}: the saved plan matches; applying it" in out
    assert tracking_issues(fake)

    # Applied: the ledgers changed, so the same file is refused a second time.
    with pytest.raises(ConfigError, match="ledgers changed since"):
        run(fake, repo, saved=saved)


def test_an_alert_changed_since_the_plan_was_saved_refuses_it(fake: FakeGitHub, repo: Path) -> None:
    from campaign_sync.commands.plan import run_plan
    from campaign_sync.errors import ConfigError

    (repo / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    saved = repo / "crit.plan"
    sources = [GitHubSource(transport_for(fake), "acme")]
    run_plan(repo, sources, output_format="json", out=io.StringIO(), now=NOW, save_to=saved)
    alert = next(a for a in sources[0].fetch().alerts if a.type == "code-scanning" and a.is_open)
    fake.set_alert_state(alert.repository, "code-scanning", alert.number or 0, "fixed")
    with pytest.raises(ConfigError, match="alerts changed since"):
        run(fake, repo, saved=saved)
    assert not tracking_issues(fake)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not a saved plan \\(not JSON"),
        ('{"kind": "x"}', "not a saved plan; make one with `campaign-sync plan --out`"),
        ('{"kind": "campaign-sync saved plan", "version": 9}', "of another version"),
        ('{"kind": "campaign-sync saved plan", "version": 1, "inputs": {}}', "incomplete"),
    ],
)
def test_a_file_that_is_not_a_saved_plan_is_refused_with_a_clear_error(
    tmp_path: Path, text: str, message: str
) -> None:
    from campaign_sync.errors import ConfigError
    from campaign_sync.saved_plan import load

    path = tmp_path / "x.plan"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load(path)
