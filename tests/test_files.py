"""Atomic writes that leave an unchanged file alone."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign_sync.files import UnsafePath, append_text, write_if_changed


def test_write_if_changed(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "file.md"
    assert write_if_changed(path, "é\n", root=tmp_path)
    before = path.stat()
    assert not write_if_changed(path, "é\n", root=tmp_path)
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert write_if_changed(path, "e\n", root=tmp_path)
    assert path.read_bytes() == b"e\n"


def test_a_new_file_is_readable_like_a_checked_out_one(tmp_path: Path) -> None:
    path = tmp_path / "ledger.tsv"
    write_if_changed(path, "x\n", root=tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.tsv"
    write_if_changed(path, "old\n", root=tmp_path)

    def broken(source: str, destination: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("campaign_sync.files.os.replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_if_changed(path, "new\n", root=tmp_path)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.tsv"]


# --- one rule for every write: no link on the way, no file that is not a regular file ---


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("precious\n", encoding="utf-8")
    return outside


def test_a_linked_folder_under_the_root_is_refused_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    outside = _outside(tmp_path)
    reports = tmp_path / "repo" / "reports"
    reports.mkdir(parents=True)
    (reports / "crit").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePath, match=r"reports/crit is a symbolic link"):
        write_if_changed(reports / "crit" / "ledger.json", "{}\n", root=reports)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]


def test_a_linked_file_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    reports = tmp_path / "reports"
    (reports / "crit").mkdir(parents=True)
    (reports / "crit" / "ledger.json").symlink_to(outside / "keep.txt")
    before = (outside / "keep.txt").stat().st_mtime_ns
    with pytest.raises(UnsafePath, match="symbolic link"):
        write_if_changed(reports / "crit" / "ledger.json", "{}\n", root=reports)
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "precious\n"
    assert (outside / "keep.txt").stat().st_mtime_ns == before


def test_a_fifo_in_place_of_a_report_is_refused_without_hanging(tmp_path: Path) -> None:
    (tmp_path / "crit").mkdir()
    os.mkfifo(tmp_path / "crit" / "README.md")
    with pytest.raises(UnsafePath, match="not a regular file"):
        write_if_changed(tmp_path / "crit" / "README.md", "x\n", root=tmp_path)


def test_a_path_climbing_out_of_the_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafePath, match="outside"):
        write_if_changed(tmp_path / "reports" / ".." / "x.md", "x\n", root=tmp_path / "reports")


def test_the_job_summary_is_never_written_through_a_link(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    summary = tmp_path / "summary.md"
    summary.symlink_to(outside / "keep.txt")
    with pytest.raises(UnsafePath):
        append_text(summary, "## plan\n")
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "precious\n"
    plain = tmp_path / "plain.md"
    append_text(plain, "a")
    append_text(plain, "b")
    assert plain.read_text(encoding="utf-8") == "ab"


@settings(max_examples=60, deadline=None)
@given(
    links=st.lists(st.sampled_from(["a", "a/b", "a/b/c"]), max_size=2, unique=True),
    target=st.sampled_from(["a/f", "a/b/f", "a/b/c/f", "f"]),
)
def test_for_any_tree_a_write_never_lands_outside_the_root(
    tmp_path_factory: pytest.TempPathFactory, links: list[str], target: str
) -> None:
    base = tmp_path_factory.mktemp("tree")
    outside = base / "outside"
    outside.mkdir()
    root = base / "root"
    root.mkdir()
    for link in sorted(links, key=len):
        where = root / link
        if where.parent.is_dir() and not where.parent.is_symlink() and not where.exists():
            where.symlink_to(outside, target_is_directory=True)
    with contextlib.suppress(UnsafePath):
        write_if_changed(root / target, "x\n", root=root)
    assert list(outside.iterdir()) == []
