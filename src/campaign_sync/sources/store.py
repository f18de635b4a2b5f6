"""The alert store: what the last listing of an organization saw, kept between runs.

With it, a run lists only the alerts updated since the last one (newest first, stopping at
the watermark) and re-reads unchanged pages with conditional requests, which GitHub does
not count against the primary rate limit. Without it (first run, lost cache, unreadable
file, another version) a run lists everything: the store is a cache, never the truth.

One file per source scope, ``<folder>/github-<scope>.jsonl.gz``, gzip-compressed JSON lines:

- line 1, the header: version, scope, the alert fields in row order, when the last full
  listing was, the watermark of each alert type;
- one line per alert: its fields in the header's order;
- one line per repository: ``["repository", name, id, archived, visibility, topics,
  properties, has_issues]`` (metadata changes rarely: it is listed again once a day). A
  line without ``has_issues`` (written before the tool read it) is a cache miss for the
  metadata: the repositories are listed again, rather than taking Issues to be on;
- one line per cached page: ``["page", url, etag, body]`` (the first pages of incremental
  listings).

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from campaign_sync.model import Alert, Repository

VERSION = 1
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
    pages: Mapping[str, tuple[str, bytes]] = field(default_factory=dict)  # url -> etag, body
    repositories: tuple[Repository, ...] = ()
    repositories_listed_at: str | None = None  # ISO 8601 UTC; None: not stored


def store_path(folder: Path, scope: str) -> Path:
    return folder / f"github-{_UNSAFE.sub('_', scope.replace('/', '__'))}.jsonl.gz"


def load_listing(folder: Path, scope: str) -> StoredListing | None:
    """The stored listing of ``scope``, or None (with no error) when there is none usable."""
    path = store_path(folder, scope)
    try:
        with gzip.open(path, "rb") as stream:
            header = orjson.loads(stream.readline())
            if (
                not isinstance(header, dict)
                or header.get("version") != VERSION
                or header.get("scope") != scope
                or tuple(header.get("fields", ())) != _FIELDS
            ):
                return None  # another version of the tool: list everything again
            return _read_body(stream, header, scope)
    except (OSError, EOFError, ValueError, TypeError, KeyError, zlib.error):
        return None  # missing, truncated or corrupt: a cache miss, not an error


_SHARED_AT = tuple(i for i, name in enumerate(_FIELDS) if name in _SHARED)
_CWES_AT = _FIELDS.index("cwes")


def _read_body(stream: Any, header: dict[str, Any], scope: str) -> StoredListing:
    alerts: list[Alert] = []
    repositories: list[Repository] = []
    pages: dict[str, tuple[str, bytes]] = {}
    shared: dict[str, str] = {}
    listed_at = header.get("repositories_listed_at")
    width = len(_FIELDS)
    for line in stream:
        row = orjson.loads(line)
        if len(row) == width and row[0] != "page" and row[0] != "repository":
            # An alert, its fields in order: built positionally (a million of them).
            for i in _SHARED_AT:
                value = row[i]
                if value is not None:
                    row[i] = shared.setdefault(value, value)
            row[_CWES_AT] = tuple(row[_CWES_AT])
            alerts.append(Alert(*row))
            continue
        if row and row[0] == "page":
            _, url, etag, body = row
            pages[str(url)] = (str(etag), str(body).encode("utf-8"))
            continue
        if row and row[0] == "repository":
            if len(row) == 7:  # an older store's row: no has_issues, so list them again
                row, listed_at = [*row, True], None
            _, name, number, archived, visibility, topics, properties, has_issues = row
            repositories.append(
                Repository(
                    full_name=str(name),
                    id=number,
                    archived=bool(archived),
                    visibility=str(visibility),
                    topics=tuple(topics),
                    properties=tuple((str(k), tuple(v)) for k, v in properties),
                    has_issues=bool(has_issues),
                )
            )
            continue
        raise ValueError("a line of the store that is not an alert, a page or a repository")
    watermarks = header.get("watermarks") or {}
    return StoredListing(
        scope=scope,
        full_listing_at=str(header["full_listing_at"]),
        watermarks={str(k): str(v) for k, v in watermarks.items()},
        alerts=tuple(alerts),
        pages=pages,
        repositories=tuple(repositories),
        repositories_listed_at=listed_at,
    )


def save_listing(folder: Path, listing: StoredListing) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = store_path(folder, listing.scope)
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
            for url, (etag, body) in sorted(listing.pages.items()):
                text = body.decode("utf-8", "replace")
                stream.write(orjson.dumps(["page", url, etag, text]) + b"\n")
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
