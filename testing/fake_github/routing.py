"""Route table plumbing: templates, matching and the per-request context handlers get."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .http_util import DOCS, Request, Response, fail

if TYPE_CHECKING:
    from .auth import AppAuth
    from .model import Org, Repo, Token
    from .ratelimit import PrimaryLimiter
    from .store import State


@dataclass
class Ctx:
    """What a handler sees: the request, path parameters and the resolved org/repo."""

    state: State
    req: Request
    params: dict[str, str]
    route: Route
    base_url: str
    token: Token | None = None
    app: AppAuth | None = None
    org: Org | None = None
    repo: Repo | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    primary: PrimaryLimiter | None = None

    def int_param(self, name: str) -> int:
        try:
            value = int(self.params[name])
        except ValueError:
            raise fail(404, "Not Found", self.route.doc) from None
        if value < 1:
            raise fail(404, "Not Found", self.route.doc)
        return value

    def need_org(self) -> Org:
        if self.org is None:
            raise fail(404, "Not Found", self.route.doc)
        return self.org

    def need_repo(self) -> Repo:
        if self.repo is None:
            raise fail(404, "Not Found", self.route.doc)
        return self.repo


Handler = Callable[[Ctx], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    permission: tuple[str, str] | None = None  # (name, "read"|"write")
    auth: str = "token"  # token | app
    resource: str = "core"
    doc: str = DOCS
    counts: bool = True  # counts against the primary rate limit
    regex: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        object.__setattr__(self, "regex", re.compile(f"^{pattern}/?$"))


class Router:
    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method != method:
                continue
            found = route.regex.match(path)
            if found:
                return route, found.groupdict()
        return None


def route_doc(section: str, anchor: str) -> str:
    return f"https://docs.github.com/rest/{section}#{anchor}"
