"""Repositories where no issue can be written: Issues turned off (410), archived (403).

The rules directly, then end to end over HTTP against the fake GitHub: met in the listing
before the plan, or met by a write in apply because the repository changed in between.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.commands.apply import EXIT_OK, run_apply
from campaign_sync.commands.plan import run_plan
from campaign_sync.github import tracker
from campaign_sync.holds import WRITE_HOLD_TRUSTED, describe, listing_reason, still_trusted
from campaign_sync.ledger import read_ledger
from campaign_sync.model import HeldRepository, Repository
from campaign_sync.sources.github import GitHubSource
from campaign_sync.untrusted.markdown import escape_inline

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
STAMP = "2026-11-28T06:00:00Z"

# --- the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repository", "tracking", "expected"),
    [
        (None, True, None),  # unknown (a SARIF source): assume writable, as before
        (Repository("acme/web"), True, None),
        (Repository("acme/web", has_issues=False), True, "issues-off"),
        (Repository("acme/web", has_issues=False), False, None),  # no issues to write anyway
        (Repository("acme/web", archived=True), False, "archived"),  # its alerts freeze
        (Repository("acme/web", archived=True, has_issues=False), True, "archived"),
    ],
)
def test_listing_reason(repository: Repository | None, tracking: bool, expected: str) -> None:
    assert listing_reason(repository, tracking=tracking) == expected


def test_only_a_hold_met_by_a_write_outweighs_the_listing_and_not_for_long() -> None:
    met = HeldRepository("acme/web", "issues-off", STAMP, "write")
    assert still_trusted(met, NOW + WRITE_HOLD_TRUSTED - timedelta(seconds=1))
    assert not still_trusted(met, NOW + WRITE_HOLD_TRUSTED)
    assert not still_trusted(HeldRepository("acme/web", "issues-off", STAMP), NOW)
    assert not still_trusted(met, NOW - timedelta(minutes=1))  # from the future: ignored


def test_describe() -> None:
    assert describe("acme/x", "issues-off", 12) == (
        "acme/x has Issues turned off: 12 alerts tracked in the report only"
    )
    assert describe("acme/old", "archived", 1) == (
        "acme/old is archived: 1 alert frozen (read-only; none counts as fixed)"
    )


# --- end to end ------------------------------------------------------------------------

CAMPAIGN = """\
name: Critical code scanning
description: Fix the critical and high code scanning alerts.
managers: [mona]
contact: https://github.com/orgs/acme/discussions/1
ends: 2027-03-31
state: active
select:
  alerts: [code-scanning]
  severity: [critical, high]
  membership: rolling
"""


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=6, alerts=240, seed=21)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    (tmp_path / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    return tmp_path


def source(fake: FakeGitHub, *, listing: bool = True) -> GitHubSource:
    return GitHubSource(transport_for(fake), "acme", include_repositories=listing)


def apply(
    fake: FakeGitHub,
    repo: Path,
    *,
    between: Callable[[], None] | None = None,
    listing: bool = True,
    now: datetime = NOW,
) -> tuple[int, str, str]:
    """One apply; ``between`` runs after the alerts are read, before anything is written."""
    out, err = io.StringIO(), io.StringIO()
    code = run_apply(
        repo,
        [source(fake, listing=listing)],
        transport_for(fake),
        out=out,
        err=err,
        now=now,
        on_fetched=between,
    )
    return code, out.getvalue(), err.getvalue()


def plan_text(fake: FakeGitHub, repo: Path) -> str:
    out = io.StringIO()
    run_plan(repo, [source(fake)], output_format="text", out=out, now=NOW)
    return out.getvalue()


def open_by_repository(fake: FakeGitHub) -> dict[str, list[int]]:
    """The campaign's open alerts by repository, as GitHub lists them now."""
    found: dict[str, list[int]] = {}
    for alert in source(fake).fetch().alerts:
        if (
            alert.type == "code-scanning"
            and alert.is_open
            and alert.severity in ("critical", "high")
        ):
            assert alert.number is not None
            found.setdefault(alert.repository, []).append(alert.number)
    return found


def writes_to(fake: FakeGitHub, repository: str, since: int) -> list[str]:
    return [e["path"] for e in fake.requests()[since:] if e["write"] and repository in e["path"]]


def report(repo: Path) -> str:
    return (repo / "reports" / "crit" / "README.md").read_text(encoding="utf-8")


def test_issues_off_plans_no_issue_there_and_the_report_tracks_its_alerts(
    fake: FakeGitHub, repo: Path
) -> None:
    alerts = open_by_repository(fake)
    target = sorted(alerts)[0]
    fake.set_feature(target, "has_issues", False)
    count = len(alerts[target])
    said = f"{target} has Issues turned off: {count} alerts tracked in the report only"
    assert f"note: crit: {said}" in plan_text(fake, repo)
    since = len(fake.requests())
    code, out, err = apply(fake, repo)
    assert (code, err) == (EXIT_OK, "")
    assert writes_to(fake, target, since) == []
    assert "failed" not in out
    assert f"- {escape_inline(said)}" in report(repo)
    assert "(Issues turned off)" in report(repo)
    # Counted in the campaign all the same.
    members = read_ledger(repo / "reports", "crit").members
    assert sum(1 for m in members if m.repository == target) == count
    # Nothing to do the next day: not a create planned and refused every run.
    since = len(fake.requests())
    assert apply(fake, repo)[0] == EXIT_OK
    assert [e for e in fake.requests()[since:] if e["write"]] == []


