"""Code scanning, Dependabot and secret scanning alerts: org and repository listings, single
alerts and state changes."""

from __future__ import annotations

from typing import Any

from .alert_query import (
    Listing,
    QueryError,
    Window,
    cursor_window,
    decode_cursor,
    encode_cursor,
    page_window,
    sort_key,
)
from .http_util import BadJsonError, Response, fail, json_response, link_header
from .model import CodeScanningAlert, DependabotAlert, Org, Repo, SecretScanningAlert
from .paging import page_links, page_number, per_page
from .routing import Ctx, Route, route_doc
from .store import apply_state

PERMISSION = {
    "code-scanning": "security_events",
    "dependabot": "vulnerability_alerts",
    "secret-scanning": "secret_scanning_alerts",
}
SORTS = {
    "code-scanning": ("created", "updated"),
    "dependabot": ("created", "updated", "epss_percentage"),
    "secret-scanning": ("created", "updated"),
}
DOCS = {
    "code-scanning": "code-scanning/code-scanning",
    "dependabot": "dependabot/alerts",
    "secret-scanning": "secret-scanning/secret-scanning",
}
CURSOR_ONLY_MESSAGE = (
    "Pagination using the `page` parameter is not supported. "
    "Use cursor-based pagination with the `before` or `after` parameters instead."
)


def feature_check(ctx: Ctx, kind: str, repo: Repo) -> None:
    """GitHub's answers for a repository without the feature."""
    doc = ctx.route.doc
    if kind == "code-scanning" and not repo.code_scanning:
        raise fail(
            403, "Advanced Security must be enabled for this repository to use code scanning.", doc
        )
    if kind == "dependabot" and not repo.dependabot:
        raise fail(403, "Dependabot alerts are disabled for this repository.", doc)
    if kind == "secret-scanning" and not repo.secret_scanning:
        raise fail(404, "Secret scanning is disabled on this repository.", doc)


def render(ctx: Ctx, alert: Any, *, with_repo: bool, full: bool = False) -> str:
    renderer = ctx.state.alert_renderer
    if isinstance(alert, CodeScanningAlert):
        return renderer.code_scanning(alert, with_repo=with_repo, full=full)
    if isinstance(alert, DependabotAlert):
        return renderer.dependabot(alert, with_repo=with_repo)
    hide = (ctx.req.arg("hide_secret") or "").lower() == "true"
    hide = hide and not ctx.state.config.ignore_hide_secret
    assert isinstance(alert, SecretScanningAlert)
    return renderer.secret_scanning(alert, with_repo=with_repo, hide_secret=hide)


def _listing(ctx: Ctx, kind: str, scope: Org | Repo, sort: str) -> Listing:
    if isinstance(scope, Org) and kind in scope.blanked:
        return Listing([], [])
    try:
        return ctx.state.listing(scope, kind, ctx.req.args(), sort)
    except QueryError as exc:
        raise fail(400, str(exc), ctx.route.doc) from None


def _cursor(ctx: Ctx, name: str) -> int | None:
    raw = ctx.req.arg(name)
    if not raw:
        return None
    try:
        return decode_cursor(raw)
    except QueryError as exc:
        raise fail(400, str(exc), ctx.route.doc) from None


def list_alerts(ctx: Ctx, kind: str, scope: Org | Repo) -> Response:
    req = ctx.req
    cursor_only = kind == "dependabot"
    if cursor_only and req.has("page"):
        raise fail(400, CURSOR_ONLY_MESSAGE, ctx.route.doc)
    sort = req.arg("sort") or "created"
    if sort not in SORTS[kind]:
        raise fail(400, f"Invalid value for sort: {sort}", ctx.route.doc)
    direction = req.arg("direction") or "desc"
    if direction not in ("asc", "desc"):
        raise fail(400, f"Invalid value for direction: {direction}", ctx.route.doc)
    size = per_page(ctx)
    listing = _listing(ctx, kind, scope, sort)
    descending = direction == "desc"
    cursor_mode = cursor_only or req.has("before") or req.has("after")
    window: Window
    if cursor_mode:
        before, after = _cursor(ctx, "before"), _cursor(ctx, "after")
        window = cursor_window(listing, descending, size, after, before)
        key = sort_key(sort)
        rels: list[tuple[str, dict[str, str]]] = []
        if window.has_prev and window.items:
            rels.append(
                ("prev", {"per_page": str(size), "before": encode_cursor(key(window.items[0]))})
            )
        if window.has_next and window.items:
            rels.append(
                ("next", {"per_page": str(size), "after": encode_cursor(key(window.items[-1]))})
            )
        if rels:
            ctx.headers.append(("link", link_header(ctx.base_url, req.path, req.query, rels)))
    else:
        page = page_number(ctx)
        window = page_window(listing, descending, page, size)
        link = page_links(ctx, page, size, window.total)
        if link:
            ctx.headers.append(("link", link))
    with_repo = isinstance(scope, Org)
    body = "[" + ",".join(render(ctx, a, with_repo=with_repo) for a in window.items) + "]"
    return json_response(200, body)


