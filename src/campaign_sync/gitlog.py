"""Reading a repository's own history: which commits changed which files, and their bytes.

``campaign-sync history`` answers from here, from git alone: no network, no token, nothing
written. Whatever the history holds, it takes a fixed number of processes: ``git
rev-parse`` once, ``git log`` once per question (the commits that changed some paths,
with the blob each left, or the parents of every commit), and one ``git cat-file
--batch`` that every file version and commit is read through. Never one process per
commit: a campaigns repository gains a commit a day, for years.

This is an I/O edge, as ``gitcommit/``: it runs the ``git`` executable. It asks for no
text a person wrote in the log's output (only hashes, parents and times), so a commit
message cannot forge a line of it; messages and authors are read from the commit objects,
and whoever shows them escapes them. Replacement refs (``git replace``) are ignored: the
answer is about the commits as they are, not as a local ref would have them seem.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from campaign_sync.errors import CampaignSyncError
from campaign_sync.gitcommit.git import git_environment


class HistoryError(CampaignSyncError):
    """The history cannot be read: not a repository, no commits, git missing."""


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    date: str  # the committer date, ISO 8601 UTC: when it entered the branch


@dataclass(frozen=True, slots=True)
class Change:
    """One path one commit changed, and the blob it left there (None: deleted)."""

    commit: Commit
    path: str
    status: str  # git's letter: A added, M modified, D deleted, T type changed
    blob: str | None


@dataclass(frozen=True, slots=True)
class CommitText:
    """What a person wrote: untrusted text, to be escaped wherever it is shown."""

    author: str
    author_email: str
    author_date: str  # ISO 8601 UTC
    committer_date: str  # ISO 8601 UTC
    subject: str


_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_NULL_SHA = re.compile(r"0+")
_PERSON = re.compile(rb"(.*) <(.*)> (-?\d+) [+-]\d{4}")


def _environment() -> dict[str, str]:
    return {**git_environment(), "GIT_PAGER": "cat"}


def _command(toplevel: Path, *args: str) -> list[str]:
    return [
        "git",
        "--no-replace-objects",
        "--literal-pathspecs",  # a folder named like a glob means itself
        "-C",
        str(toplevel),
        # A user's settings must not change what is parsed: --follow on one path, renames.
        "-c",
        "log.follow=false",
        "-c",
        "log.showSignature=false",
        "-c",
        "diff.renames=false",
        *args,
    ]


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Repository:
    toplevel: Path
    prefix: str  # the asked folder within it, "" or "sub/dir/"
    shallow: bool


def open_repository(root: Path) -> Repository:
    """The repository ``root`` is in; HistoryError saying why not."""
    if not root.is_dir():
        raise HistoryError(
            f"{root} is not a folder: run history in a clone of the campaigns repository, "
            "or pass --root"
        )
    try:
        result = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "rev-parse",
                "--show-toplevel",
                "--show-prefix",
                "--is-shallow-repository",
            ],
            capture_output=True,
            env=_environment(),
            check=False,
        )
    except FileNotFoundError:
        raise HistoryError("git is not installed or not on PATH; history reads git") from None
    lines = result.stdout.decode("utf-8", "surrogateescape").splitlines()
    if result.returncode != 0 or len(lines) != 3:
        raise HistoryError(
            f"{root} is not in a git repository: history reads the campaigns repository's "
            "git history; run it in a clone of it, or pass --root"
        )
    return Repository(Path(lines[0]), lines[1], lines[2] == "true")


def _run(repository: Repository, *args: str) -> bytes:
    result = subprocess.run(
        _command(repository.toplevel, *args), capture_output=True, env=_environment(), check=False
    )
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()
        if any(
            sign in detail
            for sign in ("does not have any commits yet", "unknown revision", "bad revision")
        ):
            raise HistoryError(f"{repository.toplevel}: no commits yet, so no history to read")
        raise HistoryError(f"git {args[0]} failed: {detail or f'exit {result.returncode}'}")
    return result.stdout


def changes(repository: Repository, paths: Iterable[str], *, first_parent: bool) -> list[Change]:
    """Every change to ``paths`` (files or folders, from the top of the repository) in
    HEAD's history, oldest commit first.

    ``first_parent``: the commits of the branch itself, a merge seen as the change it
    brought (what the branch held, when); else every commit that changed them, on any
    side of a merge, merges themselves left out (a merge only brings others' changes).
    """
    walk = (
        ["--first-parent", "--diff-merges=first-parent"]
        if first_parent
        # Every commit that changed them, also on a branch whose net change a merge undid.
        else ["--no-merges", "--full-history"]
    )
    out = _run(
        repository,
        "log",
        "-z",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--format=%x1e%H %P%x1f%ct",
        *walk,
        "HEAD",
        "--",
        *paths,
    )
    found: list[Change] = []
    for chunk in out.split(b"\x1e")[1:]:
        head, _, raw = chunk.partition(b"\x00")
        commit = _commit(head)
        tokens = raw.lstrip(b"\n").split(b"\x00")
        for meta, path in zip(tokens[0::2], tokens[1::2], strict=False):
            fields = meta.decode("ascii", "replace").lstrip(":").split()
            if len(fields) != 5:
                continue
            blob = None if _NULL_SHA.fullmatch(fields[3]) else fields[3]
            found.append(
                Change(commit, path.decode("utf-8", "surrogateescape"), fields[4][:1], blob)
            )
    found.reverse()  # log is newest first; within a commit the order does not matter
    return found


def _commit(head: bytes) -> Commit:
    ids, _, stamp = head.decode("ascii", "replace").partition("\x1f")
    sha, *parents = ids.split()
    if not _SHA.fullmatch(sha):
        raise HistoryError(f"git log gave something other than a commit: {head[:80]!r}")
    return Commit(sha, tuple(parents), _iso(int(stamp.strip())))


def parents(repository: Repository) -> tuple[str, dict[str, tuple[str, ...]]]:
    """HEAD and the parents of every commit in its history."""
    out = _run(repository, "log", "--format=%H %P", "HEAD").decode("ascii", "replace")
    graph: dict[str, tuple[str, ...]] = {}
    head = ""
    for line in out.splitlines():
        sha, *rest = line.split()
        head = head or sha
        graph[sha] = tuple(rest)
    return head, graph


class Objects:
    """One ``git cat-file --batch``: blobs and commits read by name, in one process."""

    def __init__(self, repository: Repository) -> None:
        self._process = subprocess.Popen(
            _command(repository.toplevel, "cat-file", "--batch"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_environment(),
        )
        self._in: IO[bytes] = self._process.stdin  # type: ignore[assignment]
        self._out: IO[bytes] = self._process.stdout  # type: ignore[assignment]

    def read(self, name: str) -> bytes | None:
        """The object's bytes, or None when there is none of that name."""
        if "\n" in name:
            return None
        self._in.write(name.encode("utf-8", "surrogateescape") + b"\n")
        self._in.flush()
        header = self._out.readline().split()
        if len(header) != 3:  # "<name> missing", "<name> ambiguous"
            return None
        size = int(header[2])
        data = self._out.read(size)
        self._out.read(1)  # the newline after each object
        return data

    def commit_text(self, sha: str) -> CommitText:
        data = self.read(sha) or b""
        headers, _, message = data.partition(b"\n\n")
        people: dict[bytes, tuple[bytes, bytes, bytes]] = {}
        for line in headers.split(b"\n"):
            role, _, person = line.partition(b" ")
            found = _PERSON.fullmatch(person) if role in (b"author", b"committer") else None
            if found is not None:
                people[role] = found.groups()  # type: ignore[assignment]
        name, email, stamp = people.get(b"author", (b"", b"", b"0"))
        committed = people.get(b"committer", (b"", b"", b"0"))[2]
        subject = message.split(b"\n", 1)[0]
        return CommitText(
            author=name.decode("utf-8", "replace"),
            author_email=email.decode("utf-8", "replace"),
            author_date=_iso(int(stamp)),
            committer_date=_iso(int(committed)),
            subject=subject.decode("utf-8", "replace").strip(),
        )

    def close(self) -> None:
        if self._process.poll() is None:
            self._in.close()
            self._process.wait()
        self._out.close()

    def __enter__(self) -> Objects:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def mainline(head: str, graph: Mapping[str, tuple[str, ...]]) -> list[str]:
    """HEAD's first-parent chain, oldest first: the commits of the branch itself."""
    chain: list[str] = []
    sha: str | None = head
    while sha is not None and sha in graph:
        chain.append(sha)
        sha = graph[sha][0] if graph[sha] else None
    chain.reverse()
    return chain


def brought_by(head: str, graph: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """For each commit of HEAD's history, the commit of the branch that brought it in: the
    commit itself when it is on the branch, else the merge that first made it reachable.
    One walk over the whole history. Pure."""
    seen: dict[str, str] = {}
    for merge in mainline(head, graph):
        stack = [merge]
        while stack:
            sha = stack.pop()
            if sha in seen or sha not in graph:
                continue
            seen[sha] = merge
            stack.extend(graph[sha])
    return seen
