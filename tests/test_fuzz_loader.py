"""Property tests: whatever a campaign file holds, validation ends in located problems or a
campaign, never in an exception, and anchors never expand past their budget.

Sections 1-3 are this module's own strategies; section 4 runs bench/fuzz.py's `loader`
target (also the config file, huge files, a per-input deadline) on the CI budget.
`python bench/fuzz.py --target loader --seconds N` runs it for longer."""

from __future__ import annotations

import copy
import os
import tracemalloc
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from bench.fuzz import Target, huge_campaign_files, hypothesis_test, run_one
from bench.fuzz import targets as fuzz_targets
from hypothesis import event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from campaign_sync.config.loader import ValidationResult, validate_paths
from campaign_sync.config.schema import load_schema, validator
from campaign_sync.config.yaml_loader import (
    ALIAS_EXPANSION_BUDGET,
    MAX_FILE_BYTES,
    DocumentError,
    load_yaml,
)
from campaign_sync.problems import Problem, Severity

TODAY = date(2026, 11, 28)
FUZZ = settings(max_examples=200, deadline=None)

BASE: dict[str, Any] = {
    "name": "Fuzzed campaign",
    "description": "A valid campaign that the strategies below modify.",
    "managers": ["mona", "@acme/appsec"],
    "contact": "https://github.com/orgs/acme/discussions/1",
    "ends": "2027-03-31",
    "state": "active",
    "select": {"alerts": ["code-scanning"], "severity": ["critical"]},
}
BASE_TEXT = yaml.safe_dump(BASE, sort_keys=False)


def _schema_keys() -> list[str]:
    """Every key the campaign schema names, at any depth."""
    keys: set[str] = set()

    def walk(schema: Any) -> None:
        if isinstance(schema, dict):
            for key, sub in schema.get("properties", {}).items():
                keys.add(key)
                walk(sub)
            walk(schema.get("items"))
            walk(schema.get("additionalProperties"))

    walk(load_schema("campaign"))
    return sorted(keys)


SCHEMA_KEYS = _schema_keys()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def assert_clean(problems: Iterable[Problem], files: set[str]) -> None:
    for problem in problems:
        assert problem.file in files
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message.strip()
        assert isinstance(problem.severity, Severity)
        assert problem.code


def validate_file(folder: Path, raw: bytes) -> ValidationResult:
    path = folder / "fuzz.yml"
    path.write_bytes(raw)
    result = validate_paths([path], today=TODAY, cwd=folder)
    assert result.files == ("fuzz.yml",)
    assert_clean(result.problems, {"fuzz.yml"})
    # Either the file has errors, or it is one campaign: never both, never neither.
    assert bool(result.errors) != bool(result.campaigns)
    event("campaign" if result.campaigns else min(p.code for p in result.errors))
    return result


# --- (1) arbitrary bytes ----------------------------------------------------------------

# Pieces of YAML, so that random bytes often get past the parser into the builder.
# `!!int` and `!!float` are left out on purpose: with a value of the wrong form they crash
# the loader (see test_yaml_loader::test_explicit_tag_with_a_bad_value_is_a_problem).
_FRAGMENTS = [
    *(f"{key}: " for key in SCHEMA_KEYS),
    "\n", "\n  ", "\n    ", "- ", ": ", ", ", "[", "]", "{", "}", "? ", "'", '"', "#", "\t",
    "&a ", "&b ", "*a", "*b", "<<: ", "<<: *a", "---\n", "...\n", "%YAML 1.1\n",
    "!!str ", "!!bool ", "!!map ", "!!seq ", "!!null ", "!!binary ", "!x ",
    "!!python/object:os.system ",
    "2027-03-31", "2027-02-30", "true", "off", "null", "~", "0", "-1", "1.5", ".nan", ".inf",
    "critical", "code-scanning", "mona", "@acme/a", "https://x.example", "lol", "=", "|", ">",
]  # fmt: skip
_FRAGMENT_BYTES = [f.encode() for f in _FRAGMENTS] + [b"\xff", b"\xef\xbb\xbf", b"\xc3", b"\r"]

yamlish_bytes = st.lists(st.sampled_from(_FRAGMENT_BYTES), max_size=60).map(b"".join)


_TAGS = ["", "", "", "!!str ", "!!bool ", "!!null ", "!!binary ", "!x ", "!!python/name:os.system "]
_VALUES = [
    "", "lol", "'quoted'", '"a\\tb"', "2027-03-31", "2027-13-01", "true", "off", "~", "0",
    "-1", "1.5", ".nan", "1_000", "0x1f", "[]", "{}", "[a, b, a]", "{a: 1, a: 2}",
    "[critical, urgent]", "[code-scanning]", "https://x.example", "'@acme/a'", "*a", "=", "|",
]  # fmt: skip