def org_list(kind: str) -> Any:
    def handler(ctx: Ctx) -> Response:
        return list_alerts(ctx, kind, ctx.need_org())

    return handler


def repo_list(kind: str) -> Any:
    def handler(ctx: Ctx) -> Response:
        repo = ctx.need_repo()
        feature_check(ctx, kind, repo)
        return list_alerts(ctx, kind, repo)

    return handler


def find_alert(ctx: Ctx, kind: str) -> Any:
    repo = ctx.need_repo()
    feature_check(ctx, kind, repo)
    number = ctx.int_param("alert_number")
    alert = ctx.state.alert(repo, kind, number)
    if alert is None:
        raise fail(404, f"No alert found for alert number {number}", ctx.route.doc)
    return alert


def get_one(kind: str) -> Any:
    def handler(ctx: Ctx) -> Response:
        alert = find_alert(ctx, kind)
        return json_response(200, render(ctx, alert, with_repo=False, full=True))

    return handler


_PATCH_RULES: dict[str, tuple[tuple[str, ...], str, str]] = {
    # kind: (settable states, closed state, field carrying the reason)
    "code-scanning": (("open", "dismissed"), "dismissed", "dismissed_reason"),
    "dependabot": (("open", "dismissed"), "dismissed", "dismissed_reason"),
    "secret-scanning": (("open", "resolved"), "resolved", "resolution"),
}


def patch_one(kind: str) -> Any:
    def handler(ctx: Ctx) -> Response:
        alert = find_alert(ctx, kind)
        try:
            body = ctx.req.json()
        except BadJsonError:
            raise fail(400, "Problems parsing JSON", ctx.route.doc) from None
        if not isinstance(body, dict) or "state" not in body:
            raise fail(422, "Invalid request: a `state` is required.", ctx.route.doc)
        states, closed, reason_field = _PATCH_RULES[kind]
        state = body["state"]
        if state not in states:
            raise fail(422, f"Invalid value for state: {state}", ctx.route.doc)
        reason = body.get(reason_field)
        if state == closed and not reason:
            raise fail(
                422, f"A `{reason_field}` is required when state is {closed}.", ctx.route.doc
            )
        comment = body.get("dismissed_comment") or body.get("resolution_comment")
        user = ctx.token.user if ctx.token else None
        apply_state(alert, state, ctx.state.now(), reason=reason, comment=comment, by=user)
        ctx.state.alerts_changed()
        return json_response(200, render(ctx, alert, with_repo=False, full=True))

    return handler


def routes() -> list[Route]:
    result: list[Route] = []
    for kind in ("code-scanning", "dependabot", "secret-scanning"):
        perm = PERMISSION[kind]
        section = DOCS[kind]
        result += [
            Route(
                "GET",
                f"/orgs/{{org}}/{kind}/alerts",
                org_list(kind),
                (perm, "read"),
                doc=route_doc(section, f"list-{kind}-alerts-for-an-organization"),
            ),
            Route(
                "GET",
                f"/repos/{{owner}}/{{repo}}/{kind}/alerts",
                repo_list(kind),
                (perm, "read"),
                doc=route_doc(section, f"list-{kind}-alerts-for-a-repository"),
            ),
            Route(
                "GET",
                f"/repos/{{owner}}/{{repo}}/{kind}/alerts/{{alert_number}}",
                get_one(kind),
                (perm, "read"),
                doc=route_doc(section, f"get-a-{kind}-alert"),
            ),
            Route(
                "PATCH",
                f"/repos/{{owner}}/{{repo}}/{kind}/alerts/{{alert_number}}",
                patch_one(kind),
                (perm, "write"),
                doc=route_doc(section, f"update-a-{kind}-alert"),
            ),
        ]
    return result
