"""The request pipeline: faults, authentication, rate limits, permissions, the handler,
ETags, accounting."""

from __future__ import annotations

import itertools
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from . import (
    routes_alerts,
    routes_apps,
    routes_campaigns,
    routes_graphql,
    routes_issues,
    routes_pulls,
    routes_repos,
)
from .auth import AppAuth, AuthFailure, authenticate, can_see_org, has_permission
from .faults import FaultInjector, fault_response
from .http_util import (
    RATE_DOCS,
    SECONDARY_DOCS,
    HttpError,
    Request,
    Response,
    error,
    etag_for,
    etag_matches,
    fail,
    json_response,
)
from .model import Token
from .ratelimit import PrimaryLimiter, SecondaryLimiter, rate_identity
from .routing import Ctx, Route, Router
from .stats import Stats
from .store import State

ALL_ROUTES: list[Route] = (
    routes_alerts.routes()
    + routes_issues.routes()
    + routes_repos.routes()
    + routes_campaigns.routes()
    + routes_apps.routes()
    + routes_graphql.routes()
    + routes_pulls.routes()
)
REDIRECT_DOCS = "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {rid}."
)


# Watchers of every exchange the fake answers: ``observer(req, response, fault)`` runs in the
# server thread after the response is final and before it is sent (so a test sees its effects
# by the time its request returns). ``response`` is None for a dropped connection; ``fault``
# names an injected fault (its answer is the fault's, not the route's). Module-level so that a
# test harness (``testing.contract``, GitHub's official description as the judge) watches
# every fake, including the ones tests construct themselves; the fake itself depends on none
# of them.
Observer = Callable[[Request, Response | None, str | None], None]
OBSERVERS: list[Observer] = []


@dataclass
class Outcome:
    """A response to send, or none at all (a dropped connection, after ``hold`` seconds)."""

    response: Response | None
    hold: float = 0.0


