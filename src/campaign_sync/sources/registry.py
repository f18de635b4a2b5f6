"""``--source KIND:ARGUMENT`` -> an AlertSource. The registry's keys are the kinds."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from campaign_sync.errors import SourceArgumentError
from campaign_sync.gcpause import cyclic_gc_paused
from campaign_sync.github.auth import auth_from_env, resolve_api_url
from campaign_sync.github.listing import AlertQuery, ProgressCallback
from campaign_sync.github.transport import Transport, notices_to_stderr
from campaign_sync.model import ALERT_TYPES, Alert, AlertType, Repository
from campaign_sync.sources.base import AlertSource, Skipped, SourceResult
from campaign_sync.sources.github import GitHubSource
from campaign_sync.sources.github_json import is_repository_name
from campaign_sync.sources.incremental import StoreOptions
from campaign_sync.sources.sarif import SarifSource
from campaign_sync.sources.snapshot import SnapshotSource


@dataclass(frozen=True, slots=True)
class SourceContext:
    """What building a source may need besides its argument."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    api_url: str | None = None  # --api-url
    config_api_url: str | None = None  # campaign-sync.yml
    alert_types: tuple[AlertType, ...] = ALERT_TYPES
    queries: Mapping[AlertType, AlertQuery] = field(default_factory=dict)
    on_page: ProgressCallback | None = None
    # Repository metadata (topics, properties) costs a listing; matching needs it, `alerts`
    # does not.
    include_repositories: bool = True
    transport_factory: Callable[[SourceContext], Transport] | None = None
    # The alert store of github: sources (incremental listing); None lists everything.
    store: StoreOptions | None = None

    def transport(self, scope: str | None = None) -> Transport:
        """A connection for a github: source of ``scope`` (a GitHub App finds its
        installation there when none is configured)."""
        if self.transport_factory is not None:
            return self.transport_factory(self)
        api_url = resolve_api_url(self.api_url, self.config_api_url, self.env)
        return Transport(
            auth=auth_from_env(self.env, api_url, scope),
            api_url=api_url,
            notices=notices_to_stderr,
        )


_ORGANIZATION = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\Z")


def _github(argument: str, context: SourceContext) -> AlertSource:
    scope = argument.strip("/")
    valid = _ORGANIZATION.match(scope) if "/" not in scope else is_repository_name(scope)
    if not valid:
        # The scope becomes part of API paths: nothing but a name may reach them.
        raise SourceArgumentError(
            f"source github:{argument[:100]}: expected github:ORG or github:OWNER/REPO"
        )
    return GitHubSource(
        context.transport(scope),
        scope,
        alert_types=context.alert_types,
        queries=dict(context.queries),
        include_repositories=context.include_repositories,
        on_page=context.on_page,
        store=context.store,
    )


def _existing(argument: str, kind: str) -> Path:
    if not argument:
        raise SourceArgumentError(f"{kind}: expected {kind}:PATH (a file or a folder)")
    path = Path(argument)
    if not path.exists():
        raise SourceArgumentError(f"{kind}:{argument}: no such file or folder")
    return path


def _snapshot(argument: str, context: SourceContext) -> AlertSource:
    return SnapshotSource([_existing(argument, "snapshot")])


def _sarif(argument: str, context: SourceContext) -> AlertSource:
    # sarif:PATH#OWNER/REPO names the repository when the SARIF file does not.
    path, _, repository = argument.partition("#")
    return SarifSource([_existing(path, "sarif")], repository=repository or None)


SOURCE_KINDS: dict[str, Callable[[str, SourceContext], AlertSource]] = {
    "github": _github,
    "snapshot": _snapshot,
    "sarif": _sarif,
}


_ARGUMENTS = {"github": "ORG", "snapshot": "PATH", "sarif": "PATH[#OWNER/REPO]"}


def build_source(spec: str, context: SourceContext) -> AlertSource:
    kind, separator, argument = spec.partition(":")
    if not separator and kind in SOURCE_KINDS:
        raise SourceArgumentError(f"source {spec!r} needs an argument: {kind}:{_ARGUMENTS[kind]}")
    if not separator or kind not in SOURCE_KINDS:
        kinds = ", ".join(f"{k}:..." for k in SOURCE_KINDS)
        raise SourceArgumentError(f"unknown source {spec!r}; use one of {kinds}")
    return SOURCE_KINDS[kind](argument, context)


def fetch_all(sources: Iterable[AlertSource], expected: Collection[str] = ()) -> SourceResult:
    """Fetch every source and merge: alerts by id, repositories by name (last source wins).
    ``expected``: the ids of the alerts the ledgers have open (AlertSource.fetch)."""
    with cyclic_gc_paused():
        return _fetch_all(sources, expected)


def _fetch_all(sources: Iterable[AlertSource], expected: Collection[str]) -> SourceResult:
    sources = list(sources)
    if len(sources) == 1:
        return sources[0].fetch(expected)  # already merged and sorted, by the contract
    alerts: dict[str, Alert] = {}
    repositories: dict[str, Repository] = {}
    skipped: list[Skipped] = []
    watermarks: list[str] = []
    requests = 0
    remaining: list[int] = []
    notes: list[str] = []
    unconfirmed: set[str] = set()
    covered: set[str] = set()
    for source in sources:
        result = source.fetch(expected)
        alerts.update((a.id, a) for a in result.alerts)
        # The last source's copy of an alert wins: so does whether it was listed.
        unconfirmed.difference_update(a.id for a in result.alerts)
        unconfirmed.update(result.unconfirmed)
        covered.update(result.covered)
        repositories.update((r.full_name, r) for r in result.repositories)
        skipped.extend(result.skipped)
        if result.watermark:
            watermarks.append(result.watermark)
        requests += result.requests
        if result.rate_remaining is not None:
            remaining.append(result.rate_remaining)
        notes.extend(result.notes)
    return SourceResult(
        alerts=tuple(alerts[k] for k in sorted(alerts)),
        repositories=tuple(repositories[k] for k in sorted(repositories)),
        skipped=tuple(sorted(set(skipped))),
        watermark=max(watermarks) if watermarks else None,
        requests=requests,
        rate_remaining=min(remaining) if remaining else None,
        notes=tuple(notes),
        unconfirmed=frozenset(unconfirmed),
        covered=frozenset(covered),
    )


def build_sources(specs: Sequence[str], context: SourceContext) -> list[AlertSource]:
    return [build_source(spec, context) for spec in specs]
