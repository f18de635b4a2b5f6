"""SarifSource: SARIF files or folders as an alert source (AlertSource)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from campaign_sync.errors import SourceError
from campaign_sync.model import Alert
from campaign_sync.sources.base import SourceResult
from campaign_sync.sources.sarif.findings import (
    _check_repository,
)
from campaign_sync.sources.sarif.log import (
    read_log,
)
from campaign_sync.sources.snapshot import expand_paths


class SarifSource:
    """Findings from SARIF 2.1.0 files as open code scanning alerts (see the module).

    ``paths`` are files (any name) or folders (every ``*.sarif`` and ``*.json`` below them,
    sorted). ``repository`` (``OWNER/REPO``) names the repository every run belongs to; without
    it, each run must name its own in ``versionControlProvenance``.
    """

    def __init__(self, paths: Sequence[Path], *, repository: str | None = None) -> None:
        _check_repository(repository)
        self._paths = tuple(Path(p) for p in paths)
        self._repository = repository

    @property
    def name(self) -> str:
        return "sarif"

    def fetch(self, expected: Collection[str] = ()) -> SourceResult:
        """Every finding of the SARIF files (read whole: ``expected`` changes nothing)."""
        alerts: dict[str, Alert] = {}
        covered: set[str] = set()
        for path in expand_paths(self._paths, ("*.sarif", "*.json")):
            found, prefixes = read_log(_load(path), str(path), repository=self._repository)
            covered.update(prefixes)
            for alert in found:
                alerts.setdefault(alert.id, alert)
        return SourceResult(
            alerts=tuple(alerts[key] for key in sorted(alerts)), covered=frozenset(covered)
        )


def _load(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise SourceError(
            f"{path}:{error.lineno}:{error.colno}: malformed JSON: {error.msg}"
        ) from None
    except RecursionError:
        raise SourceError(f"{path}: malformed JSON: nested too deeply") from None
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not UTF-8 text; is this a SARIF file?") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise SourceError(f"{path}: malformed JSON: {error}") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot read: {error.strerror or error}") from None
