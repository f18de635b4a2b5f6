"""One `apply` at a time in a checkout.

Two applies sharing a checkout (a run by hand next to a scheduled one on a self-hosted
runner, two terminals) would race on the same ledger files and on GitHub. The lock is an
OS lock (``flock``) on a file in the git directory, shared by every worktree of the
repository and never committed; outside git, ``.campaign-sync.lock`` in the root. The
kernel releases it when the process ends, however it ends: a crashed run never blocks the
next one. The file only says who holds it, for the message.

Runs in separate checkouts (two CI jobs) cannot share a lock: there the look before and
after each create (apply.py) keeps GitHub free of duplicates, and the workflows' own
``concurrency:`` group serialises scheduled reconciles.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from campaign_sync.errors import CampaignSyncError

try:
    import fcntl
except ImportError:  # Windows: no flock; runs there are not serialised by this lock
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "campaign-sync.lock"


class LockHeld(CampaignSyncError):
    """Another apply holds the checkout's lock (or the lock file cannot be used)."""


def lock_path(root: Path) -> Path:
    """The lock file of the checkout at ``root``: in the git directory common to every
    worktree, else ``root/.campaign-sync.lock``."""
    done = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--git-common-dir"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0 and done.stdout.strip():
        common = Path(done.stdout.strip())
        return (common if common.is_absolute() else root / common) / LOCK_NAME
    return root / f".{LOCK_NAME}"


def _holder(handle: int) -> str:
    try:
        os.lseek(handle, 0, os.SEEK_SET)
        data = json.loads(os.read(handle, 4096) or b"{}")
        return f"pid {data['pid']} on {data['host']}, since {data['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that left no name"


@contextmanager
def checkout_lock(
    root: Path,
    *,
    timeout: float = 0.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Path]:
    """Hold the checkout's lock for the block; wait up to ``timeout`` seconds for it."""
    path = lock_path(root)
    if fcntl is None:
        yield path
        return
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(path, flags, 0o644)
    except OSError as error:
        raise _unusable(path, error) from error
    try:
        deadline = clock() + max(0.0, timeout)
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if clock() >= deadline:
                    raise LockHeld(
                        f"another campaign-sync apply holds the lock on this checkout "
                        f"({_holder(handle)}; {path}). Wait for it to finish, or pass "
                        "--lock-timeout SECONDS to wait for it"
                    ) from None
                sleep(min(0.5, max(0.0, deadline - clock())))
        since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        note = {"pid": os.getpid(), "host": socket.gethostname(), "since": since}
        os.ftruncate(handle, 0)
        os.pwrite(handle, json.dumps(note).encode("utf-8"), 0)
        try:
            yield path
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def _unusable(path: Path, error: OSError) -> LockHeld:
    """The lock file cannot be opened: a link there (ELOOP) is refused, never followed."""
    if error.errno == errno.ELOOP:  # O_NOFOLLOW met a symbolic link
        return LockHeld(f"{path}: the lock file is a symbolic link; refused (remove it)")
    return LockHeld(f"{path}: cannot open the lock file ({error.strerror})")
