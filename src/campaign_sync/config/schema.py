"""The JSON Schemas, and schema errors turned into located, readable problems."""

from __future__ import annotations

import calendar
import difflib
import functools
import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from campaign_sync.config.yaml_loader import LoadedDocument
from campaign_sync.problems import DocPath, Problem, format_path

SchemaName = Literal["campaign", "config"]
SCHEMA_NAMES: tuple[SchemaName, ...] = ("campaign", "config")


def schema_text(name: SchemaName) -> str:
    """The schema file exactly as shipped."""
    return _schema_path(name).read_text(encoding="utf-8")


def _schema_path(name: SchemaName) -> Path:
    filename = f"{name}.schema.json"
    # An installed wheel carries the schemas inside the package (see pyproject's
    # force-include); a source checkout has the one copy at the repository root.
    packaged = resources.files("campaign_sync") / "schemas" / filename
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "schemas" / filename


@functools.cache
def load_schema(name: SchemaName) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_text(name))
    return schema


_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")


def _is_uri(value: object) -> bool:
    """An absolute URI: a scheme, and a host for web links. No whitespace."""
    if not isinstance(value, str):
        return True  # formats only constrain strings
    if not value or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False  # e.g. "https://[host": an unclosed IPv6 bracket
    if not _URI_SCHEME.match(parts.scheme):
        return False
    if parts.scheme.lower() in ("http", "https"):
        return bool(parts.hostname)
    return bool(parts.path or parts.netloc)


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=("date",))
    checker.checks("uri")(_is_uri)
    return checker


_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$comment"})


def inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """Replace local ``#/$defs/...`` references by the definitions themselves.

    Resolving a $ref through the registry costs more than checking the value; our schemas
    are not recursive, so inlining once makes validation about twice as fast.
    """
    if isinstance(node, list):
        return [inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: inline_refs(value, defs) for key, value in node.items()}
    ref = node.get("$ref")
    if not (isinstance(ref, str) and ref.startswith("#/$defs/")):
        return node
    target = defs[ref.removeprefix("#/$defs/")]
    siblings = {key: value for key, value in node.items() if key != "$ref"}
    if (set(siblings) - _ANNOTATIONS) & set(target):
        # A sibling constrains the same keyword: keep both constraints.
        return {**siblings, "allOf": [inline_refs(target, defs)]}
    return {**inline_refs(target, defs), **siblings}


@functools.cache
def validator(name: SchemaName) -> Draft202012Validator:
    schema = load_schema(name)
    defs = schema.get("$defs", {})
    inlined = {key: value for key, value in inline_refs(schema, defs).items() if key != "$defs"}
    return Draft202012Validator(inlined, format_checker=_format_checker())


def schema_problems(doc: LoadedDocument, name: SchemaName) -> list[Problem]:
    """Every schema violation of ``doc``, each at the line and column of the offending value."""
    errors = [_deepest(e) for e in validator(name).iter_errors(doc.data)]
    # A value that is not a URI at all also misses the stricter pattern; say it once.
    bad_format = {tuple(e.absolute_path) for e in errors if e.validator == "format"}
    problems: list[Problem] = []
    required_done: set[DocPath] = set()
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator == "pattern" and path in bad_format:
            continue
        if error.validator == "required":
            # jsonschema yields one error per missing key; one pass reports them all.
            if path in required_done:
                continue
            required_done.add(path)
        problems.extend(_problems_for(doc, error))
    return problems


def _deepest(error: ValidationError) -> ValidationError:
    # For anyOf/oneOf the top error only says "is not valid under any of the given schemas";
    # the best deep match names the actual mistake (check-jsonschema does the same).
    while error.context and error.validator in ("anyOf", "oneOf"):
        error = best_match(error.context)
    return error


