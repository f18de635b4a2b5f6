"""The ledger: what campaign-sync knows of each campaign between runs, as files in git.

``reports/<id>/ledger.tsv`` has one member alert per line, sorted, so an alert that joins
or changes state is a one-line diff::

    # campaign-sync ledger v1: alert, state, joined, changed
    code-scanning:acme/web:42<TAB>open<TAB>2026-11-28T06:00:00Z<TAB>2026-11-28T06:00:00Z
    code-scanning:acme/web:43<TAB>dismissed<TAB>2026-11-28T06:00:00Z<TAB>2026-11-30T09:12:00Z<TAB>
        won't fix<TAB>mona<TAB>Only reachable from the admin console

(one line, cut in two here). A closed member whose closing GitHub recorded has three more
fields: the reason, the login of who closed it and their comment (``dismissal.py``); ""
for any of them it lacks. The comment is a person's text: its backslashes, tabs, line
breaks and other control or invisible characters are written as ``\\\\``, ``\\t``,
``\\n``, ``\\r`` and ``\\uXXXX``, so each member stays one line. Lines of four fields
(every ledger written before) read as members with none.

``reports/<id>/ledger.json`` holds the rest: tracking issue numbers, the native campaign,
the incremental watermark, each repository's id (``repositories``: name -> id; it
survives renames and transfers, so a renamed repository keeps its members and issue), and
the repositories where no issue is written (``held``: archived, or Issues turned off; see
``holds.py``). Both are written deterministically (sorted, fixed formatting) and
atomically (a temporary file renamed over the old one), so an interrupted run leaves either
the old ledger or the new one, never half of one.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from campaign_sync.errors import ConfigError
from campaign_sync.files import write_if_changed
from campaign_sync.gcpause import cyclic_gc_paused
from campaign_sync.model import (
    ALERT_STATES,
    AlertState,
    CampaignLedger,
    HeldRepository,
    Member,
    TrackedIssue,
    canonical_states,
)

VERSION = 1
MEMBERS_FILE = "ledger.tsv"
STATE_FILE = "ledger.json"
_CAMPAIGN_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
_HEADER = f"# campaign-sync ledger v{VERSION}: alert, state, joined, changed"


def ledger_dir(reports: Path, campaign: str) -> Path:
    return reports / campaign


def recorded_campaigns(reports: Path) -> tuple[str, ...]:
    """Ids of the campaigns with a ledger under ``reports``, sorted: a campaign whose file
    was deleted still has one. Only folders named like a campaign id, never a link."""
    if not reports.is_dir():
        return ()
    return tuple(
        sorted(
            folder.name
            for folder in reports.iterdir()
            if _CAMPAIGN_ID.fullmatch(folder.name)
            and folder.is_dir()
            and not folder.is_symlink()
            and (folder / STATE_FILE).is_file()
        )
    )


# What cannot stand in a field of a line: the separators, a backslash (the escape itself),
# and anything ``str.splitlines``, a terminal or a reader's eye would take as something
# else (controls, invisible and bidi characters, lone surrogates, which UTF-8 cannot hold).
_UNSAFE = re.compile(
    "[\\\\\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u2069\ud800-\udfff\ufeff]"
)
_NAMED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ESCAPE = re.compile(r"\\(?:u([0-9a-f]{4})|(.))", re.DOTALL)
_UNNAMED = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def escape_field(text: str) -> str:
    """``text`` on one line of a ledger: no tab, no line break, nothing invisible."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: _NAMED.get(m.group()) or f"\\u{ord(m.group()):04x}", text)


def unescape_field(text: str) -> str:
    """The text ``escape_field`` was given (an unknown escape is kept as written)."""
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return chr(int(match.group(1), 16))
        return _UNNAMED.get(match.group(2), match.group())

    return _ESCAPE.sub(one, text)


def member_line(member: Member) -> str:
    line = f"{member.alert_id}\t{member.state}\t{member.joined}\t{member.changed}"
    if member.reason or member.by or member.comment:
        line += (
            f"\t{escape_field(member.reason)}\t{escape_field(member.by)}"
            f"\t{escape_field(member.comment)}"
        )
    return line


