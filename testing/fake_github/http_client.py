"""A minimal urllib client for tests of the fake (independent of the project's client)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_REL = re.compile(r'<([^>]+)>;\s*rel="(\w+)"')


@dataclass
class Reply:
    status: int
    headers: Message
    body: Any
    raw: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def links(self) -> dict[str, str]:
        return {rel: url for url, rel in _REL.findall(self.header("Link") or "")}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to check (a renamed repository's 301 or 307), not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def call(
    base_url: str,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
    scheme: str = "token",
) -> Reply:
    """One request; HTTP errors are returned as replies, connection errors raised."""
    url = path if path.startswith("http") else base_url + path
    data = None if body is None else json.dumps(body).encode()
    all_headers = {"Accept": "application/vnd.github+json", **(headers or {})}
    if token is not None:
        all_headers["Authorization"] = f"{scheme} {token}"
    if data is not None:
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            raw = response.read()
            return Reply(response.status, response.headers, _parse(raw), raw)
    except urllib.error.HTTPError as exc:
        with exc:
            raw = exc.read()
            return Reply(exc.code, exc.headers, _parse(raw), raw)


def _parse(raw: bytes) -> Any:
    return json.loads(raw) if raw else None


def walk(base_url: str, path: str, *, token: str, timeout: float = 10.0) -> Iterator[Reply]:
    """Follow ``rel="next"`` links from ``path`` until the last page; stops on an error."""
    url: str | None = path
    while url:
        reply = call(base_url, "GET", url, token=token, timeout=timeout)
        yield reply
        if reply.status != 200:
            return
        found = _NEXT.search(reply.header("Link") or "")
        url = found.group(1) if found else None
