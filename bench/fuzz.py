"""Fuzz the parsers of untrusted files: campaign files, SARIF logs and snapshots.

    python bench/fuzz.py --seconds N [--target NAME ...] [--json] [--atheris]

Each target feeds one parser inputs drawn by hypothesis (mutated real files, wrong types
at every level of the JSON, arbitrary bytes, huge and deep documents) and checks one
property: the parser returns a valid result or raises a clean CampaignSyncError (for
campaign files: located problems), never another exception, never hangs (a per-input
deadline), and memory stays bounded (peak RSS is reported and checked).

Targets:

  loader    config/yaml_loader.py + config/loader.py: a campaign file or campaign-sync.yml
  sarif     sources/sarif.py: a SARIF file (SarifSource)
  snapshot  sources/snapshot.py: a folder of snapshot files (SnapshotSource)

Besides the random inputs, each target has a deterministic sweep ("every level"): every
value of its seed documents in turn replaced by values of every wrong type, and a few
huge documents (100,000 results, a 5 MB string, nesting 100,000 deep).

The test suite runs the same targets on a small budget (tests/test_fuzz_*.py). This script
runs them for ``--seconds`` each (split between the sweep, the random inputs and, with
``--atheris``, a coverage-guided atheris run in a child process). ``--json`` prints one
JSON object as the last line: inputs run per target, failures, tracebacks, max RSS.
Exit status 1 if any input failed.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # run as a script from a checkout
    sys.path.insert(1, str(ROOT / "src"))

import yaml  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from campaign_sync.config.loader import validate_paths  # noqa: E402
from campaign_sync.config.yaml_loader import load_yaml  # noqa: E402
from campaign_sync.errors import CampaignSyncError  # noqa: E402
from campaign_sync.model import ALERT_STATES, ALERT_TYPES, Alert, Repository  # noqa: E402
from campaign_sync.problems import Severity  # noqa: E402
from campaign_sync.sources.base import SourceResult  # noqa: E402
from campaign_sync.sources.sarif import SarifSource  # noqa: E402
from campaign_sync.sources.snapshot import SnapshotSource  # noqa: E402

TODAY = date(2026, 11, 28)
# A parser that takes longer than this on one input of at most a few hundred KB has a
# problem: typical inputs take a millisecond or two. Generous, for loaded CI machines.
DEADLINE = timedelta(seconds=5)
# An input still running after this long is a hang: the alarm interrupts it.
HANG_SECONDS = 30
# Peak RSS the fuzzing process may reach. The inputs are at most a few MB.
MAX_RSS_BYTES = 1_000_000_000

SARIF_SEEDS = sorted((ROOT / "tests" / "data" / "sarif").glob("*/scan-*.*"))
SNAPSHOT_DIR = ROOT / "examples" / "snapshot"
CAMPAIGN_SEEDS = sorted(
    [*(ROOT / "campaigns").glob("*.yml"), *(ROOT / "tests" / "examples" / "valid").glob("*.yml")]
)
REPOSITORY_NAME = re.compile(r"[A-Za-z0-9._-]+/[A-Za-z0-9._-]+\Z")


class Hang(Exception):
    """An input ran past HANG_SECONDS."""


class PropertyViolation(AssertionError):
    """A parser returned, but what it returned is not a valid result."""


@contextlib.contextmanager
def hang_guard(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Raise Hang in the main thread if the block runs longer than ``seconds``."""
    if threading.current_thread() is not threading.main_thread() or os.name != "posix":
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"one input ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def max_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


# --- values of every type, hostile ones among them ---------------------------------------

_DEEP_LIST = "[" * 5000 + "]" * 5000  # deeper than any JSON parser's recursion limit

HOSTILE_STRINGS = [
    "",
    " ",
    "0",
    "none",
    "requires login",
    "2.1.0",
    "9.8",
    "-1",
    "NaN",
    "CWE-89",
    "external/cwe/cwe-0000000000000000000089",
    "{0}{1}{99999999999}{{}}",
    "acme/web",
    "acme/web/extra",
    "acme",
    "../../../etc/passwd",
    "/etc/passwd",
    "file:///etc/passwd",
    "https://github.com/acme/web.git",
    "git@github.com:acme/web.git",
    "https://evil.example/acme/web/security/code-scanning/1",
    "javascript:alert(1)",
    "@mona #1 GH-2 <img src=x> <!-- campaign-sync:end -->",
    "\u202eevil\u200b\x00\x1b[2J\r\n",
    "\ud800",  # a lone surrogate: json.dumps writes it as \\ud800, which loads back
    "x" * 70_000,
]

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([0, -1, 1, 2**31, 2**63, 10**30, 1e308, -0.0, 0.5, 9.0, 7.0])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(HOSTILE_STRINGS)
)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

