"""The alert store: what the last listing of an organization saw, kept between runs.

With it, a run lists only the alerts updated since the last one (newest first, stopping at
the watermark) and takes the rest from here. Without it (first run, lost cache, unreadable
file, another version) a run lists everything: the store is a cache, never the truth.

One file per source scope, ``<folder>/github-<scope>.jsonl.gz``, gzip-compressed JSON lines:

- line 1, the header: version, scope, the alert fields in row order, when the last full
  listing was, the watermark of each alert type;
- one line per alert: its fields in the header's order;
- one line per repository: ``["repository", name, id, archived, visibility, topics,
  properties, has_issues]`` (metadata changes rarely: it is listed again once a day).

Only normalized fields: no page GitHub sent is kept (a server that ignored ``hide_secret``
would leave a secret's value in one). Version 1 kept the first pages of incremental
listings for conditional requests; GitHub's ETags belong to the token that got them, so
with the new App token of each Actions run they never answered 304, and with one token a
forged body under a valid ETag would have been read as this run's listing.

The store is untrusted: anyone who can write the Actions cache can replace it. Every row is
checked on load against the exact shape written here; the first row that does not fit makes
the whole store a cache miss (``check_listing`` says which row and why). And what only the
store says never closes anything: see ``SourceResult.unconfirmed``.

Written atomically (a temporary file renamed over the old one). Secret values are never in
an ``Alert``, so never here either; nothing in the store is committed (it belongs in
``.gitignore``, and in CI in ``actions/cache``).
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import re
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from campaign_sync import dismissal
from campaign_sync.files import UnsafePath, checked_target, make_folders
from campaign_sync.model import ALERT_STATES, ALERT_TYPES, REPOSITORY_NAME, Alert, Repository

VERSION = 3  # 2: no cached pages, every row validated; 3: who dismissed, and the comment
_FIELDS = tuple(f.name for f in dataclasses.fields(Alert))
# Fields whose values repeat across alerts: one string each in memory, as the GitHub
# source's normalizers do.
_SHARED = frozenset(
    {
        "type",
        "repository",
        "state",
        "state_reason",
        "rule_id",
        "rule_name",
        "tool",
        "severity",
        "path",
        "secret_type",
        "secret_validity",
        "package",
        "ecosystem",
        "manifest",
        "message",
    }
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True)
class StoredListing:
    """An organization's alerts as last listed, and how to list only what changed."""

    scope: str
    full_listing_at: str  # ISO 8601 UTC: when every alert was last listed
    watermarks: Mapping[str, str]  # alert type -> newest `updated_at` seen
    alerts: tuple[Alert, ...]
    repositories: tuple[Repository, ...] = ()
    repositories_listed_at: str | None = None  # ISO 8601 UTC; None: not stored


def store_path(folder: Path, scope: str) -> Path:
    return folder / f"github-{_UNSAFE.sub('_', scope.replace('/', '__'))}.jsonl.gz"


def load_listing(folder: Path, scope: str, *, root: Path | None = None) -> StoredListing | None:
    """The stored listing of ``scope``, or None (with no error) when there is none usable."""
    return check_listing(folder, scope, root=root)[0]


class BadStore(ValueError):
    """A store that does not have the shape this version writes."""


def check_listing(
    folder: Path, scope: str, *, root: Path | None = None
) -> tuple[StoredListing | None, str | None]:
    """The stored listing of ``scope``, or None and why not (None too when there is no
    store at all: a first run is no problem). ``root``: the checkout the folder is in; a
    link on the way (from a restored cache) or a FIFO in place of the file is a miss."""
    path = store_path(folder, scope)
    try:
        checked_target(path, root if root is not None else folder.parent)
    except UnsafePath as error:
        return None, str(error)
    try:
        with gzip.open(path, "rb") as stream:
            header = orjson.loads(stream.readline())
            if not isinstance(header, dict):
                raise BadStore("line 1: not a header")
            if header.get("version") != VERSION or tuple(header.get("fields", ())) != _FIELDS:
                raise BadStore(f"written by another version of the tool ({VERSION} expected)")
            if header.get("scope") != scope:
                raise BadStore("line 1: written for another scope")
            return _read_body(stream, header, scope), None
    except FileNotFoundError:
        return None, None
    except BadStore as error:
        return None, str(error)
    except (OSError, EOFError, zlib.error) as error:
        return None, f"unreadable ({type(error).__name__})"
    except (ValueError, TypeError, KeyError, IndexError) as error:
        return None, f"not a store this version writes ({type(error).__name__})"


