"""GitHub App endpoints (JWT-authenticated): installations and installation tokens."""

from __future__ import annotations

from .http_util import BadJsonError, Response, fail, json_response
from .model import Org
from .render_common import ts
from .render_issues import installation_dict
from .routing import Ctx, Route, route_doc

INSTALLATION_TOKEN_TTL = 3600


def installation_permissions(ctx: Ctx) -> dict[str, str]:
    return dict(ctx.state.app_permissions)


def _installation(ctx: Ctx, org: Org) -> Response:
    config = ctx.state.config
    return json_response(
        200,
        installation_dict(
            ctx.state.renderer, org, config.app_id, config.app_slug, installation_permissions(ctx)
        ),
    )


def list_installations(ctx: Ctx) -> Response:
    config = ctx.state.config
    orgs = sorted(ctx.state.orgs.values(), key=lambda o: o.installation_id)
    return json_response(
        200,
        [
            installation_dict(
                ctx.state.renderer,
                org,
                config.app_id,
                config.app_slug,
                installation_permissions(ctx),
            )
            for org in orgs
        ],
    )


def org_installation(ctx: Ctx) -> Response:
    return _installation(ctx, ctx.need_org())


def repo_installation(ctx: Ctx) -> Response:
    return _installation(ctx, ctx.need_repo().org)


def create_access_token(ctx: Ctx) -> Response:
    installation_id = ctx.int_param("installation_id")
    org = next((o for o in ctx.state.orgs.values() if o.installation_id == installation_id), None)
    if org is None:
        raise fail(404, "Not Found", ctx.route.doc)
    try:
        body = ctx.req.json() or {}
    except BadJsonError:
        raise fail(400, "Problems parsing JSON", ctx.route.doc) from None
    granted = installation_permissions(ctx)
    requested = body.get("permissions") if isinstance(body, dict) else None
    if isinstance(requested, dict) and requested:  # {} asks for nothing less: all
        for name, level in requested.items():
            if name not in granted or (level == "write" and granted[name] == "read"):
                raise fail(
                    422,
                    f"The permissions requested are not granted to this "
                    f"installation: {name}={level}",
                    ctx.route.doc,
                )
        granted = {name: str(level) for name, level in requested.items()}
    expires = ctx.state.now() + INSTALLATION_TOKEN_TTL
    value = ctx.state.add_token(
        permissions=granted,
        orgs=[org.login],
        user=f"{ctx.state.config.app_slug}[bot]",
        kind="installation",
        expires_at=expires,
        installation_id=installation_id,
    )
    return json_response(
        201,
        {
            "token": value,
            "expires_at": ts(expires),
            "permissions": dict(sorted(granted.items())),
            "repository_selection": "all",
        },
    )


def routes() -> list[Route]:
    doc = "apps/apps"
    return [
        Route(
            "GET",
            "/app/installations",
            list_installations,
            auth="app",
            doc=route_doc(doc, "list-installations-for-the-authenticated-app"),
        ),
        Route(
            "POST",
            "/app/installations/{installation_id}/access_tokens",
            create_access_token,
            auth="app",
            doc=route_doc(doc, "create-an-installation-access-token-for-an-app"),
        ),
        Route(
            "GET",
            "/orgs/{org}/installation",
            org_installation,
            auth="app",
            doc=route_doc(doc, "get-an-organization-installation-for-the-authenticated-app"),
        ),
        Route(
            "GET",
            "/repos/{owner}/{repo}/installation",
            repo_installation,
            auth="app",
            doc=route_doc(doc, "get-a-repository-installation-for-the-authenticated-app"),
        ),
    ]
