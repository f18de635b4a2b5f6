"""The native GitHub security campaign a campaign is mirrored into
(``github.native-campaign``): created, updated and closed in its organization."""

from __future__ import annotations

from campaign_sync.actions import (
    NATIVE_CLOSED,
    Action,
    CloseNativeCampaign,
    CreateNativeCampaign,
    UpdateNativeCampaign,
)
from campaign_sync.destinations.base import CampaignState, Run
from campaign_sync.github import tracker
from campaign_sync.github.transport import Transport


class NativeCampaign:
    """The ``github.native-campaign`` destination."""

    name = "native-campaign"
    kinds = frozenset({"create_native_campaign", "update_native_campaign", "close_native_campaign"})

    def execute(self, action: Action, run: Run, state: CampaignState, position: int) -> None:
        _execute(run.transport, action, state)


def _execute(transport: Transport, action: Action, state: CampaignState) -> None:
    if isinstance(action, CreateNativeCampaign):
        fields = action.fields
        # Created by an earlier run that did not live to record it? GitHub lists the
        # organization's open campaigns consistently: take the one with our name and text.
        opened = tracker.list_native_campaigns(transport, action.repository, state="open")
        existing = sorted(
            (c for c in opened if (c.name, c.description) == (fields.name, fields.description)),
            key=lambda c: c.number,
        )
        if existing:
            found = existing[0]  # the oldest
            state.native, state.native_digest = found.number, fields.digest()
            state.native_organization = action.repository
            return
        if len(opened) >= tracker.MAX_OPEN_CAMPAIGNS:
            # Someone opened one (maybe in GitHub's UI) since the plan read them: never
            # send an eleventh, wait for a run with room.
            raise tracker.Deferred(
                f"{action.repository} has {len(opened)} open security campaigns, GitHub's "
                f"limit; the native campaign of {action.campaign} is left for a later run"
            )
        created = tracker.create_native_campaign(
            transport,
            action.repository,
            name=fields.name,
            description=fields.description,
            ends_at=fields.ends,
            code_scanning_alerts=[
                tracker.CampaignAlerts(repo_id, numbers) for repo_id, numbers in action.alerts
            ],
            managers=fields.managers,
            team_managers=fields.team_managers,
            contact_link=fields.contact_link or None,
        )
        state.native, state.native_digest = created.number, fields.digest()
        state.native_organization = action.repository
    elif isinstance(action, UpdateNativeCampaign):
        fields, sent = action.fields, set(action.changes)
        # Only what changed: a field GitHub would refuse (a passed due date) is left out.
        tracker.update_native_campaign(
            transport,
            action.repository,
            action.number,
            name=fields.name if "name" in sent else None,
            description=fields.description if "description" in sent else None,
            ends_at=fields.ends if "ends_at" in sent else None,
            managers=fields.managers if "managers" in sent else None,
            team_managers=fields.team_managers if "team_managers" in sent else None,
            contact_link=(fields.contact_link or None) if "contact_link" in sent else None,
        )
        state.native_digest = fields.digest()
    elif isinstance(action, CloseNativeCampaign):
        tracker.close_native_campaign(transport, action.repository, action.number)
        state.native_digest = NATIVE_CLOSED
