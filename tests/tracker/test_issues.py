"""github/tracker/issues.py over real HTTP against the fake GitHub: the issue lifecycle, the
label listing, creates whose answer is lost (never duplicated), and where an issue is now
(deleted, transferred, renamed).
"""

from __future__ import annotations

import pytest
from testing.fake_github import FakeGitHub
from testing.tracker_client import (
    LABEL,
    CheckedTransport,
    Factory,
    issues_with_marker,
    open_tracking_issue,
    repo_of,
    transport_for,
    writes,
)

from campaign_sync.github import tracker
from campaign_sync.github.tracker import IssueRef, TrackerError

# -- issues --------------------------------------------------------------------------------


def test_issue_lifecycle_makes_one_write_per_call(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    repo = repo_of(fake)
    before = writes(fake)
    created = open_tracking_issue(transport, repo, assignees=["mona"])
    assert (created.repository, created.state, created.labels) == (
        repo,
        "open",
        (LABEL, "security"),
    )
    assert created.assignees == ("mona",)
    assert created.title == "Security campaign: sqli"
    assert created.html_url.endswith(f"/{repo}/issues/{created.number}")
    assert tracker.get_issue(transport, repo, created.number) == created

    updated = tracker.update_issue_body(transport, repo, created.number, "new body")
    assert updated.body == "new body"
    closed = tracker.close_issue(transport, repo, created.number, reason="not_planned")
    assert (closed.state, closed.state_reason) == ("closed", "not_planned")
    reopened = tracker.reopen_issue(transport, repo, created.number)
    assert reopened.state == "open"
    assert tracker.close_issue(transport, repo, created.number).state_reason == "completed"
    retitled = tracker.update_issue(transport, repo, created.number, title="t2", labels=[LABEL])
    assert (retitled.title, retitled.labels, retitled.body) == ("t2", (LABEL,), "new body")

    assert writes(fake) - before == 6
    assert [(m, p.rsplit("/", 1)[-1]) for m, p, _ in transport.bodies] == [
        ("POST", "issues"),
        *[("PATCH", str(created.number))] * 5,
    ]
    assert transport.bodies[2][2] == {"state": "closed", "state_reason": "not_planned"}
    assert transport.bodies[3][2] == {"state": "open"}


def test_label_listing_walks_every_page_and_finds_closed_issues(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    repo = repo_of(fake)
    numbers = [open_tracking_issue(transport, repo, campaign=f"c{i}").number for i in range(130)]
    tracker.create_issue(
        transport, repo, title="unrelated", body="x", labels=["bug"], find_existing=bool
    )
    tracker.close_issue(transport, repo, numbers[5])
    fake.reset_stats()

    listed = tracker.list_issues_with_label(transport, repo, LABEL)

    assert [issue.number for issue in listed] == numbers  # oldest first, each once
    assert listed[5].state == "closed"
    snapshot = fake.snapshot()
    assert snapshot["writes"] == 0
    assert snapshot["by_route"] == {"GET /repos/{owner}/{repo}/issues": 2}  # 100 + 30
    assert all(isinstance(issue, IssueRef) for issue in listed)


def test_label_listing_skips_pull_requests() -> None:
    # The fake has no pull requests; GitHub's issues listing includes them, marked like this.
    assert tracker.is_pull_request({"number": 1, "pull_request": {"url": "https://x/pulls/1"}})
    assert not tracker.is_pull_request({"number": 1})
    ref = tracker.issue_ref("acme/x", {"number": 3, "labels": ["a", {"name": "b"}], "body": None})
    assert (ref.labels, ref.body, ref.state) == (("a", "b"), "", "open")


def test_create_issue_whose_answer_is_lost_after_it_was_applied_is_not_duplicated(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    repo = repo_of(fake)
    open_tracking_issue(transport, repo, campaign="other")  # must not be taken for it
    before = writes(fake)
    transport.lose_next_answer(applied=True)

    created = open_tracking_issue(transport, repo)

    assert fake.snapshot()["faults"] == {"drop": 1}
    assert writes(fake) - before == 1  # the one POST, never re-sent
    found = issues_with_marker(transport, repo, "sqli")
    assert [issue.number for issue in found] == [created.number]
    assert created == found[0]


def test_create_issue_whose_answer_is_lost_before_it_was_applied_is_sent_again(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    repo = repo_of(fake)
    before = writes(fake)
    transport.lose_next_answer(applied=False)

    created = open_tracking_issue(transport, repo)

    assert fake.snapshot()["faults"] == {"drop": 1}
    assert writes(fake) - before == 2  # the lost POST, then one more: it was really absent
    assert [i.number for i in issues_with_marker(transport, repo, "sqli")] == [created.number]


def test_create_issue_gives_up_when_every_answer_is_lost(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    repo = repo_of(fake)
    transport.lose_every_post_answer()
    with pytest.raises(TrackerError) as caught:
        open_tracking_issue(transport, repo)
    assert str(caught.value) == (
        f"creating the issue 'Security campaign: sqli' in {repo}: GitHub's answer was lost "
        f"{tracker.CREATE_ATTEMPTS} times and the object is not there; GitHub or the network "
        "is failing, try again later"
    )
    assert writes(fake) == tracker.CREATE_ATTEMPTS
    assert issues_with_marker(transport, repo, "sqli") == []


def test_create_issue_needs_a_label_and_a_body_within_githubs_limit(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    repo = repo_of(fake)
    with pytest.raises(TrackerError, match="needs a label"):
        open_tracking_issue(transport, repo, labels=[])
    with pytest.raises(TrackerError, match=r"70,000 characters long; GitHub allows at most 65,536"):
        open_tracking_issue(transport, repo, body="x" * 70_000)
    assert fake.snapshot()["total"] == 0  # nothing was sent


# -- where an issue is now: deleted, transferred, or its repository renamed ------------------


def test_locate_issue_tells_deleted_transferred_and_renamed_apart(fake: FakeGitHub) -> None:
    transport = transport_for(fake, write_interval=0)
    first, second, third = fake.repo_names(archived=False)[:3]
    here = tracker.create_issue(
        transport, first, title="a", body="b", labels=[LABEL], find_existing=lambda i: False
    )
    assert tracker.locate_issue(transport, first, here.number) == (
        tracker.get_issue(transport, first, here.number),
        None,
    )
    fake.delete_issue(first, here.number)
    assert tracker.locate_issue(transport, first, here.number) == (None, None)

    moving = tracker.create_issue(
        transport, second, title="m", body="b", labels=[LABEL], find_existing=lambda i: False
    )
    moved = fake.transfer_issue(second, moving.number, third)
    issue, repo_id = tracker.locate_issue(transport, second, moving.number)
    assert issue is not None
    assert (issue.repository, issue.number, issue.title) == (third, moved, "m")
    assert repo_id == fake.state.repo(third).id

    staying = tracker.create_issue(
        transport, third, title="s", body="b", labels=[LABEL], find_existing=lambda i: False
    )
    repo_id = fake.rename_repo(third, f"{third}-app")
    issue, redirected_to = tracker.locate_issue(transport, third, staying.number)
    assert issue is not None
    assert (issue.repository, issue.number, redirected_to) == (
        f"{third}-app",
        staying.number,
        repo_id,
    )


def test_locate_issue_reads_a_redirect_s_path_only_under_the_api(
    fake_github_factory: Factory,
) -> None:
    """The Location comes from the server: only its path is used, under our API URL, so the
    token is never sent to the host it names."""
    home = fake_github_factory(repos=3, alerts=10, seed=2)
    elsewhere = fake_github_factory(repos=2, alerts=10, seed=3)
    first, second = home.repo_names(archived=False)[:2]
    transport = transport_for(home, write_interval=0)
    opened = tracker.create_issue(
        transport, first, title="t", body="b", labels=[LABEL], find_existing=lambda i: False
    )
    moved = home.transfer_issue(first, opened.number, second)
    home.state.set_base_url(elsewhere.url)  # its Locations now name another host
    issue, _ = tracker.locate_issue(transport, first, opened.number)
    assert issue is not None
    assert issue.number == moved
    assert elsewhere.requests() == []
