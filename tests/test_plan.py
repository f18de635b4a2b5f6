"""The plan: which actions a run makes, in which order, its safety rails, and its fixed point."""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign_sync import actions
from campaign_sync.actions import (
    NATIVE_CLOSED,
    Action,
    CloseIssue,
    CloseNativeCampaign,
    CommentIssue,
    CreateIssue,
    CreateNativeCampaign,
    ReopenIssue,
    RequestAutofix,
    UpdateIssue,
    UpdateNativeCampaign,
)
from campaign_sync.campaign_plan import CampaignSummary
from campaign_sync.config.repo_config import SafetyConfig
from campaign_sync.destinations import KINDS
from campaign_sync.destinations.tracking_issues.plan import OUT_OF_SCOPE
from campaign_sync.errors import UnsafePlan
from campaign_sync.issue_markers import EVENT_MARKER
from campaign_sync.model import (
    ALERT_STATES,
    ALERT_TYPES,
    Alert,
    Campaign,
    CampaignLedger,
    HeldRepository,
    Member,
    Repository,
    TrackedIssue,
)
from campaign_sync.plan import Plan, make_plan
from campaign_sync.render.issue import comment_campaign_closed, comment_due_passed, section_text
from campaign_sync.render.plan import PLAN_FORMATS, render_json
from campaign_sync.scope import scope_digest
from campaign_sync.sources.base import Skipped, SourceResult

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
STAMP = "2026-11-28T06:00:00Z"
EARLIER = "2026-10-01T12:00:00Z"

BASE: dict[str, Any] = {
    "name": "SQL injection burn-down",
    "description": "Fix every SQL injection alert.",
    "managers": ["mona", "@acme/appsec"],
    "contact": "https://github.com/orgs/acme/discussions/42",
    "ends": "2027-03-31",
    "state": "active",
    "select": {"alerts": ["code-scanning"]},
}


def make_campaign(campaign_id: str = "sqli", **overrides: Any) -> Campaign:
    return Campaign.from_data(campaign_id, {**BASE, **overrides})


def alert(
    repo: str, number: int, state: str = "open", kind: str = "code-scanning", **fields: Any
) -> Alert:
    return Alert(
        id=f"{kind}:{repo}:{number}",
        type=kind,  # type: ignore[arg-type]
        repository=repo,
        state=state,  # type: ignore[arg-type]
        number=number,
        **fields,
    )


def source(
    alerts: Iterable[Alert],
    repositories: Iterable[Repository] = (),
    skipped: Iterable[Skipped] = (),
) -> SourceResult:
    return SourceResult(
        tuple(sorted(alerts, key=lambda a: a.id)),
        tuple(sorted(repositories, key=lambda r: r.full_name)),
        tuple(sorted(skipped)),
    )


def plan_for(
    campaigns: Sequence[Campaign],
    alerts: Iterable[Alert],
    ledgers: dict[str, CampaignLedger] | None = None,
    **kwargs: Any,
) -> Plan:
    return make_plan(campaigns, source(alerts, **kwargs), ledgers or {}, now=NOW)


def apply_purely(plan: Plan, numbers: Iterable[int] | None = None) -> dict[str, CampaignLedger]:
    """The ledgers once every action of the campaigns the plan applies has succeeded."""
    fresh = iter(numbers) if numbers is not None else itertools.count(100_000)
    ledgers = {ledger.campaign: ledger for ledger in plan.ledgers}
    for action in plan.actions:
        if action.campaign not in plan.applies:
            continue
        ledger = ledgers[action.campaign]
        issues = ledger.issue_map()
        if isinstance(action, CreateIssue):
            assert action.repository not in issues
            issues[action.repository] = TrackedIssue(
                action.repository, next(fresh), "open", action.digest
            )
        elif isinstance(action, UpdateIssue):
            issue = issues[action.repository]
            assert issue.number == action.number
            issues[action.repository] = dataclasses.replace(issue, digest=action.digest)
        elif isinstance(action, CloseIssue | ReopenIssue):
            issue = issues[action.repository]
            assert issue.number == action.number
            state: Literal["open", "closed"] = (
                "closed" if isinstance(action, CloseIssue) else "open"
            )
            issues[action.repository] = dataclasses.replace(issue, state=state)
        elif isinstance(action, RequestAutofix):
            autofix = {*ledger.autofix_requested, action.alert_id}
            ledger = dataclasses.replace(ledger, autofix_requested=tuple(sorted(autofix)))
        elif isinstance(action, CreateNativeCampaign):
            ledger = dataclasses.replace(
                ledger,
                native_campaign=next(fresh),
                native_organization=action.repository,
                native_digest=action.fields.digest(),
            )
        elif isinstance(action, UpdateNativeCampaign):
            ledger = dataclasses.replace(ledger, native_digest=action.fields.digest())
        elif isinstance(action, CloseNativeCampaign):
            ledger = dataclasses.replace(ledger, native_digest=NATIVE_CLOSED)
        ledgers[action.campaign] = dataclasses.replace(
            ledger, issues=tuple(issues[k] for k in sorted(issues))
        )
    return ledgers


def kinds(plan: Plan) -> list[tuple[str, str]]:
    return [(a.kind, a.repository) for a in plan.actions]


def only(plan: Plan, kind: type[Action]) -> Any:
    (found,) = [a for a in plan.actions if isinstance(a, kind)]
    return found


# --- decisions, table-driven: settle some runs, then plan one -------------------------

W1, W2, A3 = ("acme/web", 1), ("acme/web", 2), ("acme/api", 3)


def cs(spec: tuple[str, int], state: str = "open", **fields: Any) -> Alert:
    fields.setdefault("tool", "CodeQL")
    return alert(spec[0], spec[1], state, **fields)


@dataclass(frozen=True)
class Case:
    id: str
    history: list[list[Alert]]  # runs planned and applied first, with `before`
    alerts: list[Alert]  # the run planned
    expected: list[tuple[str, str]]
    before: dict[str, Any] = field(default_factory=dict)  # campaign file in the history
    after: dict[str, Any] | None = None  # campaign file now (default: as before)
    repositories: tuple[Repository, ...] = ()
    skipped: tuple[Skipped, ...] = ()


