"""What apply did, for machines: ``apply --format json``, and each action's URL. Pure.

One document on stdout at the end of the run, the human lines on stderr meanwhile. Every
action the run met is listed with what became of it (``apply.ActionOutcome``) and, when
done, where it can be seen: the tracking issue's or native campaign's web address, made
by ``reports.links`` from names GitHub allows only (a hostile name gets no URL).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from campaign_sync.apply import ActionOutcome, ApplyResult
from campaign_sync.render.plan import action_json
from campaign_sync.reports.links import issue_url, native_campaign_url

APPLY_JSON_VERSION = 1


def outcome_url(told: ActionOutcome, web: str) -> str | None:
    """The web address of what the action wrote, once done; None otherwise."""
    if told.outcome != "done":
        return None
    if told.native is not None:
        return native_campaign_url(web, told.native[0], told.native[1])
    if told.issue is not None:
        return issue_url(web, told.issue.where, told.issue.number)
    return None


def outcome_json(told: ActionOutcome, url: str | None) -> dict[str, Any]:
    record = action_json(told.action)
    record.pop("draft", None)  # drafts are never applied
    record.update(
        position=told.position,
        of=told.total,
        outcome=told.outcome,
        error=told.error,
        url=url,
    )
    if told.issue is not None and "number" not in record:
        record["number"] = told.issue.number  # the issue a create opened (or adopted)
    return record


def render_apply_json(
    result: ApplyResult,
    outcomes: Sequence[dict[str, Any]],
    *,
    writes: int,
    notes: Sequence[str],
    reports_changed: Sequence[Path],
    delivery: Sequence[str],
) -> str:
    document = {
        "version": APPLY_JSON_VERSION,
        "ok": not result.failed,  # exit 0; false: some actions failed (exit 1)
        "counts": {
            "done": len(result.done),
            "failed": len(result.failed),
            "held": result.held_actions,
            "postponed": len(result.postponed),
            "deferred": result.deferred,
            "draft_actions_not_applied": result.skipped,
        },
        "stopped_by": result.stopped_by,  # why actions were deferred to the next run
        "writes": writes,
        "actions": list(outcomes),
        "notes": list(notes),
        "reports_changed": [str(path) for path in reports_changed],
        "delivery": list(delivery),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
