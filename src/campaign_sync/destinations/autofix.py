"""Copilot Autofix requested for a campaign's open code scanning alerts
(``github.autofix``)."""

from __future__ import annotations

from campaign_sync.actions import Action, RequestAutofix
from campaign_sync.destinations.base import CampaignState, Run
from campaign_sync.github import tracker


class Autofix:
    """The ``github.autofix`` destination."""

    name = "autofix"
    kinds = frozenset({"request_autofix"})

    def execute(self, action: Action, run: Run, state: CampaignState, position: int) -> None:
        assert isinstance(action, RequestAutofix)
        tracker.request_autofix(run.transport, action.repository, action.alert_number)
        state.autofix.add(action.alert_id)
