"""Delivering the reports commit of ``apply --commit`` the way ``campaign-sync.yml``
says (``delivery.mode``: push, branch, pull-request, api), and never losing it: see
``run.py`` for the modes and the recovery of what an earlier run could not deliver.
"""

from __future__ import annotations

from campaign_sync.delivery.plumbing import (
    repository_of,
)
from campaign_sync.delivery.run import (
    deliver,
    delivery_transport,
    preflight,
    prepare,
)
from campaign_sync.delivery.values import (
    DELIVERY_TOKEN_ENV,
    PENDING_BRANCH,
    PENDING_REF,
    PULL_TITLE,
    Delivered,
    Delivery,
    DeliveryFailed,
)

__all__ = [
    "DELIVERY_TOKEN_ENV",
    "PENDING_BRANCH",
    "PENDING_REF",
    "PULL_TITLE",
    "Delivered",
    "Delivery",
    "DeliveryFailed",
    "deliver",
    "delivery_transport",
    "preflight",
    "prepare",
    "repository_of",
]
