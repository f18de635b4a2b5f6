"""One apply at a time in a checkout: the lock (lock.py), through the CLI and directly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from campaign_sync import cli
from campaign_sync.lock import LockHeld, checkout_lock, lock_path

SNAPSHOT = Path(__file__).resolve().parents[1] / "examples" / "snapshot"


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "checkout"
    (root / "campaigns").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return root


def test_the_lock_lives_in_the_git_directory_never_in_the_tree(checkout: Path) -> None:
    assert lock_path(checkout) == checkout / ".git" / "campaign-sync.lock"


def test_a_second_apply_in_the_checkout_is_refused_naming_who_holds_it(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two applies in one checkout used to race on its ledgers and on GitHub."""
    with checkout_lock(checkout):
        code = cli.main(["apply", "--source", f"snapshot:{SNAPSHOT}"])
    err = capsys.readouterr().err
    assert code == 1
    assert "another campaign-sync apply holds the lock on this checkout" in err
    assert f"pid {os.getpid()} on " in err
    assert "--lock-timeout" in err


def test_a_second_apply_waits_for_the_first_within_its_timeout(checkout: Path) -> None:
    released = threading.Event()

    def hold() -> None:
        with checkout_lock(checkout):
            time.sleep(0.4)
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.1)
    with checkout_lock(checkout, timeout=10):
        assert released.is_set()
    holder.join()


def test_the_lock_is_released_when_the_block_fails(checkout: Path) -> None:
    with pytest.raises(RuntimeError), checkout_lock(checkout):
        raise RuntimeError("a failed run")
    with checkout_lock(checkout):
        pass


def test_a_killed_run_never_blocks_the_next(checkout: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(Path(cli.__file__).parents[1])!r})
        from pathlib import Path
        from campaign_sync.lock import checkout_lock
        with checkout_lock(Path({str(checkout)!r})):
            print("held", flush=True)
            time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "held"
    with pytest.raises(LockHeld), checkout_lock(checkout):
        pass
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    with checkout_lock(checkout):  # the kernel released it with the process
        pass


def test_a_linked_lock_file_is_refused_not_followed(checkout: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("keep\n", encoding="utf-8")
    lock_path(checkout).symlink_to(target)
    with pytest.raises(LockHeld, match="symbolic link"), checkout_lock(checkout):
        pass
    assert target.read_text(encoding="utf-8") == "keep\n"
