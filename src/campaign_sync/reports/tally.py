"""What a report says, counted from the ledger and the details: no I/O, no clock. Pure.

Counts: an alert is ``open``, ``fixed`` or ``dismissed`` (a resolved secret scanning alert
counts as one of the last two, see ``details.py``). Done is closed (fixed or dismissed)
over all members, rounded down, so a campaign shows 100% only when nothing is left; the
pages show how much of it was fixed and how much dismissed beside it.

SLA: an open alert is past its SLA due date when the day it joined plus the campaign's
SLA days for its severity is before today (``render/issue.py``'s ``sla_due``, the same
rule the tracking issues show).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, cast

from campaign_sync.model import (
    SEVERITIES,
    Alert,
    AlertType,
    Campaign,
    CampaignLedger,
    HoldReason,
    Member,
    TrackedIssue,
)
from campaign_sync.reports.details import UNKNOWN, Detail
from campaign_sync.reports.history import HistoryRow
from campaign_sync.sla import sla_due

Outcome = Literal["open", "fixed", "dismissed"]


@dataclass(frozen=True, slots=True)
class Tally:
    open: int = 0
    fixed: int = 0
    dismissed: int = 0

    @property
    def closed(self) -> int:
        return self.fixed + self.dismissed

    @property
    def total(self) -> int:
        return self.open + self.closed

    @property
    def percent_done(self) -> int | None:
        """Closed alerts in percent, rounded down; None when there are no alerts."""
        return self.closed * 100 // self.total if self.total else None

    def history_row(self, day: date) -> HistoryRow:
        return HistoryRow(day, self.open, self.fixed, self.dismissed)


@dataclass(frozen=True, slots=True)
class SeverityRow:
    severity: str  # one of SEVERITIES, or UNKNOWN
    sla_days: int | None
    open: int
    past_due: int
    next_due: date | None  # the earliest SLA due date, today or later, of an open alert


@dataclass(frozen=True, slots=True)
class RepositoryRow:
    repository: str
    tally: Tally
    past_due: int
    issue: TrackedIssue | None
    held: HoldReason | None = None  # archived, or Issues off: no issue is written there


@dataclass(frozen=True, slots=True)
class CampaignFacts:
    campaign: Campaign
    ledger: CampaignLedger
    tally: Tally
    severities: tuple[SeverityRow, ...]  # SEVERITIES order, then UNKNOWN; only rows in use
    repositories: tuple[RepositoryRow, ...]  # most open alerts first, then by name
    autofix_open: int  # open alerts for which Copilot Autofix was requested

    @property
    def past_due(self) -> int:
        return sum(row.past_due for row in self.severities)

    @property
    def held(self) -> tuple[RepositoryRow, ...]:
        """Repositories where no issue is written, by name (see ``holds.py``)."""
        return tuple(sorted((r for r in self.repositories if r.held), key=lambda r: r.repository))

    @property
    def frozen(self) -> int:
        """Open alerts of archived repositories: kept as they were, never counted as done."""
        return sum(r.tally.open for r in self.repositories if r.held == "archived")


def outcome(member: Member, detail: Detail | None) -> Outcome:
    state = member.state
    if state == "open" or state == "fixed" or state == "dismissed":
        return state
    return "dismissed" if detail is not None and detail.closed_as == "dismissed" else "fixed"


def _stand_in(member: Member, severity: str) -> Alert:
    """The alert as far as ``sla_due`` needs it (its severity), built from the details.

    Online and offline runs both go through here, so they compute the same due dates.
    """
    kind = cast(AlertType, member.alert_id.split(":", 1)[0])
    return Alert(
        id=member.alert_id,
        type=kind,
        repository=member.repository,
        state=member.state,
        severity=None if severity == UNKNOWN else severity,
    )


def _tally(outcomes: list[Outcome]) -> Tally:
    return Tally(
        open=outcomes.count("open"),
        fixed=outcomes.count("fixed"),
        dismissed=outcomes.count("dismissed"),
    )


def campaign_facts(
    campaign: Campaign,
    ledger: CampaignLedger,
    details: Mapping[str, Detail],
    *,
    today: date,
) -> CampaignFacts:
    by_repository: dict[str, list[Outcome]] = defaultdict(list)
    late_by_repository: dict[str, int] = defaultdict(int)
    open_by_severity: dict[str, int] = defaultdict(int)
    late_by_severity: dict[str, int] = defaultdict(int)
    next_due: dict[str, date] = {}
    autofix = set(ledger.autofix_requested)
    autofix_open = 0
    # sla_due depends on the day an alert joined and its severity only: campaigns of
    # hundreds of thousands of alerts share a few of those, so each is asked once.
    dues: dict[tuple[str, str], date | None] = {}
    for member in ledger.members:
        detail = details.get(member.alert_id)
        kind = outcome(member, detail)
        repository = member.repository
        by_repository[repository].append(kind)
        if kind != "open":
            continue
        autofix_open += member.alert_id in autofix
        severity = detail.severity if detail is not None else UNKNOWN
        open_by_severity[severity] += 1
        key = (member.joined[:10], severity)
        if key not in dues:
            dues[key] = sla_due(campaign, member, _stand_in(member, severity))
        due = dues[key]
        if due is None:
            continue
        if due < today:
            late_by_severity[severity] += 1
            late_by_repository[repository] += 1
        elif severity not in next_due or due < next_due[severity]:
            next_due[severity] = due

    severities = tuple(
        SeverityRow(
            severity=s,
            sla_days=campaign.sla.days_for(s),
            open=open_by_severity[s],
            past_due=late_by_severity[s],
            next_due=next_due.get(s),
        )
        for s in (*SEVERITIES, UNKNOWN)
        if open_by_severity[s] or campaign.sla.days_for(s) is not None
    )
    issues = ledger.issue_map()
    held = {h.repository: h.reason for h in ledger.held}
    names = set(by_repository) | set(issues) | set(held)
    repositories = sorted(
        (
            RepositoryRow(
                repository=name,
                tally=_tally(by_repository.get(name, [])),
                past_due=late_by_repository[name],
                issue=issues.get(name),
                held=held.get(name),
            )
            for name in names
        ),
        key=lambda row: (-row.tally.open, -row.past_due, row.repository),
    )
    every = [kind for kinds in by_repository.values() for kind in kinds]
    return CampaignFacts(
        campaign=campaign,
        ledger=ledger,
        tally=_tally(every),
        severities=severities,
        repositories=tuple(repositories),
        autofix_open=autofix_open,
    )
