"""A campaign's members after this run, from its ledger and the alerts seen. Pure.

- ``snapshot``: members are the matching open alerts when the campaign is first applied
  as active (GitHub's own semantics); later alerts never join.
- ``rolling``: every run, matching open alerts that are not members yet join.
- A member that is fixed or dismissed stays a member, with its new state; one that opens
  again is open again (a regression).
- A closed member keeps how GitHub recorded its closing: the reason, who, and their comment
  (``dismissal.py``). They follow the alert as listed, also while its state stays the same
  (a ledger written before they were kept learns them); an open member has none.
- A member whose alert was not seen, or whose repository could not be read or is
  archived, keeps the state the ledger has: unknown is never "fixed". The exception is a
  source that lists a scope in full (``SourceResult.covered``: a SARIF scan of a
  repository by a tool): a member under it that the scan no longer reports is fixed.
- A member the ledger has open closes (fixed, dismissed, resolved) only on an alert this
  run listed: a closed state that only the alert store (an untrusted cache) holds keeps it
  open until a listing confirms it.
- Closed campaigns take no new members, but their members' states are still tracked.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from campaign_sync import dismissal
from campaign_sync.model import Alert, Campaign, CampaignLedger, Member


def closing(alert: Alert) -> tuple[str, str, str]:
    """The member fields ``reason``, ``by`` and ``comment`` for ``alert`` ("" when none)."""
    if alert.state == "open":
        return "", "", ""
    return (
        dismissal.reason(alert.state_reason) or "",
        alert.dismissed_by or "",
        alert.dismissed_comment or "",
    )


def _same_closing(member: Member, alert: Alert) -> bool:
    return (member.reason, member.by, member.comment) == closing(alert)


def _moved(member: Member, alert: Alert, now: str) -> Member:
    """``member`` after ``alert``, seen and confirmed this run: its state, and how it was
    closed. Only a change of state changes ``changed``."""
    reason, by, comment = closing(alert)
    if alert.state == member.state:
        return member._replace(reason=reason, by=by, comment=comment)
    changed = _changed_at(alert, now)
    return Member(member.alert_id, alert.state, member.joined, changed, reason, by, comment)


def _changed_at(alert: Alert, now: str) -> str:
    if alert.state == "fixed" and alert.fixed_at:
        return alert.fixed_at
    if alert.state in ("dismissed", "resolved") and alert.dismissed_at:
        return alert.dismissed_at
    if alert.state == "resolved" and alert.fixed_at:
        return alert.fixed_at
    return now


def _gone_are_fixed(
    members: list[Member],
    alerts: Sequence[Alert | None],
    covered: set[str],
    frozen: Collection[str],
    now: str,
) -> list[Member]:
    """Members a full listing of their scope no longer reports, fixed as of ``now``."""
    return [
        Member(member.alert_id, "fixed", member.joined, now)
        if alert is None
        and member.state != "fixed"
        and member.alert_id[: member.alert_id.rfind("/") + 1] in covered
        and member.repository not in frozen
        else member
        for member, alert in zip(members, alerts, strict=True)
    ]


def joins(campaign: Campaign, ledger: CampaignLedger) -> bool:
    """Whether matching alerts may join in this run."""
    if campaign.state == "closed":
        return False
    if campaign.select.membership == "rolling":
        return True
    return ledger.activated is None  # snapshot: only at the first active run


def update_members(
    campaign: Campaign,
    ledger: CampaignLedger,
    selected: Sequence[Alert],
    seen: Mapping[str, Alert],
    *,
    now: str,
    frozen_repositories: Collection[str] = (),
    unconfirmed: Collection[str] = (),
    covered: Collection[str] = (),
) -> tuple[Member, ...]:
    """The members after this run, sorted by alert id.

    ``selected`` are the alerts the campaign's selection admits now, sorted by id, the
    same objects as ``seen`` holds: every alert of the run by id. ``frozen_repositories``
    are those whose alerts are unknown this run (unreadable, skipped or archived): their
    members keep the ledger's state.
    """
    members, _ = members_seen(
        campaign,
        ledger,
        selected,
        seen,
        now=now,
        frozen_repositories=frozen_repositories,
        unconfirmed=unconfirmed,
        covered=covered,
    )
    return tuple(members)


def members_seen(
    campaign: Campaign,
    ledger: CampaignLedger,
    selected: Sequence[Alert],
    seen: Mapping[str, Alert],
    *,
    now: str,
    frozen_repositories: Collection[str] = (),
    unconfirmed: Collection[str] = (),
    covered: Collection[str] = (),
) -> tuple[list[Member], list[Alert | None]]:
    """``update_members``, and beside it each member's alert as seen this run (None if
    unseen): planning needs both, and looking a million alerts up twice is not free. Two
    parallel lists rather than pairs: millions of pairs would cost 56 bytes each.

    ``selected`` must hold the very objects ``seen`` maps to (both come from one
    ``AlertIndex``): a member is told from a newcomer by identity. ``unconfirmed``: ids of
    closed alerts this run did not list (``SourceResult.unconfirmed``): no member's state
    changes on them, so an open member stays open. ``covered``: id prefixes listed in full
    this run (``SourceResult.covered``): an unseen member under one is fixed.
    """
    frozen = set(frozen_repositories)
    # Comprehensions, not a loop of appends: they run once per member of every campaign.
    get = seen.get
    alerts: list[Alert | None] = [get(member.alert_id) for member in ledger.members]
    members: list[Member] = [
        member
        if alert is None
        or (alert.state == member.state and (alert.state == "open" or _same_closing(member, alert)))
        or alert.repository in frozen
        or alert.id in unconfirmed
        else _moved(member, alert, now)
        for member, alert in zip(ledger.members, alerts, strict=True)
    ]
    if covered:
        members = _gone_are_fixed(members, alerts, set(covered), frozen, now)
    if joins(campaign, ledger):
        # Selected alerts are alerts of this run, the very objects members were matched
        # with above: identity tells a member from a newcomer, without hashing a million ids.
        known = set(map(id, filter(None, alerts)))
        joined = [
            alert
            for alert in selected
            if alert.state == "open" and id(alert) not in known and alert.repository not in frozen
        ]
        fresh = [Member(alert.id, "open", now, now) for alert in joined]
        if members and fresh:
            members += fresh
            alerts += joined
            # Two sorted runs (the ledger's members, then the new ones): timsort merges them.
            order = sorted(range(len(members)), key=members.__getitem__)
            members = [members[i] for i in order]
            alerts = [alerts[i] for i in order]
        elif fresh:
            members, alerts = fresh, list(joined)
    return members, alerts
