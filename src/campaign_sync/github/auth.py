"""Credentials and the API URL, found the way the gh CLI and GitHub Actions provide them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jwt
from github import Auth

from campaign_sync.errors import GitHubError
from campaign_sync.github.transport import DEFAULT_API_URL

TOKEN_VARIABLES = ("GH_TOKEN", "GITHUB_TOKEN")
ENTERPRISE_TOKEN_VARIABLES = ("GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")
APP_ID = "CAMPAIGN_SYNC_APP_ID"
APP_PRIVATE_KEY = "CAMPAIGN_SYNC_APP_PRIVATE_KEY"
APP_PRIVATE_KEY_FILE = "CAMPAIGN_SYNC_APP_PRIVATE_KEY_FILE"
APP_INSTALLATION_ID = "CAMPAIGN_SYNC_APP_INSTALLATION_ID"


def resolve_api_url(flag: str | None, config: str | None, env: Mapping[str, str]) -> str:
    """--api-url, then the config file, then GITHUB_API_URL (set by Actions), then github.com."""
    url = flag or config or env.get("GITHUB_API_URL") or DEFAULT_API_URL
    return url.rstrip("/")


def _is_github_com(api_url: str) -> bool:
    return api_url.rstrip("/") == DEFAULT_API_URL


def auth_from_env(env: Mapping[str, str], api_url: str) -> Auth.Auth:
    """A GitHub App installation (CAMPAIGN_SYNC_APP_*) if configured, else a token.

    Tokens come from GH_TOKEN or GITHUB_TOKEN like the gh CLI; for GitHub Enterprise
    Server, GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN first.
    """
    app_id = env.get(APP_ID)
    if app_id:
        return _app_auth(env, app_id)
    names: tuple[str, ...] = TOKEN_VARIABLES
    if not _is_github_com(api_url):
        names = ENTERPRISE_TOKEN_VARIABLES + TOKEN_VARIABLES
    for name in names:
        token = env.get(name, "").strip()
        if token:
            return Auth.Token(token)
    raise GitHubError(
        "no GitHub credentials: set GITHUB_TOKEN (or GH_TOKEN) to a token that can read "
        f"security alerts, or {APP_ID}, {APP_PRIVATE_KEY} and {APP_INSTALLATION_ID} for a "
        "GitHub App installation; or use an offline source (snapshot:PATH, sarif:PATH)"
    )


def _app_auth(env: Mapping[str, str], app_id: str) -> Auth.Auth:
    key = env.get(APP_PRIVATE_KEY, "")
    key_file = env.get(APP_PRIVATE_KEY_FILE)
    if not key and key_file:
        try:
            key = Path(key_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise GitHubError(f"cannot read {APP_PRIVATE_KEY_FILE}: {exc.strerror}") from exc
    if not key.strip():
        raise GitHubError(f"{APP_ID} is set but {APP_PRIVATE_KEY} (or _FILE) is not")
    installation = env.get(APP_INSTALLATION_ID, "").strip()
    if not installation.isdigit():
        raise GitHubError(
            f"{APP_ID} is set but {APP_INSTALLATION_ID} is not a number; find it in the "
            "organization's settings under GitHub Apps (the number in the Configure URL)"
        )
    app = Auth.AppAuth(app_id, key)
    try:
        app.create_jwt()  # fails now, with a clear message, if the key cannot sign
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise GitHubError(
            f"{APP_PRIVATE_KEY} is not a usable private key ({type(exc).__name__}); paste "
            "the whole .pem file the GitHub App settings page gave you"
        ) from exc
    return app.get_installation_auth(int(installation))
