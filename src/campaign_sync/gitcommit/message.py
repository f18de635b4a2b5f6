"""The commit message of a reports commit: which campaigns changed, how, and which run
wrote it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping

from campaign_sync.gitcommit.values import (
    _CHANGE_ORDER,
    redact,
)
from campaign_sync.model import CampaignLedger


def campaign_changes(previous: CampaignLedger | None, current: CampaignLedger) -> Counter[str]:
    """How many member alerts were fixed, dismissed, reopened, joined, left."""
    before = previous.member_map() if previous is not None else {}
    after = current.member_map()
    changes: Counter[str] = Counter()
    for alert_id, member in after.items():
        old = before.get(alert_id)
        if old is None:
            changes["new"] += 1
        elif old.state != member.state:
            changes["reopened" if member.state == "open" else member.state] += 1
    changes["left"] += sum(1 for alert_id in before if alert_id not in after)
    return +changes  # drops zero counts


def _counts(changes: Counter[str]) -> list[str]:
    return [f"{changes[kind]} {kind}" for kind in _CHANGE_ORDER if changes[kind]]


def campaign_line(
    campaign: str, previous: CampaignLedger | None, current: CampaignLedger | None
) -> str:
    """``sql-injection: 12 fixed, 3 new, 120 of 400 open``."""
    if current is None:  # its files changed, but this run has no ledger for it
        return f"{campaign}: reports updated"
    still_open = sum(1 for m in current.members if m.state == "open")
    parts = [*_counts(campaign_changes(previous, current))]
    parts.append(f"{still_open} of {len(current.members)} open")
    return f"{campaign}: " + ", ".join(parts)


def commit_message(
    previous: Mapping[str, CampaignLedger],
    current: Mapping[str, CampaignLedger],
    changed: Collection[str],
    *,
    run_url: str | None = None,
) -> str:
    """The commit message for the campaigns whose report files changed.

    ``previous`` are the ledgers the run started from, ``current`` the ones it wrote (a
    campaign missing from ``current`` kept its ledger: ``previous`` stands for both).
    One campaign: one line. Several: a short summary line, then one line each.
    """
    campaigns = sorted(changed)
    lines = [campaign_line(c, previous.get(c), current.get(c, previous.get(c))) for c in campaigns]
    if not lines:
        subject = "reports: index updated"
    elif len(lines) == 1:
        subject = lines[0]
    else:
        total: Counter[str] = Counter()
        for c in campaigns:
            now = current.get(c, previous.get(c))
            if now is not None:
                total += campaign_changes(previous.get(c), now)
        subject = f"{len(campaigns)} campaigns: " + (", ".join(_counts(total)) or "reports updated")
    message = subject
    if len(lines) > 1:
        message += "\n\n" + "\n".join(lines)
    if run_url:
        message += f"\n\nRun: {run_url}"
    return message + "\n"


def run_url_from_env(environ: Mapping[str, str]) -> str | None:
    """The GitHub Actions run that makes the commit, so an auditor can open its log."""
    server, repository, run = (
        environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if not (server and repository and run):
        return None
    return redact(f"{server.rstrip('/')}/{repository}/actions/runs/{run}")
