"""github/tracker/native_campaigns.py over real HTTP against the fake GitHub: create, update
and close, GitHub's limits checked before sending, and a create whose answer is lost made
once.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from testing.fake_github import FakeGitHub
from testing.tracker_client import (
    ENDS,
    CheckedTransport,
    repo_of,
    writes,
)

from campaign_sync.errors import GitHubError
from campaign_sync.github import tracker
from campaign_sync.github.tracker import CampaignAlerts, TrackerError
from campaign_sync.github.transport import Transport

# -- native security campaigns -------------------------------------------------------------


def campaign_alerts(fake: FakeGitHub, transport: Transport, count: int = 3) -> CampaignAlerts:
    repo = repo_of(fake, 1)
    numbers = [fake.add_alert(repo, "code-scanning", line=10 + i) for i in range(count)]
    return CampaignAlerts(transport.get(f"/repos/{repo}").data["id"], tuple(numbers))


def test_native_campaign_create_update_close(fake: FakeGitHub, transport: CheckedTransport) -> None:
    alerts = campaign_alerts(fake, transport)
    before = writes(fake)
    created = tracker.create_native_campaign(
        transport,
        "acme",
        name="SQL injection burn-down",
        description="Fix every SQL injection alert before the Q1 audit.",
        ends_at=ENDS,
        managers=["mona"],
        team_managers=["appsec"],
        contact_link="https://github.com/orgs/acme/discussions/42",
        code_scanning_alerts=[
            alerts,
            {"repository_id": alerts.repository_id, "alert_numbers": [alerts.alert_numbers[0]]},
        ],
    )
    assert (created.name, created.state, created.ends_at) == (
        "SQL injection burn-down",
        "open",
        "2099-12-31T23:59:59Z",
    )
    assert (created.managers, created.team_managers) == (("mona",), ("appsec",))
    assert created.open_alerts == 3
    assert transport.bodies[-1][2]["code_scanning_alerts"] == [
        {"repository_id": alerts.repository_id, "alert_numbers": sorted(alerts.alert_numbers)}
    ]
    assert tracker.list_native_campaigns(transport, "acme") == (created,)

    updated = tracker.update_native_campaign(
        transport, "acme", created.number, description="Now due sooner.", ends_at="2098-01-01"
    )
    assert (updated.description, updated.ends_at) == ("Now due sooner.", "2098-01-01T23:59:59Z")
    assert transport.bodies[-1][2] == {
        "description": "Now due sooner.",
        "ends_at": "2098-01-01T23:59:59Z",
    }
    closed = tracker.close_native_campaign(transport, "acme", created.number)
    assert closed.state == "closed"
    assert closed.closed_at is not None
    assert transport.bodies[-1][2] == {"state": "closed"}
    assert tracker.get_native_campaign(transport, "acme", created.number) == closed
    assert tracker.list_native_campaigns(transport, "acme", state="open") == ()
    assert writes(fake) - before == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "n" * 51}, "the name is 51 characters long; GitHub allows at most 50"),
        (
            {"description": "d" * 256},
            "the description is 256 characters long; GitHub allows at most 255",
        ),
        (
            {"code_scanning_alerts": [CampaignAlerts(1, tuple(range(1, 1002)))]},
            "it has 1,001 alerts; GitHub allows at most 1,000 in a campaign",
        ),
        ({"code_scanning_alerts": []}, "it has no code scanning alerts"),
        ({"managers": ["mona", "octocat"]}, "it names 2 user managers; GitHub takes at most 1"),
        ({"contact_link": "discussions/42"}, "the contact link 'discussions/42' is not"),
    ],
)
def test_native_campaign_limits_are_checked_before_sending(
    fake: FakeGitHub, transport: CheckedTransport, fields: dict[str, Any], message: str
) -> None:
    options: dict[str, Any] = {
        "name": "SQL injection",
        "description": "Fix them.",
        "ends_at": ENDS,
        "code_scanning_alerts": [CampaignAlerts(1, (1,))],
    }
    options.update(fields)
    with pytest.raises(GitHubError) as caught:
        tracker.create_native_campaign(transport, "acme", **options)
    text = str(caught.value)
    assert text.startswith(f"creating the security campaign {options['name']!r} in acme: ")
    assert message in text
    assert text.endswith("Nothing was sent.")
    update = {k: v for k, v in fields.items() if k != "code_scanning_alerts"}
    if update:
        with pytest.raises(GitHubError, match=re.escape(message)):
            tracker.update_native_campaign(transport, "acme", 1, **update)
    assert fake.snapshot()["total"] == 0


def test_the_eleventh_open_campaign_is_refused_with_a_clear_message(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    alerts = campaign_alerts(fake, transport, count=1)
    for i in range(tracker.MAX_OPEN_CAMPAIGNS):
        tracker.create_native_campaign(
            transport,
            "acme",
            name=f"c{i}",
            description="d",
            ends_at=ENDS,
            code_scanning_alerts=[alerts],
        )
    with pytest.raises(TrackerError) as caught:
        tracker.create_native_campaign(
            transport,
            "acme",
            name="one too many",
            description="d",
            ends_at=ENDS,
            code_scanning_alerts=[alerts],
        )
    assert caught.value.status == 422
    assert str(caught.value) == (
        "creating the security campaign 'one too many' in acme: Organization has reached the "
        "maximum of 10 open campaigns (422). GitHub allows 10 open security campaigns in an "
        "organization: close one in acme first"
    )


def test_native_campaign_whose_answer_is_lost_is_created_once(
    fake: FakeGitHub, transport: CheckedTransport
) -> None:
    alerts = campaign_alerts(fake, transport)
    before = writes(fake)
    transport.lose_next_answer(applied=True)
    created = tracker.create_native_campaign(
        transport,
        "acme",
        name="Once",
        description="Only once.",
        ends_at=ENDS,
        code_scanning_alerts=[alerts],
    )
    assert writes(fake) - before == 1
    assert tracker.list_native_campaigns(transport, "acme") == (created,)
