"""The layout of docs/architecture.md holds: every import, including those inside functions,
goes to the same layer or one below, and no modules import each other in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: top (0) to bottom; a module may import from its own layer and the layers below it
LAYERS: list[tuple[str, ...]] = [
    ("tourplanner", "tourplanner.web", "tourplanner.api", "tourplanner.cli", "tourplanner.testing"),
    ("tourplanner.exports",),
    ("tourplanner.services",),
    ("tourplanner.planning",),
    ("tourplanner.catalogue", "tourplanner.travel"),
    ("tourplanner.storage", "tourplanner.jobs"),
    (
        "tourplanner.config",
        "tourplanner.errors",
        "tourplanner.festivals",
        "tourplanner.i18n",
        "tourplanner.log",
        "tourplanner.text",
        "tourplanner.validation",
    ),
    ("solver",),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in ("tourplanner", "solver"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # alembic's revision scripts, loaded by file path
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules *name* imports anywhere in its body (functions included)."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            # the longest project module the import names ("from a import b" may name a.b)
            while candidate and candidate not in MODULES:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def layer_of(module: str) -> int:
    best, found = -1, None
    for index, layer in enumerate(LAYERS):
        for prefix in layer:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    if found is None:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and the docs")
    return found


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_imports_go_down_the_layers():
    upward = [
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if layer_of(target) < layer_of(module)
    ]
    assert not upward, "\n".join(upward)


def test_solver_is_a_library():
    leaks = [
        f"{m} imports {t}"
        for m, ts in GRAPH.items()
        if m.startswith("solver")
        for t in ts
        if not t.startswith("solver")
    ]
    assert not leaks, leaks


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    # a package's __init__ is imported with each of its modules: an import of the package
    # from inside it is not an edge of its own
    graph = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in GRAPH.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("shadowed", ["queue", "calendar", "holidays", "typing", "json"])
def test_no_module_shadows_a_library(shadowed):
    assert not any(m.rpartition(".")[2] == shadowed for m in MODULES if "." in m)


def test_the_walk_sees_imports_inside_functions():
    # cli.init_app imports its sub-commands inside the function, and the app factory its parts
    assert "tourplanner.cli.batch" in GRAPH["tourplanner.cli"]
    assert "tourplanner.web.planner" in GRAPH["tourplanner"]
    assert layer_of("tourplanner.services.plan_job") < layer_of("tourplanner.planning.build")
    assert layer_of("tourplanner.festivals") > layer_of("tourplanner.catalogue.models")
