"""Membership: who joins (snapshot, rolling), how members' states follow their alerts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign_sync.membership import joins, update_members
from campaign_sync.model import Alert, Campaign, CampaignLedger, Member
from campaign_sync.plan import make_plan
from campaign_sync.sources.base import SourceResult

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
STAMP = "2026-11-28T06:00:00Z"
EARLIER = "2026-10-01T12:00:00Z"
FIXED_AT = "2026-11-20T10:00:00Z"
DISMISSED_AT = "2026-11-21T11:00:00Z"


def make_campaign(membership: str = "snapshot", state: str = "active") -> Campaign:
    return Campaign.from_data(
        "sqli",
        {
            "name": "SQL injection",
            "description": "Fix them.",
            "managers": ["mona"],
            "contact": "https://github.com/orgs/acme/discussions/1",
            "ends": "2027-03-31",
            "state": state,
            "select": {"alerts": ["code-scanning"], "membership": membership},
        },
    )


def alert(number: int, state: str = "open", repo: str = "acme/web", **fields: Any) -> Alert:
    return Alert(
        id=f"code-scanning:{repo}:{number}",
        type="code-scanning",
        repository=repo,
        state=state,  # type: ignore[arg-type]
        number=number,
        **fields,
    )


def member(number: int, state: str = "open", repo: str = "acme/web", **times: str) -> Member:
    return Member(
        f"code-scanning:{repo}:{number}",
        state,  # type: ignore[arg-type]
        times.get("joined", EARLIER),
        times.get("changed", EARLIER),
    )


def run(
    campaign: Campaign,
    ledger: CampaignLedger,
    alerts: list[Alert],
    *,
    selected: list[Alert] | None = None,
    frozen: tuple[str, ...] = (),
) -> tuple[Member, ...]:
    return update_members(
        campaign,
        ledger,
        alerts if selected is None else selected,
        {a.id: a for a in alerts},
        now=STAMP,
        frozen_repositories=frozen,
    )


# --- who joins ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("membership", "state", "activated", "expected"),
    [
        ("snapshot", "active", None, True),  # the first active run fixes the members
        ("snapshot", "active", EARLIER, False),
        ("snapshot", "draft", None, True),  # previewed; a draft's ledger is never written
        ("rolling", "active", None, True),
        ("rolling", "active", EARLIER, True),
        ("snapshot", "closed", None, False),
        ("rolling", "closed", EARLIER, False),
        ("rolling", "closed", None, False),
    ],
)
def test_joins(membership: str, state: str, activated: str | None, expected: bool) -> None:
    ledger = CampaignLedger("sqli", activated=activated)
    assert joins(make_campaign(membership, state), ledger) is expected


def test_snapshot_first_activation_takes_the_open_matches() -> None:
    members = run(make_campaign(), CampaignLedger("sqli"), [alert(1), alert(2, "fixed"), alert(3)])
    assert members == (
        Member("code-scanning:acme/web:1", "open", STAMP, STAMP),
        Member("code-scanning:acme/web:3", "open", STAMP, STAMP),
    )


def test_snapshot_after_activation_takes_no_new_members() -> None:
    ledger = CampaignLedger("sqli", members=(member(1),), activated=EARLIER)
    assert run(make_campaign(), ledger, [alert(1), alert(2)]) == (member(1),)


def test_snapshot_through_the_plan_joins_only_when_first_active() -> None:
    draft = make_campaign(state="draft")
    active = make_campaign()
    first = SourceResult((alert(1),))
    plan = make_plan([draft], first, {}, now=NOW)
    assert plan.ledgers == (CampaignLedger("sqli"),)  # a draft's ledger is not written
    assert dict(plan.campaigns[0].members)["open"] == 1  # but its members are shown

    plan = make_plan([active], first, {}, now=NOW)
    (ledger,) = plan.ledgers
    assert ledger.activated == STAMP
    assert [m.alert_id for m in ledger.members] == ["code-scanning:acme/web:1"]

    later = SourceResult((alert(1), alert(2)))
    (after,) = make_plan([active], later, {"sqli": ledger}, now=NOW).ledgers
    assert after.members == ledger.members


def test_rolling_takes_new_open_matches_every_run() -> None:
    ledger = CampaignLedger("sqli", members=(member(1),), activated=EARLIER)
    members = run(make_campaign("rolling"), ledger, [alert(1), alert(2), alert(3, "dismissed")])
    assert members == (member(1), Member("code-scanning:acme/web:2", "open", STAMP, STAMP))


def test_only_selected_alerts_join() -> None:
    seen = [alert(1), alert(2)]
    members = run(make_campaign("rolling"), CampaignLedger("sqli"), seen, selected=[seen[1]])
    assert [m.alert_id for m in members] == ["code-scanning:acme/web:2"]


def test_a_member_no_longer_selected_stays() -> None:
    ledger = CampaignLedger("sqli", members=(member(1),), activated=EARLIER)
    members = run(make_campaign("rolling"), ledger, [alert(1, "fixed")], selected=[])
    assert members == (member(1, "fixed", changed=STAMP),)


# --- members' states ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "seen", "expected_state", "expected_changed"),
    [
        ("open", alert(1, "fixed", fixed_at=FIXED_AT), "fixed", FIXED_AT),
        ("open", alert(1, "fixed"), "fixed", STAMP),  # no fixed_at: when the tool saw it
        ("open", alert(1, "dismissed", dismissed_at=DISMISSED_AT), "dismissed", DISMISSED_AT),
        ("open", alert(1, "dismissed"), "dismissed", STAMP),
        ("open", alert(1, "resolved", dismissed_at=DISMISSED_AT), "resolved", DISMISSED_AT),
        ("open", alert(1, "resolved", fixed_at=FIXED_AT), "resolved", FIXED_AT),
        ("fixed", alert(1, "dismissed", dismissed_at=DISMISSED_AT), "dismissed", DISMISSED_AT),
        # regressions: open again, changed now (fixed_at of the old fix does not count)
        ("fixed", alert(1, "open", fixed_at=FIXED_AT), "open", STAMP),
        ("dismissed", alert(1, "open", dismissed_at=DISMISSED_AT), "open", STAMP),
        # unchanged: nothing moves, not even `changed`
        ("open", alert(1, "open"), "open", EARLIER),
        ("fixed", alert(1, "fixed", fixed_at=FIXED_AT), "fixed", EARLIER),
    ],
)
@pytest.mark.parametrize("membership", ["snapshot", "rolling"])
def test_member_follows_its_alert(
    membership: str, before: str, seen: Alert, expected_state: str, expected_changed: str
) -> None:
    ledger = CampaignLedger("sqli", members=(member(1, before),), activated=EARLIER)
    (after,) = run(make_campaign(membership), ledger, [seen])
    assert after == Member(seen.id, expected_state, EARLIER, expected_changed)  # type: ignore[arg-type]


def test_unseen_alert_keeps_the_ledger_state() -> None:
    ledger = CampaignLedger("sqli", members=(member(1), member(2, "fixed")), activated=EARLIER)
    assert run(make_campaign("rolling"), ledger, []) == ledger.members


@given(
    st.lists(
        st.tuples(st.integers(1, 20), st.sampled_from(["open", "fixed", "dismissed"])),
        unique_by=lambda t: t[0],
        max_size=12,
    ),
    st.sets(st.integers(1, 20)),
    st.sampled_from(["snapshot", "rolling"]),
)
def test_an_alert_missing_from_the_listing_never_changes_state(
    ledger_states: list[tuple[int, str]], listed: set[int], membership: str
) -> None:
    """Whatever the listing leaves out (a repository transferred away, a page that came
    back empty), its members keep the ledger's state: only a seen alert changes one."""
    ledger = CampaignLedger(
        "sqli",
        members=tuple(sorted(member(n, state) for n, state in ledger_states)),
        activated=EARLIER,
    )
    seen = [alert(n, "fixed", fixed_at=FIXED_AT) for n in sorted(listed)]
    after = {m.alert_id: m for m in run(make_campaign(membership), ledger, seen)}
    for before in ledger.members:
        if int(before.alert_id.rsplit(":", 1)[1]) not in listed:
            assert after[before.alert_id] == before


