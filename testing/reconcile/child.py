"""``python -m testing.reconcile.child --fake-url URL --now ISO -- ARGV...``: campaign-sync's
own ``main(ARGV)`` in a process of its own, on the fake's clock (see runner.py), so that a
test can SIGKILL a real apply at an exact point."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from campaign_sync import cli

from .runner import RemoteClock, injected_time


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="testing.reconcile.child")
    parser.add_argument("--fake-url", required=True)
    parser.add_argument("--now", required=True, type=datetime.fromisoformat)
    parser.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    clock = RemoteClock(args.fake_url)
    with injected_time(args.now, clock.sleep, clock.now):
        return cli.main(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
