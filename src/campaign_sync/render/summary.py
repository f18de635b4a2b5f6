"""The GitHub Actions job summary: markdown appended to $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from campaign_sync.files import UnsafePath, append_text


def write_step_summary(markdown: str, path: str | None = None) -> None:
    """Append ``markdown`` to the job summary, if there is one.

    The summary is a courtesy: a file that cannot be written is a warning, never a failure.
    """
    target = path or os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        # The runner names the file; a link or a FIFO there is refused like any write.
        append_text(Path(target), markdown)
    except UnsafePath as exc:
        sys.stderr.write(f"warning: the job summary was not written: {exc}\n")
    except OSError as exc:
        sys.stderr.write(f"warning: cannot write the job summary: {exc.strerror}\n")
