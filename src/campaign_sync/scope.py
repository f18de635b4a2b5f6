"""Scope edits: what changing a campaign's selection does to its members. Pure.

A snapshot campaign takes its members when first applied; later edits of its `select`
used to be ignored without a word. Now the ledger keeps a digest of the selection the
members were chosen with, and when it changes:

- narrowing: members the selection no longer admits leave the campaign (a repository left
  with none has its tracking issue closed as "not planned", by the planner), and the plan
  says how many;
- widening a snapshot campaign: new matches do not join (GitHub's semantics too), and the
  plan says so with the count that would.

Only alerts this run listed are judged, in repositories whose alerts are known (not
frozen, not held) and whose metadata is known when the selection filters on it: an
unknown is never read as "no longer selected".
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence

from campaign_sync.match import alert_selected, repository_selected
from campaign_sync.model import Alert, Campaign, Member, Repository, Selection
from campaign_sync.wording import plural


def scope_digest(selection: Selection) -> str:
    """A stable digest of a selection (a frozen dataclass of strings, tuples and None:
    its repr is the same on every machine and run)."""
    return hashlib.sha256(repr(selection).encode("utf-8")).hexdigest()[:16]


def _judgeable(
    alert: Alert | None,
    selection: Selection,
    repositories: Mapping[str, Repository],
    frozen: Collection[str],
    unconfirmed: Collection[str],
) -> bool:
    if alert is None or alert.repository in frozen or alert.id in unconfirmed:
        return False
    needs_metadata = bool(selection.repositories.topics or selection.repositories.properties)
    return not needs_metadata or alert.repository in repositories


def leave_unselected(
    campaign: Campaign,
    members: Sequence[Member],
    alerts: Sequence[Alert | None],
    repositories: Mapping[str, Repository],
    *,
    frozen: Collection[str],
    unconfirmed: Collection[str],
) -> tuple[list[Member], list[Alert | None], list[Member]]:
    """(members kept, their alerts, members that leave): those whose alert this run
    listed and the campaign's selection no longer admits."""
    selection = campaign.select
    kept: list[Member] = []
    kept_alerts: list[Alert | None] = []
    left: list[Member] = []
    for member, alert in zip(members, alerts, strict=True):
        if (
            alert is not None
            and _judgeable(alert, selection, repositories, frozen, unconfirmed)
            and not (
                repository_selected(selection, alert.repository, repositories.get(alert.repository))
                and alert_selected(selection, alert)
            )
        ):
            left.append(member)
            continue
        kept.append(member)
        kept_alerts.append(alert)
    return kept, kept_alerts, left


def left_note(campaign_id: str, left: Sequence[Member], closed: int) -> str:
    repositories = len({m.repository for m in left})
    closes = f"; {plural(closed, 'tracking issue')} closed as not planned" if closed else ""
    return (
        f"{campaign_id}: its selection changed: {plural(len(left), 'alert')} in "
        f"{plural(repositories, 'repository', 'repositories')} no longer selected leave the "
        f"campaign{closes}"
    )


def not_joining_note(campaign_id: str, count: int) -> str:
    return (
        f"{campaign_id}: its selection changed: {plural(count, 'open alert')} now "
        f"{'matches but does' if count == 1 else 'match but do'} not join: membership: "
        "snapshot takes its members when the campaign is first applied (membership: "
        "rolling lets new matches join)"
    )
