"""GitHub's rules for native campaigns and Autofix (campaign_sync.native), and how the pure
planner follows them: due dates, the organization's ten open campaigns, managers, GHES,
CodeQL-only Autofix, mailto: contacts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign_sync.actions import CreateNativeCampaign, RequestAutofix, UpdateNativeCampaign
from campaign_sync.destinations.native_campaign import native_fields
from campaign_sync.model import Alert, Campaign, CampaignLedger
from campaign_sync.native import (
    FIELD_NAMES,
    LiveCampaign,
    NativeContext,
    NativeFields,
    autofix_supported,
    changed_fields,
    contact_link,
    server_from_url,
)
from campaign_sync.plan import Plan, make_plan
from campaign_sync.render.plan import PLAN_FORMATS
from campaign_sync.sources.base import SourceResult

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
BASE: dict[str, Any] = {
    "name": "SQL injection burn-down",
    "description": "Fix every SQL injection alert.",
    "managers": ["mona", "@acme/appsec"],
    "contact": "https://github.com/orgs/acme/discussions/42",
    "ends": "2027-03-31",
    "state": "active",
    "select": {"alerts": ["code-scanning"]},
    "github": {"native-campaign": True},
}


def campaign(campaign_id: str = "sqli", **overrides: Any) -> Campaign:
    return Campaign.from_data(campaign_id, {**BASE, **overrides})


def code_alert(number: int, repo: str = "acme/web", tool: str = "CodeQL") -> Alert:
    return Alert(
        id=f"code-scanning:{repo}:{number}",
        type="code-scanning",
        repository=repo,
        state="open",
        number=number,
        repository_id=10,
        tool=tool,
    )


def plan_for(
    campaigns: Sequence[Campaign],
    alerts: Iterable[Alert],
    ledgers: dict[str, CampaignLedger] | None = None,
    native: NativeContext | None = None,
) -> Plan:
    result = SourceResult(tuple(sorted(alerts, key=lambda a: a.id)), (), ())
    return make_plan(campaigns, result, ledgers or {}, now=NOW, native=native)


def live(count: int, org: str = "acme", start: int = 100) -> NativeContext:
    """A connected run whose organization has ``count`` open campaigns made in the UI."""
    made = tuple(
        LiveCampaign(start + i, f"UI {i} @mallory", "by hand", "2027-01-01T00:00:00Z")
        for i in range(count)
    )
    return NativeContext("cloud", connected=True, open_campaigns={org: made}, reads=2)


def creates(plan: Plan) -> list[str]:
    return [a.campaign for a in plan.actions if isinstance(a, CreateNativeCampaign)]


# --- the server (item 5) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (None, "cloud"),
        ("https://api.github.com", "cloud"),
        ("https://api.acme.ghe.com", "cloud"),
        ("https://ghe.example.com/api/v3", "ghes"),
        ("https://ghe.example.com/api/v3/", "ghes"),
        ("http://127.0.0.1:8080", "unknown"),
        ("https://proxy.example.com/github", "unknown"),
    ],
)
def test_the_url_alone_decides_the_server_when_it_can(url: str | None, kind: str) -> None:
    assert server_from_url(url) == kind


def test_on_ghes_nothing_is_mirrored_or_requested_and_the_plan_says_why() -> None:
    ghes = NativeContext("ghes", "3.18.0", connected=True)
    wanted = campaign(github={"native-campaign": True, "autofix": True})
    plan = plan_for([wanted], [code_alert(1)], native=ghes)
    assert {a.kind for a in plan.actions} == {"create_issue"}
    (note,) = plan.notes
    assert note.startswith(
        "native security campaigns and Copilot Autofix are unavailable on GitHub Enterprise "
        "Server 3.18.0"
    )
    assert "sqli" in note
    for render in PLAN_FORMATS.values():
        assert "GitHub Enterprise" in render(plan)


# --- due dates (item 2) -----------------------------------------------------------------


def test_a_campaign_whose_due_date_passed_is_not_mirrored_and_takes_no_slot() -> None:
    passed = campaign("a-passed", ends="2026-11-01")
    later = campaign("b-later")
    plan = plan_for([passed, later], [code_alert(1)], native=live(9))
    assert creates(plan) == ["b-later"]
    assert (
        "a-passed: not mirrored into a native GitHub campaign: its due date 2026-11-01 has "
        "passed, and GitHub takes only a future one" in plan.notes
    )


def _mirrored(c: Campaign, **ledger: Any) -> CampaignLedger:
    old = native_fields(campaign(**{**BASE, "name": "Old name"}))
    return CampaignLedger(
        campaign=c.id,
        native_campaign=7,
        native_organization="acme",
        native_digest=old.digest(),
        **ledger,
    )


def test_an_update_sends_only_what_changed_and_never_a_passed_due_date() -> None:
    renamed = campaign(name="New name", ends="2026-11-01")
    on_github = LiveCampaign(
        7, "Old name", "Fix every SQL injection alert.", "2027-03-31T23:59:59Z",
        "https://github.com/orgs/acme/discussions/42", ("mona",), ("appsec",),
    )  # fmt: skip
    context = NativeContext("cloud", connected=True, open_campaigns={"acme": (on_github,)})
    plan = plan_for([renamed], [code_alert(1)], {"sqli": _mirrored(renamed)}, context)
    (update,) = [a for a in plan.actions if isinstance(a, UpdateNativeCampaign)]
    assert update.changes == ("name",)
    assert any("keeps its due date: 2026-11-01 has passed" in n for n in plan.notes)


def test_without_the_live_campaign_an_update_sends_every_field_but_a_passed_due_date() -> None:
    renamed = campaign(name="New name", ends="2026-11-01")
    plan = plan_for([renamed], [code_alert(1)], {"sqli": _mirrored(renamed)})
    (update,) = [a for a in plan.actions if isinstance(a, UpdateNativeCampaign)]
    assert "ends_at" not in update.changes
    assert {"name", "managers", "team_managers", "description"} <= set(update.changes)


# --- ten open campaigns, counting the UI's (item 3) ----------------------------------------


def test_campaigns_made_in_the_ui_count_against_the_ten() -> None:
    wanted = [campaign(f"c{i}") for i in range(3)]
    plan = plan_for(wanted, [code_alert(1)], native=live(8))
    assert creates(plan) == ["c0", "c1"]
    assert any(
        n.startswith("c2: not mirrored into a native GitHub campaign: acme has 10 open security")
        for n in plan.notes
    )
    # The UI's campaign names are untrusted: never rendered.
    for render in PLAN_FORMATS.values():
        assert "mallory" not in render(plan)


def test_a_campaign_over_a_thousand_alerts_takes_no_slot() -> None:
    big = campaign("a-big")
    small = campaign("b-small", select={"alerts": ["code-scanning"], "rules": ["r1"]})
    alerts = [dataclasses.replace(code_alert(n), rule_id="r0") for n in range(1, 1002)]
    alerts.append(dataclasses.replace(code_alert(5000), rule_id="r1"))
    plan = plan_for([big, small], alerts, native=live(9))
    assert creates(plan) == ["b-small"]
    assert any(n.startswith("a-big: not mirrored") and "1,002 open" in n for n in plan.notes)


@given(ui=st.integers(0, 12), wanted=st.integers(0, 12))
def test_never_an_eleventh_open_campaign(ui: int, wanted: int) -> None:
    plan = plan_for([campaign(f"c{i:02}") for i in range(wanted)], [code_alert(1)], None, live(ui))
    assert len(creates(plan)) == max(0, min(wanted, 10 - ui))
    assert creates(plan) == [f"c{i:02}" for i in range(len(creates(plan)))]  # in id order


def test_offline_the_plan_says_it_could_not_check_and_counts_the_ledgers() -> None:
    mirrored = {
        f"m{i}": CampaignLedger(
            campaign=f"m{i}", native_campaign=i + 1, native_organization="acme", native_digest="x"
        )
        for i in range(9)
    }
    plan = plan_for([campaign("a"), campaign("b")], [code_alert(1)], mirrored)
    assert creates(plan) == ["a"]
    assert any("were not read (no GitHub connection)" in n for n in plan.notes)


def test_the_open_campaigns_read_is_counted_in_the_request_estimate() -> None:
    offline = plan_for([campaign()], [code_alert(1)])
    online = plan_for([campaign()], [code_alert(1)], native=live(0))
    assert online.requests == offline.requests + 2


# --- managers (item 4) and contact (item 14) ---------------------------------------------


def test_managers_beyond_what_github_takes_are_named_in_the_plan() -> None:
    teams = [f"@acme/t{i}" for i in range(12)]
    wanted = campaign(managers=["mona", "alice-appsec", *teams])
    plan = plan_for([wanted], [code_alert(1)])
    (create,) = [a for a in plan.actions if isinstance(a, CreateNativeCampaign)]
    assert create.fields.managers == ("mona",)
    assert len(create.fields.team_managers) == 10
    assert any("gets mona as its manager, not alice-appsec" in n for n in plan.notes)
    assert any("not t10, t11" in n.replace("@acme/", "") for n in plan.notes)


@pytest.mark.parametrize(
    ("contact", "sent"),
    [
        ("mailto:appsec@acme.example", ""),
        ("MAILTO:appsec@acme.example", ""),
        ("https://acme.slack.com/archives/C1", "https://acme.slack.com/archives/C1"),
    ],
)
def test_a_mailto_contact_is_not_sent_as_the_contact_link(contact: str, sent: str) -> None:
    assert contact_link(contact) == sent
    plan = plan_for([campaign(contact=contact)], [code_alert(1)])
    (create,) = [a for a in plan.actions if isinstance(a, CreateNativeCampaign)]
    assert create.fields.contact_link == sent
    assert any("gets no contact link" in n for n in plan.notes) == (not sent)


# --- Autofix for CodeQL only (item 13) ----------------------------------------------------


def test_autofix_is_requested_for_codeql_alerts_only() -> None:
    wanted = campaign(github={"autofix": True})
    alerts = [code_alert(1), code_alert(2, tool="Semgrep OSS"), code_alert(3, tool="Semgrep OSS")]
    plan = plan_for([wanted], alerts)
    assert [a.alert_number for a in plan.actions if isinstance(a, RequestAutofix)] == [1]
    assert (
        "sqli: Copilot Autofix not requested for 2 open code scanning alerts of other tools "
        "than CodeQL (Semgrep OSS: 2): GitHub's Autofix is available for CodeQL analysis only"
    ) in plan.notes


@pytest.mark.parametrize(
    ("tool", "supported"), [("CodeQL", True), ("codeql", True), ("ESLint", False), (None, False)]
)
def test_autofix_supported(tool: str | None, supported: bool) -> None:
    assert autofix_supported(tool) is supported


# --- changed fields: a property -----------------------------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_fields = st.builds(
    NativeFields,
    name=_text,
    description=_text,
    ends=st.dates().map(lambda d: d.isoformat()),
    contact_link=st.sampled_from(["", "https://example.com/x"]),
    managers=st.tuples(_text) | st.just(()),
    team_managers=st.lists(_text, max_size=3).map(tuple),
)


def _as_live(fields: NativeFields) -> LiveCampaign:
    return LiveCampaign(
        1,
        fields.name,
        fields.description,
        f"{fields.ends}T23:59:59Z",
        fields.contact_link or None,
        fields.managers,
        fields.team_managers,
    )


@given(fields=_fields, other=_fields)
def test_changed_fields_are_exactly_those_that_differ(
    fields: NativeFields, other: NativeFields
) -> None:
    assert changed_fields(fields, _as_live(fields)) == ()
    changed = changed_fields(fields, _as_live(other))
    assert set(changed) <= set(FIELD_NAMES)
    assert ("name" in changed) == (fields.name != other.name)
    assert ("ends_at" in changed) == (fields.ends != other.ends)
    if not fields.contact_link:
        assert "contact_link" not in changed  # never sent: nothing to clear it with


@given(fields=_fields)
def test_an_unknown_live_campaign_changes_every_field_that_can_be_sent(
    fields: NativeFields,
) -> None:
    expected = [f for f in FIELD_NAMES if f != "contact_link" or fields.contact_link]
    assert list(changed_fields(fields, None)) == expected
