"""Check that everything that names a release names VERSION, before it is tagged.

    python .ci/check_release.py VERSION      # e.g. 0.1.0 (a leading v is accepted)

The version lives in one place, ``src/campaign_sync/__init__.py``; the rest must agree:
the action's usage comment, the pre-commit hooks' usage comment, every ``@vX.Y.Z`` and
``rev: vX.Y.Z`` in the README, and a CHANGELOG section ``## [X.Y.Z]``. Prints each
mismatch as ``FILE:LINE: ...`` and exits 1 if there is any, 0 otherwise.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SEMVER = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?")
# Where a release is named: `campaign-sync@vX.Y.Z` and `rev: vX.Y.Z`.
_NAMED = re.compile(r"(?:campaign-sync@|rev:\s*)v(\d+\.\d+\.\d+[0-9A-Za-z.+-]*)")
_PACKAGE = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)
NAMING_FILES = ("README.md", "action.yml", ".pre-commit-hooks.yaml")


def problems(version: str, root: Path = ROOT) -> list[str]:
    found: list[str] = []
    if not _SEMVER.fullmatch(version):
        return [f"{version!r} is not a version like 1.2.3"]
    init = root / "src" / "campaign_sync" / "__init__.py"
    package = _PACKAGE.search(init.read_text(encoding="utf-8"))
    if package is None or package.group(1) != version:
        named = package.group(1) if package else "no __version__"
        found.append(f"{init.relative_to(root)}: __version__ is {named}, not {version}")
    for name in NAMING_FILES:
        path = root / name
        lines = path.read_text(encoding="utf-8").splitlines()
        named_any = False
        for number, line in enumerate(lines, start=1):
            for match in _NAMED.finditer(line):
                named_any = True
                if match.group(1) != version:
                    found.append(f"{name}:{number}: names v{match.group(1)}, not v{version}")
        if not named_any:
            found.append(f"{name}: names no release (campaign-sync@v{version} or rev: v{version})")
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    if not re.search(rf"^## \[{re.escape(version)}\]", changelog, re.MULTILINE):
        found.append(f"CHANGELOG.md: no section '## [{version}]'")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python .ci/check_release.py VERSION", file=sys.stderr)
        return 64
    version = argv[0].removeprefix("v").removeprefix("refs/tags/v")
    found = problems(version)
    for problem in found:
        print(problem)
    if not found:
        print(f"release v{version}: the package, action, hook, README and CHANGELOG agree")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
