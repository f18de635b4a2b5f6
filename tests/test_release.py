"""Releasing: the version in one place, and every file that names a release agreeing with
it (.ci/check_release.py); a tag-shaped install of the package, the pre-commit hook and
the action works from a clone (issue 14, item 2)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from campaign_sync import __version__

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("check_release", ROOT / ".ci" / "check_release.py")
assert _spec is not None
assert _spec.loader is not None
check_release = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_release)


def test_the_version_is_set_in_one_place_and_the_package_reports_it() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert 'path = "src/campaign_sync/__init__.py"' in pyproject
    assert "\nversion =" not in pyproject
    done = subprocess.run(
        [sys.executable, "-m", "campaign_sync", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == f"campaign-sync, version {__version__}\n"


def test_every_file_that_names_a_release_names_this_version() -> None:
    assert check_release.problems(__version__) == []
    assert check_release.main([f"v{__version__}"]) == 0


def test_a_release_of_another_version_is_refused_naming_each_file(tmp_path: Path) -> None:
    for name in ("README.md", "action.yml", ".pre-commit-hooks.yaml", "CHANGELOG.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "src" / "campaign_sync").mkdir(parents=True)
    shutil.copy(ROOT / "src" / "campaign_sync" / "__init__.py", tmp_path / "src" / "campaign_sync")
    found = check_release.problems("9.9.9", tmp_path)
    assert found[0] == f"src/campaign_sync/__init__.py: __version__ is {__version__}, not 9.9.9"
    assert any(p.startswith("README.md:") and "not v9.9.9" in p for p in found)
    assert any(p.startswith("action.yml:") for p in found)
    assert any(p.startswith(".pre-commit-hooks.yaml:") for p in found)
    assert "CHANGELOG.md: no section '## [9.9.9]'" in found
    assert check_release.problems("main", tmp_path) == ["'main' is not a version like 1.2.3"]


# -- a tag-shaped install from a clone ---------------------------------------------------------


@pytest.fixture(scope="module")
def tagged_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this checkout's files, committed and tagged v{__version__}, as a user's
    `git+URL@vX.Y.Z`, `uses: ...@vX.Y.Z` and `rev: vX.Y.Z` see it."""
    clone = tmp_path_factory.mktemp("release") / "campaign-sync"
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "__pycache__", "*.egg-info", ".mypy_cache", "build"
    )
    shutil.copytree(ROOT, clone, ignore=ignore)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "release"]):
        subprocess.run([*git, *args], cwd=clone, check=True, capture_output=True)
    subprocess.run([*git, "tag", f"v{__version__}"], cwd=clone, check=True)
    return clone


def _share_dependencies(venv: Path) -> None:
    """The dependencies (and the build backend) are this environment's: no index is
    needed, and what is installed from the tag is campaign-sync alone."""
    site = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    target = next((venv / "lib").glob("python*")) / "site-packages" / "deps.pth"
    target.write_text(str(site) + "\n", encoding="utf-8")


def _venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, capture_output=True)
    return where / "bin"


