"""Fuzzing the SARIF source (bench/fuzz.py's `sarif` target) on the CI budget.

Whatever a SARIF file holds, SarifSource gives valid alerts or a clean SourceError: no other
exception, no hang, bounded memory. `python bench/fuzz.py --target sarif --seconds N` runs
the same target for longer.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from bench.fuzz import Target, huge_sarif, hypothesis_test, run_one, targets

from campaign_sync.errors import SourceError
from campaign_sync.sources.sarif import SarifSource

# Examples per run in CI: a few seconds on one core.
EXAMPLES = 150
# Every Nth input of the deterministic sweep (every value of every seed, each wrong type).
STRIDE = 60


@pytest.fixture(scope="module")
def target() -> Target:
    return targets()["sarif"]


def test_random_inputs_give_alerts_or_a_source_error(target: Target) -> None:
    hypothesis_test(target, max_examples=EXAMPLES)()


def test_every_value_of_the_seed_scans_with_a_wrong_type(target: Target) -> None:
    inputs = list(target.levels(STRIDE))
    assert len(inputs) > 300  # the four scanners' seeds, sampled
    for value in inputs:
        run_one(target, value)


@pytest.mark.parametrize("index", range(7))
def test_large_and_deep_documents_stay_within_memory(target: Target, index: int) -> None:
    raw = list(huge_sarif(0.1))[index]
    tracemalloc.start()
    try:
        run_one(target, (raw, None))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The file is parsed whole (json.load): its objects plus the alerts, a small multiple.
    assert peak <= 25 * len(raw) + 16_000_000


def test_a_repository_uri_that_climbs_out_is_refused(tmp_path: Path) -> None:
    # `..` would become part of API paths (/repos/../../issues) and of issue markers.
    path = tmp_path / "scan.sarif"
    path.write_text(
        '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "X"}},'
        ' "versionControlProvenance": [{"repositoryUri": "https://github.com/../.."}],'
        ' "results": [{"ruleId": "r", "message": {"text": "m"}}]}]}',
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"not a\s+repository URL"):
        SarifSource([path]).fetch()
    with pytest.raises(SourceError, match="OWNER/REPO"):
        SarifSource([path], repository="acme/..")
