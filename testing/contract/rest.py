"""The REST judge: one request/response pair of the fake against GitHub's official description.

Everything is derived from the description (``@octokit/openapi``, ``api.github.com``), so
routes other people add to the fake are judged the same way, with nothing to register.

For each pair:

1. The operation is found by method and path template. A path the description does not
   have, or a method it does not list for that path, is a violation.
2. The request (path and query parameters, headers it declares, body) is validated by
   openapi-core against that operation alone (a one-operation description built mechanically
   from the official one and cached, so openapi-core never searches 800 paths).
3. The response status must be declared for the operation, with the exceptions in
   ``ANY_OPERATION`` below; its JSON body is validated against the declared schema with
   openapi-schema-validator's OpenAPI 3.0 read validator (the one openapi-core itself uses),
   compiled once per schema. Array bodies are checked item by item and an item already seen
   (same bytes, same schema) is not checked twice: that is what keeps a whole suite of
   100-alert pages affordable.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson
from jsonschema.exceptions import ValidationError as SchemaError
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from werkzeug.datastructures import Headers, ImmutableMultiDict

from .findings import Exchange, Violation

SERVER = "https://api.github.com"
BASE = "urn:github-rest"
METHODS = ("get", "post", "put", "patch", "delete")

# Statuses GitHub may answer on any operation, declared or not. The REST overview documents
# them for the API as a whole rather than per operation: 401 for bad credentials, 403 and 429
# for primary and secondary rate limits and missing permissions, 404 instead of 403 "to
# prevent the accidental leakage of private repositories", and 5xx when GitHub has trouble.
# When the operation does not declare one of them, its body must still be GitHub's generic
# ``basic-error``. 304 answers a conditional GET (``If-None-Match``) on any operation that
# returns an ETag, with no body ("Most endpoints return an ETag header").
ANY_OPERATION = frozenset({401, 403, 404, 429, 500, 502, 503, 504})
# Redirects, on any operation too: "The GitHub REST API uses HTTP redirection where
# appropriate. You should assume that any request may result in a redirection." (docs:
# "Best practices for using the REST API", "Follow redirects"; a renamed or transferred
# repository answers 301, or 307 to a write). The description declares 301 on a few
# operations only. Their body (message, url, documentation_url) must be a basic-error too.
REDIRECTS = frozenset({301, 302, 307, 308})
BASIC_ERROR = "#/components/schemas/basic-error"
VALIDATION_ERROR = "#/components/schemas/validation-error"

# Upstream quirks: where the description in @octokit/openapi contradicts GitHub's documented
# behaviour. Each entry excuses one kind of violation (operation, side, and regular
# expressions over the field and the message) and is counted and reported apart from the
# validated pairs. Keep this list short; every entry says why.
EXCUSED: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "POST /orgs/{org}/campaigns",
        "request",
        r"\$",
        r"Additional properties are not allowed \('secret_scanning_alerts' was unexpected\)",
        # additionalProperties: false and oneOf [required code_scanning_alerts | required
        # secret_scanning_alerts], but secret_scanning_alerts is not under properties: the
        # documented secret-scanning form is rejected by the very schema that offers it.
        "POST /orgs/{org}/campaigns: the body schema requires secret_scanning_alerts in one "
        "oneOf branch but does not list it under properties (additionalProperties: false)",
    ),
    (
        "GET /app/installations",
        "response",
        r"\$\[\d+\]\.account",
        r"'(name|slug|created_at|updated_at)' is a required property",
        # Octokit replaces this operation (x-octokit) with one whose account is
        # allOf [simple-user, enterprise]; GitHub's own description says anyOf. No account
        # is both a user and an enterprise, so every real installation list fails it.
        "GET /app/installations: @octokit/openapi's replacement operation makes account "
        "allOf [simple-user, enterprise] where GitHub's description has anyOf",
    ),
)


@dataclass
class Verdict:
    operation: str | None  # "GET /orgs/{org}/code-scanning/alerts" when found
    violations: list[Violation] = field(default_factory=list)
    excused: list[str] = field(default_factory=list)
    deliberate: int = 0  # requests off the description that a test sent on purpose


class _Request:
    """The openapi-core request protocol over an ``Exchange``."""

    def __init__(self, exchange: Exchange, template: str) -> None:
        self.host_url = SERVER
        self.path = exchange.path
        self.method = exchange.method.lower()
        self.body = exchange.body or None
        self.content_type = exchange.headers.get("content-type") or "application/json"
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(exchange.query)),
            header=Headers(list(exchange.headers.items())),
            cookie=ImmutableMultiDict(),
            path={},
        )


def _template_regex(template: str, greedy: bool) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join(
        ("(.+)" if greedy else "([^/]+)") if part.startswith("{") else re.escape(part)
        for part in parts
    )
    return re.compile(pattern + "/?")


def _pointer(*segments: str) -> str:
    return "/".join(s.replace("~", "~0").replace("/", "~1") for s in segments)


class RestJudge:
    """Judges pairs against one loaded description; safe to call from several threads."""

    def __init__(self, description: dict[str, Any]) -> None:
        self.description = description
        self._paths: list[tuple[int, re.Pattern[str], re.Pattern[str], str]] = sorted(
            (
                (
                    -len(re.sub(r"\{[^}]+\}", "", template)),
                    _template_regex(template, False),
                    _template_regex(template, True),
                    template,
                )
                for template in description["paths"]
            ),
            key=lambda entry: (entry[0], entry[3]),
        )
        self._lock = threading.Lock()
        self._found: dict[str, str | None] = {}
        self._apis: dict[tuple[str, str], OpenAPI] = {}
        self._validators: dict[str, Any] = {}
        self._inline: dict[str, Any] = {}
        self._seen: set[bytes] = set()

    @cached_property
    def _registry(self) -> Registry:
        resource = Resource.from_contents(self.description, default_specification=DRAFT4)
        return Registry().with_resource(BASE, resource)

    # finding the operation ---------------------------------------------------------------

    def template_for(self, path: str, method: str = "GET") -> str | None:
        """The description's path template for a concrete path: the most literal one that
        has ``method``, else the most literal one (the method is then the violation)."""
        key = f"{method.upper()} {path}"
        with self._lock:
            if key in self._found:
                return self._found[key]
        matches = [t for _, strict, _, t in self._paths if strict.fullmatch(path)] or [
            t for _, _, loose, t in self._paths if loose.fullmatch(path)
        ]
        found = next(
            (t for t in matches if method.lower() in self.description["paths"][t]),
            matches[0] if matches else None,
        )
        with self._lock:
            if len(self._found) > 50_000:
                self._found.clear()
            self._found[key] = found
        return found

    def operation(self, method: str, template: str) -> dict[str, Any] | None:
        item = self.description["paths"].get(template, {})
        operation: dict[str, Any] | None = item.get(method.lower())
        return operation

    def _api(self, method: str, template: str) -> OpenAPI:
        key = (method, template)
        with self._lock:
            api = self._apis.get(key)
        if api is None:
            item = self.description["paths"][template]
            operation = dict(item[method.lower()])
            if "parameters" in operation:
                operation["parameters"] = [self._parameter(p) for p in operation["parameters"]]
            one: dict[str, Any] = {method.lower(): operation}
            if "parameters" in item:
                one["parameters"] = [self._parameter(p) for p in item["parameters"]]
            spec = {
                "openapi": self.description["openapi"],
                "info": self.description["info"],
                "servers": [{"url": SERVER}],
                "paths": {template: one},
                "components": self.description["components"],
            }
            api = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
            with self._lock:
                self._apis[key] = api
        return api

    def _query_names(self, method: str, template: str) -> frozenset[str]:
        item = self.description["paths"][template]
        parameters = [*item.get("parameters", ()), *item[method.lower()].get("parameters", ())]
        return frozenset(
            p["name"] for p in map(self._parameter, parameters) if p.get("in") == "query"
        )

    def _parameter(self, parameter: dict[str, Any]) -> dict[str, Any]:
        """A parameter with its schema inlined and without ``readOnly``.

        GitHub reuses response-side schemas for path parameters (``alert-number`` is
        ``readOnly: true``); OpenAPI 3.0.3 gives readOnly a meaning for object properties
        only, but openapi-core's request validator would reject every such parameter.
        """
        while "$ref" in parameter:
            parameter = self._resolve(parameter["$ref"])
        schema = parameter.get("schema")
        if not isinstance(schema, dict):
            return parameter
        while "$ref" in schema:
            schema = self._resolve(schema["$ref"])
        if "readOnly" not in schema:
            return parameter
        return {**parameter, "schema": {k: v for k, v in schema.items() if k != "readOnly"}}

    # judging -------------------------------------------------------------------------------

    def judge(self, exchange: Exchange, *, deliberate: bool = False) -> Verdict:
        """The violations of one pair.

        ``deliberate``: the test sends requests GitHub would refuse, on purpose (marked
        ``off_description``). Their requests' violations are counted, not reported, and an
        error the operation does not declare may answer them: any 4xx, whose body must
        still be GitHub's ``basic-error`` (``validation-error`` for a 422). Everything else
        in such a test, a 2xx body above all, is judged as usual.
        """
        method = exchange.method.upper()
        template = self.template_for(exchange.path, method)
        if deliberate and (template is None or self.operation(method, template) is None):
            return Verdict(None, deliberate=1)
        if template is None:
            return _unknown(
                f"{method} {exchange.path}", "path", "no such path in the description", exchange
            )
        name = f"{method} {template}"
        operation = self.operation(method, template)
        if operation is None:
            declared = sorted(
                m.upper() for m in self.description["paths"][template] if m in METHODS
            )
            return _unknown(
                name,
                "method",
                f"the description has no {method} for this path (it has {', '.join(declared)})",
                exchange,
            )
        verdict = Verdict(name)
        found = list(self._request_violations(exchange, name, template))
        if deliberate:
            verdict.deliberate = int(bool(found))
            found = []
        found += self._response_violations(exchange, name, template, operation, deliberate)
        for violation in found:
            reason = _excuse(violation)
            if reason is None:
                verdict.violations.append(violation)
            else:
                verdict.excused.append(reason)
        return verdict

    def _request_violations(self, exchange: Exchange, name: str, template: str) -> list[Violation]:
        # The same request comes back often (a listing walked by many tests, the same PATCH
        # to issue after issue): judge it once. Numbers in the path are one key (a path
        # parameter's verdict depends on its type, not its value); the query stays exact.
        key = hashlib.sha1(
            repr((exchange.method, _DIGITS.sub("0", exchange.path), exchange.query)).encode()
            + b"\0"
            + (exchange.headers.get("content-type") or "").encode()
            + b"\0"
            + exchange.body,
            usedforsecurity=False,
        ).digest()
        with self._lock:
            if key in self._seen:
                return []
        api = self._api(exchange.method.upper(), template)
        found = [
            violation
            for error in api.iter_request_errors(_Request(exchange, template))
            for violation in _flatten(error, name, "request", None, exchange.url)
        ]
        operation = self.operation(exchange.method, template) or {}
        if exchange.body.strip() and "requestBody" not in operation:
            found.append(
                Violation(
                    name, "request", None, "body", "the operation takes no body", exchange.url
                )
            )
        # openapi-core ignores query parameters an operation does not declare; a client
        # sending one relies on something GitHub never promised (it is ignored at best).
        declared = self._query_names(exchange.method.upper(), template)
        for key in dict.fromkeys(k for k, _ in exchange.query):
            if key not in declared:
                found.append(
                    Violation(
                        name,
                        "request",
                        None,
                        f"query.{key}",
                        "not a parameter of this operation (it has: "
                        f"{', '.join(sorted(declared)) or 'none'})",
                        exchange.url,
                    )
                )
        if not found:
            with self._lock:
                self._seen.add(key)
        return found

    def _response_violations(
        self,
        exchange: Exchange,
        name: str,
        template: str,
        operation: dict[str, Any],
        deliberate: bool = False,
    ) -> list[Violation]:
        status = exchange.status

        def off(field_: str, message: str) -> list[Violation]:
            return [Violation(name, "response", status, field_, message, exchange.url)]

        responses = operation.get("responses", {})
        code = next(
            (c for c in (str(status), f"{str(status)[0]}XX", "default") if c in responses), None
        )
        if code is None:
            if status == 304 and exchange.method.upper() == "GET":
                return off("body", "a 304 has no body") if exchange.response_body else []
            if status in ANY_OPERATION | REDIRECTS or (deliberate and 400 <= status < 500):
                schema = VALIDATION_ERROR if status == 422 else BASIC_ERROR
                return self._body_violations(exchange, name, schema)
            listed = ", ".join(sorted(responses))
            return off("status", f"status {status} is not declared (declared: {listed})")
        declared = responses[code]
        pointer = "#/" + _pointer("paths", template, exchange.method.lower(), "responses", code)
        while "$ref" in declared:
            pointer = declared["$ref"]
            declared = self._resolve(pointer)
        content = declared.get("content")
        if not content and status >= 400 and exchange.response_body.strip():
            # Some errors are declared with a description only ("404": "Repository is public,
            # or secret scanning is disabled ..."); GitHub still answers them with its JSON
            # error, so a body there must be a basic-error.
            return self._body_violations(exchange, name, BASIC_ERROR)
        if not content:
            if exchange.response_body.strip():
                return off("body", f"the description declares no body for {status}")
            return []
        media = (exchange.response_header("content-type") or "").split(";")[0].strip()
        if media not in content:
            json_types = [m for m in content if m.endswith("json")]
            if not (media == "application/json" and json_types):
                return off(
                    "content-type",
                    f"{media or 'no content type'} is not declared (declared: "
                    f"{', '.join(content)})",
                )
            media = json_types[0]
        if "schema" not in content[media]:
            return []
        return self._body_violations(
            exchange, name, pointer + "/" + _pointer("content", media, "schema")
        )

    def _resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.description
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        resolved: dict[str, Any] = node
        return resolved

    def _validator(self, pointer: str) -> Any:
        with self._lock:
            validator = self._validators.get(pointer)
        if validator is None:
            try:
                # $refs inlined: validation is about twice as fast as resolving them through
                # the registry each time (OpenAPI 3.0 ignores a $ref's siblings, as here).
                validator = OAS30ReadValidator(
                    self._inlined(pointer, ()), format_checker=oas30_format_checker
                )
            except _Cycle:  # a recursive schema: resolve its $refs as it goes
                validator = OAS30ReadValidator(
                    {"$ref": BASE + pointer},
                    registry=self._registry,
                    format_checker=oas30_format_checker,
                )
            with self._lock:
                self._validators[pointer] = validator
        return validator

    def _inlined(self, pointer: str, stack: tuple[str, ...]) -> Any:
        if pointer in stack:
            raise _Cycle(pointer)
        with self._lock:
            if pointer in self._inline:
                return self._inline[pointer]
        inlined = self._inline_node(self._resolve(pointer), (*stack, pointer))
        with self._lock:
            self._inline[pointer] = inlined
        return inlined

    def _inline_node(self, node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return self._inlined(node["$ref"], stack)
            return {key: self._inline_node(value, stack) for key, value in node.items()}
        if isinstance(node, list):
            return [self._inline_node(value, stack) for value in node]
        return node

    def _memo_key(self, exchange: Exchange, pointer: str, value: Any) -> bytes:
        """What makes a value's verdict reusable: the schema and the value's bytes with the
        fake's own base URL taken out (fakes seeded alike differ only by their port)."""
        data = orjson.dumps(value)
        host = exchange.headers.get("host")
        if host:
            data = data.replace(f"http://{host}".encode(), b"")
        return hashlib.sha1(pointer.encode() + b"\0" + data, usedforsecurity=False).digest()

    def _check_value(
        self, exchange: Exchange, name: str, pointer: str, value: Any, base: str
    ) -> list[Violation]:
        key = self._memo_key(exchange, pointer, value)
        with self._lock:
            if key in self._seen:
                return []
        errors = list(self._validator(pointer).iter_errors(value))
        if not errors:
            with self._lock:
                if len(self._seen) > 500_000:
                    self._seen.clear()
                self._seen.add(key)
        return _schema_violations(errors, name, exchange.status, exchange.url, base)

    def schema_errors(self, schema: str, value: Any) -> list[str]:
        """``path: message`` for each way ``value`` is not a ``components/schemas/<schema>``
        (for tests that check data files, not exchanges, against the description)."""
        validator = self._validator(f"#/components/schemas/{schema}")
        return [
            f"{_json_path('$', error.absolute_path)}: {error.message}"
            for error in validator.iter_errors(value)
        ]

    def _body_violations(self, exchange: Exchange, name: str, pointer: str) -> list[Violation]:
        status = exchange.status
        try:
            body = orjson.loads(exchange.response_body) if exchange.response_body.strip() else None
        except ValueError as exc:
            return [Violation(name, "response", status, "body", f"not JSON: {exc}", exchange.url)]
        if body is None:
            return [Violation(name, "response", status, "body", "missing JSON body", exchange.url)]
        items_pointer = self._items_pointer(pointer)
        if items_pointer is not None and isinstance(body, list):
            found: list[Violation] = []
            for index, item in enumerate(body):
                found += self._check_value(exchange, name, items_pointer, item, f"$[{index}]")
            return found
        return self._check_value(exchange, name, pointer, body, "$")

    def _items_pointer(self, pointer: str) -> str | None:
        """The pointer to an array schema's ``items``, or None for any other schema."""
        node = self._resolve(pointer)
        while "$ref" in node:
            pointer = node["$ref"]
            node = self._resolve(pointer)
        if node.get("type") != "array" or not isinstance(node.get("items"), dict):
            return None
        if node.get("nullable") or node.get("minItems") or node.get("maxItems"):
            return None
        return pointer + "/items"


