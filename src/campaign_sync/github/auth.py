"""Credentials and the API URL, found the way the gh CLI and GitHub Actions provide them."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import jwt
from github import Auth, GithubException, GithubIntegration

from campaign_sync.errors import ConfigError, GitHubError
from campaign_sync.github.transport import DEFAULT_API_URL

TOKEN_VARIABLES = ("GH_TOKEN", "GITHUB_TOKEN")
ENTERPRISE_TOKEN_VARIABLES = ("GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")
APP_ID = "CAMPAIGN_SYNC_APP_ID"
APP_PRIVATE_KEY = "CAMPAIGN_SYNC_APP_PRIVATE_KEY"
APP_PRIVATE_KEY_FILE = "CAMPAIGN_SYNC_APP_PRIVATE_KEY_FILE"
APP_INSTALLATION_ID = "CAMPAIGN_SYNC_APP_INSTALLATION_ID"


def resolve_api_url(flag: str | None, config: str | None, env: Mapping[str, str]) -> str:
    """--api-url, then the config file, then GITHUB_API_URL (set by Actions), then github.com.

    The one place that decides where tokens are sent. The config file comes from the
    campaigns repository, so a pull request can change it: where GITHUB_API_URL is set
    (as in Actions) the config may only name that same host. Plain http:// is refused
    except on loopback, and so is any URL carrying credentials.
    """
    env_url = env.get("GITHUB_API_URL") or None
    if config and not flag and env_url:
        _check_url(config, "api-url in the config file")
        _check_url(env_url, "GITHUB_API_URL")
        if _origin(config) != _origin(env_url):
            raise ConfigError(
                f"api-url in the config file names {_origin(config)}, but this run is for "
                f"{_origin(env_url)} (GITHUB_API_URL); tokens are only sent to the host the "
                "run is meant for. Remove api-url from the config, or make it match"
            )
    if flag:
        url, what = flag, "--api-url"
    elif config:
        url, what = config, "api-url in the config file"
    elif env_url:
        url, what = env_url, "GITHUB_API_URL"
    else:
        url, what = DEFAULT_API_URL, "the default API URL"
    _check_url(url, what)
    return url.rstrip("/")


_LOOPBACK_NAMES = ("localhost",)


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}" + (
        f":{parts.port}" if parts.port else ""
    )


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url: str, what: str) -> None:
    """Refuse a URL tokens must not go to; the message never repeats credentials."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ConfigError(f"{what} is not a valid URL") from exc
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ConfigError(
            f"{what} contains credentials (user:password@); remove them, tokens come from "
            "the environment"
        )
    host = parts.hostname or ""
    if parts.scheme.lower() == "http" and host and not _is_loopback(host):
        raise ConfigError(
            f"{what} uses plain http:// for {host}; tokens would travel unencrypted. "
            "Use https:// (http:// is allowed only on loopback)"
        )
    # Other schemes are refused by the Transport with its own message.


def _is_github_com(api_url: str) -> bool:
    return api_url.rstrip("/") == DEFAULT_API_URL


class NoCredentials(GitHubError):
    """Neither a token nor a GitHub App is configured (an offline run may not need one)."""


def auth_from_env(env: Mapping[str, str], api_url: str, scope: str | None = None) -> Auth.Auth:
    """A GitHub App installation (CAMPAIGN_SYNC_APP_*) if configured, else a token.

    Tokens come from GH_TOKEN or GITHUB_TOKEN like the gh CLI; for GitHub Enterprise
    Server, GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN first. ``scope`` (an
    organization, or OWNER/REPO): where the App works, to find its installation there
    when CAMPAIGN_SYNC_APP_INSTALLATION_ID is not set.
    """
    app_id = env.get(APP_ID)
    if app_id:
        return _app_auth(env, app_id, api_url, scope)
    names: tuple[str, ...] = TOKEN_VARIABLES
    if not _is_github_com(api_url):
        names = ENTERPRISE_TOKEN_VARIABLES + TOKEN_VARIABLES
    for name in names:
        token = env.get(name, "").strip()
        if token:
            return Auth.Token(token)
    raise NoCredentials(
        "no GitHub credentials: set GITHUB_TOKEN (or GH_TOKEN) to a token that can read "
        f"security alerts, or {APP_ID}, {APP_PRIVATE_KEY} and {APP_INSTALLATION_ID} for a "
        "GitHub App installation; or use an offline source (snapshot:PATH, sarif:PATH)"
    )


def _app_auth(env: Mapping[str, str], app_id: str, api_url: str, scope: str | None) -> Auth.Auth:
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
    if not installation.isdigit() and (installation or scope is None):
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
    if not installation:
        assert scope is not None
        return app.get_installation_auth(find_installation(app, api_url, scope))
    return app.get_installation_auth(int(installation))


def find_installation(app: Auth.AppAuth, api_url: str, scope: str) -> int:
    """The id of the App's installation on an organization, or on OWNER/REPO: one request
    with the App's JWT ("Get an organization installation for the authenticated app",
    ``GET /orgs/{org}/installation``; ``/repos/{owner}/{repo}/installation``).

    An ordinary per-object call where speed does not matter: made with PyGithub's public
    ``GithubIntegration``, not the transport the listings take.
    """
    integration = GithubIntegration(auth=app, base_url=api_url)
    owner, _, repository = scope.partition("/")
    try:
        if repository:
            found = integration.get_repo_installation(owner, repository)
        else:
            found = integration.get_org_installation(owner)
        return int(found.id)
    except GithubException as error:
        data = error.data if isinstance(error.data, Mapping) else {}
        message = str(data.get("message") or "no message")[:200]
        if error.status == 404:
            raise GitHubError(
                f"the GitHub App {app.app_id} is not installed on {scope} (404 {message}); "
                f"install it there, or set {APP_INSTALLATION_ID}"
            ) from None
        raise GitHubError(
            f"GitHub App authentication failed (HTTP {error.status}): {message}; check "
            f"{APP_ID} and the private key"
        ) from None
    except OSError as error:  # requests' connection errors are OSErrors
        raise GitHubError(
            f"cannot reach {api_url} to find the GitHub App's installation on {scope}: "
            f"{type(error).__name__}"
        ) from None
    finally:
        integration.close()