@st.composite
def yamlish_lines(draw: st.DrawFn) -> bytes:
    """Mostly well-formed block mappings and lists, with odd keys, tags and values."""
    lines: list[str] = []

    def block(indent: str, depth: int) -> None:
        for _ in range(draw(st.integers(1, 5))):
            item = "- " if draw(st.integers(0, 5)) == 0 else ""
            key = draw(st.sampled_from([*SCHEMA_KEYS, "<<", "x", "x"]))
            if depth < 3 and draw(st.integers(0, 3)) == 0:
                lines.append(f"{indent}{item}{key}:")
                block(indent + "  ", depth + 1)
                continue
            anchor = "&a " if draw(st.integers(0, 9)) == 0 else ""
            value = draw(st.sampled_from(_TAGS)) + anchor + draw(st.sampled_from(_VALUES))
            lines.append(f"{indent}{item}{key}: {value}".rstrip())

    block("", 0)
    return ("\n".join(lines) + "\n").encode()


@st.composite
def mutated_campaign(draw: st.DrawFn) -> bytes:
    """The valid campaign's bytes with a few bytes replaced, inserted or removed."""
    raw = bytearray(BASE_TEXT.encode())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        cut = draw(st.integers(0, 3))
        raw[at : at + cut] = draw(st.binary(max_size=4) | st.sampled_from(_FRAGMENT_BYTES))
    return bytes(raw)


@FUZZ
@given(raw=st.binary(max_size=2048) | yamlish_bytes | yamlish_lines() | mutated_campaign())
def test_arbitrary_bytes_end_in_problems_or_a_campaign(folder: Path, raw: bytes) -> None:
    validate_file(folder, raw)


# --- (2) arbitrary YAML structures ------------------------------------------------------

_TEXTS = st.text(max_size=12) | st.sampled_from(
    [
        "2027-03-31",
        "2026-01-01",
        "not a date",
        "critical",
        "urgent",
        "code-scanning",
        "active",
        "snapshot",
        "mona",
        "@acme/appsec",
        "bad user!",
        "https://github.com/acme",
        "acme/*",
        "sql-injection",
        "nope",
        "",
    ]
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**18), 10**18)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXTS
)
_KEYS = st.sampled_from(SCHEMA_KEYS) | st.text(max_size=10)


def _structures(keys: st.SearchStrategy[Any], scalars: st.SearchStrategy[Any]) -> Any:
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=20,
    )


_STRUCTURES = _structures(_KEYS | st.integers(0, 3) | st.none() | st.booleans(), _SCALARS)
_SECTIONS = [(), ("select",), ("select", "repositories"), ("sla",), ("tracking",), ("github",)]


@st.composite
def campaign_variants(draw: st.DrawFn) -> dict[str, Any]:
    """The valid campaign with random keys merged in somewhere and required keys dropped."""
    data = copy.deepcopy(BASE)
    node = data
    for key in draw(st.sampled_from(_SECTIONS)):
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node.update(draw(st.dictionaries(_KEYS, _STRUCTURES, max_size=3)))
    for key in draw(st.sets(st.sampled_from(sorted(BASE)), max_size=2)):
        data.pop(key, None)
    return data


@FUZZ
@given(
    doc=_STRUCTURES | campaign_variants(),
    flow=st.sampled_from([False, True, None]),
    allow_unicode=st.booleans(),
)
def test_yaml_structures_end_in_a_clean_result(
    folder: Path, doc: Any, flow: bool | None, allow_unicode: bool
) -> None:
    text = yaml.safe_dump(
        doc, sort_keys=False, default_flow_style=flow, allow_unicode=allow_unicode
    )
    result = validate_file(folder, text.encode("utf-8"))
    if not isinstance(doc, dict):
        assert [p.code for p in result.problems] == ["not-mapping"]


_PLAIN_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**18), 10**18)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXTS
)


@FUZZ
@given(
    doc=st.dictionaries(_KEYS, _structures(_KEYS, _PLAIN_SCALARS), max_size=5),
    flow=st.sampled_from([False, True, None]),
)
def test_loaded_data_equals_what_pyyaml_loads(doc: dict[str, Any], flow: bool | None) -> None:
    # PyYAML's own safe_load is the reference (not `doc`: the emitter does not round-trip
    # every string, e.g. a lone U+0085 in a key comes back as a space).
    text = yaml.safe_dump(doc, sort_keys=False, default_flow_style=flow, allow_unicode=True)
    loaded = load_yaml(text, "fuzz.yml")
    assert loaded.data == yaml.safe_load(text)
    assert loaded.problems == ()
    assert all(m.line >= 1 and m.column >= 1 for m in loaded.value_marks.values())


# --- (3) anchors and aliases ------------------------------------------------------------


