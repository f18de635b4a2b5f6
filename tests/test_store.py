"""The alert store, and incremental listing through it against the fake GitHub."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.errors import SourceError
from campaign_sync.model import Alert, Repository
from campaign_sync.sources.github import GitHubSource
from campaign_sync.sources.incremental import StoreOptions
from campaign_sync.sources.store import (
    StoredListing,
    check_listing,
    load_listing,
    save_listing,
    store_path,
)

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def stored(alerts: tuple[Alert, ...] = (), **overrides: Any) -> StoredListing:
    values: dict[str, Any] = {
        "scope": "acme",
        "full_listing_at": "2026-11-27T06:00:00Z",
        "watermarks": {"code-scanning": "2026-11-27T05:00:00Z"},
        "alerts": alerts,
    }
    values.update(overrides)
    return StoredListing(**values)


text = st.text(max_size=20)
optional_text = st.none() | text


@st.composite
def alerts(draw: st.DrawFn) -> Alert:
    number = draw(st.integers(1, 10**6))
    return Alert(
        id=f"code-scanning:acme/web:{number}",
        type="code-scanning",
        repository="acme/web",
        state=draw(st.sampled_from(("open", "fixed", "dismissed"))),
        number=number,
        rule_id=draw(optional_text),
        severity=draw(st.sampled_from((None, "critical", "high"))),
        cwes=tuple(draw(st.lists(st.integers(1, 2000), max_size=3))),
        path=draw(optional_text),
        start_line=draw(st.none() | st.integers(0, 10**6)),
        fix_available=draw(st.none() | st.booleans()),
        updated_at=draw(st.sampled_from((None, "2026-11-27T05:00:00Z"))),
        message=draw(optional_text),
    )


@settings(max_examples=50)
@given(st.lists(alerts(), max_size=20, unique_by=lambda a: a.id))
def test_a_saved_listing_loads_back_equal(tmp_path_factory: Any, listed: list[Alert]) -> None:
    folder = tmp_path_factory.mktemp("store")
    listing = stored(tuple(listed))
    save_listing(folder, listing)
    assert load_listing(folder, "acme") == listing


def test_repositories_keep_has_issues_and_a_row_without_it_is_a_cache_miss(
    tmp_path: Path,
) -> None:
    off = Repository("acme/docs", id=7, archived=True, has_issues=False)
    listing = stored(repositories=(off,), repositories_listed_at="2026-11-28T05:00:00Z")
    save_listing(tmp_path, listing)
    assert load_listing(tmp_path, "acme") == listing
    # A row of seven fields (no has_issues): taking Issues to be on could plan issues
    # GitHub refuses for a day. Since version 2 every row must have its exact shape, so the
    # whole store is a cache miss (version 1 stores are one anyway).
    path = store_path(tmp_path, "acme")
    with gzip.open(path, "rb") as stream:
        lines = stream.read().splitlines()
    older = [line.replace(b",false]", b"]") if b'"repository"' in line else line for line in lines]
    with gzip.open(path, "wb") as stream:
        stream.write(b"\n".join(older) + b"\n")
    assert check_listing(tmp_path, "acme") == (
        None,
        "line 2: a repository row without its eight fields",
    )


def test_a_missing_corrupt_or_foreign_store_is_a_cache_miss(tmp_path: Path) -> None:
    assert load_listing(tmp_path, "acme") is None
    path = store_path(tmp_path, "acme")
    path.write_bytes(b"not gzip at all")
    assert load_listing(tmp_path, "acme") is None
    save_listing(tmp_path, stored())
    path.write_bytes(path.read_bytes()[:-9])  # truncated
    assert load_listing(tmp_path, "acme") is None
    with gzip.open(path, "wb") as stream:
        stream.write(b'{"version": 999, "scope": "acme"}\n')
    assert load_listing(tmp_path, "acme") is None
    save_listing(tmp_path, stored())
    assert load_listing(tmp_path, "beta") is None  # another organization's file name
    assert store_path(tmp_path, "../x/y").parent == tmp_path  # no way out of the folder


def test_saving_is_atomic_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    save_listing(tmp_path, stored())
    save_listing(tmp_path, stored())
    assert [p.name for p in tmp_path.iterdir()] == [store_path(tmp_path, "acme").name]


# --- incremental listing against the fake GitHub -----------------------------------------


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=6, alerts=900, seed=5)


def fetch(
    fake: FakeGitHub, folder: Path, now: datetime = NOW, token: str | None = None, **options: Any
) -> Any:
    transport = transport_for(fake, token)
    source = GitHubSource(transport, "acme", store=StoreOptions(folder, now=now, **options))
    before = fake.snapshot()
    result = source.fetch()
    after = fake.snapshot()
    counted = after["primary_counted"] - before["primary_counted"]
    return result, counted, after["total"] - before["total"]


def test_an_unchanged_organization_costs_one_counted_request_per_listing(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    first, first_counted, _ = fetch(fake, tmp_path)
    assert len(first.alerts) == 900
    assert first_counted >= 9  # 900 alerts: at least 9 pages of 100
    second, counted, requests = fetch(fake, tmp_path)
    assert second.alerts == first.alerts
    assert second.repositories == first.repositories  # from the store: listed within the day
    # One first page per listing (secret scanning's generic patterns are a listing of their
    # own). The store keeps no pages since version 2, so there is no conditional request: with
    # the same token these four were 304s (free) before; with Actions' new token each run
    # they were paid for anyway (the next test).
    assert counted == 4
    assert requests == 4


def test_a_new_token_each_run_pays_for_the_first_pages_only(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    # Actions mints a new App token each run, and GitHub's ETags belong to the token that
    # got them: the stored ETags never answer 304. The watermark still stops each listing
    # at its first page, so the run costs one counted read per listing, not a full listing.
    first, _, _ = fetch(fake, tmp_path)
    second, counted, requests = fetch(fake, tmp_path, token=fake.add_token(kind="installation"))
    assert second.alerts == first.alerts
    assert counted == requests == 4  # one per listing: secret scanning's generic apart


def test_repositories_are_listed_again_after_twenty_hours(fake: FakeGitHub, tmp_path: Path) -> None:
    first, _, _ = fetch(fake, tmp_path)
    name = first.repositories[0].full_name
    fake.archive_repo(name)
    soon, _, _ = fetch(fake, tmp_path, now=NOW + timedelta(hours=2))
    assert not {r.full_name: r for r in soon.repositories}[name].archived
    later, counted, _ = fetch(fake, tmp_path, now=NOW + timedelta(hours=21))
    assert {r.full_name: r for r in later.repositories}[name].archived
    assert counted == 5  # one page of repositories, one first page per listing


def test_a_changed_alert_is_listed_again_and_the_rest_comes_from_the_store(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    first, _, _ = fetch(fake, tmp_path)
    target = next(a for a in first.alerts if a.type == "dependabot" and a.is_open)
    fake.clock.advance(7200)
    fake.set_alert_state(
        target.repository, "dependabot", target.number, "dismissed", reason="fix_started"
    )
    second, counted, _ = fetch(fake, tmp_path)
    by_id = {a.id: a for a in second.alerts}
    assert by_id[target.id].state == "dismissed"
    assert len(second.alerts) == len(first.alerts)
    assert [a for a in second.alerts if a.id != target.id] == [
        a for a in first.alerts if a.id != target.id
    ]
    # One first page per listing (no stored pages, so no 304s), and the changed type's next
    # page at most.
    assert counted <= 5


def test_the_store_is_ignored_after_a_week_and_with_full_listing(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    fetch(fake, tmp_path)
    _, counted, _ = fetch(fake, tmp_path, now=NOW + timedelta(days=8))
    assert counted >= 9
    _, counted, _ = fetch(fake, tmp_path, now=NOW + timedelta(days=8), full_listing=True)
    assert counted >= 9
    # The full listings rewrote the store: the week counts from the last one (the
    # repositories, listed a day ago, are listed again, and one first page per listing).
    _, counted, _ = fetch(fake, tmp_path, now=NOW + timedelta(days=9))
    assert counted == 5


def test_a_new_alert_joins_from_an_incremental_listing(fake: FakeGitHub, tmp_path: Path) -> None:
    first, _, _ = fetch(fake, tmp_path)
    repository = first.alerts[0].repository
    fake.clock.advance(7200)
    number = fake.add_alert(repository, "code-scanning", severity="critical")
    second, _, _ = fetch(fake, tmp_path)
    assert f"code-scanning:{repository}:{number}" in {a.id for a in second.alerts}
    assert len(second.alerts) == len(first.alerts) + 1


def test_alerts_that_vanish_from_an_incremental_listing_stop_the_run(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    fetch(fake, tmp_path)
    fake.blank_alerts("acme", ["secret-scanning"])
    with pytest.raises(SourceError, match=r"no secret-scanning alerts at all.*lost access"):
        fetch(fake, tmp_path)


def test_an_unchanged_listing_does_not_rewrite_the_store(fake: FakeGitHub, tmp_path: Path) -> None:
    fetch(fake, tmp_path)
    path = store_path(tmp_path, "acme")
    before = path.stat().st_mtime_ns
    fetch(fake, tmp_path)
    assert path.stat().st_mtime_ns == before
    listed = fetch(fake, tmp_path)[0].alerts
    first = next(a for a in listed if a.is_open and a.type == "code-scanning")
    fake.clock.advance(7200)
    fake.set_alert_state(first.repository, first.type, first.number, "fixed")
    fetch(fake, tmp_path)
    assert path.stat().st_mtime_ns != before


def _by_number(alerts: tuple[Alert, ...], repository: str) -> list[tuple[str, int | None]]:
    return sorted((a.type, a.number) for a in alerts if a.repository == repository)


def test_a_renamed_repository_s_stored_alerts_take_its_new_name(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    """Renaming changes no alert: the incremental listing does not list them again, and the
    store must not keep them under the old name (another repository's, to the plan)."""
    first, _, _ = fetch(fake, tmp_path)
    old = first.repositories[0].full_name
    new = f"{old}-app"
    expected = _by_number(first.alerts, old)
    fake.rename_repo(old, new)
    # Within the day the repositories come from the store; a fix listed under the new name
    # is what tells the run where the repository went.
    fake.clock.advance(7200)
    fixed = next(a for a in first.alerts if a.repository == old and a.is_open)
    fake.set_alert_state(new, fixed.type, fixed.number or 0, "fixed")
    soon, _, _ = fetch(fake, tmp_path, now=NOW + timedelta(hours=2))
    assert _by_number(soon.alerts, old) == []
    assert _by_number(soon.alerts, new) == expected
    assert len(soon.alerts) == len(first.alerts)
    assert new in {r.full_name for r in soon.repositories}
    # And a listing of the repositories a day later agrees with the store.
    later, _, _ = fetch(fake, tmp_path, now=NOW + timedelta(hours=21))
    assert later.alerts == soon.alerts


def test_a_renamed_repository_is_followed_by_the_next_repository_listing(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    first, _, _ = fetch(fake, tmp_path)
    old = first.repositories[0].full_name
    expected = _by_number(first.alerts, old)
    fake.rename_repo(old, f"{old}-app")
    later, _, _ = fetch(fake, tmp_path, now=NOW + timedelta(hours=21))
    assert _by_number(later.alerts, old) == []
    assert _by_number(later.alerts, f"{old}-app") == expected


def test_an_advisory_change_waits_for_the_full_listing_and_the_plan_says_so(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    """Dependabot's `sort=updated` is "when the alert's state last changed": a new
    severity or a released patch moves no alert up, so an incremental listing keeps the
    stored values, says they are as of the last full listing, and the full listing a week
    later brings them."""
    first, _, _ = fetch(fake, tmp_path)
    target = next(
        a for a in first.alerts if a.type == "dependabot" and a.is_open and not a.fix_available
    )
    assert target.rule_id is not None
    severity = "low" if target.severity != "low" else "critical"
    fake.clock.advance(7200)
    fake.change_advisory(target.rule_id, severity=severity, first_patched_version="9.9.9")
    on_github = transport_for(fake).get(
        f"/repos/{target.repository}/dependabot/alerts/{target.number}"
    )
    assert on_github.data["security_vulnerability"]["severity"] == severity
    assert on_github.data["updated_at"] == target.updated_at  # not a state change

    soon, _, _ = fetch(fake, tmp_path, now=NOW + timedelta(hours=2))
    stale = {a.id: a for a in soon.alerts}[target.id]
    assert (stale.severity, stale.fix_available) == (target.severity, False)
    assert soon.notes == (
        "github:acme: listed incrementally: code scanning rule severity, CWEs and location; "
        "secret validity; Dependabot severity and fix availability are as of the full "
        "listing of 2026-11-28T06:00:00Z (one every 7 days; --full-listing refreshes them "
        "now): GitHub's sort=updated does not show their changes",
    )
    week, _, _ = fetch(fake, tmp_path, now=NOW + timedelta(days=7, hours=1))
    fresh = {a.id: a for a in week.alerts}[target.id]
    assert (fresh.severity, fresh.fix_available) == (severity, True)
    assert week.notes == ()  # a full listing: nothing stale to mention
