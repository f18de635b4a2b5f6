"""Unit tests of config/yaml_loader.py: located data, and every way a file is refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from campaign_sync.config.yaml_loader import (
    ALIAS_EXPANSION_BUDGET,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    DocumentError,
    LoadedDocument,
    Mark,
    decode_text,
    load_yaml,
    load_yaml_file,
    read_text,
)
from campaign_sync.problems import Problem

FILE = "campaigns/c.yml"


def load(text: str) -> LoadedDocument:
    return load_yaml(text, FILE)


def refused(text: str) -> Problem:
    with pytest.raises(DocumentError) as info:
        load_yaml(text, FILE)
    problem = info.value.problem
    assert problem.file == FILE
    assert str(info.value) == problem.message
    return problem


def position(text: str, needle: str, nth: int = 1) -> Mark:
    """The 1-based line and column of the nth occurrence of ``needle`` in ``text``."""
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    before = text[:index]
    return Mark(before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)


# --- where keys and values are ---------------------------------------------------------


def test_marks_of_top_level_keys_and_values() -> None:
    doc = load("name: SQL injection\nends: 2027-03-31\n")
    assert doc.file == FILE
    assert doc.data == {"name": "SQL injection", "ends": "2027-03-31"}
    assert doc.key_marks[("name",)] == Mark(1, 1)
    assert doc.value_marks[("name",)] == Mark(1, 7)
    assert doc.key_marks[("ends",)] == Mark(2, 1)
    assert doc.value_marks[("ends",)] == Mark(2, 7)
    assert doc.value_marks[()] == Mark(1, 1)
    assert doc.problems == ()


def test_marks_of_nested_block_mappings_and_lists() -> None:
    text = (
        "select:\n"
        "  severity:\n"
        "    - critical\n"
        "    - high\n"
        "  repositories:\n"
        '    include: ["acme/*", acme/api]\n'
    )
    doc = load(text)
    assert doc.data == {
        "select": {
            "severity": ["critical", "high"],
            "repositories": {"include": ["acme/*", "acme/api"]},
        }
    }
    # A block mapping starts at its first key, a block sequence at its first '-'.
    assert doc.value_marks[("select",)] == Mark(2, 3)
    assert doc.key_marks[("select", "severity")] == Mark(2, 3)
    assert doc.value_marks[("select", "severity")] == Mark(3, 5)
    assert doc.value_marks[("select", "severity", 0)] == Mark(3, 7)
    assert doc.value_marks[("select", "severity", 1)] == Mark(4, 7)
    assert doc.key_marks[("select", "repositories")] == Mark(5, 3)
    assert doc.key_marks[("select", "repositories", "include")] == Mark(6, 5)
    assert doc.value_marks[("select", "repositories", "include")] == Mark(6, 14)
    assert doc.value_marks[("select", "repositories", "include", 0)] == Mark(6, 15)
    assert doc.value_marks[("select", "repositories", "include", 1)] == position(text, "acme/api")


def test_marks_in_flow_style() -> None:
    text = "sla: {critical: 7, high: 30}\nx: [1, {c: [a, b]}]\n"
    doc = load(text)
    assert doc.data == {"sla": {"critical": 7, "high": 30}, "x": [1, {"c": ["a", "b"]}]}
    assert doc.value_marks[("sla",)] == Mark(1, 6)
    assert doc.key_marks[("sla", "critical")] == Mark(1, 7)
    assert doc.value_marks[("sla", "critical")] == Mark(1, 17)
    assert doc.key_marks[("sla", "high")] == Mark(1, 20)
    assert doc.value_marks[("sla", "high")] == Mark(1, 26)
    assert doc.value_marks[("x", 1)] == Mark(2, 8)
    assert doc.key_marks[("x", 1, "c")] == Mark(2, 9)
    assert doc.value_marks[("x", 1, "c", 1)] == Mark(2, 16)


def test_marks_of_block_scalars_and_empty_values() -> None:
    doc = load("description: |\n  line one\n  line two\nstarts:\nends: 2027-03-31\n")
    assert doc.data["description"] == "line one\nline two\n"
    assert doc.value_marks[("description",)] == Mark(1, 14)
    # An empty value is located right after its key's colon.
    assert doc.data["starts"] is None
    assert doc.value_marks[("starts",)] == Mark(4, 8)


def test_mark_of_falls_back_to_the_nearest_located_ancestor() -> None:
    doc = load("name: x\nselect:\n  alerts: [dependabot]\n")
    assert doc.mark_of(("select", "severity", 3)) == Mark(3, 3)
    assert doc.mark_of(("nope",)) == Mark(1, 1)
    assert doc.mark_of(()) == Mark(1, 1)
    # List items have no key: the key mark falls back to the value.
    assert doc.key_mark_of(("select", "alerts", 0)) == Mark(3, 12)
    assert doc.key_mark_of(("select", "alerts")) == Mark(3, 3)


# --- scalars ----------------------------------------------------------------------------


def test_timestamps_stay_text() -> None:
    doc = load(
        "ends: 2027-03-31\n"
        "at: 2001-12-14t21:59:43.10-05:00\n"
        "spaced: 2001-12-14 21:59:43.10 -5\n"
        'quoted: "2027-03-31"\n'
        "impossible: 2027-02-30\n"
    )
    assert doc.data == {
        "ends": "2027-03-31",
        "at": "2001-12-14t21:59:43.10-05:00",
        "spaced": "2001-12-14 21:59:43.10 -5",
        "quoted": "2027-03-31",
        "impossible": "2027-02-30",
    }


def test_ints_floats_bools_and_nulls() -> None:
    doc = load(
        "ints: [42, -7, +3, 0x1F, 1_000, 0, 010]\n"
        "floats: [1.5, -0.25, 6.02e+23]\n"
        "bools: [true, false, True, FALSE]\n"
        "nulls: [~, null, Null, ]\n"
        "empty:\n"
        'text: ["42", !!str 42, "true", "null", 1.2.3, 0x, 0o17]\n'
    )
    data = doc.data
    # 010 is ten (YAML 1.2), not octal 8 (YAML 1.1).
    assert data["ints"] == [42, -7, 3, 31, 1000, 0, 10]
    assert all(type(v) is int for v in data["ints"])
    assert data["floats"] == [1.5, -0.25, 6.02e23]
    assert data["bools"] == [True, False, True, False]
    assert data["nulls"] == [None, None, None]
    assert data["empty"] is None
    assert data["text"] == ["42", "42", "true", "null", "1.2.3", "0x", "0o17"]


def test_yaml_1_1_surprises_stay_text() -> None:
    # `issues: off` must mean the word, and 1:30 is not the sexagesimal number 90.
    doc = load("words: [yes, no, on, off, Yes, OFF, y, n]\ntimes: [1:30, 190:20:30.15]\n")
    assert doc.data == {
        "words": ["yes", "no", "on", "off", "Yes", "OFF", "y", "n"],
        "times": ["1:30", "190:20:30.15"],
    }


def test_keys_are_kept_as_written() -> None:
    doc = load("on: a\n1: b\nnull: c\nyes: d\n2027-03-31: e\n~: f\n'quoted': g\n")
    assert list(doc.data) == ["on", "1", "null", "yes", "2027-03-31", "~", "quoted"]
    assert doc.key_marks[("yes",)] == Mark(4, 1)


# --- duplicate keys ---------------------------------------------------------------------


def test_duplicate_key_is_reported_at_the_second_key_and_the_first_value_kept() -> None:
    doc = load("name: first\nends: 2027-03-31\nname: second\n")
    assert doc.data == {"name": "first", "ends": "2027-03-31"}
    assert doc.value_marks[("name",)] == Mark(1, 7)
    (problem,) = doc.problems
    assert (problem.line, problem.column, problem.path) == (3, 1, "name")
    assert problem.code == "duplicate-key"
    assert problem.is_error
    assert problem.message == "duplicate key 'name' (first defined at line 1); remove one of them"


def test_nested_and_repeated_duplicate_keys() -> None:
    text = "select:\n  severity: [high]\n  alerts: [dependabot]\n  severity: [low]\n"
    text += "sla: {high: 3, high: 4, high: 5}\n"
    doc = load(text)
    assert doc.data == {
        "select": {"severity": ["high"], "alerts": ["dependabot"]},
        "sla": {"high": 3},
    }
    assert [(p.line, p.column, p.path) for p in doc.problems] == [
        (4, 3, "select.severity"),
        (5, 16, "sla.high"),
        (5, 25, "sla.high"),
    ]
    assert [p.message for p in doc.problems] == [
        "duplicate key 'severity' (first defined at line 2); remove one of them",
        "duplicate key 'high' (first defined at line 5); remove one of them",
        "duplicate key 'high' (first defined at line 5); remove one of them",
    ]


# --- anchors, aliases and merges --------------------------------------------------------


def _bomb_of_lists() -> str:
    """The classic: nine levels, each a list of nine aliases of the level before (9^9 items)."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _bomb_of_mappings() -> str:
    lines = ["a: &a {x0: lol, x1: lol, x2: lol, x3: lol, x4: lol, x5: lol, x6: lol, x7: lol}"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        values = ", ".join(f"x{i}: *{previous}" for i in range(8))
        lines.append(f"{name}: &{name} {{{values}}}")
    return "\n".join(lines) + "\n"


def _bomb_of_merges() -> str:
    lines = ["a: &a {x: lol}"]
    for previous, name in zip("abcdefghijklmnopqrst", "bcdefghijklmnopqrstu", strict=True):
        lines.append(f"{name}: &{name} {{<<: [*{previous}, *{previous}], y: [*{previous}]}}")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_fast_at_the_key_that_uses_the_alias() -> None:
    text = _bomb_of_lists()
    start = time.perf_counter()
    problem = refused(text)
    assert time.perf_counter() - start < 1.0
    assert problem.code == "alias-budget"
    # a: 9 nodes; b: 9 aliases of 10 nodes (90); c: 9 aliases of 91 nodes (819): 909 in
    # total. The first alias in d crosses the budget of 1,000.
    assert (problem.line, problem.column, problem.path) == (4, 1, "d[0]")
    assert problem.message == (
        "aliases expand to more than 1,000 nodes (an alias bomb?); "
        "write the values out or use fewer anchors"
    )


@pytest.mark.parametrize(
    ("text", "line", "column", "path"),
    [
        # a: 9 nodes; b: 8 aliases of 9 (72); c: 8 aliases of 73 (584). d's first alias of
        # 585 nodes crosses the budget: reported at the key that uses it.
        pytest.param(_bomb_of_mappings(), 4, 8, "d.x0", id="mappings"),
        # A merge source is built at the mapping's own path: reported at that mapping's key.
        pytest.param(_bomb_of_merges(), 6, 1, "f", id="merges"),
    ],
)
def test_other_alias_bombs_are_refused(text: str, line: int, column: int, path: str) -> None:
    start = time.perf_counter()
    problem = refused(text)
    assert time.perf_counter() - start < 1.0
    assert (problem.code, problem.line, problem.column, problem.path) == (
        "alias-budget",
        line,
        column,
        path,
    )


def test_alias_budget_boundary() -> None:
    # Each alias of a 99-item list expands to 100 nodes: 10 fit the budget, 11 do not.
    assert ALIAS_EXPANSION_BUDGET == 1_000
    items = ", ".join(str(i) for i in range(99))

    def text(uses: int) -> str:
        return f"a: &a [{items}]\nb: [{', '.join(['*a'] * uses)}]\n"

    assert len(load(text(10)).data["b"]) == 10
    problem = refused(text(11))
    assert (problem.code, problem.line, problem.column, problem.path) == (
        "alias-budget",
        2,
        1,
        "b[10]",
    )


def test_small_anchor_and_alias_are_accepted() -> None:
    text = (
        'owners: &owners [mona, "@acme/appsec"]\n'
        "name: &name Campaign\n"
        "managers: *owners\n"
        "title: *name\n"
        "tracking:\n"
        "  mention: *owners\n"
    )
    doc = load(text)
    assert doc.problems == ()
    assert doc.data["managers"] == ["mona", "@acme/appsec"]
    assert doc.data["tracking"]["mention"] == ["mona", "@acme/appsec"]
    assert doc.data["title"] == "Campaign"
    # The alias's key is where it is used; its value's nodes carry the anchor's marks.
    assert doc.key_marks[("managers",)] == Mark(3, 1)
    assert doc.value_marks[("managers",)] == Mark(1, 9)
    assert doc.value_marks[("managers", 1)] == position(text, '"@acme/appsec"')
    assert doc.value_marks[("title",)] == Mark(2, 7)


def test_merge_key_keeps_explicit_keys_and_their_marks() -> None:
    text = (
        "defaults: &defaults\n"
        "  labels: [security]\n"
        "  issues: off\n"
        "tracking:\n"
        "  <<: *defaults\n"
        "  issues: per-repository\n"
    )
    doc = load(text)
    assert doc.problems == ()
    assert doc.data["tracking"] == {"issues": "per-repository", "labels": ["security"]}
    assert doc.key_marks[("tracking", "issues")] == Mark(6, 3)
    assert doc.value_marks[("tracking", "issues")] == Mark(6, 11)
    # A merged key is located where the anchor wrote it.
    assert doc.value_marks[("tracking", "labels")] == Mark(2, 11)


def test_merge_of_several_mappings_earlier_wins() -> None:
    doc = load("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n")
    assert doc.data["c"] == {"x": 1, "y": 1, "z": 3}


def test_merge_of_a_scalar_is_refused() -> None:
    problem = refused("tracking:\n  <<: 5\n")
    assert (problem.code, problem.line, problem.column, problem.path) == (
        "bad-merge",
        2,
        7,
        "tracking",
    )
    assert problem.message == "a merge key ('<<') takes a mapping or a list of mappings"


@pytest.mark.parametrize(
    ("text", "line", "column", "path"),
    [
        ("a: &a [*a]\n", 1, 4, "a[0]"),
        ("a: &a\n  b: *a\n", 1, 4, "a.b"),
        ("x: 1\na: &a\n  <<: *a\n", 2, 4, "a"),
        ("a: &a [1, [2, *a]]\n", 1, 4, "a[1][1]"),
    ],
)
def test_recursive_anchor_is_refused(text: str, line: int, column: int, path: str) -> None:
    problem = refused(text)
    assert (problem.code, problem.line, problem.column, problem.path) == (
        "alias",
        line,
        column,
        path,
    )
    assert problem.message == "an alias refers to the node that contains it (a recursive anchor)"


def test_undefined_alias_is_a_syntax_error() -> None:
    problem = refused("a: 1\nb: *nowhere\n")
    assert (problem.code, problem.line, problem.column) == ("yaml-syntax", 2, 4)
    assert problem.message == "invalid YAML: found undefined alias"


# --- documents that are not one mapping -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("- a\n- b\n", 1, 1, "the document is a list; expected a mapping of fields (key: value)"),
        (
            "\n\n  just some text\n",
            3,
            3,
            "the document is a single value; expected a mapping of fields (key: value)",
        ),
        ("", 1, 1, "file is empty; expected a mapping of fields"),
        ("# only a comment\n\n", 1, 1, "file is empty; expected a mapping of fields"),
    ],
    ids=["list", "scalar", "empty", "comment-only"],
)
def test_document_that_is_not_a_mapping(text: str, line: int, column: int, message: str) -> None:
    problem = refused(text)
    assert (problem.code, problem.line, problem.column, problem.path) == (
        "not-mapping",
        line,
        column,
        "",
    )
    assert problem.message == message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("name: a\n---\nname: b\n", 2),
        ("---\nname: a\n---\nname: b\n", 3),
        ("name: a\n...\n---\n- b\n", 3),
        ("name: a\n---\n", 2),
    ],
)
def test_second_document_is_refused_where_it_starts(text: str, line: int) -> None:
    problem = refused(text)
    assert (problem.code, problem.line, problem.column) == ("multiple-documents", line, 1)
    assert problem.message == (
        "a second YAML document starts here; a campaign file holds exactly one "
        "(remove the extra '---' or split it into its own file)"
    )


