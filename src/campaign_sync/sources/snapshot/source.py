"""SnapshotSource: files or folders of GitHub's own JSON as an alert source."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from campaign_sync.errors import SourceError
from campaign_sync.sources import github_json
from campaign_sync.sources.base import SourceResult
from campaign_sync.sources.snapshot.shapes import (
    _Collector,
    _describe,
    _is_property_values,
    _is_repository,
    expand_paths,
    repository_from_html_url,
)
from campaign_sync.sources.snapshot.stream import (
    _ERROR_BODY_KEYS,
    _JsonStream,
    _Malformed,
)


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
