"""The ledger files: exact format, round trips, stable bytes, untouched when unchanged, errors."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign_sync.errors import ConfigError
from campaign_sync.ledger import (
    MEMBERS_FILE,
    STATE_FILE,
    read_ledger,
    render_members,
    render_state,
    write_ledger,
)
from campaign_sync.model import ALERT_STATES, CampaignLedger, HeldRepository, Member, TrackedIssue

LEDGER = CampaignLedger(
    "sqli",
    members=(
        Member("code-scanning:acme/web:42", "open", "2026-11-28T06:00:00Z", "2026-11-28T06:00:00Z"),
        Member("dependabot:acme/api:3", "fixed", "2026-10-01T12:00:00Z", "2026-11-20T10:00:00Z"),
    ),
    issues=(
        TrackedIssue("acme/api", 3, "closed", "fedcba9876543210"),
        TrackedIssue("acme/web", 7, "open", "0123456789abcdef"),
    ),
    activated="2026-10-01T12:00:00Z",
    native_campaign=12,
    native_digest="aaaa",
    autofix_requested=("code-scanning:acme/web:42",),
    watermark="2026-11-28T05:59:00Z",
    due_notice_sent=True,
)

MEMBERS_TEXT = (
    "# campaign-sync ledger v1: alert, state, joined, changed\n"
    "code-scanning:acme/web:42\topen\t2026-11-28T06:00:00Z\t2026-11-28T06:00:00Z\n"
    "dependabot:acme/api:3\tfixed\t2026-10-01T12:00:00Z\t2026-11-20T10:00:00Z\n"
)
STATE_TEXT = """\
{
  "activated": "2026-10-01T12:00:00Z",
  "autofix_requested": [
    "code-scanning:acme/web:42"
  ],
  "campaign": "sqli",
  "issues": {
    "acme/api": {
      "digest": "fedcba9876543210",
      "number": 3,
      "state": "closed"
    },
    "acme/web": {
      "digest": "0123456789abcdef",
      "number": 7,
      "state": "open"
    }
  },
  "native_campaign": 12,
  "native_digest": "aaaa",
  "native_organization": null,
  "notices": {
    "closed": false,
    "due": true
  },
  "version": 1,
  "watermark": "2026-11-28T05:59:00Z"
}
"""


def test_files_have_the_documented_format(tmp_path: Path) -> None:
    write_ledger(tmp_path, LEDGER)
    folder = tmp_path / "sqli"
    assert sorted(p.name for p in folder.iterdir()) == [STATE_FILE, MEMBERS_FILE]
    assert (folder / MEMBERS_FILE).read_bytes() == MEMBERS_TEXT.encode()
    assert (folder / STATE_FILE).read_bytes() == STATE_TEXT.encode()


def test_held_repositories_are_written_only_when_there_are_some(tmp_path: Path) -> None:
    """A ledger written before holds existed reads as none held, and is rewritten to the
    same bytes: upgrading the tool makes no diff in the campaigns repository."""
    held = (
        HeldRepository("acme/old", "archived", "2026-11-20T06:00:00Z"),
        HeldRepository("acme/web", "issues-off", "2026-11-28T06:00:00Z", "write"),
    )
    write_ledger(tmp_path, dataclasses.replace(LEDGER, held=held))
    document = json.loads((tmp_path / "sqli" / STATE_FILE).read_text(encoding="utf-8"))
    assert document["held"] == {
        "acme/old": {"origin": "listing", "reason": "archived", "since": "2026-11-20T06:00:00Z"},
        "acme/web": {"origin": "write", "reason": "issues-off", "since": "2026-11-28T06:00:00Z"},
    }
    assert read_ledger(tmp_path, "sqli").held == held
    write_ledger(tmp_path, LEDGER)
    assert (tmp_path / "sqli" / STATE_FILE).read_bytes() == STATE_TEXT.encode()
    assert read_ledger(tmp_path, "sqli").held == ()


def test_read_gives_back_what_was_written(tmp_path: Path) -> None:
    write_ledger(tmp_path, LEDGER)
    assert read_ledger(tmp_path, "sqli") == LEDGER


def test_order_of_the_values_does_not_change_the_bytes() -> None:
    shuffled = CampaignLedger(
        "sqli",
        members=tuple(reversed(LEDGER.members)),
        issues=tuple(reversed(LEDGER.issues)),
        activated=LEDGER.activated,
        native_campaign=12,
        native_digest="aaaa",
        autofix_requested=LEDGER.autofix_requested,
        watermark=LEDGER.watermark,
        due_notice_sent=True,
    )
    assert render_members(shuffled) == MEMBERS_TEXT
    assert render_state(shuffled) == STATE_TEXT


def test_an_unchanged_write_leaves_the_files_alone(tmp_path: Path) -> None:
    write_ledger(tmp_path, LEDGER)
    paths = [tmp_path / "sqli" / MEMBERS_FILE, tmp_path / "sqli" / STATE_FILE]
    for path in paths:
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = [(p.stat().st_ino, p.stat().st_mtime_ns) for p in paths]

    write_ledger(tmp_path, LEDGER)
    assert [(p.stat().st_ino, p.stat().st_mtime_ns) for p in paths] == before

    # A changed member rewrites the members file only.
    changed = CampaignLedger(
        "sqli",
        members=(LEDGER.members[0], Member(LEDGER.members[1].alert_id, "open", "x", "y")),
        issues=LEDGER.issues,
        activated=LEDGER.activated,
        native_campaign=12,
        native_digest="aaaa",
        autofix_requested=LEDGER.autofix_requested,
        watermark=LEDGER.watermark,
        due_notice_sent=True,
    )
    write_ledger(tmp_path, changed)
    assert paths[0].stat().st_mtime_ns != before[0][1]
    assert (paths[1].stat().st_ino, paths[1].stat().st_mtime_ns) == before[1]
    assert sorted(p.name for p in (tmp_path / "sqli").iterdir()) == [STATE_FILE, MEMBERS_FILE]


def test_a_campaign_never_applied_has_an_empty_ledger(tmp_path: Path) -> None:
    assert read_ledger(tmp_path, "new") == CampaignLedger("new")
    assert not (tmp_path / "new").exists()


def test_either_file_alone_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "sqli"
    folder.mkdir()
    (folder / MEMBERS_FILE).write_text(MEMBERS_TEXT, encoding="utf-8")
    assert read_ledger(tmp_path, "sqli") == CampaignLedger("sqli", members=LEDGER.members)
    (folder / MEMBERS_FILE).unlink()
    (folder / STATE_FILE).write_text(STATE_TEXT, encoding="utf-8")
    only_state = read_ledger(tmp_path, "sqli")
    assert only_state.members == ()
    assert only_state.issues == LEDGER.issues
    assert only_state.native_campaign == 12


def test_blank_and_comment_lines_are_skipped_and_members_sorted(tmp_path: Path) -> None:
    folder = tmp_path / "sqli"
    folder.mkdir()
    lines = MEMBERS_TEXT.splitlines()
    (folder / MEMBERS_FILE).write_text(
        "\n".join([lines[0], "", lines[2], "# a note", lines[1], ""]) + "\n", encoding="utf-8"
    )
    assert read_ledger(tmp_path, "sqli").members == LEDGER.members


# --- errors ---------------------------------------------------------------------------

LINE_MESSAGE = (
    "{path}:{line}: not a ledger line (alert, state, joined, changed, and for a closed alert "
    "reason, by, comment, separated by tabs); fix the line or restore the file from git"
)


@pytest.mark.parametrize(
    "bad",
    [
        "code-scanning:acme/web:1\topen\t2026-11-28T06:00:00Z",  # three fields
        "code-scanning:acme/web:1\topen\t2026-11-28T06:00:00Z\tx\ty",  # five fields
        "code-scanning:acme/web:1 open 2026-11-28T06:00:00Z 2026-11-28T06:00:00Z",  # spaces
        "code-scanning:acme/web:1\tgone\t2026-11-28T06:00:00Z\t2026-11-28T06:00:00Z",  # state
        "code-scanning:acme/web:1\tOPEN\t2026-11-28T06:00:00Z\t2026-11-28T06:00:00Z",
        "acme/web:1\topen\t2026-11-28T06:00:00Z\t2026-11-28T06:00:00Z",  # id without type
        # an open alert closed by someone
        "code-scanning:acme/web:1\topen\t2026-11-28T06:00:00Z\t2026-11-28T06:00:00Z\tx\ty\tz",
    ],
)
def test_a_malformed_members_line_names_file_and_line(tmp_path: Path, bad: str) -> None:
    folder = tmp_path / "sqli"
    folder.mkdir()
    path = folder / MEMBERS_FILE
    lines = MEMBERS_TEXT.splitlines()
    path.write_text("\n".join([lines[0], lines[1], "", bad, lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_ledger(tmp_path, "sqli")
    assert str(caught.value) == LINE_MESSAGE.format(path=path, line=4)


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "sqli"
    folder.mkdir()
    path = folder / STATE_FILE
    path.write_text('{\n  "version": 1,\n  "issues": {\n    "acme/web" {}\n  }\n}\n')
    with pytest.raises(ConfigError) as caught:
        read_ledger(tmp_path, "sqli")
    assert str(caught.value) == (
        f"{path}: not valid JSON (Expecting ':' delimiter: line 4 column 16 (char 47)); "
        "restore the file from git"
    )


@pytest.mark.parametrize(
    "document", ['{"version": 2}', '{"campaign": "sqli"}', "[1]", '"ledger"', "null"]
)
def test_json_of_another_shape_or_version_is_refused(tmp_path: Path, document: str) -> None:
    folder = tmp_path / "sqli"
    folder.mkdir()
    path = folder / STATE_FILE
    path.write_text(document + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_ledger(tmp_path, "sqli")
    assert str(caught.value) == f"{path}: not a campaign-sync ledger of version 1"


@pytest.mark.parametrize(
    "fields",
    [
        '"issues": []',
        '"issues": {"acme/web": {}}',
        '"issues": {"acme/web": {"number": "seven"}}',
        '"notices": null',
        '"autofix_requested": 5',
        '"repositories": ["acme/web"]',
        '"repositories": {"acme/web": null}',
        '"repositories": {"acme/web": "12"}',
        '"held": []',
        '"held": {"acme/web": {"since": "2026-11-28T06:00:00Z"}}',
        '"held": {"acme/web": {"reason": "gone", "since": "2026-11-28T06:00:00Z"}}',
        '"held": {"acme/web": {"reason": "archived", "since": "yesterday"}}',
        '"held": {"acme/web": 1}',
        '"destinations": []',
    ],
)
def test_json_with_misshapen_fields_is_a_config_error(tmp_path: Path, fields: str) -> None:
    folder = tmp_path / "sqli"
    folder.mkdir()
    path = folder / STATE_FILE
    path.write_text('{"version": 1, ' + fields + "}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        read_ledger(tmp_path, "sqli")


def test_a_ledger_written_before_repository_ids_loads_and_writes_none(tmp_path: Path) -> None:
    folder = tmp_path / "sqli"
    folder.mkdir()
    (folder / STATE_FILE).write_text('{"version": 1, "issues": {}}\n', encoding="utf-8")
    ledger = read_ledger(tmp_path, "sqli")
    assert ledger.repositories == ()
    assert '"repositories"' not in render_state(ledger)  # no diff until an id is known
    with_ids = dataclasses.replace(ledger, repositories=(("acme/web", 12),))
    assert '"repositories": {\n    "acme/web": 12\n  }' in render_state(with_ids)


def test_an_issue_s_drift_fields_round_trip_and_a_bad_moved_to_is_refused(
    tmp_path: Path,
) -> None:
    issues = (
        TrackedIssue("acme/api", 3, "closed", "d", closed_by_hand=True),
        TrackedIssue("acme/web", 12, "open", "e", moved_to="acme/tracking"),
        TrackedIssue("acme/www", 4, "open", "f"),
    )
    ledger = CampaignLedger(campaign="sqli", issues=issues)
    write_ledger(tmp_path, ledger)
    assert read_ledger(tmp_path, "sqli").issues == issues
    text = render_state(ledger)
    assert '"moved_to": "acme/tracking"' in text
    assert '"closed_by_hand": true' in text
    # Only where set: every other issue's entry reads as it always did.
    assert text.count("moved_to") == 1
    assert text.count("closed_by_hand") == 1
    path = tmp_path / "sqli" / STATE_FILE
    for bad in ("../../etc", "https://evil.example/x/y", 7, "a/b/c"):
        entry = {"number": 1, "state": "open", "digest": "d", "moved_to": bad}
        path.write_text(json.dumps({"version": 1, "issues": {"acme/web": entry}}), encoding="utf-8")
        with pytest.raises(ConfigError, match="moved_to"):
            read_ledger(tmp_path, "sqli")


# --- round trip over arbitrary ledgers ------------------------------------------------

timestamps = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
)
repositories = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,8}/[A-Za-z0-9._-]{1,10}", fullmatch=True)
alert_ids = st.one_of(
    st.builds(
        lambda kind, repo, number: f"{kind}:{repo}:{number}",
        st.sampled_from(["code-scanning", "secret-scanning", "dependabot"]),
        repositories,
        st.integers(1, 10**6),
    ),
    st.builds(
        lambda repo, tool, fingerprint: f"code-scanning:{repo}:sarif/{tool}/{fingerprint}",
        repositories,
        st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
        st.from_regex(r"[0-9a-f]{16}", fullmatch=True),
    ),
)


@st.composite
def members(draw: st.DrawFn) -> Member:
    """Any member; a closed one may carry any reason, login and comment (a comment of any
    characters: tabs, line breaks, backslashes, controls, lone surrogates)."""
    state = draw(st.sampled_from(ALERT_STATES))
    member = Member(draw(alert_ids), state, draw(timestamps), draw(timestamps))
    if state == "open":
        return member
    return member._replace(
        reason=draw(st.sampled_from(["", "won't fix", "tolerable_risk", "revoked"])),
        by=draw(st.sampled_from(["", "mona", "dependabot[bot]"])),
        comment=draw(st.text(max_size=30)),
    )


@st.composite
def ledgers(draw: st.DrawFn) -> CampaignLedger:
    found = draw(st.lists(members(), max_size=12, unique_by=lambda m: m.alert_id))
    issues = draw(
        st.lists(
            st.builds(
                TrackedIssue,
                repositories,
                st.integers(1, 10**7),
                st.sampled_from(["open", "closed"]),
                st.text(max_size=20),
            ),
            max_size=5,
            unique_by=lambda i: i.repository,
        )
    )
    ids = [m.alert_id for m in found]
    autofix = draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
    ledger = CampaignLedger(
        campaign=draw(st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)),
        members=tuple(sorted(found)),
        issues=tuple(sorted(issues, key=lambda i: i.repository)),
        activated=draw(st.none() | timestamps),
        native_campaign=draw(st.none() | st.integers(1, 10**6)),
        native_digest=draw(st.none() | st.text(max_size=20)),
        autofix_requested=tuple(sorted(autofix)),
        watermark=draw(st.none() | timestamps),
        due_notice_sent=draw(st.booleans()),
        closed_notice_sent=draw(st.booleans()),
        repositories=tuple(
            sorted(draw(st.dictionaries(repositories, st.integers(1, 10**9), max_size=4)).items())
        ),
        held=tuple(
            sorted(
                draw(
                    st.lists(
                        st.builds(
                            HeldRepository,
                            repositories,
                            st.sampled_from(["archived", "issues-off"]),
                            timestamps,
                            st.sampled_from(["listing", "write"]),
                        ),
                        max_size=3,
                        unique_by=lambda h: h.repository,
                    )
                ),
                key=lambda h: h.repository,
            )
        ),
    )
    # What other destinations record: any JSON but null (nothing recorded) under a name.
    states = draw(st.dictionaries(st.text(min_size=1, max_size=12), json_values, max_size=3))
    for name, value in states.items():
        ledger = ledger.with_state(name, value)
    return ledger


json_values = st.recursive(
    st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=100)
@given(ledgers())
def test_round_trip(ledger: CampaignLedger) -> None:
    with tempfile.TemporaryDirectory() as folder:
        reports = Path(folder)
        write_ledger(reports, ledger)
        assert read_ledger(reports, ledger.campaign) == ledger
        texts = [(reports / ledger.campaign / f).read_bytes() for f in (MEMBERS_FILE, STATE_FILE)]
        # Written again from what was read: the same bytes.
        write_ledger(reports, read_ledger(reports, ledger.campaign))
        assert [
            (reports / ledger.campaign / f).read_bytes() for f in (MEMBERS_FILE, STATE_FILE)
        ] == texts
    assert render_members(ledger).count("\n") == len(ledger.members) + 1  # one line each


def test_a_destination_s_record_is_json_under_its_name_and_none_removes_it(
    tmp_path: Path,
) -> None:
    board = {"project": 7, "items": {"acme/web": "PVTI_1"}}
    ledger = LEDGER.with_state("projects-board", board).with_state("b", [1])
    assert ledger.state_of("projects-board") == board
    assert ledger.state_of("nothing") is None
    write_ledger(tmp_path, ledger)
    state = json.loads((tmp_path / "sqli" / STATE_FILE).read_text(encoding="utf-8"))
    assert state["destinations"] == {"b": [1], "projects-board": board}
    assert read_ledger(tmp_path, "sqli") == ledger
    # Equal records, equal values: the key order it was given in does not count.
    reordered = {"items": {"acme/web": "PVTI_1"}, "project": 7}
    assert LEDGER.with_state("projects-board", reordered) == LEDGER.with_state(
        "projects-board", board
    )
    assert ledger.with_state("projects-board", None).with_state("b", None) == LEDGER
    # A record that is no JSON (a set) is the destination's bug: said at once, not written
    # as some text the next run would read back as something else.
    with pytest.raises(TypeError):
        LEDGER.with_state("projects-board", {"acme/web"})


# --- how a member was closed (issue 14, item 9) ----------------------------------------

CLOSED = (
    Member(
        "code-scanning:acme/web:43",
        "dismissed",
        "2026-11-28T06:00:00Z",
        "2026-11-30T09:12:00Z",
        "won't fix",
        "mona",
        "Only reachable\tfrom the admin console.\nSee \\\\wiki\u2028\x1b[2J",
    ),
    Member(
        "secret-scanning:acme/api:3",
        "resolved",
        "2026-11-28T06:00:00Z",
        "2026-11-29T10:00:00Z",
        "revoked",
        "dependabot[bot]",
    ),
)


def test_a_closed_member_s_reason_who_and_comment_are_three_escaped_fields(tmp_path: Path) -> None:
    members = tuple(sorted((*LEDGER.members, *CLOSED), key=lambda m: m.alert_id))
    ledger = dataclasses.replace(LEDGER, members=members)
    write_ledger(tmp_path, ledger)
    text = (tmp_path / "sqli" / MEMBERS_FILE).read_text(encoding="utf-8")
    assert text.splitlines()[1:] == [
        "code-scanning:acme/web:42\topen\t2026-11-28T06:00:00Z\t2026-11-28T06:00:00Z",
        "code-scanning:acme/web:43\tdismissed\t2026-11-28T06:00:00Z\t2026-11-30T09:12:00Z"
        "\twon't fix\tmona\tOnly reachable\\tfrom the admin console.\\nSee \\\\\\\\wiki"
        "\\u2028\\u001b[2J",
        "dependabot:acme/api:3\tfixed\t2026-10-01T12:00:00Z\t2026-11-20T10:00:00Z",
        "secret-scanning:acme/api:3\tresolved\t2026-11-28T06:00:00Z\t2026-11-29T10:00:00Z"
        "\trevoked\tdependabot[bot]\t",
    ]
    assert read_ledger(tmp_path, "sqli") == ledger


# Written by campaign-sync before it kept how members were closed (main at 14f9730): a
# dismissed and a resolved member of four fields, as every ledger in git has them.
PREVIOUS_MEMBERS = (
    "# campaign-sync ledger v1: alert, state, joined, changed\n"
    "code-scanning:acme/web:1\tdismissed\t2026-11-01T06:00:00Z\t2026-11-02T06:00:00Z\n"
    "code-scanning:acme/web:11\topen\t2026-11-01T06:00:00Z\t2026-11-01T06:00:00Z\n"
    "secret-scanning:acme/api:3\tresolved\t2026-11-01T06:00:00Z\t2026-11-03T06:00:00Z\n"
)


def test_a_ledger_the_previous_version_wrote_reads_and_is_written_back_unchanged(
    tmp_path: Path,
) -> None:
    """A guard more than a regression test: it passes on the old code as well. Upgrading
    the tool must neither fail on the ledgers in git nor make a diff of them by itself."""
    folder = tmp_path / "sqli"
    folder.mkdir()
    (folder / MEMBERS_FILE).write_text(PREVIOUS_MEMBERS, encoding="utf-8")
    (folder / STATE_FILE).write_text(STATE_TEXT, encoding="utf-8")
    ledger = read_ledger(tmp_path, "sqli")
    assert [(m.alert_id, m.state) for m in ledger.members] == [
        ("code-scanning:acme/web:1", "dismissed"),
        ("code-scanning:acme/web:11", "open"),
        ("secret-scanning:acme/api:3", "resolved"),
    ]
    assert all(m[4:] == ("", "", "") for m in ledger.members)
    write_ledger(tmp_path, ledger)
    assert (folder / MEMBERS_FILE).read_text(encoding="utf-8") == PREVIOUS_MEMBERS
    assert (folder / STATE_FILE).read_text(encoding="utf-8") == STATE_TEXT
