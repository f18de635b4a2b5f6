"""``campaign-sync history`` as text or JSON. Pure.

Dismissal comments, logins, reasons, commit subjects and author names are text people
wrote: the text form shows every control or invisible character of them as an escape
(``untrusted/terminal.py``), and JSON escapes everything beyond ASCII, so neither can move
the cursor, rewrite the screen or hide a character. JSON has a documented, versioned
shape (``VERSION``), described in the README.
"""

from __future__ import annotations

import json
from typing import Any

from campaign_sync.audit import (
    AlertEvent,
    AlertHistory,
    CampaignHistory,
    MemberCount,
    PullRequest,
    ScopeChange,
)
from campaign_sync.model import Member
from campaign_sync.untrusted.terminal import printable

VERSION = 1
_SHORT = 12


def _closing(member: Member) -> str:
    parts = []
    if member.reason:
        parts.append(f'reason "{printable(member.reason)}"')
    if member.by:
        parts.append(f"by {printable(member.by)}")
    if member.comment:
        parts.append(f'comment "{printable(member.comment)}"')
    return ", ".join(parts)


def _event_text(event: AlertEvent) -> str:
    now, before = event.member, event.before
    if event.kind in ("joined", "joined again") and now is not None:
        what = f"{event.kind}, {now.state} (ledger: joined {now.joined})"
    elif event.kind == "left" or now is None:
        what = "left the campaign (no longer in its ledger)"
    elif event.kind == "state" and before is not None:
        verb = "reopened" if now.state == "open" else now.state
        what = f"{verb} (was {before.state}; ledger: changed {now.changed})"
    else:
        what = "how it was closed changed"
    closing = _closing(now) if now is not None else ""
    return what + (f": {closing}" if closing else "")


def alert_text(history: AlertHistory, ledgers: str) -> str:
    lines = [history.alert, ""]
    for campaign in history.campaigns:
        lines.append(f"Campaign {campaign.campaign} ({ledgers}/{campaign.campaign}/ledger.tsv):")
        lines += [f"  {e.date}  {e.commit[:_SHORT]}  {_event_text(e)}" for e in campaign.events]
        lines.append("")
    lines += [
        f"Read from {history.versions} versions of the ledgers. Each date is when its commit",
        "entered the branch; the ledger's own times are in parentheses. For the changes of a",
        "campaign's scope: campaign-sync history CAMPAIGN.",
    ]
    return "\n".join(lines) + "\n"


def _member_json(member: Member | None) -> dict[str, Any]:
    if member is None:
        return dict.fromkeys(("state", "joined", "changed", "reason", "by", "comment"))
    return {
        "state": member.state,
        "joined": member.joined,
        "changed": member.changed,
        "reason": member.reason or None,
        "by": member.by or None,
        "comment": member.comment or None,
    }


def alert_json(history: AlertHistory) -> str:
    document = {
        "version": VERSION,
        "alert": history.alert,
        "campaigns": [
            {
                "campaign": campaign.campaign,
                "events": [
                    {
                        "event": event.kind,
                        "commit": event.commit,
                        "date": event.date,
                        "previous_state": event.before.state if event.before else None,
                        **_member_json(event.member),
                    }
                    for event in campaign.events
                ],
            }
            for campaign in history.campaigns
        ],
        "ledger_versions_read": history.versions,
    }
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _pull_request_text(change: ScopeChange) -> str:
    pr = change.pull_request
    if pr is None:
        return "no pull request that git can tell (pushed to the branch, or merged another way)"
    if pr.how == "squash":
        return f"pull request #{pr.number}, squashed into this commit"
    return f"pull request #{pr.number}, merged in {pr.commit[:_SHORT]} on {pr.date}"


def _change_text(change: ScopeChange) -> list[str]:
    who = printable(change.author)
    if change.author_email:
        who += f" <{printable(change.author_email)}>"
    return [
        f"  {change.date}  {change.commit[:_SHORT]}  {change.change} {printable(change.path)}",
        f"      by {who}: {printable(change.subject)}",
        f"      {_pull_request_text(change)}",
    ]


def _count_text(count: MemberCount) -> str:
    return f"  {count.date}  {count.commit[:_SHORT]}  {count.members}"


def campaign_text(history: CampaignHistory, files: str, ledger: str) -> str:
    lines = [f"Campaign {history.campaign}", ""]
    if history.changes:
        lines.append(f"Commits that changed {files}, oldest first:")
        for change in history.changes:
            lines += _change_text(change)
    else:
        lines.append(f"No commit of this branch's history changed {files}.")
    lines.append("")
    if history.members:
        lines.append(f"Members ({ledger}), each time the count changed:")
        lines += [_count_text(count) for count in history.members]
    else:
        lines.append(f"No version of {ledger} in this branch's history: never applied.")
    return "\n".join(lines) + "\n"


def _pull_request_json(pr: PullRequest | None) -> dict[str, Any] | None:
    if pr is None:
        return None
    return {"number": pr.number, "how": pr.how, "commit": pr.commit, "date": pr.date}


def campaign_json(history: CampaignHistory) -> str:
    document = {
        "version": VERSION,
        "campaign": history.campaign,
        "changes": [
            {
                "commit": c.commit,
                "date": c.date,
                "path": c.path,
                "change": c.change,
                "author": c.author,
                "author_email": c.author_email,
                "author_date": c.author_date,
                "subject": c.subject,
                "pull_request": _pull_request_json(c.pull_request),
            }
            for c in history.changes
        ],
        "members": [
            {"commit": m.commit, "date": m.date, "members": m.members} for m in history.members
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
