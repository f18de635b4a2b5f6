"""Requests to GitHub's REST API: retries, rate limits, write throttling, conditional requests.

PyGithub's public API authenticates (a token, or a GitHub App's installation token minted
and refreshed by ``github.Github``); requests go through urllib3 with our own retry
policy, because the right policy depends on the request:

- reads (GET) are retried on 5xx, timeouts and dropped connections, with backoff;
- rate limits are waited out: ``retry-after`` for secondary limits, ``x-ratelimit-reset``
  for an exhausted primary budget, up to ``max_wait`` seconds, then a clear error;
- writes are spaced ``write_interval`` seconds apart and never sent concurrently
  (GitHub's secondary limits), and a write whose outcome is unknown (the connection
  dropped after sending) is not re-sent blindly: it raises AmbiguousWrite so the caller
  can look at the state and decide, instead of creating a duplicate.

Tokens never appear in messages: errors name the request by method and path only.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import certifi
import orjson
import urllib3
from github import Auth, Github, GithubException

from campaign_sync import __version__
from campaign_sync.errors import GitHubError

DEFAULT_API_URL = "https://api.github.com"
USER_AGENT = f"campaign-sync/{__version__}"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# GitHub's repository redirects take one hop (to /repositories/{id}); five is a loop.
MAX_REDIRECTS = 5
_REPO_PATH = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)(?:/|$)")
_REPO_ID_PATH = re.compile(r"^/repositories/(?P<id>\d+)(?:/|$)")


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
            self._decoded.append(_decode(self.body))
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


def _message(data: Any) -> str:
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return str(data["message"])
    return ""


def _route(url: str) -> str:
    return urllib.parse.urlsplit(url).path


class Transport:
    """Sends requests with our retry and rate-limit policy; PyGithub mints App tokens."""

    def __init__(
        self,
        *,
        auth: Auth.Auth | None,
        api_url: str = DEFAULT_API_URL,
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_wait: float = 15 * 60,
        write_interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        etags: EtagCache | None = None,
        seed: int | None = None,
        notices: Callable[[str], None] | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        split = urllib.parse.urlsplit(self.api_url)
        if split.scheme not in ("http", "https") or not split.hostname:
            raise GitHubError(f"the API URL {api_url!r} is not an http(s) URL")
        self._origin = f"{split.scheme}://{split.netloc}"
        self._auth = auth
        # PyGithub, through its public API, does what it does best: a GitHub App's
        # installation token (``Auth.AppInstallationAuth``) is minted and refreshed by the
        # ``Github`` client the auth is given to. Requests themselves go through urllib3
        # directly: at a million alerts, requests' per-call overhead was a third of the run.
        self._github = Github(
            auth=auth,
            base_url=self.api_url,
            timeout=int(max(1, timeout)),
            user_agent=USER_AGENT,
            per_page=100,
            retry=None,
            lazy=True,
        )
        self._pool = _pool_manager(self.api_url, timeout)
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._max_wait = max_wait
        self._write_interval = write_interval
        self._sleep = sleep
        self._clock = clock
        self._random = random.Random(seed)
        # Each retry and each rate-limit wait, as it happens (the CLI: one line on stderr),
        # so that a failing network is not minutes of silence before "gave up".
        self._notices = notices
        self._write_lock = threading.Lock()
        self._last_write = float("-inf")
        self._stats_lock = threading.Lock()
        self.stats = Stats()
        # Repositories GitHub redirected this run: old full name -> new full name.
        self.moved: dict[str, str] = {}
        self.rate_limit = RateLimit()
        self.etags = etags

    # -- public API ----------------------------------------------------------------------

    @property
    def write_interval(self) -> float:
        """Seconds between two writes (set from the config's ``limits.write-interval``)."""
        return self._write_interval

    @write_interval.setter
    def write_interval(self, seconds: float) -> None:
        self._write_interval = max(0.0, seconds)

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> Response:
        return self.request("GET", url, params=params)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
        reads: bool = False,
        wait_for_limits: bool = True,
        follow_redirects: bool = True,
    ) -> Response:
        """Send one request, retrying what is safe to retry. Raises GitHubError subclasses.

        ``reads`` marks a POST that only reads (a GraphQL query): it is retried like a GET,
        and neither spaced nor counted as a write. Without ``wait_for_limits`` a rate limit
        answer is raised as RequestFailed at once, for a caller that has a cheaper way.

        Redirects are followed within the API (a renamed or transferred repository answers
        301 to a GET, 307 to a write): a GET is never answered with a redirect's body, which
        a listing would read as an empty page. A 301 or 302 to a write is returned as it is
        (GitHub's answer for a transferred issue): the caller decides. Without
        ``follow_redirects`` every redirect is returned as it is, for a caller that needs
        to know where it points (a transferred issue, whose new number only the Location
        tells).
        """
        method = method.upper()
        full_url = self._with_params(url, params)
        for _ in range(MAX_REDIRECTS + 1):
            response = self._request(
                method,
                full_url,
                body=body,
                idempotent=idempotent,
                reads=reads,
                wait_for_limits=wait_for_limits,
            )
            if not follow_redirects:
                return response
            target = self._redirect_target(method, full_url, response)
            if target is None:
                return response
            full_url = target
        raise GitHubError(
            f"{method} {_route(url)}: GitHub redirected more than {MAX_REDIRECTS} times; "
            "check the repository's name (renamed or transferred?) and try again"
        )

    def _request(
        self,
        method: str,
        full_url: str,
        *,
        body: Any,
        idempotent: bool | None,
        reads: bool,
        wait_for_limits: bool,
    ) -> Response:
        """One request and its retries, redirects not followed."""
        is_write = method in WRITE_METHODS and not reads
        # POST creates; PATCH/PUT/DELETE of a named resource set a state and can be repeated.
        repeatable = (method != "POST") if idempotent is None else idempotent
        cached = self.etags.get(full_url) if (self.etags and method == "GET") else None
        attempt = 0
        while True:
            attempt += 1
            headers = {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            }
            if cached is not None:
                headers["If-None-Match"] = cached[0]
            try:
                if is_write:
                    with self._write_lock:  # never two writes in flight
                        self._space_writes()
                        status, response_headers, raw = self._send(method, full_url, headers, body)
                else:
                    status, response_headers, raw = self._send(method, full_url, headers, body)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                if is_write and not repeatable:
                    raise AmbiguousWrite(
                        f"{method} {_route(full_url)}: the connection failed before GitHub "
                        "answered, so the write may or may not have happened"
                    ) from exc
                self._retry_or_raise(attempt, f"{method} {_route(full_url)}: {type(exc).__name__}")
                continue
            self._count(method, full_url, status, is_write)
            if response_headers.get("x-ratelimit-resource", "core") == "core":
                # The REST budget; GraphQL's (and search's) are separate.
                self.rate_limit.update(response_headers)
            if status == 304 and cached is not None:
                return Response(304, response_headers, cached[1], from_cache=True)
            if status < 400:
                etag = response_headers.get("etag")
                # Never a redirect's: its body is no page, and would come back as one on a 304.
                if self.etags is not None and method == "GET" and etag and status == 200:
                    self.etags.put(full_url, etag, raw)
                return Response(status, response_headers, raw)
            data = _decode(raw)
            wait = self._rate_limit_wait(status, response_headers, data)
            if wait is not None and wait_for_limits:
                self._wait(wait, method, full_url, attempt)
                continue
            if status >= 500:
                if is_write and not repeatable:
                    raise AmbiguousWrite(
                        f"{method} {_route(full_url)}: GitHub answered {status}; the write may "
                        "or may not have happened"
                    )
                self._retry_or_raise(attempt, f"{method} {_route(full_url)}: HTTP {status}")
                continue
            raise RequestFailed(
                f"{method} {_route(full_url)}: HTTP {status}: {_message(data) or 'error'}",
                status=status,
                data=data,
                headers=response_headers,
            )

    def paginate(
        self, url: str, params: Mapping[str, Any] | None = None, *, prefetch: bool = True
    ) -> Iterator[Response]:
        """Every page of a list, following the ``Link: rel="next"`` header (page or cursor).

        With ``prefetch`` the next page is requested while the caller works on this one:
        still one request in flight, but GitHub's time to answer overlaps ours to process.
        A caller that may stop early (incremental listing) passes ``prefetch=False``, so no
        request is wasted on a page it will not read.
        """
        first = self._with_params(url, params)
        if not prefetch:
            next_url: str | None = first
            while next_url is not None:
                response = self.get(next_url)
                yield response
                next_url = response.link("next")
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as pool:
            pending: Future[Response] | None = pool.submit(self.get, first)
            while pending is not None:
                response = pending.result()
                next_link = response.link("next")
                pending = pool.submit(self.get, next_link) if next_link else None
                yield response

    def close(self) -> None:
        self._pool.clear()
        self._github.close()

    # -- internals -----------------------------------------------------------------------

    def _redirect_target(self, method: str, url: str, response: Response) -> str | None:
        """Where to send ``method`` again after this answer, or None to return it.

        A GET follows any redirect; a write follows only 307 and 308, which keep the method
        and the body (RFC 9110, 15.4.8 and 15.4.9): that is how GitHub answers a write to a
        renamed repository. The target must be under our API URL: the Location comes from
        the server, and the token goes wherever we follow it.
        """
        if response.status not in REDIRECTS:
            return None
        if method != "GET" and response.status not in (307, 308):
            return None
        location = response.headers.get("location", "")
        if not location:
            raise GitHubError(
                f"{method} {_route(url)}: GitHub answered {response.status} without saying "
                "where to (no Location header); try again later"
            )
        if location.startswith("/") and not location.startswith("//"):
            location = self._origin + location
        if not location.startswith(self.api_url + "/"):
            split = urllib.parse.urlsplit(location)
            raise GitHubError(
                f"{method} {_route(url)}: GitHub redirected to {split.netloc or location!r}"
                f"{split.path if split.netloc else ''}, outside the API at {self.api_url}; "
                "not followed, so the token was not sent there. Check the API URL in "
                "campaign-sync.yml"
            )
        self._note_move(url, location)
        return location

    def _note_move(self, url: str, location: str) -> None:
        """Record OLD/NAME -> NEW/NAME when a repository path was redirected."""
        old_path = self._api_path(url)
        old = _REPO_PATH.match(old_path)
        if old is None:
            return
        name = f"{old['owner']}/{old['repo']}"
        if name in self.moved:
            return
        new_path = self._api_path(location)
        by_name = _REPO_PATH.match(new_path)
        by_id = _REPO_ID_PATH.match(new_path)
        moved_part = by_name or by_id
        rest = old_path[old.end() :]
        if moved_part is None or new_path[moved_part.end() :] != rest:
            # A repository's redirect keeps the rest of the path; one that does not is an
            # issue transferred to another repository (a new number there), not a move.
            return
        if rest.startswith("issues/") and self._still_there(name):
            return  # an issue transferred to the same number elsewhere: not a move
        new_name = f"{by_name['owner']}/{by_name['repo']}" if by_name else None
        if by_id is not None:
            # GitHub names the new place by id; one read of it gives the new name. Only a
            # record: if that read fails, the request being redirected still goes on.
            try:
                data = self.get(f"/repositories/{by_id['id']}").data
            except GitHubError:
                return
            full_name = data.get("full_name") if isinstance(data, Mapping) else None
            new_name = full_name if isinstance(full_name, str) else None
        if new_name is not None and new_name != name:
            with self._stats_lock:
                self.moved[name] = new_name

    def _still_there(self, name: str) -> bool:
        """Whether the repository answers under ``name`` itself (no redirect): an issue's
        redirect then is the issue's own (transferred), not its repository's. Unknown
        (an error) counts as still there: a move is recorded only when GitHub says so."""
        try:
            response = self.request("GET", f"/repos/{name}", follow_redirects=False)
        except GitHubError:
            return True
        return response.status not in REDIRECTS

    def _api_path(self, url: str) -> str:
        """``url``'s path below the API URL (``/repos/...``), whatever form it has."""
        path = urllib.parse.urlsplit(url).path
        if url.startswith(self._origin + "/"):
            prefix = urllib.parse.urlsplit(self.api_url).path.rstrip("/")
            path = path.removeprefix(prefix)
        return path

    def _with_params(self, url: str, params: Mapping[str, Any] | None) -> str:
        if not params:
            return url
        query = urllib.parse.urlencode(
            {k: _param(v) for k, v in params.items() if v is not None}, safe=",/"
        )
        return f"{url}{'&' if '?' in url else '?'}{query}" if query else url

    def _absolute(self, url: str) -> str:
        if url.startswith("/"):
            return urllib.parse.urlsplit(self.api_url).path.rstrip("/") + url
        # Link headers carry absolute URLs: follow them only to our own API host, so the
        # token is never sent anywhere else.
        if not url.startswith(self._origin + "/"):
            raise GitHubError(
                f"refusing to send credentials to {urllib.parse.urlsplit(url).netloc}"
            )
        return url[len(self._origin) :]

    def _send(
        self, method: str, url: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            if self._auth is not None:
                token = self._auth.token
                if not isinstance(token, str) or not token.strip():
                    # e.g. the installation-token endpoint answered 200 without a token:
                    # never send "token None".
                    raise GitHubError(
                        "GitHub App authentication failed: the installation token endpoint "
                        "answered without a token; check the API URL and the installation id"
                    )
                headers["Authorization"] = f"{self._auth.token_type} {token}"
        except GithubException as exc:
            # Only PyGithub's App auth raises here, while minting an installation token.
            raise GitHubError(
                f"GitHub App authentication failed (HTTP {exc.status}): "
                f"{_message(exc.data) or 'check the app id, private key and installation id'}"
            ) from exc
        headers["User-Agent"] = USER_AGENT
        headers["Accept-Encoding"] = "gzip"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        response = self._pool.request(
            method,
            self._origin + self._absolute(url),
            body=payload,
            headers=headers,
            retries=False,
            redirect=False,
        )
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.data

    def _count(self, method: str, url: str, status: int, is_write: bool) -> None:
        with self._stats_lock:
            stats = self.stats
            stats.requests += 1
            if is_write:
                stats.writes += 1
            else:
                stats.reads += 1
            if status == 304:
                stats.not_modified += 1
            route = f"{method} {_route(url)}"
            stats.by_route[route] = stats.by_route.get(route, 0) + 1

    def _space_writes(self) -> None:
        now = self._clock()
        delay = self._last_write + self._write_interval - now
        if delay > 0:
            self._sleep(delay)
        self._last_write = max(now, self._last_write + self._write_interval)

    def _rate_limit_wait(self, status: int, headers: Mapping[str, str], data: Any) -> float | None:
        """Seconds to wait before retrying, if this is a rate limit answer."""
        if status not in (403, 429):
            return None
        retry_after = headers.get("retry-after")
        if retry_after is not None and retry_after.strip().isdigit():
            return float(retry_after)
        message = _message(data).lower()
        if headers.get("x-ratelimit-remaining") == "0":
            reset = headers.get("x-ratelimit-reset", "")
            if reset.isdigit():
                return max(1.0, int(reset) - self._clock() + 1)
            return 60.0
        if "secondary rate limit" in message or "abuse" in message:
            return 60.0  # GitHub's advice when it gives no retry-after
        return None

    def pause(self, seconds: float) -> None:
        """Wait out a rate limit GitHub documents without saying how long (a bare 429),
        counted with the other rate-limit waits."""
        with self._stats_lock:
            self.stats.rate_limit_waits += 1
            self.stats.waited_seconds += seconds
        self._sleep(seconds)

    def _wait(self, seconds: float, method: str, url: str, attempt: int) -> None:
        if seconds > self._max_wait:
            raise GitHubError(
                f"{method} {_route(url)}: GitHub's rate limit asks to wait {seconds:.0f} s, "
                f"more than the {self._max_wait:.0f} s allowed; run again later or use a "
                "GitHub App installation token (higher limits)"
            )
        if attempt >= self._max_attempts * 4:
            raise GitHubError(f"{method} {_route(url)}: still rate limited after {attempt} tries")
        if self._notices is not None and seconds >= 1:
            self._notices(
                f"{method} {_route(url)}: rate limited; waiting {seconds:.0f} s as GitHub asks"
            )
        with self._stats_lock:
            self.stats.rate_limit_waits += 1
            self.stats.waited_seconds += seconds
        self._sleep(seconds)

    def _retry_or_raise(self, attempt: int, what: str) -> None:
        if attempt >= self._max_attempts:
            raise GitHubError(
                f"{what}; gave up after {attempt} attempts. GitHub or the network is "
                "failing; try again later"
            )
        with self._stats_lock:
            self.stats.retries += 1
        # Exponential backoff with full jitter (AWS architecture blog), capped.
        delay = self._random.uniform(0, min(self._max_backoff, self._backoff * 2 ** (attempt - 1)))
        if self._notices is not None:
            self._notices(
                f"{what}; attempt {attempt} of {self._max_attempts} failed, "
                f"retrying in {delay:.1f} s"
            )
        self._sleep(delay)


def notices_to_stderr(line: str) -> None:
    """The CLI's notices: retries and waits, one line each, never the token (routes only)."""
    sys.stderr.write(f"{line}\n")
    sys.stderr.flush()


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(v) for v in value)
    return str(value)


def _decode(body: bytes) -> Any:
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return {"message": body[:200].decode("utf-8", "replace")}


def _pool_manager(api_url: str, timeout: float) -> urllib3.PoolManager:
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
