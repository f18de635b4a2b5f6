"""Building Python values from a composed YAML node graph: YAML 1.2 scalars, no
duplicate keys, merge keys and aliases within a budget, every position kept."""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from campaign_sync.config.yaml_loader.values import (
    ALIAS_EXPANSION_BUDGET,
    MAX_DEPTH,
    Mark,
    _fail,
    _mark,
)
from campaign_sync.problems import DocPath, Problem, format_path

_DECIMAL = re.compile(r"[-+]?[0-9]+")


_STR = "tag:yaml.org,2002:str"


_INT = "tag:yaml.org,2002:int"


_FLOAT = "tag:yaml.org,2002:float"


_BOOL = "tag:yaml.org,2002:bool"


_NULL = "tag:yaml.org,2002:null"


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


_MERGE = "tag:yaml.org,2002:merge"


_VALUE = "tag:yaml.org,2002:value"  # a bare `=`: just text


_KEY_TAGS = frozenset(
    {
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:timestamp",
        "tag:yaml.org,2002:value",
    }
)


_MAP = "tag:yaml.org,2002:map"


_SEQ = "tag:yaml.org,2002:seq"


_SCALAR_CONSTRUCTOR = yaml.SafeLoader("")


def _short_text(value: str, limit: int = 40) -> str:
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "..."