# --- bytes: size and encoding -----------------------------------------------------------


def test_file_over_one_mib_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yml"
    path.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES - 3) + b"\n")
    with pytest.raises(DocumentError) as info:
        read_text(path, "campaigns/big.yml")
    problem = info.value.problem
    assert (problem.file, problem.line, problem.column) == ("campaigns/big.yml", 1, 1)
    assert problem.code == "file-too-large"
    assert problem.message == (
        "file is 1,048,577 bytes; campaign files are limited to 1 MiB (1,048,576 bytes)"
    )


def test_file_of_exactly_one_mib_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yml"
    path.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES - 4) + b"\n")
    doc = load_yaml_file(path)
    assert len(doc.data["a"]) == MAX_FILE_BYTES - 4
    assert doc.file == str(path)


def test_decode_text_refuses_too_many_bytes() -> None:
    with pytest.raises(DocumentError) as info:
        decode_text(b" " * (MAX_FILE_BYTES + 1), "f.yml")
    assert info.value.problem.code == "file-too-large"
    assert (info.value.problem.line, info.value.problem.column) == (1, 1)


@pytest.mark.parametrize(
    ("raw", "line", "column", "byte"),
    [
        (b"name: ok\ncontact: caf\xe9\n", 2, 13, 0xE9),
        (b"\xffname: x\n", 1, 1, 0xFF),
        (b"a: 1\nb: 2\n\n  c: \xc3(\n", 4, 6, 0xC3),
        (b"a: \xe2\x82", 1, 4, 0xE2),  # a multi-byte sequence cut short by the end of file
        (b"a: \xed\xa0\x80\n", 1, 4, 0xED),  # an encoded surrogate
    ],
)
def test_bytes_that_are_not_utf8_are_located(raw: bytes, line: int, column: int, byte: int) -> None:
    with pytest.raises(DocumentError) as info:
        decode_text(raw, "f.yml")
    problem = info.value.problem
    assert (problem.file, problem.line, problem.column, problem.path) == ("f.yml", line, column, "")
    assert problem.code == "not-utf8"
    assert problem.message == f"byte 0x{byte:02x} is not valid UTF-8; save the file as UTF-8"