@st.composite
def anchored_text(draw: st.DrawFn) -> str:
    """Top-level keys whose values define anchors and use aliases, some undefined or recursive."""
    count = draw(st.integers(1, 16))
    names = [f"a{i}" for i in range(count + 1)]
    anchors: list[str] = []  # defined so far, in order
    mappings: list[str] = []  # those whose value is a mapping, for merge keys
    lines: list[str] = []

    def ref(pool: list[str]) -> str:
        # Mostly an anchor defined above, often the latest (chains of aliases are what blow
        # up); rarely any name: the anchor being defined (recursive) or a later one.
        if not draw(st.integers(0, 99)):
            return f"*{draw(st.sampled_from(names))}"
        if not pool:
            return "{}"
        return f"*{pool[-1] if draw(st.booleans()) else draw(st.sampled_from(pool))}"

    def items() -> list[str]:
        return [
            ref(anchors) if draw(st.integers(0, 3)) else draw(st.sampled_from(["lol", "1", "{}"]))
            for _ in range(draw(st.integers(0, 12)))
        ]

    for i in range(count):
        # A fresh anchor name, rarely a reused one (libyaml refuses a duplicate anchor).
        name = names[i] if draw(st.integers(0, 19)) else draw(st.sampled_from(names[: i + 1]))
        anchor = f"&{name} " if draw(st.integers(0, 3)) else ""
        form = draw(st.sampled_from(["list", "map", "merge", "scalar", "block", "alias"]))
        if form == "list":
            value = f"[{', '.join(items())}]"
        elif form == "map":
            value = "{" + ", ".join(f"m{j}: {v}" for j, v in enumerate(items())) + "}"
        elif form == "merge":
            sources = ", ".join(ref(mappings) for _ in range(draw(st.integers(1, 3))))
            value = f"{{<<: [{sources}], z: [{', '.join(items())}]}}"
        elif form == "scalar":
            value = "lol"
        elif form == "block":
            value = "".join(f"\n  - {item}" for item in items() or ["x"])
        else:
            anchor, value = "", ref(anchors)  # an alias cannot carry an anchor
        lines.append(f"k{i}: {anchor}{value}".rstrip())
        if anchor and name not in anchors:
            anchors.append(name)
            if form in ("map", "merge"):
                mappings.append(name)
    return "\n".join(lines) + "\n"


def _count_nodes(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count_nodes(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_count_nodes(v) for v in value)
    return 1


@FUZZ
@given(text=anchored_text())
def test_anchors_and_aliases_load_within_budget_or_are_refused(text: str) -> None:
    try:
        doc = load_yaml(text, "fuzz.yml")
    except DocumentError as exc:
        refusal = exc.problem
    else:
        event("loaded")
        assert_clean(doc.problems, {"fuzz.yml"})
        # Aliases add at most the budget to the nodes written out in the text.
        assert _count_nodes(doc.data) <= ALIAS_EXPANSION_BUDGET + len(text) + 1
        return
    event(refusal.code)
    assert_clean([refusal], {"fuzz.yml"})
    assert refusal.line <= text.count("\n") + 1
    assert refusal.code in {"alias-budget", "alias", "bad-merge", "yaml-syntax"}
    if refusal.code == "alias-budget":  # located at the key whose value uses the alias
        assert text.splitlines()[refusal.line - 1].startswith("k")


@FUZZ
@given(text=anchored_text())
def test_anchored_files_validate_cleanly(folder: Path, text: str) -> None:
    validate_file(folder, (BASE_TEXT + text).encode())


@FUZZ
@given(doc=campaign_variants())
def test_inlined_schema_finds_the_same_errors_as_the_schema_file(doc: dict[str, Any]) -> None:
    fast = validator("campaign")
    plain = Draft202012Validator(load_schema("campaign"), format_checker=fast.format_checker)
    data = load_yaml(yaml.safe_dump(doc, sort_keys=False), "fuzz.yml").data

    def errors(checker: Draft202012Validator) -> list[tuple[Any, ...]]:
        found = checker.iter_errors(data)
        return sorted((tuple(map(str, e.absolute_path)), e.validator, e.message) for e in found)

    assert errors(fast) == errors(plain)


# --- (4) bench/fuzz.py's loader target: mutated real files, the config, huge files -------


@pytest.fixture(scope="module")
def loader_target() -> Target:
    return fuzz_targets()["loader"]


def test_mutated_campaign_and_config_files_end_in_a_clean_result(loader_target: Target) -> None:
    # Mutated copies of campaigns/ and tests/examples/valid/, and of campaign-sync.yml.
    hypothesis_test(loader_target, max_examples=100)()


def test_every_value_of_the_seeds_with_a_wrong_type(loader_target: Target) -> None:
    inputs = list(loader_target.levels(4))
    assert len(inputs) > 200
    for value in inputs:
        run_one(loader_target, value)


@pytest.mark.parametrize("index", range(5))
def test_large_files_stay_within_memory(loader_target: Target, index: int) -> None:
    value = list(huge_campaign_files(0.2))[index]
    tracemalloc.start()
    try:
        run_one(loader_target, value)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Files are refused past 1 MiB; below that, the node tree is a bounded multiple.
    assert peak <= 100 * min(len(value[1]), MAX_FILE_BYTES) + 16_000_000


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null", "fifo"])
def test_a_device_or_pipe_is_refused_not_read(tmp_path: Path, special: str) -> None:
    # /dev/zero has no end: reading it whole would take all memory.
    if special == "fifo":
        path = tmp_path / "pipe.yml"
        os.mkfifo(path)
    else:
        path = Path(special)
        if not path.exists():
            pytest.skip(f"{special} does not exist here")
    result = validate_paths([path], today=TODAY, cwd=tmp_path)
    assert [p.code for p in result.problems] == ["unreadable"]
    assert "not a regular file" in result.problems[0].message
