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

from campaign_sync.actions import Action
from campaign_sync.destinations.base import CampaignState, Run
from campaign_sync.destinations.tracking_issues.execute import execute


class TrackingIssues:
    """The ``tracking.issues: per-repository`` destination."""

    name = "tracking-issues"
    kinds = frozenset(
        {"create_issue", "update_issue", "close_issue", "reopen_issue", "comment_issue"}
    )

    def execute(self, action: Action, run: Run, state: CampaignState, position: int) -> None:
        execute(action, run, state, position)