def test_pip_installs_the_tag_from_the_clone(tagged_clone: Path, tmp_path: Path) -> None:
    bin_ = _venv(tmp_path / "venv")
    # The dependencies are this environment's (no index needed); the package is the tag's.
    site = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    (next((tmp_path / "venv" / "lib").glob("python*")) / "site-packages" / "deps.pth").write_text(
        str(site) + "\n", encoding="utf-8"
    )
    done = subprocess.run(
        [
            str(bin_ / "pip"),
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            f"git+file://{tagged_clone}@v{__version__}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shown = subprocess.run(
        [str(bin_ / "campaign-sync"), "--version"], capture_output=True, text=True, check=True
    )
    assert shown.stdout == f"campaign-sync, version {__version__}\n"


def test_the_pre_commit_hook_runs_at_the_tag(tagged_clone: Path, tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[dev]')")
    campaigns = tmp_path / "campaigns-repo"
    (campaigns / "campaigns").mkdir(parents=True)
    (campaigns / "campaigns" / "broken.yml").write_text("name: [\n", encoding="utf-8")
    (campaigns / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: file://{tagged_clone}\n    rev: v{__version__}\n"
        "    hooks: [{id: campaign-sync-validate}]\n",
        encoding="utf-8",
    )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=campaigns, check=True)
    subprocess.run([*git, "add", "-A"], cwd=campaigns, check=True)
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_NO_INDEX": "1",  # the hook's dependencies come from this machine's cache
        "PIP_FIND_LINKS": str(tmp_path / "wheels"),
    }
    # Wheels of the hook's dependencies, built from this environment, for an offline hook.
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
            *("-w", env["PIP_FIND_LINKS"], *_dependency_specs("campaign-sync", "hatchling")),
        ],
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [pre_commit, "run", "--all-files"],
        cwd=campaigns,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "validate campaign files" in done.stdout
    assert "campaigns/broken.yml:" in done.stdout


def _dependency_specs(*roots: str) -> list[str]:
    """Pinned specs of what ``roots`` need to install, as this environment has them
    (``roots`` themselves too, but campaign-sync, which the hook builds from the tag)."""
    from importlib.metadata import distribution, requires

    from packaging.requirements import Requirement

    def needed(text: str, extras: frozenset[str] = frozenset({""})) -> Requirement | None:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": e}) for e in extras):
            return requirement
        return None

    def of(requirement: Requirement) -> list[Requirement]:
        extras = frozenset({"", *requirement.extras})
        listed = distribution(requirement.name).requires or []
        return [r for r in (needed(q, extras) for q in listed) if r is not None]

    specs: list[str] = [f"{r}=={distribution(r).version}" for r in roots if r != "campaign-sync"]
    seen = {root.lower() for root in roots}
    seen_extras: set[tuple[str, ...]] = set()
    todo = [q for root in roots for q in filter(None, map(needed, requires(root) or []))]
    while todo:
        requirement = todo.pop()
        key = requirement.name.lower().replace("_", "-")
        with_extras = (key, *sorted(requirement.extras))
        if requirement.extras and with_extras not in seen_extras:
            seen_extras.add(with_extras)
            todo += of(requirement)
        if key in seen:
            continue
        seen.add(key)
        specs.append(f"{requirement.name}=={distribution(requirement.name).version}")
        todo += of(requirement)
    return specs


def test_the_action_at_the_tag_installs_that_tag_s_files(
    tagged_clone: Path, tmp_path: Path
) -> None:
    """`uses: OWNER/campaign-sync@vX.Y.Z` checks the tag out at $GITHUB_ACTION_PATH, and the
    action installs campaign-sync from there (no other ref, nothing from the index): the
    same install, from a checkout of the tag, says the tag's version."""
    action = (tagged_clone / "action.yml").read_text(encoding="utf-8")
    assert '--no-deps --no-build-isolation "$GITHUB_ACTION_PATH"' in action
    assert "git+" not in action
    action_path = tmp_path / "action"
    subprocess.run(
        ["git", "clone", "-q", "--branch", f"v{__version__}", str(tagged_clone), str(action_path)],
        check=True,
        capture_output=True,
    )
    bin_ = _venv(tmp_path / "venv")
    _share_dependencies(tmp_path / "venv")
    subprocess.run(
        [
            *(str(bin_ / "python"), "-m", "pip", "install", "--quiet"),
            *("--disable-pip-version-check", "--no-deps", "--no-build-isolation"),
            str(action_path),
        ],
        check=True,
        capture_output=True,
    )
    shown = subprocess.run(
        [str(bin_ / "campaign-sync"), "--version"], capture_output=True, text=True, check=True
    )
    assert shown.stdout == f"campaign-sync, version {__version__}\n"