_SHARED_AT = tuple(i for i, name in enumerate(_FIELDS) if name in _SHARED)
_CWES_AT = _FIELDS.index("cwes")
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
_STATES = frozenset(ALERT_STATES)
_TYPES = frozenset(ALERT_TYPES)
_VISIBILITIES = frozenset({"public", "private", "internal"})
_INTEGERS = frozenset({"repository_id", "number", "start_line"})
_STAMPS = frozenset({"created_at", "updated_at", "fixed_at", "dismissed_at"})
_CHECKED = frozenset(
    {
        "id",
        "type",
        "repository",
        "state",
        "cwes",
        "fix_available",
        "html_url",
        "dismissed_by",
        "dismissed_comment",
    }
)
_TEXTS = tuple(i for i, name in enumerate(_FIELDS) if name not in _CHECKED | _INTEGERS | _STAMPS)
_INTEGERS_AT = tuple(i for i, name in enumerate(_FIELDS) if name in _INTEGERS)
_STAMPS_AT = tuple(i for i, name in enumerate(_FIELDS) if name in _STAMPS)
_ID_AT, _TYPE_AT, _REPO_AT, _STATE_AT, _NUMBER_AT, _FIX_AT, _URL_AT = map(
    _FIELDS.index, ("id", "type", "repository", "state", "number", "fix_available", "html_url")
)
_BY_AT, _COMMENT_AT = _FIELDS.index("dismissed_by"), _FIELDS.index("dismissed_comment")


def _is_int(value: Any) -> bool:
    return type(value) is int


def _check_alert(row: list[Any]) -> str | None:
    """What is wrong with an alert row, or None: exactly what ``GitHubSource`` lists."""
    kind, repository, state, number = row[_TYPE_AT], row[_REPO_AT], row[_STATE_AT], row[_NUMBER_AT]
    if kind not in _TYPES:
        return "an alert of no known type"
    if state not in _STATES:
        return "an alert state that is none of open, fixed, dismissed, resolved"
    if not isinstance(repository, str) or not REPOSITORY_NAME.fullmatch(repository):
        return "a repository that is no OWNER/REPO name"
    if type(number) is not int or number < 1:
        return "an alert without a number"
    if row[_ID_AT] != f"{kind}:{repository}:{number}":
        return "an id that is not TYPE:OWNER/REPO:NUMBER of the row's own fields"
    for i in _INTEGERS_AT:
        if row[i] is not None and not _is_int(row[i]):
            return f"{_FIELDS[i]} is not an integer"
    for i in _STAMPS_AT:
        if row[i] is not None and not (isinstance(row[i], str) and _STAMP.fullmatch(row[i])):
            return f"{_FIELDS[i]} is not a timestamp"
    for i in _TEXTS:
        if row[i] is not None and not isinstance(row[i], str):
            return f"{_FIELDS[i]} is not text"
    cwes = row[_CWES_AT]
    if not isinstance(cwes, list) or not all(_is_int(c) for c in cwes):
        return "cwes is not a list of integers"
    if row[_FIX_AT] is not None and type(row[_FIX_AT]) is not bool:
        return "fix_available is not true, false or null"
    url = row[_URL_AT]
    if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        return "html_url is not a web address"
    return _check_dismissal(state, row[_BY_AT], row[_COMMENT_AT])


def _check_dismissal(state: str, by: Any, comment: Any) -> str | None:
    """Exactly what the normalizers keep (``dismissal.py``): only on a closed alert, a
    login, and a comment within the cap."""
    if by is None and comment is None:
        return None
    if state not in ("dismissed", "resolved"):
        return "dismissed_by or dismissed_comment on an alert neither dismissed nor resolved"
    if by is not None and dismissal.login(by) != by:
        return "dismissed_by is not a login"
    if comment is not None and dismissal.comment(comment) != comment:
        return f"dismissed_comment is not text of at most {dismissal.MAX_COMMENT} characters"
    return None


def _check_repository(row: list[Any]) -> str | None:
    if len(row) != 8:
        return "a repository row without its eight fields"
    _, name, number, archived, visibility, topics, properties, has_issues = row
    if not isinstance(name, str) or not REPOSITORY_NAME.fullmatch(name):
        return "a repository that is no OWNER/REPO name"
    if number is not None and not _is_int(number):
        return "a repository id that is not an integer"
    if type(archived) is not bool or type(has_issues) is not bool:
        return "archived or has_issues is not true or false"
    if visibility not in _VISIBILITIES:
        return "a visibility that is none of public, private, internal"
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        return "topics is not a list of text"
    if not isinstance(properties, list) or not all(
        isinstance(p, list)
        and len(p) == 2
        and isinstance(p[0], str)
        and isinstance(p[1], list)
        and all(isinstance(v, str) for v in p[1])
        for p in properties
    ):
        return "properties is not a list of [name, [values]]"
    return None