ROLLING: dict[str, Any] = {"select": {"alerts": ["code-scanning"], "membership": "rolling"}}
CASES = [
    Case("first run opens an issue", [], [cs(W1)], [("create_issue", "acme/web")]),
    Case(
        "one issue per repository",
        [],
        [cs(W1), cs(W2), cs(A3)],
        [("create_issue", "acme/api"), ("create_issue", "acme/web")],
    ),
    Case("only closed alerts: no issue", [], [cs(W1, "fixed")], []),
    Case("nothing changed", [[cs(W1)]], [cs(W1)], []),
    Case(
        "fixed: update and close",
        [[cs(W1)]],
        [cs(W1, "fixed")],
        [("update_issue", "acme/web"), ("close_issue", "acme/web")],
    ),
    Case(
        "dismissed: update and close",
        [[cs(W1)]],
        [cs(W1, "dismissed")],
        [("update_issue", "acme/web"), ("close_issue", "acme/web")],
    ),
    Case(
        "one of two fixed: update",
        [[cs(W1), cs(W2)]],
        [cs(W1, "fixed"), cs(W2)],
        [("update_issue", "acme/web")],
    ),
    Case(
        "regression: reopen and update",
        [[cs(W1)], [cs(W1, "fixed")]],
        [cs(W1)],
        [("reopen_issue", "acme/web"), ("update_issue", "acme/web")],
    ),
    Case("closed stays closed", [[cs(W1)], [cs(W1, "fixed")]], [cs(W1, "fixed")], []),
    Case("snapshot: a new alert does not join", [[cs(W1)]], [cs(W1), cs(W2), cs(A3)], []),
    Case(
        "rolling: a new alert joins the issue",
        [[cs(W1)]],
        [cs(W1), cs(W2)],
        [("update_issue", "acme/web")],
        before=ROLLING,
    ),
    Case(
        "rolling: a new repository gets an issue",
        [[cs(W1)]],
        [cs(W1), cs(A3)],
        [("create_issue", "acme/api")],
        before=ROLLING,
    ),
    Case(
        "closed campaign: update and close",
        [[cs(W1)]],
        [cs(W1)],
        [("update_issue", "acme/web"), ("close_issue", "acme/web")],
        after={"state": "closed"},
    ),
    Case(
        "closed campaign: a closed issue stays closed",
        [[cs(W1)], [cs(W1, "fixed")]],
        [cs(W1)],
        [("update_issue", "acme/web")],
        after={"state": "closed"},
    ),
    Case("closed campaign: no new issue", [], [cs(W1)], [], before={"state": "closed"}),
    Case("tracking off: no issue", [], [cs(W1)], [], before={"tracking": {"issues": "off"}}),
    Case(
        "tracking off later: issue left alone",
        [[cs(W1)]],
        [cs(W1, "fixed")],
        [],
        after={"tracking": {"issues": "off"}},
    ),
    Case(
        "due date passed: update and comment",
        [[cs(W1)]],
        [cs(W1)],
        [("update_issue", "acme/web"), ("comment_issue", "acme/web")],
        after={"ends": "2026-11-27"},
    ),
    Case(
        "due today: not passed, no comment",
        [[cs(W1)]],
        [cs(W1)],
        [("update_issue", "acme/web")],  # the due date shown changed
        after={"ends": "2026-11-28"},
    ),
    Case(
        "campaign text changed: update",
        [[cs(W1)]],
        [cs(W1)],
        [("update_issue", "acme/web")],
        after={"description": "Fix them all, now."},
    ),
    Case("unseen alert: left as it was", [[cs(W1)]], [cs(A3)], []),
    Case(
        "unreadable repository: not fixed",
        [[cs(W1), cs(A3)]],
        [cs(W1, "fixed"), cs(A3)],
        [],
        skipped=(Skipped("acme/web", "code-scanning", "403 Forbidden"),),
    ),
    Case(
        "archived repository: not fixed",
        [[cs(W1), cs(A3)]],
        [cs(W1, "fixed"), cs(A3)],
        [],
        repositories=(Repository("acme/web", archived=True),),
    ),
    Case(
        "draft: planned all the same",
        [],
        [cs(W1)],
        [("create_issue", "acme/web")],
        before={"state": "draft"},
    ),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_decisions(case: Case) -> None:
    ledgers: dict[str, CampaignLedger] = {}
    for alerts in case.history:
        ledgers = apply_purely(plan_for([make_campaign(**case.before)], alerts, ledgers))
    campaign = make_campaign(**{**case.before, **(case.after or {})})
    plan = plan_for(
        [campaign],
        case.alerts,
        ledgers,
        repositories=case.repositories,
        skipped=case.skipped,
    )
    assert kinds(plan) == case.expected


# --- what the actions say -------------------------------------------------------------


def settled(campaign: Campaign, *runs: list[Alert]) -> dict[str, CampaignLedger]:
    ledgers: dict[str, CampaignLedger] = {}
    for alerts in runs:
        ledgers = apply_purely(plan_for([campaign], alerts, ledgers), itertools.count(7))
    return ledgers


def test_create_issue_carries_title_labels_assignees_and_section() -> None:
    campaign = make_campaign(tracking={"labels": ["security"], "assignees": ["@mona"]})
    action = only(plan_for([campaign], [cs(W1)]), CreateIssue)
    assert action.title == "[Security campaign] SQL injection burn-down: acme/web"
    assert action.labels == ("security",)
    assert action.assignees == ("mona",)
    assert section_text(action.content).startswith(
        "<!-- campaign-sync:v1 campaign=sqli repository=acme/web -->\n"
    )
    assert section_text(action.content).endswith("\n<!-- campaign-sync:end -->")
    assert len(action.digest) == 16


def test_close_when_fixed_says_why_and_thanks() -> None:
    campaign = make_campaign()
    ledgers = settled(campaign, [cs(W1), cs(W2)])
    close = only(plan_for([campaign], [cs(W1, "fixed"), cs(W2, "dismissed")], ledgers), CloseIssue)
    assert (close.number, close.reason, close.state_reason) == (
        7,
        "all 2 alerts closed",
        "completed",
    )
    assert close.comment == (
        "All 2 alerts of the campaign **SQL injection burn\\-down** in acme/web are closed: "
        "1 fixed, 1 dismissed. Thank you! campaign-sync closes this issue, and reopens it if "
        "one of them opens again.\n\n" + EVENT_MARKER
    )


def test_closed_campaign_comments_then_closes_as_not_planned() -> None:
    ledgers = settled(make_campaign(), [cs(W1), cs(W2)])
    closed = make_campaign(state="closed")
    plan = plan_for([closed], [cs(W1), cs(W2, "fixed")], ledgers)
    close = only(plan, CloseIssue)
    assert (close.reason, close.state_reason) == ("the campaign is closed", "not_planned")
    assert close.comment == comment_campaign_closed(closed, 1)
    assert "1 alert listed here is still open" in close.comment
    # Closed on purpose: no safety rail, even though every open issue closes.
    plan.raise_if_unsafe(SafetyConfig(min_issues_for_threshold=1), seen_alerts=2)


REOPEN_COMMENT = (
    "This alert of the campaign **SQL injection burn\\-down** in acme/web is open again, "
    "so campaign-sync reopens this issue:\n\n- Code scanning alert #\u20601\n\n" + EVENT_MARKER
)


def test_reopen_names_the_alerts_open_again() -> None:
    campaign = make_campaign()
    ledgers = settled(campaign, [cs(W1), cs(W2)], [cs(W1, "fixed"), cs(W2, "fixed")])
    reopen = only(plan_for([campaign], [cs(W1), cs(W2, "fixed")], ledgers), ReopenIssue)
    assert (reopen.number, reopen.reason) == (7, "1 alert open again")
    assert reopen.comment == REOPEN_COMMENT


def test_due_date_comment_once() -> None:
    ledgers = settled(make_campaign(), [cs(W1), cs(A3)])
    late = make_campaign(ends="2026-11-20")
    plan = plan_for([late], [cs(W1), cs(A3)], ledgers)
    comments = [a for a in plan.actions if isinstance(a, CommentIssue)]
    assert [(c.repository, c.reason) for c in comments] == [
        ("acme/api", "the due date 2026-11-20 has passed"),
        ("acme/web", "the due date 2026-11-20 has passed"),
    ]
    assert comments[0].body == comment_due_passed(late, NOW.date(), 1)
    assert all(ledger.due_notice_sent for ledger in plan.ledgers)

    again = plan_for([late], [cs(W1), cs(A3)], apply_purely(plan))
    assert again.actions == ()


def test_due_date_comment_not_on_an_issue_that_closes() -> None:
    ledgers = settled(make_campaign(), [cs(W1), cs(A3)])
    plan = plan_for([make_campaign(ends="2026-11-20")], [cs(W1, "fixed"), cs(A3)], ledgers)
    assert [(a.kind, a.repository) for a in plan.actions if a.kind != "update_issue"] == [
        ("comment_issue", "acme/api"),
        ("close_issue", "acme/web"),
    ]


def test_autofix_once_per_open_code_scanning_member() -> None:
    campaign = make_campaign(
        select={"alerts": ["code-scanning", "dependabot"], "membership": "rolling"},
        github={"autofix": True},
    )
    sarif = Alert("code-scanning:acme/web:sarif/semgrep/0f1e", "code-scanning", "acme/web", "open")
    alerts = [
        cs(W1),
        cs(W2, "fixed"),
        cs(A3),
        sarif,  # no alert number: nothing to ask Copilot about
        alert("acme/web", 4, kind="dependabot"),
    ]
    plan = plan_for([campaign], alerts)
    assert [
        (a.alert_id, a.alert_number) for a in plan.actions if isinstance(a, RequestAutofix)
    ] == [
        ("code-scanning:acme/api:3", 3),
        ("code-scanning:acme/web:1", 1),
    ]
    ledgers = apply_purely(plan)
    assert ledgers["sqli"].autofix_requested == (
        "code-scanning:acme/api:3",
        "code-scanning:acme/web:1",
    )
    # Next run: only the alert that just joined.
    plan = plan_for([campaign], [*alerts, cs(("acme/web", 5))], ledgers)
    assert [a.alert_id for a in plan.actions if isinstance(a, RequestAutofix)] == [
        "code-scanning:acme/web:5"
    ]


@pytest.mark.parametrize(
    ("overrides", "kwargs"),
    [
        ({"github": {"autofix": False}}, {}),
        ({"github": {"autofix": True}, "state": "draft"}, {}),
        ({"github": {"autofix": True}, "state": "closed"}, {}),
        (
            {"github": {"autofix": True}},
            {"skipped": [Skipped("acme/web", "code-scanning", "403")]},
        ),
    ],
    ids=["off", "draft", "closed", "frozen"],
)
def test_no_autofix(overrides: dict[str, Any], kwargs: dict[str, Any]) -> None:
    plan = plan_for([make_campaign(**overrides)], [cs(W1)], **kwargs)
    assert not [a for a in plan.actions if isinstance(a, RequestAutofix)]


def test_drafts_are_planned_but_not_applied() -> None:
    draft = make_campaign("draft-one", state="draft", github={"autofix": True})
    active = make_campaign("live")
    plan = plan_for([draft, active], [cs(W1)])
    assert kinds(plan) == [("create_issue", "acme/web"), ("create_issue", "acme/web")]
    assert [a.campaign for a in plan.actions] == ["draft-one", "live"]
    assert plan.applies == frozenset({"live"})
    ledgers = {ledger.campaign: ledger for ledger in plan.ledgers}
    assert ledgers["draft-one"] == CampaignLedger("draft-one")
    assert ledgers["live"].activated == STAMP
    assert [s.state for s in plan.campaigns] == ["draft", "active"]
    # Applying changes nothing for the draft, so the next plan shows it again.
    again = plan_for([draft, active], [cs(W1)], apply_purely(plan))
    assert kinds(again) == [("create_issue", "acme/web")]
    assert again.applies == frozenset({"live"})


def test_actions_are_sorted_by_campaign_repository_and_kind() -> None:
    first = make_campaign("a-first", github={"autofix": True})
    second = make_campaign("b-second", github={"autofix": True})
    alerts = [cs(("acme/web", 10)), cs(("acme/web", 9)), cs(A3), cs(("beta/app", 1))]
    plan = plan_for([second, first], reversed(alerts))
    assert [(a.campaign, a.kind, getattr(a, "alert_id", a.repository)) for a in plan.actions] == [
        ("a-first", "create_issue", "acme/api"),
        ("a-first", "request_autofix", "code-scanning:acme/api:3"),
        ("a-first", "create_issue", "acme/web"),
        ("a-first", "request_autofix", "code-scanning:acme/web:10"),
        ("a-first", "request_autofix", "code-scanning:acme/web:9"),
        ("a-first", "create_issue", "beta/app"),
        ("a-first", "request_autofix", "code-scanning:beta/app:1"),
        ("b-second", "create_issue", "acme/api"),
        ("b-second", "request_autofix", "code-scanning:acme/api:3"),
        ("b-second", "create_issue", "acme/web"),
        ("b-second", "request_autofix", "code-scanning:acme/web:10"),
        ("b-second", "request_autofix", "code-scanning:acme/web:9"),
        ("b-second", "create_issue", "beta/app"),
        ("b-second", "request_autofix", "code-scanning:beta/app:1"),
    ]
    assert [s.campaign for s in plan.campaigns] == ["a-first", "b-second"]
    assert [ledger.campaign for ledger in plan.ledgers] == ["a-first", "b-second"]


def test_summaries_count_members_by_state() -> None:
    ledgers = settled(make_campaign(), [cs(W1), cs(W2), cs(A3)])
    plan = plan_for([make_campaign()], [cs(W1, "fixed"), cs(W2, "dismissed"), cs(A3)], ledgers)
    (summary,) = plan.campaigns
    assert dict(summary.members) == {"open": 1, "fixed": 1, "dismissed": 1, "resolved": 0}
    assert (summary.repositories, summary.open_issues_before) == (2, 2)


def test_requests_sum_the_cost_of_each_action() -> None:
    campaign = make_campaign(github={"autofix": True}, **ROLLING)
    ledgers = settled(campaign, [cs(W1), cs(A3)])
    plan = plan_for([campaign], [cs(W1, "fixed"), cs(A3), cs(("beta/app", 1))], ledgers)
    assert plan.counts() == {
        "close_issue": 1,
        "create_issue": 1,
        "request_autofix": 1,
        "update_issue": 1,
    }
    # Writes: close 2, create 1, autofix 1, update 1; reads: the issue (once for the update
    # and the close), the repository's labelled issues right before and after the create.
    assert plan.requests == 5 + 1 + 2
    batched = dataclasses.replace(plan, issues_per_read=50, repositories_per_read=20)
    assert batched.requests == 5 + 1 + 2
    assert plan.requests <= sum(KINDS[a.kind].requests for a in plan.actions)
    assert plan.has_changes
    assert make_plan([], source([]), {}, now=NOW).requests == 0


def test_every_action_kind_has_a_cost() -> None:
    kinds_declared = {
        cls.__dataclass_fields__["kind"].default
        for cls in vars(actions).values()
        if dataclasses.is_dataclass(cls) and "kind" in cls.__dataclass_fields__
    }
    assert kinds_declared == set(KINDS)


def test_json_names_kind_campaign_repository_and_counts_members() -> None:
    campaign = make_campaign(github={"autofix": True}, **ROLLING)
    ledgers = settled(campaign, [cs(W1), cs(A3)])
    plan = plan_for([campaign], [cs(W1, "fixed"), cs(A3), cs(("beta/app", 1))], ledgers)
    document = json.loads(render_json(plan))
    assert len(document["actions"]) == len(plan.actions)
    for record, action in zip(document["actions"], plan.actions, strict=True):
        assert record["kind"] == action.kind
        assert record["campaign"] == "sqli"
        assert record["repository"] == action.repository
    assert document["campaigns"][0]["members"] == {
        "open": 2,
        "fixed": 1,
        "dismissed": 0,
        "resolved": 0,
    }
    assert document["requests"] == plan.requests
    assert document["changes"] is True


# --- an unreadable organization -------------------------------------------------------


def test_unreadable_organization_closes_nothing() -> None:
    campaign = make_campaign()
    ledgers = settled(campaign, [cs(W1), cs(("beta/app", 1))])
    plan = plan_for(
        [campaign],
        [cs(("beta/app", 1))],
        ledgers,
        skipped=[Skipped("acme", "code-scanning", "403 Forbidden")],
    )
    assert not [a for a in plan.actions if isinstance(a, CloseIssue)]


def test_unreadable_organization_leaves_its_issues_alone() -> None:
    campaign = make_campaign(sla={"high": 30})
    seen = cs(
        W1,
        severity="high",
        rule_id="py/sql-injection",
        path="app/db.py",
        html_url="https://github.com/acme/web/security/code-scanning/1",
    )
    private = [Repository("acme/web"), Repository("beta/app")]
    other = cs(("beta/app", 1))
    ledgers: dict[str, CampaignLedger] = apply_purely(
        plan_for([campaign], [seen, other], repositories=private)
    )
    plan = plan_for(
        [campaign],
        [other],
        ledgers,
        repositories=private,
        skipped=[Skipped("acme", "code-scanning", "403 Forbidden")],
    )
    assert plan.actions == ()


# --- native campaigns -----------------------------------------------------------------


def test_native_campaign_is_closed_in_the_organization_it_was_created_in() -> None:
    data: dict[str, Any] = {
        "select": {"alerts": ["code-scanning"], "membership": "rolling"},
        "github": {"native-campaign": True},
        "tracking": {"issues": "off"},
    }
    beta = alert("beta/app", 2, repository_id=20)
    acme = alert("acme/web", 1, repository_id=10)
    first = plan_for([make_campaign(**data)], [beta])
    assert only(first, CreateNativeCampaign).repository == "beta"
    ledgers = apply_purely(first)
    ledgers = apply_purely(plan_for([make_campaign(**data)], [beta, acme], ledgers))
    closing = plan_for([make_campaign(**data, state="closed")], [beta, acme], ledgers)
    assert only(closing, CloseNativeCampaign).repository == "beta"


# --- safety rails ---------------------------------------------------------------------


def safety_plan(open_before: Sequence[int], closes: int, state_reason: str = "completed") -> Plan:
    summaries = tuple(
        CampaignSummary(f"c{i}", f"C{i}", "active", {}, 0, n) for i, n in enumerate(open_before)
    )
    actions = tuple(
        CloseIssue("c0", f"acme/r{i}", i + 1, "", "its 1 alert closed", state_reason)  # type: ignore[arg-type]
        for i in range(closes)
    )
    return Plan(actions, summaries, (), frozenset(s.campaign for s in summaries))


def too_much(closes: int, open_before: int, share: str, allowed: str) -> str:
    return (
        f"the plan closes {closes} of {open_before} open tracking issues ({share}), more than "
        f"the {allowed} allowed (safety.max-close-share): often a token that lost access. "
        "Review the plan; --force required"
    )


def no_alerts(open_before: int) -> str:
    return (
        f"the source returned no alerts at all, but {open_before} tracking issues are open: "
        "the token has probably lost access. Nothing was changed; check the token's "
        "permissions, or run with --force if the alerts are really gone"
    )


DEFAULT = SafetyConfig()
SAFETY_CASES = [
    # (id, open issues per campaign, closes, alerts seen, config, refusal or None)
    ("3 of 10: at the threshold", [10], 3, 50, DEFAULT, None),
    ("4 of 10: over", [10], 4, 50, DEFAULT, too_much(4, 10, "40%", "30%")),
    ("10 of 10", [10], 10, 50, DEFAULT, too_much(10, 10, "100%", "30%")),
    ("6 of 20: at", [20], 6, 50, DEFAULT, None),
    ("7 of 20: over", [20], 7, 50, DEFAULT, too_much(7, 20, "35%", "30%")),
    ("10 of 30: just over a third", [30], 10, 50, DEFAULT, too_much(10, 30, "33%", "30%")),
    ("9 of 9: below the minimum", [9], 9, 50, DEFAULT, None),
    ("1 of 1: below the minimum", [1], 1, 50, DEFAULT, None),
    ("open issues summed over campaigns", [5, 5], 4, 50, DEFAULT, too_much(4, 10, "40%", "30%")),
    ("3 of 5+5", [5, 5], 3, 50, DEFAULT, None),
    ("no closes", [10], 0, 50, DEFAULT, None),
    ("nothing open, nothing seen", [0], 0, 0, DEFAULT, None),
    ("no alerts with 1 open issue", [1], 0, 0, DEFAULT, no_alerts(1)),
    ("no alerts with 12 open issues", [12], 12, 0, DEFAULT, no_alerts(12)),
    (
        "configured: 2 of 4 at 50%",
        [4],
        2,
        50,
        SafetyConfig(max_close_share=0.5, min_issues_for_threshold=4),
        None,
    ),
    (
        "configured: 3 of 4 over 50%",
        [4],
        3,
        50,
        SafetyConfig(max_close_share=0.5, min_issues_for_threshold=4),
        too_much(3, 4, "75%", "50%"),
    ),
    (
        "configured: 3 of 3 below the minimum of 4",
        [3],
        3,
        50,
        SafetyConfig(max_close_share=0.5, min_issues_for_threshold=4),
        None,
    ),
    (
        "configured: zero share refuses any close",
        [10],
        1,
        50,
        SafetyConfig(max_close_share=0.0),
        too_much(1, 10, "10%", "0%"),
    ),
]


@pytest.mark.parametrize(
    ("open_before", "closes", "seen", "safety", "refusal"),
    [pytest.param(*case[1:], id=case[0]) for case in SAFETY_CASES],
)
def test_raise_if_unsafe(
    open_before: list[int], closes: int, seen: int, safety: SafetyConfig, refusal: str | None
) -> None:
    plan = safety_plan(open_before, closes)
    if refusal is None:
        plan.raise_if_unsafe(safety, seen_alerts=seen)
    else:
        with pytest.raises(UnsafePlan) as caught:
            plan.raise_if_unsafe(safety, seen_alerts=seen)
        assert str(caught.value) == refusal


def test_a_draft_counts_for_no_safety_rail() -> None:
    plan = dataclasses.replace(safety_plan([10], 10), applies=frozenset())
    plan.raise_if_unsafe(DEFAULT, seen_alerts=0)  # c0 is a draft: nothing it plans is applied


def test_a_campaign_none_of_whose_alerts_is_seen_is_refused() -> None:
    summary = CampaignSummary("deps", "D", "active", {}, 0, 2, members_before=3, unseen=3)
    plan = Plan((), (summary,), (), frozenset({"deps"}))
    with pytest.raises(UnsafePlan, match=r"campaign deps: none of the 3 alerts .* lost access"):
        plan.raise_if_unsafe(DEFAULT, seen_alerts=500)
    # One of them seen, or no tracking issue open to rewrite: a normal run.
    for fine in (
        dataclasses.replace(summary, unseen=2),
        dataclasses.replace(summary, open_issues_before=0),
    ):
        dataclasses.replace(plan, campaigns=(fine,)).raise_if_unsafe(DEFAULT, seen_alerts=500)


def test_unseen_members_are_counted_in_the_summary() -> None:
    campaign = make_campaign()
    alerts = [alert(f"acme/r{i}", 1) for i in range(3)]
    ledgers = settled(campaign, alerts)
    (summary,) = plan_for([campaign], alerts[:1], ledgers).campaigns
    assert (summary.members_before, summary.unseen) == (3, 2)


def test_closing_a_campaign_on_purpose_is_not_too_much_change() -> None:
    safety_plan([10], 10, "not_planned").raise_if_unsafe(DEFAULT, seen_alerts=50)


def test_safety_rail_end_to_end() -> None:
    campaign = make_campaign()
    alerts = [alert(f"acme/r{i}", 1) for i in range(10)]
    ledgers = settled(campaign, alerts)
    fixed = [alert(f"acme/r{i}", 1, "fixed" if i < 4 else "open") for i in range(10)]
    plan = plan_for([campaign], fixed, ledgers)
    with pytest.raises(UnsafePlan) as caught:
        plan.raise_if_unsafe(DEFAULT, seen_alerts=len(fixed))
    assert str(caught.value) == too_much(4, 10, "40%", "30%")
    fixed = [alert(f"acme/r{i}", 1, "fixed" if i < 3 else "open") for i in range(10)]
    plan_for([campaign], fixed, ledgers).raise_if_unsafe(DEFAULT, seen_alerts=len(fixed))


# --- the fixed point: planning right after applying a plan gives no actions -----------

REPOS = ("acme/web", "acme/api", "acme/old", "beta/app")
ISSUE_KINDS = ("create_issue", "update_issue", "close_issue", "reopen_issue", "comment_issue")
REPO_IDS = {name: i + 1 for i, name in enumerate(REPOS)}
SEVERITIES = ("critical", "high", "medium", "low")
TIMES = ("2026-09-01T00:00:00Z", EARLIER, "2026-11-27T23:59:59Z")


@st.composite
def alerts_strategy(draw: st.DrawFn) -> Alert:
    kind = draw(st.sampled_from(ALERT_TYPES))
    repo = draw(st.sampled_from(REPOS))
    number = draw(st.integers(1, 6))
    state = draw(st.sampled_from(["open", "open", *ALERT_STATES]))
    return Alert(
        id=f"{kind}:{repo}:{number}",
        type=kind,
        repository=repo,
        state=state,
        repository_id=draw(st.sampled_from([REPO_IDS[repo], None])),
        number=number,
        state_reason=draw(st.sampled_from([None, "false_positive", "revoked"])),
        rule_id=draw(st.sampled_from([None, "py/sql-injection", "js/xss"])),
        severity=None if kind == "secret-scanning" else draw(st.sampled_from((None, *SEVERITIES))),
        cwes=tuple(draw(st.lists(st.sampled_from((79, 89)), max_size=2))),
        path=draw(st.sampled_from([None, "src/app.py", "test/x.py"])),
        start_line=draw(st.sampled_from([None, 12])),
        fixed_at=draw(st.sampled_from([None, *TIMES])),
        dismissed_at=draw(st.sampled_from([None, *TIMES])),
        html_url=draw(
            st.sampled_from(
                [
                    None,
                    f"https://github.com/{repo}/security/{kind}/{number}",
                    "https://evil.example/x",
                ]
            )
        ),
        message=draw(st.sampled_from([None, "@mona <b>x</b>"])),
    )


campaign_data = st.fixed_dictionaries(
    {
        "state": st.sampled_from(["draft", "active", "active", "closed"]),
        "ends": st.sampled_from(["2026-11-01", "2026-11-28", "2027-03-31"]),
        "select": st.fixed_dictionaries(
            {
                "membership": st.sampled_from(["snapshot", "rolling"]),
            },
            optional={
                "alerts": st.lists(st.sampled_from(ALERT_TYPES), min_size=1, max_size=3),
                "severity": st.lists(st.sampled_from(SEVERITIES), min_size=1, max_size=2),
                "repositories": st.sampled_from(
                    [{"include": ["acme/*"]}, {"exclude": ["acme/old"]}, {"topics": ["prod"]}]
                ),
                "paths": st.sampled_from([{"exclude": ["test/**"]}, {"include": ["src/**"]}]),
            },
        ),
        "tracking": st.fixed_dictionaries(
            {"issues": st.sampled_from(["per-repository", "per-repository", "off"])},
            optional={"public-details": st.booleans(), "labels": st.just(["security"])},
        ),
        "github": st.fixed_dictionaries(
            {"autofix": st.booleans(), "native-campaign": st.booleans()}
        ),
    },
    optional={"sla": st.sampled_from([{"critical": 7, "high": 30}, {"low": 1}])},
)


@st.composite
def campaigns_strategy(draw: st.DrawFn) -> list[Campaign]:
    ids = draw(st.lists(st.sampled_from(["alpha", "bravo", "charlie"]), min_size=1, unique=True))
    return [make_campaign(i, **draw(campaign_data)) for i in ids]


@st.composite
def ledger_strategy(draw: st.DrawFn, campaign: str, alert_ids: list[str]) -> CampaignLedger:
    unseen = [f"code-scanning:{r}:99" for r in REPOS]
    ids = draw(st.lists(st.sampled_from(alert_ids + unseen), unique=True, max_size=8))
    members = tuple(
        sorted(
            Member(i, draw(st.sampled_from(ALERT_STATES)), draw(st.sampled_from(TIMES)), EARLIER)
            for i in ids
        )
    )
    repos = draw(st.lists(st.sampled_from(REPOS), unique=True))
    issues = tuple(
        TrackedIssue(
            r,
            draw(st.integers(1, 50)),
            draw(st.sampled_from(["open", "closed"])),
            draw(st.sampled_from(["", "0123456789abcdef"])),
        )
        for r in sorted(repos)
    )
    native = draw(st.sampled_from([None, 5]))
    return CampaignLedger(
        campaign,
        members=members,
        issues=issues,
        activated=draw(st.sampled_from([None, EARLIER])),
        native_campaign=native,
        native_digest=draw(st.sampled_from([None, NATIVE_CLOSED, "0123456789abcdef"]))
        if native
        else None,
        autofix_requested=tuple(sorted(draw(st.lists(st.sampled_from(ids), unique=True))))
        if ids
        else (),
        due_notice_sent=draw(st.booleans()),
    )


@st.composite
def worlds(
    draw: st.DrawFn,
) -> tuple[list[Campaign], SourceResult, dict[str, CampaignLedger]]:
    campaigns = draw(campaigns_strategy())
    alerts = draw(st.lists(alerts_strategy(), max_size=30, unique_by=lambda a: a.id))
    repositories = [
        Repository(
            name,
            id=REPO_IDS[name],
            archived=draw(st.booleans()) and name == "acme/old",
            visibility=draw(st.sampled_from(["public", "private"])),
            topics=tuple(draw(st.lists(st.sampled_from(["prod", "web"]), unique=True))),
            has_issues=name != "acme/api" or draw(st.booleans()),
        )
        for name in REPOS
        if draw(st.booleans())
    ]
    skipped = [
        Skipped(scope, "code-scanning", "403 Forbidden")
        for scope in draw(st.lists(st.sampled_from([*REPOS, "beta"]), unique=True, max_size=2))
    ]
    ids = [a.id for a in alerts]
    ledgers = {c.id: draw(ledger_strategy(c.id, ids)) for c in campaigns if draw(st.booleans())}
    return campaigns, source(alerts, repositories, skipped), ledgers


@settings(max_examples=150)
@given(worlds())
def test_planning_after_applying_gives_no_actions(
    world: tuple[list[Campaign], SourceResult, dict[str, CampaignLedger]],
) -> None:
    campaigns, result, ledgers = world
    first = make_plan(campaigns, result, ledgers, now=NOW)
    applied = apply_purely(first)
    second = make_plan(campaigns, result, applied, now=NOW)

    drafts = {c.id for c in campaigns if c.state == "draft"}
    assert second.applies == first.applies == {c.id for c in campaigns} - drafts
    # Nothing left to do; a draft shows the same preview again, as it was never applied.
    assert [a for a in second.actions if a.campaign not in drafts] == []
    assert [a for a in second.actions if a.campaign in drafts] == [
        a for a in first.actions if a.campaign in drafts
    ]
    # The ledgers are a fixed point too: the repository shows no diff.
    assert {ledger.campaign: ledger for ledger in second.ledgers} == applied
    assert apply_purely(second) == applied


@settings(max_examples=100)
@given(worlds(), st.randoms(use_true_random=False))
def test_planning_is_deterministic(
    world: tuple[list[Campaign], SourceResult, dict[str, CampaignLedger]], rnd: random.Random
) -> None:
    campaigns, result, ledgers = world
    plan = make_plan(campaigns, result, ledgers, now=NOW)
    again = make_plan(campaigns, result, ledgers, now=NOW)
    assert again == plan
    for render in PLAN_FORMATS.values():
        assert render(again).encode() == render(plan).encode()
    # Input order does not matter either: sources sort, but the plan must not rely on it.
    shuffled = list(result.alerts)
    rnd.shuffle(shuffled)
    reordered = dataclasses.replace(result, alerts=tuple(shuffled))
    assert make_plan(list(reversed(campaigns)), reordered, ledgers, now=NOW) == plan


@settings(max_examples=100)
@given(worlds())
def test_plan_actions_are_sorted_and_wellformed(
    world: tuple[list[Campaign], SourceResult, dict[str, CampaignLedger]],
) -> None:
    campaigns, result, ledgers = world
    plan = make_plan(campaigns, result, ledgers, now=NOW)
    frozen = {s.scope for s in result.skipped} | {
        r.full_name for r in result.repositories if r.archived
    }
    order = [
        "create_issue",  # the issue exists before it is changed
        "reopen_issue",
        "update_issue",
        "comment_issue",
        "close_issue",
        "request_autofix",
        "create_native_campaign",
        "update_native_campaign",
        "close_native_campaign",
    ]
    keys = [
        (a.campaign, a.repository, order.index(a.kind), getattr(a, "alert_id", ""))
        for a in plan.actions
    ]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)  # one action of a kind per issue, autofix per alert
    for action in plan.actions:
        assert action.repository not in frozen or isinstance(
            action, CreateNativeCampaign | UpdateNativeCampaign | CloseNativeCampaign
        )
    # Where Issues are off no issue is written at all (GitHub answers 410).
    issues_off = {r.full_name for r in result.repositories if not r.has_issues}
    written = {a.repository for a in plan.actions if a.kind in ISSUE_KINDS}
    assert not written & issues_off
    for ledger in plan.ledgers:
        assert list(ledger.members) == sorted(ledger.members)
        assert len({m.alert_id for m in ledger.members}) == len(ledger.members)
        assert [i.repository for i in ledger.issues] == sorted(
            {i.repository for i in ledger.issues}
        )
    applied = [a for a in plan.actions if a.campaign in plan.applies]
    # The reads are at most one an action (the REST worst case), at least one a batch.
    assert plan.writes <= plan.requests <= sum(KINDS[a.kind].requests for a in applied)


