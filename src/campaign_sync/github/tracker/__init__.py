"""The writes (and the reads they need) of reconciling, one module per GitHub resource:
tracking issues (issues.py), their comments and labels (comments.py), native security
campaigns (native_campaigns.py) and Copilot Autofix requests (autofix.py), as typed
values over a Transport; what they share is common.py. This package names their public
API in one place.

Three rules hold for every function here:

- **A create is never re-sent blindly.** A POST whose answer was lost (AmbiguousWrite) may
  or may not have happened. ``create_issue``, ``comment`` and ``create_native_campaign``
  then look at the state, by a consistent listing (never the search API, which lags), and
  create again only when the object is really absent. PATCHes set a state and are simply
  retried by the transport; creating a label or requesting an autofix is naturally
  idempotent (the repeat answers "already exists" / the existing autofix).
- **Limits are checked before sending**: issue and comment bodies (65,536 characters),
  native campaigns (name 50, description 255, 1,000 alerts, one user manager, ten team
  managers). Nothing is sent when a check fails.
- **Every failure is a GitHubError** (TrackerError) whose message says what was attempted
  and where (repository or organization), and never contains the token.

Values returned are frozen dataclasses, never GitHub's raw JSON.
"""

from __future__ import annotations

from campaign_sync.github.tracker.autofix import (
    AUTOFIX_NOT_OPEN,
    AUTOFIX_UNSUPPORTED,
    request_autofix,
)
from campaign_sync.github.tracker.comments import (
    CommentRef,
    comment,
    comment_ref,
    ensure_labels,
    list_comments,
)
from campaign_sync.github.tracker.common import (
    CREATE_ATTEMPTS,
    MAX_BODY,
    MAX_OPEN_CAMPAIGNS,
    Deferred,
    TrackerError,
    refused_because,
)
from campaign_sync.github.tracker.issues import (
    CloseReason,
    IssueRef,
    close_issue,
    create_issue,
    get_issue,
    is_pull_request,
    issue_ref,
    list_issues_with_label,
    locate_issue,
    reopen_issue,
    update_issue,
    update_issue_body,
)
from campaign_sync.github.tracker.native_campaigns import (
    CAMPAIGN_429_BACKOFF,
    MAX_CAMPAIGN_ALERTS,
    MAX_CAMPAIGN_DESCRIPTION,
    MAX_CAMPAIGN_MANAGERS,
    MAX_CAMPAIGN_NAME,
    MAX_CAMPAIGN_TEAM_MANAGERS,
    CampaignAlerts,
    CampaignState,
    NativeCampaign,
    close_native_campaign,
    create_native_campaign,
    format_ends_at,
    get_native_campaign,
    list_native_campaigns,
    native_campaign,
    native_campaign_problems,
    open_native_campaigns_named,
    server_version,
    update_native_campaign,
)

__all__ = [
    "AUTOFIX_NOT_OPEN",
    "AUTOFIX_UNSUPPORTED",
    "CAMPAIGN_429_BACKOFF",
    "CREATE_ATTEMPTS",
    "MAX_BODY",
    "MAX_CAMPAIGN_ALERTS",
    "MAX_CAMPAIGN_DESCRIPTION",
    "MAX_CAMPAIGN_MANAGERS",
    "MAX_CAMPAIGN_NAME",
    "MAX_CAMPAIGN_TEAM_MANAGERS",
    "MAX_OPEN_CAMPAIGNS",
    "CampaignAlerts",
    "CampaignState",
    "CloseReason",
    "CommentRef",
    "Deferred",
    "IssueRef",
    "NativeCampaign",
    "TrackerError",
    "close_issue",
    "close_native_campaign",
    "comment",
    "comment_ref",
    "create_issue",
    "create_native_campaign",
    "ensure_labels",
    "format_ends_at",
    "get_issue",
    "get_native_campaign",
    "is_pull_request",
    "issue_ref",
    "list_comments",
    "list_issues_with_label",
    "list_native_campaigns",
    "locate_issue",
    "native_campaign",
    "native_campaign_problems",
    "open_native_campaigns_named",
    "refused_because",
    "reopen_issue",
    "request_autofix",
    "server_version",
    "update_issue",
    "update_issue_body",
    "update_native_campaign",
]
