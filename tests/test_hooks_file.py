"""The pre-commit hook other repositories use, and our own use of it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
HOOK_ID = "campaign-sync-validate"


def _load(name: str) -> Any:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


def _hook() -> dict[str, Any]:
    hooks = _load(".pre-commit-hooks.yaml")
    assert isinstance(hooks, list)
    [hook] = [h for h in hooks if h["id"] == HOOK_ID]
    assert isinstance(hook, dict)
    return hook


def _files_pattern() -> re.Pattern[str]:
    return re.compile(_hook()["files"])


def test_hooks_file_parses_and_has_the_hook() -> None:
    hooks = _load(".pre-commit-hooks.yaml")
    assert [h["id"] for h in hooks] == [HOOK_ID]
    hook = _hook()
    assert hook["entry"] == "campaign-sync validate"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["yaml"]
    # One run must see every file, or the duplicate-id check misses files in other batches.
    assert hook["require_serial"] is True
    assert hook["name"]
    assert hook["description"]


def test_hook_entry_is_a_console_script() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'campaign-sync = "campaign_sync.cli:main"' in pyproject


@pytest.mark.parametrize(
    "path",
    [
        "campaigns/a.yml",
        "campaigns/a.yaml",
        "campaigns/sub/b.yaml",
        "campaign-sync.yml",
        "campaign-sync.yaml",
        # A campaigns folder named in campaign-sync.yml (`campaigns: security/campaigns`):
        # the old pattern, fixed to campaigns/, never ran the hook for it.
        "security/campaigns/a.yml",
    ],
)
def test_files_pattern_matches(path: str) -> None:
    # pre-commit applies `files` with re.search.
    assert _files_pattern().search(path)


@pytest.mark.parametrize("path", ["campaigns/a.json", "campaigns/a.yml.bak", "src/x.py"])
def test_files_pattern_does_not_match(path: str) -> None:
    assert not _files_pattern().search(path)


def test_the_hook_validates_the_configured_set_not_the_changed_files() -> None:
    """The hook cannot know the configured folder from file names: it runs `validate` with
    no arguments, which follows `campaigns:` in campaign-sync.yml (see test_loader.py's
    test_default_paths_follow_the_configured_campaigns_folder) and sees every campaign
    file, for the cross-file checks."""
    assert _hook()["pass_filenames"] is False


def test_our_config_uses_the_same_files_pattern() -> None:
    config = _load(".pre-commit-config.yaml")
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    [ours] = [hook for hook in hooks if hook["id"] == HOOK_ID]
    assert ours["files"] == _hook()["files"]
    assert ours["pass_filenames"] is False
    assert ours["require_serial"] is True
    assert "validate" in ours["entry"]


def test_minimum_pre_commit_versions_agree() -> None:
    config = _load(".pre-commit-config.yaml")
    assert _hook()["minimum_pre_commit_version"] == config["minimum_pre_commit_version"]
