"""Load one YAML document into plain data, remembering where every node came from.

PyYAML's libyaml-backed composer builds the node tree (fast, and it keeps start marks);
this module turns the tree into dicts, lists and scalars itself so that it can:

- reject duplicate keys (PyYAML silently keeps the last one);
- keep timestamps as strings, so the schema's ``format: date`` still applies;
- bound alias expansion, so a "billion laughs" file costs a few milliseconds, not all memory;
- record the line and column of every key and value, for ``file:line:column`` errors.
"""

from __future__ import annotations

import codecs
import math
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from campaign_sync.problems import DocPath, Problem, format_path

try:  # libyaml is in PyYAML's wheels; the pure-Python loader is a slow but correct fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 1024 * 1024
# Nodes an alias may expand to, summed over the document. Real campaign files reuse a
# few small lists; an alias bomb needs millions.
ALIAS_EXPANSION_BUDGET = 1_000
MAX_DEPTH = 64

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


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based position in a file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """The data of one YAML document and the position of each of its keys and values."""

    file: str
    data: dict[str, Any]
    value_marks: Mapping[DocPath, Mark]
    key_marks: Mapping[DocPath, Mark]
    # Non-fatal problems found while loading (duplicate keys): the data is still usable.
    problems: tuple[Problem, ...] = ()

    def mark_of(self, path: DocPath) -> Mark:
        """Where the value at ``path`` starts, or its nearest located ancestor."""
        while path:
            mark = self.value_marks.get(path)
            if mark is not None:
                return mark
            path = path[:-1]
        return self.value_marks.get((), Mark(1, 1))

    def key_mark_of(self, path: DocPath) -> Mark:
        """Where the key of the entry at ``path`` starts (falls back to its value)."""
        return self.key_marks.get(path) or self.mark_of(path)


class DocumentError(Exception):
    """The file cannot be loaded at all; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _mark(node_mark: Any) -> Mark:
    return Mark(node_mark.line + 1, node_mark.column + 1)


def _fail(file: str, mark: Mark, message: str, code: str, path: DocPath = ()) -> DocumentError:
    return DocumentError(
        Problem(file, mark.line, mark.column, format_path(path), message, code=code)
    )


def read_text(path: Path, display: str | None = None) -> str:
    """Read a file as UTF-8 text, refusing files that are too large or not UTF-8."""
    file = display or str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # /dev/zero or a named pipe would never end, or never answer.
            raise _fail(
                file,
                Mark(1, 1),
                "not a regular file (a device, pipe or socket); campaign files are plain files",
                "unreadable",
            )
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise _fail(
                file,
                Mark(1, 1),
                f"file is {size:,} bytes; campaign files are limited to 1 MiB "
                f"({MAX_FILE_BYTES:,} bytes)",
                "file-too-large",
            )
        with path.open("rb") as handle:
            # Never more than the limit, even if the file grows while it is read.
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _fail(file, Mark(1, 1), f"cannot read file: {exc.strerror}", "unreadable") from exc
    return decode_text(raw, file)


def decode_text(raw: bytes, file: str) -> str:
    """Decode UTF-8 (a leading BOM is allowed), locating the first bad byte if there is one."""
    if len(raw) > MAX_FILE_BYTES:
        raise _fail(
            file,
            Mark(1, 1),
            f"file is {len(raw):,} bytes; campaign files are limited to 1 MiB",
            "file-too-large",
        )
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        start = bom + exc.start
        before = raw[bom:start].decode("utf-8")  # valid up to the bad byte
        line_start = before.rfind("\n") + 1
        # Columns count characters, as editors and libyaml's marks do.
        raise _fail(
            file,
            Mark(before.count("\n") + 1, len(before) - line_start + 1),
            f"byte 0x{raw[start]:02x} is not valid UTF-8; save the file as UTF-8",
            "not-utf8",
        ) from exc


def load_yaml(text: str, file: str) -> LoadedDocument:
    """Compose one YAML document from ``text`` and build its data with positions.

    Raises DocumentError for anything that makes the file unusable: a syntax error, several
    documents, an empty file, a top level that is not a mapping, an alias bomb, nesting too deep.
    """
    node = _compose_single(text, file)
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL and not node.value):
        raise _fail(file, Mark(1, 1), "file is empty; expected a mapping of fields", "not-mapping")
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        raise _fail(
            file,
            _mark(node.start_mark),
            f"the document is {kind}; expected a mapping of fields (key: value)",
            "not-mapping",
        )
    builder = _Builder(file)
    data = builder.build(node, (), 0)
    return LoadedDocument(
        file=file,
        data=data,
        value_marks=builder.value_marks,
        key_marks=builder.key_marks,
        problems=tuple(builder.problems),
    )


def load_yaml_file(path: Path, display: str | None = None) -> LoadedDocument:
    file = display or str(path)
    return load_yaml(read_text(path, file), file)


def _compose_single(text: str, file: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        node = loader.get_node() if loader.check_node() else None
        if loader.check_event(yaml.DocumentStartEvent):
            # Only peek: the second document is never composed.
            second = loader.peek_event()
            assert second is not None  # check_event just saw it
            raise _fail(
                file,
                _mark(second.start_mark),
                "a second YAML document starts here; a campaign file holds exactly one "
                "(remove the extra '---' or split it into its own file)",
                "multiple-documents",
            )
        return node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _mark(mark) if mark is not None else Mark(1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        raise _fail(file, where, f"invalid YAML: {problem}{context}", "yaml-syntax") from exc
    except yaml.reader.ReaderError as exc:
        # Raised for characters YAML forbids (controls, some non-characters); it carries an
        # offset into the text rather than a mark.
        before = text[: exc.position]
        where = Mark(before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise _fail(
            file,
            where,
            f"invalid YAML: the character U+{ord(char):04X} is not allowed; remove it",
            "yaml-syntax",
        ) from exc
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise _fail(file, Mark(1, 1), f"invalid YAML: {message}", "yaml-syntax") from exc
    except RecursionError as exc:  # only the pure-Python composer recurses
        raise _fail(file, Mark(1, 1), "invalid YAML: nesting is too deep", "too-deep") from exc
    finally:
        loader.dispose()


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
