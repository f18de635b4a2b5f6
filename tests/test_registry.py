"""The source registry: ``--source KIND:ARGUMENT`` -> an AlertSource, and merging sources."""

from __future__ import annotations

import gc
from collections.abc import Collection
from pathlib import Path

import pytest

from campaign_sync.errors import GitHubError, SourceError
from campaign_sync.github.transport import Transport
from campaign_sync.model import Alert, Repository
from campaign_sync.sources.base import Skipped, SourceResult
from campaign_sync.sources.github import GitHubSource
from campaign_sync.sources.registry import (
    SOURCE_KINDS,
    SourceContext,
    build_source,
    build_sources,
    fetch_all,
)
from campaign_sync.sources.sarif import SarifSource
from campaign_sync.sources.snapshot import SnapshotSource

REPO_ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO_ROOT / "examples" / "snapshot"
SARIF = REPO_ROOT / "tests" / "data" / "sarif"
# Building a source never connects; this address would refuse if it did.
API_URL = "http://127.0.0.1:9"
UNKNOWN = "use one of github:..., snapshot:..., sarif:..."


@pytest.fixture
def context() -> SourceContext:
    return SourceContext(env={"GITHUB_TOKEN": "ghp_registry_test"}, api_url=API_URL)


def test_the_kinds() -> None:
    assert list(SOURCE_KINDS) == ["github", "snapshot", "sarif"]


# --- github -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "name", "is_repository"),
    [
        ("github:acme", "github:acme", False),
        ("github:acme/web", "github:acme/web", True),
        ("github:/acme/web/", "github:acme/web", True),
        ("github:acme/", "github:acme", False),
    ],
)
def test_github_source(context: SourceContext, spec: str, name: str, is_repository: bool) -> None:
    source = build_source(spec, context)
    assert isinstance(source, GitHubSource)
    assert source.name == name
    assert source.is_repository is is_repository


@pytest.mark.parametrize("argument", ["", "/", "a/b/c", "a//b", "//"])
def test_github_argument_errors(context: SourceContext, argument: str) -> None:
    with pytest.raises(SourceError) as caught:
        build_source(f"github:{argument}", context)
    assert str(caught.value) == (
        f"source github:{argument}: expected github:ORG or github:OWNER/REPO"
    )


def test_github_argument_is_checked_before_credentials() -> None:
    with pytest.raises(SourceError, match="expected github:ORG or github:OWNER/REPO"):
        build_source("github:a/b/c", SourceContext(env={}))


def test_github_without_credentials() -> None:
    with pytest.raises(GitHubError, match=r"^no GitHub credentials: set GITHUB_TOKEN"):
        build_source("github:acme", SourceContext(env={}, api_url=API_URL))


def test_github_uses_the_transport_factory() -> None:
    built: list[SourceContext] = []

    def factory(context: SourceContext) -> Transport:
        built.append(context)
        return Transport(auth=None, api_url=API_URL)

    context = SourceContext(env={}, transport_factory=factory)
    source = build_source("github:acme", context)
    assert isinstance(source, GitHubSource)
    assert built == [context]


def test_github_api_url_is_resolved_from_the_context() -> None:
    env = {"GITHUB_TOKEN": "t", "GITHUB_API_URL": "http://127.0.0.1:7/"}
    from_env = SourceContext(env=env)
    from_config = SourceContext(env=env, config_api_url="http://127.0.0.1:7/v3/")
    from_flag = SourceContext(env=env, config_api_url="http://127.0.0.1:8/", api_url=API_URL)
    assert from_env.transport().api_url == "http://127.0.0.1:7"
    assert from_config.transport().api_url == "http://127.0.0.1:7/v3"
    assert from_flag.transport().api_url == API_URL


# --- snapshot ---------------------------------------------------------------------------------


def test_snapshot_source(context: SourceContext) -> None:
    source = build_source(f"snapshot:{SNAPSHOT}", context)
    assert isinstance(source, SnapshotSource)
    assert source.name == "snapshot"
    assert len(source.fetch().alerts) == 53


def test_snapshot_of_one_file(context: SourceContext) -> None:
    result = build_source(f"snapshot:{SNAPSHOT / 'secret-scanning.json'}", context).fetch()
    assert {a.type for a in result.alerts} == {"secret-scanning"}


