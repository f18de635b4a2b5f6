"""``reports/README.md``: every campaign on one page, sorted by id. Pure.

One row per campaign file: its name (linked to its report), status, due date and days
left, open, fixed, dismissed and total alerts, percent done (closed, fixed or dismissed;
with the share fixed beside it when some were dismissed, so a campaign closed by
dismissals does not read as fixed) and open alerts past their SLA due date. A draft (never
applied) and an active campaign not applied yet are listed without numbers. No totals
across campaigns: one alert can be in several campaigns.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from campaign_sync.model import Campaign
from campaign_sync.reports import text
from campaign_sync.reports.tally import CampaignFacts

GENERATED = (
    "<!-- Written by campaign-sync from each campaign's ledger. "
    "Edits are overwritten: change the campaign files instead. -->"
)
_CAMPAIGN_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


@dataclass(frozen=True, slots=True)
class IndexEntry:
    campaign: Campaign
    facts: CampaignFacts | None  # None: a draft, or not applied yet


def _row(entry: IndexEntry, today: date, shared_names: frozenset[str]) -> str:
    campaign = entry.campaign
    name = text.campaign_name(campaign)
    if campaign.name.casefold() in shared_names:
        # Two campaigns of one name would be two identical rows: the id tells them apart.
        name += f" (`{campaign.id}`)"
    facts = entry.facts
    if facts is not None and _CAMPAIGN_ID.fullmatch(campaign.id):
        name = f"[{name}]({campaign.id}/README.md)"
    if facts is None:
        status = "draft" if campaign.state == "draft" else f"{campaign.state}, not applied yet"
        return f"| {name} | {status} | {text.due(campaign, today)} | — | — | — | — | — | — |"
    tally = facts.tally
    counts = f"{tally.open} | {tally.fixed} | {tally.dismissed} | {tally.total}"
    done = text.percent(tally.percent_done)
    if tally.dismissed:  # done counts dismissals too: show the share that was fixed
        done += f" ({tally.fixed * 100 // tally.total}% fixed)"
    return (
        f"| {name} | {campaign.state} | {text.due(campaign, today)} | {counts} | {done} "
        f"| {facts.past_due} |"
    )


def _removed(removed: Sequence[str]) -> list[str]:
    if not removed:
        return []
    return [
        "",
        "## Removed campaigns",
        "",
        "Their campaign files were deleted: their tracking issues were closed as not planned, "
        "and their last reports are kept here as history (git has every version).",
        "",
        *(f"- [`{c}`]({c}/README.md)" for c in removed if _CAMPAIGN_ID.fullmatch(c)),
    ]


def render_index(entries: Sequence[IndexEntry], *, today: date, removed: Sequence[str] = ()) -> str:
    lines = [GENERATED, "", "# Security campaigns", ""]
    if not entries:
        return "\n".join([*lines, "No campaigns yet.", *_removed(removed), ""])
    names = Counter(e.campaign.name.casefold() for e in entries)
    shared = frozenset(name for name, count in names.items() if count > 1)
    lines += [
        f"As of {today.isoformat()}. Each campaign's report shows its SLA, burn-down, "
        "repositories and tracking issues; its `history.csv` has the numbers of every day.",
        "",
        "| Campaign | Status | Due | Open | Fixed | Dismissed | Total | Done | Past SLA |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(_row(e, today, shared) for e in sorted(entries, key=lambda e: e.campaign.id)),
        *_removed(removed),
    ]
    return "\n".join(lines) + "\n"
