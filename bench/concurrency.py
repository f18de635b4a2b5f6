"""Two and three applies at once: do tracking issues end up duplicated?

    python bench/concurrency.py [--trials 20] [--runs 2 3] [--repos 6] [--alerts 120] [--json]

Each trial starts a fresh fake GitHub (testing/fake_github, on 127.0.0.1, with a small
delay on every write so that the runs interleave), gives each run a checkout of its own
(separate checkouts: the lock cannot serialise them, as with two CI jobs), starts the
applies together behind a barrier, then makes one following normal apply. Per trial it
counts, over every (campaign, repository):

- open duplicates right after the racing applies (more than one open tracking issue);
- open duplicates after the following run (the target: 0);
- healed: issues closed with state_reason "duplicate" (the newer of two, pointing at the
  older);
- ledgers that disagree with the issue kept.

`--same-checkout` runs the applies in one checkout instead: the lock lets one through at
a time (the others wait, --lock-timeout), so nothing is created twice to heal.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from testing.clients import transport_for  # noqa: E402
from testing.fake_github import FakeGitHub  # noqa: E402

from campaign_sync.commands.apply import run_apply  # noqa: E402
from campaign_sync.github import tracker  # noqa: E402
from campaign_sync.issue_markers import TOOL_LABEL, find_markers  # noqa: E402
from campaign_sync.ledger import read_ledger  # noqa: E402
from campaign_sync.lock import checkout_lock  # noqa: E402
from campaign_sync.sources.github import GitHubSource  # noqa: E402

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
CAMPAIGNS = {
    "crit": "[critical, high]",
    "all": "[critical, high, medium, low]",
}


def _campaign(name: str, severity: str) -> str:
    return (
        f"name: {name}\ndescription: Bench.\nmanagers: [mona]\n"
        "contact: https://github.com/orgs/acme/discussions/1\nends: 2027-03-31\n"
        f"state: active\nselect:\n  alerts: [code-scanning]\n  severity: {severity}\n"
    )


def _checkout(folder: Path) -> Path:
    (folder / "campaigns").mkdir(parents=True)
    (folder / "campaign-sync.yml").write_text(
        "organizations: [acme]\nsafety: {min-issues-for-threshold: 100000}\n", encoding="utf-8"
    )
    for campaign_id, severity in CAMPAIGNS.items():
        (folder / "campaigns" / f"{campaign_id}.yml").write_text(
            _campaign(campaign_id, severity), encoding="utf-8"
        )
    return folder


def _apply(fake: FakeGitHub, root: Path, *, lock: bool) -> int:
    def run() -> int:
        sources = [GitHubSource(transport_for(fake), "acme")]
        return run_apply(
            root, sources, transport_for(fake), out=io.StringIO(), err=io.StringIO(), now=NOW
        )

    if not lock:
        return run()
    with checkout_lock(root, timeout=600):
        return run()


def _count(fake: FakeGitHub, checkouts: list[Path]) -> dict[str, int]:
    transport = transport_for(fake)
    open_duplicates = healed = disagreeing = 0
    for repository in fake.repo_names(archived=False):
        try:
            issues = tracker.list_issues_with_label(transport, repository, TOOL_LABEL)
        except Exception:
            continue
        by_key: dict[tuple[str, str], list[tracker.IssueRef]] = {}
        for issue in issues:
            for key in set(find_markers(issue.body)):
                by_key.setdefault(key, []).append(issue)
        for (campaign, _), found in by_key.items():
            open_ones = [i for i in found if i.state == "open"]
            open_duplicates += max(0, len(open_ones) - 1)
            healed += sum(1 for i in found if i.state_reason == "duplicate")
            if open_ones:
                kept = min(i.number for i in open_ones)
                for root in checkouts:
                    recorded = read_ledger(root / "reports", campaign).issue_map()
                    if repository in recorded and recorded[repository].number != kept:
                        disagreeing += 1
    return {
        "open_duplicates": open_duplicates,
        "healed": healed,
        "ledgers_disagreeing": disagreeing,
    }


def trial(runs: int, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    # A simulated clock, as the tests have: rate-limit waits advance it instead of sleeping.
    fake = FakeGitHub(repos=args.repos, alerts=args.alerts, seed=seed, simulated_clock=True).start()
    fake.config.write_delay = args.write_delay
    # GitHub refuses concurrent writes of one identity (a secondary limit) and asks to retry
    # after a while; on the simulated clock that wait costs no real time, so racing runs
    # would spend their retries in milliseconds while the other's write is in flight. One
    # write in flight per run, as each run spaces its own.
    fake.config.max_concurrent_writes = runs
    try:
        with tempfile.TemporaryDirectory(prefix="campaign-sync-concurrency-") as scratch:
            base = Path(scratch)
            if args.same_checkout:
                shared = _checkout(base / "shared")
                checkouts = [shared] * runs
            else:
                checkouts = [_checkout(base / f"run{n}") for n in range(runs)]
            barrier = threading.Barrier(runs)
            codes: list[int] = []

            def one(root: Path) -> None:
                barrier.wait()
                codes.append(_apply(fake, root, lock=args.same_checkout))

            started = time.perf_counter()
            threads = [threading.Thread(target=one, args=(root,)) for root in checkouts]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            racing = time.perf_counter() - started
            after_race = _count(fake, list(dict.fromkeys(checkouts)))
            # The following normal run, in the first checkout.
            follow = _apply(fake, checkouts[0], lock=False)
            after_next = _count(fake, list(dict.fromkeys(checkouts)))
            return {
                "runs": runs,
                "seed": seed,
                "exit_codes": sorted(codes),
                "following_exit_code": follow,
                "racing_seconds": round(racing, 2),
                "open_duplicates_after_race": after_race["open_duplicates"],
                "open_duplicates_after_next_run": after_next["open_duplicates"],
                "healed": after_next["healed"],
                "ledgers_disagreeing": after_next["ledgers_disagreeing"],
            }
    finally:
        fake.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--runs", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--repos", type=int, default=6)
    parser.add_argument("--alerts", type=int, default=120)
    parser.add_argument("--write-delay", type=float, default=0.02)
    parser.add_argument("--same-checkout", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [trial(runs, seed, args) for runs in args.runs for seed in range(args.trials)]
    if args.json:
        print(json.dumps(results, indent=2))
    failed = False
    print(
        f"{'applies':>7} {'trials':>6} {'dup after race':>14} {'dup after next':>14} "
        f"{'healed':>6} {'ledgers off':>11} {'exit != 0':>9}"
    )
    for runs in args.runs:
        rows = [r for r in results if r["runs"] == runs]
        bad_exits = sum(1 for r in rows for c in [*r["exit_codes"], r["following_exit_code"]] if c)
        after = sum(r["open_duplicates_after_next_run"] for r in rows)
        off = sum(r["ledgers_disagreeing"] for r in rows)
        print(
            f"{runs:>7} {len(rows):>6} {sum(r['open_duplicates_after_race'] for r in rows):>14} "
            f"{after:>14} {sum(r['healed'] for r in rows):>6} {off:>11} {bad_exits:>9}"
        )
        failed = failed or after > 0 or off > 0 or bad_exits > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
