"""Listing alerts: org-level and repository-level, every page, as values (repositories:
``repositories.py``), and what GitHub's refusals of a listing mean.

One request per page of 100 (the maximum). Code scanning and secret scanning are walked
with page numbers, Dependabot with cursors (its only option); both by following GitHub's
``Link: rel="next"``. Incremental runs sort by ``updated`` newest first and stop at the
watermark, so an unchanged organization costs one page per alert type.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from campaign_sync.errors import GitHubError
from campaign_sync.github.exchange import RequestFailed, Response
from campaign_sync.github.transport import Transport
from campaign_sync.model import Alert, AlertType
from campaign_sync.sources import github_json

PER_PAGE = 100

ORG_PATHS: dict[AlertType, str] = {
    "code-scanning": "/orgs/{org}/code-scanning/alerts",
    "dependabot": "/orgs/{org}/dependabot/alerts",
    "secret-scanning": "/orgs/{org}/secret-scanning/alerts",
}
REPO_PATHS: dict[AlertType, str] = {
    "code-scanning": "/repos/{repo}/code-scanning/alerts",
    "dependabot": "/repos/{repo}/dependabot/alerts",
    "secret-scanning": "/repos/{repo}/secret-scanning/alerts",
}
# The states each alert type can be in, as Alert.state names them.
STATES: dict[AlertType, tuple[str, ...]] = {
    "code-scanning": ("open", "fixed", "dismissed"),
    "dependabot": ("open", "fixed", "dismissed"),
    "secret-scanning": ("open", "resolved"),
}
# What a token needs for each alert type (fine-grained / GitHub App permission names).
PERMISSIONS: dict[AlertType, str] = {
    "code-scanning": "Code scanning alerts: read (security_events)",
    "dependabot": "Dependabot alerts: read (vulnerability_alerts)",
    "secret-scanning": "Secret scanning alerts: read (secret_scanning_alerts)",
}

# Secret scanning's generic ("non-provider") patterns and Copilot's passwords. A listing
# leaves them out unless `secret_type` names them: "A comma-separated list of secret types
# to return. All default secret patterns are returned. To return generic patterns, pass the
# token name(s) in the parameter." (`secret_type`, "List secret scanning alerts for an
# organization"). The tokens are the "Generic" rows of "Supported secret scanning
# patterns", and `password` (GitHub changelog, 2024-08-06). A new generic pattern must be
# added here, or campaigns that select every secret scanning alert never see it.
GENERIC_SECRET_TYPES: tuple[str, ...] = (
    "ec_private_key",
    "generic_private_key",
    "http_basic_authentication_header",
    "http_bearer_authentication_header",
    "mongodb_connection_string",
    "mysql_connection_string",
    "openssh_private_key",
    "password",
    "pgp_private_key",
    "postgres_connection_string",
    "rsa_private_key",
)


@dataclass(frozen=True, slots=True)
class AlertQuery:
    """Server-side filters, so a run fetches only what the campaigns select.

    Empty means "no filter". GitHub takes some filters as comma-separated lists and some as
    one value; ``params`` sends what the endpoint accepts and drops the rest (the caller
    still filters client-side, so dropping a filter costs requests, never correctness).
    """

    states: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    tool_name: str | None = None
    ecosystems: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    secret_types: tuple[str, ...] = ()
    validities: tuple[str, ...] = ()
    # Only alerts updated at or after this ISO timestamp (incremental listing).
    since: str | None = None

    def states_for(self, alert_type: AlertType) -> tuple[str, ...]:
        """The requested states this alert type can be in (all, when none is requested)."""
        possible = STATES[alert_type]
        return tuple(s for s in self.states if s in possible) if self.states else possible

    def selects(self, alert_type: AlertType) -> bool:
        """False when no alert of this type can be in a requested state: skip the listing."""
        return bool(self.states_for(alert_type))

    def listings(self, alert_type: AlertType) -> tuple[AlertQuery, ...]:
        """The listings that together return every alert this query selects.

        Secret scanning without a `secret_type` filter returns only the default patterns,
        so a second listing names the generic ones (GENERIC_SECRET_TYPES). Naming every
        default type instead would need GitHub's whole list of hundreds of providers, and
        a provider added later would silently drop out.
        """
        if alert_type != "secret-scanning" or self.secret_types:
            return (self,)
        return (self, dataclasses.replace(self, secret_types=GENERIC_SECRET_TYPES))

    def params(self, alert_type: AlertType) -> dict[str, Any]:
        params: dict[str, Any] = {"per_page": PER_PAGE}
        if self.since is not None:
            params.update(sort="updated", direction="desc")
        states = self.states_for(alert_type) if self.states else ()
        if alert_type == "code-scanning":
            if len(states) == 1:
                params["state"] = states[0]
            if len(self.severities) == 1:
                params["severity"] = self.severities[0]
            if self.tool_name:
                params["tool_name"] = self.tool_name
        elif alert_type == "dependabot":
            if states:
                # Our "dismissed" covers GitHub's auto_dismissed too.
                wanted = set(states)
                if "dismissed" in wanted:
                    wanted.add("auto_dismissed")
                params["state"] = ",".join(sorted(wanted))
            if self.severities:
                params["severity"] = ",".join(self.severities)
            if self.ecosystems:
                params["ecosystem"] = ",".join(self.ecosystems)
            if self.packages and not any("*" in p for p in self.packages):
                params["package"] = ",".join(self.packages)
        else:
            # Never ask for secret values: they must not reach our memory, logs or files.
            params["hide_secret"] = True
            if len(states) == 1:
                params["state"] = states[0]
            if self.secret_types:
                params["secret_type"] = ",".join(self.secret_types)
            if self.validities:
                params["validity"] = ",".join(self.validities)
        return params


@dataclass(slots=True)
class Progress:
    """Progress of one listing, for a progress bar, and the items it could not use."""

    alert_type: str
    pages: int = 0
    items: int = 0
    last_page: int | None = None  # known for page-number pagination only
    # Fields GitHub's schemas make nullable: a code scanning alert without a `state` is
    # skipped (open or not is unknown); an alert without an `updated_at` is kept, and an
    # incremental listing reads on past it (its place in `sort=updated` is unknown).
    without_state: int = 0
    without_updated_at: int = 0


ProgressCallback = Callable[[Progress], None]


def _last_page(response: Response) -> int | None:
    last = response.link("last")
    if last is None:
        return None
    pages = urllib.parse.parse_qs(urllib.parse.urlsplit(last).query).get("page")
    return int(pages[0]) if pages and pages[0].isdigit() else None


def iter_alerts(
    transport: Transport,
    path: str,
    alert_type: AlertType,
    query: AlertQuery,
    *,
    repository: str | None = None,
    on_page: ProgressCallback | None = None,
    progress: Progress | None = None,
) -> Iterator[Alert]:
    """Every alert of one list endpoint, normalized; stops at ``query.since`` if given.
    ``progress`` continues the count of an earlier listing of the same type."""
    normalize = github_json.NORMALIZERS[alert_type]
    progress = progress or Progress(alert_type)
    before = progress.pages  # pages of the type's earlier listings (generic secrets)
    pages = transport.paginate(path, query.params(alert_type), prefetch=query.since is None)
    for response in pages:
        items = page_items(response, path)
        # A repository renamed since it was configured: its alerts carry no repository of
        # their own (repository endpoints), so they take the name GitHub redirected to.
        named = transport.moved.get(repository, repository) if repository else None
        progress.pages += 1
        progress.items += len(items)
        if progress.pages == before + 1:
            last = _last_page(response)
            progress.last_page = before + last if last is not None else None
        if on_page is not None:
            on_page(progress)
        newer = until_watermark(items, query.since)
        for item in newer:
            if not (isinstance(item, Mapping) and item.get("updated_at")):
                progress.without_updated_at += 1
            try:
                alert = normalize(item, named)
            except github_json.NoState:
                progress.without_state += 1
                continue
            yield alert
        if len(newer) < len(items):
            return  # sorted newest first: the rest of the listing is older


def until_watermark(items: list[Any], since: str | None) -> list[Any]:
    """The items of a newest-first page before the first one updated before ``since``.

    An item without ``updated_at`` (secret scanning's is nullable) is not older than
    anything: it is kept and the page read on past it, wherever GitHub sorted it.
    """
    if since is None:
        return items
    for index, item in enumerate(items):
        updated = item.get("updated_at") if isinstance(item, Mapping) else None
        if updated and str(updated) < since:
            return items[:index]
    return items


def page_items(response: Response, path: str) -> list[Any]:
    """A listing's items. Anything but a list (a redirect's or an error's body) is never
    read as an empty page: where alerts were, an empty page would mark them gone."""
    data = response.data
    if isinstance(data, list):
        return data
    message = data.get("message") if isinstance(data, Mapping) else None
    raise GitHubError(
        f"GET {path}: GitHub answered {response.status} without a list"
        f"{f' ({message})' if isinstance(message, str) else ''}; nothing was changed. "
        "Try again later; if it persists, check the API URL and the repository's name"
    )


def feature_disabled(error: RequestFailed) -> bool:
    """GitHub's answer for a repository without code security (or the feature turned off)."""
    message = str(error.data.get("message", "")).lower() if isinstance(error.data, dict) else ""
    return error.status in (403, 404) and any(
        phrase in message
        for phrase in (
            "must be enabled",
            "is disabled",
            "are disabled",
            "not enabled",
            "no analysis found",
        )
    )


def explain(error: RequestFailed, *, alert_type: AlertType | None, scope: str) -> GitHubError:
    """Turn an HTTP error into a message a user can act on. Never includes the token."""
    message = ""
    if isinstance(error.data, Mapping):
        message = str(error.data.get("message", ""))
    if error.status == 401:
        return GitHubError(
            "GitHub rejected the credentials (401 Bad credentials): the token is wrong, "
            "expired or revoked. Set GITHUB_TOKEN (or GH_TOKEN) to a valid token."
        )
    if error.status == 403:
        accepted = error.headers.get("x-accepted-github-permissions", "")
        needed = PERMISSIONS.get(alert_type, "") if alert_type else ""
        if accepted or "not accessible" in message.lower():
            named = f" GitHub wants: {accepted}." if accepted else ""
            what = f" the {alert_type} alerts of" if alert_type else ""
            hint = f" Grant '{needed}'." if needed else ""
            return GitHubError(
                f"the token may not read{what} {scope} (403 {message or 'Forbidden'}): it "
                f"lacks a permission.{named}{hint}"
            )
        return GitHubError(f"GitHub refused access to {scope} (403): {message or 'Forbidden'}")
    if error.status == 404:
        kind = "organization" if "/" not in scope else "repository"
        return GitHubError(
            f"{kind} {scope!r} was not found, or the token cannot see it (404). Check the "
            f"name, and that the token has access to the {kind}."
        )
    return GitHubError(f"{scope}: {error}")
