"""The tracker (issues, comments, labels, native campaigns, autofix) over real HTTP against
the fake GitHub: happy paths, lost answers that must not duplicate, limits checked before
sending, explained errors, and exactly the writes each function should make.

Every request sent, body included, is validated against GitHub's official description by the
contract harness (testing/contract), as every exchange with the fake is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from testing.clients import transport_options
from testing.fake_github import FakeGitHub

from campaign_sync.errors import GitHubError
from campaign_sync.github import tracker
from campaign_sync.github.exchange import Response
from campaign_sync.github.tracker import CampaignAlerts, IssueRef, TrackerError
from campaign_sync.github.transport import WRITE_METHODS, Transport

Factory = Callable[..., FakeGitHub]
LABEL = "campaign-sync"
ENDS = "2099-12-31"


# -- the transport under test ----------------------------------------------------------------
# Every request body it sends is checked against GitHub's official description by the
# contract harness (testing/contract), like every other exchange with the fake.


class CheckedTransport(Transport):
    """A real Transport that records each request body it sends, and can have the fake lose
    its answer to chosen requests (switching the fake's faults on just before such a request
    goes on the wire and off right after, so nothing else is hit)."""

    def __init__(self, fake: FakeGitHub, **options: Any) -> None:
        super().__init__(**options)
        self.fake = fake
        self.bodies: list[tuple[str, str, Any]] = []
        self._lose_next: tuple[str, bool] | None = None
        self._lose_every_post = False

    def lose_next_answer(self, method: str = "POST", *, applied: bool = True) -> None:
        """The next ``method`` request is dropped: after the fake applied it, or before."""
        self._lose_next = (method, applied)

    def lose_every_post_answer(self) -> None:
        """Every POST from now on is dropped before the fake applies it."""
        self._lose_every_post = True

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        body: Any = None,
        idempotent: bool | None = None,
        **options: Any,
    ) -> Response:
        if method.upper() in WRITE_METHODS:
            self.bodies.append((method.upper(), urlsplit(url).path, body))
        return super().request(
            method, url, params=params, body=body, idempotent=idempotent, **options
        )

    def _send(
        self, method: str, url: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], bytes]:
        # One HTTP exchange (the transport's own retries are separate exchanges), so a fault
        # armed here hits exactly one request on the wire.
        lose: bool | None = None  # None: answer normally; else whether the fake applies it
        if self._lose_next is not None and self._lose_next[0] == method:
            lose, self._lose_next = self._lose_next[1], None
        elif self._lose_every_post and method == "POST":
            lose = False
        if lose is not None:
            self.fake.set_faults(rate=1.0, kinds=["drop"], ambiguous_writes=lose, seed=1)
        try:
            return super()._send(method, url, headers, body)
        finally:
            if lose is not None:
                self.fake.set_faults(rate=0.0)


def transport_for(fake: FakeGitHub, token: str | None = None, **options: Any) -> CheckedTransport:
    """Waits advance the fake's simulated clock instead of sleeping."""
    return CheckedTransport(fake, **transport_options(fake, token, **options))


@pytest.fixture
def fake(fake_github_factory: Factory) -> FakeGitHub:
    return fake_github_factory(repos=4, alerts=40, seed=7)


@pytest.fixture
def transport(fake: FakeGitHub) -> Iterator[CheckedTransport]:
    checked = transport_for(fake)
    yield checked
    checked.close()


def repo_of(fake: FakeGitHub, index: int = 0) -> str:
    return fake.repo_names(archived=False, complete=True)[index]


def writes(fake: FakeGitHub) -> int:
    return int(fake.snapshot()["writes"])


def marker(campaign: str, repository: str) -> str:
    return f"<!-- campaign-sync:v1 {campaign} {repository} -->"


def has_marker(campaign: str, repository: str) -> Callable[[tracker.IssueRef], bool]:
    return lambda issue: marker(campaign, repository) in issue.body


def open_tracking_issue(
    transport: Transport, repository: str, campaign: str = "sqli", **extra: Any
) -> IssueRef:
    options: dict[str, Any] = {
        "title": f"Security campaign: {campaign}",
        "body": f"{marker(campaign, repository)}\nFix these.",
        "labels": [LABEL, "security"],
        "find_existing": has_marker(campaign, repository),
    }
    options.update(extra)
    return tracker.create_issue(transport, repository, **options)


def issues_with_marker(transport: Transport, repository: str, campaign: str) -> list[IssueRef]:
    return [
        issue
        for issue in tracker.list_issues_with_label(transport, repository, LABEL)
        if has_marker(campaign, repository)(issue)
    ]


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


# -- native security campaigns -------------------------------------------------------------


def campaign_alerts(fake: FakeGitHub, transport: Transport, count: int = 3) -> CampaignAlerts:
    repo = repo_of(fake, 1)
    numbers = [fake.add_alert(repo, "code-scanning", line=10 + i) for i in range(count)]
    return CampaignAlerts(transport.get(f"/repos/{repo}").data["id"], tuple(numbers))


