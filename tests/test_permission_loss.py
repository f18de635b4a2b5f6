"""Permission loss: a token revoked or stripped of a permission mid-run, alert listings that
suddenly return nothing, an archived repository. The safety rails hold (exit 1 with a
clear message, or nothing written where nothing is known), no issue is closed wrongly, the
ledger stays readable and true to what was done, and once access returns the next run ends
exactly as if access had never been lost (compared with a clean world of the same days)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from testing.reconcile import checks
from testing.reconcile.runner import TOKEN, Run
from testing.reconcile.scenario import Scenario
from testing.reconcile.state import FakeState, Normalizer, capture_fake, differences
from testing.reconcile.world import APPLY, STORE, World

from campaign_sync.ledger import read_ledger

SCENARIO = Scenario(native=False)


def live(world: World, days: range) -> None:
    for cycle in days:
        world.begin(cycle)
        runs = world.converge(cycle)
        assert [run.code for run in runs] == [0], runs[-1].output


def state(world: World) -> FakeState:
    return capture_fake(world.fake, Normalizer(world.fake.url, renumber=False))


def same_end(clean: World, other: World, *, files: bool = True) -> list[str]:
    """Differences between two worlds: GitHub, and the files of origin's main."""
    a = Normalizer(clean.fake.url, renumber=False)
    b = Normalizer(other.fake.url, renumber=False)
    found = differences("github", capture_fake(clean.fake, a), capture_fake(other.fake, b))
    if files:
        found += differences(
            "files",
            {p: a.file(p, t) for p, t in clean.workspace.tree().items()},
            {p: b.file(p, t) for p, t in other.workspace.tree().items()},
        )
    return found


def closed_wrongly(before: FakeState, after: FakeState, clean: FakeState) -> list[str]:
    """Issues the run closed that a run with full access did not close."""
    was = {i.key: i.state for i in before.issues}
    should = {i.key: i.state for i in clean.issues}
    return [
        i.key
        for i in after.issues
        if i.state == "closed" and was.get(i.key) == "open" and should.get(i.key) != "closed"
    ]


def ledgers_true(world: World) -> None:
    """Every ledger reads, and names only issues that exist, in the state they are in."""
    issues = {(i.key.split(" ")[1], i.number): i for i in state(world).issues}
    for campaign in checks.active_campaigns(world.workspace.work):
        ledger = read_ledger(world.workspace.work / "reports", campaign)
        for tracked in ledger.issues:
            issue = issues[(tracked.repository, tracked.number)]
            assert issue.key == f"{campaign} {tracked.repository}"
            assert issue.state == tracked.state


def clean_message(run: Run) -> None:
    assert run.code == 1, run.output
    assert not run.traceback, run.output
    assert TOKEN not in run.output
    assert TOKEN[4:] not in run.output


@pytest.fixture
def worlds(tmp_path: Path) -> Iterator[tuple[World, World]]:
    """(clean, lossy): two worlds of the same scenario, days 0 and 1 lived."""
    clean, lossy = World(tmp_path / "clean", SCENARIO), World(tmp_path / "lossy", SCENARIO)
    try:
        for world in (clean, lossy):
            live(world, range(2))
        yield clean, lossy
    finally:
        clean.close()
        lossy.close()


def test_a_token_revoked_mid_run_closes_nothing_and_the_next_run_converges(
    worlds: tuple[World, World],
) -> None:
    clean, lossy = worlds
    live(clean, range(2, 3))
    lossy.begin(2)  # a new campaign's issues to open, others to update
    before = state(lossy)
    lossy.interposer.on_request(2, lambda: lossy.fake.revoke_token(TOKEN), writes=True)
    run = lossy.run(2)
    clean_message(run)
    assert "failed " in run.stderr
    assert "GitHub rejected the credentials (401 Bad credentials)" in run.stderr
    assert "GITHUB_TOKEN" in run.stderr  # what to do about it
    assert closed_wrongly(before, state(lossy), state(clean)) == []
    ledgers_true(lossy)

    with lossy.fake.state.lock:  # a new token, as an administrator would issue
        lossy.fake.state.tokens[TOKEN].revoked = False
    runs = lossy.converge(2)
    assert runs[-1].code == 0
    assert same_end(clean, lossy) == []
    assert checks.lost_transitions(lossy.fake, lossy.workspace.work) == []