@st.composite
def histories(
    draw: st.DrawFn,
) -> tuple[dict[str, CampaignLedger], list[tuple[list[Campaign], SourceResult]]]:
    """A world, then runs in which alerts change state or go unseen and campaigns change state."""
    campaigns, result, ledgers = draw(worlds())
    runs = []
    for _ in range(draw(st.integers(2, 4))):
        alerts = [
            dataclasses.replace(a, state=draw(st.sampled_from(["open", *ALERT_STATES])))
            for a in result.alerts
            if draw(st.integers(0, 9))  # now and then an alert goes unseen
        ]
        states = [
            dataclasses.replace(
                c,
                state=draw(st.sampled_from([c.state, "active", "closed"])),
                ends=draw(st.sampled_from([c.ends, date(2026, 11, 1)])),  # the due date passes
            )
            for c in campaigns
        ]
        runs.append((states, dataclasses.replace(result, alerts=tuple(alerts))))
    return ledgers, runs


@settings(max_examples=100)
@given(histories())
def test_every_run_of_a_history_reaches_a_fixed_point(
    history: tuple[dict[str, CampaignLedger], list[tuple[list[Campaign], SourceResult]]],
) -> None:
    ledgers, runs = history
    numbers = itertools.count(100_000)
    for campaigns, result in runs:
        plan = make_plan(campaigns, result, ledgers, now=NOW)
        ledgers = apply_purely(plan, numbers)
        again = make_plan(campaigns, result, ledgers, now=NOW)
        assert [a for a in again.actions if a.campaign in again.applies] == []
        assert {ledger.campaign: ledger for ledger in again.ledgers} == ledgers