_JSON_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing (null)",
}


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {_short(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _problems_for(doc: LoadedDocument, error: ValidationError) -> Iterator[Problem]:
    path: DocPath = tuple(error.absolute_path)
    keyword = str(error.validator)
    instance: Any = error.instance
    required: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}

    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = sorted(schema.get("properties", {}))
        for key in sorted(set(instance) - set(known)):
            child = (*path, key)
            mark = doc.key_mark_of(child)
            where = f" in {format_path(path)}" if path else ""
            hint = difflib.get_close_matches(key, known, n=1)
            suggestion = (
                f"; did you mean {hint[0]!r}?" if hint else f"; allowed keys: {', '.join(known)}"
            )
            yield Problem(
                doc.file,
                mark.line,
                mark.column,
                format_path(child),
                f"unknown key {key!r}{where}{suggestion}",
            )
        return

    if keyword == "required" and isinstance(instance, dict):
        missing = [k for k in required if k not in instance]
        mark = doc.mark_of(path) if path else _first_line(doc)
        for key in missing:
            where = f" in {format_path(path)}" if path else ""
            described: str = schema.get("properties", {}).get(key, {}).get("description", "")
            purpose = f" ({_first_sentence(described)})" if described else ""
            yield Problem(
                doc.file,
                mark.line,
                mark.column,
                format_path((*path, key)),
                f"missing required key {key!r}{where}{purpose}",
            )
        return

    if "propertyNames" in error.absolute_schema_path and isinstance(instance, str):
        # The error is about a key of the mapping at `path`: point at that key.
        path = (*path, instance)
        mark = doc.key_mark_of(path)
    else:
        mark = doc.mark_of(path)
    yield Problem(doc.file, mark.line, mark.column, format_path(path), _message(error, schema))


def _first_line(doc: LoadedDocument) -> Any:
    # A missing top-level key belongs to the document, which starts at its first key.
    marks = [m for p, m in doc.key_marks.items() if len(p) == 1]
    return min(marks, key=lambda m: (m.line, m.column)) if marks else doc.mark_of(())


def _first_sentence(text: str, limit: int = 100) -> str:
    sentence = text.strip().split(". ")[0].rstrip(".")
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 3].rsplit(" ", 1)[0].rstrip(",;:") + "..."


_DATE_SHAPE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")


def _missing_day(instance: Any) -> str | None:
    """Why a text written as YYYY-MM-DD names no day ("2026-02-30"), or None.

    Told apart from a text of another shape: the writer got the format right and the
    calendar wrong, and "not a date (YYYY-MM-DD)" would send them to check the format.
    """
    match = _DATE_SHAPE.match(instance) if isinstance(instance, str) else None
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month:02d} (months are 01 to 12)"
    if year == 0:
        return "there is no year 0000"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return None


def _message(error: ValidationError, schema: dict[str, Any]) -> str:
    keyword = str(error.validator)
    value: Any = error.validator_value
    instance: Any = error.instance
    what = schema.get("title")
    if keyword == "type":
        expected = value if isinstance(value, list) else [value]
        names = " or ".join(_JSON_TYPES.get(str(t), str(t)) for t in expected)
        return f"expected {names}, got {_describe(instance)}"
    if keyword == "enum":
        return f"{_short(instance)} is not allowed; use one of: {', '.join(map(str, value))}"
    if keyword == "const":
        return f"{_short(instance)} is not allowed; the only value is {value!r}"
    if keyword == "format" and value == "date" and (missing := _missing_day(instance)):
        return f"{_short(instance)} is not a date: {missing}"
    if keyword == "format":
        formats = {"date": "a date (YYYY-MM-DD)", "uri": "an absolute URL (https://...)"}
        return f"{_short(instance)} is not {formats.get(str(value), f'a valid {value}')}"
    if keyword == "pattern":
        label = what or f"value matching {value}"
        return f"{_short(instance)} is not a valid {label}"
    if keyword == "uniqueItems":
        return "the list repeats an item; list each value once"
    if keyword == "minItems":
        return f"the list is empty; give at least {value} item(s)"
    if keyword == "maxItems":
        return f"the list has {len(instance)} items; at most {value} are allowed"
    if keyword == "minLength":
        return "the text is empty" if value == 1 else f"the text is shorter than {value} characters"
    if keyword == "maxLength":
        return f"the text has {len(instance)} characters; at most {value} are allowed"
    if keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        relation = {
            "minimum": "at least",
            "exclusiveMinimum": "greater than",
            "maximum": "at most",
            "exclusiveMaximum": "less than",
        }[keyword]
        return f"{instance} is out of range; it must be {relation} {value}"
    return str(error.message)
