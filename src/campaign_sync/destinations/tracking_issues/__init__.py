"""Tracking issues: one issue per repository per campaign, opened, updated, closed,
reopened and commented on, as the plan says.

Every write is made safe to repeat, so a run killed at any point and run again converges
on the same end state:

- before opening an issue, the repository's issues carrying the tool's label are read
  and searched for this campaign's marker: an issue opened by a run that died before
  writing its ledger is found again (label listing is consistent; search is not), and
  only when the tool's own identity opened it (``_adoptable``);
- an update merges the new section into the issue's current body, and writes nothing
  when the text is already there; a close or reopen skips an issue already in that state;
- a comment is not posted again if it is the issue's newest event comment already
  (``is_latest_event``), and it is posted before the state change it announces, so a run
  that dies between the two finds it there;
- two open issues of one campaign and repository (two runs at once): the older is kept,
  the newer closed as its duplicate (``_heal``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from campaign_sync.actions import Action
from campaign_sync.destinations.base import (
    ActionKind,
    CampaignPlanner,
    CampaignState,
    CampaignView,
    DestinationPlan,
    PlanContext,
    Run,
)
from campaign_sync.destinations.tracking_issues.execute import execute
from campaign_sync.destinations.tracking_issues.plan import plan_tracking_issues


class TrackingIssues:
    """The ``tracking.issues: per-repository`` destination."""

    name = "tracking-issues"
    # A create lists the repository's labelled issues before and after it; an update reads
    # the issue; a close or reopen reads the issue and its comments, comments and changes
    # the state; a comment reads the comments.
    kinds: Mapping[str, ActionKind] = MappingProxyType(
        {
            "create_issue": ActionKind(3, 1, 3, 0, "open tracking issue", "+", needs_issues=True),
            "reopen_issue": ActionKind(
                4, 2, 1, 1, "reopen tracking issue", "+", reads_issue=True, needs_issues=True
            ),
            "update_issue": ActionKind(
                2, 1, 3, 2, "update tracking issue", "~", reads_issue=True, needs_issues=True
            ),
            "comment_issue": ActionKind(
                2, 1, 4, 3, "comment on tracking issue", ">", reads_issue=True, needs_issues=True
            ),
            "close_issue": ActionKind(
                4, 2, 2, 4, "close tracking issue", "-", reads_issue=True, needs_issues=True
            ),
        }
    )

    def planner(self, context: PlanContext) -> CampaignPlanner:
        return self  # each campaign's issues are its own

    def plan(self, view: CampaignView) -> DestinationPlan:
        return plan_tracking_issues(view)

    def execute(self, action: Action, run: Run, state: CampaignState, position: int) -> None:
        execute(action, run, state, position)
