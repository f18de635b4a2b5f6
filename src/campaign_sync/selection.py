"""``--campaign ID``: plan, apply or report some campaigns and leave the others as they
are. Pure.

Every campaign file is still read and validated (a broken file elsewhere is still an
error), and the removed campaigns are still told apart from the ones left out: a
campaign not selected is neither planned nor wound down, its ledger and report pages are
not touched, and the reports index keeps listing it.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from campaign_sync.errors import UsageProblem
from campaign_sync.model import Campaign
from campaign_sync.wording import plural


class UnknownCampaign(UsageProblem):
    """``--campaign`` names no campaign file nor a removed campaign's ledger."""


@dataclass(frozen=True, slots=True)
class Selection:
    campaigns: tuple[Campaign, ...]  # the campaigns to plan
    removed: tuple[str, ...]  # the removed campaigns to wind down
    others: tuple[Campaign, ...]  # left out: listed in the reports index, not touched
    note: str | None  # what the plan says of the selection (None: everything is planned)


def select(
    campaigns: Sequence[Campaign], removed: Sequence[str], only: Collection[str]
) -> Selection:
    """The campaigns ``only`` names (every one when it is empty), or UnknownCampaign
    naming the ids that match nothing, with the closest known one."""
    if not only:
        return Selection(tuple(campaigns), tuple(removed), (), None)
    known = sorted({c.id for c in campaigns} | set(removed))
    unknown = sorted(set(only) - set(known))
    if unknown:
        hints = []
        for campaign_id in unknown:
            close = difflib.get_close_matches(campaign_id, known, n=1)
            hints.append(f"{campaign_id!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        listed = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
        raise UnknownCampaign(
            f"--campaign {', '.join(hints)}: no campaign has this id; the campaigns are "
            f"the ids in their files (and removed campaigns' ledgers): {listed or 'none'}"
        )
    chosen = set(only)
    picked = tuple(c for c in campaigns if c.id in chosen)
    others = tuple(c for c in campaigns if c.id not in chosen)
    left = len(others) + sum(1 for c in removed if c not in chosen)
    note = (
        f"only {', '.join(sorted(chosen))} planned (--campaign): "
        f"{plural(left, 'other campaign')} left as they are"
        if left
        else None
    )
    return Selection(picked, tuple(c for c in removed if c in chosen), others, note)
