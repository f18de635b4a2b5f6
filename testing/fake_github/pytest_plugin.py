"""pytest fixtures for the fake GitHub. Register with ``pytest_plugins`` in a conftest.

``fake_github``: a started FakeGitHub per test, small seeded org ``acme`` (8 repositories,
300 alerts, seed 1234) on a simulated clock (advance it with ``fake_github.clock.advance``).
``fake_github_factory``: build customised fakes (``factory(repos=..., faults=...)``); each is
stopped at the end of the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .fake import FakeGitHub

DEFAULTS: dict[str, Any] = {"repos": 8, "alerts": 300, "seed": 1234, "simulated_clock": True}


@pytest.fixture
def fake_github_factory() -> Iterator[Callable[..., FakeGitHub]]:
    started: list[FakeGitHub] = []

    def make(**kwargs: Any) -> FakeGitHub:
        fake = FakeGitHub(**{**DEFAULTS, **kwargs}).start()
        started.append(fake)
        return fake

    yield make
    for fake in started:
        fake.stop()


@pytest.fixture
def fake_github(fake_github_factory: Callable[..., FakeGitHub]) -> FakeGitHub:
    return fake_github_factory()
