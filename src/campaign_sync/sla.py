"""SLA rules: the day an alert should be fixed by, from when it joined and its severity. Pure."""

from __future__ import annotations

from datetime import date, timedelta

from campaign_sync.model import SEVERITIES, Alert, Campaign, Member


def sla_days(campaign: Campaign) -> list[tuple[str, int]]:
    found = ((s, campaign.sla.days_for(s)) for s in SEVERITIES)
    return [(s, d) for s, d in found if d is not None]


def sla_due(campaign: Campaign, member: Member, alert: Alert | None) -> date | None:
    """The day an alert should be fixed by: the day it joined plus the SLA for its severity.

    None when the campaign has no SLA for the severity, or the severity is unknown (the
    alert was not seen). ``member.joined`` is an ISO 8601 UTC timestamp; its date counts.
    """
    if alert is None or alert.severity is None:
        return None
    return due_date(campaign, member.joined, alert.severity)


def due_date(campaign: Campaign, joined: str, severity: str) -> date | None:
    """The day that joined (an ISO 8601 timestamp) plus the SLA days for ``severity``."""
    days = campaign.sla.days_for(severity.lower())
    if days is None:
        return None
    return date.fromisoformat(joined[:10]) + timedelta(days=days)


class DueDates:
    """``sla_due`` for one campaign, remembered: members join in batches (one timestamp per
    run), so a campaign's million members have a handful of (joined, severity) pairs."""

    __slots__ = ("_by_joined", "_campaign", "_today")

    def __init__(self, campaign: Campaign, today: date) -> None:
        self._campaign = campaign
        self._today = today
        self._by_joined: dict[str, _DueOn] = {}

    def of(self, member: Member, alert: Alert | None) -> date | None:
        if alert is None or alert.severity is None:
            return None
        return self.on(member.joined)[alert.severity][0]

    def on(self, joined: str) -> _DueOn:
        """By severity: the due date of an alert that joined at ``joined``, and whether it
        has passed (today is after it)."""
        due_on = self._by_joined.get(joined)
        if due_on is None:
            due_on = self._by_joined[joined] = _DueOn(self._campaign, joined, self._today)
        return due_on


class _DueOn(dict[str, tuple[date | None, bool]]):
    """Severity -> (SLA due date, passed), for alerts that joined at one time; filled as
    severities are asked for."""

    def __init__(self, campaign: Campaign, joined: str, today: date) -> None:
        super().__init__()
        self._campaign, self._joined, self._today = campaign, joined, today

    def __missing__(self, severity: str) -> tuple[date | None, bool]:
        due = due_date(self._campaign, self._joined, severity)
        value = self[severity] = (due, due is not None and due < self._today)
        return value