# --- the order a limited write budget is spent in ---------------------------------------


def test_urgency_puts_corrections_first_then_the_most_severe_and_soonest_due() -> None:
    from campaign_sync.destinations import urgency

    campaign = make_campaign(
        sla={"critical": 7, "high": 30},
        select={"alerts": ["code-scanning"], "membership": "rolling"},
    )
    alerts = [
        alert("acme/low", 1, severity="low"),
        alert("acme/high", 2, severity="high"),
        alert("acme/crit", 3, severity="critical"),
        alert("acme/fixed", 4, severity="critical"),
    ]
    first = plan_for([campaign], alerts)
    ledgers = apply_purely(first)
    fixed = [*alerts[:3], alert("acme/fixed", 4, "fixed", severity="critical")]
    # One more repository with a critical alert, to open alongside the close.
    second = plan_for([campaign], [*fixed, alert("acme/new", 5, severity="high")], ledgers)
    assert kinds(second) == [
        ("update_issue", "acme/fixed"),
        ("close_issue", "acme/fixed"),
        ("create_issue", "acme/new"),
    ]
    ordered = sorted(first.actions, key=urgency)
    assert [a.repository for a in ordered] == ["acme/crit", "acme/fixed", "acme/high", "acme/low"]
    # The update only checks off the fixed alert: less urgent than a new high alert.
    assert [a.kind for a in sorted(second.actions, key=urgency)] == [
        "close_issue",
        "create_issue",
        "update_issue",
    ]


