"""Crashes: SIGKILL a real ``campaign-sync apply --commit`` at many points, run it again,
and compare with a run that was never killed.

    python bench/crash.py --points N [--cycles C] [--seed S] [--no-native] [--json]

A clean world (testing/reconcile/) lives ``--cycles`` days and counts each day's write
requests. The crash points are every write request of every day, each killed *before* the
fake applies it and *after* (its answer never delivered), and every day's ``git commit``
and ``git push``; each is recovered from a fresh checkout (GitHub Actions) and from the
same working tree (a self-hosted runner). ``--points N`` tries N of them: every git point,
and write points spread evenly over the rest (all of them when N is larger).

Each point gets a world of its own: the days before the crash run normally; on the crash
day the apply runs as a process (on the fake's clock) and is killed at the point; apply
then runs until it exits 0; the remaining days run normally. Then, against the clean world:

Each count is of crash points with such a finding:

- ``differences``: every issue (title, body, state, labels, assignees, comments, and its
  number: a re-run creates in the same order, so numbers must match), native campaigns,
  autofix requests, the files of the campaigns repository at the end of every day, and
  the whole git history (messages, authors, trees);
- ``duplicates``, ``lost_transitions`` (after the crash day and at the end),
  ``commit_mismatches`` (a bot commit whose message does not match its diff),
  ``tracebacks`` (in any run after the crash), ``unconverged`` (still failing after 40 runs),
  ``not_reached`` (the run finished before the point: the list of points is stale).

``--json`` prints one JSON object as the last line. Exit status 1 if any count is not 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for entry in (ROOT, ROOT / "src"):  # run as a script from a checkout
    if str(entry) not in sys.path:
        sys.path.insert(1, str(entry))

from testing.reconcile import checks  # noqa: E402
from testing.reconcile.crash import CrashPoint, crash, recover  # noqa: E402
from testing.reconcile.scenario import Scenario  # noqa: E402
from testing.reconcile.state import (  # noqa: E402
    FakeState,
    Normalizer,
    capture_fake,
    differences,
    normalize_files,
)
from testing.reconcile.world import World  # noqa: E402

FAILURES = (
    "differences",
    "duplicates",
    "lost_transitions",
    "commit_mismatches",
    "tracebacks",
    "unconverged",
    "not_reached",
)
# Day 0 opens issues, a native campaign and autofix requests; day 2 a new campaign's issues;
# day 3 the "due date passed" comments; day 4 a campaign closed (closes and comments);
# day 5 an issue closed as its alerts are fixed.
DEFAULT_CYCLES = 6


@dataclass(frozen=True, slots=True)
class Reference:
    """The clean run, day by day: what every crashed world must end each day as."""

    writes: tuple[tuple[str, ...], ...]  # each day's write requests: "POST issues", ...
    trees: tuple[dict[str, str], ...]  # normalized files of origin's main, end of each day
    states: tuple[FakeState, ...]  # the fake, end of each day
    histories: tuple[tuple[tuple[str, str, dict[str, str]], ...], ...]  # (message, author, files)


def _normalized_history(world: World, normalizer: Normalizer) -> tuple[Any, ...]:
    return tuple(
        (c.message, c.author, normalize_files(c.files, normalizer))
        for c in world.workspace.history()
    )


def reference(base: Path, scenario: Scenario, cycles: int) -> Reference:
    with World(base, scenario) as world:
        normalizer = Normalizer(world.fake.url, renumber=False)
        writes, trees, states, histories = [], [], [], []
        for cycle in range(cycles):
            world.begin(cycle)
            since = len(world.fake.requests())
            runs = world.converge(cycle)
            if len(runs) != 1:
                raise RuntimeError(f"the clean run of day {cycle} failed: {runs[0].output}")
            writes.append(
                tuple(
                    f"{entry['method']} {_kind(entry['path'])}"
                    for entry in world.fake.requests()[since:]
                    if entry["write"]
                )
            )
            trees.append(normalize_files(world.workspace.tree(), normalizer))
            states.append(capture_fake(world.fake, normalizer))
            histories.append(_normalized_history(world, normalizer))
        return Reference(tuple(writes), tuple(trees), tuple(states), tuple(histories))


def _kind(path: str) -> str:
    """``/repos/acme/web/issues/3/comments`` -> ``comments``: what a write request does."""
    parts = [p for p in path.split("?")[0].split("/") if p and not p.isdigit()]
    return parts[-1]


def point_of(ref: Reference, cycle: int, write: str, nth: int = 1) -> int:
    """The number of the day's ``nth`` write request of a kind (``"POST issues"``)."""
    matching = [i for i, w in enumerate(ref.writes[cycle], start=1) if w == write]
    return matching[nth - 1]


def all_points(ref: Reference) -> list[CrashPoint]:
    points = []
    for cycle, writes in enumerate(ref.writes):
        for recovery in ("fresh", "same"):
            for write in range(1, len(writes) + 1):
                for when in ("before", "after"):
                    points.append(CrashPoint(cycle, "write", write, when, recovery))
            for step in ("commit", "push"):
                points.append(CrashPoint(cycle, "git", 0, step, recovery))
    return points


