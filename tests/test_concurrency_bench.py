"""bench/concurrency.py runs end to end at a tiny size, so a broken benchmark is caught in
CI before anyone runs it by hand; its exit status says whether duplicates were left."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_concurrency_bench_runs_and_leaves_no_duplicate() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "concurrency.py"), "--trials", "1", "--json"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(done.stdout[: done.stdout.rindex("]") + 1])
    assert [r["runs"] for r in results] == [2, 3]
    for result in results:
        assert result["open_duplicates_after_next_run"] == 0
        assert result["ledgers_disagreeing"] == 0
    assert "dup after next" in done.stdout
