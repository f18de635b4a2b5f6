"""The alert store is untrusted (issue 13, finding 6): anyone who can write the Actions
cache can replace it. It holds no page GitHub sent (so no secret value a server sent
despite ``hide_secret``), a row of the wrong shape makes the whole store a cache miss said
on stderr, and a closed state only the store holds never closes a member: a close needs
this run's listing to have seen the alert."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from testing.clients import transport_for
from testing.fake_github import FakeGitHub
from testing.fake_github.config import FakeConfig
from testing.fake_github.render_alerts import secret_value
from testing.reconcile.scenario import Scenario, instant
from testing.reconcile.state import Normalizer, capture_fake
from testing.reconcile.world import STORE, World

from campaign_sync.sources.github import GitHubSource
from campaign_sync.sources.incremental import StoreOptions
from campaign_sync.sources.store import store_path

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
Rows = list[Any]


def fetch(fake: FakeGitHub, folder: Path, **options: Any) -> tuple[Any, int]:
    source = GitHubSource(transport_for(fake), "acme", store=StoreOptions(folder, now=NOW))
    before = fake.snapshot()["primary_counted"]
    result = source.fetch()
    return result, fake.snapshot()["primary_counted"] - before


def read_rows(path: Path) -> Rows:
    with gzip.open(path, "rb") as stream:
        return [orjson.loads(line) for line in stream.read().splitlines()]


def write_rows(path: Path, rows: Rows) -> None:
    with gzip.open(path, "wb") as stream:
        stream.write(b"".join(orjson.dumps(row) + b"\n" for row in rows))


def alert_rows(rows: Rows) -> list[list[Any]]:
    return [r for r in rows[1:] if isinstance(r, list) and r and r[0] != "repository"]


def column(rows: Rows, name: str) -> int:
    return list(rows[0]["fields"]).index(name)


# --- no page bodies, so no secret value -------------------------------------------------


def test_the_store_never_holds_a_secret_value_a_server_sent_despite_hide_secret(
    fake_github_factory: Any, tmp_path: Path
) -> None:
    fake = fake_github_factory(
        repos=4, alerts=300, seed=3, config=FakeConfig(ignore_hide_secret=True)
    )
    with fake.state.lock:
        org = fake.state.org("acme")
        assert org is not None
        secrets = [
            secret_value(a)
            for repo in org.repos.values()
            for a in fake.state.repo_alerts(repo, "secret-scanning")
        ]
    assert secrets
    # The knob works: the server sends the values although the client asks it not to.
    page = transport_for(fake).get("/orgs/acme/secret-scanning/alerts?hide_secret=true")
    assert any("secret" in item for item in page.data)

    fetch(fake, tmp_path)  # a full listing
    fetch(fake, tmp_path)  # an incremental one
    with gzip.open(store_path(tmp_path, "acme"), "rb") as stream:
        stored = stream.read().decode("utf-8")
    assert [s for s in secrets if s in stored] == []
    assert '"page"' not in stored


# --- every row validated: a bad store is a cache miss, said on stderr ---------------------


def _state(value: Any) -> Callable[[Rows], None]:
    def edit(rows: Rows) -> None:
        alert_rows(rows)[0][column(rows, "state")] = value

    return edit


def _other_repository(rows: Rows) -> None:
    row = alert_rows(rows)[0]
    row[column(rows, "id")] = row[column(rows, "id")].replace("acme/", "other/", 1)


def _number_as_text(rows: Rows) -> None:
    row = alert_rows(rows)[0]
    row[column(rows, "number")] = str(row[column(rows, "number")])


def _page_row(rows: Rows) -> None:
    rows.append(["page", "https://api.github.com/x", '"etag"', '[{"secret": "ghp_x"}]'])


def _duplicate(rows: Rows) -> None:
    rows.append(list(alert_rows(rows)[0]))


def _visibility(rows: Rows) -> None:
    next(r for r in rows[1:] if r[0] == "repository")[4] = "secret"


def _not_a_row(rows: Rows) -> None:
    rows.insert(2, "just text")


def _bad_stamp(rows: Rows) -> None:
    rows[0]["full_listing_at"] = "yesterday"


def _closed_row(rows: Rows) -> list[Any]:
    state = column(rows, "state")
    return next(r for r in alert_rows(rows) if r[state] in ("dismissed", "resolved"))


def _dismissed_by(value: Any, row: Callable[[Rows], list[Any]]) -> Callable[[Rows], None]:
    def edit(rows: Rows) -> None:
        row(rows)[column(rows, "dismissed_by")] = value

    return edit


def _comment(value: Any, row: Callable[[Rows], list[Any]]) -> Callable[[Rows], None]:
    def edit(rows: Rows) -> None:
        row(rows)[column(rows, "dismissed_comment")] = value

    return edit


def _open_row(rows: Rows) -> list[Any]:
    state = column(rows, "state")
    return next(r for r in alert_rows(rows) if r[state] == "open")


BAD = {
    "a state GitHub has not": (_state("pwned"), "line 2: an alert state that is none of"),
    "a state of the wrong type": (_state(1), "line 2: an alert state that is none of"),
    "an id of another repository": (_other_repository, "line 2: an id that is not TYPE:"),
    "a number as text": (_number_as_text, "line 2: an alert without a number"),
    "a raw page": (_page_row, "neither an alert nor a repository"),
    "an alert twice": (_duplicate, "an alert listed twice"),
    "a visibility GitHub has not": (_visibility, "a visibility that is none of"),
    "a line that is no row": (_not_a_row, "line 3: not a row"),
    "a header without a timestamp": (_bad_stamp, "line 1: full_listing_at is not a timestamp"),
    "who dismissed, not a login": (
        _dismissed_by("<img src=x>", _closed_row),
        "dismissed_by is not a login",
    ),
    "who dismissed, a user object": (
        _dismissed_by({"login": "mona"}, _closed_row),
        "dismissed_by is not a login",
    ),
    "a comment over the cap": (
        _comment("x" * 281, _closed_row),
        "dismissed_comment is not text of at most 280 characters",
    ),
    "a comment of another type": (
        _comment(["a"], _closed_row),
        "dismissed_comment is not text of at most 280 characters",
    ),
    "a dismissal on an open alert": (
        _comment("forged", _open_row),
        "dismissed_by or dismissed_comment on an alert neither dismissed nor resolved",
    ),
}


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=6, alerts=900, seed=5)


@pytest.mark.parametrize(("edit", "problem"), list(BAD.values()), ids=list(BAD))
def test_a_store_with_a_bad_row_is_a_cache_miss_said_on_stderr_and_all_is_listed_again(
    fake: FakeGitHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[Rows], None],
    problem: str,
) -> None:
    first, _ = fetch(fake, tmp_path)
    path = store_path(tmp_path, "acme")
    rows = read_rows(path)
    edit(rows)
    write_rows(path, rows)
    capsys.readouterr()
    again, counted = fetch(fake, tmp_path)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert str(path) in lines[0]
    assert "not used, listing every alert again" in lines[0]
    assert problem in lines[0]
    assert "Traceback" not in err
    assert counted >= 9  # the full listing: 900 alerts, 100 a page
    assert again.alerts == first.alerts
    assert again.repositories == first.repositories
    # The full listing rewrote the store: the next run uses it, silently.
    fetch(fake, tmp_path)
    assert capsys.readouterr().err == ""


def test_a_store_of_the_tool_s_first_version_is_a_cache_miss_said_once(
    fake: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch(fake, tmp_path)
    path = store_path(tmp_path, "acme")
    rows = read_rows(path)
    rows[0]["version"] = 1
    write_rows(path, rows)
    capsys.readouterr()
    fetch(fake, tmp_path)
    assert "written by another version of the tool" in capsys.readouterr().err


# --- the store alone never closes anything ------------------------------------------------


def _flip_to_fixed(path: Path, wanted: Callable[[str], bool]) -> list[str]:
    """Edit the store as an attacker with cache access would: open alerts become fixed."""
    rows = read_rows(path)
    state, fixed_at, ids = column(rows, "state"), column(rows, "fixed_at"), column(rows, "id")
    flipped = []
    for row in alert_rows(rows):
        if row[state] == "open" and wanted(row[ids]):
            row[state] = "fixed" if not row[ids].startswith("secret") else "resolved"
            row[fixed_at] = "2026-11-28T01:00:00Z"
            flipped.append(row[ids])
    write_rows(path, rows)
    return flipped


def test_closed_alerts_only_the_store_holds_are_unconfirmed_until_a_listing_sees_them(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    first, _ = fetch(fake, tmp_path)
    open_code = [a for a in first.alerts if a.type == "code-scanning" and a.is_open]
    forged, real = open_code[-1], open_code[-2]
    assert _flip_to_fixed(store_path(tmp_path, "acme"), {forged.id}.__contains__)
    fake.clock.advance(7200)
    fake.set_alert_state(real.repository, real.type, real.number or 0, "fixed")
    second, _ = fetch(fake, tmp_path)
    by_id = {a.id: a for a in second.alerts}
    assert by_id[forged.id].state == "fixed"  # what the store says: kept, but unconfirmed
    assert forged.id in second.unconfirmed
    assert by_id[real.id].state == "fixed"  # listed this run: confirmed
    assert real.id not in second.unconfirmed
    # Closed alerts the last listing saw are unconfirmed as well until listed again; none
    # that is open is.
    assert all(by_id[i].state != "open" for i in second.unconfirmed)


def test_an_edited_store_does_not_make_apply_close_an_issue_and_the_run_says_so(
    tmp_path: Path,
) -> None:
    """An attacker with write access to the Actions cache marks every open alert of one
    repository fixed in the store. Apply keeps its issues open and says why."""
    world = World(tmp_path / "w", Scenario(native=False))
    try:
        for cycle in range(2):
            world.begin(cycle)
            assert [run.code for run in world.converge(cycle)] == [0]
        normalizer = Normalizer(world.fake.url, renumber=False)
        issues = capture_fake(world.fake, normalizer).issues
        target = sorted({i.key.split(" ")[1] for i in issues if i.state == "open"})[0]
        open_before = sorted(i.key for i in issues if i.state == "open")
        world.fake.clock.set(instant(2).timestamp())
        world.checkout()  # main, and the store the cache holds
        (path,) = (world.workspace.work / STORE).glob("github-*.jsonl.gz")
        flipped = _flip_to_fixed(path, lambda i: i.split(":")[1] == target)
        assert flipped
        run = world.run(2)
        assert run.code == 0, run.output
        after = capture_fake(world.fake, normalizer).issues
        assert sorted(i.key for i in after if i.state == "open") == open_before
        assert "closed only in the cached alert store: kept open until a listing confirms" in (
            run.output
        )
    finally:
        world.close()
