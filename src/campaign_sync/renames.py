"""Repositories are known by id: a renamed or transferred one keeps its members and issue. Pure.

A repository's id survives renames and transfers; its ``OWNER/REPO`` name does not, and
alert ids (``TYPE:OWNER/REPO:NUMBER``) carry the name. The ledger records the id of each
repository it names; when this run's source lists that id under another name, the ledger
is rewritten to the new name before anything else reads it: members' alert ids (their
joined, changed and state kept), the tracking issue (same number), the Autofix requests.
Done once, early, so everything after (membership, plan, reports) sees one name only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from campaign_sync.model import Alert, CampaignLedger, Member, Repository, TrackedIssue


@dataclass(frozen=True, slots=True)
class Rename:
    """One repository of a ledger found under a new name, and what follows it there."""

    old: str
    new: str
    repository_id: int
    members: int = 0
    issue: int | None = None  # the number of its tracking issue, if the ledger has one

    def describe(self, campaign: str) -> str:
        verb = "transferred" if self.old.split("/")[0] != self.new.split("/")[0] else "renamed"
        follows = [f"{self.members} members"] if self.members else []
        if self.issue is not None:
            follows.append(f"issue #{self.issue}")
        tail = f": {' and '.join(follows)} follow it" if follows else ""
        return f"{campaign}: {self.old} was {verb} to {self.new}{tail}"


def current_names(
    repositories: Iterable[Repository], alerts: Iterable[Alert] = ()
) -> dict[int, str]:
    """Repository id -> its name this run, from the source's repositories and alerts."""
    names: dict[int, str] = {}
    last = None
    for alert in alerts:
        # Sorted alerts come in runs of one repository sharing one (interned) name string:
        # once its id is known, the rest of the run costs an identity test each.
        if alert.repository is last:
            continue
        if alert.repository_id is not None:
            names.setdefault(alert.repository_id, alert.repository)
            last = alert.repository
    # The repository listing is the authority when both know the id.
    names.update((r.id, r.full_name) for r in repositories if r.id is not None)
    return names


def rename_alert_id(alert_id: str, moves: Mapping[str, str]) -> str:
    """``TYPE:OLD/NAME:REST`` -> ``TYPE:NEW/NAME:REST`` if OLD/NAME moved, else unchanged."""
    kind, _, rest = alert_id.partition(":")
    repository, sep, tail = rest.partition(":")
    new = moves.get(repository)
    return f"{kind}:{new}{sep}{tail}" if new is not None else alert_id


def follow_renames(
    ledger: CampaignLedger, current: Mapping[int, str]
) -> tuple[CampaignLedger, tuple[Rename, ...]]:
    """The ledger with every repository it knows by id under its current name, and the
    renames that made. Idempotent: the result records the new names, so a second call finds
    nothing to move. Nothing is lost or doubled: each member is kept once; should a member
    exist under both names (an alert the ledger took in under the new name before it knew
    the id), the one under the new name is kept, with the earlier join.
    """
    moves = {
        old: current[repo_id]
        for old, repo_id in ledger.repositories
        if repo_id in current and current[repo_id] != old
    }
    if not moves:
        return ledger, ()
    members = _moved_members(ledger.members, moves)
    issues = _moved_issues(ledger.issues, moves)
    moved_ids = dict(ledger.repositories)
    # Two passes: names may swap (a -> b while b -> a), so every old name goes first.
    repositories = {name: i for name, i in ledger.repositories if name not in moves}
    repositories.update((new, moved_ids[old]) for old, new in moves.items())
    counts: dict[str, int] = {}
    for member in ledger.members:
        if member.repository in moves:
            counts[member.repository] = counts.get(member.repository, 0) + 1
    numbers = {i.repository: i.number for i in ledger.issues}
    renames = tuple(
        Rename(old, new, moved_ids[old], counts.get(old, 0), numbers.get(old))
        for old, new in sorted(moves.items())
    )
    followed = dataclasses.replace(
        ledger,
        members=members,
        issues=issues,
        repositories=tuple(sorted(repositories.items())),
        autofix_requested=tuple(
            sorted({rename_alert_id(a, moves) for a in ledger.autofix_requested})
        ),
    )
    return followed, renames


def _moved_members(members: Iterable[Member], moves: Mapping[str, str]) -> tuple[Member, ...]:
    kept: dict[str, Member] = {}
    for member in members:
        alert_id = rename_alert_id(member.alert_id, moves)
        moved = alert_id != member.alert_id
        member = member._replace(alert_id=alert_id) if moved else member
        other = kept.get(alert_id)
        if other is None:
            kept[alert_id] = member
            continue
        # Both names held it: keep what was tracked under the new name, joined earliest.
        newer, older = (other, member) if moved else (member, other)
        kept[alert_id] = newer._replace(joined=min(newer.joined, older.joined))
    return tuple(sorted(kept.values()))


def _moved_issues(
    issues: Iterable[TrackedIssue], moves: Mapping[str, str]
) -> tuple[TrackedIssue, ...]:
    kept: dict[str, TrackedIssue] = {}
    for issue in sorted(issues, key=lambda i: i.repository in moves):
        # Unmoved first: an issue the ledger already has under the new name wins.
        name = moves.get(issue.repository, issue.repository)
        if name not in kept:
            kept[name] = dataclasses.replace(issue, repository=name)
    return tuple(kept[name] for name in sorted(kept))


def learn_from_redirects(
    ledger: CampaignLedger, moved: Mapping[str, str], ids: Mapping[str, int]
) -> CampaignLedger:
    """The ledger, knowing the ids of repositories it names that GitHub redirected (OLD ->
    NEW while applying) and whose new name has a known id: the next run follows them. For a
    ledger written before ids were recorded, of a repository renamed before that."""
    learned = {
        old: ids[new]
        for old, new in moved.items()
        if new in ids and old not in dict(ledger.repositories)
    }
    if not learned:
        return ledger
    named = {i.repository for i in ledger.issues} | {m.repository for m in ledger.members}
    learned = {old: repo_id for old, repo_id in learned.items() if old in named}
    if not learned:
        return ledger
    return dataclasses.replace(
        ledger, repositories=tuple(sorted({**dict(ledger.repositories), **learned}.items()))
    )
