"""Chaos: many daily reconcile cycles under injected faults, compared with the same cycles
without faults.

    python bench/chaos.py --cycles N --fault-rate R [--seed S] [--repos N] [--alerts N]
                          [--churn K] [--json]

Two worlds live the same days (testing/reconcile/): each its own fake GitHub (same seed)
and campaigns repository (a bare origin and a fresh clone per run). Each day, people merge
campaign changes (days 2, 4, 6, then every fifth day), developers fix, dismiss, reopen and
add alerts (seeded), and ``campaign-sync apply --commit --source github:acme`` runs,
in-process, until it exits 0 (a failed daily workflow is re-run), each run from a fresh
checkout with the alert store the last successful run saved (as the reconcile workflow's
``actions/cache`` step restores it). In the chaos world every API request draws a fault
with probability R: HTTP 500, 502, 503, a timeout, a dropped connection or a secondary rate
limit (403 with ``retry-after``), and half the failed writes are applied before their
answer is lost (ambiguous writes).

Checked, each day and at the end:

- ``differences``: the chaos world's state differs from the clean one's (every issue's
  title, body, state, labels, assignees and comments; native campaigns; autofix requests;
  the campaigns repository's files at the end of each day);
- ``duplicates``: two issues for one campaign and repository, a comment posted twice in a
  row, two native campaigns of one name;
- ``lost_transitions``: an alert's state on GitHub not in the ledger or not in its issue's
  task list, an issue open or closed against its alerts (both worlds are checked);
- ``commit_mismatches``: a bot commit whose message does not match its diff;
- ``tracebacks``: a run that ended in a traceback (exit 3); ``leaked_tokens``: places
  the token appears in (outputs, commits, issues, comments, request paths);
- ``unconverged``: days whose apply still failed after 40 runs.

``--json`` prints one JSON object as the last line. Exit status 1 if any count is not 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for entry in (ROOT, ROOT / "src"):  # run as a script from a checkout
    if str(entry) not in sys.path:
        sys.path.insert(1, str(entry))

from testing.reconcile import checks  # noqa: E402
from testing.reconcile.interpose import FAULT_KINDS  # noqa: E402
from testing.reconcile.runner import CHAOS_TIMEOUT, TOKEN  # noqa: E402
from testing.reconcile.scenario import Scenario  # noqa: E402
from testing.reconcile.state import (  # noqa: E402
    Normalizer,
    capture_fake,
    differences,
    normalize_files,
)
from testing.reconcile.world import World  # noqa: E402

# The counts that must be 0.
FAILURES = (
    "differences",
    "duplicates",
    "lost_transitions",
    "clean_lost_transitions",
    "commit_mismatches",
    "tracebacks",
    "leaked_tokens",
    "unconverged",
)


def run_chaos(
    *,
    cycles: int,
    fault_rate: float,
    base: Path,
    seed: int = 1,
    scenario: Scenario | None = None,
    kinds: tuple[str, ...] = FAULT_KINDS,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run both worlds for ``cycles`` days; the report, with a sample of each finding."""
    scenario = scenario or Scenario()
    started = time.monotonic()
    found: dict[str, list[str]] = {name: [] for name in FAILURES}
    reruns = 0
    with (
        World(base / "clean", scenario) as clean,
        World(base / "chaos", scenario, timeout=CHAOS_TIMEOUT) as chaos,
    ):
        for cycle in range(cycles):
            clean.begin(cycle)
            clean_runs = clean.converge(cycle)
            if len(clean_runs) != 1:  # no faults: the first run must succeed
                found["unconverged"].append(
                    f"day {cycle}: the clean run exited {clean_runs[0].code}: "
                    f"{clean_runs[0].stderr[-300:]}"
                )
            chaos.begin(cycle)
            chaos.interposer.chaos(fault_rate, seed=seed * 1_000_003 + cycle, kinds=kinds)
            chaos_runs = chaos.converge(cycle)
            chaos.interposer.reset()
            reruns += len(chaos_runs) - 1
            if chaos_runs[-1].code != 0:
                found["unconverged"].append(
                    f"day {cycle}: still exit {chaos_runs[-1].code} after {len(chaos_runs)} "
                    f"runs: {chaos_runs[-1].stderr[-300:]}"
                )
            for name, world in (("clean_lost_transitions", clean), ("lost_transitions", chaos)):
                found[name] += [
                    f"day {cycle}: {f}"
                    for f in checks.lost_transitions(world.fake, world.workspace.work)
                ]
            found["differences"] += _compare_day(cycle, clean, chaos)
            if log is not None:
                log(
                    f"day {cycle}: {len(chaos_runs)} run(s), "
                    f"{sum(chaos.interposer.faults.values())} faults so far, "
                    f"{sum(len(v) for v in found.values())} findings"
                )
        report = _final(clean, chaos, found)
        faults = dict(sorted(chaos.interposer.faults.items()))
        faulted = dict(sorted(chaos.interposer.faulted.items()))
        requests = chaos.interposer.requests
        runs = len(chaos.runs)
    injected = sum(n for kind, n in faults.items() if kind != "ambiguous_write")
    return {
        "cycles": cycles,
        "fault_rate": fault_rate,
        "seed": seed,
        "repos": scenario.repos,
        "alerts": scenario.alerts,
        "requests": requests,
        "faults_injected": injected,
        "faults": faults,
        "faulted_requests": faulted,
        "runs": runs,
        "reruns": reruns,
        **{name: len(items) for name, items in found.items()},
        **report,
        "samples": {name: items[:5] for name, items in found.items() if items},
        "seconds": round(time.monotonic() - started, 1),
    }


