"""The native GitHub security campaign a campaign is mirrored into
(``github.native-campaign``): planned (created once the campaign is active and can be
mirrored, updated when its fields change, closed with it) and executed in its
organization, within GitHub's limits (10 open campaigns, 1,000 alerts, one user
manager)."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from campaign_sync.actions import (
    NATIVE_ALERTS_MAX,
    NATIVE_CLOSED,
    Action,
    CloseNativeCampaign,
    CreateNativeCampaign,
    UpdateNativeCampaign,
)
from campaign_sync.config.checks import (
    NATIVE_DESCRIPTION_MAX,
    NATIVE_NAME_MAX,
    NATIVE_OPEN_CAMPAIGNS_MAX,
)
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
from campaign_sync.github.transport import Transport
from campaign_sync.model import Alert, Campaign, CampaignLedger, Member
from campaign_sync.native import (
    TEAM_MANAGERS_MAX,
    USER_MANAGERS_MAX,
    LiveCampaign,
    NativeContext,
    NativeFields,
    changed_fields,
    contact_link,
    ghes_note,
)


class NativeCampaign:
    """The ``github.native-campaign`` destination."""

    name = "native-campaign"
    # A create lists the organization's open campaigns first.
    kinds: Mapping[str, ActionKind] = MappingProxyType(
        {
            "create_native_campaign": ActionKind(
                2, 1, 0, 6, "create native security campaign in", "+", scope="organization"
            ),
            "update_native_campaign": ActionKind(
                1, 1, 0, 7, "update native security campaign", "~", scope="organization"
            ),
            "close_native_campaign": ActionKind(
                1, 1, 0, 8, "close native security campaign", "-", scope="organization"
            ),
        }
    )

    def planner(self, context: PlanContext) -> CampaignPlanner:
        return _NativePlanner(NativeSlots(context.native, recorded_open(context.ledgers)))

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


# --- planning --------------------------------------------------------------------------


def native_fields(campaign: Campaign) -> NativeFields:
    """The campaign as a native GitHub campaign shows it, cut to GitHub's limits
    (`validate` warns when a field is cut; ``native_left_out`` says what is not sent)."""
    return NativeFields(
        name=campaign.name[:NATIVE_NAME_MAX],
        description=" ".join(campaign.description.split())[:NATIVE_DESCRIPTION_MAX],
        ends=campaign.ends.isoformat(),
        contact_link=contact_link(campaign.contact),
        managers=campaign.user_managers[:USER_MANAGERS_MAX],
        team_managers=tuple(t.split("/", 1)[1] for t in campaign.team_managers)[:TEAM_MANAGERS_MAX],
    )


def native_left_out(campaign: Campaign) -> list[str]:
    """What of the campaign its native mirror does not get, and why."""
    notes = []
    users, teams = campaign.user_managers, campaign.team_managers
    if len(users) > USER_MANAGERS_MAX:
        notes.append(
            f"{campaign.id}: the native campaign gets {users[0]} as its manager, not "
            f'{", ".join(users[USER_MANAGERS_MAX:])}: GitHub takes one user manager ("At this '
            'time, only a single manager can be supplied."); name teams for the others'
        )
    if len(teams) > TEAM_MANAGERS_MAX:
        notes.append(
            f"{campaign.id}: the native campaign gets the first {TEAM_MANAGERS_MAX} team "
            f"managers, not {', '.join(teams[TEAM_MANAGERS_MAX:])}: GitHub takes at most "
            f"{TEAM_MANAGERS_MAX}"
        )
    if not contact_link(campaign.contact):
        notes.append(
            f"{campaign.id}: the native campaign gets no contact link: GitHub wants a URL "
            "there and does not document mailto: links (the tracking issues show the contact)"
        )
    return notes


@dataclass(slots=True)
class NativeSlots:
    """Open campaigns left in each organization (GitHub allows 10, counting those made in
    its UI), taken in campaign id order by the campaigns that can be mirrored. Local to
    one plan."""

    context: NativeContext
    recorded: Counter[str]  # open native campaigns the ledgers record, by organization
    taken: Counter[str] = field(default_factory=Counter)

    def open_count(self, organization: str) -> int:
        live = self.context.open_in(organization)
        known = len(live) if live is not None else self.recorded[organization.lower()]
        return known + self.taken[organization.lower()]

    def take(self, organization: str) -> bool:
        if self.open_count(organization) >= NATIVE_OPEN_CAMPAIGNS_MAX:
            return False
        self.taken[organization.lower()] += 1
        return True


@dataclass(frozen=True, slots=True)
class _NativePlanner:
    slots: NativeSlots  # shared by the plan's campaigns, taken in campaign id order

    def plan(self, view: CampaignView) -> DestinationPlan:
        actions, notes, digest = plan_native(
            view.campaign,
            view.ledger,
            view.members,
            view.alerts,
            slots=self.slots,
            today=view.today,
        )

        def record(ledger: CampaignLedger) -> CampaignLedger:
            # Only once there is one to compare with.
            kept = digest if ledger.native_campaign is not None else None
            return dataclasses.replace(ledger, native_digest=kept)

        return DestinationPlan(actions, notes, record)


def _live(context: NativeContext, organization: str, number: int) -> LiveCampaign | None:
    found = [c for c in context.open_in(organization) or () if c.number == number]
    return found[0] if found else None


def plan_native(
    campaign: Campaign,
    ledger: CampaignLedger,
    members: Sequence[Member],
    alerts: Sequence[Alert | None],
    *,
    slots: NativeSlots,
    today: date,
) -> tuple[list[Action], list[str], str | None]:
    """Actions for the native mirror, notes on why it cannot be made, and its next digest."""
    if not campaign.github.native_campaign or slots.context.ghes:
        return [], [], ledger.native_digest
    number = ledger.native_campaign
    if campaign.state == "closed":
        if number is not None and ledger.native_digest != NATIVE_CLOSED:
            owner = ledger.native_organization or _owner(members)
            return [CloseNativeCampaign(campaign.id, owner, number)], [], NATIVE_CLOSED
        return [], [], ledger.native_digest
    if campaign.state != "active":
        return [], [], ledger.native_digest
    fields = native_fields(campaign)
    passed = campaign.ends < today
    if number is not None:
        if ledger.native_digest == fields.digest():
            return [], [], ledger.native_digest
        owner = ledger.native_organization or _owner(members)
        changes = changed_fields(fields, _live(slots.context, owner, number))
        notes = []
        if passed and "ends_at" in changes:
            # GitHub wants a due date in the future: a passed one is not sent, so it never
            # blocks a change of name or managers.
            changes = tuple(c for c in changes if c != "ends_at")
            notes.append(
                f"{campaign.id}: the native campaign keeps its due date: {campaign.ends} has "
                "passed, and GitHub takes only a date in the future"
            )
        if not changes:
            return [], notes, ledger.native_digest
        update = UpdateNativeCampaign(
            campaign.id, owner, number, fields, f"{', '.join(changes)} changed", changes
        )
        return [update], notes, fields.digest()
    return _plan_native_create(campaign, fields, alerts, slots=slots, passed=passed)


def _plan_native_create(
    campaign: Campaign,
    fields: NativeFields,
    alerts: Sequence[Alert | None],
    *,
    slots: NativeSlots,
    passed: bool,
) -> tuple[list[Action], list[str], str | None]:
    groups: dict[int, list[int]] = defaultdict(list)
    owners: set[str] = set()
    for alert in alerts:
        if (
            alert is not None
            and alert.type == "code-scanning"
            and alert.is_open
            and alert.repository_id is not None
            and alert.number is not None
        ):
            groups[alert.repository_id].append(alert.number)
            owners.add(alert.repository.split("/", 1)[0])
    count = sum(len(numbers) for numbers in groups.values())
    prefix = f"{campaign.id}: not mirrored into a native GitHub campaign:"
    # Every reason a campaign cannot be mirrored comes before taking one of the
    # organization's open campaigns: one that cannot be made leaves its slot to the next.
    if passed:
        why = f"its due date {campaign.ends} has passed, and GitHub takes only a future one"
        return [], [f"{prefix} {why}"], None
    if not count:
        why = "it has no open code scanning alerts (the only kind GitHub takes)"
        return [], [f"{prefix} {why}"], None
    if count > NATIVE_ALERTS_MAX:
        why = (
            f"it has {count:,} open code scanning alerts; a native campaign holds at most "
            f"{NATIVE_ALERTS_MAX:,} (narrow the selection or split the campaign)"
        )
        return [], [f"{prefix} {why}"], None
    if len(owners) > 1:
        return [], [f"{prefix} its alerts span organizations ({', '.join(sorted(owners))})"], None
    owner = owners.pop()
    if not slots.take(owner):
        why = (
            f"{owner} has {slots.open_count(owner)} open security campaigns (counting those "
            f"made in GitHub's UI), and GitHub allows {NATIVE_OPEN_CAMPAIGNS_MAX}; campaigns "
            "are mirrored in id order as campaigns close"
        )
        return [], [f"{prefix} {why}"], None
    numbers = tuple((repo_id, tuple(sorted(groups[repo_id]))) for repo_id in sorted(groups))
    action = CreateNativeCampaign(
        campaign.id, owner, fields, numbers, f"{count} code scanning alerts"
    )
    return [action], native_left_out(campaign), fields.digest()


def _owner(members: Sequence[Member]) -> str:
    return members[0].repository.split("/", 1)[0] if members else ""


def recorded_open(ledgers: Mapping[str, CampaignLedger]) -> Counter[str]:
    """Open native campaigns the ledgers record, by organization: what counts against
    GitHub's 10 when the organization's campaigns could not be read."""
    return Counter(
        ledger.native_organization.lower()
        for ledger in ledgers.values()
        if ledger.native_campaign is not None
        and ledger.native_organization
        and ledger.native_digest != NATIVE_CLOSED
    )


def native_context_notes(campaigns: Sequence[Campaign], native: NativeContext) -> list[str]:
    """What the plan could not check of GitHub's live limits, or what the server lacks."""
    wanted = tuple(
        c.id
        for c in sorted(campaigns, key=lambda c: c.id)
        if c.state != "draft" and (c.github.native_campaign or c.github.autofix)
    )
    if not wanted:
        return []
    if native.ghes:
        return [ghes_note(native, wanted)]
    mirrored = [c for c in campaigns if c.github.native_campaign and c.state == "active"]
    if not mirrored:
        return []
    if not native.connected:
        return [
            "the organizations' open security campaigns were not read (no GitHub "
            "connection), so campaigns made in GitHub's UI are not counted against its "
            f"{NATIVE_OPEN_CAMPAIGNS_MAX}: this plan assumes only those the ledgers record are "
            "open; apply reads them and mirrors fewer if the organization has no room"
        ]
    return [
        f"the open security campaigns of {org} could not be read ({why}): only those the "
        "ledgers record are counted"
        for org, why in sorted(native.unread.items())
    ]