class _Builder:
    """Turns a composed node tree into plain data, recording marks and problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.value_marks: dict[DocPath, Mark] = {}
        self.key_marks: dict[DocPath, Mark] = {}
        self.problems: list[Problem] = []
        self._constructed: set[int] = set()  # ids of collection nodes built at least once
        self._active: set[int] = set()  # ids of collection nodes on the current build stack
        self._reported_duplicates: set[Mark] = set()
        self._alias_nodes = 0
        self._alias_depth = 0
        self._alias_origin: DocPath = ()  # where the outermost alias being expanded is used

    def build(self, node: yaml.Node, path: DocPath, depth: int) -> Any:
        self.value_marks.setdefault(path, _mark(node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            self._count_alias_node(path)
            return self._scalar(node, path)
        if depth >= MAX_DEPTH:
            raise _fail(
                self.file,
                _mark(node.start_mark),
                f"nesting deeper than {MAX_DEPTH} levels; campaign files are a few levels deep",
                "too-deep",
                path,
            )
        key = id(node)
        if key in self._active:
            raise _fail(
                self.file,
                _mark(node.start_mark),
                "an alias refers to the node that contains it (a recursive anchor)",
                "alias",
                path,
            )
        # A collection node reached a second time is an alias: its expansion is budgeted.
        is_alias = key in self._constructed
        self._constructed.add(key)
        self._active.add(key)
        if is_alias:
            if self._alias_depth == 0:
                self._alias_origin = path
            self._alias_depth += 1
        try:
            self._count_alias_node(path)
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, path, depth)
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, depth)
            raise TypeError(f"unknown YAML node {node!r}")  # composer makes only these three
        finally:
            self._active.discard(key)
            if is_alias:
                self._alias_depth -= 1

    def _count_alias_node(self, path: DocPath) -> None:
        if self._alias_depth == 0:
            return
        self._alias_nodes += 1
        if self._alias_nodes > ALIAS_EXPANSION_BUDGET:
            origin = self._alias_origin
            raise _fail(
                self.file,
                self._nearest_key_mark(origin),
                f"aliases expand to more than {ALIAS_EXPANSION_BUDGET:,} nodes (an alias bomb?); "
                "write the values out or use fewer anchors",
                "alias-budget",
                origin,
            )

    def _nearest_key_mark(self, path: DocPath) -> Mark:
        # Nodes inside an alias carry the anchor's marks; the enclosing key is where the
        # alias is used.
        while path:
            mark = self.key_marks.get(path)
            if mark is not None:
                return mark
            path = path[:-1]
        return Mark(1, 1)

    def _scalar(self, node: yaml.ScalarNode, path: DocPath) -> Any:
        tag = node.tag
        if tag in (_STR, _TIMESTAMP, _VALUE):
            # Timestamps stay text so that `format: date` checks them, as JSON would see them.
            return node.value
        # YAML 1.2 readings where YAML 1.1 surprises people: `off`/`no`/`yes` stay text
        # (`issues: off` must mean the word), `010` is ten, not octal 8, `1:30` is text.
        value = node.value
        try:
            if tag == _INT:
                if _DECIMAL.fullmatch(value):
                    return int(value, 10)
                if ":" in value:
                    return value
                return _SCALAR_CONSTRUCTOR.construct_yaml_int(node)
            if tag == _FLOAT:
                if ":" in value:
                    return value
                number = _SCALAR_CONSTRUCTOR.construct_yaml_float(node)
                if not math.isfinite(number):
                    # JSON has no NaN or infinity, and NaN would pass every bound silently.
                    raise ValueError("not a finite number")
                return number
        except (ValueError, IndexError, TypeError) as exc:
            kind = "whole number" if tag == _INT else "finite number"
            raise _fail(
                self.file,
                _mark(node.start_mark),
                f"{_short_text(value)} is not a valid {kind}",
                "yaml-value",
                path,
            ) from exc
        if tag == _BOOL:
            lowered = value.lower()
            return lowered == "true" if lowered in ("true", "false") else value
        if tag == _NULL:
            return None
        raise _fail(
            self.file,
            _mark(node.start_mark),
            f"unsupported YAML tag {tag!r}; use plain values",
            "yaml-tag",
            path,
        )

    def _sequence(self, node: yaml.SequenceNode, path: DocPath, depth: int) -> list[Any]:
        if node.tag != _SEQ:
            raise _fail(
                self.file,
                _mark(node.start_mark),
                f"unsupported YAML tag {node.tag!r}; use a plain list",
                "yaml-tag",
                path,
            )
        return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]

    def _mapping(self, node: yaml.MappingNode, path: DocPath, depth: int) -> dict[str, Any]:
        if node.tag != _MAP:
            raise _fail(
                self.file,
                _mark(node.start_mark),
                f"unsupported YAML tag {node.tag!r}; use a plain mapping",
                "yaml-tag",
                path,
            )
        result: dict[str, Any] = {}
        seen: dict[str, Mark] = {}
        merge_nodes: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _MERGE:
                merge_nodes.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _fail(
                    self.file,
                    _mark(key_node.start_mark),
                    "mapping keys must be plain text, not lists or mappings",
                    "bad-key",
                    path,
                )
            if key_node.tag not in _KEY_TAGS:
                raise _fail(
                    self.file,
                    _mark(key_node.start_mark),
                    f"unsupported YAML tag {key_node.tag!r} on a key; use plain keys",
                    "yaml-tag",
                    path,
                )
            # The key exactly as written: `on:` stays "on", not True.
            key = key_node.value
            key_mark = _mark(key_node.start_mark)
            child = (*path, key)
            if key in seen:
                first = seen[key]
                if key_mark in self._reported_duplicates:
                    continue  # the same mapping again, through an alias
                self._reported_duplicates.add(key_mark)
                self.problems.append(
                    Problem(
                        self.file,
                        key_mark.line,
                        key_mark.column,
                        format_path(child),
                        f"duplicate key {key!r} (first defined at line {first.line}); "
                        "remove one of them",
                        code="duplicate-key",
                    )
                )
                continue
            seen[key] = key_mark
            self.key_marks.setdefault(child, key_mark)
            result[key] = self.build(value_node, child, depth + 1)
        # `<<: *defaults` last, so explicit keys keep both their values and their marks.
        for merge_node in merge_nodes:
            for source in self._merge_sources(merge_node, path, depth):
                for key, value in source.items():
                    result.setdefault(key, value)
        return result

    def _merge_sources(self, node: yaml.Node, path: DocPath, depth: int) -> list[dict[str, Any]]:
        nodes = node.value if isinstance(node, yaml.SequenceNode) else [node]
        sources: list[dict[str, Any]] = []
        for item in nodes:
            if not isinstance(item, yaml.MappingNode):
                raise _fail(
                    self.file,
                    _mark(item.start_mark),
                    "a merge key ('<<') takes a mapping or a list of mappings",
                    "bad-merge",
                    path,
                )
            # Built at this mapping's path: merged keys are located at the anchor's lines,
            # unless an explicit key of the same name already claimed the position.
            sources.append(self.build(item, path, depth + 1))
        return sources
