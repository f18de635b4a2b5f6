"""The places a campaign's progress is shown, each a ``Destination`` (base.py): apply
hands every action to the destination of its kind. Adding one (a Projects board is next)
is a module here, its tests, and a line in DESTINATIONS."""

from __future__ import annotations

from datetime import date

from campaign_sync.actions import Action, RequestAutofix
from campaign_sync.destinations.autofix import Autofix
from campaign_sync.destinations.base import ActionKind, CampaignPlanner, Destination, PlanContext
from campaign_sync.destinations.native_campaign import NativeCampaign
from campaign_sync.destinations.tracking_issues import TrackingIssues
from campaign_sync.model import SEVERITIES
from campaign_sync.section import SectionSource

# In the order each campaign's actions and notes are listed.
DESTINATIONS: tuple[Destination, ...] = (TrackingIssues(), Autofix(), NativeCampaign())
_BY_KIND = {kind: d for d in DESTINATIONS for kind in d.kinds}
# What the planner, apply and the renderers look up by kind: its cost, urgency and words.
KINDS: dict[str, ActionKind] = {k: v for d in DESTINATIONS for k, v in d.kinds.items()}
_NEVER = date.max.toordinal()


def planners(context: PlanContext) -> list[CampaignPlanner]:
    """One planner for each destination, for one plan, in DESTINATIONS order."""
    return [destination.planner(context) for destination in DESTINATIONS]


def destination_of(kind: str) -> Destination:
    """The destination that makes and executes actions of ``kind``."""
    return _BY_KIND[kind]


def urgency(action: Action) -> tuple[int, int, int, int, str, str]:
    """Sort key, most urgent first: tier, then the most severe open alert, the earliest
    SLA due date and the campaign's due date of the issue's section."""
    severity, due, ends = len(SEVERITIES), _NEVER, _NEVER
    content = getattr(action, "content", None)
    if isinstance(content, SectionSource):
        severity, due = content.urgency()
        ends = content.campaign.ends.toordinal()
    return (KINDS[action.kind].tier, severity, due, ends, action.campaign, action.repository)


def action_order(action: Action) -> tuple[str, str, int, str]:
    """The order of a plan's actions: by campaign, repository, then kind (stable output)."""
    order = KINDS[action.kind].order
    return (action.campaign, action.repository, order, _tiebreak(action))


def _tiebreak(action: Action) -> str:
    return action.alert_id if isinstance(action, RequestAutofix) else ""
