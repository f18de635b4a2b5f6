"""Repositories, topics, custom property values and /rate_limit."""

from __future__ import annotations

from typing import Any

from .http_util import Response, fail, json_response
from .model import Repo
from .paging import paginate
from .ratelimit import Bucket, rate_identity
from .routing import Ctx, Route, route_doc

_REPO_TYPES = ("all", "public", "private", "forks", "sources", "member")


def list_org_repos(ctx: Ctx) -> Response:
    org = ctx.need_org()
    req = ctx.req
    kind = req.arg("type") or "all"
    if kind not in _REPO_TYPES:
        raise fail(422, f"Invalid value for type: {kind}", ctx.route.doc)
    repos = [
        r
        for r in org.repos.values()
        if kind in ("all", "sources", "member")
        or (kind == "public" and r.visibility == "public")
        or (kind == "private" and r.visibility != "public")
    ]
    sort = req.arg("sort") or "created"
    if sort not in ("created", "updated", "pushed", "full_name"):
        raise fail(422, f"Invalid value for sort: {sort}", ctx.route.doc)
    default_direction = "asc" if sort == "full_name" else "desc"
    descending = (req.arg("direction") or default_direction) == "desc"
    keys: dict[str, Any] = {
        "created": lambda r: (r.created, r.id),
        "updated": lambda r: (max(r.updated, r.pushed), r.id),
        "pushed": lambda r: (r.pushed, r.id),
        "full_name": lambda r: (r.name.lower(), r.id),
    }
    repos.sort(key=keys[sort], reverse=descending)
    page = paginate(ctx, repos)
    renderer = ctx.state.renderer
    return json_response(200, [renderer.minimal_repo_dict(r) for r in page])


def get_repo(ctx: Ctx) -> Response:
    return json_response(200, ctx.state.renderer.full_repo_dict(ctx.need_repo()))


def get_topics(ctx: Ctx) -> Response:
    return json_response(200, {"names": list(ctx.need_repo().topics)})


def _property_values(repo: Repo) -> list[dict[str, Any]]:
    return [{"property_name": k, "value": v} for k, v in sorted(repo.properties.items())]


def org_property_values(ctx: Ctx) -> Response:
    org = ctx.need_org()
    repos = sorted(org.repos.values(), key=lambda r: r.id)
    query = ctx.req.arg("repository_query")
    if query:
        repos = [r for r in repos if _query_matches(r, query)]
    page = paginate(ctx, repos)
    return json_response(
        200,
        [
            {
                "repository_id": r.id,
                "repository_name": r.name,
                "repository_full_name": r.full_name,
                "properties": _property_values(r),
            }
            for r in page
        ],
    )


def _query_matches(repo: Repo, query: str) -> bool:
    """The ``props.NAME:VALUE`` and ``topic:NAME`` parts of a repository query."""
    for term in query.split():
        key, _, value = term.partition(":")
        if key.startswith("props."):
            actual = repo.properties.get(key[len("props.") :])
            ok = value in (actual if isinstance(actual, list) else [actual])
        elif key == "topic":
            ok = value in repo.topics
        elif key == "archived":
            ok = str(repo.archived).lower() == value.lower()
        else:
            ok = True
        if not ok:
            return False
    return True


def repo_property_values(ctx: Ctx) -> Response:
    return json_response(200, _property_values(ctx.need_repo()))


def rate_limit(ctx: Ctx) -> Response:
    limiter = ctx.primary
    assert limiter is not None
    key, core_limit = rate_identity(ctx.token, ctx.app)
    core: Bucket = limiter.bucket(key, "core", core_limit)
    search: Bucket = limiter.bucket(key, "search", ctx.state.config.search_budget)

    def shape(bucket: Bucket) -> dict[str, int]:
        return {
            "limit": bucket.limit,
            "used": bucket.used,
            "remaining": bucket.remaining,
            "reset": bucket.reset,
        }

    resources = {"core": shape(core), "search": shape(search)}
    for name, limit in (
        ("graphql", 5000),
        ("integration_manifest", 5000),
        ("code_scanning_autofix", 10),
        ("code_search", 10),
    ):
        resources[name] = shape(limiter.bucket(key, name, limit))
    return json_response(200, {"resources": resources, "rate": shape(core)})


def get_meta(ctx: Ctx) -> Response:
    """GitHub's meta information. On GitHub.com it has no ``installed_version`` (the
    api-overview schema lists verifiable_password_authentication, ssh_key_fingerprints,
    hooks, web, api, git, ...); GitHub Enterprise Server's adds ``installed_version``
    ("If you access this endpoint on your organization's GitHub Enterprise Server
    installation, this endpoint provides information about that installation.")."""
    body: dict[str, Any] = {
        "verifiable_password_authentication": False,
        "hooks": ["192.30.252.0/22"],
        "web": ["192.30.252.0/22"],
        "api": ["192.30.252.0/22"],
        "git": ["192.30.252.0/22"],
    }
    version = ctx.state.config.ghes_version
    if version:
        body["installed_version"] = f"{version}.0" if version.count(".") == 1 else version
    return json_response(200, body)


def routes() -> list[Route]:
    meta = ("metadata", "read")
    return [
        Route(
            "GET",
            "/meta",
            get_meta,
            None,
            doc=route_doc("meta/meta", "get-github-meta-information"),
        ),
        Route(
            "GET",
            "/orgs/{org}/repos",
            list_org_repos,
            meta,
            doc=route_doc("repos/repos", "list-organization-repositories"),
        ),
        Route(
            "GET",
            "/repos/{owner}/{repo}",
            get_repo,
            meta,
            doc=route_doc("repos/repos", "get-a-repository"),
        ),
        Route(
            "GET",
            "/repos/{owner}/{repo}/topics",
            get_topics,
            meta,
            doc=route_doc("repos/repos", "get-all-repository-topics"),
        ),
        Route(
            "GET",
            "/orgs/{org}/properties/values",
            org_property_values,
            ("organization_custom_properties", "read"),
            doc=route_doc(
                "orgs/custom-properties",
                "list-custom-property-values-for-organization-repositories",
            ),
        ),
        Route(
            "GET",
            "/repos/{owner}/{repo}/properties/values",
            repo_property_values,
            meta,
            doc=route_doc(
                "repos/custom-properties", "get-all-custom-property-values-for-a-repository"
            ),
        ),
        Route(
            "GET",
            "/rate_limit",
            rate_limit,
            None,
            counts=False,
            doc=route_doc(
                "rate-limit/rate-limit", "get-rate-limit-status-for-the-authenticated-user"
            ),
        ),
    ]
