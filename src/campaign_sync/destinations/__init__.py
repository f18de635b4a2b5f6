"""The places a campaign's progress is shown, each a ``Destination`` (base.py): apply
hands every action to the destination of its kind. Adding one (a Projects board is next)
is a module here, its tests, and a line in DESTINATIONS."""

from __future__ import annotations

from campaign_sync.destinations.autofix import Autofix
from campaign_sync.destinations.base import Destination
from campaign_sync.destinations.native_campaign import NativeCampaign
from campaign_sync.destinations.tracking_issues import TrackingIssues

DESTINATIONS: tuple[Destination, ...] = (TrackingIssues(), NativeCampaign(), Autofix())
_BY_KIND = {kind: d for d in DESTINATIONS for kind in d.kinds}


def destination_of(kind: str) -> Destination:
    """The destination that makes and executes actions of ``kind``."""
    return _BY_KIND[kind]