def test_the_plan_counts_writes_of_applied_campaigns_and_the_runs_they_take() -> None:
    active, draft = make_campaign("a"), make_campaign("b", state="draft")
    alerts = [alert(f"acme/r{i}", i) for i in range(7)]
    plan = dataclasses.replace(plan_for([active, draft], alerts), writes_per_run=3)
    assert plan.counts() == {"create_issue": 7}
    assert plan.draft_counts() == {"create_issue": 7}
    assert plan.writes == 7  # the draft's seven are never applied
    assert (plan.runs_needed, plan.hours_needed) == (3, 3)  # a run an hour
    big = dataclasses.replace(plan, writes_per_run=5_000)
    assert (big.runs_needed, big.hours_needed) == (1, 1)


# --- renamed and transferred repositories ---------------------------------------------

WEB_ID = 12


def _renamed_run(
    new: str, states: tuple[str, str] = ("open", "open")
) -> tuple[Campaign, dict[str, CampaignLedger], list[Alert], list[Repository]]:
    """A snapshot campaign applied with acme/web (id 12), then acme/web renamed ``new``."""
    campaign = make_campaign()
    before = [cs(W1, repository_id=WEB_ID), cs(W2, repository_id=WEB_ID), cs(A3)]
    listed = [Repository("acme/web", id=WEB_ID), Repository("acme/api", id=3)]
    ledgers = apply_purely(plan_for([campaign], before, repositories=listed), [7, 8])
    after = [
        alert(new, 1, states[0], repository_id=WEB_ID),
        alert(new, 2, states[1], repository_id=WEB_ID),
        cs(A3),
    ]
    return campaign, ledgers, after, [Repository(new, id=WEB_ID), Repository("acme/api", id=3)]


