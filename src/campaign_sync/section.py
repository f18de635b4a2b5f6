"""What the tool's section of a tracking issue is made of, and the digests the plan compares.

The plan digests a section's inputs (``SectionSource.digest``), which is cheap, and the
section is rendered from them (``render.issue.render_source``) only for an issue that is
created or updated. The section changes only when something real changes (an alert's
state, an SLA due date or the campaign's due date passing, the campaign's fields), never
just because a day went by. Pure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import orjson

from campaign_sync.model import SEVERITIES, Alert, Campaign, Member, Repository
from campaign_sync.sla import DueDates

SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True, slots=True)
class IssueItem:
    """One member alert of a tracking issue."""

    member: Member  # alert id, state, joined, changed (from the ledger)
    alert: Alert | None  # the alert as seen this run; None if not seen (rendered from member)
    due: date | None  # SLA due date, if the campaign has an SLA for the alert's severity


def section_digest(section: str) -> str:
    """Short sha256 hex of the section: an unchanged digest means the issue needs no update."""
    return hashlib.sha256(section.encode("utf-8")).hexdigest()[:16]


# Part of every input digest. Bump it when render_section writes something else for the same
# inputs: each tracking issue is then updated once, by the next run.
RENDER_VERSION = 1


def campaign_fingerprint(campaign: Campaign) -> bytes:
    """Every campaign field a section shows, as stable bytes (digested with each section)."""
    sla = campaign.sla
    return _stable_bytes(
        [
            RENDER_VERSION,
            campaign.id,
            campaign.name,
            campaign.description,
            campaign.ends.isoformat(),
            campaign.state,
            campaign.managers,
            campaign.contact,
            [sla.critical, sla.high, sla.medium, sla.low],
            campaign.tracking.mention,
            campaign.tracking.public_details,
        ]
    )


def _stable_bytes(value: object) -> bytes:
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        # An integer beyond 64 bits or a lone surrogate from a scanner: repr is stable too.
        return repr(value).encode("utf-8", "surrogatepass")


@dataclass(frozen=True, slots=True)
class SectionSource:
    """What the section of one tracking issue is made of, to render it only when written.

    Planning a large organization covers hundreds of thousands of issues, but a run writes a
    few hundred (GitHub's write limits). So the plan digests these inputs (``digest``),
    which is cheap, and the section is rendered from them (``render``) only for an issue
    that is created or updated.
    """

    campaign: Campaign
    # campaign_fingerprint(campaign), computed once per campaign
    campaign_key: bytes = field(compare=False, repr=False)
    repository: str
    repo: Repository | None
    members: Sequence[Member]  # of this repository, sorted by alert id
    alerts: Sequence[Alert | None]  # beside each member: its alert if seen this run
    dues: DueDates = field(compare=False, repr=False)
    today: date

    def items(self) -> list[IssueItem]:
        due = self.dues.of
        return [
            IssueItem(member, alert, due(member, alert))
            for member, alert in zip(self.members, self.alerts, strict=True)
        ]

    def urgency(self) -> tuple[int, int]:
        """(rank of the most severe open alert, 0 = critical; the earliest SLA due date of
        an open alert, as an ordinal): what makes this issue more urgent than another."""
        severity = len(SEVERITY_RANK)
        due = date.max.toordinal()
        dues_on = self.dues.on
        for member, alert in zip(self.members, self.alerts, strict=True):
            if member.state != "open" or alert is None or alert.severity is None:
                continue
            severity = min(severity, SEVERITY_RANK.get(alert.severity.lower(), severity))
            when = dues_on(member.joined)[alert.severity][0]
            if when is not None:
                due = min(due, when.toordinal())
        return severity, due

    def digest(self) -> str:
        """Changes whenever ``render`` would write something else (RENDER_VERSION aside).

        Each member gives one row of exactly what its line and the counts show, so an
        alert seen with nothing more to show than its id digests as if it were unseen.
        (The hottest loop of planning: one pass per member of every campaign.)
        """
        today = self.today
        dues_on = self.dues.on
        details = shows_details(self.campaign, self.repo)
        rows: list[tuple[object, ...]] = []
        append = rows.append
        joined: str | None = None
        due_on: Mapping[str, tuple[date | None, bool]] = {}
        for member, alert in zip(self.members, self.alerts, strict=True):
            if alert is None:
                append((member.alert_id, member.state))
                continue
            severity = alert.severity
            if member.joined is not joined:  # members join in batches: mostly the same
                joined = member.joined
                due_on = dues_on(joined)
            due = None if severity is None else due_on[severity]
            reason = alert.state_reason if alert.state == member.state else None
            if details and alert.type != "secret-scanning":
                append(
                    (
                        member.alert_id,
                        member.state,
                        alert.html_url,
                        severity,
                        due,
                        reason,
                        alert.rule_id,
                        alert.rule_name,
                        alert.package,
                        alert.ecosystem,
                        alert.path,
                        alert.start_line,
                    )
                )
            elif reason is None and severity is None and alert.html_url is None:
                append((member.alert_id, member.state))
            else:
                append((member.alert_id, member.state, alert.html_url, severity, due, reason))
        head = [self.repository, details, today > self.campaign.ends]
        data = self.campaign_key + _stable_bytes([head, rows])
        return hashlib.sha256(data).hexdigest()[:16]


def shows_details(campaign: Campaign, repo: Repository | None) -> bool:
    # Unknown visibility (a source without repository metadata) counts as public: the
    # safe side of "no rule or file details in public repositories".
    public = repo is None or repo.is_public
    return campaign.tracking.public_details or not public