def test_a_token_revoked_while_listing_alerts_writes_nothing(
    worlds: tuple[World, World],
) -> None:
    clean, lossy = worlds
    live(clean, range(2, 3))
    lossy.begin(2)
    before, head, writes = state(lossy), lossy.workspace.head(), lossy.interposer.writes
    lossy.interposer.on_request(2, lambda: lossy.fake.revoke_token(TOKEN))
    run = lossy.run(2)
    clean_message(run)
    assert run.stderr.startswith("error: ")
    assert "401" in run.stderr
    assert lossy.interposer.writes == writes  # not one write
    assert state(lossy) == before
    assert lossy.workspace.head() == head  # nothing committed
    with lossy.fake.state.lock:
        lossy.fake.state.tokens[TOKEN].revoked = False
    assert lossy.converge(2)[-1].code == 0
    assert same_end(clean, lossy) == []


def test_the_issues_permission_lost_mid_run_then_granted_again(
    worlds: tuple[World, World],
) -> None:
    clean, lossy = worlds
    live(clean, range(2, 4))
    live(lossy, range(2, 3))
    lossy.begin(3)  # updates, then "due date passed" comments
    before = state(lossy)
    lossy.interposer.on_request(
        3, lambda: lossy.fake.remove_permission(TOKEN, "issues"), writes=True
    )
    run = lossy.run(3)
    clean_message(run)
    assert "Resource not accessible by integration" in run.stderr
    assert closed_wrongly(before, state(lossy), state(clean)) == []
    ledgers_true(lossy)
    lossy.fake.grant_permission(TOKEN, "issues")
    assert lossy.converge(3)[-1].code == 0
    assert same_end(clean, lossy) == []


def test_alerts_unreadable_stop_the_run_before_any_write(worlds: tuple[World, World]) -> None:
    clean, lossy = worlds
    live(clean, range(2, 3))
    lossy.begin(2)
    before, head, writes = state(lossy), lossy.workspace.head(), lossy.interposer.writes
    lossy.fake.remove_permission(TOKEN, "security_events")
    run = lossy.run(2)
    clean_message(run)
    assert run.stderr.startswith("error: the token may not read the code-scanning alerts")
    assert "security_events" in run.stderr
    assert (lossy.interposer.writes, state(lossy), lossy.workspace.head()) == (
        writes,
        before,
        head,
    )
    lossy.fake.grant_permission(TOKEN, "security_events")  # as it was: write
    assert lossy.converge(2)[-1].code == 0
    assert same_end(clean, lossy) == []


def forget_store(world: World) -> None:
    """A cache miss: the run lists every alert (as on the first run, or the weekly one)."""
    shutil.rmtree(world.workspace.work / STORE)


def reports(world: World) -> dict[Path, bytes]:
    work = world.workspace.work
    return {
        p.relative_to(work): p.read_bytes() for p in (work / "reports").rglob("*") if p.is_file()
    }


def test_an_organization_whose_alerts_vanish_is_refused(worlds: tuple[World, World]) -> None:
    clean, lossy = worlds
    live(clean, range(2, 3))
    lossy.begin(2)
    forget_store(lossy)
    before, head, writes, files = (
        state(lossy),
        lossy.workspace.head(),
        lossy.interposer.writes,
        reports(lossy),
    )
    lossy.fake.blank_alerts()
    run = lossy.run(2)
    clean_message(run)
    assert run.stderr.startswith("error: the source returned no alerts at all")
    assert "--force" in run.stderr
    assert (lossy.interposer.writes, state(lossy), lossy.workspace.head()) == (
        writes,
        before,
        head,
    )
    assert reports(lossy) == files  # not a byte of the ledger or the reports changed
    lossy.fake.blank_alerts(blank=False)
    assert lossy.converge(2)[-1].code == 0
    assert same_end(clean, lossy) == []


def test_an_organization_whose_alerts_vanish_is_refused_with_the_alert_store(
    worlds: tuple[World, World],
) -> None:
    clean, lossy = worlds
    live(clean, range(2, 3))
    lossy.begin(2)  # the store restored, as the reconcile workflow's actions/cache does
    assert (lossy.workspace.work / STORE).exists()
    before, head, writes = state(lossy), lossy.workspace.head(), lossy.interposer.writes
    lossy.fake.blank_alerts()
    run = lossy.run(2)
    clean_message(run)
    assert (lossy.interposer.writes, state(lossy), lossy.workspace.head()) == (
        writes,
        before,
        head,
    )
    lossy.fake.blank_alerts(blank=False)
    assert lossy.converge(2)[-1].code == 0
    assert same_end(clean, lossy) == []  # the new snapshot campaign's members as on GitHub