def test_the_ledger_records_each_repository_id() -> None:
    _, ledgers, _, _ = _renamed_run("acme/web-app")
    assert ledgers["sqli"].repositories == (("acme/api", 3), ("acme/web", WEB_ID))


def test_a_renamed_repository_keeps_its_members_and_its_issue() -> None:
    campaign, ledgers, after, listed = _renamed_run("acme/web-app", ("fixed", "open"))
    issue = ledgers["sqli"].issue_map()["acme/web"].number
    plan = plan_for([campaign], after, ledgers, repositories=listed)
    update = only(plan, UpdateIssue)
    assert (update.repository, update.number) == ("acme/web-app", issue)
    assert update.previous_names == ("acme/web",)
    assert update.retitle == (
        "[Security campaign] SQL injection burn-down: acme/web",
        "[Security campaign] SQL injection burn-down: acme/web-app",
    )
    marker = "<!-- campaign-sync:v1 campaign=sqli repository=acme/web-app -->"
    assert marker in section_text(update.content)
    assert not [a for a in plan.actions if isinstance(a, CreateIssue | CloseIssue)]
    (ledger,) = plan.ledgers
    assert [m[:2] for m in ledger.members] == [
        ("code-scanning:acme/api:3", "open"),
        ("code-scanning:acme/web-app:1", "fixed"),  # the snapshot sees the fix
        ("code-scanning:acme/web-app:2", "open"),
    ]
    assert [(i.repository, i.number) for i in ledger.issues] == [
        ("acme/api", ledgers["sqli"].issue_map()["acme/api"].number),
        ("acme/web-app", issue),
    ]
    assert ledger.repositories == (("acme/api", 3), ("acme/web-app", WEB_ID))
    assert plan.notes == (
        f"sqli: acme/web was renamed to acme/web-app: 2 members and issue #{issue} follow it",
    )
    summary = plan.campaigns[0]
    assert (summary.members["fixed"], summary.unseen) == (1, 0)
    # The next run is a fixed point: nothing moves twice, nothing is rewritten.
    again = plan_for([campaign], after, apply_purely(plan), repositories=listed)
    assert (again.actions, again.notes) == ((), ())


