"""``python -m testing.fake_github --repos N --alerts N --seed S [--port P] ...``

Serves until killed (SIGINT/SIGTERM). Once listening it prints one JSON line on stdout:
``{"url": ..., "token": ..., "org": ..., "app_id": ..., "installation_id": ..., "pid": ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from types import FrameType

from .config import FakeConfig, FaultConfig
from .fake import FakeGitHub


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m testing.fake_github",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--repos", type=int, default=10)
    parser.add_argument("--alerts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--org", default="acme")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument("--fault-kinds", default="500,502,503,timeout,drop")
    parser.add_argument("--timeout-hold", type=float, default=2.0)
    parser.add_argument("--simulated-clock", action="store_true")
    parser.add_argument("--search-lag", type=float, default=60.0)
    parser.add_argument(
        "--write-clock-step",
        type=float,
        default=0.0,
        help="clock seconds each admitted write moves the clock (with --simulated-clock: "
        "secondary limits on simulated time; 0.75 is 80 writes a minute)",
    )
    parser.add_argument(
        "--token-budget",
        type=int,
        default=None,
        help="hourly request budget of the printed token (default 5000)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    faults = FaultConfig(
        rate=args.fault_rate,
        seed=args.fault_seed,
        kinds=tuple(k for k in args.fault_kinds.split(",") if k),
        timeout_hold=args.timeout_hold,
    )
    started = time.perf_counter()
    fake = FakeGitHub(
        repos=args.repos,
        alerts=args.alerts,
        seed=args.seed,
        org=args.org,
        simulated_clock=args.simulated_clock,
        config=FakeConfig(search_lag=args.search_lag, write_clock_step=args.write_clock_step),
        faults=faults,
        host=args.host,
        port=args.port,
        token_budget=args.token_budget,
    )
    seeded = time.perf_counter() - started
    # Under the test harness, GitHub's official description judges this process's exchanges
    # too (testing/contract/subprocess.py); the fake itself needs none of it.
    contract = None
    if os.environ.get("CAMPAIGN_SYNC_CONTRACT_OUT"):
        from ..contract.subprocess import install_from_environment

        contract = install_from_environment()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with fake:
        ready = {
            "url": fake.url,
            "token": fake.token,
            "org": fake.org,
            "app_id": fake.app_id,
            "installation_id": fake.installation_id(),
            "pid": os.getpid(),
            "seed_seconds": round(seeded, 3),
        }
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    if contract is not None:
        contract.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
