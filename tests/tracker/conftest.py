"""The fixtures of the GitHub client's tests (one module each of github/tracker/): a small
fake GitHub, and a checked transport to it (testing/tracker_client.py).

Every request these tests send, body included, is validated against GitHub's official
description by the contract harness (testing/contract), as every exchange with the fake is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from testing.fake_github import FakeGitHub
from testing.tracker_client import CheckedTransport, Factory, transport_for


@pytest.fixture
def fake(fake_github_factory: Factory) -> FakeGitHub:
    return fake_github_factory(repos=4, alerts=40, seed=7)


@pytest.fixture
def transport(fake: FakeGitHub) -> Iterator[CheckedTransport]:
    checked = transport_for(fake)
    yield checked
    checked.close()