def _check_header(header: dict[str, Any]) -> None:
    full = header.get("full_listing_at")
    if not isinstance(full, str) or not _STAMP.fullmatch(full):
        raise BadStore("line 1: full_listing_at is not a timestamp")
    watermarks = header.get("watermarks")
    if not isinstance(watermarks, dict) or not all(
        k in _TYPES and isinstance(v, str) and _STAMP.fullmatch(v) for k, v in watermarks.items()
    ):
        raise BadStore("line 1: watermarks are not timestamps by alert type")
    listed_at = header.get("repositories_listed_at")
    if listed_at is not None and not (isinstance(listed_at, str) and _STAMP.fullmatch(listed_at)):
        raise BadStore("line 1: repositories_listed_at is not a timestamp")


def _read_body(stream: Any, header: dict[str, Any], scope: str) -> StoredListing:
    _check_header(header)
    alerts: list[Alert] = []
    repositories: list[Repository] = []
    shared: dict[str, str] = {}
    ids: set[str] = set()
    names: set[str] = set()
    listed_at = header.get("repositories_listed_at")
    width = len(_FIELDS)
    for number, line in enumerate(stream, start=2):
        row = orjson.loads(line)
        if not isinstance(row, list) or not row:
            raise BadStore(f"line {number}: not a row")
        if row[0] == "repository":
            problem = _check_repository(row)
            if problem is None and row[1] in names:
                problem = "a repository listed twice"
            if problem is not None:
                raise BadStore(f"line {number}: {problem}")
            _, name, repo_id, archived, visibility, topics, properties, has_issues = row
            names.add(name)
            repositories.append(
                Repository(
                    full_name=name,
                    id=repo_id,
                    archived=archived,
                    visibility=visibility,
                    topics=tuple(topics),
                    properties=tuple((k, tuple(v)) for k, v in properties),
                    has_issues=has_issues,
                )
            )
            continue
        if len(row) != width:
            raise BadStore(f"line {number}: neither an alert nor a repository")
        problem = _check_alert(row)
        if problem is None and row[0] in ids:
            problem = "an alert listed twice"
        if problem is not None:
            raise BadStore(f"line {number}: {problem}")
        ids.add(row[0])
        # An alert, its fields in order: built positionally (a million of them).
        for i in _SHARED_AT:
            value = row[i]
            if value is not None:
                row[i] = shared.setdefault(value, value)
        row[_CWES_AT] = tuple(row[_CWES_AT])
        alerts.append(Alert(*row))
    return StoredListing(
        scope=scope,
        full_listing_at=header["full_listing_at"],
        watermarks=dict(header["watermarks"]),
        alerts=tuple(alerts),
        repositories=tuple(repositories),
        repositories_listed_at=listed_at,
    )


def save_listing(folder: Path, listing: StoredListing, *, root: Path | None = None) -> None:
    """Write the store (UnsafePath when a link is on the way: it is not followed)."""
    within = root if root is not None else folder.parent
    path = checked_target(store_path(folder, listing.scope), within)
    make_folders(folder, within)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.")
    try:
        with (
            os.fdopen(handle, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as stream,
        ):
            header = {
                "version": VERSION,
                "scope": listing.scope,
                "fields": _FIELDS,
                "full_listing_at": listing.full_listing_at,
                "watermarks": dict(sorted(listing.watermarks.items())),
                "repositories_listed_at": listing.repositories_listed_at,
            }
            stream.write(orjson.dumps(header) + b"\n")
            _write_rows(stream, listing.alerts)
            for repo in listing.repositories:
                row = [
                    "repository",
                    repo.full_name,
                    repo.id,
                    repo.archived,
                    repo.visibility,
                    repo.topics,
                    repo.properties,
                    repo.has_issues,
                ]
                stream.write(orjson.dumps(row) + b"\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_rows(stream: Any, alerts: Iterable[Alert]) -> None:
    batch: list[bytes] = []
    for alert in alerts:
        row = [getattr(alert, name) for name in _FIELDS]
        try:
            batch.append(orjson.dumps(row))
        except orjson.JSONEncodeError:
            continue  # a value JSON cannot hold (a huge integer): listed again next run
        if len(batch) >= 4096:
            stream.write(b"\n".join(batch) + b"\n")
            batch.clear()
    if batch:
        stream.write(b"\n".join(batch) + b"\n")