class Dispatcher:
    def __init__(
        self,
        state: State,
        stats: Stats,
        faults: FaultInjector,
        control: Callable[[Request], Response],
    ) -> None:
        self.state = state
        self.stats = stats
        self.faults = faults
        self.control = control
        self.router = Router(ALL_ROUTES)
        self.primary = PrimaryLimiter(state.clock)
        self.secondary = SecondaryLimiter(state.clock)
        self._seq = itertools.count(1)

    @property
    def base_url(self) -> str:
        return self.state.renderer.api

    # entry point -----------------------------------------------------------------------

    def handle(self, req: Request) -> Outcome:
        outcome, fault = self._handle(req)
        for observer in OBSERVERS:
            observer(req, outcome.response, fault)
        return outcome

    def _handle(self, req: Request) -> tuple[Outcome, str | None]:
        if req.path.startswith("/_fake/"):
            self.stats.count_control()
            if not self.faults.config.exempt_control:
                fault = self.faults.draw()
                if fault is not None:
                    return self._fault(fault), fault
            return Outcome(self.control(req)), None
        fault = self.faults.draw()
        self._by_id(req)
        match = self.router.match(req.method, req.path)
        template = match[0].template if match else "<unknown>"
        ambiguous = fault is not None and req.is_write and self.faults.config.ambiguous_writes
        if fault is not None and not ambiguous:
            outcome = self._fault(fault)
            self._record(req, template, outcome, fault, counted=False)
            return outcome, fault
        response, counted = self._process(req, match)
        if fault is not None:  # ambiguous write: applied, but the answer is lost
            outcome = self._fault(fault)
            self._record(req, template, outcome, fault, counted)
            return outcome, fault
        outcome = Outcome(response)
        self._record(req, template, outcome, None, counted)
        return outcome, None

    def _fault(self, kind: str) -> Outcome:
        if kind == "drop":
            return Outcome(None)
        if kind == "timeout":
            return Outcome(None, hold=self.faults.config.timeout_hold)
        return Outcome(self._finish(fault_response(kind), None, None, "core", None))

    def _record(
        self, req: Request, template: str, outcome: Outcome, fault: str | None, counted: bool
    ) -> None:
        auth = req.header("Authorization") or ""
        self.stats.record(
            {
                "time": self.state.clock.now(),
                "method": req.method,
                "path": req.raw_path or req.path,
                "route": template,
                "status": None if outcome.response is None else outcome.response.status,
                "fault": fault,
                "counted": counted,
                "write": req.is_write,
                "token": auth[-4:] if auth else None,
            }
        )

    # processing ------------------------------------------------------------------------

    def _process(
        self, req: Request, match: tuple[Route, dict[str, str]] | None
    ) -> tuple[Response, bool]:
        state = self.state
        config = state.config
        route, params = match if match else (None, {})
        resource = route.resource if route else "core"
        rid = self._new_rid()
        with state.lock:
            cred = authenticate(state, req.header("Authorization"))
            token = cred if isinstance(cred, Token) else None
            app = cred if isinstance(cred, AppAuth) else None
            key, limit = rate_identity(token, app)
            if resource == "search":
                limit = config.search_budget
            if isinstance(cred, AuthFailure) or cred is None:
                message = "Requires authentication" if cred is None else cred.message
                return self._finish(
                    error(401, message), route, "anonymous", resource, None, rid
                ), False
            if route is None:
                self.primary.bucket(key, resource, limit).used += 1
                return self._finish(error(404, "Not Found"), None, key, resource, limit, rid), True
            bucket = self.primary.bucket(key, resource, limit)
            if route.counts and bucket.remaining <= 0:
                self.stats.note("primary_limited")
                who = (
                    f"installation ID {token.installation_id}"
                    if token and token.installation_id
                    else f"user ID {token.user.id}"
                    if token
                    else "this app"
                )
                response = error(
                    config.rate_limit_status,
                    f"API rate limit exceeded for {who}. If you reach out to GitHub Support for "
                    f"help, please include the request ID {rid}.",
                    RATE_DOCS,
                )
                return self._finish(response, route, key, resource, limit, rid), False
            if route.auth == "app" and app is None:
                response = error(401, "A JSON web token could not be decoded", route.doc)
                bucket.used += 1
                return self._finish(response, route, key, resource, limit, rid), True
            if route.auth == "token" and app is not None:
                response = error(403, "Resource not accessible by integration", route.doc)
                bucket.used += 1
                return self._finish(response, route, key, resource, limit, rid), True
            admitted = False
            if req.is_write:
                retry = self.secondary.admit(
                    key,
                    config.secondary_per_minute,
                    config.secondary_per_hour,
                    config.max_concurrent_writes,
                )
                if retry is not None:
                    self.stats.note("secondary_limited")
                    bucket.used += 1
                    response = error(
                        403,
                        SECONDARY_MESSAGE.format(rid=rid),
                        SECONDARY_DOCS,
                        headers=[("retry-after", str(retry))],
                    )
                    return self._finish(response, route, key, resource, limit, rid), True
                admitted = True
        try:
            if admitted and config.write_delay > 0:
                time.sleep(config.write_delay)
            with state.lock:
                response = self._run(req, route, params, token, app)
                counted = route.counts and response.status != 304
                if counted:
                    self.primary.bucket(key, resource, limit).used += 1
                return self._finish(response, route, key, resource, limit, rid), counted
        finally:
            if admitted:
                with state.lock:
                    self.secondary.done(key)
                    if config.write_clock_step > 0:
                        # After the write: its own timestamps are those of its admission.
                        state.clock.advance(config.write_clock_step)

    def _run(
        self,
        req: Request,
        route: Route,
        params: dict[str, str],
        token: Token | None,
        app: AppAuth | None,
    ) -> Response:
        ctx = Ctx(
            self.state,
            req,
            params,
            route,
            self.base_url,
            token=token,
            app=app,
            primary=self.primary,
        )
        try:
            self._resolve(ctx)
            response = route.handler(ctx)
        except HttpError as exc:
            response = exc.response
        except Exception as exc:  # a bug in the fake: say so loudly
            traceback.print_exc(file=sys.stderr)
            response = error(500, f"fake GitHub internal error: {exc!r}")
        response.headers.extend(ctx.headers)
        if req.method == "GET" and response.status == 200:
            # ETags are the token's own (see etag_for): another token's never match.
            etag = etag_for(response.body, _caller(token, app))
            response.headers += [
                ("etag", etag),
                ("cache-control", "private, max-age=60, s-maxage=60"),
                ("vary", "Accept, Authorization, Cookie, X-GitHub-OTP"),
            ]
            if etag_matches(req.header("If-None-Match"), etag):
                kept = [
                    (k, v)
                    for k, v in response.headers
                    if k in ("etag", "cache-control", "vary", "link")
                ]
                response = Response(304, b"", kept)
        return response

    def _resolve(self, ctx: Ctx) -> None:
        route, params, token = ctx.route, ctx.params, ctx.token
        login = params.get("org") or params.get("owner")
        if login is not None:
            org = self.state.org(login)
            if org is None or (token is not None and not can_see_org(token, org.login)):
                raise fail(404, "Not Found", route.doc)
            ctx.org = org
        if route.permission is not None and token is not None:
            name, level = route.permission
            if not has_permission(token, name, level):
                raise fail(403, "Resource not accessible by integration", route.doc)
        if "repo" in params and ctx.org is not None:
            ctx.repo = ctx.org.repos.get(params["repo"].lower())
            if ctx.repo is None:
                moved = self.state.moved_to(f"{ctx.org.login}/{params['repo']}")
                if moved is not None:
                    raise HttpError(self._moved(ctx.req, moved.id))
                raise fail(404, "Not Found", route.doc)

    def _moved(self, req: Request, repo_id: int) -> Response:
        """GitHub's answer to a request that names a renamed or transferred repository.

        GitHub: "With repository redirects, you'll be able to make an API request using the
        repository's old location and receive either a 301 or 307 HTTP redirect, depending
        on the type of request being made. You can then follow the redirect to the new
        location." (developer.github.com/changes/2015-04-17-preview-repository-redirects).
        Which status goes with which request is in GitHub's OpenAPI description
        (testing/openapi): GET /repos/{owner}/{repo} and the issue reads list 301
        (moved_permanently), PATCH and DELETE /repos/{owner}/{repo} list 307. The Location
        names the repository by its id, ``/repositories/{id}/...``, which survives renames.
        """
        parts = req.path.split("/", 4)  # "", "repos", owner, repo, rest
        rest = "/" + parts[4] if len(parts) > 4 else ""
        location = f"{self.base_url}/repositories/{repo_id}{rest}"
        query = urlencode(req.query)
        if query:
            location += "?" + query
        permanent = req.method in ("GET", "HEAD")
        return json_response(
            301 if permanent else 307,
            {
                "message": "Moved Permanently" if permanent else "Temporary Redirect",
                "url": location,
                "documentation_url": REDIRECT_DOCS,
            },
            headers=[("location", location)],
        )

    def _by_id(self, req: Request) -> None:
        """``/repositories/{id}/...`` is ``/repos/{owner}/{repo}/...`` of that repository
        (where GitHub's redirects point): rewritten before routing."""
        if not req.path.startswith("/repositories/"):
            return
        parts = req.path.split("/", 3)  # "", "repositories", id, rest
        repo = self.state.repos_by_id.get(int(parts[2])) if parts[2].isdigit() else None
        if repo is not None:
            rest = "/" + parts[3] if len(parts) > 3 else ""
            req.path = f"/repos/{repo.full_name}{rest}"

    # response headers ------------------------------------------------------------------

    def _new_rid(self) -> str:
        seq = next(self._seq)
        return f"F4KE:{seq:06X}:{seq * 7919 % 65536:04X}"

    def _finish(
        self,
        response: Response,
        route: Route | None,
        key: str | None,
        resource: str,
        limit: int | None,
        rid: str | None = None,
    ) -> Response:
        headers = [
            ("x-github-request-id", rid or self._new_rid()),
            ("x-github-api-version-selected", "2022-11-28"),
            ("x-github-media-type", "github.v3; format=json"),
        ]
        if key is None:
            key, limit = "anonymous", 60
        bucket = self.primary.bucket(key, resource, limit or 60)
        headers += bucket.headers(resource)
        if route is not None and route.permission is not None:
            name, level = route.permission
            headers.append(("x-accepted-github-permissions", f"{name}={level}"))
        response.headers = headers + response.headers
        return response


def _caller(token: Token | None, app: AppAuth | None) -> str:
    """Who made a request, for ETags: the token itself, the App, or nobody."""
    if token is not None:
        return f"token:{token.value}"
    return app.key if app is not None else "anonymous"