@pytest.mark.parametrize("store", [True, False], ids=["alert store", "full listing"])
def test_one_alert_type_vanishing_closes_nothing(worlds: tuple[World, World], store: bool) -> None:
    clean, lossy = worlds
    live(clean, range(2, 4))
    lossy.begin(2)
    if not store:
        forget_store(lossy)
    work = lossy.workspace.work
    before, members = state(lossy), read_ledger(work / "reports", "dependencies").members
    lossy.fake.blank_alerts(kinds=["dependabot"])
    run = lossy.run(2)
    assert run.code in (0, 1), run.output  # applied, or refused (see the xfail below)
    assert not run.traceback
    assert closed_wrongly(before, state(lossy), state(clean)) == []
    # The Dependabot members are still members, in the state last known: unknown is not fixed.
    assert read_ledger(work / "reports", "dependencies").members == members
    lossy.fake.blank_alerts(kinds=["dependabot"], blank=False)
    if run.code:
        assert lossy.converge(2)[-1].code == 0
    live(lossy, range(3, 4))
    # GitHub ends as in the clean world; the reports keep one day's counts as they were seen.
    assert same_end(clean, lossy, files=False) == []
    for campaign in checks.active_campaigns(work):
        ledger = (work / "reports" / campaign / "ledger.tsv").read_text(encoding="utf-8")
        assert ledger == clean.workspace.tree()[f"reports/{campaign}/ledger.tsv"]
    assert checks.lost_transitions(lossy.fake, work) == []


def test_a_campaign_whose_alerts_all_vanish_is_refused(worlds: tuple[World, World]) -> None:
    _, lossy = worlds
    lossy.begin(2)
    forget_store(lossy)
    before = state(lossy)
    lossy.fake.blank_alerts(kinds=["dependabot"])
    run = lossy.run(2)
    dependencies = [i for i in state(lossy).issues if i.key.startswith("dependencies ")]
    assert dependencies == [i for i in before.issues if i.key.startswith("dependencies ")]
    clean_message(run)
    assert "lost access" in run.stderr


def test_an_archived_repository_is_never_fixed_nor_written_to(
    worlds: tuple[World, World],
) -> None:
    _, lossy = worlds
    with lossy.fake.state.lock:
        org = lossy.fake.state.org("acme")
        assert org is not None
        tracked = sorted(
            {r.full_name for r in org.repos.values() for i in r.issues if i.state == "open"}
        )
    archived = tracked[0]
    lossy.fake.archive_repo(archived)
    for kind in ("code-scanning", "dependabot", "secret-scanning"):
        with lossy.fake.state.lock:
            repo = lossy.fake.state.repo(archived)
            assert repo is not None
            numbers = [a.number for a in lossy.fake.state.repo_alerts(repo, kind)]
        for number in numbers:
            lossy.fake.set_alert_state(
                archived, kind, number, "resolved" if kind == "secret-scanning" else "fixed"
            )
    open_before = [i.key for i in state(lossy).issues if archived in i.key and i.state == "open"]
    assert open_before
    since = len(lossy.fake.requests())
    live(lossy, range(2, 4))  # a new campaign, and the dependencies' due date passes
    written = [
        e["path"] for e in lossy.fake.requests()[since:] if e["write"] and archived in e["path"]
    ]
    assert written == []
    assert [i.key for i in state(lossy).issues if archived in i.key and i.state == "open"] == (
        open_before
    )
    lossy.begin(4)  # developers change alerts elsewhere; then the repository is unarchived
    lossy.fake.archive_repo(archived, archived=False)
    # The fixes were listed while it was archived (frozen): since then only the alert store
    # (an untrusted cache) has them, and the store alone never closes anything. The issues
    # stay open, and the run says why, until a listing confirms: the weekly full listing,
    # or at once with --full-listing.
    incremental = lossy.run(4)
    assert incremental.code == 0, incremental.output
    assert "closed only in the cached alert store" in incremental.output
    still_open = [i.key for i in state(lossy).issues if archived in i.key and i.state == "open"]
    assert still_open  # (an alert type this run listed again, if any, was confirmed)
    assert set(still_open) <= set(open_before)
    confirmed = lossy.run(4, (*APPLY, "--full-listing"))
    assert confirmed.code == 0, confirmed.output
    after = [i for i in state(lossy).issues if archived in i.key]
    assert after
    assert all(i.state == "closed" for i in after)
    # Closed because its alerts are fixed, now that they can be read: "All 11 alerts ...
    # are closed: 11 fixed, 0 dismissed."
    assert any(" are closed: " in i.comments[-1][1] for i in after if "critical" in i.key)
    assert checks.lost_transitions(lossy.fake, lossy.workspace.work) == []
    assert checks.duplicates(state(lossy)) == []
