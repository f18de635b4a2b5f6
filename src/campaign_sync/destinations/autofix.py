"""Copilot Autofix requested for a campaign's open code scanning alerts
(``github.autofix``): once per alert, CodeQL's only (GitHub's Autofix is for CodeQL
analysis), never on GitHub Enterprise Server or in a frozen repository."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from campaign_sync.actions import Action, RequestAutofix
from campaign_sync.destinations.base import (
    ActionKind,
    CampaignPlanner,
    CampaignState,
    CampaignView,
    DestinationPlan,
    PlanContext,
    Run,
)
from campaign_sync.github import tracker
from campaign_sync.model import Alert, Campaign, CampaignLedger
from campaign_sync.native import autofix_supported
from campaign_sync.untrusted.terminal import printable


class Autofix:
    """The ``github.autofix`` destination."""

    name = "autofix"
    kinds: Mapping[str, ActionKind] = MappingProxyType(
        {"request_autofix": ActionKind(1, 1, 5, 5, "request Copilot Autofix for", ">")}
    )

    def planner(self, context: PlanContext) -> CampaignPlanner:
        return _AutofixPlanner(ghes=context.native.ghes)

    def execute(self, action: Action, run: Run, state: CampaignState, position: int) -> None:
        assert isinstance(action, RequestAutofix)
        tracker.request_autofix(run.transport, action.repository, action.alert_number)
        state.autofix.add(action.alert_id)


@dataclass(frozen=True, slots=True)
class _AutofixPlanner:
    ghes: bool  # GitHub Enterprise Server has no Autofix API

    def plan(self, view: CampaignView) -> DestinationPlan:
        actions, notes, requested = plan_autofix(
            view.campaign, view.ledger, view.alerts, frozen=view.frozen, ghes=self.ghes
        )
        recorded = tuple(sorted(requested))

        def record(ledger: CampaignLedger) -> CampaignLedger:
            return dataclasses.replace(ledger, autofix_requested=recorded)

        return DestinationPlan(actions, notes, record)


def plan_autofix(
    campaign: Campaign,
    ledger: CampaignLedger,
    alerts: Sequence[Alert | None],
    *,
    frozen: Collection[str],
    ghes: bool,
) -> tuple[list[Action], list[str], set[str]]:
    """The requests to make, notes on the alerts left out, and the alerts asked for so far
    (the ledger's, and these)."""
    actions: list[Action] = []
    notes: list[str] = []
    autofix = set(ledger.autofix_requested)
    if campaign.github.autofix and campaign.state == "active" and not ghes:
        other_tools: Counter[str] = Counter()
        for alert in alerts:
            if (
                alert is not None
                and alert.type == "code-scanning"
                and alert.is_open
                and alert.number is not None
                and alert.id not in autofix
                and alert.repository not in frozen
            ):
                if not autofix_supported(alert.tool):
                    other_tools[alert.tool or "an unnamed tool"] += 1
                    continue
                actions.append(
                    RequestAutofix(campaign.id, alert.repository, alert.id, alert.number)
                )
                autofix.add(alert.id)
        if other_tools:
            notes.append(_autofix_left_out(campaign.id, other_tools))
    return actions, notes, autofix


def _autofix_left_out(campaign: str, tools: Counter[str]) -> str:
    count = sum(tools.values())
    which = ", ".join(f"{printable(tool)}: {n}" for tool, n in sorted(tools.items()))
    alerts = "alert" if count == 1 else "alerts"
    return (
        f"{campaign}: Copilot Autofix not requested for {count} open code scanning {alerts} of "
        f"other tools than CodeQL ({which}): GitHub's Autofix is available for CodeQL "
        "analysis only"
    )
