"""What a snapshot's items are (alerts of each type, repositories, custom property
values), recognised by their shape, and collected into one result."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from campaign_sync.errors import SourceError
from campaign_sync.model import Alert, Repository
from campaign_sync.sources import github_json
from campaign_sync.sources.base import SourceResult


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
