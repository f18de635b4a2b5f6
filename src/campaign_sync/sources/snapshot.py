"""Alerts from files holding GitHub's own JSON, as ``gh api`` writes it.

A snapshot is what you get from, for example::

    gh api --paginate '/orgs/acme/code-scanning/alerts?per_page=100' > code-scanning.json
    gh api --paginate '/orgs/acme/dependabot/alerts?per_page=100' > dependabot.json
    gh api --paginate '/orgs/acme/secret-scanning/alerts?per_page=100&hide_secret=true' \\
        > secret-scanning.json
    # Generic patterns (passwords, private keys...): GitHub lists them only by name.
    gh api --paginate /orgs/acme/secret-scanning/alerts -X GET -f per_page=100 \\
        -f hide_secret=true -f secret_type=password,rsa_private_key,... > generic.json
    gh api --paginate '/orgs/acme/repos?per_page=100' > repos.json
    gh api --paginate /orgs/acme/properties/values > properties.json

Every shape ``gh api`` produces is accepted, in any file: without ``--slurp`` one merged
array (gh 2.31 and later join the pages of a REST listing), or the pages' arrays back to
back (``[...][...]``, older gh, and GraphQL or object pages), with ``--slurp`` (gh 2.48
and later) an array of the pages' arrays, with ``--jq '.[]'`` one object per line, or a
single object (``gh api /repos/O/R``). The
repository-level endpoints (``/repos/OWNER/REPO/code-scanning/alerts`` and the like) work
too: their alerts carry no ``repository``, so it is read from the alert's ``html_url``
(``https://HOST/OWNER/REPO/security/...``).

Each object is recognized by its shape: a code scanning, Dependabot or secret scanning
alert (``github_json.detect_type``), a repository (``/orgs/ORG/repos``: ``full_name`` with
``topics``, ``archived``, ``visibility``, ``custom_properties``, ``has_issues``) or a
repository's custom property values (``/orgs/ORG/properties/values``). Anything else is an
error naming the file, the item's number and its line and column.

The files are read as a stream, one item at a time: a snapshot of a large organization is
never held in memory as JSON, only as the ``Alert`` values it becomes. A secret scanning
alert's ``secret`` is never read, so it cannot reach the result even when the file has it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from campaign_sync.errors import SourceError
from campaign_sync.model import Alert, Repository
from campaign_sync.sources import github_json
from campaign_sync.sources.base import SourceResult

_CHUNK = 1 << 16
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A decode error this close to the end of the buffer may only mean the value continues in
# the next chunk (a number, literal or escape cut in half), so read more and try again.
_TAIL = 16

# The keys of GitHub's error body, e.g. {"message": "Not Found", "documentation_url": ...}.
_ERROR_BODY_KEYS = frozenset({"message", "documentation_url", "status", "errors"})


class _Malformed(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _JsonStream:
    """Reads a stream of JSON values, descending into arrays, one item at a time.

    Top-level values may follow each other (``[...][...]``, or one object per line), and
    arrays at any depth are flattened, so ``--slurp``'s array of pages yields the alerts.
    Only the item being decoded (plus one chunk) is held in memory.
    """

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self._decoder = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._chunk = _CHUNK
        # Positions in errors are absolute though the buffer is not: the line and column
        # (1-based) of the buffer's start, and of the last position asked for, from which
        # the next one is counted (counting from the start each time would be quadratic).
        self._start = (1, 1)
        self._mark = (0, 1, 1)

    def _fill(self) -> bool:
        """Read more, dropping what was consumed; False (and nothing changed) at end of file."""
        if self._eof:
            return False
        # Read at least as much as is buffered, so one large item costs linear time.
        data = self._handle.read(max(self._chunk, len(self._buf) - self._pos))
        if not data:
            self._eof = True
            return False
        if self._pos:
            self._start = self.location(self._pos)
            self._mark = (0, *self._start)
            self._buf = self._buf[self._pos :]
            self._pos = 0
        self._buf += data
        return True

    def location(self, pos: int) -> tuple[int, int]:
        """1-based line and column of a position in the buffer."""
        mark, line, column = self._mark
        if pos < mark:
            mark, (line, column) = 0, self._start
        newlines = self._buf.count("\n", mark, pos)
        if newlines:
            line += newlines
            column = pos - self._buf.rfind("\n", mark, pos)
        else:
            column += pos - mark
        self._mark = (pos, line, column)
        return line, column

    def _malformed(self, message: str, pos: int | None = None) -> _Malformed:
        line, column = self.location(self._pos if pos is None else pos)
        return _Malformed(message, line, column)

    def _peek(self) -> str | None:
        """The next character that is not whitespace, or None at end of file."""
        while True:
            match = _WHITESPACE.match(self._buf, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return None

    def _decode(self) -> tuple[Any, int, int]:
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as error:
                malformed = self._malformed(error.msg, error.pos)
                incomplete = error.pos >= len(self._buf) - _TAIL or error.msg.startswith(
                    "Unterminated string"
                )
                if incomplete and self._fill():
                    continue
                raise malformed from None
            except RecursionError:
                raise self._malformed("JSON nested too deeply") from None
            except ValueError as error:  # e.g. an integer of more than 4300 digits
                raise self._malformed(str(error)) from None
            if end >= len(self._buf) and self._fill():
                continue  # a number or literal at the end of the buffer may go on
            line, column = self.location(self._pos)
            self._pos = end
            return value, line, column

    def items(self) -> Iterator[tuple[Any, int, int]]:
        """Each value that is not an array, with its line and column."""
        depth = 0
        expect_value = True  # False: inside an array, after an item (',' or ']' next)
        while True:
            char = self._peek()
            if char is None:
                if depth:
                    raise self._malformed("unexpected end of file inside an array")
                return
            if depth and not expect_value:
                self._pos += 1
                if char == ",":
                    expect_value = True
                    if self._peek() == "]":
                        raise self._malformed("Expecting value")
                elif char == "]":
                    depth -= 1
                else:
                    raise self._malformed("Expecting ',' delimiter", self._pos - 1)
            elif char == "[":
                self._pos += 1
                if self._peek() == "]":
                    self._pos += 1
                    expect_value = False
                else:
                    depth += 1
                    expect_value = True
            elif char == "]":
                raise self._malformed("unexpected ']'")
            else:
                yield self._decode()
                expect_value = False


def expand_paths(paths: Sequence[Path], patterns: tuple[str, ...]) -> list[Path]:
    """Files to read: each file as given, each folder's matching files (recursively, sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                {p for pattern in patterns for p in path.rglob(pattern) if p.is_file()},
                key=lambda p: p.relative_to(path).as_posix(),
            )
            if not found:
                wanted = " or ".join(patterns)
                raise SourceError(f"{path}: no {wanted} files in this folder")
            # A file in the folder must be in the folder: a symbolic link out of it (a
            # snapshot committed in a pull request) must not make CI read other files.
            real = path.resolve()
            for file in found:
                target = file.resolve()
                if not target.is_relative_to(real):
                    raise SourceError(
                        f"{file}: a symbolic link that leads outside {path} (to "
                        f"{str(target)[:200]}); refusing to read it: copy the file in instead"
                    )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise SourceError(f"{path}: not a file or folder")
        else:
            raise SourceError(f"{path}: no such file or folder")
    return files


