"""The shape of the code (issue 15): no import cycle, layers that point one way, small
modules. Read from the source with ``ast``: nothing is imported or run."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400
# What may import a renderer (campaign_sync.render): the renderers, the reports (renderers
# of files), the destinations (each shows progress somewhere, in its own words) and the
# outputs (commands, the CLI, a saved plan's JSON). The planner and the core never do.
OUTPUTS = (
    "campaign_sync.render",
    "campaign_sync.reports",
    "campaign_sync.commands",
    "campaign_sync.destinations",
)


def modules(folder: Path, names_from: Path) -> dict[str, Path]:
    """The modules under ``folder``, named as imported from ``names_from``."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        name = ".".join(path.relative_to(names_from).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every module of ``known`` that ``name`` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                target = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            # `from package import module` imports the module; the package is its parent,
            # imported first anyway, so it is no edge of its own.
            submodules = [f"{target}.{alias.name}" for alias in node.names]
            candidates = [m for m in submodules if m in known] or [target]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        yield from (c for c in candidates if c in known and c != name)


def graph(folder: Path, names_from: Path) -> dict[str, set[str]]:
    known = modules(folder, names_from)
    return {name: set(imports(name, path, known)) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(edges[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


SOURCE = graph(ROOT / "src", ROOT / "src")


def test_no_import_cycle_in_the_tool_the_fake_github_or_the_harnesses() -> None:
    assert cycles(SOURCE) == []
    assert cycles(graph(ROOT / "testing", ROOT)) == []


def test_nothing_below_the_commands_imports_them() -> None:
    wrong = {
        name: sorted(t for t in targets if t.startswith("campaign_sync.commands"))
        for name, targets in SOURCE.items()
        if not name.startswith(("campaign_sync.commands", "campaign_sync.cli"))
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_the_core_imports_no_renderer() -> None:
    wrong = {
        name: sorted(t for t in targets if t.startswith("campaign_sync.render"))
        for name, targets in SOURCE.items()
        if not name.startswith(OUTPUTS)
        and not name.startswith("campaign_sync.cli")  # cli.py and its cli_*.py
        and name != "campaign_sync.saved_plan"
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_no_module_over_400_lines() -> None:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in modules(ROOT / "src", ROOT / "src").items()
    }
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {}


UPPER = (
    "campaign_sync.plan",
    "campaign_sync.campaign_plan",
    "campaign_sync.apply",
    "campaign_sync.destinations",
    "campaign_sync.commands",
    "campaign_sync.cli",
    "campaign_sync.render",
    "campaign_sync.reports",
)


def test_the_client_and_the_model_import_nothing_above_them() -> None:
    lower = ("campaign_sync.github", "campaign_sync.model")
    wrong = {
        name: sorted(t for t in targets if t.startswith(UPPER))
        for name, targets in SOURCE.items()
        if name.startswith(lower)
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_destinations_are_called_by_the_planner_and_apply_not_the_reverse() -> None:
    wrong = {
        name: sorted(
            t
            for t in targets
            if t.startswith(
                ("campaign_sync.plan", "campaign_sync.campaign_plan", "campaign_sync.apply")
            )
            and not t.startswith("campaign_sync.planned")
        )
        for name, targets in SOURCE.items()
        if name.startswith("campaign_sync.destinations")
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_the_architecture_page_s_diagram_is_one_mermaid_renders() -> None:
    from test_reports_chart import mermaid_parse

    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    blocks = page.split("```mermaid\n")[1:]
    diagrams = [block.split("```", 1)[0] for block in blocks]
    assert diagrams
    assert [result["ok"] for result in mermaid_parse(diagrams)] == [True] * len(diagrams)