def test_a_repository_transferred_to_another_listed_organization_is_followed() -> None:
    campaign, ledgers, after, listed = _renamed_run("labs/web", ("fixed", "fixed"))
    issue = ledgers["sqli"].issue_map()["acme/web"].number
    plan = plan_for([campaign], after, ledgers, repositories=listed)
    assert kinds(plan) == [("update_issue", "labs/web"), ("close_issue", "labs/web")]
    assert {a.number for a in plan.actions if isinstance(a, UpdateIssue | CloseIssue)} == {issue}
    assert plan.notes[0].startswith("sqli: acme/web was transferred to labs/web")


def test_a_repository_gone_from_the_listing_closes_nothing() -> None:
    """Transferred to an organization the run does not list (or deleted, or hidden from
    the token): an empty listing where alerts were is not evidence they were fixed."""
    campaign, ledgers, _, _ = _renamed_run("acme/web-app")
    plan = plan_for([campaign], [cs(A3)], ledgers, repositories=[Repository("acme/api", id=3)])
    assert not [a for a in plan.actions if isinstance(a, CloseIssue)]
    (ledger,) = plan.ledgers
    assert ledger.member_map()["code-scanning:acme/web:1"].state == "open"
    assert ledger.issue_map()["acme/web"].state == "open"
    assert ledger.repositories == (("acme/api", 3), ("acme/web", WEB_ID))  # still known


# --- repositories where no issue can be written: Issues off, archived --------------------

OFF = Repository("acme/web", has_issues=False)
ARCHIVED = Repository("acme/web", archived=True)


def test_issues_off_plans_no_issue_and_says_how_many_alerts_the_report_tracks() -> None:
    campaign = make_campaign()
    alerts = [cs(W1), cs(W2), cs(A3)]
    plan = plan_for([campaign], alerts, repositories=(OFF,))
    assert kinds(plan) == [("create_issue", "acme/api")]
    assert plan.notes == (
        "sqli: acme/web has Issues turned off: 2 alerts tracked in the report only",
    )
    (summary,) = plan.campaigns
    assert summary.held == (("acme/web", "issues-off", 2),)
    (ledger,) = plan.ledgers
    assert ledger.held == (HeldRepository("acme/web", "issues-off", STAMP, "listing"),)
    # Its alerts are members all the same: they count, in the report.
    assert {m.alert_id for m in ledger.members} == {a.id for a in alerts}
    # The estimate is that of the one create: the skipped repository costs nothing.
    assert plan.requests == plan_for([campaign], [cs(A3)]).requests


def test_issues_turned_off_later_leaves_the_open_issue_alone() -> None:
    campaign = make_campaign()
    ledgers = settled(campaign, [cs(W1), cs(A3)])
    plan = plan_for([campaign], [cs(W1, "fixed"), cs(A3, "fixed")], ledgers, repositories=(OFF,))
    # Without the hold both issues would close; no write may go where GitHub answers 410.
    assert kinds(plan) == [("update_issue", "acme/api"), ("close_issue", "acme/api")]
    (ledger,) = plan.ledgers
    assert ledger.issue_map()["acme/web"] == ledgers["sqli"].issue_map()["acme/web"]
    assert plan.notes == (
        "sqli: acme/web has Issues turned off: 0 alerts tracked in the report only",
    )
    # Its fixed alert is fixed: Issues off changes nothing about what GitHub says of alerts.
    assert ledger.member_map()["code-scanning:acme/web:1"].state == "fixed"


def test_a_held_repository_adds_no_close_to_the_safety_rail() -> None:
    campaign = make_campaign()
    alerts = [alert(f"acme/r{i}", 1) for i in range(10)]
    ledgers = settled(campaign, alerts)
    fixed = [alert(f"acme/r{i}", 1, "fixed" if i < 4 else "open") for i in range(10)]
    held = [Repository(f"acme/r{i}", has_issues=False) for i in range(2)]
    plan = plan_for([campaign], fixed, ledgers, repositories=held)
    closes = [a.repository for a in plan.actions if isinstance(a, CloseIssue)]
    assert closes == ["acme/r2", "acme/r3"]
    plan.raise_if_unsafe(DEFAULT, seen_alerts=len(fixed))  # 2 of 10, not 4 of 10