def test_native_campaign_create_update_close(fake: FakeGitHub, transport: CheckedTransport) -> None:
    alerts = campaign_alerts(fake, transport)
    before = writes(fake)
    created = tracker.create_native_campaign(
        transport,
        "acme",
        name="SQL injection burn-down",
        description="Fix every SQL injection alert before the Q1 audit.",
        ends_at=ENDS,
        managers=["mona"],
        team_managers=["appsec"],
        contact_link="https://github.com/orgs/acme/discussions/42",
        code_scanning_alerts=[
            alerts,
            {"repository_id": alerts.repository_id, "alert_numbers": [alerts.alert_numbers[0]]},
        ],
    )
    assert (created.name, created.state, created.ends_at) == (
        "SQL injection burn-down",
        "open",
        "2099-12-31T23:59:59Z",
    )
    assert (created.managers, created.team_managers) == (("mona",), ("appsec",))
    assert created.open_alerts == 3
    assert transport.bodies[-1][2]["code_scanning_alerts"] == [
        {"repository_id": alerts.repository_id, "alert_numbers": sorted(alerts.alert_numbers)}
    ]
    assert tracker.list_native_campaigns(transport, "acme") == (created,)

    updated = tracker.update_native_campaign(
        transport, "acme", created.number, description="Now due sooner.", ends_at="2098-01-01"
    )
    assert (updated.description, updated.ends_at) == ("Now due sooner.", "2098-01-01T23:59:59Z")
    assert transport.bodies[-1][2] == {
        "description": "Now due sooner.",
        "ends_at": "2098-01-01T23:59:59Z",
    }
    closed = tracker.close_native_campaign(transport, "acme", created.number)
    assert closed.state == "closed"
    assert closed.closed_at is not None
    assert transport.bodies[-1][2] == {"state": "closed"}
    assert tracker.get_native_campaign(transport, "acme", created.number) == closed
    assert tracker.list_native_campaigns(transport, "acme", state="open") == ()
    assert writes(fake) - before == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "n" * 51}, "the name is 51 characters long; GitHub allows at most 50"),
        (
            {"description": "d" * 256},
            "the description is 256 characters long; GitHub allows at most 255",
        ),
        (
            {"code_scanning_alerts": [CampaignAlerts(1, tuple(range(1, 1002)))]},
            "it has 1,001 alerts; GitHub allows at most 1,000 in a campaign",
        ),
        ({"code_scanning_alerts": []}, "it has no code scanning alerts"),
        ({"managers": ["mona", "octocat"]}, "it names 2 user managers; GitHub takes at most 1"),
        ({"contact_link": "discussions/42"}, "the contact link 'discussions/42' is not"),
    ],
)
def test_native_campaign_limits_are_checked_before_sending(
    fake: FakeGitHub, transport: CheckedTransport, fields: dict[str, Any], message: str
) -> None:
    options: dict[str, Any] = {
        "name": "SQL injection",
        "description": "Fix them.",
        "ends_at": ENDS,
        "code_scanning_alerts": [CampaignAlerts(1, (1,))],
    }
    options.update(fields)
    with pytest.raises(GitHubError) as caught:
        tracker.create_native_campaign(transport, "acme", **options)
    text = str(caught.value)
    assert text.startswith(f"creating the security campaign {options['name']!r} in acme: ")
    assert message in text
    assert text.endswith("Nothing was sent.")
    update = {k: v for k, v in fields.items() if k != "code_scanning_alerts"}
    if update:
        with pytest.raises(GitHubError, match=re.escape(message)):
            tracker.update_native_campaign(transport, "acme", 1, **update)
    assert fake.snapshot()["total"] == 0


def test_the_eleventh_open_campaign_is_refused_with_a_clear_message(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    alerts = campaign_alerts(fake, transport, count=1)
    for i in range(tracker.MAX_OPEN_CAMPAIGNS):
        tracker.create_native_campaign(
            transport,
            "acme",
            name=f"c{i}",
            description="d",
            ends_at=ENDS,
            code_scanning_alerts=[alerts],
        )
    with pytest.raises(TrackerError) as caught:
        tracker.create_native_campaign(
            transport,
            "acme",
            name="one too many",
            description="d",
            ends_at=ENDS,
            code_scanning_alerts=[alerts],
        )
    assert caught.value.status == 422
    assert str(caught.value) == (
        "creating the security campaign 'one too many' in acme: Organization has reached the "
        "maximum of 10 open campaigns (422). GitHub allows 10 open security campaigns in an "
        "organization: close one in acme first"
    )


def test_native_campaign_whose_answer_is_lost_is_created_once(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    alerts = campaign_alerts(fake, transport)
    before = writes(fake)
    transport.lose_next_answer(applied=True)
    created = tracker.create_native_campaign(
        transport,
        "acme",
        name="Once",
        description="Only once.",
        ends_at=ENDS,
        code_scanning_alerts=[alerts],
    )
    assert writes(fake) - before == 1
    assert tracker.list_native_campaigns(transport, "acme") == (created,)


# -- autofix -------------------------------------------------------------------------------


def test_request_autofix(fake: FakeGitHub, transport: CheckedTransport) -> None:
    repo = repo_of(fake)
    codeql = fake.add_alert(repo, "code-scanning", rule="py/sql-injection")
    semgrep_rule = next(r.id for r in fake.catalog.rules if r.tool.name != "CodeQL")
    semgrep = fake.add_alert(repo, "code-scanning", rule=semgrep_rule)
    fixed = fake.add_alert(repo, "code-scanning", rule="py/sql-injection")
    fake.set_alert_state(repo, "code-scanning", fixed, "fixed")
    before = writes(fake)

    assert tracker.request_autofix(transport, repo, codeql) == "pending"
    assert writes(fake) - before == 1  # once
    assert tracker.request_autofix(transport, repo, semgrep) == tracker.AUTOFIX_UNSUPPORTED
    assert tracker.request_autofix(transport, repo, fixed) == tracker.AUTOFIX_NOT_OPEN
    fake.clock.advance(10)
    assert tracker.request_autofix(transport, repo, codeql) == "success"  # exists: 200
    assert [body for _, _, body in transport.bodies] == [None] * 4
    with pytest.raises(TrackerError, match=f"code scanning alert #9999 was not found in {repo}"):
        tracker.request_autofix(transport, repo, 9999)


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
