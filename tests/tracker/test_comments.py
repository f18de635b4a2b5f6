"""github/tracker/comments.py over real HTTP against the fake GitHub: comments posted once
when an answer is lost, and labels created only where missing.
"""

from __future__ import annotations

import pytest
from testing.fake_github import FakeGitHub
from testing.tracker_client import (
    LABEL,
    CheckedTransport,
    open_tracking_issue,
    repo_of,
    writes,
)

from campaign_sync.github import tracker
from campaign_sync.github.tracker import TrackerError

# -- comments ------------------------------------------------------------------------------


def test_comment_and_list_comments(fake: FakeGitHub, transport: CheckedTransport) -> None:
    repo = repo_of(fake)
    issue = open_tracking_issue(transport, repo)
    before = writes(fake)
    posted = tracker.comment(transport, repo, issue.number, "All alerts are fixed. Closing.")
    assert (posted.repository, posted.issue_number) == (repo, issue.number)
    assert tracker.list_comments(transport, repo, issue.number) == (posted,)
    assert writes(fake) - before == 1
    with pytest.raises(TrackerError, match="the comment is empty"):
        tracker.comment(transport, repo, issue.number, "  \n")


@pytest.mark.parametrize(("applied", "posts"), [(True, 1), (False, 2)])
def test_comment_whose_answer_is_lost_is_posted_once(
    fake: FakeGitHub, transport: CheckedTransport, applied: bool, posts: int
) -> None:
    repo = repo_of(fake)
    issue = open_tracking_issue(transport, repo)
    tracker.comment(transport, repo, issue.number, "A human wrote this.")
    before = writes(fake)
    transport.lose_next_answer(applied=applied)

    posted = tracker.comment(transport, repo, issue.number, "Alert 3 regressed: reopening.")

    assert fake.snapshot()["faults"] == {"drop": 1}
    assert writes(fake) - before == posts
    bodies = [c.body for c in tracker.list_comments(transport, repo, issue.number)]
    assert bodies == ["A human wrote this.", "Alert 3 regressed: reopening."]
    assert posted.body == "Alert 3 regressed: reopening."
    assert posted.id == tracker.list_comments(transport, repo, issue.number)[-1].id


@pytest.mark.parametrize(("applied", "posts"), [(True, 1), (False, 2)])
def test_a_lost_answer_asks_the_caller_whether_an_older_identical_comment_counts(
    fake: FakeGitHub, transport: CheckedTransport, applied: bool, posts: int
) -> None:
    # Closed, reopened, closed again: the first closing comment is not the second one.
    repo = repo_of(fake)
    issue = open_tracking_issue(transport, repo)
    for body in ("Closed.", "Reopened."):
        tracker.comment(transport, repo, issue.number, body)
    before = writes(fake)
    transport.lose_next_answer(applied=applied)

    tracker.comment(
        transport,
        repo,
        issue.number,
        "Closed.",
        posted_already=lambda comments: comments[-1].body == "Closed.",
    )

    assert writes(fake) - before == posts
    bodies = [c.body for c in tracker.list_comments(transport, repo, issue.number)]
    assert bodies == ["Closed.", "Reopened.", "Closed."]


# -- labels --------------------------------------------------------------------------------


def test_ensure_labels_creates_only_what_is_missing(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    repo = repo_of(fake)
    before = writes(fake)
    created = tracker.ensure_labels(
        transport,
        repo,
        [LABEL, "Bug", "security", "SECURITY"],
        color="#b60205",
        description="Tracked by campaign-sync",
    )
    assert created == (LABEL, "security")  # "bug" is one of GitHub's defaults
    assert writes(fake) - before == 2
    assert transport.bodies[-1][2] == {
        "name": "security",
        "color": "b60205",
        "description": "Tracked by campaign-sync",
    }
    assert tracker.ensure_labels(transport, repo, [LABEL, "security"]) == ()
    assert tracker.ensure_labels(transport, repo, []) == ()
    assert writes(fake) - before == 2  # idempotent: the second call only read


def test_ensure_labels_when_the_answer_is_lost_resends_and_takes_already_exists(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    repo = repo_of(fake)
    fake.reset_stats()
    transport.lose_next_answer("POST", applied=True)
    assert tracker.ensure_labels(transport, repo, ["fresh"]) == ("fresh",)
    snapshot = fake.snapshot()
    # The lost POST, applied; its repeat answered 422 already_exists, which is success.
    assert snapshot["by_route"]["POST /repos/{owner}/{repo}/labels"] == 2
    assert snapshot["by_status"].get("422") == 1
    assert tracker.ensure_labels(transport, repo, ["fresh"]) == ()