def test_frozen_repository_keeps_the_ledger_state_and_takes_no_one() -> None:
    ledger = CampaignLedger(
        "sqli", members=(member(1, repo="acme/old"), member(2)), activated=EARLIER
    )
    seen = [
        alert(1, "fixed", repo="acme/old"),  # unknown really: the repository is frozen
        alert(3, repo="acme/old"),  # would join a rolling campaign, but not from there
        alert(2, "fixed", fixed_at=FIXED_AT),
    ]
    members = run(make_campaign("rolling"), ledger, seen, frozen=("acme/old",))
    assert members == (member(1, repo="acme/old"), member(2, "fixed", changed=FIXED_AT))


@pytest.mark.parametrize("membership", ["snapshot", "rolling"])
@pytest.mark.parametrize("activated", [None, EARLIER])
def test_closed_campaign_takes_no_new_members_but_tracks_states(
    membership: str, activated: str | None
) -> None:
    ledger = CampaignLedger("sqli", members=(member(1),), activated=activated)
    members = run(
        make_campaign(membership, "closed"),
        ledger,
        [alert(1, "fixed", fixed_at=FIXED_AT), alert(2)],
    )
    assert members == (member(1, "fixed", changed=FIXED_AT),)


def test_members_are_sorted_by_alert_id() -> None:
    ledger = CampaignLedger("sqli", members=(member(5),), activated=EARLIER)
    seen = [alert(9), alert(10), alert(1, repo="acme/api"), alert(5)]
    members = run(make_campaign("rolling"), ledger, list(reversed(seen)))
    ids = [m.alert_id for m in members]
    assert ids == sorted(ids)
    assert ids == [
        "code-scanning:acme/api:1",
        "code-scanning:acme/web:10",
        "code-scanning:acme/web:5",
        "code-scanning:acme/web:9",
    ]


