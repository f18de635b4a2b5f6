"""details.tsv: severities and resolutions kept for offline rebuilds; merge rules; parse errors."""

from __future__ import annotations

import pytest

from campaign_sync.errors import ConfigError
from campaign_sync.model import Alert, Member
from campaign_sync.reports.details import (
    HEADER,
    UNKNOWN,
    Detail,
    merge_details,
    parse_details,
    render_details,
)

JOINED = "2026-11-28T06:00:00Z"


def member(alert_id: str, state: str = "open") -> Member:
    return Member(alert_id, state, JOINED, JOINED)  # type: ignore[arg-type]


def code(number: int, severity: str | None = "high", state: str = "open") -> Alert:
    return Alert(
        id=f"code-scanning:acme/web:{number}",
        type="code-scanning",
        repository="acme/web",
        state=state,  # type: ignore[arg-type]
        number=number,
        severity=severity,
    )


def secret(number: int, reason: str | None, state: str = "resolved") -> Alert:
    return Alert(
        id=f"secret-scanning:acme/web:{number}",
        type="secret-scanning",
        repository="acme/web",
        state=state,  # type: ignore[arg-type]
        number=number,
        state_reason=reason,
    )


def test_seen_alerts_give_their_severity_unseen_ones_keep_the_record() -> None:
    previous = {"code-scanning:acme/web:2": Detail("code-scanning:acme/web:2", "critical")}
    merged = merge_details(
        [member("code-scanning:acme/web:1"), member("code-scanning:acme/web:2")],
        previous,
        {"code-scanning:acme/web:1": code(1, "HIGH")},
    )
    assert merged == {
        "code-scanning:acme/web:1": Detail("code-scanning:acme/web:1", "high"),
        "code-scanning:acme/web:2": Detail("code-scanning:acme/web:2", "critical"),
    }


def test_offline_merge_keeps_the_file_as_it_is() -> None:
    previous = {"code-scanning:acme/web:2": Detail("code-scanning:acme/web:2", "critical")}
    members = [member("code-scanning:acme/web:2")]
    assert merge_details(members, previous, None) == previous


def test_a_severity_outside_the_four_is_unknown_and_members_that_left_are_dropped() -> None:
    previous = {"code-scanning:acme/web:9": Detail("code-scanning:acme/web:9", "low")}
    merged = merge_details(
        [member("code-scanning:acme/web:1")],
        previous,
        {"code-scanning:acme/web:1": code(1, "error")},
    )
    assert merged == {"code-scanning:acme/web:1": Detail("code-scanning:acme/web:1", UNKNOWN)}


@pytest.mark.parametrize(
    ("reason", "closed_as"),
    [
        ("revoked", "fixed"),
        (None, "fixed"),
        ("false_positive", "dismissed"),
        ("wont_fix", "dismissed"),
    ],
)
def test_resolved_secrets_are_recorded_as_fixed_or_dismissed(
    reason: str | None, closed_as: str
) -> None:
    alert_id = "secret-scanning:acme/web:3"
    merged = merge_details([member(alert_id, "resolved")], {}, {alert_id: secret(3, reason)})
    assert merged[alert_id] == Detail(alert_id, UNKNOWN, closed_as)


def test_resolution_is_kept_while_unseen_and_cleared_when_the_alert_reopens() -> None:
    alert_id = "secret-scanning:acme/web:3"
    recorded = {alert_id: Detail(alert_id, UNKNOWN, "dismissed")}
    assert merge_details([member(alert_id, "resolved")], recorded, {}) == recorded
    reopened = merge_details([member(alert_id, "open")], recorded, {})
    assert reopened[alert_id].closed_as == UNKNOWN


def test_an_alert_seen_in_another_state_than_the_ledger_does_not_overwrite_its_resolution() -> None:
    alert_id = "secret-scanning:acme/web:3"
    recorded = {alert_id: Detail(alert_id, UNKNOWN, "dismissed")}
    seen_open = {alert_id: secret(3, None, state="open")}
    assert merge_details([member(alert_id, "resolved")], recorded, seen_open) == recorded


def test_render_is_sorted_one_line_per_alert_and_round_trips() -> None:
    details = {
        "code-scanning:acme/web:2": Detail("code-scanning:acme/web:2", "critical"),
        "code-scanning:acme/api:1": Detail("code-scanning:acme/api:1", "low"),
        "secret-scanning:acme/web:3": Detail("secret-scanning:acme/web:3", UNKNOWN, "fixed"),
    }
    text = render_details(details)
    assert text == (
        f"{HEADER}\n"
        "code-scanning:acme/api:1\tlow\t-\n"
        "code-scanning:acme/web:2\tcritical\t-\n"
        "secret-scanning:acme/web:3\t-\tfixed\n"
    )
    assert parse_details(text, "d.tsv") == details


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# something else\n", 1),
        (f"{HEADER}\ncode-scanning:acme/web:1\thigh\n", 2),
        (f"{HEADER}\ncode-scanning:acme/web:1\tsevere\t-\n", 2),
        (f"{HEADER}\ncode-scanning:acme/web:1\thigh\tmaybe\n", 2),
        (f"{HEADER}\nnot-an-id\thigh\t-\n", 2),
        (f"{HEADER}\na:b/c:1\thigh\t-\na:b/c:1\tlow\t-\n", 3),
    ],
)
def test_a_broken_file_names_the_line(text: str, line: int) -> None:
    with pytest.raises(ConfigError, match=rf"^d\.tsv:{line}: "):
        parse_details(text, "d.tsv")
