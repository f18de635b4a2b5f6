"""github/tracker/autofix.py over real HTTP against the fake GitHub: an Autofix request and
what GitHub may answer to it.
"""

from __future__ import annotations

import pytest
from testing.fake_github import FakeGitHub
from testing.tracker_client import (
    CheckedTransport,
    repo_of,
    writes,
)

from campaign_sync.github import tracker
from campaign_sync.github.tracker import TrackerError

# -- autofix -------------------------------------------------------------------------------


def test_request_autofix(fake: FakeGitHub, transport: CheckedTransport) -> None:
    repo = repo_of(fake)
    codeql = fake.add_alert(repo, "code-scanning", rule="py/sql-injection")
    semgrep_rule = next(r.id for r in fake.catalog.rules if r.tool.name != "CodeQL")
    semgrep = fake.add_alert(repo, "code-scanning", rule=semgrep_rule)
    fixed = fake.add_alert(repo, "code-scanning", rule="py/sql-injection")
    fake.set_alert_state(repo, "code-scanning", fixed, "fixed")
    before = writes(fake)

    assert tracker.request_autofix(transport, repo, codeql) == "pending"
    assert writes(fake) - before == 1  # once
    assert tracker.request_autofix(transport, repo, semgrep) == tracker.AUTOFIX_UNSUPPORTED
    assert tracker.request_autofix(transport, repo, fixed) == tracker.AUTOFIX_NOT_OPEN
    fake.clock.advance(10)
    assert tracker.request_autofix(transport, repo, codeql) == "success"  # exists: 200
    assert [body for _, _, body in transport.bodies] == [None] * 4
    with pytest.raises(TrackerError, match=f"code scanning alert #9999 was not found in {repo}"):
        tracker.request_autofix(transport, repo, 9999)
