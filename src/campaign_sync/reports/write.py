"""Reading and writing ``reports/``: the only module of the reports that touches the disk.

``write_reports`` first reads and renders everything, then writes: a broken history or
details file stops the run before any file changed. A file is written only when its bytes
differ, through a temporary file renamed over the old one, so an interrupted run leaves
each file whole (old or new), and a run that changes nothing touches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from campaign_sync.errors import ConfigError
from campaign_sync.files import write_if_changed
from campaign_sync.ledger import (
    MEMBERS_FILE,
    STATE_FILE,
    ledger_dir,
    read_ledger,
    recorded_campaigns,
)
from campaign_sync.model import Alert, Campaign, CampaignLedger
from campaign_sync.reports import details as details_file
from campaign_sync.reports import history as history_file
from campaign_sync.reports.index import IndexEntry, render_index
from campaign_sync.reports.links import GITHUB
from campaign_sync.reports.page import render_page
from campaign_sync.reports.tally import campaign_facts

PAGE_FILE = "README.md"
INDEX_FILE = "README.md"
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ReportsWritten:
    changed: tuple[Path, ...]  # files whose bytes changed, in the order written
    not_applied: tuple[str, ...]  # non-draft campaigns without a ledger: listed, no report


def _read(path: Path, parse: Callable[[str, str], _T], empty: _T) -> _T:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return empty
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc}); restore the file from git") from exc
    return parse(content, str(path))


def render_reports(
    reports: Path,
    campaigns: Sequence[Campaign],
    ledgers: Mapping[str, CampaignLedger],
    alerts: Mapping[str, Alert] | None,
    *,
    today: date,
    web: str = GITHUB,
    pages_for: Collection[str] | None = None,
) -> tuple[dict[Path, str], tuple[str, ...]]:
    """Every report file's new text by path (reading the previous history and details),
    and the non-draft campaigns that have no ledger yet. ``pages_for`` (``--campaign``):
    only these campaigns' pages; the index still lists every campaign."""
    files: dict[Path, str] = {}
    entries: list[IndexEntry] = []
    not_applied: list[str] = []
    for campaign in sorted(campaigns, key=lambda c: c.id):
        ledger = ledgers.get(campaign.id)
        if campaign.state == "draft" or ledger is None:
            if campaign.state != "draft":
                not_applied.append(campaign.id)
            entries.append(IndexEntry(campaign, None))
            continue
        folder = ledger_dir(reports, campaign.id)
        details_path = folder / details_file.FILENAME
        history_path = folder / history_file.FILENAME
        no_details: dict[str, details_file.Detail] = {}
        previous = _read(details_path, details_file.parse_details, no_details)
        details = details_file.merge_details(ledger.members, previous, alerts)
        facts = campaign_facts(campaign, ledger, details, today=today)
        history = history_file.upsert(
            _read(history_path, history_file.parse_history, ()), facts.tally.history_row(today)
        )
        entries.append(IndexEntry(campaign, facts))
        if pages_for is not None and campaign.id not in pages_for:
            continue  # left out: its files stay as the last run wrote them
        files[details_path] = details_file.render_details(details)
        files[history_path] = history_file.render_history(history)
        files[folder / PAGE_FILE] = render_page(facts, history, today=today, web=web)
    # Campaigns whose file was deleted keep their folder, as history, and a line.
    removed = [c for c in recorded_campaigns(reports) if c not in {x.id for x in campaigns}]
    files[reports / INDEX_FILE] = render_index(entries, today=today, removed=removed)
    return files, tuple(not_applied)


def write_reports(
    reports: Path,
    campaigns: Sequence[Campaign],
    ledgers: Mapping[str, CampaignLedger],
    alerts: Mapping[str, Alert] | None,
    *,
    today: date,
    web: str = GITHUB,
    pages_for: Collection[str] | None = None,
) -> ReportsWritten:
    """Rebuild ``reports/`` for ``campaigns`` from their ``ledgers``.

    ``alerts`` are this run's alerts by id (apply), or None (``campaign-sync report``,
    offline): then each alert's severity comes from ``details.tsv`` alone. A campaign
    without a ledger in ``ledgers`` gets no report, only a line in the index.
    ``pages_for``: rewrite only these campaigns' pages (the index lists them all).
    """
    files, not_applied = render_reports(
        reports, campaigns, ledgers, alerts, today=today, web=web, pages_for=pages_for
    )
    changed = tuple(
        path for path, text in files.items() if write_if_changed(path, text, root=reports)
    )
    return ReportsWritten(changed, not_applied)


def read_ledgers(reports: Path, campaigns: Sequence[Campaign]) -> dict[str, CampaignLedger]:
    """The ledgers of the non-draft campaigns that have one, for a rebuild from files alone.

    ConfigError when a ledger is half there, or when a campaign has report files but no
    ledger: a report must never be rebuilt from nothing as if the campaign had no alerts.
    """
    ledgers: dict[str, CampaignLedger] = {}
    for campaign in sorted(campaigns, key=lambda c: c.id):
        if campaign.state == "draft":
            continue
        folder = ledger_dir(reports, campaign.id)
        present = [(folder / name).exists() for name in (MEMBERS_FILE, STATE_FILE)]
        if all(present):
            ledgers[campaign.id] = read_ledger(reports, campaign.id)
            continue
        if any(present):
            missing = MEMBERS_FILE if not present[0] else STATE_FILE
            raise ConfigError(
                f"{folder / missing}: missing, but the rest of the ledger of {campaign.id!r} is "
                f"there; restore it from git (git checkout -- {folder / missing})"
            )
        report_files = (history_file.FILENAME, details_file.FILENAME)
        if any((folder / name).exists() for name in report_files):
            raise ConfigError(
                f"{folder}: has reports of {campaign.id!r} but no ledger ({MEMBERS_FILE} and "
                f"{STATE_FILE}); restore them from git (git checkout -- {folder})"
            )
    return ledgers
