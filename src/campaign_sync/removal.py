"""A campaign whose file was deleted: its work is wound down, never orphaned. Pure.

Its ledger stays under ``reports/<id>/`` after ``git rm campaigns/<id>.yml``. The plan
shows the removal as the change it is: each open tracking issue closed as "not planned"
with a comment saying why, its native campaign closed, the ledger recording it; the
reports stay as history. The closes count towards the safety rails like any mass close
(``Plan.raise_if_unsafe``): a mistyped ``campaigns:`` folder removes every campaign.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping

from campaign_sync.actions import NATIVE_CLOSED, Action, CloseNativeCampaign
from campaign_sync.campaign_plan import CampaignSummary
from campaign_sync.destinations import action_order
from campaign_sync.destinations.tracking_issues.plan import close_for_removal
from campaign_sync.model import Campaign, CampaignLedger
from campaign_sync.plan import Plan

REMOVED = "removed"  # the state a removed campaign's summary shows
REASON = "its campaign file was removed"


def removed_ids(recorded: Iterable[str], campaigns: Iterable[Campaign]) -> tuple[str, ...]:
    """Campaigns with a ledger and no file any more (drafts have files: not removed)."""
    present = {campaign.id for campaign in campaigns}
    return tuple(sorted(set(recorded) - present))


def plan_removed(ledger: CampaignLedger) -> tuple[list[Action], CampaignSummary]:
    """What winding a removed campaign down takes, and its line in the plan."""
    campaign = ledger.campaign
    actions: list[Action] = list(close_for_removal(ledger, REASON))
    native = ledger.native_campaign
    if native is not None and ledger.native_organization and ledger.native_digest != NATIVE_CLOSED:
        actions.append(CloseNativeCampaign(campaign, ledger.native_organization, native, REASON))
    summary = CampaignSummary(
        campaign=campaign,
        name=campaign,  # the name was in the deleted file
        state=REMOVED,
        members=dict(Counter(m.state for m in ledger.members)),
        repositories=len({m.repository for m in ledger.members}),
        open_issues_before=sum(1 for issue in ledger.issues if issue.state == "open"),
        members_before=len(ledger.members),
    )
    return actions, summary


def with_removed(plan: Plan, removed: Mapping[str, CampaignLedger]) -> Plan:
    """``plan`` with the removed campaigns wound down (applied like active ones)."""
    actions = list(plan.actions)
    summaries = list(plan.campaigns)
    pending: dict[str, CampaignLedger] = {}
    for campaign_id in sorted(removed):
        wind_down, summary = plan_removed(removed[campaign_id])
        if not wind_down:
            continue  # wound down already: history now, nothing to show
        pending[campaign_id] = removed[campaign_id]
        actions.extend(wind_down)
        summaries.append(summary)
    if not pending:
        return plan
    removed = pending
    return dataclasses.replace(
        plan,
        actions=tuple(sorted(actions, key=action_order)),
        campaigns=tuple(summaries),
        ledgers=(*plan.ledgers, *(removed[c] for c in sorted(removed))),
        applies=plan.applies | frozenset(removed),
        started_from=(*plan.started_from, *(removed[c] for c in sorted(removed))),
        removed=frozenset(removed),
        notes=(
            *plan.notes,
            *(
                f"{c}: its campaign file was removed: open tracking issues closed as not "
                "planned, its report kept as history"
                for c in sorted(removed)
            ),
        ),
    )
