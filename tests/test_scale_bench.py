"""bench/scale.py: its campaigns are valid and varied, its checks fail when a target is
missed, and the whole benchmark runs end to end at a tiny size (a backlog of several runs
included), so CI catches a broken benchmark before anyone runs it at full size."""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from campaign_sync.config.loader import load_campaigns

ROOT = Path(__file__).resolve().parents[1]


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "scale.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


scale = _load_bench()


def test_the_generated_campaigns_validate_and_cover_every_kind_of_selection(
    tmp_path: Path,
) -> None:
    specs = scale.generate_campaigns(50, 1, "acme")
    work = scale.make_repository(
        tmp_path, specs, org="acme", api_url="http://127.0.0.1:9", writes_per_run=500
    )
    config, campaigns = load_campaigns(work, today=date(2026, 11, 28))
    assert len(campaigns) == 50
    assert config.safety.max_writes_per_run == 500
    assert (work / ".gitignore").read_text() == f"{scale.CACHE_DIR}/\n"
    selects = [spec.data["select"] for spec in specs]
    used = {key for select in selects for key in select}
    assert used >= {
        "alerts",
        "cwe",
        "severity",
        "rules",
        "tools",
        "secret-types",
        "secret-validity",
        "ecosystems",
        "packages",
        "fix-available",
        "repositories",
        "paths",
        "membership",
    }
    scopes = {key for select in selects for key in select["repositories"]}
    assert scopes >= {"include", "exclude", "topics", "properties"}
    assert {select["membership"] for select in selects} == {"snapshot", "rolling"}
    assert sum(spec.draft for spec in specs) == 5
    github = [spec.data.get("github", {}) for spec in specs]
    assert sum(bool(g.get("native-campaign")) for g in github) == 2
    assert sum(bool(g.get("autofix")) for g in github) == 1
    untracked = sum(spec.data["tracking"].get("issues") == "off" for spec in specs)
    assert 2 <= untracked <= 6  # tracking issues for most
    assert scale.generate_campaigns(50, 1, "acme") == specs
    assert scale.generate_campaigns(50, 2, "acme") != specs


def _passing() -> dict[str, Any]:
    """A result that meets every target, to break one figure at a time."""
    apply = {"total": 0, "reads_counted": 0, "writes": 0, "exit": 0}
    return {
        "first_apply": {**apply, "total": 1050, "reads_counted": 1000, "writes": 40},
        "no_change_apply": {**apply, "total": 10, "reads_counted": 10},
        "churn_apply": {**apply, "total": 120, "reads_counted": 100, "writes": 20},
        "minimums": {"first_apply": 1000, "churn_apply_allowed": 120},
        "peak_rss_mib": 1000.0,
        "secondary_limited": 0,
        "primary_limited": 0,
        "backlog": {"converged": True, "runs_detail": [{"exit": 0}]},
    }


@pytest.mark.parametrize(
    ("path", "value", "check"),
    [
        (("first_apply", "total"), 1051, "first_apply_requests_within_1.05x_minimum"),
        (("peak_rss_mib",), 1431.0, "peak_rss_under_1.5_GB"),
        (("no_change_apply", "writes"), 1, "no_change_zero_writes"),
        (("no_change_apply", "reads_counted"), 11, "no_change_counted_reads_within_1pct_of_first"),
        (("churn_apply", "total"), 121, "churn_requests_within_minimum_plus_50"),
        (("secondary_limited",), 1, "zero_secondary_limit_refusals"),
        (("primary_limited",), 1, "zero_primary_limit_refusals"),
        (("backlog", "converged"), False, "backlog_converged"),
        (("churn_apply", "exit"), 1, "every_apply_exited_0"),
    ],
)
def test_each_check_fails_when_its_target_is_missed(
    path: tuple[str, ...], value: Any, check: str
) -> None:
    assert all(scale.checks(_passing()).values())
    result = copy.deepcopy(_passing())
    target = result
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    failed = [name for name, ok in scale.checks(result).items() if not ok]
    assert failed == [check]


def test_the_benchmark_runs_end_to_end_at_a_tiny_size() -> None:
    """12 repositories and 5 writes, 2 a run: a first apply and a backlog of two more."""
    command = [sys.executable, str(ROOT / "bench" / "scale.py")]
    command += ["--repos", "12", "--alerts", "600", "--campaigns", "6", "--seed", "1"]
    command += ["--writes-per-run", "2", "--json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == (0 if all(result["checks"].values()) else 1)
    assert "first apply" in done.stdout  # the table

    limit = result["limit"]
    assert sum(limit["alerts_by_type"].values()) == 600
    minimums = result["minimums"]
    assert minimums["listing_pages"] == sum(
        math.ceil(n / 100) for n in limit["alerts_by_type"].values()
    )
    assert minimums["repository_pages"] == 1
    first = result["first_apply"]
    creates = first["by_route"].get("POST /repos/{owner}/{repo}/issues", 0)
    assert minimums["first_apply"] == (
        minimums["listing_pages"] + 1 + first["writes_succeeded"] + 2 * creates
    )

    backlog = result["backlog"]
    planned = result["plan_before"]["budget"]
    assert planned["writes"] >= 4  # more than two runs' worth at 2 writes a run
    assert backlog["converged"]
    assert backlog["runs"] >= 3
    assert backlog["predicted_runs"] == planned["runs_needed"]
    assert backlog["simulated_hours"] >= backlog["runs"] - 1  # an hour between runs
    for run in [first, *backlog["runs_detail"]]:
        assert run["writes"] <= 2  # the per-run budget held
        assert run["total"] == run["reads"] + run["writes"]
        assert run["reads_counted"] + run["not_modified"] <= run["reads"]
        assert run["simulated_seconds"] == pytest.approx(0.75 * run["writes"], abs=0.01)
    assert result["secondary_limited"] == 0

    churn = result["churn"]
    assert churn["changed"] == 6  # 1% of 600
    assert sum(churn["changed_by_type"].values()) == 6
    assert minimums["churn_apply"] == (
        sum(math.ceil(n / 100) for n in churn["changed_by_type"].values() if n)
        + result["churn_apply"]["writes_succeeded"]
    )
    for name in ("first_apply", "no_change_apply", "churn_apply"):
        assert result[name]["wall_seconds"] > 0
        assert 0 < result[name]["peak_rss_mib"] < 1024