def test_bad_byte_column_counts_characters_after_multibyte_text() -> None:
    with pytest.raises(DocumentError) as info:
        decode_text("name: Café ".encode() + b"\xff\n", "f.yml")
    assert (info.value.problem.line, info.value.problem.column) == (1, 12)


def test_bad_byte_after_a_bom_is_named_and_located() -> None:
    with pytest.raises(DocumentError) as info:
        decode_text(b"\xef\xbb\xbfa: 1\nb: \xff\n", "f.yml")
    problem = info.value.problem
    # Today: 2:1 and "byte 0x62" (the 'b' three bytes before the bad one).
    assert (problem.line, problem.column) == (2, 4)
    assert problem.message == "byte 0xff is not valid UTF-8; save the file as UTF-8"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yml"
    path.write_bytes(b"\xef\xbb\xbfname: Caf\xc3\xa9\nends: 2027-03-31\n")
    assert read_text(path) == "name: Café\nends: 2027-03-31\n"
    doc = load_yaml_file(path, "campaigns/bom.yml")
    assert doc.file == "campaigns/bom.yml"
    assert doc.data == {"name": "Café", "ends": "2027-03-31"}
    assert doc.key_marks[("name",)] == Mark(1, 1)
    assert doc.value_marks[("ends",)] == Mark(2, 7)


