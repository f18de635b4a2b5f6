"""Secret types, repository naming material, people, teams and source paths for seeding
(the data lives in ``catalog_data.json``)."""

from __future__ import annotations

from functools import cache
from typing import Any

from .catalog_rules import catalog_data
from .model import SecretType

_ALPHABETS = {
    "b62": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "upper32": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "hex": "0123456789abcdef",
}
_SEMGREP_PATHS = {
    "semgrep-python": "py",
    "semgrep-javascript": "js",
    "semgrep-java": "java",
    "semgrep-go": "go",
    "semgrep-generic": "generic",
}
_TEST_MARKERS = (
    "/test",
    "test/",
    "tests/",
    "__tests__",
    "spec/",
    "_test.",
    ".test.",
    "testdata",
    "fixtures/",
)

_D: dict[str, Any] = catalog_data()
SECRET_TYPES: tuple[tuple[SecretType, int], ...] = tuple(
    (
        SecretType(
            e["slug"],
            e["display_name"],
            e["provider"],
            e["provider_slug"],
            e["prefix"],
            e["length"],
            _ALPHABETS[e["alphabet"]],
        ),
        int(e["weight"]),
    )
    for e in _D["secret_types"]
)
REPO_PREFIXES: tuple[str, ...] = tuple(_D["repo_prefixes"])
REPO_SUFFIXES: tuple[str, ...] = tuple(_D["repo_suffixes"])
# GitHub language, CodeQL language key, frequency
LANGUAGES: tuple[tuple[str, str, int], ...] = tuple(
    (name, key, int(w)) for name, key, w in _D["languages"]
)
ECOSYSTEM_BY_KEY: dict[str, str] = dict(_D["ecosystem_by_language"])
TOPIC_POOL: tuple[tuple[str, float], ...] = tuple((t, float(p)) for t, p in _D["topics"])
TEAMS: tuple[tuple[str, str], ...] = tuple((slug, name) for slug, name in _D["teams"])
TIERS: tuple[tuple[str, float], ...] = tuple((t, float(p)) for t, p in _D["tiers"])
DATA_CLASSES: tuple[str, ...] = tuple(_D["data_classes"])
MEMBERS: tuple[str, ...] = tuple(_D["members"])
SECRET_PATHS: tuple[str, ...] = tuple(_D["secret_paths"])


def source_paths(language: str) -> tuple[str, ...]:
    """Paths for a rule's language (some of them test paths), one shared string each."""
    language = _SEMGREP_PATHS.get(language, language)
    dirs = _D["dirs"].get(language, _D["dirs"]["generic"])
    files = _D["files"].get(language, _D["files"]["generic"])
    return tuple(f"{d}/{f}" if d else f for d in dirs for f in files)


@cache
def is_test_path(path: str) -> bool:
    lowered = path.lower()
    return any(part in lowered for part in _TEST_MARKERS) or lowered.rsplit("/", 1)[-1].startswith(
        "test_"
    )
