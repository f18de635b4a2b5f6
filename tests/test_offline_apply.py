"""Apply from offline sources alone: SARIF findings that disappear are fixed, and no token
is needed while the plan has nothing to do on GitHub (issue 14, item 10)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from campaign_sync import cli
from campaign_sync.ledger import read_ledger

DATA = Path(__file__).parent / "data" / "sarif" / "semgrep"
CAMPAIGN = """\
name: Semgrep findings
description: Fix what Semgrep finds.
managers: [mona]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
  membership: rolling
tracking:
  issues: {issues}
"""
SHELL_TRUE = "python.lang.security.audit.subprocess-shell-true.subprocess-shell-true"
CREDENTIALS = ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")


@pytest.fixture
def campaigns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (*CREDENTIALS, "CAMPAIGN_SYNC_APP_ID", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    (tmp_path / "campaigns" / "semgrep.yml").write_text(
        CAMPAIGN.format(issues="off"), encoding="utf-8"
    )
    shutil.copy(DATA / "scan-1.sarif", tmp_path / "scan.sarif")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def apply(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["apply", "--source", "sarif:scan.sarif#acme/payments-api"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def states(root: Path) -> dict[str, str]:
    return {m.alert_id: m.state for m in read_ledger(root / "reports", "semgrep").members}


def test_a_finding_gone_from_the_next_scan_is_fixed_without_any_token(
    campaigns: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = apply(capsys)
    assert (code, err) == (0, ""), out + err
    first = states(campaigns)
    # Four open findings join (the fifth is suppressed with `# nosemgrep`: not open).
    assert len(first) == 4
    assert set(first.values()) == {"open"}
    shutil.copy(DATA / "scan-2.sarif", campaigns / "scan.sarif")

    code, out, err = apply(capsys)

    assert (code, err) == (0, ""), out + err
    second = states(campaigns)
    fixed = {alert for alert, state in second.items() if state == "fixed"}
    # scripts/deploy.py's shell=True is gone from scan 2: fixed; the new pickle finding joins.
    assert [alert[-16:] for alert in fixed] == ["39ea716b9c0960f5"]
    assert len(second) == 5
    assert sum(state == "open" for state in second.values()) == 4
    # A scan of another tool, or of another repository, fixes nothing of these.
    (campaigns / "scan.sarif").write_text(
        '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Bandit"}}, "results": []}]}',
        encoding="utf-8",
    )
    code, out, err = apply(capsys)
    assert (code, err) == (0, ""), out + err
    assert states(campaigns) == second


def test_a_run_without_results_covers_nothing(
    campaigns: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(capsys)[0] == 0
    first = states(campaigns)
    # SARIF: a run without "results" is one whose tool could not compute them.
    (campaigns / "scan.sarif").write_text(
        '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Semgrep OSS"}}}]}',
        encoding="utf-8",
    )
    assert apply(capsys)[0] == 0
    assert states(campaigns) == first


def test_with_tracking_on_apply_without_a_token_says_what_it_would_do_and_writes_nothing(
    campaigns: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (campaigns / "campaigns" / "semgrep.yml").write_text(
        CAMPAIGN.format(issues="per-repository"), encoding="utf-8"
    )

    code, _out, err = apply(capsys)

    assert code == 1
    assert err.startswith("error: no GitHub credentials: set GITHUB_TOKEN"), err
    assert "This apply has 1 change to make on GitHub (1 open tracking issue)" in err
    assert "Traceback" not in err
    assert not (campaigns / "reports").exists()