@pytest.mark.parametrize("text", ['a: "é😀" x\n', 'a: 1\nb: "日本" x\n'])
def test_non_ascii_text_is_located_by_character(text: str) -> None:
    problem = refused(text)
    assert problem.code == "yaml-syntax"
    assert Mark(problem.line, problem.column) == position(text, "x")


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as info:
        read_text(tmp_path / "missing.yml", "campaigns/missing.yml")
    problem = info.value.problem
    assert (problem.file, problem.line, problem.column) == ("campaigns/missing.yml", 1, 1)
    assert problem.code == "unreadable"
    assert problem.message == "cannot read file: No such file or directory"

    with pytest.raises(DocumentError) as info:
        load_yaml_file(tmp_path)
    assert info.value.problem.code == "unreadable"
    assert info.value.problem.file == str(tmp_path)


# --- YAML syntax ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        (
            "name: [unclosed\nends: x\n",
            2,
            5,
            "did not find expected ',' or ']' (while parsing a flow sequence)",
        ),
        ("a: 1\n  b: 2\n", 2, 4, "mapping values are not allowed in this context"),
        ("a: b: c\n", 1, 5, "mapping values are not allowed in this context"),
        (
            "a:\n\tb: 1\n",
            2,
            1,
            "found character that cannot start any token (while scanning for the next token)",
        ),
        ("a: 1\n- b\n", 2, 1, "did not find expected key (while parsing a block mapping)"),
        ('a: "\\q"\n', 1, 5, "found unknown escape character (while parsing a quoted scalar)"),
        (
            "a: 'open\n",
            2,
            1,
            "found unexpected end of stream (while scanning a quoted scalar)",
        ),
    ],
)
def test_invalid_yaml_is_located(text: str, line: int, column: int, message: str) -> None:
    problem = refused(text)
    assert (problem.code, problem.line, problem.column, problem.path) == (
        "yaml-syntax",
        line,
        column,
        "",
    )
    assert problem.message == f"invalid YAML: {message}"