# --- the alert store alone never closes a member (issue 13, finding 6) ----------------------

STATES = ["open", "fixed", "dismissed"]


@given(
    st.lists(
        st.tuples(st.integers(1, 30), st.sampled_from(STATES)), unique_by=lambda t: t[0]
    ),  # the ledger's members
    st.dictionaries(st.integers(1, 30), st.sampled_from(STATES)),  # the store: any contents
    st.dictionaries(st.integers(1, 30), st.sampled_from(STATES)),  # what this run listed
    st.sampled_from(["snapshot", "rolling"]),
)
def test_for_any_store_alerts_not_listed_this_run_never_close_a_member(
    ledger_states: list[tuple[int, str]],
    stored: dict[int, str],
    listed: dict[int, str],
    membership: str,
) -> None:
    """Whatever the store says (it lives in the Actions cache, which others can write), a
    member closes only on an alert this run listed. The source merges the store and
    the listing the way ``GitHubSource`` does: the listing wins, and closed alerts known
    only from the store are ``unconfirmed``."""
    ledger = CampaignLedger(
        "sqli",
        members=tuple(sorted(member(n, state) for n, state in ledger_states)),
        activated=EARLIER,
    )
    merged = {**stored, **listed}
    alerts = tuple(alert(n, merged[n], fixed_at=FIXED_AT) for n in sorted(merged))
    unconfirmed = frozenset(
        f"code-scanning:acme/web:{n}"
        for n, state in stored.items()
        if n not in listed and state != "open"
    )
    result = SourceResult(alerts, unconfirmed=unconfirmed)
    plan = make_plan([make_campaign(membership)], result, {"sqli": ledger}, now=NOW)
    after = {m.alert_id: m for m in plan.ledgers[0].members}
    kept = 0
    for before in ledger.members:
        number = int(before.alert_id.rsplit(":", 1)[1])
        if number in listed:
            assert after[before.alert_id].state == listed[number]  # the listing decides
        elif before.state == "open" or merged.get(number, "open") != "open":
            # The store alone closes nothing, nor moves a closed member to another closed
            # state. (An open state from the store may reopen one: never hiding an alert.)
            assert after[before.alert_id] == before
            kept += before.state == "open" and merged.get(number, "open") != "open"
    note = [n for n in plan.notes if "closed only in the cached alert store" in n]
    assert note == (
        [
            f"sqli: {kept} alert{'s' if kept != 1 else ''} closed only in the cached alert "
            "store: kept open until a listing confirms (the next full listing, or "
            "--full-listing)"
        ]
        if kept
        else []
    )