def _normalizers(clean: World, chaos: World) -> tuple[Normalizer, Normalizer]:
    return Normalizer(clean.fake.url, renumber=True), Normalizer(chaos.fake.url, renumber=True)


def _compare_day(cycle: int, clean: World, chaos: World) -> list[str]:
    """The fake's state and the origin's files at the end of the day, clean vs chaos."""
    a, b = _normalizers(clean, chaos)
    found = differences(
        f"day {cycle} github", capture_fake(clean.fake, a), capture_fake(chaos.fake, b)
    )
    found += differences(
        f"day {cycle} files",
        normalize_files(clean.workspace.tree(), a),
        normalize_files(chaos.workspace.tree(), b),
    )
    return found


def _final(clean: World, chaos: World, found: dict[str, list[str]]) -> dict[str, Any]:
    a, b = _normalizers(clean, chaos)
    clean_state, chaos_state = capture_fake(clean.fake, a), capture_fake(chaos.fake, b)
    found["differences"] += differences("end github", clean_state, chaos_state)
    clean_history, chaos_history = clean.workspace.history(), chaos.workspace.history()
    found["differences"] += differences(
        "end files",
        normalize_files(clean_history[-1].files, a),
        normalize_files(chaos_history[-1].files, b),
    )
    found["duplicates"] += checks.duplicates(chaos_state) + checks.duplicates(clean_state)
    found["commit_mismatches"] += checks.commit_mismatches(chaos_history)
    found["commit_mismatches"] += checks.commit_mismatches(clean_history)
    found["tracebacks"] += [
        f"run {i}: {run.stderr[-500:]}"
        for i, run in enumerate(chaos.runs + clean.runs)
        if run.traceback
    ]
    found["leaked_tokens"] += checks.leaks(
        TOKEN, chaos.runs, chaos_history, chaos_state, chaos.fake
    )
    found["leaked_tokens"] += checks.leaks(
        TOKEN, clean.runs, clean_history, clean_state, clean.fake
    )
    exits = Counter(run.code for run in chaos.runs)
    return {
        "issues": len(chaos_state.issues),
        "comments": sum(len(i.comments) for i in chaos_state.issues),
        "commits": {"clean": len(clean_history), "chaos": len(chaos_history)},
        "exit_codes": {str(code): n for code, n in sorted(exits.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repos", type=int, default=Scenario().repos)
    parser.add_argument("--alerts", type=int, default=Scenario().alerts)
    parser.add_argument(
        "--churn", type=int, default=1, help="K times the daily alert changes (3K fixed, ...)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object as the last line")
    args = parser.parse_args(argv)
    scenario = Scenario.sized(
        repos=args.repos, alerts=args.alerts, seed=args.seed, churn=args.churn
    )
    with tempfile.TemporaryDirectory(prefix="campaign-sync-chaos-") as temporary:
        report = run_chaos(
            cycles=args.cycles,
            fault_rate=args.fault_rate,
            seed=args.seed,
            scenario=scenario,
            base=Path(temporary),
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
    failed = {name: report[name] for name in FAILURES if report[name]}
    print(
        f"{report['cycles']} days, {report['requests']} requests, "
        f"{report['faults_injected']} faults injected {report['faults']}, "
        f"{report['runs']} runs ({report['reruns']} re-runs), {report['seconds']} s"
    )
    for name in FAILURES:
        print(f"{name}: {report[name]}")
        for sample in report["samples"].get(name, []):
            print(f"  {sample}")
    if args.json:
        print(json.dumps(report, sort_keys=True))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
