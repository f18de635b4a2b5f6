"""Writing files the tool owns (ledgers, reports): atomically, and only when they change."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# What a new file's mode is (tempfile makes 0600): readable like any file checked out.
_MODE = 0o644


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds exactly these bytes; True if written.

    A temporary file renamed over the old one: a run killed halfway leaves the old file
    or the new one, never half of one. An unchanged file keeps even its modification time.
    """
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