def render_members(ledger: CampaignLedger) -> str:
    lines = [_HEADER]
    for member in sorted(ledger.members, key=itemgetter(0)):
        lines.append(member_line(member))
    return "\n".join(lines) + "\n"


def render_state(ledger: CampaignLedger) -> str:
    document: dict[str, Any] = {
        "version": VERSION,
        "campaign": ledger.campaign,
        "activated": ledger.activated,
        "watermark": ledger.watermark,
        "native_campaign": ledger.native_campaign,
        "native_organization": ledger.native_organization,
        "native_digest": ledger.native_digest,
        "notices": {"due": ledger.due_notice_sent, "closed": ledger.closed_notice_sent},
        "issues": {
            issue.repository: _issue_entry(issue)
            for issue in sorted(ledger.issues, key=lambda i: i.repository)
        },
        "autofix_requested": sorted(ledger.autofix_requested),
    }
    if ledger.repositories:
        # Only once known: a ledger written before ids were recorded reads the same.
        document["repositories"] = dict(ledger.repositories)
    if ledger.scope is not None:  # only once known: older ledgers read the same
        document["scope"] = ledger.scope
    if ledger.held:  # only when there are: every ledger written before holds stays as it was
        document["held"] = {
            hold.repository: {"reason": hold.reason, "since": hold.since, "origin": hold.origin}
            for hold in ledger.held
        }
    if ledger.destinations:  # only when there are: older ledgers read the same
        document["destinations"] = ledger.states()
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _issue_entry(issue: TrackedIssue) -> dict[str, Any]:
    entry: dict[str, Any] = {"number": issue.number, "state": issue.state, "digest": issue.digest}
    # Only when set: every ledger written before drift was followed reads the same.
    if issue.moved_to is not None:
        entry["moved_to"] = issue.moved_to
    if issue.closed_by_hand:
        entry["closed_by_hand"] = True
    return entry


def write_ledger(reports: Path, ledger: CampaignLedger) -> None:
    folder = ledger_dir(reports, ledger.campaign)
    write_if_changed(folder / MEMBERS_FILE, render_members(ledger), root=reports)
    write_if_changed(folder / STATE_FILE, render_state(ledger), root=reports)


def read_ledger(reports: Path, campaign: str) -> CampaignLedger:
    """The campaign's ledger, or an empty one if it has never been applied."""
    folder = ledger_dir(reports, campaign)
    members_path, state_path = folder / MEMBERS_FILE, folder / STATE_FILE
    if not members_path.exists() and not state_path.exists():
        return CampaignLedger(campaign=campaign)
    with cyclic_gc_paused():  # a million members, no cycles: collections only cost time
        members = _parse_members(members_path) if members_path.exists() else ()
    state = _parse_state(state_path) if state_path.exists() else {}
    try:
        return _ledger_from(campaign, members, state)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(
            f"{state_path}: a field has the wrong shape ({type(exc).__name__}: {exc}); "
            "restore the file from git"
        ) from exc


def _optional_text(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{what} must be text, got {value!r}")


def _ledger_from(
    campaign: str, members: tuple[Member, ...], state: dict[str, Any]
) -> CampaignLedger:
    issues = tuple(
        TrackedIssue(
            repository=repository,
            number=int(entry["number"]),
            state="closed" if entry.get("state") == "closed" else "open",
            digest=str(entry.get("digest", "")),
            moved_to=_repository_name(entry.get("moved_to")),
            closed_by_hand=entry.get("closed_by_hand") is True,
        )
        for repository, entry in sorted(_mapping(state.get("issues", {}), "issues").items())
    )
    held = tuple(
        _hold(repository, _mapping(entry, "a held repository"))
        # Absent in a ledger written before holds were recorded: none known, found again
        # by this run's listing.
        for repository, entry in sorted(_mapping(state.get("held", {}), "held").items())
    )
    notices = state.get("notices", {})
    if not isinstance(notices, dict):
        raise TypeError(f"notices must be an object, got {notices!r}")
    return CampaignLedger(
        campaign=campaign,
        members=members,
        issues=issues,
        activated=state.get("activated"),
        native_campaign=_optional_int(state.get("native_campaign")),
        native_organization=state.get("native_organization"),
        native_digest=state.get("native_digest"),
        autofix_requested=tuple(sorted(str(a) for a in state.get("autofix_requested", ()))),
        watermark=state.get("watermark"),
        due_notice_sent=bool(notices.get("due", False)),
        closed_notice_sent=bool(notices.get("closed", False)),
        repositories=tuple(
            sorted(
                (str(name), _repository_id(repo_id))
                for name, repo_id in _mapping(state.get("repositories", {}), "repositories").items()
            )
        ),
        held=held,
        scope=_optional_text(state.get("scope"), "scope"),
        destinations=canonical_states(_mapping(state.get("destinations", {}), "destinations")),
    )


_REPOSITORY_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}")


