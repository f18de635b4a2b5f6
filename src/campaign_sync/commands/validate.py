"""`campaign-sync validate`: check campaign files and the config, report every problem."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from campaign_sync.config.loader import default_paths, validate_paths
from campaign_sync.errors import ConfigError
from campaign_sync.render.problems import REPORTERS, step_summary

EXIT_OK = 0
EXIT_INVALID = 1


def validate(
    paths: Sequence[Path],
    *,
    output_format: str,
    out: TextIO,
    today: date,
    root: Path | None = None,
    step_summary_path: str | None = None,
) -> int:
    """Validate ``paths`` (default: the config and campaigns folder of ``root``).

    Returns 0 when there are no errors (warnings allowed), 1 otherwise.
    """
    base = root or Path.cwd()
    if not paths:
        paths = [p for p in default_paths(base) if p.exists()]
        if not any(p.is_dir() for p in paths):
            raise ConfigError(
                f"no campaigns folder in {base}; run this in a campaigns repository "
                "or name the files and folders to validate"
            )
    result = validate_paths(paths, today=today, cwd=base)
    REPORTERS[output_format](result, out)
    summary_file = step_summary_path or os.environ.get("GITHUB_STEP_SUMMARY")
    if output_format == "github" and summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(step_summary(result))
        except OSError as exc:
            # The summary is a courtesy; the annotations above already carry every problem.
            sys.stderr.write(f"warning: cannot write the job summary: {exc.strerror}\n")
    return EXIT_OK if result.ok else EXIT_INVALID
