"""Load one YAML document into plain data, remembering where every node came from.

PyYAML's libyaml-backed composer builds the node tree (fast, and it keeps start marks);
this module turns the tree into dicts, lists and scalars itself so that it can:

- reject duplicate keys (PyYAML silently keeps the last one);
- keep timestamps as strings, so the schema's ``format: date`` still applies;
- bound alias expansion, so a "billion laughs" file costs a few milliseconds, not all memory;
- record the line and column of every key and value, for ``file:line:column`` errors.
"""

from __future__ import annotations

from campaign_sync.config.yaml_loader.read import (
    decode_text,
    load_yaml,
    load_yaml_file,
    read_text,
)
from campaign_sync.config.yaml_loader.values import (
    ALIAS_EXPANSION_BUDGET,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    DocumentError,
    LoadedDocument,
    Mark,
)

__all__ = [
    "ALIAS_EXPANSION_BUDGET",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "DocumentError",
    "LoadedDocument",
    "Mark",
    "decode_text",
    "load_yaml",
    "load_yaml_file",
    "read_text",
]
