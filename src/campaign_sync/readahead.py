"""What apply must know about issues before it writes, read ahead in batches.

Apply reads before it writes, so that every write is safe to repeat: an update needs the
issue's current body (to keep what humans wrote around the tool's section), a close or a
reopen needs the issue's state and comments (a comment is posted once), and a create needs
the repository's labelled issues (one opened by a run that died unrecorded is taken over,
not duplicated). Through REST that is a request per action, as many as the writes
themselves; here they are read through GraphQL for the next actions in apply's order:
MAX_ISSUES issues or MAX_REPOSITORIES repositories a request.

**Fresh enough to merge into.** An issue read ahead is used only within FRESH_SECONDS of
being read, and a batch is sized so that, at the configured write spacing, it is used up
within that time: a human's edit can be overwritten only if it lands in those seconds
between our read and our write (with one REST read per write the window is the write
spacing; either way GitHub keeps the edit in the issue's history). After this run writes
to an issue, GitHub's answer to the write is what it knows of it (an update then a close
of one issue read it once).

**REST stays the authority.** An issue or repository the batch could not vouch for is read
through REST, and once the GraphQL API fails as a whole (refused, rate limited, down) the
rest of the run reads through REST: slower, never wrong. ``fallback`` says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from campaign_sync.actions import (
    Action,
    CloseIssue,
    CommentIssue,
    CreateIssue,
    ReopenIssue,
    UpdateIssue,
)
from campaign_sync.github import tracker
from campaign_sync.github.graphql import GraphQLUnavailable
from campaign_sync.github.issue_batch import (
    FRESH_SECONDS,
    MAX_REPOSITORIES,
    IssueKey,
    IssueSnapshot,
    issues_per_batch,
    read_issues,
    read_labelled,
)
from campaign_sync.github.transport import Transport

T = TypeVar("T")


def _issue_key(action: Action) -> IssueKey | None:
    """The issue an action reads before writing (native campaigns have numbers too)."""
    if isinstance(action, UpdateIssue | CloseIssue | ReopenIssue | CommentIssue):
        return (action.where, action.number)
    return None


def _needs_comments(action: Action) -> bool:
    return isinstance(action, CloseIssue | ReopenIssue | CommentIssue)


class ReadAhead:
    """Reads for ``actions`` (in apply's order); ``position`` is the action being applied."""

    def __init__(
        self,
        transport: Transport,
        actions: Sequence[Action],
        *,
        label: str,
        write_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._actions = actions
        self._label = label
        self._batch = issues_per_batch(write_interval)
        self._clock = clock
        self._issues: dict[IssueKey, tuple[float, IssueSnapshot]] = {}
        self._labelled: dict[str, list[tracker.IssueRef]] = {}
        self._unvouched: set[IssueKey] = set()  # asked of GraphQL once, not answered
        self._unlisted: set[str] = set()  # repositories likewise
        self.fallback: str | None = None  # why the run went on through REST alone
        self.batches = 0  # GraphQL requests made

    # -- issues --------------------------------------------------------------------------

    def issue(self, position: int, repository: str, number: int) -> tracker.IssueRef:
        snapshot = self._fresh(position, (repository, number), comments=False)
        if snapshot is not None:
            return snapshot.issue
        return tracker.get_issue(self._transport, repository, number)

    def comments(self, position: int, repository: str, number: int) -> tuple[str, ...]:
        """The bodies of the issue's comments, oldest first."""
        snapshot = self._fresh(position, (repository, number), comments=True)
        if snapshot is not None and snapshot.comments is not None:
            return snapshot.comments
        listed = tracker.list_comments(self._transport, repository, number)
        return tuple(c.body for c in listed)

    def writing(self, repository: str, number: int) -> tuple[str, ...] | None:
        """This run is about to change the issue: what was read of it is stale (should the
        write fail half-way, it is read again). Returns its comments as last known, however
        old (None: not known), for ``wrote``."""
        entry = self._issues.pop((repository, number), None)
        return None if entry is None else entry[1].comments

    def wrote(
        self,
        repository: str,
        number: int,
        issue: tracker.IssueRef | None,
        comments: tuple[str, ...] | None,
    ) -> None:
        """This run changed the issue, and knows what it is now: ``issue`` as GitHub
        answered the write (None: unchanged by it), ``comments`` as they are now (None: not
        known). A later action on the issue needs no new read."""
        if issue is None or comments is None:
            return
        self._issues[(repository, number)] = (self._clock(), IssueSnapshot(issue, comments))

    def _fresh(self, position: int, key: IssueKey, *, comments: bool) -> IssueSnapshot | None:
        snapshot = self._usable(key, comments)
        if snapshot is None and self.fallback is None and key not in self._unvouched:
            self._read_ahead(position, key, comments)
            snapshot = self._usable(key, comments)
        return snapshot

    def _usable(self, key: IssueKey, comments: bool) -> IssueSnapshot | None:
        entry = self._issues.get(key)
        if entry is None or self._clock() - entry[0] > FRESH_SECONDS:
            return None
        snapshot = entry[1]
        return snapshot if not comments or snapshot.comments is not None else None

    def _read_ahead(self, position: int, key: IssueKey, comments: bool) -> None:
        """Read ``key`` and the issues the next actions will need, up to a batch."""
        wanted: dict[IssueKey, bool] = {key: comments}  # key -> with its comments
        for action in self._actions[position:]:
            other = _issue_key(action)
            if other is None:
                continue
            needs = _needs_comments(action)
            if other in wanted:
                wanted[other] = wanted[other] or needs
            elif len(wanted) >= self._batch:
                break
            elif other not in self._unvouched and self._usable(other, needs) is None:
                wanted[other] = needs
        keys = list(wanted)
        read_at = self._clock()  # before sending: the answer is at least this fresh
        with_comments = frozenset(k for k in keys if wanted[k])
        found = self._batch_of(lambda: read_issues(self._transport, keys, comments=with_comments))
        if found is None:
            return
        self._unvouched.update(k for k in keys if k not in found)
        for found_key, snapshot in found.items():
            self._issues[found_key] = (read_at, snapshot)

    # -- labelled issues -------------------------------------------------------------------

    def labelled(self, position: int, repository: str) -> list[tracker.IssueRef]:
        """The repository's issues carrying the label, oldest first: read once a run (what
        this run opens, it knows already)."""
        issues = self._labelled.get(repository)
        if issues is None and self.fallback is None and repository not in self._unlisted:
            self._list_ahead(position, repository)
            issues = self._labelled.get(repository)
        if issues is None:
            issues = list(tracker.list_issues_with_label(self._transport, repository, self._label))
            self._labelled[repository] = issues
        return issues

    def _list_ahead(self, position: int, repository: str) -> None:
        wanted = [repository]
        for action in self._actions[position:]:
            if len(wanted) >= MAX_REPOSITORIES:
                break
            if isinstance(action, CreateIssue):
                name = action.repository
                if not (name in self._labelled or name in self._unlisted or name in wanted):
                    wanted.append(name)
        found = self._batch_of(lambda: read_labelled(self._transport, wanted, self._label))
        if found is None:
            return
        self._unlisted.update(name for name in wanted if name not in found)
        for name, issues in found.items():
            self._labelled[name] = list(issues)

    def _batch_of(self, read: Callable[[], T]) -> T | None:
        """One GraphQL request; None, and REST for the rest of the run, if it fails whole."""
        try:
            found = read()
        except GraphQLUnavailable as error:
            self.fallback = str(error)
            return None
        self.batches += 1
        return found