def repository_from_html_url(url: Any) -> str | None:
    """``https://HOST/OWNER/REPO/security/...`` -> ``OWNER/REPO`` (None if it is not one)."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 3:  # an alert's page is below the repository's
        return None
    name = f"{segments[0]}/{segments[1]}"
    return name if github_json.is_repository_name(name) else None


@dataclasses.dataclass(slots=True)
class _Listing:
    """A repository as a listing showed it, and custom property values seen separately."""

    repository: Repository | None = None
    updated_at: str = ""
    repository_id: int | None = None  # from /properties/values
    properties: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


class _Collector:
    """Keeps what the result needs, and nothing of the raw JSON."""

    def __init__(self) -> None:
        self.alerts: dict[str, Alert] = {}
        self.repositories: dict[str, _Listing] = {}
        self.without_state = 0  # code scanning alerts with a null state (schema: nullable)

    def add_alert(self, alert: Alert) -> None:
        kept = self.alerts.get(alert.id)
        if kept is not None:
            # The same alert in several files (org- and repository-level, or two
            # snapshots): the latest state wins; on a tie, the file read last.
            newer, older = (
                (kept, alert)
                if (kept.updated_at or "") > (alert.updated_at or "")
                else (alert, kept)
            )
            if newer.repository_id is None and older.repository_id is not None:
                newer = dataclasses.replace(newer, repository_id=older.repository_id)
            alert = newer
        self.alerts[alert.id] = alert

    def add_repository(self, data: Mapping[str, Any]) -> None:
        repository = github_json.repository(data)
        updated_at = data.get("updated_at")
        updated = updated_at if isinstance(updated_at, str) else ""
        listing = self.repositories.setdefault(repository.full_name, _Listing())
        if listing.repository is None or updated >= listing.updated_at:
            listing.repository = repository
            listing.updated_at = updated

    def add_property_values(self, data: Mapping[str, Any]) -> None:
        full_name = github_json.repository_name(data["repository_full_name"])
        values: dict[str, Any] = {}
        for entry in data["properties"]:
            if isinstance(entry, Mapping) and isinstance(entry.get("property_name"), str):
                values[entry["property_name"]] = entry.get("value")
        listing = self.repositories.setdefault(full_name, _Listing())
        # A property set to null is unset: it overrides what a listing said with nothing.
        listing.properties.update((name, ()) for name, value in values.items() if value is None)
        listing.properties.update(github_json.custom_properties(values))
        repo_id = data.get("repository_id")
        if isinstance(repo_id, int) and not isinstance(repo_id, bool):
            listing.repository_id = repo_id

    def result(self) -> SourceResult:
        alerts = tuple(sorted(self.alerts.values(), key=lambda a: a.id))
        repositories = tuple(
            sorted(
                (_merge(name, listing) for name, listing in self.repositories.items()),
                key=lambda r: r.full_name,
            )
        )
        stamps = [a.updated_at for a in alerts if a.updated_at]
        count = self.without_state
        notes = (
            (
                f"{count} code-scanning alert{'s' if count != 1 else ''} without a state "
                f"(GitHub sent null) {'was' if count == 1 else 'were'} skipped: open or not "
                "is unknown, so they are left as the last run saw them",
            )
            if count
            else ()
        )
        return SourceResult(
            alerts=alerts,
            repositories=repositories,
            watermark=max(stamps) if stamps else None,
            notes=notes,
        )


def _merge(full_name: str, listing: _Listing) -> Repository:
    """The listing's metadata, with values from ``/properties/values`` taking precedence."""
    repository = listing.repository or Repository(full_name=full_name)
    if repository.id is None and listing.repository_id is not None:
        repository = dataclasses.replace(repository, id=listing.repository_id)
    if listing.properties:
        properties = dict(repository.properties)
        properties.update(listing.properties)
        merged = tuple(sorted((name, values) for name, values in properties.items() if values))
        repository = dataclasses.replace(repository, properties=merged)
    return repository