def spread(points: list[CrashPoint], count: int) -> list[CrashPoint]:
    """``count`` points: every git point first (there are few, and each is its own case),
    then write points spread evenly over the list, first and last included."""
    if count >= len(points):
        return points
    git = [p for p in points if p.where == "git"][:count]
    writes = [p for p in points if p.where == "write"]
    wanted = count - len(git)
    if wanted <= 0:
        chosen = set()
    elif wanted == 1:
        chosen = {0}
    else:
        step = (len(writes) - 1) / (wanted - 1)
        chosen = {round(i * step) for i in range(wanted)}
    picked = {id(p) for p in git} | {id(writes[i]) for i in chosen}
    return [p for p in points if id(p) in picked]


def run_point(
    base: Path,
    scenario: Scenario,
    point: CrashPoint,
    ref: Reference,
    *,
    days_after: int | None = None,
) -> dict[str, list[str]]:
    """One world crashed at ``point``, then run to the end of the reference (or only
    ``days_after`` more days): its findings by kind."""
    found: dict[str, list[str]] = {name: [] for name in FAILURES}
    last = len(ref.writes) - 1
    if days_after is not None:
        last = min(last, point.cycle + days_after)
    with World(base, scenario) as world:
        normalizer = Normalizer(world.fake.url, renumber=False)
        for cycle in range(last + 1):
            world.begin(cycle)
            if cycle != point.cycle:
                runs = world.converge(cycle)
            else:
                crashed = crash(world, point)
                if not crashed.reached:
                    found["not_reached"].append(f"{point}: {crashed.detail}")
                runs = recover(world, point)
                found["tracebacks"] += [f"{point}: {r.stderr[-300:]}" for r in runs if r.traceback]
                found["lost_transitions"] += [
                    f"{point}: {f}"
                    for f in checks.lost_transitions(world.fake, world.workspace.work)
                ]
            if runs[-1].code != 0:
                found["unconverged"].append(f"{point}: day {cycle}: {runs[-1].stderr[-300:]}")
            tree = normalize_files(world.workspace.tree(), normalizer)
            found["differences"] += [
                f"{point}: {d}" for d in differences(f"day {cycle} files", ref.trees[cycle], tree)
            ]
        state = capture_fake(world.fake, normalizer)
        found["differences"] += [
            f"{point}: {d}" for d in differences(f"day {last} github", ref.states[last], state)
        ]
        history = _normalized_history(world, normalizer)
        found["differences"] += [
            f"{point}: {d}" for d in differences("history", ref.histories[last], history)
        ]
        found["duplicates"] += [f"{point}: {d}" for d in checks.duplicates(state)]
        found["lost_transitions"] += [
            f"{point}: end: {f}" for f in checks.lost_transitions(world.fake, world.workspace.work)
        ]
        found["commit_mismatches"] += [
            f"{point}: {m}" for m in checks.commit_mismatches(world.workspace.history())
        ]
    return found


def run_crashes(
    *,
    points: int,
    base: Path,
    scenario: Scenario | None = None,
    cycles: int = DEFAULT_CYCLES,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    scenario = scenario or Scenario()
    started = time.monotonic()
    ref = reference(base / "clean", scenario, cycles)
    candidates = all_points(ref)
    tried = spread(candidates, points)
    found: dict[str, list[str]] = {name: [] for name in FAILURES}
    failed_points = []
    points_with: dict[str, int] = dict.fromkeys(FAILURES, 0)
    for i, point in enumerate(tried):
        result = run_point(base / f"point-{i}", scenario, point, ref)
        for name, items in result.items():
            found[name] += items
            points_with[name] += bool(items)
        if any(result.values()):
            failed_points.append(str(point))
        if log is not None:
            log(f"{i + 1}/{len(tried)} {point}: {sum(len(v) for v in result.values())} findings")
    return {
        "native_campaign": scenario.native,
        "cycles": cycles,
        "writes_per_day": [len(w) for w in ref.writes],
        "candidate_points": len(candidates),
        "crash_points": len(tried),
        "points": [asdict(p) for p in tried] if len(tried) <= 20 else None,
        # Each count is of crash points with at least one such finding; a point's findings
        # (one line per differing file, day, issue...) are in "findings" and "samples".
        **points_with,
        "findings": {name: len(items) for name, items in found.items()},
        "failed_points": failed_points[:20],
        "samples": {name: items[:5] for name, items in found.items() if items},
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--cycles", type=int, default=DEFAULT_CYCLES)
    parser.add_argument("--seed", type=int, default=Scenario().seed)
    parser.add_argument(
        "--no-native",
        action="store_true",
        help="no native campaign mirror (leaves out the known duplicate after a crash on day 0)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object as the last line")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="campaign-sync-crash-") as temporary:
        report = run_crashes(
            points=args.points,
            base=Path(temporary),
            scenario=Scenario(seed=args.seed, native=not args.no_native),
            cycles=args.cycles,
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
    print(
        f"{report['crash_points']} of {report['candidate_points']} crash points over "
        f"{report['cycles']} days (writes per day {report['writes_per_day']}), "
        f"{report['seconds']} s"
    )
    for name in FAILURES:
        print(f"{name}: {report[name]} points ({report['findings'][name]} findings)")
        for sample in report["samples"].get(name, []):
            print(f"  {sample}")
    if args.json:
        print(json.dumps(report, sort_keys=True))
    return 1 if any(report[name] for name in FAILURES) else 0


if __name__ == "__main__":
    sys.exit(main())
