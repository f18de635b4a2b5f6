"""The AlertSource contract (sources/base.py), checked on every kind of source."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from github import Auth
from testing.fake_github import FakeGitHub
from testing.fake_github.http_client import walk

from campaign_sync.github.transport import Transport
from campaign_sync.model import ALERT_TYPES, Alert
from campaign_sync.sources.base import AlertSource, SourceResult
from campaign_sync.sources.github import GitHubSource
from campaign_sync.sources.sarif import SarifSource
from campaign_sync.sources.snapshot import SnapshotSource

ROOT = Path(__file__).resolve().parents[1]
SARIF = ROOT / "tests" / "data" / "sarif"


def _github(fake: FakeGitHub) -> AlertSource:
    transport = Transport(auth=Auth.Token(fake.token), api_url=fake.url, seed=1)
    return GitHubSource(transport, "acme")


SOURCES: dict[str, Callable[[FakeGitHub], AlertSource]] = {
    "github": _github,
    "snapshot": lambda fake: SnapshotSource([ROOT / "examples" / "snapshot"]),
    "sarif": lambda fake: SarifSource([SARIF], repository="acme/scanned"),
}


@pytest.fixture(params=sorted(SOURCES))
def result(request: pytest.FixtureRequest, fake_github: FakeGitHub) -> SourceResult:
    source = SOURCES[request.param](fake_github)
    assert source.name.startswith(request.param)
    return source.fetch()


def test_alerts_are_sorted_by_id_and_unique(result: SourceResult) -> None:
    ids = [a.id for a in result.alerts]
    assert ids
    assert ids == sorted(set(ids))


def test_alerts_are_complete_values(result: SourceResult) -> None:
    for alert in result.alerts:
        assert isinstance(alert, Alert)
        assert alert.type in ALERT_TYPES
        assert alert.id.startswith(f"{alert.type}:{alert.repository}:")
        assert alert.state in ("open", "fixed", "dismissed", "resolved")
        assert "/" in alert.repository
        with pytest.raises(dataclasses.FrozenInstanceError):
            alert.state = "open"  # type: ignore[misc]


def test_repositories_are_sorted(result: SourceResult) -> None:
    names = [r.full_name for r in result.repositories]
    assert names == sorted(set(names))


def test_fetching_twice_gives_the_same_result(fake_github: FakeGitHub) -> None:
    for name, make in SOURCES.items():
        assert make(fake_github).fetch().alerts == make(fake_github).fetch().alerts, name


def test_no_secret_value_reaches_an_alert(fake_github: FakeGitHub) -> None:
    # The fake hands out secret values to a client that does not ask for hide_secret.
    pages = walk(fake_github.url, "/orgs/acme/secret-scanning/alerts", token=fake_github.token)
    secrets = {item["secret"] for page in pages for item in page.body if item.get("secret")}
    assert secrets
    fetched: Any = [dataclasses.asdict(a) for a in _github(fake_github).fetch().alerts]
    text = json.dumps(fetched)
    assert not any(secret in text for secret in secrets)
