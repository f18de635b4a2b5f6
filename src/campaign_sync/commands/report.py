"""`campaign-sync report`: rebuild every report under reports/ from the files alone.

No network and no token: the ledgers, each report's ``details.tsv`` and ``history.csv`` and
the campaign files are all it reads. Run on the day of an apply, it writes the same bytes
that apply wrote; run on a later day it adds that day's row to each history (the counts
as the ledger last recorded them) and updates the days left.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import TextIO

from campaign_sync.config.loader import load_campaigns
from campaign_sync.errors import ConfigError
from campaign_sync.ledger import recorded_campaigns
from campaign_sync.removal import removed_ids
from campaign_sync.reports.links import web_url
from campaign_sync.reports.write import read_ledgers, write_reports
from campaign_sync.selection import select
from campaign_sync.wording import plural

EXIT_OK = 0


def run_report(
    root: Path, *, today: date, out: TextIO, err: TextIO, only: Collection[str] = ()
) -> int:
    """``only`` (``--campaign``): rebuild these campaigns' pages (and the index)."""
    config, campaigns = load_campaigns(root, today=today)
    reports = root / config.reports_dir
    select(campaigns, removed_ids(recorded_campaigns(reports), campaigns), only)  # known ids
    ledgers = read_ledgers(reports, campaigns)
    if not ledgers and any(c.state != "draft" for c in campaigns):
        raise ConfigError(
            f"{reports}: no campaign has a ledger here yet; run `campaign-sync apply` first "
            "(or pass --root to the campaigns repository)"
        )
    written = write_reports(
        reports,
        campaigns,
        ledgers,
        None,
        today=today,
        web=web_url(config.api_url),
        pages_for=set(only) if only else None,
    )
    for campaign_id in written.not_applied:
        if only and campaign_id not in only:
            continue
        err.write(
            f"{campaign_id}: not applied yet (no ledger under {reports / campaign_id}); "
            "listed in the index without numbers\n"
        )
    if written.changed:
        out.write(f"Wrote {plural(len(written.changed), 'report file')} under {reports}.\n")
    else:
        out.write(f"The reports under {reports} are up to date.\n")
    return EXIT_OK