def test_control_character_is_located_on_one_line() -> None:
    problem = refused("a: 1\nb: x\x07y\n")
    assert problem.code == "yaml-syntax"
    assert "\n" not in problem.message
    assert (problem.line, problem.column) == (2, 5)


def test_control_character_is_refused() -> None:
    problem = refused("a: 1\nb: x\x00y\n")
    assert problem.code == "yaml-syntax"
    assert problem.message == "invalid YAML: the character U+0000 is not allowed; remove it"


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "+.Inf"])
def test_nan_and_infinity_are_refused(value: str) -> None:
    # JSON has neither, and NaN passes every bound: `max-close-share: .nan` would switch
    # a safety rail off.
    problem = refused(f"a: 1\nb: {value}\n")
    assert (problem.line, problem.column, problem.path, problem.code) == (2, 4, "b", "yaml-value")
    assert problem.message == f"{value!r} is not a valid finite number"


# --- tags and keys ----------------------------------------------------------------------


_PY = "tag:yaml.org,2002:python/"


@pytest.mark.parametrize(
    ("text", "tag", "kind"),
    [
        ("a: !!python/object:os.system {}\n", _PY + "object:os.system", "a plain mapping"),
        (
            "a: !!python/object/apply:os.system [ls]\n",
            _PY + "object/apply:os.system",
            "a plain list",
        ),
        ("a: !!python/name:os.system ''\n", _PY + "name:os.system", "plain values"),
        ("a: !!binary aGVsbG8=\n", "tag:yaml.org,2002:binary", "plain values"),
        ("a: !foo bar\n", "!foo", "plain values"),
        ("a: !foo {b: 1}\n", "!foo", "a plain mapping"),
        ("a: !!set {b, c}\n", "tag:yaml.org,2002:set", "a plain mapping"),
        ("a: !!omap [b: 1]\n", "tag:yaml.org,2002:omap", "a plain list"),
    ],
)
def test_unsupported_tags_are_refused(text: str, tag: str, kind: str) -> None:
    problem = refused(text)
    assert (problem.code, problem.line, problem.column, problem.path) == ("yaml-tag", 1, 4, "a")
    assert problem.message == f"unsupported YAML tag {tag!r}; use {kind}"


