"""`campaign-sync validate`: check campaign files and the config, report every problem."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from campaign_sync.config.loader import default_paths, validate_paths
from campaign_sync.errors import ConfigError
from campaign_sync.render.problems import REPORTERS, step_summary
from campaign_sync.render.summary import write_step_summary

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
    if output_format == "github":
        # The annotations above already carry every problem; the summary repeats them.
        write_step_summary(step_summary(result), step_summary_path)
    return EXIT_OK if result.ok else EXIT_INVALID
