"""The campaign report and the index: golden files, links, and hostile names made inert."""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from campaign_sync.model import Campaign, CampaignLedger, HeldRepository, Member, TrackedIssue
from campaign_sync.reports.details import UNKNOWN, Detail
from campaign_sync.reports.history import HistoryRow
from campaign_sync.reports.index import IndexEntry, render_index
from campaign_sync.reports.page import MAX_REPOSITORY_ROWS, render_page
from campaign_sync.reports.tally import campaign_facts

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CAMPAIGN_SYNC_UPDATE_GOLDEN") == "1"
TODAY = date(2026, 12, 10)
WEB = "https://github.com"
HOSTILE = (
    "<img src=x onerror=alert(1)> @mona [click](https://evil.example) | pipe | "
    "#1 GH-2 www.evil.example `code` <!-- campaign-sync:end --> \u202eevil"
)


def campaign(campaign_id: str = "crit", **overrides: Any) -> Campaign:
    data: dict[str, Any] = {
        "name": "Critical code scanning",
        "description": "Fix the critical and **high** alerts.",
        "managers": ["mona", "@acme/appsec"],
        "contact": "https://github.com/orgs/acme/discussions/1",
        "ends": "2027-03-31",
        "state": "active",
        "sla": {"critical": 7, "high": 30},
        "github": {"autofix": True, "native-campaign": True},
    }
    data.update(overrides)
    return Campaign.from_data(campaign_id, data)


def member(alert_id: str, state: str = "open", joined: str = "2026-11-28") -> Member:
    stamp = f"{joined}T06:00:00Z"
    return Member(alert_id, state, stamp, stamp)  # type: ignore[arg-type]


MEMBERS = (
    member("code-scanning:acme/api:1"),
    member("code-scanning:acme/api:2", joined="2026-12-05"),
    member("code-scanning:acme/web:3"),
    member("code-scanning:acme/web:4", "fixed"),
    member("code-scanning:acme/web:5", "dismissed"),
    member("secret-scanning:acme/web:6", "resolved"),
    member("dependabot:acme/lib:7", "fixed"),
)
DETAILS = {
    "code-scanning:acme/api:1": Detail("code-scanning:acme/api:1", "critical"),
    "code-scanning:acme/api:2": Detail("code-scanning:acme/api:2", "critical"),
    "code-scanning:acme/web:3": Detail("code-scanning:acme/web:3", "high"),
    "secret-scanning:acme/web:6": Detail("secret-scanning:acme/web:6", UNKNOWN, "dismissed"),
}
LEDGER = CampaignLedger(
    campaign="crit",
    members=tuple(sorted(MEMBERS)),
    issues=(
        TrackedIssue("acme/api", 4, "open", "d"),
        TrackedIssue("acme/lib", 9, "closed", "d"),
        TrackedIssue("acme/web", 12, "open", "d"),
    ),
    native_campaign=7,
    native_organization="acme",
    autofix_requested=("code-scanning:acme/api:1",),
)
HISTORY = (
    HistoryRow(date(2026, 11, 28), 6, 0, 0),
    HistoryRow(date(2026, 12, 3), 4, 1, 1),
    HistoryRow(TODAY, 3, 2, 2),
)


def page(camp: Campaign | None = None, ledger: CampaignLedger = LEDGER) -> str:
    facts = campaign_facts(camp or campaign(), ledger, DETAILS, today=TODAY)
    return render_page(facts, HISTORY, today=TODAY, web=WEB)


def index() -> str:
    entries = [
        IndexEntry(campaign(), campaign_facts(campaign(), LEDGER, DETAILS, today=TODAY)),
        IndexEntry(campaign("a-draft", state="draft", name="Next quarter"), None),
        IndexEntry(campaign("new", name="Secrets", sla={}), None),
        IndexEntry(
            campaign("old", state="closed", ends="2026-10-01", name="Done"),
            campaign_facts(
                campaign("old"),
                CampaignLedger("old", (member("code-scanning:acme/web:3", "fixed"),)),
                {},
                today=TODAY,
            ),
        ),
    ]
    return render_index(entries, today=TODAY)


@pytest.mark.parametrize(("name", "render"), [("report_page.md", page), ("report_index.md", index)])
def test_golden(name: str, render: Any) -> None:
    rendered = render().encode("utf-8")
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(rendered)
    assert rendered == path.read_bytes()


def test_same_input_same_bytes() -> None:
    assert page() == page()
    assert index() == index()


def test_the_index_names_the_ids_of_campaigns_that_share_a_name() -> None:
    """Two campaigns named alike were two rows nobody could tell apart."""
    entries = [
        IndexEntry(campaign("sqli-web", name="SQL injection"), None),
        IndexEntry(campaign("sqli-api", name="SQL Injection"), None),
        IndexEntry(campaign("xss", name="XSS"), None),
    ]
    rows = [line for line in render_index(entries, today=TODAY).splitlines() if "applied" in line]
    assert [row.split(" | ")[0] for row in rows] == [
        "| SQL Injection (`sqli-api`)",
        "| SQL injection (`sqli-web`)",
        "| XSS",
    ]