def test_an_archived_repository_freezes_its_alerts_and_says_so() -> None:
    campaign = make_campaign()
    ledgers = settled(campaign, [cs(W1), cs(W2), cs(A3)])
    alerts = [cs(W1, "fixed"), cs(W2), cs(A3)]
    plan = plan_for([campaign], alerts, ledgers, repositories=(ARCHIVED,))
    assert kinds(plan) == []
    assert plan.notes == (
        "sqli: acme/web is archived: 2 alerts frozen (read-only; none counts as fixed)",
    )
    (ledger,) = plan.ledgers
    states = {m.alert_id: m.state for m in ledger.members}
    assert states["code-scanning:acme/web:1"] == "open"  # unknown is never fixed
    assert plan.campaigns[0].held == (("acme/web", "archived", 2),)


def test_a_hold_met_by_a_write_outlives_a_stale_listing_for_a_day_at_most() -> None:
    """apply met 410 at 05:00; the listing this run is the store's, from before."""
    campaign = make_campaign()
    hold = HeldRepository("acme/web", "issues-off", "2026-11-28T05:00:00Z", "write")
    settled_ledger = settled(campaign, [cs(W1)])["sqli"]
    ledgers = {"sqli": dataclasses.replace(settled_ledger, issues=(), held=(hold,))}
    plan = plan_for([campaign], [cs(W1)], ledgers, repositories=(Repository("acme/web"),))
    assert kinds(plan) == []
    assert plan.ledgers[0].held == (hold,)
    later = make_plan(
        [campaign],
        source([cs(W1)], [Repository("acme/web")]),
        ledgers,
        now=datetime(2026, 11, 29, 2, 0, tzinfo=UTC),  # 21 hours on: the listing decides
    )
    assert kinds(later) == [("create_issue", "acme/web")]
    assert later.ledgers[0].held == ()


@pytest.mark.parametrize("held", [OFF, ARCHIVED], ids=["issues-on-again", "unarchived"])
def test_tracking_resumes_when_the_listing_lifts_the_hold(held: Repository) -> None:
    campaign = make_campaign()
    ledgers = settled(campaign, [cs(W1)])
    ledgers = apply_purely(plan_for([campaign], [cs(W1, "fixed")], ledgers, repositories=(held,)))
    assert ledgers["sqli"].held != ()
    plan = plan_for([campaign], [cs(W1, "fixed")], ledgers, repositories=(Repository("acme/web"),))
    assert kinds(plan) == [("update_issue", "acme/web"), ("close_issue", "acme/web")]
    assert plan.ledgers[0].held == ()


# --- starts ------------------------------------------------------------------------------


def test_a_campaign_that_starts_later_is_planned_and_waits_until_that_day() -> None:
    """`starts` was shown and did nothing: an active campaign began the day it merged."""
    later = (NOW.date() + timedelta(days=5)).isoformat()
    waiting = make_campaign("later", starts=later, ends="2027-06-30")
    alerts = [alert("acme/web", 1)]
    plan = plan_for([waiting], alerts)
    assert [a.kind for a in plan.actions] == ["create_issue"]  # shown to the reviewer
    assert plan.applies == frozenset()
    assert not plan.has_changes
    (summary,) = plan.campaigns
    assert (summary.state, summary.waits_until) == ("active", NOW.date() + timedelta(days=5))
    assert f"later: starts on {later} (in 5 days): planned, nothing applied until then" in (
        plan.notes
    )
    (ledger,) = plan.ledgers
    assert ledger.members == ()  # nobody joined: membership starts that day
    on_the_day = make_plan([waiting], source(alerts), {}, now=NOW + timedelta(days=5))
    assert on_the_day.applies == frozenset({"later"})
    assert on_the_day.campaigns[0].waits_until is None


# --- scope edits ---------------------------------------------------------------------------

HIGH_AND_CRITICAL = {"alerts": ["code-scanning"], "severity": ["critical", "high"]}
CRITICAL = {"alerts": ["code-scanning"], "severity": ["critical"]}
TWO_ALERTS = [
    alert("acme/api", 2, severity="critical"),
    alert("acme/web", 1, severity="high"),
]


def test_narrowing_a_snapshot_campaign_removes_the_members_it_no_longer_selects() -> None:
    """Excluding severities validated and the plan still showed the old members."""
    first = plan_for([make_campaign(select=HIGH_AND_CRITICAL)], TWO_ALERTS)
    ledgers = apply_purely(first, numbers=[7, 8])
    narrowed = plan_for([make_campaign(select=CRITICAL)], TWO_ALERTS, ledgers)
    (ledger,) = narrowed.ledgers
    assert [m.alert_id for m in ledger.members] == ["code-scanning:acme/api:2"]
    (close,) = [a for a in narrowed.actions if isinstance(a, CloseIssue)]
    assert (close.repository, close.number) == ("acme/web", 8)
    assert (close.reason, close.state_reason) == (OUT_OF_SCOPE, "not_planned")
    assert "no longer covers the alerts of this repository" in close.comment
    assert (
        "sqli: its selection changed: 1 alert in 1 repository no longer selected leave the "
        "campaign; 1 tracking issue closed as not planned"
    ) in narrowed.notes
    again = plan_for([make_campaign(select=CRITICAL)], TWO_ALERTS, apply_purely(narrowed))
    assert again.actions == ()  # said once, in the plan of the change


def test_widening_a_snapshot_campaign_says_new_matches_do_not_join() -> None:
    first = plan_for([make_campaign(select=CRITICAL)], TWO_ALERTS)
    widened = plan_for([make_campaign(select=HIGH_AND_CRITICAL)], TWO_ALERTS, apply_purely(first))
    (ledger,) = widened.ledgers
    assert [m.alert_id for m in ledger.members] == ["code-scanning:acme/api:2"]
    assert not [a for a in widened.actions if isinstance(a, CreateIssue)]
    assert (
        "sqli: its selection changed: 1 open alert now matches but does not join: membership: "
        "snapshot takes its members when the campaign is first applied (membership: rolling "
        "lets new matches join)"
    ) in widened.notes


def test_a_ledger_from_before_scopes_were_kept_loses_no_member() -> None:
    first = plan_for([make_campaign(select=HIGH_AND_CRITICAL)], TWO_ALERTS)
    ledgers = {
        c: dataclasses.replace(ledger, scope=None) for c, ledger in apply_purely(first).items()
    }
    narrowed = plan_for([make_campaign(select=CRITICAL)], TWO_ALERTS, ledgers)
    (ledger,) = narrowed.ledgers
    assert len(ledger.members) == 2  # no digest to compare: not read as an edit
    assert ledger.scope == scope_digest(make_campaign(select=CRITICAL).select)


def test_a_member_in_a_frozen_repository_never_leaves_on_a_scope_edit() -> None:
    first = plan_for([make_campaign(select=HIGH_AND_CRITICAL)], TWO_ALERTS)
    skipped = [Skipped("acme/web", "code-scanning", "HTTP 403")]
    narrowed = plan_for(
        [make_campaign(select=CRITICAL)], TWO_ALERTS, apply_purely(first), skipped=skipped
    )
    (ledger,) = narrowed.ledgers
    assert len(ledger.members) == 2
