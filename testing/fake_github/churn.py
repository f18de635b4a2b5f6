"""Bulk state changes: a share of an organization's alerts fixed, dismissed or reopened at
once, as between two scheduled reconciles of a large organization.

Only alerts the org-level listings show (repositories with the feature enabled) are picked,
so every change is one a client can see. Each changed alert gets the clock's time as its
``updated_at``, so it sorts first in a ``sort=updated`` listing.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from .model import ALERT_KINDS, Alert, CodeScanningAlert, DependabotAlert, User
from .store import NotFoundError, State, apply_state

# Where an open alert goes: mostly fixed, as in a remediation campaign.
_CLOSE_CODE = (("fixed", 0.7), ("dismissed", 1.0))
_CLOSE_DEPENDABOT = (("fixed", 0.75), ("dismissed", 1.0))
_CODE_REASONS = ("false positive", "won't fix", "used in tests")
_DEPENDABOT_REASONS = ("tolerable_risk", "no_bandwidth", "not_used", "inaccurate")
_RESOLUTIONS = ("revoked", "false_positive", "used_in_tests", "wont_fix")


def churn(state: State, org_login: str, fraction: float, seed: int = 0) -> dict[str, Any]:
    """Change the state of ``fraction`` (0 to 1) of the org's listed alerts.

    Open code scanning and Dependabot alerts become fixed or dismissed, open secret
    scanning alerts resolved; closed alerts of every type are reopened. The same seed and
    fraction pick the same alerts. Returns ``{"changed": n, "by_type": {type: {kind: n}},
    "updated_at": epoch}``, kind being fixed, dismissed, resolved or reopened.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be between 0 and 1, not {fraction!r}")
    with state.lock:
        org = state.org(org_login)
        if org is None:
            raise NotFoundError(org_login)
        pool: list[Alert] = []
        for kind in ALERT_KINDS:
            feature = kind.replace("-", "_")
            pool += [a for a in state.org_alerts(org, kind) if getattr(a.repo, feature)]
        rng = random.Random(f"churn:{org.login}:{seed}:{fraction}")
        chosen = sorted(rng.sample(range(len(pool)), round(len(pool) * fraction)))
        members = sorted(org.members.values(), key=lambda u: u.id)
        now = state.now()
        by_type: dict[str, Counter[str]] = {kind: Counter() for kind in ALERT_KINDS}
        for index in chosen:
            alert = pool[index]
            by = members[int(rng.random() * len(members))] if members else None
            kind, transition = _change(alert, now, rng, by)
            by_type[kind][transition] += 1
        if chosen:
            state.alerts_changed()
        return {
            "changed": len(chosen),
            "by_type": {kind: dict(sorted(c.items())) for kind, c in by_type.items()},
            "updated_at": now,
        }


def _change(alert: Alert, now: int, rng: random.Random, by: User | None) -> tuple[str, str]:
    """Move one alert to another state; returns (alert type, what happened)."""
    if isinstance(alert, CodeScanningAlert):
        kind, closes, reasons = "code-scanning", _CLOSE_CODE, _CODE_REASONS
    elif isinstance(alert, DependabotAlert):
        kind, closes, reasons = "dependabot", _CLOSE_DEPENDABOT, _DEPENDABOT_REASONS
    else:
        if alert.state == "open":
            reason = _RESOLUTIONS[int(rng.random() * len(_RESOLUTIONS))]
            apply_state(alert, "resolved", now, reason=reason, by=by)
            return "secret-scanning", "resolved"
        apply_state(alert, "open", now)
        return "secret-scanning", "reopened"
    if alert.state != "open":
        apply_state(alert, "open", now)
        return kind, "reopened"
    draw = rng.random()
    target = next(state for state, bound in closes if draw < bound)
    reason = reasons[int(rng.random() * len(reasons))] if target == "dismissed" else None
    apply_state(alert, target, now, reason=reason, by=by if target == "dismissed" else None)
    return kind, target
