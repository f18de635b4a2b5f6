"""Crashes: a real `campaign-sync apply --commit` process killed with SIGKILL at chosen points
(a write request held by the fake before or after it is applied, `git commit`, `git push`),
run again until it succeeds, ends exactly as a run that was never killed: every issue and
its number, comment, native campaign and autofix request, the campaigns repository's files
and its whole git history (bench/crash.py's check, on the CI budget). `python
bench/crash.py --points N` tries N points of every day. The last three tests are the two
defects the suite found (fixed in 7710bf5): a native campaign created twice, and a commit
message that did not name ledger changes an uncommitted run had written."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.crash import FAILURES, Reference, point_of, reference, run_point
from testing.reconcile import checks
from testing.reconcile.crash import CrashPoint, crash, recover
from testing.reconcile.scenario import Scenario
from testing.reconcile.world import World

# Day 0 without a native campaign, so crashes among its creates and
# autofix requests test those alone.
PLAIN = Scenario(native=False)
MIRRORED = Scenario()


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    return reference(tmp_path_factory.mktemp("plain"), PLAIN, 2)


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    return reference(tmp_path_factory.mktemp("mirrored"), MIRRORED, 5)  # days 0 to 4


def no_findings(found: dict[str, list[str]]) -> dict[str, list[str]]:
    assert set(found) == set(FAILURES)
    return {name: items for name, items in found.items() if items}


@pytest.mark.parametrize(
    ("write", "nth", "when", "recovery"),
    [
        ("POST issues", 2, "after", "fresh"),  # created, the answer never arrived
        ("POST issues", 5, "before", "same"),
        ("POST autofix", 3, "after", "same"),
    ],
)
def test_a_crash_among_creates_converges(
    tmp_path: Path, plain: Reference, write: str, nth: int, when: str, recovery: str
) -> None:
    point = CrashPoint(0, "write", point_of(plain, 0, write, nth), when, recovery)
    assert no_findings(run_point(tmp_path, PLAIN, point, plain, days_after=1)) == {}


@pytest.mark.parametrize(
    ("cycle", "write", "nth", "when", "recovery"),
    [
        (2, "POST issues", 1, "after", "same"),  # a new campaign's first issue
        (3, "POST comments", 2, "after", "fresh"),  # "due date passed", posted, unanswered
        (4, "PATCH issues", 1, "after", "fresh"),  # an issue closed, then the kill
        (4, "POST comments", 3, "before", "same"),
    ],
)
def test_a_crash_among_updates_comments_and_closes_converges(
    tmp_path: Path,
    mirrored: Reference,
    cycle: int,
    write: str,
    nth: int,
    when: str,
    recovery: str,
) -> None:
    point = CrashPoint(cycle, "write", point_of(mirrored, cycle, write, nth), when, recovery)
    assert no_findings(run_point(tmp_path, MIRRORED, point, mirrored, days_after=0)) == {}


@pytest.mark.parametrize(
    ("step", "recovery"), [("commit", "fresh"), ("push", "fresh"), ("push", "same")]
)
def test_a_crash_in_git_converges(
    tmp_path: Path, plain: Reference, step: str, recovery: str
) -> None:
    point = CrashPoint(1, "git", 0, step, recovery)
    assert no_findings(run_point(tmp_path, PLAIN, point, plain, days_after=0)) == {}


def test_the_crash_really_happens_where_asked(tmp_path: Path, plain: Reference) -> None:
    """The process is killed while the fake holds the write: the write was applied (after)
    and the run never got to write its ledger or commit."""
    create = point_of(plain, 0, "POST issues", 1)
    with World(tmp_path, PLAIN) as world:
        world.begin(0)
        crashed = crash(world, CrashPoint(0, "write", create, "after"))
        assert crashed.reached
        assert crashed.code == -9
        assert crashed.detail.startswith("held POST /repos/acme/")
        assert crashed.detail.endswith("/issues")
        assert world.interposer.writes == create
        assert not (world.workspace.work / "reports").exists()
        assert len(world.workspace.history()) == 1  # only the campaigns
        runs = recover(world, CrashPoint(0, "write", create, "after"))
        assert [run.code for run in runs] == [0]
        assert "open tracking issue" in runs[0].stdout


def test_a_crash_after_the_native_campaign_is_created_makes_no_second_one(
    tmp_path: Path, mirrored: Reference
) -> None:
    point = CrashPoint(0, "write", point_of(mirrored, 0, "POST campaigns"), "after", "fresh")
    assert no_findings(run_point(tmp_path, MIRRORED, point, mirrored, days_after=0)) == {}


def test_a_crash_before_git_commit_in_the_same_tree_commits_an_honest_message(
    tmp_path: Path, plain: Reference
) -> None:
    point = CrashPoint(1, "git", 0, "commit", "same")
    assert no_findings(run_point(tmp_path, PLAIN, point, plain, days_after=0)) == {}


def test_apply_then_apply_commit_commits_an_honest_message(tmp_path: Path) -> None:
    with World(tmp_path, PLAIN) as world:
        world.begin(0)
        assert world.run(0).code == 0
        world.begin(1)
        assert world.run(1, ("apply", "--source", "github:acme")).code == 0
        committed = world.run(1)
        assert committed.code == 0
        assert "committed" in committed.stdout
        history = world.workspace.history()
        assert checks.commit_mismatches(history) == []
