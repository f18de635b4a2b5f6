"""A repository whose alerts were unreadable during the last full listing is listed again
by the next incremental run, not a week later (issue 14, item 10): sources/relist.py."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from testing.clients import transport_for
from testing.fake_github import FakeGitHub

from campaign_sync.commands.apply import run_apply
from campaign_sync.model import Alert, Repository
from campaign_sync.sources.github import GitHubSource
from campaign_sync.sources.incremental import StoreOptions
from campaign_sync.sources.relist import missing

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
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


def apply(fake: FakeGitHub, root: Path, hours: int, *, full: bool = False) -> tuple[str, int]:
    """One apply with the alert store, ``hours`` after NOW; (stdout, its requests)."""
    now = NOW + timedelta(hours=hours)
    store = StoreOptions(root / ".cache", now=now, full_listing=full, root=root)
    source = GitHubSource(transport_for(fake), "acme", store=store)
    out, err = io.StringIO(), io.StringIO()
    since = len(fake.requests())
    code = run_apply(root, [source], transport_for(fake), out=out, err=err, now=now)
    assert (code, err.getvalue()) == (0, ""), out.getvalue()
    return out.getvalue(), since


@pytest.fixture
def fake(fake_github_factory: Any) -> FakeGitHub:
    return fake_github_factory(repos=4, alerts=120, seed=5)


def unreadable_in_a_full_listing(fake: FakeGitHub, root: Path) -> str:
    """A first apply, then code scanning off in one of its repositories during a full
    listing: that repository's name."""
    (root / "campaigns").mkdir()
    (root / "campaign-sync.yml").write_text("organizations: [acme]\n", encoding="utf-8")
    (root / "campaigns" / "crit.yml").write_text(CAMPAIGN, encoding="utf-8")
    apply(fake, root, 0)
    ledger = (root / "reports" / "crit" / "ledger.tsv").read_text(encoding="utf-8")
    target = ledger.splitlines()[1].split("\t")[0].split(":")[1]
    fake.set_feature(target, "code_scanning", False)
    return target


def test_alerts_unreadable_in_the_full_listing_are_read_again_once_readable(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    target = unreadable_in_a_full_listing(fake, tmp_path)
    out, _ = apply(fake, tmp_path, 1, full=True)  # the weekly full listing misses them
    assert f"crit: {target}: " in out
    assert "not listed this run (unreadable, or deleted on GitHub)" in out
    fake.set_feature(target, "code_scanning", True)  # access is back; no alert changed

    out, since = apply(fake, tmp_path, 2)

    paths = [r["path"] for r in fake.requests(since)]
    relisted = f"/repos/{target}/code-scanning/alerts"
    assert any(path.startswith(relisted) for path in paths)
    assert "not listed this run" not in out
    assert "listed again, by repository, 1 repository where the ledgers have open alerts" in out
    # Now in the alert store: the next run lists nothing again.
    out, since = apply(fake, tmp_path, 3)
    assert not any(r["path"].startswith(relisted) for r in fake.requests(since))
    assert "listed again" not in out


def test_a_repository_still_unreadable_is_said_and_asked_again_next_run(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    target = unreadable_in_a_full_listing(fake, tmp_path)
    apply(fake, tmp_path, 1, full=True)
    out, _ = apply(fake, tmp_path, 2)
    assert f"still unreadable: {target} (code-scanning: " in out
    assert "not listed this run" in out  # the issue is still left as it is


def _alert(number: int, repository: str, state: str = "open") -> Alert:
    return Alert(
        id=f"code-scanning:{repository}:{number}",
        type="code-scanning",
        repository=repository,
        state=state,  # type: ignore[arg-type]
        severity="high",
        number=number,
    )


@given(
    st.sets(st.integers(1, 30), max_size=20),
    st.sets(st.integers(1, 30), max_size=20),
    st.sampled_from(["acme/web", "acme/old", "acme/gone"]),
)
def test_for_any_ledger_only_unseen_alerts_of_listed_live_repositories_are_wanted(
    expected_numbers: set[int], listed_numbers: set[int], repository: str
) -> None:
    repositories = [Repository("acme/web"), Repository("acme/old", archived=True)]
    listed = {a.id: a for a in (_alert(n, repository) for n in listed_numbers)}
    expected = {f"code-scanning:{repository}:{n}" for n in expected_numbers}
    wanted = missing(expected, listed, repositories, ("code-scanning",))
    unseen = len(expected_numbers - listed_numbers)
    if repository == "acme/web" and unseen:
        assert [(w.repository, w.alert_type, w.alerts) for w in wanted] == [
            ("acme/web", "code-scanning", unseen)
        ]
    else:
        assert wanted == []  # seen, archived (frozen) or not listed (deleted, renamed)
    assert missing(expected, listed, repositories, ("dependabot",)) == []
