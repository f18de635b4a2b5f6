"""Counting a campaign: outcomes, percent done, SLA by severity, repositories by what is left."""

from __future__ import annotations

from datetime import date
from typing import Any

from campaign_sync.model import Campaign, CampaignLedger, Member, TrackedIssue
from campaign_sync.reports.details import UNKNOWN, Detail
from campaign_sync.reports.tally import SeverityRow, Tally, campaign_facts

TODAY = date(2026, 12, 10)


def campaign(**overrides: Any) -> Campaign:
    data: dict[str, Any] = {
        "name": "Critical code scanning",
        "description": "Fix them.",
        "managers": ["mona"],
        "contact": "https://github.com/orgs/acme/discussions/1",
        "ends": "2027-03-31",
        "state": "active",
        "sla": {"critical": 7, "high": 30},
    }
    data.update(overrides)
    return Campaign.from_data("crit", data)


def member(alert_id: str, state: str = "open", joined: str = "2026-11-28") -> Member:
    stamp = f"{joined}T06:00:00Z"
    return Member(alert_id, state, stamp, stamp)  # type: ignore[arg-type]


def test_percent_done_rounds_down_and_is_none_without_alerts() -> None:
    assert Tally(open=1, fixed=199).percent_done == 99
    assert Tally(fixed=3, dismissed=1).percent_done == 100
    assert Tally().percent_done is None


def test_counts_sla_and_repositories() -> None:
    members = (
        member("code-scanning:acme/api:1"),  # critical, joined 11-28: due 12-05, late
        member("code-scanning:acme/api:2", joined="2026-12-05"),  # critical, due 12-12
        member("code-scanning:acme/web:3"),  # high: due 12-28
        member("code-scanning:acme/web:4", "fixed"),
        member("code-scanning:acme/web:5", "dismissed"),
        member("secret-scanning:acme/web:6", "resolved"),  # dismissed, per the details
        member("secret-scanning:acme/web:7", "resolved"),  # unknown reason: fixed
        member("secret-scanning:acme/zzz:8"),  # no severity: no SLA
        member("code-scanning:acme/web:9", joined="2026-11-01"),  # high, due 12-01: late
    )
    details = {
        "code-scanning:acme/api:1": Detail("code-scanning:acme/api:1", "critical"),
        "code-scanning:acme/api:2": Detail("code-scanning:acme/api:2", "critical"),
        "code-scanning:acme/web:3": Detail("code-scanning:acme/web:3", "high"),
        "code-scanning:acme/web:9": Detail("code-scanning:acme/web:9", "high"),
        "secret-scanning:acme/web:6": Detail("secret-scanning:acme/web:6", UNKNOWN, "dismissed"),
    }
    ledger = CampaignLedger(
        campaign="crit",
        members=tuple(sorted(members)),
        issues=(
            TrackedIssue("acme/web", 12, "open", "d"),
            TrackedIssue("acme/old", 3, "closed", "d"),
        ),
        autofix_requested=("code-scanning:acme/api:1", "code-scanning:acme/web:4"),
    )
    facts = campaign_facts(campaign(), ledger, details, today=TODAY)
    assert facts.tally == Tally(open=5, fixed=2, dismissed=2)
    assert facts.autofix_open == 1  # web:4 is fixed
    assert facts.severities == (
        SeverityRow("critical", 7, 2, 1, date(2026, 12, 12)),
        SeverityRow("high", 30, 2, 1, date(2026, 12, 28)),
        SeverityRow(UNKNOWN, None, 1, 0, None),
    )
    assert facts.past_due == 2
    rows = [(r.repository, r.tally.open, r.past_due, r.issue) for r in facts.repositories]
    assert rows == [
        ("acme/api", 2, 1, None),  # as many open and late as web: by name
        ("acme/web", 2, 1, TrackedIssue("acme/web", 12, "open", "d")),
        ("acme/zzz", 1, 0, None),
        ("acme/old", 0, 0, TrackedIssue("acme/old", 3, "closed", "d")),
    ]


def test_due_today_is_not_late() -> None:
    ledger = CampaignLedger("crit", (member("code-scanning:acme/api:1", joined="2026-12-03"),))
    details = {"code-scanning:acme/api:1": Detail("code-scanning:acme/api:1", "critical")}
    facts = campaign_facts(campaign(), ledger, details, today=TODAY)
    assert facts.severities[0] == SeverityRow("critical", 7, 1, 0, TODAY)


def test_without_sla_only_severities_with_open_alerts_are_listed() -> None:
    ledger = CampaignLedger("crit", (member("code-scanning:acme/api:1"),))
    details = {"code-scanning:acme/api:1": Detail("code-scanning:acme/api:1", "low")}
    facts = campaign_facts(campaign(sla={}), ledger, details, today=TODAY)
    assert facts.severities == (SeverityRow("low", None, 1, 0, None),)
    assert facts.past_due == 0