def test_page_links_issues_native_campaign_and_repositories() -> None:
    text = page()
    assert "[#12](https://github.com/acme/web/issues/12)" in text
    assert "[#9](https://github.com/acme/lib/issues/9) (closed)" in text
    assert "[#7](https://github.com/orgs/acme/security/campaigns/7)" in text
    assert "[acme/api](https://github.com/acme/api)" in text
    enterprise = render_page(
        campaign_facts(campaign(), LEDGER, DETAILS, today=TODAY),
        HISTORY,
        today=TODAY,
        web="https://ghe.example.com",
    )
    assert "(https://ghe.example.com/acme/web/issues/12)" in enterprise
    assert "https://github.com/acme" not in enterprise


def test_repositories_are_sorted_by_what_is_left() -> None:
    rows = [line for line in page().splitlines() if line.startswith("| [acme/")]
    assert [re.match(r"\| \[(acme/\w+)\]", r).group(1) for r in rows] == [  # type: ignore[union-attr]
        "acme/api",
        "acme/web",
        "acme/lib",
    ]


def test_a_huge_campaign_lists_the_first_repositories_and_counts_the_rest() -> None:
    members = tuple(
        sorted(member(f"code-scanning:acme/r{n:04}:1") for n in range(MAX_REPOSITORY_ROWS + 3))
    )
    text = page(ledger=CampaignLedger("crit", members))
    assert text.count("| [acme/r") == MAX_REPOSITORY_ROWS
    assert "And 3 more repositories with 3 open alerts" in text


def cells(line: str) -> int:
    """Columns of a markdown table row: pipes not escaped with a backslash."""
    return len(re.findall(r"(?<!\\)\|", line)) - 1


def assert_inert(text: str) -> None:
    body = text.split("\n", 1)[1]  # after the tool's own comment line
    assert "<" not in body  # no HTML, no comments, no marker lines
    assert "](https://evil" not in body
    assert "](www" not in body
    assert not re.search(r"(?<![`/\w])@mona(?!`)", body)  # no live mention outside code spans
    assert "\u202e" not in body
    assert not re.search(r"(?<!\\)#1\b", body)  # no issue reference
    for table in re.split(r"\n\n", body):
        rows = [line for line in table.splitlines() if line.startswith("|")]
        assert len({cells(r) for r in rows}) <= 1, table


def test_hostile_campaign_and_repository_names_are_inert() -> None:
    hostile_repo = "acme/we|b](https://evil.example)<b>@mona"
    ledger = CampaignLedger(
        campaign="crit",
        members=(member(f"code-scanning:{hostile_repo}:1"),),
        issues=(TrackedIssue(hostile_repo, 3, "open", "d"),),
        native_campaign=5,
        native_organization="evil](https://evil.example)",
    )
    camp = campaign(
        name=HOSTILE,
        # Reviewed markdown: it keeps its own links, but no HTML, mentions or comments.
        description="<script>alert(1)</script>\n@mona -->\n<!-- campaign-sync:end -->",
        managers=["mona", "@evil <b>x</b>"],
        contact="javascript:alert(1)",
    )
    text = page(camp, ledger)
    assert_inert(text)
    assert "https://github.com/acme/we" not in text  # no link from a name GitHub forbids
    assert "| #3 |" in text
    assert "| #5 |" in text
    entry = IndexEntry(camp, campaign_facts(camp, ledger, {}, today=TODAY))
    assert_inert(render_index([entry], today=TODAY))


def test_due_and_done_wording() -> None:
    for ends, expected in [
        ("2026-12-11", "2026-12-11 (1 day left)"),
        ("2026-12-10", "2026-12-10 (today)"),
        ("2026-12-01", "2026-12-01 (passed 9 days ago)"),
    ]:
        assert f"| **Due** | {expected} |" in page(campaign(ends=ends))
    closed = page(campaign(state="closed", ends="2026-12-01"))
    assert "| **Due** | 2026-12-01 |" in closed
    empty = page(ledger=CampaignLedger("crit"))
    assert "| **Done** | no alerts |" in empty
    assert "No repository has alerts in this campaign." in empty
    assert "| **Done** | 57% (4 of 7 alerts closed: 2 fixed, 2 dismissed) |" in page()


def test_held_repositories_are_named_and_frozen_alerts_are_never_done() -> None:
    ledger = dataclasses.replace(
        LEDGER,
        held=(
            HeldRepository("acme/api", "archived", "2026-12-01T06:00:00Z"),
            HeldRepository("acme/web", "issues-off", "2026-12-01T06:00:00Z", "write"),
        ),
    )
    facts = campaign_facts(campaign(), ledger, DETAILS, today=TODAY)
    assert facts.frozen == 2  # acme/api's two open alerts
    assert facts.tally.open == 3  # still open: frozen is not fixed
    page = render_page(facts, HISTORY, today=TODAY, web=WEB)
    assert (
        "| **Done** | 57% (4 of 7 alerts closed: 2 fixed, 2 dismissed; "
        "2 frozen in archived repositories) |"
    ) in page
    assert "[#4](https://github.com/acme/api/issues/4) (archived) |" in page
    assert "[#12](https://github.com/acme/web/issues/12) (Issues turned off) |" in page
    assert (
        "- acme/api is archived: 2 alerts frozen \\(read\\-only; none counts as fixed\\)\n"
        "- acme/web has Issues turned off: 1 alert tracked in the report only\n"
    ) in page
    # Nothing held: the page is as it always was (the golden file holds that).
    plain = render_page(
        campaign_facts(campaign(), LEDGER, DETAILS, today=TODAY), HISTORY, today=TODAY, web=WEB
    )
    assert "No tracking issue is written" not in plain
