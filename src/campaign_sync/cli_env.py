"""What the commands read from where they run: the time, the working folder's
campaign-sync.yml, whether this is CI or a terminal (and asking there). Callers go
through the module (``cli_env.now()``), so a harness can stand in for the clock."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from campaign_sync.config.repo_config import CONFIG_FILENAMES
from campaign_sync.config.yaml_loader import DocumentError, load_yaml_file


def in_ci() -> bool:
    """GitHub Actions, and most CI systems, set CI=true (GITHUB_ACTIONS=true in Actions)."""
    return any(os.environ.get(name, "").lower() == "true" for name in ("CI", "GITHUB_ACTIONS"))


def on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def ask(question: str) -> bool:
    answer = click.prompt(question, default="", show_default=False, err=True)
    return str(answer).strip() == "yes"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def config_value(key: str) -> object:
    """A value of ./campaign-sync.yml, if the file exists and loads (`validate` reports
    a broken one; these commands only need a default)."""
    for name in CONFIG_FILENAMES:
        path = Path(name)
        if path.is_file():
            try:
                return load_yaml_file(path).data.get(key)
            except DocumentError:
                return None
    return None


def config_organizations() -> tuple[str, ...]:
    value = config_value("organizations")
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def app_scope(sources: tuple[str, ...]) -> str | None:
    """Where a GitHub App without a configured installation finds it: the first github:
    source's organization or repository, else the config's first organization."""
    for spec in sources:
        if spec.startswith("github:"):
            return spec.removeprefix("github:").strip("/") or None
    organizations = config_organizations()
    return organizations[0] if organizations else None


def config_api_url() -> str | None:
    value = config_value("api-url")
    return value if isinstance(value, str) else None
