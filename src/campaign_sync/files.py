"""Every file the tool writes (ledgers, reports, the alert store, a new campaign, the job
summary) goes through here: atomically, only when it changes, and never through a link.

Who controls these paths: pull-request authors can commit a symbolic link where a report
folder or a ledger will be written (``reports/x -> /home/runner/.ssh``), and whoever can
write the Actions cache can restore a link in place of the alert store. One rule for all
of them (``checked_target``), checked before anything is read or written:

- under ``root`` (the folder the file belongs in: the reports folder, the store's folder),
  no existing component of the path below ``root`` is a symbolic link, and the path does
  not climb out of ``root``;
- the file itself, where it exists, is a regular file: not a link, a FIFO (reading one
  would hang the run), a device or a folder.

``root`` itself is checked where it comes from (the config's folders are refused when they
lead out of the repository: ``config/loader.py``). A path the operator names (the job
summary the runner sets, ``--dir``) has no root to stay under: only the file is checked.

What remains: a link swapped in between the check and the write by a process running on
the same machine at the same moment. Nothing in the threat model does that (a pull request
and the cache both act before the run starts), so the check is not repeated per syscall.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from campaign_sync.errors import ConfigError

# What a new file's mode is (tempfile makes 0600): readable like any file checked out.
_MODE = 0o644


class UnsafePath(ConfigError):
    """A path the tool would write through a link, out of its folder, or into a non-file."""


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(Path(os.path.relpath(path, root)))
        except ValueError:
            pass
    return str(path)


def checked_target(path: Path, root: Path | None) -> Path:
    """``path``, once it is known to be safe to write (see the module's rule), else
    UnsafePath naming it and why; nothing is created."""
    absolute = Path(os.path.abspath(path))
    if root is not None:
        base = Path(os.path.abspath(root))
        relative = Path(os.path.relpath(absolute, base))
        if relative.parts and relative.parts[0] == "..":
            raise UnsafePath(f"{path}: outside {root}, where the tool writes; refused")
        current = base
        for part in relative.parts:
            current = current / part
            if current.is_symlink():
                raise UnsafePath(
                    f"{_shown(current, base.parent)} is a symbolic link: the tool writes no "
                    f"file through a link (it could lead out of the repository); "
                    f"{_shown(absolute, base.parent)} was not written. Remove the link "
                    "(a pull request or a restored cache may have put it there)"
                )
            if not current.exists():
                break
    try:
        mode = os.lstat(absolute).st_mode
    except FileNotFoundError:
        return absolute
    if not stat.S_ISREG(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
        raise UnsafePath(f"{_shown(absolute, root)}: {kind}; the tool writes only regular files")
    return absolute


def make_folders(folder: Path, root: Path | None) -> None:
    """Create ``folder`` one level at a time, each level checked not to be a link."""
    missing: list[Path] = []
    current = folder
    while not current.exists() and not current.is_symlink():
        missing.append(current)
        current = current.parent
    base = Path(os.path.abspath(root)) if root is not None else None
    for level in reversed(missing):
        # The root itself, or a folder above it, is the caller's choice, not data.
        if base is None or not base.is_relative_to(os.path.abspath(level)):
            checked_target(level, root)
        with contextlib.suppress(FileExistsError):
            os.mkdir(level)
        if level.is_symlink() or not level.is_dir():
            raise UnsafePath(f"{level}: not a folder the tool made; refused")


def write_if_changed(path: Path, text: str, *, root: Path | None) -> bool:
    """Write ``text`` unless the file already holds exactly these bytes; True if written.

    ``root``: the folder the file belongs in (see ``checked_target``). A temporary file
    renamed over the old one: a run killed halfway leaves the old file or the new one,
    never half of one. An unchanged file keeps even its modification time.
    """
    target = checked_target(path, root)
    data = text.encode("utf-8")
    try:
        if target.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    write_atomically(target, data, root=root)
    return True


def write_atomically(path: Path, data: bytes, *, root: Path | None) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed over it (checked)."""
    target = checked_target(path, root)
    make_folders(target.parent, root)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _MODE)
        # rename() replaces a link at the target rather than following it; checked anyway.
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def append_text(path: Path, text: str) -> None:
    """Append to a file the operator named (the job summary): the file must be a regular
    file or absent, never a link; opened without following one (O_NOFOLLOW)."""
    target = checked_target(path, None)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(target, flags, _MODE)
    except OSError as error:
        raise UnsafePath(f"{path}: cannot be written ({error.strerror})") from error
    with os.fdopen(handle, "a", encoding="utf-8") as stream:
        stream.write(text)
