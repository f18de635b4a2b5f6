"""github/tracker/common.py over real HTTP against the fake GitHub: errors name the
repository and the attempt, never the token, and a failing recovery says what it was
creating.
"""

from __future__ import annotations

import pytest
from testing.fake_github import FakeGitHub
from testing.tracker_client import (
    LABEL,
    CheckedTransport,
    issues_with_marker,
    open_tracking_issue,
    repo_of,
    transport_for,
)

from campaign_sync.github import tracker
from campaign_sync.github.tracker import TrackerError

# -- errors --------------------------------------------------------------------------------


def test_errors_name_the_repository_and_the_attempt_and_never_the_token(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    repo = repo_of(fake)
    issue = open_tracking_issue(transport, repo)
    read_only = fake.add_token(permissions={"issues": "read", "metadata": "read"})
    messages = []

    with pytest.raises(TrackerError) as caught:
        tracker.comment(transport_for(fake, read_only), repo, issue.number, "hello")
    assert caught.value.status == 403
    assert str(caught.value) == (
        f"commenting on issue #{issue.number} of {repo}: the token lacks a permission for "
        f"{repo} (403 Resource not accessible by integration). GitHub wants: issues=write."
    )
    messages.append(str(caught.value))

    with pytest.raises(TrackerError) as caught:
        tracker.get_issue(transport, repo, 4242)
    assert str(caught.value).startswith(
        f"reading issue #4242 of {repo}: issue #4242 was not found in {repo}"
    )
    messages.append(str(caught.value))

    with pytest.raises(TrackerError) as caught:
        tracker.list_issues_with_label(transport, "acme/no-such-repo", LABEL)
    assert "repository 'acme/no-such-repo' was not found" in str(caught.value)
    messages.append(str(caught.value))

    bad = "ghp_" + "s3cret" * 6
    with pytest.raises(TrackerError) as caught:
        tracker.update_issue_body(transport_for(fake, bad), repo, issue.number, "x")
    assert str(caught.value).startswith(
        f"updating issue #{issue.number} of {repo}: GitHub rejected the credentials (401"
    )
    messages.append(str(caught.value))

    fake.archive_repo(repo)
    with pytest.raises(TrackerError) as caught:
        tracker.close_issue(transport, repo, issue.number)
    assert str(caught.value) == (
        f"closing issue #{issue.number} of {repo}: {repo} is archived, so it is read-only (403)"
    )
    messages.append(str(caught.value))

    with pytest.raises(TrackerError, match="not a repository name"):
        tracker.get_issue(transport, "../../orgs/acme", 1)
    for message in messages:
        assert fake.token not in message
        assert read_only not in message
        assert bad not in message


def test_a_failing_recovery_says_what_was_being_created(fake: FakeGitHub) -> None:
    repo = repo_of(fake)
    # Every request answers 503; the POST is applied all the same.
    fake.set_faults(rate=1.0, kinds=["503"], ambiguous_writes=True, seed=1)
    with pytest.raises(TrackerError) as caught:
        open_tracking_issue(transport_for(fake, max_attempts=2), repo)
    fake.set_faults(rate=0.0)
    assert str(caught.value) == (
        f"creating the issue 'Security campaign: sqli' in {repo}: GitHub's answer was lost, "
        f"and checking whether the create happened failed (listing the issues labelled "
        f"'{LABEL}' in {repo}: GET /repos/{repo}/issues: HTTP 503; gave up after 2 attempts. "
        "GitHub or the network is failing; try again later)"
    )
    assert caught.value.status is None
    assert len(issues_with_marker(transport_for(fake), repo, "sqli")) == 1  # never re-sent