def _is_repository(data: Mapping[str, Any]) -> bool:
    return isinstance(data.get("full_name"), str) and any(
        key in data
        for key in (
            "archived",
            "topics",
            "visibility",
            "private",
            "custom_properties",
            "has_issues",
        )
    )


def _is_property_values(data: Mapping[str, Any]) -> bool:
    return isinstance(data.get("repository_full_name"), str) and isinstance(
        data.get("properties"), list
    )


def _describe(value: Any) -> str:
    if isinstance(value, Mapping):
        keys = sorted(str(k) for k in value)
        shown = ", ".join(k[:40] for k in keys[:8]) + (", ..." if len(keys) > 8 else "")
        return f"an object with keys {shown}" if keys else "an empty object"
    kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return kind.get(type(value), "a number")


class SnapshotSource:
    """Alerts and repository metadata from snapshot files of GitHub's JSON (see the module)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = tuple(Path(p) for p in paths)

    @property
    def name(self) -> str:
        return "snapshot"

    def fetch(self, expected: Collection[str] = ()) -> SourceResult:
        """Every alert of the snapshot (read whole: ``expected`` changes nothing)."""
        collector = _Collector()
        for path in expand_paths(self._paths, ("*.json",)):
            self._read(path, collector)
        return collector.result()

    def _read(self, path: Path, collector: _Collector) -> None:
        try:
            # utf-8-sig: a byte order mark (PowerShell's redirection writes one) is skipped.
            with path.open(encoding="utf-8-sig") as handle:
                stream = _JsonStream(handle)
                for index, (value, line, column) in enumerate(stream.items(), start=1):
                    self._add(value, collector, f"{path}:{line}:{column}: item {index}")
        except _Malformed as error:
            raise SourceError(
                f"{path}:{error.line}:{error.column}: malformed JSON: {error.message}"
            ) from None
        except UnicodeDecodeError:
            raise SourceError(f"{path}: not UTF-8 text; is this a JSON snapshot?") from None
        except OSError as error:
            raise SourceError(f"{path}: cannot read: {error.strerror or error}") from None

    @staticmethod
    def _add(value: Any, collector: _Collector, where: str) -> None:
        if not isinstance(value, Mapping):
            raise SourceError(
                f"{where} is neither a GitHub alert nor a repository: it is {_describe(value)}"
            )
        try:
            alert_type = github_json.detect_type(value)
        except github_json.ShapeError:
            alert_type = None
        if alert_type is not None:
            # Repository-level endpoints leave out ``repository``: the alert's page names it.
            repository = repository_from_html_url(value.get("html_url"))
            listed = value.get("repository")
            if repository is None and not (
                isinstance(listed, Mapping) and isinstance(listed.get("full_name"), str)
            ):
                raise SourceError(
                    f"{where}: a {alert_type} alert with neither a repository.full_name "
                    "nor an html_url naming one (https://HOST/OWNER/REPO/...)"
                )
            try:
                alert = github_json.NORMALIZERS[alert_type](value, repository)
            except github_json.NoState:
                collector.without_state += 1  # one such alert must not fail the file
                return
            except github_json.ShapeError as error:
                raise SourceError(f"{where}: not a valid {alert_type} alert: {error}") from None
            collector.add_alert(alert)
        elif _is_repository(value) or _is_property_values(value):
            try:
                if _is_repository(value):
                    collector.add_repository(value)
                else:
                    collector.add_property_values(value)
            except github_json.ShapeError as error:
                raise SourceError(f"{where}: not a valid repository: {error}") from None
        elif "url" in value and "message" in value and set(value) <= _ERROR_BODY_KEYS | {"url"}:
            # GitHub's redirect for a renamed or transferred repository: no page of alerts,
            # and never to be read as an empty one.
            raise SourceError(
                f"{where} is GitHub's redirect ({str(value['message'])[:100]!r} to "
                f"{str(value['url'])[:200]!r}), not an alert: the repository was renamed or "
                "transferred. Take the snapshot again under its new name, or with a client "
                "that follows redirects"
            )
        elif "message" in value and set(value) <= _ERROR_BODY_KEYS:
            message = str(value["message"])[:200]
            raise SourceError(
                f"{where} is a GitHub API error response ({message!r}), not an alert: "
                "take the snapshot again with a token that can read these alerts"
            )
        else:
            raise SourceError(
                f"{where} is neither a GitHub alert nor a repository: it is {_describe(value)}; "
                "expected an alert (code scanning, Dependabot, secret scanning), a repository "
                "(full_name) or custom property values (repository_full_name, properties)"
            )