def test_unsupported_tag_on_the_document() -> None:
    problem = refused("--- !!set\n? a\n")
    assert (problem.code, problem.line, problem.column, problem.path) == ("yaml-tag", 1, 5, "")


def test_harmless_explicit_tags_are_accepted() -> None:
    doc = load("a: !!str 5\nb: !!int 7\nc: !!null ''\nd: !!timestamp 2027-03-31\ne: !!map {}\n")
    assert doc.data == {"a": "5", "b": 7, "c": None, "d": "2027-03-31", "e": {}}


@pytest.mark.parametrize("text", ["a: !!int abc\n", "a: !!float abc\n", "a: !!int ''\n"])
def test_explicit_tag_with_a_bad_value_is_a_problem(text: str) -> None:
    problem = refused(text)
    assert (problem.line, problem.column, problem.path) == (1, 4, "a")


def test_huge_integer_is_a_problem() -> None:
    problem = refused("cwe: [" + "9" * 5000 + "]\n")
    assert (problem.line, problem.column, problem.path) == (1, 7, "cwe[0]")


@pytest.mark.parametrize(
    ("text", "line", "column", "path"),
    [
        ("? [a, b]\n: 1\n", 1, 3, ""),
        ("? {a: 1}\n: 2\n", 1, 3, ""),
        ("x:\n  y: {[k]: 1}\n", 2, 7, "x.y"),
    ],
)
def test_non_scalar_keys_are_refused(text: str, line: int, column: int, path: str) -> None:
    problem = refused(text)
    assert (problem.code, problem.line, problem.column, problem.path) == (
        "bad-key",
        line,
        column,
        path,
    )
    assert problem.message == "mapping keys must be plain text, not lists or mappings"


