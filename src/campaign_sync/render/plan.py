"""Plan renderers: text for a terminal, markdown for a pull request comment, json for
machines. Each only reads the Plan; PLAN_FORMATS' keys are the `--format` choices."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from campaign_sync.actions import Action
from campaign_sync.campaign_plan import CampaignSummary
from campaign_sync.destinations import KINDS
from campaign_sync.model import ALERT_STATES
from campaign_sync.plan import Plan
from campaign_sync.untrusted.markdown import escape_inline
from campaign_sync.untrusted.terminal import printable
from campaign_sync.wording import plural

# 2: "counts" and "changes" leave drafts out ("draft_counts"), each action says "draft".
JSON_VERSION = 2


def _detail(action: Action) -> str:
    reason = getattr(action, "reason", "")
    return f" ({reason})" if reason else ""


def _members(counts: dict[str, int] | Any) -> str:
    total = sum(counts.values())
    parts = ", ".join(f"{counts[s]} {s}" for s in ALERT_STATES if counts.get(s))
    return plural(total, "alert") + (f": {parts}" if parts else "")


def _cut(text: str, limit: int = 200) -> str:
    """At most ``limit`` characters (the schema's limit for a name): a row stays a row."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _counts(applied: dict[str, int], drafts: dict[str, int]) -> str:
    """ "11 create issue (2 more in drafts)": what applies, and beside it what drafts add."""
    parts = []
    for kind in sorted(applied.keys() | drafts.keys()):
        more = f" ({drafts[kind]} more in drafts)" if drafts.get(kind) else ""
        parts.append(f"{applied.get(kind, 0)} {kind.replace('_', ' ')}{more}")
    return ", ".join(parts)


def summary_line(plan: Plan) -> str:
    if not plan.actions:
        return "No changes: GitHub already matches the campaigns."
    counts = _counts(plan.counts(), plan.draft_counts())
    if not plan.has_changes:
        return f"No changes to apply. Drafts, never applied, would make: {counts}."
    budget = budget_line(plan)
    return f"Plan: {counts}; about {plan.requests} API requests." + (f" {budget}" if budget else "")


def budget_line(plan: Plan) -> str:
    """What the plan costs against GitHub's limits, and how many runs it takes."""
    if not plan.writes:
        return ""  # only drafts' actions, which are never applied
    line = f"{plan.writes} of them writes"
    if plan.runs_needed > 1:
        line += (
            f": more than one run's budget of {plan.writes_per_run} "
            f"(safety.max-writes-per-run), so {plan.runs_needed} runs, about "
            f"{plan.hours_needed} hours with a run an hour (GitHub allows 500 content-creating "
            "requests an hour), most urgent first"
        )
    line += "."
    if plan.rate_remaining is not None:
        enough = "enough" if plan.rate_remaining >= plan.requests else "not enough for all"
        line += f" The token has {plan.rate_remaining} requests left this hour: {enough}."
    return line


# A plan for a large organization has hundreds of thousands of actions: text and markdown
# list this many per campaign and count the rest (JSON lists them all).
LISTED_PER_CAMPAIGN = 200


def _by_campaign(plan: Plan) -> dict[str, list[Action]]:
    grouped: dict[str, list[Action]] = {}
    for action in plan.actions:
        grouped.setdefault(action.campaign, []).append(action)
    return grouped


def render_text(plan: Plan) -> str:
    lines: list[str] = []
    grouped = _by_campaign(plan)
    for summary in plan.campaigns:
        draft = " (draft: planned, not applied)" if summary.state == "draft" else ""
        if summary.waits_until is not None:
            draft = f" (starts {summary.waits_until.isoformat()}: planned, not applied)"
        elif summary.state == "removed":
            draft = " (its campaign file was removed: wound down)"
        lines.append(
            f"campaign {summary.campaign}{draft}: {_members(dict(summary.members))} "
            f"in {plural(summary.repositories, 'repository', 'repositories')}"
        )
        actions = grouped.get(summary.campaign, [])
        for action in actions[:LISTED_PER_CAMPAIGN]:
            sign = KINDS[action.kind].sign
            lines.append(
                f"  {sign} {KINDS[action.kind].verb} {printable(action.target)}"
                f"{printable(_detail(action))}"
            )
        if len(actions) > LISTED_PER_CAMPAIGN:
            lines.append(f"  ... and {len(actions) - LISTED_PER_CAMPAIGN} more (--format json)")
    lines.extend(f"note: {printable(note)}" for note in plan.notes)
    lines.append(summary_line(plan))
    if plan.refused is not None:
        lines.append(f"refused: {printable(plan.refused)}")
    return "\n".join(lines) + "\n"


def _state(summary: CampaignSummary) -> str:
    if summary.waits_until is not None:
        return f"{summary.state}, starts {summary.waits_until.isoformat()}"
    return summary.state


def render_markdown(plan: Plan) -> str:
    lines = ["### campaign-sync plan", "", escape_inline(summary_line(plan)), ""]
    if plan.refused is not None:
        lines += [
            f"> **Refused by a safety rail: apply will not run this plan.** "
            f"{escape_inline(plan.refused)}",
            "",
        ]
    lines += [
        "| Campaign | State | Members | Open | Fixed | Dismissed | Repositories | Changes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    grouped = _by_campaign(plan)
    for summary in plan.campaigns:
        members = dict(summary.members)
        changes = len(grouped.get(summary.campaign, ()))
        lines.append(
            f"| {escape_inline(_cut(summary.name))} (`{summary.campaign}`) | {_state(summary)} "
            f"| {sum(members.values())} | {members.get('open', 0)} | {members.get('fixed', 0)} "
            f"| {members.get('dismissed', 0) + members.get('resolved', 0)} "
            f"| {summary.repositories} | {changes} |"
        )
    if plan.actions:
        lines += ["", "<details><summary>Actions</summary>", ""]
        for campaign, actions in grouped.items():
            for action in actions[:LISTED_PER_CAMPAIGN]:
                lines.append(
                    f"- `{action.campaign}`: {KINDS[action.kind].verb} "
                    f"{escape_inline(action.target)}{escape_inline(_detail(action))}"
                )
            if len(actions) > LISTED_PER_CAMPAIGN:
                more = len(actions) - LISTED_PER_CAMPAIGN
                lines.append(f"- `{campaign}`: and {more} more")
        lines += ["", "</details>"]
    if plan.notes:
        lines += ["", *(f"> {escape_inline(note)}" for note in plan.notes)]
    return "\n".join(lines) + "\n"


def action_json(action: Action, *, draft: bool = False) -> dict[str, Any]:
    # "draft": shown in the plan, never applied (its campaign is a draft).
    record: dict[str, Any] = {"kind": action.kind, "campaign": action.campaign, "draft": draft}
    record["repository"] = action.repository
    for name in ("number", "alert_id", "alert_number", "reason", "title", "labels", "assignees"):
        if hasattr(action, name):
            value = getattr(action, name)
            record[name] = list(value) if isinstance(value, tuple) else value
    moved_to = getattr(action, "moved_to", None)
    if moved_to:  # transferred: the repository the issue is in now
        record["moved_to"] = moved_to
    return record


def render_json(plan: Plan) -> str:
    document = {
        "version": JSON_VERSION,
        "changes": plan.has_changes,
        "requests": plan.requests,
        "budget": {
            "requests": plan.requests,
            "writes": plan.writes,
            "writes_per_run": plan.writes_per_run,
            "runs_needed": plan.runs_needed,
            "hours_needed": plan.hours_needed,
            "rate_limit_remaining": plan.rate_remaining,
        },
        "counts": plan.counts(),  # what apply would do; drafts' actions apart
        "draft_counts": plan.draft_counts(),
        "campaigns": [
            {
                "campaign": s.campaign,
                "name": s.name,
                "state": s.state,
                "members": dict(s.members),
                "repositories": s.repositories,
                # An active campaign not started yet: planned, applied from this day.
                "starts": s.waits_until.isoformat() if s.waits_until else None,
                # Where no issue is written: "archived" (alerts frozen) or "issues-off"
                # (alerts tracked in the report only), with the open alerts there.
                "held": [
                    {"repository": name, "reason": reason, "open_alerts": count}
                    for name, reason, count in s.held
                ],
            }
            for s in plan.campaigns
        ],
        "actions": [action_json(a, draft=a.campaign not in plan.applies) for a in plan.actions],
        "notes": list(plan.notes),
        "refused": plan.refused,  # why a safety rail refuses the plan, or null
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


PLAN_FORMATS: dict[str, Callable[[Plan], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}
