"""Our own client pointed at a fake GitHub, for tests and benchmarks."""

from __future__ import annotations

from typing import Any

from github import Auth

from campaign_sync.github.transport import Transport
from testing.fake_github import FakeGitHub


def transport_options(
    fake: FakeGitHub, token: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """Transport settings for ``fake``: its waits advance the fake's (simulated) clock
    instead of sleeping, so rate limits and write spacing cost no real time."""
    options: dict[str, Any] = {
        "auth": Auth.Token(token or fake.token),
        "api_url": fake.url,
        "sleep": fake.clock.advance,
        "clock": fake.clock.now,
        "timeout": 2.0,
        "seed": 1,
    }
    options.update(overrides)
    return options


def transport_for(fake: FakeGitHub, token: str | None = None, **overrides: Any) -> Transport:
    return Transport(**transport_options(fake, token, **overrides))
