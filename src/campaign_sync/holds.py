"""Repositories of a campaign where no tracking issue is written, and why. Pure.

- ``archived``: GitHub makes an archived repository read-only, so every write there answers
  403. Its alerts cannot change either: the campaign's members there are *frozen*, keeping
  the state the ledger has, and none of them counts as fixed.
- ``issues-off``: the repository's Issues feature is turned off, so opening an issue there
  answers 410 Gone. Its alerts are still read and counted: in the report only.

A hold comes from the repository listing (``archived``, ``has_issues``), or from a write
GitHub refused during ``apply`` (the repository changed between plan and apply). A hold met
by a write is believed for WRITE_HOLD_TRUSTED even when the listing still says otherwise:
that listing may be the alert store's copy from before the change (repository metadata is
listed again only every ``sources.incremental.REPOSITORIES_EVERY``). After that the listing
decides again, so Issues turned back on, or a repository unarchived, resumes tracking.

The planner, apply and the reports all word a hold through ``describe``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from campaign_sync.model import HeldRepository, HoldReason, Repository

# As long as the alert store may serve repository metadata listed before the change.
WRITE_HOLD_TRUSTED = timedelta(hours=20)


def listing_reason(repository: Repository | None, *, tracking: bool) -> HoldReason | None:
    """Why the listing says no issue may be written in ``repository`` (None: it may).
    ``tracking`` is whether the campaign opens tracking issues at all."""
    if repository is None:
        return None
    if repository.archived:
        return "archived"
    if tracking and not repository.has_issues:
        return "issues-off"
    return None


def still_trusted(hold: HeldRepository, now: datetime) -> bool:
    """Whether a hold met by a write outweighs a listing that says otherwise."""
    if hold.origin != "write":
        return False  # the listing found it, and the listing may lift it
    since = datetime.fromisoformat(hold.since.replace("Z", "+00:00"))
    # A time ahead of now (a clock set wrong, a hand-edited ledger) must not hold a
    # repository for ever: only a hold met in the last WRITE_HOLD_TRUSTED counts.
    return timedelta(0) <= now - since < WRITE_HOLD_TRUSTED


def describe(repository: str, reason: HoldReason, open_alerts: int) -> str:
    """One line for the plan, apply's output and the report."""
    alerts = f"{open_alerts} alert" + ("" if open_alerts == 1 else "s")
    if reason == "archived":
        return f"{repository} is archived: {alerts} frozen (read-only; none counts as fixed)"
    return f"{repository} has Issues turned off: {alerts} tracked in the report only"