_DIGITS = re.compile(r"\d+")


class _Cycle(Exception):
    """A schema that refers to itself cannot be inlined."""


def _json_path(base: str, parts: Iterator[Any] | Any) -> str:
    path = base
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _best(error: SchemaError) -> SchemaError:
    """The deepest error under a oneOf/anyOf, the one most likely to name the real field."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def _schema_violations(
    errors: list[SchemaError], name: str, status: int, url: str, base: str
) -> list[Violation]:
    """One violation per field, its messages joined (the OpenAPI 3.0 type keyword reports a
    null twice: "None for not nullable" and "None is not of type ...")."""
    by_field: dict[str, list[str]] = {}
    for error in errors:
        deepest = _best(error)
        messages = by_field.setdefault(_json_path(base, deepest.absolute_path), [])
        if deepest.message[:300] not in messages:
            messages.append(deepest.message[:300])
    return [
        Violation(name, "response", status, path, "; ".join(messages), url)
        for path, messages in by_field.items()
    ]


def _flatten(
    error: BaseException, name: str, side: str, status: int | None, url: str
) -> Iterator[Violation]:
    """openapi-core wraps schema errors (``InvalidSchemaValue.schema_errors``) in parameter
    and body errors; name the parameter or the body field and keep the schema's message."""
    label = "body"
    parameter = getattr(error, "name", None)
    location = getattr(error, "location", None)
    if parameter:
        label = f"{location or 'parameter'}.{parameter}"
    cause = error.__cause__ or error.__context__
    schema_errors = getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None)
    if schema_errors:
        for schema_error in schema_errors:
            deepest = _best(schema_error)
            base = "$" if label == "body" else label
            yield Violation(
                name,
                side,
                status,
                _json_path(base, deepest.absolute_path),
                deepest.message[:300],
                url,
            )
        return
    message = str(error)
    if cause is not None and str(cause) and str(cause) not in message:
        message = f"{message}: {cause}"
    yield Violation(name, side, status, label, message[:300], url)


def _excuse(violation: Violation) -> str | None:
    for operation, side, field_, message, reason in EXCUSED:
        if (
            violation.operation == operation
            and violation.side == side
            and re.fullmatch(field_, violation.field)
            and re.match(message, violation.message)
        ):
            return reason
    return None


def _unknown(name: str, field: str, message: str, exchange: Exchange) -> Verdict:
    """A request to a path or method the description does not have: nothing to judge."""
    return Verdict(None, [Violation(name, "request", None, field, message, exchange.url)])