def test_snapshot_needs_a_path(context: SourceContext) -> None:
    with pytest.raises(SourceError) as caught:
        build_source("snapshot:", context)
    assert str(caught.value) == "snapshot: expected snapshot:PATH (a file or a folder)"


def test_snapshot_path_must_exist(context: SourceContext, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(SourceError) as caught:
        build_source(f"snapshot:{missing}", context)
    assert str(caught.value) == f"snapshot:{missing}: no such file or folder"


# --- sarif ------------------------------------------------------------------------------------


def test_sarif_repository_after_the_hash(context: SourceContext) -> None:
    source = build_source(f"sarif:{SARIF / 'semgrep' / 'scan-1.sarif'}#acme/web", context)
    assert isinstance(source, SarifSource)
    assert source.name == "sarif"
    alerts = source.fetch().alerts
    assert alerts
    assert {a.repository for a in alerts} == {"acme/web"}
    assert all(a.id.startswith("code-scanning:acme/web:sarif/semgrep-oss/") for a in alerts)


def test_sarif_repository_overrides_the_one_in_the_log(context: SourceContext) -> None:
    path = SARIF / "codeql" / "scan-1.sarif"
    own = build_source(f"sarif:{path}", context).fetch().alerts
    assert {a.repository for a in own} == {"acme/payments-api"}  # versionControlProvenance
    named = build_source(f"sarif:{path}#acme/other", context).fetch().alerts
    assert {a.repository for a in named} == {"acme/other"}
    assert len(named) == len(own)


def test_sarif_without_a_repository_anywhere(context: SourceContext) -> None:
    source = build_source(f"sarif:{SARIF / 'semgrep' / 'scan-1.sarif'}", context)
    with pytest.raises(SourceError, match=r"name it \(--source sarif:PATH#OWNER/REPO\)"):
        source.fetch()


@pytest.mark.parametrize("spec", ["sarif:", "sarif:#acme/web"])
def test_sarif_needs_a_path(context: SourceContext, spec: str) -> None:
    with pytest.raises(SourceError) as caught:
        build_source(spec, context)
    assert str(caught.value) == "sarif: expected sarif:PATH (a file or a folder)"


def test_sarif_path_must_exist(context: SourceContext, tmp_path: Path) -> None:
    missing = tmp_path / "scan.sarif"
    with pytest.raises(SourceError) as caught:
        build_source(f"sarif:{missing}#acme/web", context)
    assert str(caught.value) == f"sarif:{missing}: no such file or folder"


def test_sarif_repository_must_be_owner_slash_name(context: SourceContext) -> None:
    with pytest.raises(SourceError) as caught:
        build_source(f"sarif:{SARIF / 'bandit'}#acme", context)
    assert str(caught.value) == "sarif: repository must be OWNER/REPO, not 'acme'"


# --- unknown ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["bogus:x", "gitlab:acme", "", ":x", "GitHub:acme", "file:/tmp"])
def test_unknown_kind(context: SourceContext, spec: str) -> None:
    with pytest.raises(SourceError) as caught:
        build_source(spec, context)
    assert str(caught.value) == f"unknown source {spec!r}; {UNKNOWN}"


@pytest.mark.parametrize(
    ("spec", "form"),
    [("snapshot", "snapshot:PATH"), ("github", "github:ORG"), ("sarif", "sarif:PATH[#OWNER/REPO]")],
)
def test_a_kind_without_its_argument(context: SourceContext, spec: str, form: str) -> None:
    with pytest.raises(SourceError) as caught:
        build_source(spec, context)
    assert str(caught.value) == f"source {spec!r} needs an argument: {form}"


def test_build_sources_keeps_the_order(context: SourceContext) -> None:
    sources = build_sources([f"sarif:{SARIF / 'bandit'}#acme/a", f"snapshot:{SNAPSHOT}"], context)
    assert [s.name for s in sources] == ["sarif", "snapshot"]


# --- fetch_all --------------------------------------------------------------------------------


class StaticSource:
    """An AlertSource returning a fixed result (the Protocol, not a mock of our code)."""

    def __init__(self, name: str, result: SourceResult) -> None:
        self._name = name
        self._result = result
        self.fetches = 0

    @property
    def name(self) -> str:
        return self._name

    def fetch(self, expected: Collection[str] = ()) -> SourceResult:
        self.fetches += 1
        return self._result


def alert(repository: str, number: int, *, state: str = "open", **fields: object) -> Alert:
    return Alert(
        id=f"code-scanning:{repository}:{number}",
        type="code-scanning",
        repository=repository,
        state=state,  # type: ignore[arg-type]
        number=number,
        **fields,  # type: ignore[arg-type]
    )


def test_fetch_all_merges_alerts_by_id_and_the_last_source_wins() -> None:
    first = StaticSource(
        "one",
        SourceResult(alerts=(alert("acme/web", 1), alert("acme/web", 2), alert("acme/api", 7))),
    )
    second = StaticSource(
        "two",
        SourceResult(alerts=(alert("acme/web", 2, state="fixed"), alert("acme/api", 10))),
    )
    result = fetch_all([first, second])
    assert [a.id for a in result.alerts] == [
        "code-scanning:acme/api:10",
        "code-scanning:acme/api:7",
        "code-scanning:acme/web:1",
        "code-scanning:acme/web:2",
    ]
    assert result.alerts[-1].state == "fixed"
    assert (first.fetches, second.fetches) == (1, 1)


def test_fetch_all_merges_repositories_by_name() -> None:
    old = Repository("acme/web", id=1, topics=("old",))
    new = Repository("acme/web", id=1, topics=("new",), archived=True)
    result = fetch_all(
        [
            StaticSource("one", SourceResult(alerts=(), repositories=(old, Repository("acme/z")))),
            StaticSource("two", SourceResult(alerts=(), repositories=(Repository("acme/a"), new))),
        ]
    )
    assert [r.full_name for r in result.repositories] == ["acme/a", "acme/web", "acme/z"]
    assert result.repositories[1] == new


def test_fetch_all_unions_skipped() -> None:
    web = Skipped("acme/web", "dependabot", "Dependabot alerts are disabled for this repository.")
    api = Skipped("acme/api", "code-scanning", "no analysis found")
    result = fetch_all(
        [
            StaticSource("one", SourceResult(alerts=(), skipped=(web,))),
            StaticSource("two", SourceResult(alerts=(), skipped=(web, api))),
        ]
    )
    assert result.skipped == (api, web)


def test_fetch_all_keeps_the_newest_watermark_and_sums_requests() -> None:
    result = fetch_all(
        [
            StaticSource(
                "a", SourceResult(alerts=(), watermark="2026-01-02T00:00:00Z", requests=3)
            ),
            StaticSource("b", SourceResult(alerts=(), watermark=None, requests=0)),
            StaticSource(
                "c", SourceResult(alerts=(), watermark="2026-03-01T12:00:00Z", requests=4)
            ),
            StaticSource("d", SourceResult(alerts=(), watermark="2025-12-31T23:59:59Z")),
        ]
    )
    assert result.watermark == "2026-03-01T12:00:00Z"
    assert result.requests == 7


def test_fetch_all_of_nothing() -> None:
    assert fetch_all([]) == SourceResult(alerts=(), repositories=(), skipped=(), watermark=None)
    empty = fetch_all([StaticSource("a", SourceResult(alerts=()))])
    assert empty.watermark is None
    assert empty.alerts == ()


def test_fetch_all_of_real_sources(context: SourceContext) -> None:
    snapshot = build_source(f"snapshot:{SNAPSHOT}", context)
    sarif = build_source(f"sarif:{SARIF / 'codeql' / 'scan-1.sarif'}#acme/payments-api", context)
    merged = fetch_all([snapshot, sarif])
    each = [snapshot.fetch(), sarif.fetch()]
    ids = sorted({a.id for r in each for a in r.alerts})
    assert [a.id for a in merged.alerts] == ids
    assert len(ids) == sum(len(r.alerts) for r in each)  # SARIF ids never collide with GitHub's
    assert [r.full_name for r in merged.repositories] == [r.full_name for r in each[0].repositories]
    # The same source twice is the same result: alerts merge by id.
    assert fetch_all([snapshot, snapshot]).alerts == snapshot.fetch().alerts


class FailingSource(StaticSource):
    def fetch(self, expected: Collection[str] = ()) -> SourceResult:
        raise SourceError("unreadable")


def test_fetch_all_stops_at_a_failing_source_and_leaves_gc_as_it_was() -> None:
    after = StaticSource("after", SourceResult(alerts=()))
    assert gc.isenabled()
    with pytest.raises(SourceError, match=r"^unreadable$"):
        fetch_all([FailingSource("bad", SourceResult(alerts=())), after])
    assert gc.isenabled()
    assert after.fetches == 0
