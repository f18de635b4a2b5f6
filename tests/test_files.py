"""Atomic writes that leave an unchanged file alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from campaign_sync.files import write_if_changed


def test_write_if_changed(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "file.md"
    assert write_if_changed(path, "é\n")
    before = path.stat()
    assert not write_if_changed(path, "é\n")
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert write_if_changed(path, "e\n")
    assert path.read_bytes() == b"e\n"


def test_a_new_file_is_readable_like_a_checked_out_one(tmp_path: Path) -> None:
    path = tmp_path / "ledger.tsv"
    write_if_changed(path, "x\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.tsv"
    write_if_changed(path, "old\n")

    def broken(source: str, destination: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("campaign_sync.files.os.replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_if_changed(path, "new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.tsv"]
