"""A fake GitHub REST API for campaign-sync's tests and benchmarks, served over real HTTP.

Answers in the shapes of GitHub's OpenAPI description (see tests/test_fake_github_contract.py),
with real pagination, authentication and permissions, primary and secondary rate limits,
ETags, eventual consistency of search, deterministic fault injection and a request log.

    from testing.fake_github import FakeGitHub

    with FakeGitHub(repos=8, alerts=300, seed=1) as gh:
        ...  # gh.url, gh.token, gh.snapshot(), gh.clock.advance(60), gh.set_faults(rate=0.2)
"""

from .auth import make_jwt
from .catalog import Catalog
from .clock import Clock
from .config import FakeConfig, FaultConfig
from .fake import FakeGitHub
from .seed import seed_org
from .store import ALL_PERMISSIONS, State

__all__ = [
    "ALL_PERMISSIONS",
    "Catalog",
    "Clock",
    "FakeConfig",
    "FakeGitHub",
    "FaultConfig",
    "State",
    "make_jwt",
    "seed_org",
]