def test_issues_turned_off_between_plan_and_apply_is_a_note_and_the_next_plan_skips_it(
    fake: FakeGitHub, repo: Path
) -> None:
    alerts = open_by_repository(fake)
    target = sorted(alerts)[0]
    code, out, err = apply(
        fake, repo, between=lambda: fake.set_feature(target, "has_issues", False)
    )
    assert code == EXIT_OK, err
    assert "failed" not in err
    assert f"note: crit: {target} has Issues turned off: {len(alerts[target])} alerts" in out
    assert "410 Issues are disabled for this repo" in out
    assert "1 not made: their repository is archived or has Issues turned off" in out
    ledger = read_ledger(repo / "reports", "crit")
    assert ledger.held == (HeldRepository(target, "issues-off", STAMP, "write"),)
    # Nothing lost: its alerts are members, no issue is recorded for it, the others opened.
    assert {m.repository for m in ledger.members} == set(alerts)
    assert {i.repository for i in ledger.issues} == set(alerts) - {target}
    assert f"{escape_inline(target)} has Issues turned off" in report(repo)

    # The next run, even on a listing that does not know yet (the store's copy from before),
    # plans nothing there.
    since = len(fake.requests())
    assert apply(fake, repo, listing=False)[0] == EXIT_OK
    assert writes_to(fake, target, since) == []
    # With the listing it is the listing's hold from now on; when Issues come back, the
    # next run opens the issue.
    assert apply(fake, repo)[0] == EXIT_OK
    assert read_ledger(repo / "reports", "crit").held[0].origin == "listing"
    fake.set_feature(target, "has_issues", True)
    code, out, _ = apply(fake, repo)
    assert code == EXIT_OK
    assert f"done crit: open tracking issue {target}" in out
    assert read_ledger(repo / "reports", "crit").held == ()


def test_an_archived_repository_is_frozen_says_so_and_resumes_when_unarchived(
    fake: FakeGitHub, repo: Path
) -> None:
    alerts = open_by_repository(fake)
    target = sorted(alerts)[0]
    assert apply(fake, repo)[0] == EXIT_OK  # its issue is opened
    fake.archive_repo(target)
    for number in alerts[target]:  # fixed on GitHub; archived, so not read as fixed
        fake.set_alert_state(target, "code-scanning", number, "fixed")
    count = len(alerts[target])
    assert f"crit: {target} is archived: {count} alerts frozen" in plan_text(fake, repo)
    since = len(fake.requests())
    code, _, err = apply(fake, repo)
    assert (code, err) == (EXIT_OK, "")
    assert writes_to(fake, target, since) == []
    ledger = read_ledger(repo / "reports", "crit")
    assert all(m.state == "open" for m in ledger.members if m.repository == target)
    page = report(repo)
    assert f"- {escape_inline(target)} is archived: {count} alerts frozen" in page
    assert f"; {count} frozen in archived repositories)" in page

    fake.archive_repo(target, archived=False)
    code, out, _ = apply(fake, repo)
    assert code == EXIT_OK
    assert f"done crit: close tracking issue {target}#" in out
    assert read_ledger(repo / "reports", "crit").held == ()


def test_archived_between_plan_and_apply_is_a_note_not_a_failure(
    fake: FakeGitHub, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    alerts = open_by_repository(fake)
    target = sorted(alerts)[0]
    assert apply(fake, repo)[0] == EXIT_OK
    fake.set_alert_state(target, "code-scanning", alerts[target][0], "fixed")  # an update
    code, out, err = apply(fake, repo, between=lambda: fake.archive_repo(target))
    assert code == EXIT_OK, err
    assert "failed" not in err
    assert f"note: crit: {target} is archived:" in out
    assert "Repository was archived so is read-only." not in out  # GitHub's text, explained
    assert f"{target} is archived, so it is read-only (403)" in out
    held = read_ledger(repo / "reports", "crit").held
    assert held == (HeldRepository(target, "archived", STAMP, "write"),)
    # The job summary says it too, escaped as all its text is.
    assert f"> crit: {escape_inline(target)} is archived:" in summary.read_text(encoding="utf-8")


def test_the_tracker_tells_a_refusal_by_the_repository_from_other_failures(
    fake: FakeGitHub,
) -> None:
    transport = transport_for(fake)
    target = sorted(open_by_repository(fake))[0]
    opened = tracker.create_issue(
        transport, target, title="t", body="b", labels=("x",), find_existing=lambda _: False
    )

    def refusal(write: Callable[[], object], *, creating: bool = False) -> str | None:
        with pytest.raises(tracker.TrackerError) as caught:
            write()
        return tracker.refused_because(caught.value, creating_issue=creating)

    def create() -> object:
        return tracker.create_issue(
            transport, target, title="t", body="b", labels=("x",), find_existing=lambda _: False
        )

    fake.set_feature(target, "has_issues", False)
    assert refusal(create, creating=True) == "issues-off"
    assert refusal(lambda: tracker.comment(transport, target, opened.number, "c")) == "issues-off"
    fake.set_feature(target, "has_issues", True)
    fake.archive_repo(target)
    assert refusal(lambda: tracker.close_issue(transport, target, opened.number)) == "archived"
    fake.archive_repo(target, archived=False)
    # Anything else is a failure as before: here, an issue that is not there.
    assert refusal(lambda: tracker.close_issue(transport, target, 999)) is None
