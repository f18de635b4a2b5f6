"""`campaign-sync report` and the reports apply writes: end to end against the fake GitHub.

apply writes reports/ from the ledgers it wrote and the alerts it read; `report` rebuilds
them from the files alone, byte for byte, with no network.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.cli import main
from campaign_sync.commands.apply import run_apply
from campaign_sync.commands.report import run_report
from campaign_sync.sources.github import GitHubSource

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
TODAY = NOW.date()
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
sla: {critical: 7, high: 30}
tracking:
  labels: [security]
"""
DRAFT = CAMPAIGN.replace("state: active", "state: draft").replace("Critical", "Later")


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=4, alerts=120, seed=21)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    (tmp_path / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    (tmp_path / "campaigns" / "later.yml").write_text(DRAFT, encoding="utf-8")
    return tmp_path


def apply(
    fake: FakeGitHub, repo: Path, now: datetime = NOW, token: str | None = None, **kw: Any
) -> tuple[int, str]:
    source = GitHubSource(transport_for(fake), "acme")
    out, err = io.StringIO(), io.StringIO()
    code = run_apply(repo, [source], transport_for(fake, token), out=out, err=err, now=now, **kw)
    return code, out.getvalue()


def report(repo: Path, today: date = TODAY) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_report(repo, today=today, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def tree(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted((repo / "reports").rglob("*"))
        if p.is_file()
    }


def test_apply_writes_reports_and_report_rebuilds_them_byte_identically(
    fake: FakeGitHub, repo: Path
) -> None:
    code, out = apply(fake, repo)
    assert code == 0
    assert "Wrote 4 report files" in out
    written = tree(repo)
    assert set(written) == {
        "reports/README.md",
        *(f"reports/crit/{n}" for n in ("README.md", "details.tsv", "history.csv")),
        *(f"reports/crit/{n}" for n in ("ledger.tsv", "ledger.json")),
    }
    page = written["reports/crit/README.md"].decode()
    assert "https://github.com/acme/" in page
    assert "/issues/1)" in page
    assert "| Later code scanning | draft |" in written["reports/README.md"].decode()
    members = written["reports/crit/ledger.tsv"].decode().count("code-scanning:")
    assert written["reports/crit/details.tsv"].decode().count("code-scanning:") == members

    # Offline, the same day: nothing to do, not a byte changed.
    assert report(repo) == (0, f"The reports under {repo / 'reports'} are up to date.\n", "")
    assert tree(repo) == written
    # Everything derived is rebuilt from the ledger, details and history alone.
    for name in ("reports/README.md", "reports/crit/README.md"):
        (repo / name).unlink()
    assert main(["report", "--root", str(repo), "--today", "2026-11-28"]) == 0
    assert tree(repo) == written
    # A second apply the same day changes nothing either.
    assert apply(fake, repo)[1].endswith("Reports are up to date.\n")
    assert tree(repo) == written


def test_a_day_later_history_grows_and_offline_rebuild_still_matches(
    fake: FakeGitHub, repo: Path
) -> None:
    apply(fake, repo)
    alerts = GitHubSource(transport_for(fake), "acme").fetch().alerts
    ledger = (repo / "reports" / "crit" / "ledger.tsv").read_text(encoding="utf-8")
    first, second = [a for a in alerts if a.id in ledger and a.is_open][:2]
    fake.set_alert_state(first.repository, "code-scanning", first.number or 0, "fixed")
    fake.set_alert_state(second.repository, "code-scanning", second.number or 0, "dismissed")
    apply(fake, repo, NOW + timedelta(days=1))
    history = (repo / "reports" / "crit" / "history.csv").read_text(encoding="utf-8")
    (_, day1), (_, day2) = (line.split(",", 1) for line in history.splitlines()[1:])
    opened, fixed, dismissed, total = map(int, day2.split(","))
    assert (fixed, dismissed) == (1, 1)
    assert int(day1.split(",")[0]) == opened + 2
    assert int(day1.split(",")[3]) == total
    written = tree(repo)
    (repo / "reports" / "crit" / "README.md").unlink()
    assert report(repo, NOW.date() + timedelta(days=1))[0] == 0
    assert tree(repo) == written


def test_reports_are_written_when_actions_fail(fake: FakeGitHub, repo: Path) -> None:
    no_issues = fake.add_token(permissions={"code_scanning_alerts": "read", "metadata": "read"})
    code, _ = apply(fake, repo, token=no_issues)
    assert code == 1
    page = (repo / "reports" / "crit" / "README.md").read_text(encoding="utf-8")
    assert "/issues/" not in page  # no issue was opened: the report says so
    assert "| Open | Fixed | Dismissed | Total |" in page
    assert apply(fake, repo)[0] == 0
    page = (repo / "reports" / "crit" / "README.md").read_text(encoding="utf-8")
    assert "/issues/1)" in page


def test_dry_run_writes_nothing(fake: FakeGitHub, repo: Path) -> None:
    assert apply(fake, repo, dry_run=True)[0] == 0
    assert not (repo / "reports").exists()


def test_report_without_any_ledger_says_to_apply_first(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--root", str(repo), "--today", "2026-11-28"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "run `campaign-sync apply` first" in err
    assert "Traceback" not in err


def test_report_with_a_corrupt_ledger_names_the_line(
    fake: FakeGitHub, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apply(fake, repo)
    path = repo / "reports" / "crit" / "ledger.tsv"
    path.write_text(path.read_text(encoding="utf-8") + "garbage\n", encoding="utf-8")
    before = tree(repo)
    assert main(["report", "--root", str(repo), "--today", "2026-11-29"]) == 1
    err = capsys.readouterr().err
    assert "ledger.tsv:" in err
    assert "not a ledger line" in err
    assert "Traceback" not in err
    assert tree(repo) == before


def test_report_of_a_campaign_not_applied_yet_lists_it(fake: FakeGitHub, repo: Path) -> None:
    apply(fake, repo)
    (repo / "campaigns" / "new.yml").write_text(
        CAMPAIGN.replace("Critical", "New"), encoding="utf-8"
    )
    code, out, err = report(repo)
    assert code == 0
    assert "Wrote 1 report file " in out
    assert err.startswith("new: not applied yet")
    index = (repo / "reports" / "README.md").read_text(encoding="utf-8")
    assert "| New code scanning | active, not applied yet |" in index


def test_report_rejects_a_bad_date(repo: Path) -> None:
    assert main(["report", "--root", str(repo), "--today", "28.11.2026"]) == 64  # EX_USAGE
