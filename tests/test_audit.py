"""The pure core of `history`: an alert's line found by its whole id, its events, pull
requests told from commit subjects, member counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign_sync.audit import (
    AlertEvent,
    MemberCount,
    Sighting,
    alert_events,
    count_changes,
    count_members,
    find_member,
    pull_request,
)
from campaign_sync.ledger import render_members
from campaign_sync.model import CampaignLedger, Member

T = "2026-11-01T06:00:00Z"

# Ids that are prefixes of one another, as a text search confuses them.
numbers = st.sampled_from(["1", "11", "111", "12", "2", "sarif/x/1", "sarif/x/11"])
ids = st.builds(
    lambda kind, repo, number: f"{kind}:{repo}:{number}",
    st.sampled_from(["code-scanning", "dependabot"]),
    st.sampled_from(["acme/web", "acme/web2", "acme/we"]),
    numbers,
)


@given(st.sets(ids, max_size=12), ids)
def test_an_alert_s_line_is_found_by_its_whole_id_and_no_other(
    present: set[str], wanted: str
) -> None:
    members = tuple(
        Member(i, "dismissed", T, T, "won't fix", "mona", f"about {wanted}\tand {i}")
        for i in sorted(present)
    )
    data = render_members(CampaignLedger("sqli", members=members)).encode()
    found = find_member(data, wanted)
    if wanted in present:
        assert found is not None
        assert found == next(m for m in members if m.alert_id == wanted)
    else:
        assert found is None


def test_a_line_that_does_not_parse_is_no_member() -> None:
    data = b"# header\ncode-scanning:acme/web:1\topen\tyesterday\ttoday\n"
    assert find_member(data, "code-scanning:acme/web:1") is None


def _seen(commit: str, member: Member | None) -> Sighting:
    return Sighting("sqli", commit, T, member)


def test_events_are_joins_state_changes_closings_and_leaves_not_other_lines() -> None:
    open_ = Member("a:b/c:1", "open", T, T)
    dismissed = Member("a:b/c:1", "dismissed", T, T, "won't fix")
    said = dismissed._replace(by="mona", comment="why")
    found = alert_events(
        [
            _seen("c0", None),
            _seen("c1", open_),
            _seen("c2", open_),  # another line of the file changed
            _seen("c3", dismissed),
            _seen("c4", said),
            _seen("c5", None),
            _seen("c6", None),
            _seen("c7", open_),
        ]
    )
    assert found == (
        AlertEvent("joined", "c1", T, open_, None),
        AlertEvent("state", "c3", T, dismissed, open_),
        AlertEvent("closing", "c4", T, said, dismissed),
        AlertEvent("left", "c5", T, None, said),
        AlertEvent("joined again", "c7", T, open_, None),
    )


@pytest.mark.parametrize(
    ("change", "bringer", "parents", "subject", "expected"),
    [
        ("c", "m", 2, "Merge pull request #7 from acme/narrow", (7, "merge", "m")),
        ("c", "m", 2, "Merge branch 'main' into narrow", None),
        ("c", "m", 2, "Squash-looking merge (#9)", None),
        ("s", "s", 1, "Narrow to production (#15)", (15, "squash", "s")),
        ("s", "s", 1, "Narrow to production (#15)  ", (15, "squash", "s")),
        ("s", "s", 1, "Fix #15 in the text", None),
        ("s", "s", 1, "Merge pull request #7 from acme/narrow", None),  # not a merge commit
        ("c", "x", 1, "Narrow (#15)", None),  # brought by another commit that is no merge
        ("c", None, 0, "", None),
    ],
)
def test_the_pull_request_git_can_tell(
    change: str,
    bringer: str | None,
    parents: int,
    subject: str,
    expected: tuple[int, str, str] | None,
) -> None:
    found = pull_request(
        change, bringer, bringer_parents=parents, bringer_subject=subject, bringer_date=T
    )
    assert (None if found is None else (found.number, found.how, found.commit)) == expected


def test_members_are_counted_as_lines_neither_blank_nor_comments() -> None:
    assert count_members(b"") == 0
    assert count_members(b"# header\n") == 0
    assert count_members(b"# header\na\tb\n\nc\td\n# note\ne") == 3


def test_the_member_count_over_time_keeps_only_changes() -> None:
    counts = [MemberCount(c, T, n) for c, n in [("a", 2), ("b", 2), ("c", 3), ("d", 3), ("e", 2)]]
    assert [c.commit for c in count_changes(counts)] == ["a", "c", "e"]
