"""Fetch every alert of a generated organization from the fake GitHub, side by side with a
bare pagination loop (plain http.client and json, no model): that loop is the limit.

    python bench/fetch.py [--repos 10000] [--alerts 1000000] [--runs 3] [--seed 1] [--json]

The fake runs in its own process (so its CPU is not ours), seeded deterministically. Each
contender runs as a whole process under /usr/bin/time (wall time, peak RSS), alternating,
and the fake's own counters give the requests each made. The minimum is the sum over listings
of ceil(alerts / 100): one request per full page (secret scanning is two listings: the
default patterns, and the generic ones GitHub lists only by name).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(1, str(ROOT))

from testing.fake_github.alert_query import GENERIC_SECRET_TYPES  # noqa: E402

ORG_PATHS = {
    "code-scanning": "/orgs/{org}/code-scanning/alerts",
    "dependabot": "/orgs/{org}/dependabot/alerts",
    "secret-scanning": "/orgs/{org}/secret-scanning/alerts",
}

# GitHub lists secret scanning's generic patterns only when `secret_type` names them, so
# campaign-sync lists them apart; so does the limit, as a listing of its own.
GENERIC = "secret-scanning (generic patterns)"
LISTINGS = (*ORG_PATHS.items(), (GENERIC, ORG_PATHS["secret-scanning"]))


def bare_loop(url: str, token: str, org: str, parser: str = "json") -> dict[str, int]:
    """The limit: one keep-alive connection, follow Link rel=next, decode each page."""
    loads = json.loads
    if parser == "orjson":
        import orjson  # the parser campaign-sync uses: the stricter comparison

        loads = orjson.loads
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
    counts: dict[str, int] = {}
    for alert_type, path in LISTINGS:
        target: str | None = path.format(org=org) + "?per_page=100"
        if alert_type.startswith("secret-scanning"):
            target += "&hide_secret=true"
        if alert_type == GENERIC:
            target += "&secret_type=" + ",".join(sorted(GENERIC_SECRET_TYPES))
        total = 0
        while target:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"bare loop: HTTP {response.status} on {target}: {body[:200]!r}")
            total += len(loads(body))
            target = _next_link(response.getheader("link", ""))
        counts[alert_type] = total
    return counts


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        if 'rel="next"' in part:
            link = part.split(";")[0].strip().strip("<>")
            split = urllib.parse.urlsplit(link)
            return f"{split.path}?{split.query}"
    return None


def _stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/_fake/stats", timeout=30) as response:
        result: dict[str, Any] = json.load(response)
        return result


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run under /usr/bin/time; return (wall seconds, peak RSS KiB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        started = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", timing.name, *command],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{command[:3]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        _, rss = timing.read().split()[-2:]
    return wall, int(rss), done.stdout


def start_fake(args: argparse.Namespace) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    command = [
        sys.executable,
        "-m",
        "testing.fake_github",
        "--repos",
        str(args.repos),
        "--alerts",
        str(args.alerts),
        "--seed",
        str(args.seed),
        "--token-budget",
        str(10**9),  # the limit is not what this measures
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise SystemExit("the fake GitHub did not start")
    return process, json.loads(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=10_000)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument(
        "--bare", nargs=4, metavar=("URL", "TOKEN", "ORG", "PARSER"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.bare:
        print(json.dumps(bare_loop(*args.bare)))
        return 0

    started = time.perf_counter()
    fake, ready = start_fake(args)
    print(
        f"fake GitHub: {args.repos:,} repositories, {args.alerts:,} alerts, "
        f"ready in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    url, token, org = ready["url"], ready["token"], ready["org"]
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_API_URL")}
    env.update(GITHUB_TOKEN=token)
    campaign_sync = str(Path(sys.executable).with_name("campaign-sync"))
    contenders = {
        "bare loop": [sys.executable, __file__, "--bare", url, token, org, "json"],
        "bare + orjson": [sys.executable, __file__, "--bare", url, token, org, "orjson"],
        "campaign-sync": [
            campaign_sync,
            "alerts",
            "--source",
            f"github:{org}",
            "--api-url",
            url,
            "--count",
            "--format",
            "json",
        ],
    }
    results: dict[str, dict[str, list[float]]] = {
        name: {"wall": [], "rss": [], "requests": []} for name in contenders
    }
    totals: dict[str, int] = {}
    try:
        for run in range(args.runs):
            for name, command in contenders.items():
                before = _stats(url)["total"]
                wall, rss, out = _timed(command, env)
                requests = _stats(url)["total"] - before
                results[name]["wall"].append(wall)
                results[name]["rss"].append(rss / 1024)
                results[name]["requests"].append(requests)
                if name == "campaign-sync":
                    by_type = json.loads(out)["by_type"]
                    counts = {t: sum(states.values()) for t, states in by_type.items()}
                else:
                    counts = json.loads(out)
                if totals and counts != totals:
                    raise SystemExit(f"{name} saw {counts}, expected {totals}")
                totals = counts
                print(
                    f"run {run + 1}/{args.runs} {name}: {wall:.2f} s, {rss / 1024:.0f} MiB, "
                    f"{requests:,} requests",
                    file=sys.stderr,
                )
    finally:
        fake.terminate()
        fake.wait(timeout=30)

    minimum = sum(math.ceil(n / 100) for n in totals.values())
    figures: dict[str, Any] = {
        "repos": args.repos,
        "alerts": sum(totals.values()),
        "alerts_by_type": totals,
        "minimum_requests": minimum,
        "runs": args.runs,
    }
    print(
        f"\n{'':16}{'median s':>10}{'min s':>9}{'peak RSS MiB':>14}{'requests':>10}"
        f"{'x minimum':>11}"
    )
    for name, measured in results.items():
        median = statistics.median(measured["wall"])
        rss = max(measured["rss"])
        requests = int(statistics.median(measured["requests"]))
        key = {"bare loop": "bare_loop", "bare + orjson": "bare_loop_orjson"}.get(
            name, "campaign_sync"
        )
        figures[key] = {
            "median_seconds": round(median, 3),
            "min_seconds": round(min(measured["wall"]), 3),
            "peak_rss_mib": round(rss, 1),
            "requests": requests,
            "requests_over_minimum": round(requests / minimum, 4),
        }
        print(
            f"{name:16}{median:>10.2f}{min(measured['wall']):>9.2f}{rss:>14.0f}"
            f"{requests:>10,}{requests / minimum:>11.4f}"
        )
    ours = figures["campaign_sync"]["median_seconds"]
    ratio = ours / figures["bare_loop"]["median_seconds"]
    strict = ours / figures["bare_loop_orjson"]["median_seconds"]
    figures["wall_ratio_over_bare_loop"] = round(ratio, 3)
    figures["wall_ratio_over_bare_loop_orjson"] = round(strict, 3)
    print(
        f"campaign-sync / bare loop wall time (medians): {ratio:.2f}x "
        f"({strict:.2f}x against the bare loop decoding with orjson); minimum requests "
        f"{minimum:,} (sum over types of ceil(alerts/100))"
    )
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
