"""The GraphQL judge: every query document the client sends, against GitHub's public schema.

graphql-core's ``validate`` checks the document (fields, arguments, fragments, variable
usage) against the official schema from ``@octokit/graphql-schema``; the request's variables
are then coerced against the query's own variable definitions, as a server would. The fake's
GraphQL endpoint executes over a hand-written subset of the schema: this is what keeps that
subset, and the client's queries, honest.
"""

from __future__ import annotations

import json
import threading
from functools import cached_property
from typing import Any

from graphql import GraphQLError, GraphQLSchema, build_client_schema, parse, validate
from graphql.execution.values import get_variable_values
from graphql.language import OperationDefinitionNode

from .findings import Violation

OPERATION = "POST /graphql"


class GraphQLJudge:
    def __init__(self, introspection: dict[str, Any]) -> None:
        self._introspection = introspection
        self._lock = threading.Lock()
        self._valid: dict[str, list[str]] = {}  # query text -> its document's errors

    @cached_property
    def schema(self) -> GraphQLSchema:
        return build_client_schema(self._introspection)  # type: ignore[arg-type]

    def judge(self, body: bytes, url: str = OPERATION) -> list[Violation]:
        """Violations of one ``/graphql`` request body (empty: the query is valid)."""

        def off(field: str, message: str) -> list[Violation]:
            return [Violation(OPERATION, "request", None, field, message, url)]

        try:
            payload = json.loads(body or b"null")
        except ValueError as exc:
            return off("body", f"not JSON: {exc}")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return off("body", "no query string")
        query: str = payload["query"]
        variables = payload.get("variables") or {}
        if not isinstance(variables, dict):
            return off("variables", "must be an object")
        with self._lock:
            known = self._valid.get(query)
        try:
            document = parse(query)
        except GraphQLError as exc:
            return off("query", exc.message)
        if known is None:
            known = [_located(e) for e in validate(self.schema, document)]
            with self._lock:
                self._valid[query] = known
        if known:
            return [v for message in known for v in off("query", message)]
        found = []
        for node in document.definitions:
            if isinstance(node, OperationDefinitionNode):
                coerced = get_variable_values(
                    self.schema, node.variable_definitions or (), variables
                )
                if isinstance(coerced, list):
                    found += off("variables", "; ".join(_located(e) for e in coerced))
        return found


def _located(error: GraphQLError) -> str:
    where = ", ".join(f"{loc.line}:{loc.column}" for loc in error.locations or ())
    return f"{error.message}{f' (at {where})' if where else ''}"
