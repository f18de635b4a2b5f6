"""The GitHub Actions job summary: markdown appended to $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import os
import sys


def write_step_summary(markdown: str, path: str | None = None) -> None:
    """Append ``markdown`` to the job summary, if there is one.

    The summary is a courtesy: a file that cannot be written is a warning, never a failure.
    """
    target = path or os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(markdown)
    except OSError as exc:
        sys.stderr.write(f"warning: cannot write the job summary: {exc.strerror}\n")
