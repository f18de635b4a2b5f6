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
import random
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import urllib3
from github import Auth, Github, GithubException

from campaign_sync import __version__
from campaign_sync.errors import GitHubError
from campaign_sync.github.exchange import (
    AmbiguousWrite,
    EtagCache,
    RateLimit,
    RequestFailed,
    Response,
    Stats,
    decoded,
    message_of,
    pool_manager,
    query_value,
    route_of,
)
from campaign_sync.github.redirects import FollowsRedirects
from campaign_sync.github.waits import WaitsOut

DEFAULT_API_URL = "https://api.github.com"
USER_AGENT = f"campaign-sync/{__version__}"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
# GitHub's repository redirects take one hop (to /repositories/{id}); five is a loop.
MAX_REDIRECTS = 5


class Transport(FollowsRedirects, WaitsOut):
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
        self._pool = pool_manager(self.api_url, timeout)
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
            f"{method} {route_of(url)}: GitHub redirected more than {MAX_REDIRECTS} times; "
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
                        f"{method} {route_of(full_url)}: the connection failed before GitHub "
                        "answered, so the write may or may not have happened"
                    ) from exc
                self._retry_or_raise(
                    attempt, f"{method} {route_of(full_url)}: {type(exc).__name__}"
                )
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
            data = decoded(raw)
            wait = self._rate_limit_wait(status, response_headers, data)
            if wait is not None and wait_for_limits:
                self._wait(wait, method, full_url, attempt)
                continue
            if status >= 500:
                if is_write and not repeatable:
                    raise AmbiguousWrite(
                        f"{method} {route_of(full_url)}: GitHub answered {status}; the write may "
                        "or may not have happened"
                    )
                self._retry_or_raise(attempt, f"{method} {route_of(full_url)}: HTTP {status}")
                continue
            raise RequestFailed(
                f"{method} {route_of(full_url)}: HTTP {status}: {message_of(data) or 'error'}",
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

    def _with_params(self, url: str, params: Mapping[str, Any] | None) -> str:
        if not params:
            return url
        query = urllib.parse.urlencode(
            {k: query_value(v) for k, v in params.items() if v is not None}, safe=",/"
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
                f"{message_of(exc.data) or 'check the app id, private key and installation id'}"
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
            route = f"{method} {route_of(url)}"
            stats.by_route[route] = stats.by_route.get(route, 0) + 1


def notices_to_stderr(line: str) -> None:
    """The CLI's notices: retries and waits, one line each, never the token (routes only)."""
    sys.stderr.write(f"{line}\n")
    sys.stderr.flush()
