"""The destinations' registry (destinations/__init__.py): every action kind belongs to
exactly one destination, which says what it costs and how it shows."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
import typing
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import pytest
from testing.clients import transport_for

from campaign_sync import actions
from campaign_sync.actions import Action
from campaign_sync.commands.apply import run_apply
from campaign_sync.commands.plan import run_plan
from campaign_sync.destinations import DESTINATIONS, KINDS, destination_of
from campaign_sync.destinations.base import (
    ActionKind,
    CampaignPlanner,
    CampaignState,
    CampaignView,
    Destination,
    DestinationPlan,
    PlanContext,
    Run,
)
from campaign_sync.github import tracker
from campaign_sync.ledger import read_ledger
from campaign_sync.model import CampaignLedger, GitHubOptions
from campaign_sync.sources.github import GitHubSource

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def action_types() -> list[type]:
    """The action value types in actions.py (a destination may define its own beside it)."""
    return [
        cls
        for cls in vars(actions).values()
        if dataclasses.is_dataclass(cls) and "kind" in cls.__dataclass_fields__
    ]


def test_every_action_type_has_one_destination_that_executes_it() -> None:
    kinds = {typing.get_type_hints(cls)["kind"].__args__[0] for cls in action_types()}
    assert len(kinds) == 9
    assert set(KINDS) == kinds
    owners = [d.name for d in DESTINATIONS for kind in d.kinds]
    assert len(owners) == len(KINDS)  # no kind claimed twice
    for kind in kinds:
        assert kind in destination_of(kind).kinds


def test_every_kind_costs_a_write_and_shows_a_terraform_sign() -> None:
    for kind, facts in KINDS.items():
        assert facts.writes >= 1, kind
        assert facts.requests >= facts.writes, kind
        assert facts.sign in {"+", "-", "~", ">"}, kind
        assert facts.verb, kind


def test_where_each_kind_writes_decides_what_a_hold_keeps_back() -> None:
    """Archived: every write to the repository waits; Issues off: only the issues' writes
    (an Autofix request still goes); a native campaign is the organization's."""
    on_repository = {k for k, facts in KINDS.items() if facts.scope == "repository"}
    issue_kinds = {"create_issue", "update_issue", "close_issue", "reopen_issue", "comment_issue"}
    assert on_repository == issue_kinds | {"request_autofix"}
    assert {k for k, facts in KINDS.items() if facts.needs_issues} == issue_kinds
    assert {k for k, facts in KINDS.items() if facts.reads_issue} == issue_kinds - {"create_issue"}


# --- adding a destination ------------------------------------------------------------------
# The recipe of docs/architecture.md, followed in a test: a destination that keeps a
# label "campaign:ID" in every repository with open members of a campaign. It is defined
# here, registered the way a line in DESTINATIONS would, and planned and applied end to
# end against the fake GitHub: nothing else in the tool names it.


@dataclasses.dataclass(frozen=True, slots=True)
class CreateCampaignLabel:
    campaign: str
    repository: str
    label: str
    kind: Literal["create_campaign_label"] = "create_campaign_label"

    @property
    def target(self) -> str:
        return f"{self.repository} ({self.label})"


class CampaignLabels:
    name = "campaign-labels"
    kinds: Mapping[str, ActionKind] = MappingProxyType(
        {"create_campaign_label": ActionKind(2, 1, 4, 9, "create campaign label in", "+")}
    )

    def planner(self, context: PlanContext) -> CampaignPlanner:
        return self

    def plan(self, view: CampaignView) -> DestinationPlan:
        labelled = set(view.ledger.state_of(self.name) or ())
        wanted = sorted(
            name
            for name, count in view.open_counts.items()
            if count and name not in labelled and name not in view.frozen
        )
        label = f"campaign:{view.campaign.id}"
        actions = [CreateCampaignLabel(view.campaign.id, name, label) for name in wanted]
        recorded = sorted(labelled | set(wanted)) or None

        def record(ledger: CampaignLedger) -> CampaignLedger:
            return ledger.with_state(self.name, recorded)

        notes = [f"{view.campaign.id}: {len(wanted)} campaign labels to create"] if wanted else []
        return DestinationPlan(actions, notes, record)

    def execute(self, action: Action, run: Run, state: CampaignState, position: int) -> None:
        assert isinstance(action, CreateCampaignLabel)
        tracker.ensure_labels(run.transport, action.repository, [action.label], color="b60205")
        labelled = set(state.destinations.get(self.name) or ())
        state.destinations[self.name] = sorted(labelled | {action.repository})


