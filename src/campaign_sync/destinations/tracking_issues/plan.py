"""Planning the tracking issues of one campaign: for each repository with members, the
issue to open, update, close (all fixed, out of scope, campaign closed) or reopen (alerts
open again, or closed by hand), and the due-date notice; drift (drift.py) decides what a
hand-closed, deleted or transferred issue becomes."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from campaign_sync.actions import (
    Action,
    CloseIssue,
    CommentIssue,
    CreateIssue,
    ReopenIssue,
    UpdateIssue,
)
from campaign_sync.destinations.base import CampaignView, DestinationPlan
from campaign_sync.drift import compare
from campaign_sync.issue_markers import can_mark
from campaign_sync.model import Alert, CampaignLedger, Member, TrackedIssue
from campaign_sync.render.issue import (
    comment_campaign_closed,
    comment_campaign_removed,
    comment_closed,
    comment_due_passed,
    comment_hand_closed,
    comment_out_of_scope,
    comment_reopened,
    render_title,
)
from campaign_sync.section import SectionSource, campaign_fingerprint
from campaign_sync.sla import DueDates
from campaign_sync.untrusted.terminal import printable
from campaign_sync.wording import plural

# Why an issue closes when a scope edit leaves its repository without members.
OUT_OF_SCOPE = "no longer in the campaign's selection"


@dataclass(slots=True)
class IssuePlan:
    actions: list[Action] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    issues: dict[str, TrackedIssue] = field(default_factory=dict)  # the next ledger's
    # What GitHub showed that the ledger did not record (None: deleted), by repository.
    learned: dict[str, TrackedIssue | None] = field(default_factory=dict)
    scope_closes: int = 0


def plan_tracking_issues(view: CampaignView) -> DestinationPlan:
    """The tracking issues' part of one campaign's plan (``tracking.issues``)."""
    if not view.campaign.tracking.per_repository:
        return DestinationPlan()
    planned = plan_issues(view)
    issues = tuple(planned.issues[k] for k in sorted(planned.issues))
    notice_sent = view.due_passed  # the notice is among the actions when it is due

    def record(ledger: CampaignLedger) -> CampaignLedger:
        return dataclasses.replace(
            ledger, issues=issues, due_notice_sent=ledger.due_notice_sent or notice_sent
        )

    return DestinationPlan(
        planned.actions,
        planned.notes,
        record,
        MappingProxyType(planned.learned),
        planned.scope_closes,
    )


def plan_issues(view: CampaignView) -> IssuePlan:
    """The actions on one campaign's tracking issues, and its issues as they will be."""
    campaign, ledger, today = view.campaign, view.ledger, view.today
    by_repo, open_counts, repositories = view.by_repo, view.open_counts, view.repositories
    live, renamed_from = view.live, view.renamed_from
    out_of_scope, left_here, due_passed = view.out_of_scope, view.left_here, view.due_passed
    # Unreadable, archived or Issues off: their issues are left as they are.
    skip = view.frozen | view.held
    issues = ledger.issue_map()
    planned = IssuePlan(issues=dict(issues))
    actions, notes, next_issues, learned = (
        planned.actions,
        planned.notes,
        planned.issues,
        planned.learned,
    )
    campaign_key = campaign_fingerprint(campaign)
    dues = DueDates(campaign, today)
    scope_closes = 0
    for repository in sorted(by_repo.keys() | issues.keys()):
        if repository in skip:
            continue  # unreadable, archived or Issues off: leave its issue as it is
        if not can_mark(campaign.id, repository):
            notes.append(
                f"{campaign.id}: no tracking issue for {printable(repository)}: not an "
                "OWNER/REPO name a marker can hold"
            )
            continue
        repo_members, repo_alerts = by_repo.get(repository, ([], []))
        open_count = open_counts.get(repository, 0)
        existing = issues.get(repository)
        hand_closed = False
        if existing is not None and live is not None:
            found = compare(
                campaign.id,
                existing,
                live.get(existing),
                open_count=open_count,
                wants_open=bool(open_count) and campaign.state != "closed",
                policy=campaign.tracking.manual_close,
            )
            if found.note is not None:
                notes.append(found.note)
            if found.issue != existing:
                learned[repository] = found.issue
                if found.issue is None:
                    del next_issues[repository]
                else:
                    next_issues[repository] = found.issue
            existing, hand_closed = found.issue, found.hand_closed
        # Open members the listing did not return, in a repository it still lists under
        # this name (one no longer listed under it may have been renamed: the update is
        # what follows GitHub's redirect). Their links, severities and due dates are
        # unknown this run: rewritten now, the issue would lose them.
        unseen = _open_unseen(repo_members, repo_alerts) if repository in repositories else 0
        if unseen:
            notes.append(
                f"{campaign.id}: {printable(repository)}: {plural(unseen, 'open alert')} not "
                "listed this run (unreadable, or deleted on GitHub): its tracking issue is "
                "left as it is until a listing sees them (--full-listing lists every alert)"
            )
            continue
        source = SectionSource(
            campaign,
            campaign_key,
            repository,
            repositories.get(repository),
            repo_members,
            repo_alerts,
            dues,
            today,
        )
        if existing is None:
            if open_count and campaign.state != "closed":
                actions.append(
                    CreateIssue(
                        campaign.id,
                        repository,
                        render_title(campaign, repository),
                        source,
                        None,
                        campaign.tracking.labels,
                        campaign.tracking.assignees,
                        renamed_from.get(repository, ()),
                    )
                )
            continue
        number, moved_to = existing.number, existing.moved_to
        digest = source.digest()
        previous_names = renamed_from.get(repository, ())
        if existing.digest != digest or previous_names:
            retitle = (
                (render_title(campaign, previous_names[0]), render_title(campaign, repository))
                if previous_names
                else None
            )
            actions.append(
                UpdateIssue(
                    campaign.id,
                    repository,
                    number,
                    source,
                    digest,
                    previous_names,
                    retitle,
                    moved_to,
                )
            )
        state = existing.state
        if existing.state == "open" and (open_count == 0 or campaign.state == "closed"):
            if campaign.state == "closed":
                comment = comment_campaign_closed(campaign, open_count)
                reason, why = "the campaign is closed", "not_planned"
            elif repository in out_of_scope:
                comment = comment_out_of_scope(campaign, left_here[repository])
                reason, why = OUT_OF_SCOPE, "not_planned"
                scope_closes += 1
            else:
                comment = comment_closed(campaign, repository, source.items())
                reason, why = _all_closed(len(repo_members)), "completed"
            actions.append(
                CloseIssue(campaign.id, repository, number, comment, reason, why, moved_to)  # type: ignore[arg-type]
            )
            state = "closed"
        elif (
            existing.state == "closed"
            and open_count
            and campaign.state != "closed"
            # Closed by hand, and the campaign leaves it so: not reopened by the tool.
            and not (existing.closed_by_hand and campaign.tracking.manual_close == "respect")
        ):
            if hand_closed or existing.closed_by_hand:
                comment = comment_hand_closed(campaign, repository, source.items())
                are = "is" if open_count == 1 else "are"
                reason = f"closed by hand while {plural(open_count, 'alert')} {are} open"
            else:
                comment = comment_reopened(campaign, repository, source.items())
                reason = f"{plural(open_count, 'alert')} open again"
            actions.append(ReopenIssue(campaign.id, repository, number, comment, reason, moved_to))
            state = "open"
        elif due_passed and not ledger.due_notice_sent and state == "open":
            actions.append(
                CommentIssue(
                    campaign.id,
                    repository,
                    number,
                    comment_due_passed(campaign, today, open_count),
                    f"the due date {campaign.ends} has passed",
                    moved_to,
                )
            )
        next_issues[repository] = TrackedIssue(
            repository,
            number,
            state,
            digest,
            moved_to,
            existing.closed_by_hand and state == "closed",
        )
    planned.scope_closes = scope_closes
    return planned


def _all_closed(count: int) -> str:
    """Why an issue closes: "all 3 alerts closed", "its 1 alert closed" (not "all 1 alerts")."""
    return f"all {count} alerts closed" if count != 1 else "its 1 alert closed"


def _open_unseen(members: Sequence[Member], alerts: Sequence[Alert | None]) -> int:
    """How many open members have no alert this run."""
    return sum(1 for m, a in zip(members, alerts, strict=True) if a is None and m.state == "open")


def close_for_removal(ledger: CampaignLedger, reason: str) -> list[CloseIssue]:
    """A removed campaign's open tracking issues, each closed as not planned with a comment
    saying why (removal.py)."""
    campaign = ledger.campaign
    open_here = Counter(m.repository for m in ledger.members if m.state == "open")
    return [
        CloseIssue(
            campaign,
            issue.repository,
            issue.number,
            comment_campaign_removed(campaign, open_here[issue.repository]),
            reason,
            "not_planned",
            issue.moved_to,
        )
        for issue in ledger.issues
        if issue.state == "open"
    ]
