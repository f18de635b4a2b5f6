"""Reading a YAML file: bounded in size, decoded as UTF-8 (a BOM, or a clear error),
one document, composed safely and built with positions."""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

import yaml

try:  # libyaml is in PyYAML's wheels; the pure-Python loader is a slow but correct fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
from campaign_sync.config.yaml_loader.builder import (
    _NULL,
    _Builder,
)
from campaign_sync.config.yaml_loader.values import (
    MAX_FILE_BYTES,
    LoadedDocument,
    Mark,
    _fail,
    _mark,
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
