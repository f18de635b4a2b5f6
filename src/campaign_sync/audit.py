"""What the history says of an alert or a campaign: versions in, answers out. Pure.

An alert's answer comes from every version of every campaign's ``ledger.tsv`` the branch
held: its line in each, found by its first field exactly (so ``...:1`` is never the line
of ``...:11``, as a text search would have it), read with the ledger's own parser. From
one version to the next the line appears (joined), changes state, changes how it was
closed (reason, who, comment), or goes (left).

A campaign's answer is every commit that changed its campaign file, each with the pull
request that brought it into the branch when git can tell (``pull_request``), and the
number of members of each version of its ledger.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from campaign_sync.ledger import parse_member
from campaign_sync.model import Member

EventKind = Literal["joined", "joined again", "state", "closing", "left"]


@dataclass(frozen=True, slots=True)
class Sighting:
    """The alert's line in one version of one campaign's members file (None: not in it)."""

    campaign: str
    commit: str
    date: str
    member: Member | None


@dataclass(frozen=True, slots=True)
class AlertEvent:
    kind: EventKind
    commit: str
    date: str  # when the commit entered the branch, ISO 8601 UTC
    member: Member | None  # the line after it; None when the alert left
    before: Member | None  # the line before it; None when it joined


@dataclass(frozen=True, slots=True)
class CampaignEvents:
    campaign: str
    events: tuple[AlertEvent, ...]


def find_member(data: bytes, alert_id: str) -> Member | None:
    """The member line of ``alert_id`` in a members file's bytes, or None.

    The line is found by its whole first field (the id and the tab after it, at the start
    of a line) and then parsed as the ledger parses it: a line that does not parse is no
    member.
    """
    key = alert_id.encode("utf-8") + b"\t"
    if data.startswith(key):
        start = 0
    else:
        found = data.find(b"\n" + key)
        if found < 0:
            return None
        start = found + 1
    end = data.find(b"\n", start)
    line = data[start : end if end >= 0 else len(data)]
    return parse_member(line.decode("utf-8", "replace").rstrip("\r"))


def _closing(member: Member) -> tuple[str, str, str]:
    return member.reason, member.by, member.comment


def alert_events(sightings: Iterable[Sighting]) -> tuple[AlertEvent, ...]:
    """What happened to the alert in one campaign, from its sightings oldest first."""
    events: list[AlertEvent] = []
    before: Member | None = None
    kind: EventKind
    for sighting in sightings:
        now = sighting.member
        if before is None and now is None:
            continue
        if before is None:
            kind = "joined again" if events else "joined"
        elif now is None:
            kind = "left"
        elif now.state != before.state:
            kind = "state"
        elif _closing(now) != _closing(before):
            kind = "closing"
        else:  # another line of the file changed
            before = now
            continue
        events.append(AlertEvent(kind, sighting.commit, sighting.date, now, before))
        before = now
    return tuple(events)


def alert_history(sightings: Sequence[Sighting]) -> tuple[CampaignEvents, ...]:
    """Per campaign (by id), what happened to the alert; campaigns it never joined left out."""
    by_campaign: dict[str, list[Sighting]] = {}
    for sighting in sightings:
        by_campaign.setdefault(sighting.campaign, []).append(sighting)
    found = (
        CampaignEvents(campaign, alert_events(seen))
        for campaign, seen in sorted(by_campaign.items())
    )
    return tuple(c for c in found if c.events)


# ---- a campaign ------------------------------------------------------------------------

PullRequestHow = Literal["merge", "squash"]
_MERGE = re.compile(r"Merge pull request #(\d{1,9}) ")
_SQUASH = re.compile(r".*\(#(\d{1,9})\)\s*")


@dataclass(frozen=True, slots=True)
class PullRequest:
    number: int
    how: PullRequestHow  # "merge": a merge commit; "squash": a squashed commit
    commit: str  # the commit of the branch that brought the change
    date: str


def pull_request(
    change: str,
    bringer: str | None,
    *,
    bringer_parents: int,
    bringer_subject: str,
    bringer_date: str,
) -> PullRequest | None:
    """The pull request that brought commit ``change`` into the branch, when git can tell.

    ``bringer`` is the commit of the branch that brought it (``gitlog.brought_by``): a
    merge whose subject GitHub wrote ("Merge pull request #12 from ...") names the pull
    request; so does a squashed commit on the branch itself whose subject ends "(#15)".
    Anything else (a commit pushed to the branch, a rebase merge, a merge of another kind)
    has no pull request git can tell: None.
    """
    if bringer is None:
        return None
    if bringer_parents > 1:
        merged = _MERGE.match(bringer_subject)
        if merged:
            return PullRequest(int(merged.group(1)), "merge", bringer, bringer_date)
        return None
    if bringer == change:
        squashed = _SQUASH.fullmatch(bringer_subject)
        if squashed:
            return PullRequest(int(squashed.group(1)), "squash", bringer, bringer_date)
    return None


_MEMBER_LINE = re.compile(rb"^[^#\n]", re.MULTILINE)


def count_members(data: bytes) -> int:
    """Member lines of a members file: every line neither blank nor a comment."""
    return len(_MEMBER_LINE.findall(data))


ChangeKind = Literal["added", "modified", "deleted"]
_CHANGE_KINDS: dict[str, ChangeKind] = {"A": "added", "D": "deleted"}


def change_kind(status: str) -> ChangeKind:
    """git's status letter as a word: anything but added or deleted modified the file."""
    return _CHANGE_KINDS.get(status, "modified")


@dataclass(frozen=True, slots=True)
class ScopeChange:
    """A commit that changed the campaign file. Author and subject are untrusted text."""

    commit: str
    date: str  # the committer date, ISO 8601 UTC
    path: str
    change: ChangeKind
    author: str
    author_email: str
    author_date: str
    subject: str
    pull_request: PullRequest | None


@dataclass(frozen=True, slots=True)
class MemberCount:
    commit: str
    date: str
    members: int


def count_changes(counts: Iterable[MemberCount]) -> tuple[MemberCount, ...]:
    """The counts that differ from the one before (the first always): the member count
    over time without the versions where only states changed."""
    kept: list[MemberCount] = []
    for count in counts:
        if not kept or kept[-1].members != count.members:
            kept.append(count)
    return tuple(kept)


@dataclass(frozen=True, slots=True)
class AlertHistory:
    alert: str
    campaigns: tuple[CampaignEvents, ...]
    versions: int  # ledger versions read


@dataclass(frozen=True, slots=True)
class CampaignHistory:
    campaign: str
    changes: tuple[ScopeChange, ...]
    members: tuple[MemberCount, ...]