def _repository_name(value: Any) -> str | None:
    """An issue's ``moved_to``: an OWNER/NAME (the ledger is a file anyone with write
    access can edit: it never names a path or a URL)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _REPOSITORY_NAME.fullmatch(value) or ".." in value:
        raise ValueError(f"moved_to must be an OWNER/NAME repository name, got {value!r}")
    return value


def _hold(repository: str, entry: dict[str, Any]) -> HeldRepository:
    reason, since, origin = entry["reason"], entry["since"], entry.get("origin", "listing")
    if reason not in ("archived", "issues-off") or origin not in ("listing", "write"):
        raise ValueError(f"held {repository}: unknown reason or origin {reason!r}, {origin!r}")
    if not isinstance(since, str) or not _timestamp(since):
        raise ValueError(f"held {repository}: since must be an ISO 8601 time, got {since!r}")
    return HeldRepository(repository, reason, since, origin)


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be an object, got {value!r}")
    return value


def _optional_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a number, got {value!r}")
    return value


def _repository_id(value: Any) -> int:
    repo_id = _optional_int(value)
    if repo_id is None:
        raise TypeError("a repository id must be a number, got null")
    return repo_id


def _timestamp(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_STATES: dict[str, AlertState] = {state: state for state in ALERT_STATES}


def parse_member(line: str, stamps: dict[str, str] | None = None) -> Member | None:
    """The member a ledger line holds, or None if it is not one. ``stamps``: timestamps
    already checked, shared between lines (members join and change in batches, so a
    ledger of a million lines holds a few hundred distinct ones)."""
    shared = stamps if stamps is not None else {}
    fields = line.split("\t")
    if len(fields) != 4 and len(fields) != 7:
        return None
    alert_id, state, joined, changed = fields[:4]
    known = _STATES.get(state)
    joined = shared.get(joined) or _checked_timestamp(joined, shared)
    changed = shared.get(changed) or _checked_timestamp(changed, shared)
    if not (known and joined and changed and alert_id.count(":") >= 2):
        return None
    if len(fields) == 4:
        return Member(alert_id, known, joined, changed)
    if known == "open":  # an open alert was closed by nobody
        return None
    reason, by, comment = (unescape_field(f) for f in fields[4:])
    return Member(alert_id, known, joined, changed, reason, by, comment)


def _parse_members(path: Path) -> tuple[Member, ...]:
    members: list[Member] = []
    stamps: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        member = parse_member(line, stamps)
        if member is None:
            raise ConfigError(
                f"{path}:{number}: not a ledger line (alert, state, joined, changed, and for "
                "a closed alert reason, by, comment, separated by tabs); fix the line or "
                "restore the file from git"
            )
        members.append(member)
    # Already sorted when the tool wrote it: a single pass. By id alone: the fields after
    # it are not for ordering.
    members.sort(key=itemgetter(0))
    for before, after in itertools.pairwise(members):
        if before.alert_id == after.alert_id:
            raise ConfigError(
                f"{path}: alert {before.alert_id} is listed twice; restore the file from git"
            )
    return tuple(members)


def _checked_timestamp(value: str, shared: dict[str, str]) -> str:
    """``value`` if it is an ISO 8601 timestamp (remembered in ``shared``), else ''."""
    if not _timestamp(value):
        return ""
    shared[value] = value
    return value


def _parse_state(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc}); restore the file from git") from exc
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise ConfigError(f"{path}: not a campaign-sync ledger of version {VERSION}")
    return document
