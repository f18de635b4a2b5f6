"""GitHub's GraphQL API, for the one job REST cannot do cheaply: reading many issues at once.

REST reads one issue per request; a reconcile that updates 200 issues spread over 200
repositories would spend 200 requests just learning their current bodies. One GraphQL
query reads 50 of them, consistently (it reads the same database as REST, unlike the
search API, which lags).

Values only ever travel as GraphQL *variables*, never spliced into the query text, so a
repository name or label cannot change what is asked. A query is a read: it is sent with
``reads=True``, retried like a GET, and costs the separate ``graphql`` rate limit.

Anything GraphQL cannot answer (an error for one alias, a refused or failed request) is
reported, not guessed at: callers fall back to REST, whose errors are already explained.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from campaign_sync.errors import GitHubError
from campaign_sync.github.transport import Transport


class GraphQLUnavailable(GitHubError):
    """The whole query failed (refused, rate limited, malformed answer): use REST instead."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    """``data`` holds the aliases that resolved; ``failed`` those GitHub reported errors for
    (e.g. ``NOT_FOUND``), with the first error's message."""

    data: Mapping[str, Any]
    failed: Mapping[str, str]


def graphql_url(api_url: str) -> str:
    """The GraphQL endpoint beside a REST base URL.

    ``https://api.github.com`` -> ``https://api.github.com/graphql``; GitHub Enterprise
    Server's ``https://HOST/api/v3`` -> ``https://HOST/api/graphql``.
    """
    split = urllib.parse.urlsplit(api_url.rstrip("/"))
    path = split.path
    path = path[: -len("/v3")] + "/graphql" if path.endswith("/api/v3") else path + "/graphql"
    return urllib.parse.urlunsplit((split.scheme, split.netloc, path, "", ""))


def run_query(transport: Transport, query: str, variables: Mapping[str, Any]) -> QueryResult:
    """POST one query. Raises GraphQLUnavailable when there is no usable ``data``."""
    url = graphql_url(transport.api_url)
    try:
        response = transport.request(
            "POST",
            url,
            body={"query": query, "variables": dict(variables)},
            reads=True,
            # REST is the cheaper way round a GraphQL limit than waiting for its reset.
            wait_for_limits=False,
        )
    except GitHubError as error:
        raise GraphQLUnavailable(f"the GraphQL API failed: {error}") from error
    payload = response.data
    if not isinstance(payload, Mapping):
        raise GraphQLUnavailable(f"the GraphQL API answered {response.status} without JSON")
    errors = payload.get("errors")
    errors = [e for e in errors if isinstance(e, Mapping)] if isinstance(errors, list) else []
    data = payload.get("data")
    if not isinstance(data, Mapping):
        first = str(errors[0].get("message", "")) if errors else "no data"
        raise GraphQLUnavailable(f"the GraphQL API refused the query: {first}")
    failed: dict[str, str] = {}
    for entry in errors:
        path = entry.get("path")
        alias = path[0] if isinstance(path, list) and path and isinstance(path[0], str) else None
        if alias is None:
            # An error not tied to one alias (e.g. RATE_LIMITED) may have blanked any of them.
            raise GraphQLUnavailable(
                f"the GraphQL API answered with an error: {entry.get('message', '')}"
            )
        failed.setdefault(alias, str(entry.get("message", "")))
    return QueryResult(data, failed)
