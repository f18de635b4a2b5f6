"""Which campaign files are not committed at HEAD: in CI, apply leaves them out.

A reconcile job applies what was reviewed and merged. A campaign file that is untracked,
or changed since the commit the job checked out (a step before apply that wrote one, a
cache restored over the checkout), was reviewed by nobody: it is left out, and apply says
which and why. Read with ``git status`` alone; outside a git repository nothing is
left out (there is nothing committed to compare with, and the run is not a reconcile job).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

# git status --porcelain=v1 codes (index, worktree) -> why a file is left out.
_WHY = {
    "?": "not committed (untracked)",
    "A": "not committed (added, not in HEAD)",
    "M": "changed since HEAD's commit",
    "R": "renamed since HEAD's commit",
    "C": "copied since HEAD's commit",
    "T": "changed since HEAD's commit",
    "U": "unmerged",
}


@dataclass(frozen=True, slots=True)
class LeftOut:
    path: Path
    why: str

    def describe(self, root: Path) -> str:
        try:
            shown = self.path.relative_to(root)
        except ValueError:
            shown = self.path
        return f"{shown}: {self.why}; left out (apply in CI applies committed files only)"


def uncommitted(root: Path, folder: Path) -> tuple[LeftOut, ...]:
    """Files under ``folder`` that differ from HEAD or are untracked, sorted by path."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", str(folder)],
            cwd=root,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    if done.returncode != 0:
        return ()  # not a git repository: nothing committed to compare with
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    base = Path(top) if top else root
    left: list[LeftOut] = []
    entries = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    skip_next = False
    for entry in entries:
        if skip_next:  # a rename's or copy's original path follows its entry
            skip_next = False
            continue
        if len(entry) < 4:
            continue
        code, name = entry[:2], entry[3:]
        if "D" in code and code.strip("D ") == "":
            continue  # deleted: nothing to read, the removal is the plan's business
        if code[0] in "RC":
            skip_next = True
        why = _WHY.get(code[0] if code[0] not in " ?" else code[1]) or _WHY["M"]
        left.append(LeftOut(base / name, why))
    return tuple(sorted(left, key=lambda item: item.path))
