"""Drift (drift.py, github/tracked.py): what GitHub shows of the tracking issues against
what the ledger records. Pure comparisons first, then end to end over HTTP against the
fake GitHub: an issue closed by hand (reopened, or respected), deleted by an admin
(replaced once), transferred (followed, never duplicated)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub
from testing.fake_github.http_client import call

from campaign_sync.actions import ReopenIssue
from campaign_sync.apply import apply_plan
from campaign_sync.commands.apply import run_apply
from campaign_sync.commands.plan import make, run_plan
from campaign_sync.destinations import KINDS
from campaign_sync.drift import LiveIssue, compare
from campaign_sync.github import tracker
from campaign_sync.issue_markers import EVENT_MARKER, TOOL_LABEL, find_marker
from campaign_sync.ledger import read_ledger
from campaign_sync.model import TrackedIssue
from campaign_sync.sources.github import GitHubSource
from campaign_sync.untrusted.markdown import escape_inline

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
CAMPAIGN = """\
name: Critical code scanning
description: Fix the critical and high code scanning alerts.
managers: [mona, "@acme/appsec"]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
  severity: [critical, high]
  membership: rolling
tracking:
  labels: [security]
"""
# -- the comparison, pure --------------------------------------------------------------

OPEN = TrackedIssue("acme/web", 7, "open", "d")


def _compare(live: LiveIssue | None, *, open_count: int = 3, policy: Any = "reopen") -> Any:
    return compare(
        "crit", OPEN, live, open_count=open_count, wants_open=open_count > 0, policy=policy
    )


def test_nothing_read_or_nothing_changed_is_no_drift() -> None:
    assert _compare(None).issue == OPEN
    seen = _compare(LiveIssue("acme/web", 7, "open"))
    assert (seen.issue, seen.hand_closed, seen.note) == (OPEN, False, None)


def test_closed_by_hand_with_alerts_open_is_reopened_or_respected() -> None:
    reopen = _compare(LiveIssue("acme/web", 7, "closed"))
    assert reopen.hand_closed
    assert reopen.issue == TrackedIssue("acme/web", 7, "closed", "d")
    assert reopen.note == (
        "crit: acme/web#7 was closed by hand while 3 alerts are open: reopened "
        "(tracking.manual-close: reopen)"
    )
    respect = _compare(LiveIssue("acme/web", 7, "closed"), policy="respect")
    assert respect.issue == TrackedIssue("acme/web", 7, "closed", "d", closed_by_hand=True)
    assert respect.note is not None
    assert respect.note.endswith("left closed (tracking.manual-close: respect)")
    one = _compare(LiveIssue("acme/web", 7, "closed"), open_count=1)
    assert one.note is not None
    assert "while 1 alert is open" in one.note


def test_closed_by_the_tool_or_with_nothing_open_is_recorded_quietly() -> None:
    by_tool = _compare(LiveIssue("acme/web", 7, "closed", closed_by_tool=True))
    assert (by_tool.issue.state, by_tool.hand_closed, by_tool.note) == ("closed", False, None)
    nothing_open = _compare(LiveIssue("acme/web", 7, "closed"), open_count=0)
    assert (nothing_open.issue.state, nothing_open.hand_closed) == ("closed", False)
    assert nothing_open.note is None


def test_deleted_and_transferred() -> None:
    deleted = _compare(LiveIssue("acme/web", 7, "deleted"))
    assert deleted.issue is None
    assert deleted.note == "crit: tracking issue acme/web#7 was deleted; a new issue replaces it"
    none_open = _compare(LiveIssue("acme/web", 7, "deleted"), open_count=0)
    assert none_open.note is not None
    assert "no new one" in none_open.note
    moved = _compare(LiveIssue("acme/tracking", 12, "open"))
    assert moved.issue == TrackedIssue("acme/web", 12, "open", "d", moved_to="acme/tracking")
    assert moved.note == (
        "crit: tracking issue acme/web#7 was transferred to acme/tracking#12: followed there"
    )


def test_a_respected_issue_reopened_by_hand_is_tracked_as_open_again() -> None:
    respected = TrackedIssue("acme/web", 7, "closed", "d", closed_by_hand=True)
    seen = compare(
        "crit",
        respected,
        LiveIssue("acme/web", 7, "open"),
        open_count=2,
        wants_open=True,
        policy="respect",
    )
    assert seen.issue == TrackedIssue("acme/web", 7, "open", "d")


# -- end to end ------------------------------------------------------------------------


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=6, alerts=240, seed=21)


def _repo(tmp_path: Path, manual_close: str | None = None) -> Path:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    text = CAMPAIGN
    if manual_close is not None:
        text = text.replace("tracking:\n", f"tracking:\n  manual-close: {manual_close}\n")
    (tmp_path / "campaigns" / "crit.yml").write_text(text, encoding="utf-8")
    return tmp_path


def _apply(fake: FakeGitHub, repo: Path) -> tuple[int, str, str, int]:
    transport = transport_for(fake)
    out, err = io.StringIO(), io.StringIO()
    before = fake.snapshot()["writes"]
    code = run_apply(
        repo, [GitHubSource(transport_for(fake), "acme")], transport, out=out, err=err, now=NOW
    )
    return code, out.getvalue(), err.getvalue(), fake.snapshot()["writes"] - before


def _plan(fake: FakeGitHub, repo: Path, output_format: str = "text") -> tuple[int, str]:
    out = io.StringIO()
    code = run_plan(
        repo,
        [GitHubSource(transport_for(fake), "acme")],
        output_format=output_format,
        out=out,
        now=NOW,
    )
    return code, out.getvalue()


def selected_open(fake: FakeGitHub) -> dict[str, list[int]]:
    """Open critical/high code scanning alerts of non-archived repos, by repository."""
    alerts = GitHubSource(transport_for(fake), "acme").fetch()
    archived = {r.full_name for r in alerts.repositories if r.archived}
    chosen: dict[str, list[int]] = {}
    for alert in alerts.alerts:
        if (
            alert.type == "code-scanning"
            and alert.is_open
            and alert.severity in ("critical", "high")
            and alert.repository not in archived
        ):
            chosen.setdefault(alert.repository, []).append(alert.number or 0)
    return chosen


def _issue(fake: FakeGitHub, repository: str, number: int) -> tracker.IssueRef:
    return tracker.get_issue(transport_for(fake), repository, number)


def _comments(fake: FakeGitHub, repository: str, number: int) -> list[str]:
    return [c.body for c in tracker.list_comments(transport_for(fake), repository, number)]


def _ours(fake: FakeGitHub, repository: str) -> list[tracker.IssueRef]:
    """The tracking issues of the campaign for ``repository``, wherever they are listed."""
    found = []
    for name in fake.repo_names():
        for issue in tracker.list_issues_with_label(transport_for(fake), name, TOOL_LABEL):
            if find_marker(issue.body) == ("crit", repository):
                found.append(issue)
    return found


def _human(fake: FakeGitHub) -> str:
    """A member of the organization with write access: not campaign-sync."""
    return fake.add_token(user="hubot")


def _close_by_hand(fake: FakeGitHub, token: str, repository: str, number: int) -> None:
    reply = call(
        fake.url,
        "PATCH",
        f"/repos/{repository}/issues/{number}",
        token=token,
        body={"state": "closed", "state_reason": "completed"},
    )
    assert reply.status == 200, reply.body
    assert reply.body["closed_by"]["login"] == "hubot"


def _first_tracked(repo: Path) -> TrackedIssue:
    ledger = read_ledger(repo / "reports", "crit")
    return next(i for i in ledger.issues if i.state == "open")


def test_an_issue_closed_by_hand_is_reopened_once_with_a_comment_naming_its_alerts(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    repo = _repo(tmp_path)
    assert _apply(fake, repo)[0] == 0
    tracked = _first_tracked(repo)
    open_alerts = selected_open(fake)[tracked.repository]
    human = _human(fake)
    _close_by_hand(fake, human, tracked.repository, tracked.number)

    code, shown = _plan(fake, repo)
    assert code == 2
    count = len(open_alerts)
    alerts = f"{count} alert{'s' if count != 1 else ''} {'is' if count == 1 else 'are'}"
    assert (
        f"crit: {tracked.repository}#{tracked.number} was closed by hand while {alerts} open: "
        "reopened (tracking.manual-close: reopen)"
    ) in shown
    assert f"closed by hand while {alerts} open" in shown  # the action's reason

    code, out, err, writes = _apply(fake, repo)
    assert (code, err) == (0, "")
    assert writes == KINDS["reopen_issue"].writes  # the comment, then the reopen
    assert _issue(fake, tracked.repository, tracked.number).state == "open"
    last = _comments(fake, tracked.repository, tracked.number)[-1]
    assert last.endswith(EVENT_MARKER)
    assert "This issue was closed while" in last
    assert "campaign-sync reopens it" in last
    for number in open_alerts:
        assert f"/code-scanning/{number})" in last
    assert "`tracking.manual-close: respect`" in last
    assert read_ledger(repo / "reports", "crit").issue_map()[tracked.repository].state == "open"

    # Idempotent: nothing to do, nothing written, nothing said.
    code, out, err, writes = _apply(fake, repo)
    assert (code, err, writes) == (0, "", 0)
    assert "closed by hand" not in out

    # Closed by hand again: reopened again, one write (the same comment is the newest
    # event already): bounded by one reopen a run, under the write budget.
    _close_by_hand(fake, human, tracked.repository, tracked.number)
    code, out, err, writes = _apply(fake, repo)
    assert (code, err, writes) == (0, "", 1)
    assert _issue(fake, tracked.repository, tracked.number).state == "open"


def test_a_reopen_counts_under_the_write_budget(fake: FakeGitHub, tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _apply(fake, repo)
    human = _human(fake)
    ledger = read_ledger(repo / "reports", "crit")
    for issue in ledger.issues:
        _close_by_hand(fake, human, issue.repository, issue.number)
    planned = make(repo, [GitHubSource(transport_for(fake), "acme")], now=NOW)
    reopens = [a for a in planned.plan.actions if isinstance(a, ReopenIssue)]
    assert len(reopens) == len(ledger.issues)  # once each, no more
    assert planned.plan.writes == len(reopens) * KINDS["reopen_issue"].writes
    # The plan's own reads of GitHub (the issues compared) are in its request count.
    assert planned.plan.live_reads >= 1
    assert planned.plan.requests >= planned.plan.writes + planned.plan.live_reads


def test_respect_leaves_an_issue_closed_by_hand_and_the_report_says_closed(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    repo = _repo(tmp_path, manual_close="respect")
    _apply(fake, repo)
    tracked = _first_tracked(repo)
    human = _human(fake)
    _close_by_hand(fake, human, tracked.repository, tracked.number)

    code, shown = _plan(fake, repo, "json")
    document = json.loads(shown)
    assert code == 0  # nothing for apply to write to GitHub
    assert not [a for a in document["actions"] if a["kind"] == "reopen_issue"]
    assert any(
        f"{tracked.repository}#{tracked.number} was closed by hand" in note
        and note.endswith("left closed (tracking.manual-close: respect)")
        for note in document["notes"]
    )

    code, _out, err, writes = _apply(fake, repo)
    assert (code, err, writes) == (0, "", 0)
    assert _issue(fake, tracked.repository, tracked.number).state == "closed"
    recorded = read_ledger(repo / "reports", "crit").issue_map()[tracked.repository]
    assert (recorded.state, recorded.closed_by_hand) == ("closed", True)
    state = json.loads((repo / "reports" / "crit" / "ledger.json").read_text())
    assert state["issues"][tracked.repository]["closed_by_hand"] is True
    page = (repo / "reports" / "crit" / "README.md").read_text()
    assert f"#{tracked.number}](" in page
    link = f"/{tracked.repository}/issues/{tracked.number})"
    row = next(line for line in page.splitlines() if link in line)
    assert "(closed)" in row

    # The next run leaves it so, and says nothing new.
    code, _out, err, writes = _apply(fake, repo)
    assert (code, err, writes) == (0, "", 0)
    assert _issue(fake, tracked.repository, tracked.number).state == "closed"

    # Reopened by hand: tracked as open again.
    reply = call(
        fake.url,
        "PATCH",
        f"/repos/{tracked.repository}/issues/{tracked.number}",
        token=human,
        body={"state": "open"},
    )
    assert reply.status == 200
    code, _out, err, writes = _apply(fake, repo)
    assert (code, err, writes) == (0, "", 0)
    recorded = read_ledger(repo / "reports", "crit").issue_map()[tracked.repository]
    assert (recorded.state, recorded.closed_by_hand) == ("open", False)


def test_a_deleted_issue_is_replaced_once_and_the_ledger_names_the_new_one(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    repo = _repo(tmp_path)
    _apply(fake, repo)
    tracked = _first_tracked(repo)
    deleted = call(
        fake.url,
        "POST",
        "/_fake/issues/delete",
        body={"repo": tracked.repository, "number": tracked.number},
    )
    assert deleted.status == 200

    code, shown = _plan(fake, repo)
    assert code == 2
    assert (
        f"crit: tracking issue {tracked.repository}#{tracked.number} was deleted; a new issue "
        "replaces it"
    ) in shown

    code, out, err, writes = _apply(fake, repo)
    assert (code, err) == (0, "")
    (replacement,) = _ours(fake, tracked.repository)
    assert replacement.number != tracked.number
    assert replacement.state == "open"
    recorded = read_ledger(repo / "reports", "crit").issue_map()[tracked.repository]
    assert (recorded.number, recorded.state) == (replacement.number, "open")

    code, out, err, writes = _apply(fake, repo)
    assert (code, err, writes) == (0, "", 0)
    assert "deleted" not in out
    assert "retried" not in out
    assert len(_ours(fake, tracked.repository)) == 1


def test_an_issue_deleted_between_plan_and_apply_is_forgotten_not_retried_for_ever(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    repo = _repo(tmp_path)
    _apply(fake, repo)
    tracked = _first_tracked(repo)
    # An alert of its repository fixed: the plan updates the issue's section.
    fake.set_alert_state(
        tracked.repository, "code-scanning", selected_open(fake)[tracked.repository][0], "fixed"
    )
    planned = make(repo, [GitHubSource(transport_for(fake), "acme")], now=NOW)
    assert any(
        getattr(a, "number", None) == tracked.number and a.repository == tracked.repository
        for a in planned.plan.actions
    )
    fake.delete_issue(tracked.repository, tracked.number)
    result = apply_plan(planned, transport_for(fake), now=NOW)
    assert not result.failed
    assert (
        f"crit: tracking issue {tracked.repository}#{tracked.number} was deleted since the "
        "plan: the next run opens a new one"
    ) in result.notes
    assert tracked.repository not in read_ledger(repo / "reports", "crit").issue_map()

    code, _out, err, _writes = _apply(fake, repo)
    assert (code, err) == (0, "")
    (replacement,) = _ours(fake, tracked.repository)
    assert read_ledger(repo / "reports", "crit").issue_map()[tracked.repository].number == (
        replacement.number
    )


def test_a_transferred_issue_is_followed_and_never_duplicated(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    repo = _repo(tmp_path)
    _apply(fake, repo)
    tracked = _first_tracked(repo)
    # Into another repository of the campaign, which has a tracking issue of its own.
    elsewhere = next(name for name in sorted(selected_open(fake)) if name != tracked.repository)
    moved = fake.transfer_issue(tracked.repository, tracked.number, elsewhere)

    code, shown = _plan(fake, repo)
    assert (
        f"crit: tracking issue {tracked.repository}#{tracked.number} was transferred to "
        f"{elsewhere}#{moved}: followed there"
    ) in shown
    code, _out, err, writes = _apply(fake, repo)
    assert (code, err, writes) == (0, "", 0)
    recorded = read_ledger(repo / "reports", "crit").issue_map()[tracked.repository]
    assert (recorded.where, recorded.number) == (elsewhere, moved)
    page = (repo / "reports" / "crit" / "README.md").read_text()
    shown_as = (
        f"[{escape_inline(elsewhere)}#{moved}](https://github.com/{elsewhere}/issues/{moved})"
    )
    assert shown_as in page

    # Its alerts change: the issue is updated where it is now, and none opened again.
    fake.set_alert_state(
        tracked.repository, "code-scanning", selected_open(fake)[tracked.repository][0], "fixed"
    )
    before = _issue(fake, elsewhere, moved).body
    code, _out, err, writes = _apply(fake, repo)
    assert (code, err) == (0, "")
    assert writes == 1
    assert _issue(fake, elsewhere, moved).body != before
    (only,) = _ours(fake, tracked.repository)
    assert (only.repository, only.number) == (elsewhere, moved)
    code, _out, err, writes = _apply(fake, repo)
    assert (code, err, writes) == (0, "", 0)
