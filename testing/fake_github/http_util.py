"""Request and response values, GitHub-style errors, pagination links and ETags."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

DOCS = "https://docs.github.com/rest"
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/"
    "rate-limits-for-the-rest-api#about-secondary-rate-limits"
)
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class BadJsonError(ValueError):
    """The request body is not valid JSON."""


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes = b""
    raw_path: str = ""

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter."""
        value = default
        for key, item in self.query:
            if key == name:
                value = item
        return value

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.query)

    def args(self) -> dict[str, str]:
        return dict(self.query)

    def header(self, name: str) -> str | None:
        """A request header (``headers`` holds lower-case names)."""
        return self.headers.get(name.lower())

    def json(self) -> Any:
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadJsonError(str(exc)) from exc

    @property
    def is_write(self) -> bool:
        # A GraphQL query is POSTed but reads; GitHub counts it as no content-creating request.
        return self.method in WRITE_METHODS and self.path.rstrip("/") != "/graphql"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


def json_response(status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
    """A response from a JSON-serialisable value or an already-rendered JSON string."""
    if isinstance(payload, str):
        body = payload.encode()
    else:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, [("content-type", "application/json; charset=utf-8"), *headers])


def error_body(status: int, message: str, doc: str = DOCS, **extra: Any) -> dict[str, Any]:
    return {"message": message, "documentation_url": doc, **extra, "status": str(status)}


def error(
    status: int,
    message: str,
    doc: str = DOCS,
    headers: Iterable[tuple[str, str]] = (),
    **extra: Any,
) -> Response:
    return json_response(status, error_body(status, message, doc, **extra), headers)


def validation_failed(
    doc: str, *errors: dict[str, Any], message: str = "Validation Failed"
) -> Response:
    """422 in the ``validation-error`` shape."""
    return json_response(
        422,
        {"message": message, "errors": list(errors), "documentation_url": doc, "status": "422"},
    )


class HttpError(Exception):
    """Raised by handlers to answer with an error response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def fail(status: int, message: str, doc: str = DOCS, **extra: Any) -> HttpError:
    return HttpError(error(status, message, doc, **extra))


def etag_for(body: bytes, caller: str = "") -> str:
    """A weak ETag of the body as ``caller`` (a token) got it.

    GitHub's ETags belong to the token that made the request. GitHub's docs say only that
    "Making a conditional request does not count against your primary rate limit if a 304
    response is returned and the request was made while correctly authorized with an
    Authorization header" (Best practices for using the REST API, "Use conditional
    requests if appropriate") and answer with ``Vary: Authorization``; github/docs#34689
    reports what that means: "When a different access token is used a different etag is
    returned, and further setting the if-none-match header for an etag value given with a
    previous token doesn't give the 304 response." Hashing the caller in does the same
    here: another token's ``If-None-Match`` never matches, as for the new App token
    Actions mints each run.
    """
    digest = hashlib.sha1(caller.encode() + b"\0" + body, usedforsecurity=False)
    return f'W/"{digest.hexdigest()}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def link_header(
    base_url: str, path: str, query: list[tuple[str, str]], rels: list[tuple[str, dict[str, str]]]
) -> str:
    """``<URL>; rel="next", ...``: each rel's URL is the request's with some params replaced."""
    parts = []
    for rel, overrides in rels:
        kept = [(k, v) for k, v in query if k not in overrides and k not in ("before", "after")]
        if "page" in overrides:
            kept = [(k, v) for k, v in kept if k != "page"]
        params = kept + [(k, v) for k, v in overrides.items()]
        url = f"{base_url}{quote(path)}?{urlencode(params)}"
        parts.append(f'<{url}>; rel="{rel}"')
    return ", ".join(parts)
