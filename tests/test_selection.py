"""`--campaign ID` on plan, apply and report: the named campaigns only, the others left as
they are (issue 14, item 11)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.commands.apply import run_apply
from campaign_sync.commands.plan import run_plan
from campaign_sync.commands.report import run_report
from campaign_sync.config.loader import load_campaigns
from campaign_sync.errors import UsageProblem
from campaign_sync.ledger import read_ledger
from campaign_sync.selection import UnknownCampaign, select
from campaign_sync.sources.github import GitHubSource

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
CAMPAIGN = """\
name: {name}
description: Fix the {severity} code scanning alerts.
managers: [mona]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
  severity: [{severity}]
  membership: rolling
"""


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=4, alerts=120, seed=5)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaign-sync.yml").write_text(
        "organizations: [acme]\nsafety: {min-issues-for-threshold: 1000}\n", encoding="utf-8"
    )
    for campaign_id, severity in (("crit", "critical"), ("high", "high")):
        (tmp_path / "campaigns" / f"{campaign_id}.yml").write_text(
            CAMPAIGN.format(name=f"{severity.title()} alerts", severity=severity),
            encoding="utf-8",
        )
    return tmp_path


def plan(fake: FakeGitHub, repo: Path, *only: str, output_format: str = "text") -> tuple[int, str]:
    out = io.StringIO()
    sources = [GitHubSource(transport_for(fake), "acme")]
    code = run_plan(repo, sources, output_format=output_format, out=out, now=NOW, only=only)
    return code, out.getvalue()


def apply(fake: FakeGitHub, repo: Path, *only: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    sources = [GitHubSource(transport_for(fake), "acme")]
    code = run_apply(repo, sources, transport_for(fake), out=out, err=err, now=NOW, only=only)
    return code, out.getvalue(), err.getvalue()


def test_plan_shows_only_the_named_campaign_and_says_the_others_are_left(
    fake: FakeGitHub, repo: Path
) -> None:
    code, shown = plan(fake, repo, "crit")
    assert code == 2
    assert "campaign crit" in shown
    assert "campaign high" not in shown
    assert "only crit planned (--campaign): 1 other campaign left as they are" in shown
    document = json.loads(plan(fake, repo, "crit", output_format="json")[1])
    assert {a["campaign"] for a in document["actions"]} == {"crit"}


def test_apply_writes_only_the_named_campaign_and_the_index_keeps_the_others(
    fake: FakeGitHub, repo: Path
) -> None:
    assert apply(fake, repo)[0] == 0  # both campaigns applied once
    high_page = (repo / "reports" / "high" / "README.md").read_bytes()
    high_ledger = read_ledger(repo / "reports", "high")
    # The high campaign's alerts all get fixed; only crit is applied.
    for alert in GitHubSource(transport_for(fake), "acme").fetch().alerts:
        if alert.severity == "high" and alert.is_open:
            fake.set_alert_state(alert.repository, "code-scanning", alert.number or 0, "fixed")
    writes = fake.snapshot()["writes"]
    code, out, err = apply(fake, repo, "crit")
    assert (code, err) == (0, ""), out + err
    assert fake.snapshot()["writes"] == writes  # crit had nothing to do; high left alone
    assert read_ledger(repo / "reports", "high") == high_ledger
    assert (repo / "reports" / "high" / "README.md").read_bytes() == high_page
    index = (repo / "reports" / "README.md").read_text(encoding="utf-8")
    assert "high/README.md" in index
    assert "crit/README.md" in index
    assert "Removed campaigns" not in index
    # Without --campaign the high campaign catches up.
    code, out, _ = apply(fake, repo)
    assert code == 0
    assert "done high: close tracking issue" in out


def test_a_campaign_left_out_is_never_wound_down_as_removed(fake: FakeGitHub, repo: Path) -> None:
    assert apply(fake, repo)[0] == 0
    code, shown = plan(fake, repo, "high")
    assert "removed" not in shown
    assert "close tracking issue" not in shown
    # A removed campaign can be named, and is then wound down alone.
    (repo / "campaigns" / "crit.yml").unlink()
    code, shown = plan(fake, repo, "crit")
    assert code == 2
    assert "campaign crit (its campaign file was removed: wound down)" in shown
    assert "campaign high" not in shown


def test_an_unknown_id_is_a_usage_error_naming_the_closest() -> None:
    with pytest.raises(UnknownCampaign, match=r"'crt' \(did you mean 'crit'\?\)") as caught:
        select([], ["crit", "high"], ["crt"])
    assert isinstance(caught.value, UsageProblem)  # exit 64, never "changes"


def test_no_selection_is_every_campaign(repo: Path) -> None:
    _, campaigns = load_campaigns(repo, today=NOW.date())
    chosen = select(campaigns, ["old"], ())
    assert (chosen.campaigns, chosen.removed, chosen.others, chosen.note) == (
        campaigns,
        ("old",),
        (),
        None,
    )


def test_the_cli_exits_64_for_an_unknown_campaign(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from campaign_sync import cli

    monkeypatch.chdir(repo)
    snapshot = Path(__file__).parents[1] / "examples" / "snapshot"
    code = cli.main(["plan", "--campaign", "hihg", "--source", f"snapshot:{snapshot}"])
    err = capsys.readouterr().err
    assert code == 64, err
    assert "did you mean 'high'" in err


def test_report_rebuilds_only_the_named_campaign(fake: FakeGitHub, repo: Path) -> None:
    assert apply(fake, repo)[0] == 0
    crit_history = repo / "reports" / "crit" / "history.csv"
    high_history = repo / "reports" / "high" / "history.csv"
    before = high_history.read_bytes()
    out, err = io.StringIO(), io.StringIO()
    later = datetime(2026, 12, 2, tzinfo=UTC).date()
    assert run_report(repo, today=later, out=out, err=err, only=("crit",)) == 0
    assert "2026-12-02" in crit_history.read_text(encoding="utf-8")
    assert high_history.read_bytes() == before


def test_a_saved_plan_applies_the_campaigns_it_was_made_for(
    fake: FakeGitHub, repo: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "crit.plan"
    out = io.StringIO()
    sources = [GitHubSource(transport_for(fake), "acme")]
    run_plan(repo, sources, output_format="text", out=out, now=NOW, save_to=saved, only=["crit"])
    with pytest.raises(UsageProblem, match="made for --campaign crit"):
        run_apply(
            repo,
            [GitHubSource(transport_for(fake), "acme")],
            transport_for(fake),
            out=io.StringIO(),
            err=io.StringIO(),
            now=NOW,
            saved=saved,
            only=["high"],
        )
    out, err = io.StringIO(), io.StringIO()
    code = run_apply(
        repo,
        [GitHubSource(transport_for(fake), "acme")],
        transport_for(fake),
        out=out,
        err=err,
        now=NOW,
        saved=saved,
    )
    assert code == 0, out.getvalue() + err.getvalue()
    assert (repo / "reports" / "crit" / "ledger.tsv").is_file()
    assert not (repo / "reports" / "high" / "ledger.tsv").exists()