# One value of each JSON type, for the deterministic sweep.
WRONG_TYPES: list[Any] = [
    None,
    True,
    0,
    -(2**64),
    1.5,
    "",
    "x\u202e<b>@a",
    [],
    [None],
    {},
    {"": None},
]


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path in a JSON tree, parents before children."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths_of(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths_of(child, (*prefix, index))


def replaced(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``doc`` with the value at ``path`` replaced."""
    if not path:
        return value
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def wrong_typed(docs: list[Any], values: list[Any], every: int = 1) -> Iterator[Any]:
    """Each doc with each of its values replaced by each of ``values`` in turn (every
    ``every``-th of these only: the rest are not even built)."""
    n = 0
    for doc in docs:
        for where in paths_of(doc):
            for value in values:
                if n % every == 0:
                    yield replaced(doc, where, value)
                n += 1


def _node(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def mutated_json(draw: st.DrawFn, seeds: list[Any]) -> Any:
    """A seed document with 1 to 4 values replaced, keys dropped or added, lists changed."""
    doc = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(paths_of(doc))
        path = paths[draw(st.integers(0, len(paths) - 1))]
        target = _node(doc, path)
        operation = draw(st.sampled_from(["replace", "replace", "drop", "add", "list", "wrap"]))
        if operation == "drop" and path:
            parent = _node(doc, path[:-1])
            del parent[path[-1]]
        elif operation == "add" and isinstance(target, dict):
            keys = sorted(map(str, target))
            key = draw(st.sampled_from(keys) | st.text(max_size=8) if keys else st.text(max_size=8))
            target[key] = draw(JSON_VALUES)
        elif operation == "list" and isinstance(target, list) and target:
            index = draw(st.integers(0, len(target) - 1))
            if draw(st.booleans()):
                target.append(copy.deepcopy(target[index]))  # a duplicate
            else:
                target.insert(index, draw(JSON_VALUES))
        elif operation == "wrap":
            doc = replaced(doc, path, [target])
        else:
            doc = replaced(doc, path, draw(JSON_VALUES))
    return doc


def _dumps(value: Any) -> bytes:
    # allow_nan: Python's json reads NaN and Infinity back, so a file may hold them.
    return json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")


@st.composite
def mutated_bytes(draw: st.DrawFn, raw: st.SearchStrategy[bytes]) -> bytes:
    """Bytes with a few bytes replaced, inserted or removed, or cut short."""
    data = bytearray(draw(raw))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 4))
        data[at : at + cut] = draw(
            st.binary(max_size=4)
            | st.sampled_from([b"\x00", b"\xff", b"\xef\xbb\xbf", b'"', b"[", b"{", b"\\u"])
        )
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


# --- targets ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]  # raises on a property violation
    # Deterministic inputs: large documents (at a scale), then every value of the seed
    # documents replaced by each wrong type in turn.
    huge: Callable[[float], Iterator[Any]]
    levels: Callable[[int], Iterator[Any]]

    def sweep(self) -> Iterator[Any]:
        yield from self.huge(1.0)
        yield from self.levels(1)


class _Scratch:
    """A folder reused by every input of one process (cleared before each)."""

    _path: Path | None = None

    @classmethod
    def folder(cls, name: str) -> Path:
        if cls._path is None:
            cls._path = Path(tempfile.mkdtemp(prefix="campaign-sync-fuzz-"))
        folder = cls._path / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return folder


def _check_alert(alert: Alert) -> None:
    """An Alert as the rest of the tool may rely on it."""
    strings = (
        "state_reason rule_id rule_name tool severity path secret_type secret_validity "
        "package ecosystem manifest created_at updated_at fixed_at dismissed_at html_url message"
    )
    for name in strings.split():
        value = getattr(alert, name)
        if value is not None and not isinstance(value, str):
            raise PropertyViolation(f"{alert.id}: {name} is {type(value).__name__}, not str")
    for name in ("repository_id", "number", "start_line"):
        value = getattr(alert, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise PropertyViolation(f"{alert.id}: {name} is {type(value).__name__}, not int")
    if alert.type not in ALERT_TYPES or alert.state not in ALERT_STATES:
        raise PropertyViolation(f"{alert.id}: type {alert.type!r}, state {alert.state!r}")
    if not all(isinstance(c, int) and c > 0 for c in alert.cwes):
        raise PropertyViolation(f"{alert.id}: cwes {alert.cwes!r}")
    if not REPOSITORY_NAME.match(alert.repository):
        raise PropertyViolation(f"{alert.id}: repository {alert.repository[:100]!r}")
    kind, repository, rest = [*alert.id.split(":", 2), "", ""][:3]
    if kind != alert.type or repository != alert.repository or not rest:
        raise PropertyViolation(f"{alert.id[:200]!r} does not name {alert.type} {repository}")


def _check_repository(repository: Repository) -> None:
    if not REPOSITORY_NAME.match(repository.full_name):
        raise PropertyViolation(f"repository {repository.full_name[:100]!r}")
    if not all(isinstance(t, str) for t in repository.topics):
        raise PropertyViolation(f"{repository.full_name}: topics {repository.topics!r}")
    for name, values in repository.properties:
        if not isinstance(name, str) or not all(isinstance(v, str) for v in values):
            raise PropertyViolation(f"{repository.full_name}: property {name!r}")


def check_source_result(result: SourceResult) -> None:
    ids = [a.id for a in result.alerts]
    if ids != sorted(set(ids)):
        raise PropertyViolation("alerts are not sorted by id, or an id repeats")
    for alert in result.alerts:
        _check_alert(alert)
    names = [r.full_name for r in result.repositories]
    if names != sorted(set(names)):
        raise PropertyViolation("repositories are not sorted by name, or a name repeats")
    for repository in result.repositories:
        _check_repository(repository)


def _clean_error(error: CampaignSyncError) -> None:
    message = str(error)
    if not message.strip():
        raise PropertyViolation(f"{type(error).__name__} with an empty message")
    if len(message) > 2_000:
        raise PropertyViolation(f"an error message of {len(message):,} characters")


# loader ---------------------------------------------------------------------------------

_CONFIG_SEED = (ROOT / "campaign-sync.yml").read_bytes()


def _load_yaml_seed(path: Path) -> Any:
    # The loader's own reading: dates stay text, so the document is also JSON.
    return load_yaml(path.read_text(encoding="utf-8"), path.name).data


def check_loader(item: tuple[str, bytes]) -> None:
    """``item`` is (file name, bytes): validate it, alone, in a campaigns folder."""
    name, raw = item
    root = _Scratch.folder("loader")
    (root / "campaigns").mkdir()
    path = root / name if name.startswith("campaign-sync") else root / "campaigns" / name
    path.write_bytes(raw)
    result = validate_paths([path], today=TODAY, cwd=root)
    display = path.relative_to(root).as_posix()
    if result.files != (display,):
        raise PropertyViolation(f"files {result.files!r}")
    for problem in result.problems:
        if problem.file != display or problem.line < 1 or problem.column < 1:
            raise PropertyViolation(f"problem at {problem.file}:{problem.line}:{problem.column}")
        if not problem.message.strip() or not problem.code:
            raise PropertyViolation(f"problem without message or code: {problem!r}")
        if not isinstance(problem.severity, Severity):
            raise PropertyViolation(f"severity {problem.severity!r}")
    # A file named as a valid id with no error is one campaign; a file that did not load
    # is none. Cross-file checks (dates, ids, native limits) may flag a loaded campaign.
    if name == "fuzz.yml" and not result.errors and len(result.campaigns) != 1:
        raise PropertyViolation("a campaign file without errors must give one campaign")
    if result.campaigns and any(p.code not in _CROSS_FILE_CODES for p in result.errors):
        raise PropertyViolation("a file that did not load gave a campaign")


_CROSS_FILE_CODES = frozenset({"dates", "campaign-id", "duplicate-id", "native-limit"})


def _loader_strategy() -> st.SearchStrategy[tuple[str, bytes]]:
    campaigns = [path.read_bytes() for path in CAMPAIGN_SEEDS]
    structures = [_load_yaml_seed(path) for path in CAMPAIGN_SEEDS]
    config = load_yaml(_CONFIG_SEED.decode(), "campaign-sync.yml").data

    def dump(doc: Any) -> bytes:
        try:
            text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        except (yaml.YAMLError, ValueError):
            text = json.dumps(doc, default=str)  # JSON is YAML too
        return text.encode("utf-8", "surrogatepass")

    campaign = st.sampled_from(["fuzz.yml", "Fuzz Id.yaml"]) | st.just("fuzz.yml")
    return st.one_of(
        st.tuples(campaign, mutated_bytes(st.sampled_from(campaigns))),
        st.tuples(campaign, mutated_json(structures).map(dump)),
        st.tuples(st.just("campaign-sync.yml"), mutated_json([config]).map(dump)),
        st.tuples(st.just("campaign-sync.yml"), mutated_bytes(st.just(_CONFIG_SEED))),
        st.tuples(campaign, st.binary(max_size=512)),
    )


def _loader_levels(every: int = 1) -> Iterator[tuple[str, bytes]]:
    docs = [_load_yaml_seed(path) for path in CAMPAIGN_SEEDS[:3]]
    for doc in wrong_typed(docs, WRONG_TYPES, every):
        yield "fuzz.yml", json.dumps(doc).encode()
    config = load_yaml(_CONFIG_SEED.decode(), "campaign-sync.yml").data
    paths = [*WRONG_TYPES, "/", "../outside", "/etc", "a/../../b"]
    for doc in wrong_typed([config], paths, every):
        yield "campaign-sync.yml", json.dumps(doc).encode()


def huge_campaign_files(scale: float = 1.0) -> Iterator[tuple[str, bytes]]:
    """Large campaign files: deep, long, alias-heavy, many keys (``scale`` 1: up to 1 MiB)."""
    deep = max(5_000, int(100_000 * scale))  # deeper than any recursion limit, at any scale
    yield "fuzz.yml", b"a: " + b"[" * deep
    yield "fuzz.yml", b"name: " + b"x" * 1_000_000
    yield "fuzz.yml", b"name: " + b"x" * (1024 * 1024 + 1)
    yield "fuzz.yml", b"- &a [" + b"*a, " * int(50_000 * scale) + b"]\n"
    yield "fuzz.yml", b"\n".join(f"k{i}: {i}".encode() for i in range(int(20_000 * scale)))


# sarif ----------------------------------------------------------------------------------


def _sarif_seeds() -> list[Any]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in SARIF_SEEDS]


def check_sarif(item: tuple[bytes, str | None]) -> None:
    raw, repository = item
    folder = _Scratch.folder("sarif")
    path = folder / "fuzz.sarif"
    path.write_bytes(raw)
    try:
        result = SarifSource([path], repository=repository).fetch()
    except CampaignSyncError as error:
        _clean_error(error)
        return
    check_source_result(result)
    if result.repositories:
        raise PropertyViolation("SARIF has no repository metadata")


def _sarif_strategy() -> st.SearchStrategy[tuple[bytes, str | None]]:
    seeds = _sarif_seeds()
    raw_seeds = [path.read_bytes() for path in SARIF_SEEDS]
    repository = st.sampled_from([None, None, "acme/web", "acme/a b", "acme"])
    return st.tuples(
        st.one_of(
            mutated_json(seeds).map(_dumps),
            mutated_json(seeds).map(_dumps),
            mutated_bytes(st.sampled_from(raw_seeds)),
            st.binary(max_size=256),
            JSON_VALUES.map(_dumps),
        ),
        repository,
    )


def huge_sarif(scale: float = 1.0) -> Iterator[bytes]:
    """Large and deep SARIF documents (``scale`` 1: up to 4 MB; 25,000 results, GitHub's
    limit for one run)."""
    result = {
        "ruleId": "r",
        "message": {"text": "m"},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 1}}}
        ],
    }
    run = {
        "tool": {"driver": {"name": "Huge"}},
        "versionControlProvenance": [{"repositoryUri": "https://github.com/acme/web"}],
    }
    many = [dict(result, message={"text": f"m{i}"}) for i in range(int(25_000 * scale))]
    yield _dumps({"version": "2.1.0", "runs": [dict(run, results=many)]})
    big = dict(result, message={"text": "x" * 5_000_000})
    yield _dumps({"version": "2.1.0", "runs": [dict(run, results=[big])]})
    deep = max(5_000, int(100_000 * scale))  # deeper than any recursion limit, at any scale
    yield b'{"version": "2.1.0", "runs": [' + b"[" * deep + b"]" * deep + b"]}"
    deep = dict(result, properties={"tags": json.loads("[" * 500 + "]" * 500)})
    yield _dumps({"version": "2.1.0", "runs": [dict(run, results=[deep])]})
    yield _dumps({"version": "2.1.0", "runs": [dict(run, results=[result])] * int(5_000 * scale)})
    argument = json.loads("[" * 900 + "]" * 900)
    formatted = dict(result, message={"text": "{0}", "arguments": [argument]})
    yield _dumps({"version": "2.1.0", "runs": [dict(run, results=[formatted])]})
    yield b'{"version": "2.1.0", "runs": [{"results": [], "x": ' + b"9" * 5000 + b"}]}"


def _huge_sarif_inputs(scale: float) -> Iterator[tuple[bytes, str | None]]:
    for raw in huge_sarif(scale):
        yield raw, None


def _sarif_levels(every: int = 1) -> Iterator[tuple[bytes, str | None]]:
    for n, doc in enumerate(wrong_typed(_sarif_seeds(), WRONG_TYPES, every)):
        yield _dumps(doc), None if n % 2 else "acme/web"


# snapshot -------------------------------------------------------------------------------


def _snapshot_items() -> dict[str, list[Any]]:
    """The example snapshot's items by file, a few of each."""
    items: dict[str, list[Any]] = {}
    for path in sorted(SNAPSHOT_DIR.glob("*.json")):
        values: list[Any] = []
        decoder = json.JSONDecoder()
        text = path.read_text(encoding="utf-8")
        position = 0
        while position < len(text):
            while position < len(text) and text[position].isspace():
                position += 1
            if position == len(text):
                break
            value, position = decoder.raw_decode(text, position)
            values.extend(value if isinstance(value, list) else [value])
        items[path.stem] = values[:6]
    items["properties"] = [
        {
            "repository_id": 1,
            "repository_name": "web",
            "repository_full_name": "acme/web",
            "properties": [
                {"property_name": "tier", "value": "1"},
                {"property_name": "teams", "value": ["a", "b"]},
                {"property_name": "gone", "value": None},
            ],
        }
    ]
    return items


def _layout(items: list[Any], form: int) -> bytes:
    """The forms `gh api` writes: pages back to back, --slurp, --jq '.[]', one object."""
    if form == 0:
        return _dumps(items)
    if form == 1:
        half = len(items) // 2
        return _dumps(items[:half]) + b"\n" + _dumps(items[half:])
    if form == 2:
        return _dumps([items])
    return b"\n".join(_dumps(item) for item in items)


def check_snapshot(files: list[tuple[str, bytes]]) -> None:
    folder = _Scratch.folder("snapshot")
    for name, raw in files:
        (folder / name).write_bytes(raw)
    try:
        result = SnapshotSource([folder]).fetch()
    except CampaignSyncError as error:
        _clean_error(error)
        return
    check_source_result(result)


def _snapshot_strategy() -> st.SearchStrategy[list[tuple[str, bytes]]]:
    by_file = _snapshot_items()
    seeds = [item for values in by_file.values() for item in values]

    @st.composite
    def files(draw: st.DrawFn) -> list[tuple[str, bytes]]:
        chosen: list[tuple[str, bytes]] = []
        for n in range(draw(st.integers(1, 3))):
            items = [
                draw(mutated_json(seeds)) if draw(st.booleans()) else draw(st.sampled_from(seeds))
                for _ in range(draw(st.integers(0, 4)))
            ]
            raw = _layout(items, draw(st.integers(0, 3)))
            kind = draw(st.integers(0, 9))
            if kind == 0:
                raw = draw(mutated_bytes(st.just(raw)))
            elif kind == 1:
                raw = draw(st.binary(max_size=128))
            elif kind == 2:
                raw = draw(JSON_VALUES.map(_dumps))
            chosen.append((f"part-{n}.json", raw))
        return chosen

    return files()


def huge_snapshots(scale: float = 1.0) -> Iterator[list[tuple[str, bytes]]]:
    """Large and deep snapshot files (``scale`` 1: up to 30 MB)."""
    by_file = _snapshot_items()
    alert = by_file["code-scanning"][0]
    many = []
    for number in range(1, int(5_000 * scale) + 1):
        copied = copy.deepcopy(alert)
        copied["number"] = number
        many.append(copied)
    yield [("many.json", _layout(many, 3))]
    big = copy.deepcopy(alert)
    big["most_recent_instance"]["message"]["text"] = "x" * 5_000_000
    yield [("big.json", _dumps([big]))]
    deep = max(5_000, int(100_000 * scale))  # deeper than any recursion limit, at any scale
    yield [("deep.json", b"[" * deep + b"]" * deep)]
    yield [("deep-object.json", b'{"a":' * deep + b"1" + b"}" * deep)]
    yield [("digits.json", b"[" + b"9" * 100_000 + b"]")]
    yield [("string.json", b'["' + b"a" * 5_000_000)]  # never closed
    topics = dict(by_file["repos"][0], topics=[json.loads("[" * 900 + "]" * 900)])
    yield [("topics.json", _dumps([topics]))]


def _snapshot_levels(every: int = 1) -> Iterator[list[tuple[str, bytes]]]:
    for name, values in _snapshot_items().items():
        for doc in wrong_typed(values[:1], WRONG_TYPES, every):
            yield [(f"{name}.json", _dumps([doc]))]


def targets() -> dict[str, Target]:
    return {
        "loader": Target(
            "loader", _loader_strategy(), check_loader, huge_campaign_files, _loader_levels
        ),
        "sarif": Target("sarif", _sarif_strategy(), check_sarif, _huge_sarif_inputs, _sarif_levels),
        "snapshot": Target(
            "snapshot", _snapshot_strategy(), check_snapshot, huge_snapshots, _snapshot_levels
        ),
    }


# --- running ------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    inputs: int = 0
    sweep_inputs: int = 0
    failures: int = 0
    tracebacks: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    atheris_inputs: int | None = None
    atheris_note: str | None = None


def run_one(target: Target, value: Any) -> None:
    """One input, under the hang guard."""
    with hang_guard():
        target.check(value)


def hypothesis_test(
    target: Target, *, max_examples: int, on_input: Callable[[], None] | None = None
) -> Callable[[], None]:
    """A hypothesis test of ``target``: call it to run ``max_examples`` inputs."""

    @settings(
        max_examples=max_examples,
        deadline=DEADLINE,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(value=target.strategy)
    def test(value: Any) -> None:
        if on_input is not None:
            on_input()
        run_one(target, value)

    return test


def _format_failure(error: BaseException) -> str:
    """The failing frames and the error, and the input hypothesis found, kept short."""
    frames = traceback.extract_tb(error.__traceback__)
    shown = [f for f in frames if "/campaign_sync/" in f.filename or f.name.startswith("check")]
    lines = ["Traceback (innermost frames of campaign-sync):"]
    lines += traceback.format_list(shown[-8:])
    lines += traceback.format_exception_only(type(error), error)
    text = "".join(lines)
    return text if len(text) <= 4_000 else text[:2_000] + "\n...\n" + text[-2_000:]


def fuzz(target: Target, seconds: float, *, batch: int = 200) -> Outcome:
    """The sweep (while time lasts), then random inputs until ``seconds`` have passed."""
    outcome = Outcome()
    started = time.monotonic()
    stop = started + seconds
    for value in target.sweep():
        if time.monotonic() > started + seconds / 2:
            break
        outcome.sweep_inputs += 1
        try:
            run_one(target, value)
        except Exception as error:  # the property failed: record it and go on
            outcome.failures += 1
            outcome.tracebacks.append(_format_failure(error))

    def count() -> None:
        outcome.inputs += 1

    run = 0
    while time.monotonic() < stop:
        run += 1
        test = hypothesis_test(target, max_examples=batch, on_input=count)
        try:
            seed(run)(test)()
        except Exception as error:
            outcome.failures += 1
            outcome.tracebacks.append(_format_failure(error))
    outcome.seconds = round(time.monotonic() - started, 1)
    return outcome


# --- atheris (optional: pip install '.[fuzz]') ----------------------------------------


def _atheris_worker(name: str, argv: list[str]) -> None:  # pragma: no cover - child process
    import atheris

    target = targets()[name]

    def one_input(data: bytes) -> None:
        provider = atheris.FuzzedDataProvider(data)
        if name == "loader":
            value: Any = ("fuzz.yml", provider.ConsumeBytes(len(data)))
        elif name == "sarif":
            value = (provider.ConsumeBytes(len(data)), None)
        else:
            value = [("fuzz.json", provider.ConsumeBytes(len(data)))]
        run_one(target, value)

    corpus = Path(tempfile.mkdtemp(prefix=f"campaign-sync-atheris-{name}-"))
    if name == "loader":
        seeds = [p.read_bytes() for p in CAMPAIGN_SEEDS]
    elif name == "sarif":
        seeds = [p.read_bytes() for p in SARIF_SEEDS]
    else:
        seeds = [_dumps(values) for values in _snapshot_items().values()]
    for n, raw in enumerate(seeds):
        (corpus / f"seed-{n}").write_bytes(raw)
    atheris.instrument_all()
    atheris.Setup([sys.argv[0], *argv, str(corpus)], one_input)
    atheris.Fuzz()


def run_atheris(name: str, seconds: float) -> tuple[int | None, str | None, list[str]]:
    """(inputs run, a note when atheris could not run, tracebacks) for one target."""
    try:
        import atheris  # noqa: F401
    except ImportError as error:
        return None, f"atheris is not installed ({error}); pip install '.[fuzz]'", []
    budget = max(1, int(seconds))
    artifacts = Path(tempfile.mkdtemp(prefix=f"campaign-sync-atheris-{name}-crashes-"))
    command = [
        sys.executable,
        __file__,
        "--atheris-worker",
        name,
        "--",
        f"-max_total_time={budget}",
        "-rss_limit_mb=2048",
        "-timeout=30",
        "-max_len=65536",
        f"-artifact_prefix={artifacts}/",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=budget + 120)
    runs = re.findall(r"Done (\d+) runs", done.stderr)
    inputs = int(runs[-1]) if runs else None
    if done.returncode == 0:
        return inputs, None, []
    found = ", ".join(str(p) for p in sorted(artifacts.iterdir()))
    return inputs, None, [f"inputs that failed: {found}\n{done.stderr[-6_000:]}"]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--atheris-worker"]:
        _atheris_worker(args[1], args[3:] if args[2:3] == ["--"] else args[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per target (default 60)")
    parser.add_argument("--target", action="append", choices=sorted(targets()), default=None)
    parser.add_argument("--json", action="store_true", help="one JSON object as the last line")
    parser.add_argument(
        "--atheris", action="store_true", help="also run atheris for a third of the time"
    )
    options = parser.parse_args(args)
    chosen = options.target or sorted(targets())
    outcomes: dict[str, Outcome] = {}
    for name in chosen:
        target = targets()[name]
        share = options.seconds * (2 / 3 if options.atheris else 1)
        outcome = fuzz(target, share)
        if options.atheris:
            inputs, note, failures = run_atheris(name, options.seconds - share)
            outcome.atheris_inputs, outcome.atheris_note = inputs, note
            outcome.failures += len(failures)
            outcome.tracebacks += failures
        outcomes[name] = outcome
        atheris = "" if outcome.atheris_inputs is None else f", {outcome.atheris_inputs:,} atheris"
        print(
            f"{name}: {outcome.sweep_inputs:,} sweep + {outcome.inputs:,} hypothesis inputs"
            f"{atheris} in {outcome.seconds} s, {outcome.failures} failures",
            flush=True,
        )
        for text in outcome.tracebacks[:3]:
            print(text, file=sys.stderr)
    rss = max_rss_bytes()
    failures = sum(o.failures for o in outcomes.values())
    print(f"max RSS {rss / 1e6:.0f} MB (limit {MAX_RSS_BYTES / 1e6:.0f} MB)")
    if options.json:
        print(
            json.dumps(
                {
                    "seconds_per_target": options.seconds,
                    "targets": {
                        name: {
                            "inputs": o.inputs + o.sweep_inputs + (o.atheris_inputs or 0),
                            "hypothesis_inputs": o.inputs,
                            "sweep_inputs": o.sweep_inputs,
                            "atheris_inputs": o.atheris_inputs,
                            "atheris_note": o.atheris_note,
                            "failures": o.failures,
                            "seconds": o.seconds,
                            "tracebacks": o.tracebacks,
                        }
                        for name, o in outcomes.items()
                    },
                    "failures": failures,
                    "tracebacks": sum(len(o.tracebacks) for o in outcomes.values()),
                    "max_rss_bytes": rss,
                    "rss_within_limit": rss <= MAX_RSS_BYTES,
                },
                sort_keys=True,
            )
        )
    return 1 if failures or rss > MAX_RSS_BYTES else 0


if __name__ == "__main__":
    sys.exit(main())
