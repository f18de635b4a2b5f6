"""Whose issue is it: adoption by the tool's identity, and duplicates of two runs healed.

Over real HTTP against the fake GitHub. A member of an application repository can open an
issue with the tool's label and a copy of its marker, or forge another campaign's section
into a tracking issue; two applies can run at once (a run by hand next to the scheduled
one). None of it may hijack, hide or duplicate a tracking issue.
"""

from __future__ import annotations

import io
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.commands.apply import run_apply
from campaign_sync.github import tracker
from campaign_sync.github.identity import same_login
from campaign_sync.issue_markers import TOOL_LABEL, find_markers, start_marker
from campaign_sync.ledger import read_ledger
from campaign_sync.sources.github import GitHubSource

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def campaign_text(name: str) -> str:
    return (
        f"name: {name}\n"
        "description: Fix the critical and high code scanning alerts.\n"
        "managers: [mona]\n"
        "contact: https://github.com/orgs/acme/discussions/1\n"
        "ends: 2027-03-31\n"
        "state: active\n"
        "select:\n"
        "  alerts: [code-scanning]\n"
        "  severity: [critical, high]\n"
    )


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=4, alerts=80, seed=5)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    (root / "campaigns").mkdir(parents=True)
    (root / "campaign-sync.yml").write_text(
        "organizations: [acme]\nsafety: {min-issues-for-threshold: 1000}\n", encoding="utf-8"
    )
    (root / "campaigns" / "crit.yml").write_text(campaign_text("Critical"), encoding="utf-8")
    return root


def apply(fake: FakeGitHub, root: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    transport = transport_for(fake)
    sources = [GitHubSource(transport_for(fake), "acme")]
    code = run_apply(root, sources, transport, out=out, err=err, now=NOW)
    return code, out.getvalue(), err.getvalue()


def targets(fake: FakeGitHub) -> list[str]:
    result = GitHubSource(transport_for(fake), "acme").fetch()
    archived = {r.full_name for r in result.repositories if r.archived}
    return sorted(
        {
            a.repository
            for a in result.alerts
            if a.type == "code-scanning"
            and a.is_open
            and a.severity in ("critical", "high")
            and a.repository not in archived
        }
    )


def labelled(fake: FakeGitHub, repository: str) -> list[tracker.IssueRef]:
    return list(tracker.list_issues_with_label(transport_for(fake), repository, TOOL_LABEL))


def viewer_queries(fake: FakeGitHub) -> int:
    return sum(1 for e in fake.requests() if e["method"] == "POST" and "graphql" in e["path"])


# --- finding 3: a copied marker ----------------------------------------------------------


def test_a_members_look_alike_issue_is_not_adopted_and_the_tool_opens_its_own(
    fake: FakeGitHub, repo: Path
) -> None:
    """Before: the member's issue was adopted, their text kept, and no issue of the tool's."""
    target = targets(fake)[0]
    mallory = fake.add_token(user="mallory")
    body = f"{start_marker('crit', target)}\nI own this now.\n<!-- campaign-sync:end -->"
    forged = tracker.create_issue(
        transport_for(fake, mallory),
        target,
        title="Security campaign",
        body=body,
        labels=(TOOL_LABEL,),
        find_existing=lambda issue: False,
    )
    code, out, err = apply(fake, repo)
    assert code == 0, err
    issues = labelled(fake, target)
    theirs = next(i for i in issues if i.number == forged.number)
    assert (theirs.body, theirs.state) == (body, "open")  # left alone
    ours = [i for i in issues if i.number != forged.number]
    assert len(ours) == 1
    assert same_login(ours[0].author, "mona")
    assert read_ledger(repo / "reports", "crit").issue_map()[target].number == ours[0].number
    assert f"{target}#{forged.number} carries this campaign's marker" in out
    assert "opened by mallory" in out


def test_an_ordinary_apply_never_asks_who_the_tool_is(fake: FakeGitHub, repo: Path) -> None:
    fake.reset_stats()
    apply(fake, repo)
    creates = [e for e in fake.requests() if e["method"] == "POST" and "/issues" in e["path"]]
    assert creates
    assert viewer_queries(fake) == 0  # no candidate for adoption: no identity needed


def test_a_forged_section_of_another_campaign_does_not_make_it_adopt_the_issue(
    fake: FakeGitHub, repo: Path
) -> None:
    """Before: B adopted A's issue through a section forged into it, and A's close then
    hid B's open alerts."""
    apply(fake, repo)
    target = targets(fake)[0]
    (a_issue,) = labelled(fake, target)
    # Put first: a reader of the first marker only took the issue for campaign B's.
    forged = f"{start_marker('other', target)}\nB\n<!-- campaign-sync:end -->\n\n{a_issue.body}"
    tracker.update_issue_body(
        transport_for(fake, fake.add_token(user="mallory")), target, a_issue.number, forged
    )
    (repo / "campaigns" / "other.yml").write_text(campaign_text("Other"), encoding="utf-8")
    code, _, err = apply(fake, repo)
    assert code == 0, err
    other = read_ledger(repo / "reports", "other").issue_map()[target]
    assert other.number != a_issue.number
    opened = {i.number: i for i in labelled(fake, target)}
    assert find_markers(opened[other.number].body) == (("other", target),)


# --- finding 4: two and three applies at once ----------------------------------------------


@pytest.mark.parametrize("runs", [2, 3])
def test_applies_at_once_leave_one_open_issue_per_repository_and_heal_the_rest(
    fake: FakeGitHub, repo: Path, tmp_path: Path, runs: int
) -> None:
    """Before: 5 of 6 repositories got two issues, and they stayed."""
    fake.config.write_delay = 0.02  # room for the runs to interleave
    # Each run writes one at a time, as GitHub asks; the runs' writes may overlap (a busy
    # shared machine made three runs wait out the one-at-a-time limit for 24 tries).
    fake.config.max_concurrent_writes = runs
    checkouts = [shutil.copytree(repo, tmp_path / f"run{n}") for n in range(runs)]
    start = threading.Barrier(runs)
    codes: list[int] = []

    def run(root: Path) -> None:
        start.wait()
        codes.append(apply(fake, root)[0])

    threads = [threading.Thread(target=run, args=(root,)) for root in checkouts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [0] * runs
    for target in targets(fake):
        issues = labelled(fake, target)
        open_ones = [i for i in issues if i.state == "open"]
        assert len(open_ones) == 1, (target, [(i.number, i.state) for i in issues])
        oldest = min(i.number for i in issues)
        assert open_ones[0].number == oldest
        for issue in issues:
            if issue.number != oldest:
                assert (issue.state, issue.state_reason) == ("closed", "duplicate")
        for root in checkouts:  # every run's ledger names the one kept
            assert read_ledger(root / "reports", "crit").issue_map()[target].number == oldest
