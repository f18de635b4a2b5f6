"""Writing reports/: only changed bytes are written, errors stop the run before any write."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from campaign_sync.errors import ConfigError
from campaign_sync.ledger import write_ledger
from campaign_sync.model import Alert, Campaign, CampaignLedger, Member
from campaign_sync.reports.write import read_ledgers, write_reports

TODAY = date(2026, 12, 10)
JOINED = "2026-11-28T06:00:00Z"


def campaign(campaign_id: str, state: str = "active") -> Campaign:
    data: dict[str, Any] = {
        "name": f"Campaign {campaign_id}",
        "description": "Fix them.",
        "managers": ["mona"],
        "contact": "https://github.com/orgs/acme/discussions/1",
        "ends": "2027-03-31",
        "state": state,
        "sla": {"high": 30},
    }
    return Campaign.from_data(campaign_id, data)


def ledger(campaign_id: str, *states: str) -> CampaignLedger:
    members = tuple(
        Member(f"code-scanning:acme/web:{n}", s, JOINED, JOINED)  # type: ignore[arg-type]
        for n, s in enumerate(states, start=1)
    )
    return CampaignLedger(campaign_id, tuple(sorted(members)))


def alert(number: int, severity: str) -> Alert:
    return Alert(
        id=f"code-scanning:acme/web:{number}",
        type="code-scanning",
        repository="acme/web",
        state="open",
        number=number,
        severity=severity,
    )


def files(root: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_a_second_run_with_nothing_changed_touches_no_file(tmp_path: Path) -> None:
    campaigns = [campaign("a"), campaign("b"), campaign("c", "draft")]
    ledgers = {"a": ledger("a", "open", "fixed"), "b": ledger("b", "dismissed")}
    alerts = {a.id: a for a in (alert(1, "high"), alert(2, "low"))}
    first = write_reports(tmp_path, campaigns, ledgers, alerts, today=TODAY)
    assert sorted(str(p.relative_to(tmp_path)) for p in first.changed) == [
        "README.md",
        "a/README.md",
        "a/details.tsv",
        "a/history.csv",
        "b/README.md",
        "b/details.tsv",
        "b/history.csv",
    ]
    before = files(tmp_path)
    again = write_reports(tmp_path, campaigns, ledgers, alerts, today=TODAY)
    offline = write_reports(tmp_path, campaigns, ledgers, None, today=TODAY)
    assert again.changed == offline.changed == ()
    assert files(tmp_path) == before  # same bytes, same mtimes, same inodes
    assert not list(tmp_path.rglob(".*"))  # no temporary file left behind


def test_the_next_day_adds_a_row_and_offline_rebuild_matches(tmp_path: Path) -> None:
    campaigns = [campaign("a")]
    alerts = {a.id: a for a in (alert(1, "high"), alert(2, "low"))}
    write_reports(tmp_path, campaigns, {"a": ledger("a", "open", "open")}, alerts, today=TODAY)
    tomorrow = TODAY + timedelta(days=1)
    later = {"a": ledger("a", "open", "fixed")}
    write_reports(tmp_path, campaigns, later, alerts, today=tomorrow)
    history = (tmp_path / "a" / "history.csv").read_text(encoding="utf-8")
    assert history.splitlines()[1:] == ["2026-12-10,2,0,0,2", "2026-12-11,1,1,0,2"]
    online = files(tmp_path)
    (tmp_path / "a" / "README.md").unlink()
    (tmp_path / "README.md").unlink()
    write_reports(tmp_path, campaigns, later, None, today=tomorrow)
    assert {k: v[0] for k, v in files(tmp_path).items()} == {k: v[0] for k, v in online.items()}


def test_a_broken_history_stops_before_any_file_is_written(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "history.csv").write_text("date,open\n", encoding="utf-8")
    campaigns = [campaign("a"), campaign("b")]
    ledgers = {"a": ledger("a", "open"), "b": ledger("b", "open")}
    with pytest.raises(ConfigError, match=r"b/history\.csv:1: expected the header"):
        write_reports(tmp_path, campaigns, ledgers, None, today=TODAY)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["b", "history.csv"]


def test_read_ledgers_skips_drafts_and_campaigns_never_applied(tmp_path: Path) -> None:
    write_ledger(tmp_path, ledger("a", "open"))
    write_ledger(tmp_path, ledger("d", "open"))
    campaigns = [campaign("a"), campaign("d", "draft"), campaign("new")]
    assert read_ledgers(tmp_path, campaigns) == {"a": ledger("a", "open")}
    written = write_reports(
        tmp_path, campaigns, read_ledgers(tmp_path, campaigns), None, today=TODAY
    )
    assert written.not_applied == ("new",)
    index = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| Campaign new | active, not applied yet |" in index
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("missing", ["ledger.tsv", "ledger.json"])
def test_half_a_ledger_is_an_error(tmp_path: Path, missing: str) -> None:
    write_ledger(tmp_path, ledger("a", "open"))
    (tmp_path / "a" / missing).unlink()
    with pytest.raises(ConfigError, match=rf"a/{missing}: missing.*restore it from git"):
        read_ledgers(tmp_path, [campaign("a")])


def test_reports_without_a_ledger_are_an_error(tmp_path: Path) -> None:
    write_reports(tmp_path, [campaign("a")], {"a": ledger("a", "open")}, None, today=TODAY)
    with pytest.raises(ConfigError, match=r"has reports of 'a' but no ledger"):
        read_ledgers(tmp_path, [campaign("a")])