# --- how a member was closed (issue 14, item 9) ----------------------------------------


def test_a_dismissal_keeps_its_reason_who_and_comment_and_a_reopen_clears_them() -> None:
    campaign = make_campaign("rolling")
    dismissed = alert(
        1,
        "dismissed",
        state_reason="won't fix",
        dismissed_by="mona",
        dismissed_comment="Only reachable from the admin console",
        dismissed_at=DISMISSED_AT,
    )
    (after,) = run(campaign, CampaignLedger("sqli", members=(member(1),)), [dismissed])
    assert after == Member(
        "code-scanning:acme/web:1",
        "dismissed",
        EARLIER,
        DISMISSED_AT,
        "won't fix",
        "mona",
        "Only reachable from the admin console",
    )
    (reopened,) = run(campaign, CampaignLedger("sqli", members=(after,)), [alert(1)])
    assert (reopened.state, reopened.reason, reopened.by, reopened.comment) == ("open", "", "", "")
    assert reopened.changed == STAMP


def test_a_member_dismissed_before_the_ledger_kept_who_learns_it_without_a_new_change_time() -> (
    None
):
    """A ledger written by the version before has dismissed members without reason, who
    or comment: the next listing fills them in, and `changed` stays the dismissal's."""
    old = member(1, "dismissed", changed=DISMISSED_AT)
    seen = alert(1, "dismissed", state_reason="false positive", dismissed_by="hubot")
    ledger = CampaignLedger("sqli", members=(old,), activated=EARLIER)
    (after,) = run(make_campaign(), ledger, [seen])
    assert after == old._replace(reason="false positive", by="hubot")


def test_a_closing_only_the_store_holds_or_of_a_frozen_repository_is_not_taken() -> None:
    old = member(1, "dismissed", changed=DISMISSED_AT)
    forged = alert(1, "dismissed", dismissed_by="mallory", dismissed_comment="forged")
    ledger = CampaignLedger("sqli", members=(old,), activated=EARLIER)
    seen = {forged.id: forged}
    for unconfirmed, frozen in (((forged.id,), ()), ((), ("acme/web",))):
        (after,) = update_members(
            make_campaign(),
            ledger,
            [forged],
            seen,
            now=STAMP,
            unconfirmed=unconfirmed,
            frozen_repositories=frozen,
        )
        assert after is old


# ------------------------------------------------------------------ scopes listed in full

SARIF = "code-scanning:acme/app:sarif/semgrep/"


@given(
    st.lists(st.sampled_from(["open", "dismissed", "fixed"]), min_size=1, max_size=6),
    st.booleans(),
    st.booleans(),
)
def test_for_any_members_only_unseen_ones_of_a_covered_scope_are_fixed(
    states: list[str], covered: bool, frozen: bool
) -> None:
    members = tuple(
        Member(f"{SARIF}{n:016x}", state, EARLIER, EARLIER)  # type: ignore[arg-type]
        for n, state in enumerate(states)
    )
    # The first member's finding is still reported; the others are gone from the scan.
    first = Alert(
        id=members[0].alert_id,
        type="code-scanning",
        repository="acme/app",
        state=members[0].state,
    )
    campaign = make_campaign("rolling")
    after = update_members(
        campaign,
        CampaignLedger(campaign=campaign.id, members=members),
        [first] if first.state == "open" else [],
        {first.id: first},
        now=STAMP,
        frozen_repositories=("acme/app",) if frozen else (),
        covered=(SARIF,) if covered else (),
    )
    assert after[0].state == members[0].state
    for before, now in zip(members[1:], after[1:], strict=True):
        if covered and not frozen and before.state != "fixed":
            assert (now.state, now.changed, now.joined) == ("fixed", STAMP, EARLIER)
        else:
            assert now == before