# --- nesting ----------------------------------------------------------------------------


def test_nesting_up_to_max_depth_is_accepted() -> None:
    # The top mapping is depth 0, `x`'s list depth 1: MAX_DEPTH - 1 lists fit.
    depth = MAX_DEPTH - 1
    doc = load("x: " + "[" * depth + "]" * depth + "\n")
    value = doc.data["x"]
    for _ in range(depth - 1):
        (value,) = value
    assert value == []


def test_flow_nesting_beyond_max_depth_is_refused() -> None:
    problem = refused("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    assert problem.code == "too-deep"
    assert (problem.line, problem.column) == (1, 3 + MAX_DEPTH)
    assert problem.path == "x" + "[0]" * (MAX_DEPTH - 1)
    assert problem.message.startswith(f"nesting deeper than {MAX_DEPTH} levels")


def test_block_nesting_beyond_max_depth_is_refused() -> None:
    levels = MAX_DEPTH + 5
    text = "".join("  " * i + f"k{i}:\n" for i in range(levels)) + "  " * levels + "v: 1\n"
    problem = refused(text)
    assert problem.code == "too-deep"
    assert (problem.line, problem.column) == (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)
    assert problem.path == ".".join(f"k{i}" for i in range(MAX_DEPTH))


def test_extreme_nesting_is_refused_without_crashing() -> None:
    start = time.perf_counter()
    problem = refused("x: " + "[" * 200_000 + "\n")
    assert time.perf_counter() - start < 2.0
    assert problem.code in {"yaml-syntax", "too-deep"}
    assert problem.line == 1
