"""bench/history.py runs end to end at a tiny size, so a broken benchmark is caught in CI
before anyone runs it by hand; it exits 1 when `history`'s answer differs from what its
generator did, and shows where `git log -S` names another alert's commits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_history_bench_runs_and_history_answers_what_the_generator_did() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "history.py"),
            *("--commits", "120", "--members", "50", "--runs", "1", "--json"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["ok"] is True
    assert result["history_events"] == result["expected_events"] >= 2
    assert result["pull_requests_told"] == result["expected_pull_requests"]
    # The old recipe's substring match finds alert :11's commit as well as :1's.
    assert result["git_log_S_about_other_alerts"] >= 1
