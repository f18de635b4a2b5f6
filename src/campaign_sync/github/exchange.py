"""What one exchange with GitHub is made of: the response, the failures a caller tells
apart (AmbiguousWrite, RequestFailed), the rate limit and counts the transport keeps,
ETags, pagination links, and the connection pool (through a proxy when one is set)."""

from __future__ import annotations

import os
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import certifi
import orjson
import urllib3

from campaign_sync.errors import GitHubError


class AmbiguousWrite(GitHubError):
    """A write may or may not have been applied: re-read the state before retrying."""


class RequestFailed(GitHubError):
    """GitHub answered with an error status that retrying will not fix."""

    def __init__(self, message: str, *, status: int, data: Any, headers: Mapping[str, str]):
        super().__init__(message)
        self.status = status
        self.data = data
        self.headers = dict(headers)


@dataclass(frozen=True, slots=True)
class Response:
    """One answer. The body is decoded on first use of ``data``: while a prefetch thread
    waits for the next page, this page's JSON is decoded by the thread that uses it."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    from_cache: bool = False
    _decoded: list[Any] = field(default_factory=list, repr=False, compare=False)

    @property
    def data(self) -> Any:
        if not self._decoded:
            self._decoded.append(decoded(self.body))
        return self._decoded[0]

    def link(self, rel: str) -> str | None:
        return parse_link_header(self.headers.get("link", "")).get(rel)


def parse_link_header(value: str) -> dict[str, str]:
    """``<url>; rel="next", <url>; rel="last"`` -> {"next": url, "last": url}."""
    links: dict[str, str] = {}
    for part in value.split(","):
        if ";" not in part:
            continue
        target, _, params = part.partition(";")
        url = target.strip().removeprefix("<").removesuffix(">")
        for param in params.split(";"):
            key, _, rel = param.strip().partition("=")
            if key == "rel":
                for name in rel.strip('"').split():
                    links[name] = url
    return links


@dataclass(slots=True)
class Stats:
    """What a run cost; ``counted`` is what the primary rate limit saw (304s are free)."""

    requests: int = 0
    reads: int = 0
    writes: int = 0
    not_modified: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    waited_seconds: float = 0.0
    by_route: dict[str, int] = field(default_factory=dict)

    @property
    def counted(self) -> int:
        return self.requests - self.not_modified


@dataclass(slots=True)
class RateLimit:
    limit: int | None = None
    remaining: int | None = None
    reset: int | None = None  # epoch seconds

    def update(self, headers: Mapping[str, str]) -> None:
        for name in ("limit", "remaining", "reset"):
            value = headers.get(f"x-ratelimit-{name}")
            if value is not None and value.strip().isdigit():
                setattr(self, name, int(value))


class EtagCache:
    """Remembers the ETag and raw body of GET responses, for conditional requests.

    A 304 answer costs no primary rate limit, so re-reading unchanged pages is free.
    """

    def __init__(
        self,
        entries: Mapping[str, tuple[str, bytes]] | None = None,
        *,
        keep: Callable[[str], bool] | None = None,
    ) -> None:
        self._entries: dict[str, tuple[str, bytes]] = dict(entries or {})
        self._lock = threading.Lock()
        # Which URLs are worth remembering (a million alerts' pages are not).
        self._keep = keep

    def get(self, key: str) -> tuple[str, bytes] | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, etag: str, body: bytes) -> None:
        if self._keep is not None and not self._keep(key):
            return
        with self._lock:
            self._entries[key] = (etag, body)

    def entries(self) -> dict[str, tuple[str, bytes]]:
        with self._lock:
            return dict(self._entries)


def message_of(data: Any) -> str:
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return str(data["message"])
    return ""


def route_of(url: str) -> str:
    return urllib.parse.urlsplit(url).path


def query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(v) for v in value)
    return str(value)


def decoded(body: bytes) -> Any:
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return {"message": body[:200].decode("utf-8", "replace")}


def pool_manager(api_url: str, timeout: float) -> urllib3.PoolManager:
    """Connections to the API host, through the environment's proxy if it names one."""
    options: dict[str, Any] = {
        "timeout": urllib3.Timeout(connect=min(timeout, 10.0), read=timeout),
        "retries": False,
        "maxsize": 4,
    }
    if api_url.startswith("https:"):
        options["ca_certs"] = (
            os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("SSL_CERT_FILE")
            or certifi.where()
        )
    host = urllib.parse.urlsplit(api_url).hostname or ""
    proxy = urllib.request.getproxies().get(urllib.parse.urlsplit(api_url).scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        return urllib3.ProxyManager(proxy, **options)
    return urllib3.PoolManager(**options)