def register(monkeypatch: pytest.MonkeyPatch, destination: Destination) -> None:
    """What a line in DESTINATIONS does at import, done for one test."""
    registry = sys.modules["campaign_sync.destinations"]
    monkeypatch.setattr(registry, "DESTINATIONS", (*DESTINATIONS, destination))
    for kind, facts in destination.kinds.items():
        monkeypatch.setitem(registry.KINDS, kind, facts)
        monkeypatch.setitem(registry._BY_KIND, kind, destination)


CAMPAIGN = """\
name: Critical code scanning
description: Fix the critical code scanning alerts.
managers: [mona]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
  severity: [critical]
tracking:
  issues: "off"
"""


def test_a_new_destination_is_planned_applied_and_recorded_by_the_loop_as_it_is(
    fake_github_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(monkeypatch, CampaignLabels())
    fake = fake_github_factory(repos=4, alerts=80, seed=5)
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    (tmp_path / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")

    def sources() -> list[GitHubSource]:
        return [GitHubSource(transport_for(fake), "acme")]

    out = io.StringIO()
    assert run_plan(tmp_path, sources(), output_format="json", out=out, now=NOW) == 2
    document = json.loads(out.getvalue())
    planned = [a for a in document["actions"] if a["kind"] == "create_campaign_label"]
    repositories = sorted(a["repository"] for a in planned)
    assert repositories  # the seed gives critical alerts in some repositories
    assert document["counts"] == {"create_campaign_label": len(repositories)}
    assert document["budget"]["writes"] == len(repositories)  # its ActionKind's cost
    assert f"crit: {len(repositories)} campaign labels to create" in document["notes"]
    text = io.StringIO()
    run_plan(tmp_path, sources(), output_format="text", out=text, now=NOW)
    assert f"+ create campaign label in {repositories[0]} (campaign:crit)" in text.getvalue()

    out, err = io.StringIO(), io.StringIO()
    assert run_apply(tmp_path, sources(), transport_for(fake), out=out, err=err, now=NOW) == 0
    for name in repositories:  # created on GitHub, through the destination's execute
        labels = {label.lower() for label in fake_labels(fake, name)}
        assert "campaign:crit" in labels, name
    ledger = read_ledger(tmp_path / "reports", "crit")
    assert ledger.state_of("campaign-labels") == repositories  # what execute recorded
    state = json.loads((tmp_path / "reports" / "crit" / "ledger.json").read_text("utf-8"))
    assert state["destinations"] == {"campaign-labels": repositories}

    before = fake.snapshot()["writes"]
    out = io.StringIO()
    assert run_apply(tmp_path, sources(), transport_for(fake), out=out, err=err, now=NOW) == 0
    assert fake.snapshot()["writes"] == before  # recorded: not created again
    assert read_ledger(tmp_path / "reports", "crit") == ledger


def fake_labels(fake: Any, repository: str) -> list[str]:
    response = transport_for(fake).get(f"/repos/{repository}/labels", params={"per_page": 100})
    return [label["name"] for label in response.data]


def test_a_destination_reads_its_own_github_setting_without_a_model_field() -> None:
    options = GitHubOptions.from_data(
        {"autofix": True, "projects-board": {"project": 7, "columns": ["Todo", "Done"]}}
    )
    assert options.autofix
    assert options.setting("projects-board") == {"columns": ["Todo", "Done"], "project": 7}
    assert options.setting("autofix") is True
    assert options.setting("absent") is None
    # A value, as every campaign field is: equal settings, equal options.
    again = GitHubOptions.from_data(
        {"projects-board": {"columns": ["Todo", "Done"], "project": 7}, "autofix": True}
    )
    assert again == options
    # YAML gives a date as a date: the setting keeps its text.
    dated = GitHubOptions.from_data({"projects-board": {"since": date(2026, 12, 1)}})
    assert dated.setting("projects-board") == {"since": "2026-12-01"}
