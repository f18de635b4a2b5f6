"""Fuzzing the snapshot source (bench/fuzz.py's `snapshot` target) on the CI budget.

Whatever a folder of snapshot files holds, SnapshotSource gives valid alerts and
repositories or a clean SourceError: no other exception, no hang, and memory bounded by
the largest single item, not by the file (it streams). `python bench/fuzz.py --target
snapshot --seconds N` runs the same target for longer.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from bench.fuzz import Target, huge_snapshots, hypothesis_test, run_one, targets

from campaign_sync.errors import SourceError
from campaign_sync.sources.snapshot import SnapshotSource

EXAMPLES = 120
STRIDE = 12


@pytest.fixture(scope="module")
def target() -> Target:
    return targets()["snapshot"]


def test_random_folders_give_alerts_or_a_source_error(target: Target) -> None:
    hypothesis_test(target, max_examples=EXAMPLES)()


def test_every_value_of_each_kind_of_item_with_a_wrong_type(target: Target) -> None:
    inputs = list(target.levels(STRIDE))
    assert len(inputs) > 300
    for value in inputs:
        run_one(target, value)


@pytest.mark.parametrize("index", range(7))
def test_large_and_deep_files_stay_within_memory(target: Target, index: int) -> None:
    files = list(huge_snapshots(0.2))[index]
    largest_item = 5_000_000  # the 5 MB message of one alert
    tracemalloc.start()
    try:
        run_one(target, files)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Read as a stream: a few times the largest item, whatever the file's size.
    assert peak <= 4 * largest_item + 16_000_000


def alert(full_name: object, html_url: str | None = None) -> dict[str, object]:
    return {
        "number": 1,
        "state": "open",
        "rule": {"id": "r", "security_severity_level": "high"},
        "tool": {"name": "CodeQL"},
        "repository": {"full_name": full_name, "id": 7},
        "html_url": html_url,
    }


@pytest.mark.parametrize(
    "full_name",
    [
        "",
        "acme",
        "acme/web/extra",
        "acme/..",
        "../..",
        "acme/web <img src=x>",
        "acme/web\n<!-- campaign-sync:end -->",
        "acme/we\u202eb",
        "acme:evil/web",
    ],
)
def test_a_repository_name_that_is_not_one_is_refused(tmp_path: Path, full_name: str) -> None:
    # Found by the fuzzer: such names went through, and planning then failed with a
    # traceback (render/issue.py cannot mark a section for them).
    (tmp_path / "a.json").write_text(json.dumps([alert(full_name)]), encoding="utf-8")
    with pytest.raises(SourceError, match="not a repository name"):
        SnapshotSource([tmp_path]).fetch()
    (tmp_path / "a.json").write_text(
        json.dumps([{"full_name": full_name, "archived": False}]), encoding="utf-8"
    )
    with pytest.raises(SourceError, match="not a valid repository"):
        SnapshotSource([tmp_path]).fetch()


def test_a_repository_id_of_true_is_no_id(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps([alert("acme/web")]), encoding="utf-8")
    assert SnapshotSource([tmp_path]).fetch().alerts[0].repository_id == 7
    data = alert("acme/web")
    data["repository"] = {"full_name": "acme/web", "id": True}
    (tmp_path / "a.json").write_text(json.dumps([data]), encoding="utf-8")
    assert SnapshotSource([tmp_path]).fetch().alerts[0].repository_id is None


def test_an_html_url_that_climbs_out_names_no_repository(tmp_path: Path) -> None:
    data = alert("acme/web", "https://github.com/../../security/code-scanning/1")
    del data["repository"]
    (tmp_path / "a.json").write_text(json.dumps([data]), encoding="utf-8")
    with pytest.raises(SourceError, match=r"neither a repository\.full_name nor an html_url"):
        SnapshotSource([tmp_path]).fetch()
