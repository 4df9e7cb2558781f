"""The package's import graph: no cycles between its parts, and layers that point one way.

Every module's imports are read with ``ast`` (those inside functions too: a cycle hidden in a
function is still a cycle) and mapped to the part of the package they belong to: a subpackage
(``glassdyn.run``) or a top-level module (``glassdyn.cli``). Intended layers, lowest first::

    units, plugin_path, _checks         leaves
    _core                               the Cython binding (on _checks only: its one array converter)
    schema                              the output layouts declared in C++ (on _core)
    launching                           starting LAMMPS (binary, mpiexec, environment, launchers)
    io, analysis                        offline analysis of dumps
    deepmd                              DeePMD-kit helpers (on launching)
    run                                 the campaign driver (on launching, deepmd)
    results                             harvest, store, report (on run's config and plan)
    scheduler                           Slurm jobs of a campaign (on run; beside results, never importing it)
    campaign                            the orchestrator: run, then harvest
    comparison                          several finished campaigns side by side (on results)
    cli, glassdyn (the package facade), __main__
"""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterable, Optional

import pytest

PACKAGE = "glassdyn"

#: Rank of each part of the campaign stack: an import must go to a part of lower rank. Parts not
#: listed (the offline analysis, parts added later) are checked for cycles and by FORBIDDEN.
LAYERS: dict[str, int] = {
    "glassdyn.units": 0, "glassdyn.plugin_path": 0, "glassdyn.schema": 0,
    "glassdyn.launching": 1,
    "glassdyn.deepmd": 2,
    "glassdyn.run": 3,
    "glassdyn.results": 4, "glassdyn.scheduler": 4,
    "glassdyn.campaign": 5, "glassdyn.comparison": 5,
    "glassdyn.cli": 6, "glassdyn": 6,
    "glassdyn.__main__": 7,
}

#: Imports the design forbids outright, whatever else changes (issue 11, item 5).
FORBIDDEN: list[tuple[str, str]] = [
    ("glassdyn.analysis", "glassdyn.run"), ("glassdyn.analysis", "glassdyn.results"),
    ("glassdyn.deepmd", "glassdyn.run"), ("glassdyn.deepmd", "glassdyn.results"),
    ("glassdyn.run", "glassdyn.results"), ("glassdyn.run", "glassdyn.campaign"), ("glassdyn.run", "glassdyn.cli"),
    ("glassdyn.launching", "glassdyn.run"), ("glassdyn.launching", "glassdyn.deepmd"),
    ("glassdyn.launching", "glassdyn.results"),
    ("glassdyn.io", "glassdyn.run"), ("glassdyn.io", "glassdyn.results"),
    # Slurm stays out of the driver: jobs run plain `glassdyn run --only PART` (issue 17).
    ("glassdyn.run", "glassdyn.scheduler"), ("glassdyn.launching", "glassdyn.scheduler"),
    ("glassdyn.scheduler", "glassdyn.results"), ("glassdyn.results", "glassdyn.scheduler"),
    # The output schema is a leaf under everything that names outputs (issue 11, item 3).
    ("glassdyn.schema", "glassdyn.analysis"), ("glassdyn.schema", "glassdyn.run"),
    ("glassdyn.schema", "glassdyn.results"), ("glassdyn.schema", "glassdyn.launching"),
    # Comparing reads finished results only: it never runs, schedules or harvests a campaign (issue 14).
    ("glassdyn.results", "glassdyn.comparison"), ("glassdyn.run", "glassdyn.comparison"),
    ("glassdyn.comparison", "glassdyn.run"), ("glassdyn.comparison", "glassdyn.campaign"),
    ("glassdyn.comparison", "glassdyn.scheduler"),
]


def package_root() -> Path:
    """The source tree next to the tests, else the installed package."""
    source = Path(__file__).resolve().parents[1] / "python" / PACKAGE
    if source.is_dir():
        return source
    import glassdyn

    return Path(glassdyn.__file__).parent


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def part_of(module: str) -> str:
    """The subpackage or top-level module a dotted module name belongs to."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else PACKAGE


def imported_modules(tree: ast.AST, module: str, is_package: bool, root: Path) -> Iterable[str]:
    """Every glassdyn module an ``import`` names, anywhere in the file (functions included)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != PACKAGE:
                yield target
                continue
            for alias in node.names:  # `from glassdyn import _core` imports glassdyn._core, not the facade
                candidate = f"{target}.{alias.name}"
                yield candidate if _exists(root, candidate) else PACKAGE


def _exists(root: Path, module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return ((root / relative).is_dir() or (root / relative).with_suffix(".py").exists()
            or any(root.glob(f"{relative}.*.so")) or (root / relative).with_suffix(".pyx").exists())


def import_graph(root: Path) -> dict[str, dict[str, set[str]]]:
    """part -> imported part -> the modules whose imports make that edge (for messages)."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in sorted(root.rglob("*.py")):
        module = module_name(root, path)
        source = part_of(module)
        graph.setdefault(source, {})
        tree = ast.parse(path.read_text(), filename=str(path))
        for target in imported_modules(tree, module, path.name == "__init__.py", root):
            if target != PACKAGE and not target.startswith(PACKAGE + "."):
                continue
            destination = part_of(target)
            if destination != source:
                graph[source].setdefault(destination, set()).add(module)
    return graph


def find_cycle(edges: dict[str, Iterable[str]]) -> Optional[list[str]]:
    """One cycle of a directed graph as a closed path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> Optional[list[str]]:
        state[node] = 1
        path.append(node)
        for following in sorted(edges.get(node, ())):
            if state.get(following) == 1:
                return path[path.index(following):] + [following]
            if following not in state:
                found = visit(following)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


@pytest.fixture(scope="module")
def graph() -> dict[str, dict[str, set[str]]]:
    return import_graph(package_root())


def describe(graph: dict[str, dict[str, set[str]]], source: str, target: str) -> str:
    return f"{source} -> {target} (in {', '.join(sorted(graph[source][target]))})"


def test_the_graph_sees_imports_inside_functions(graph):
    """The facade imports the orchestrator only inside ``__getattr__``; the walk must see it."""
    assert "glassdyn.campaign" in graph["glassdyn"]
    assert "glassdyn.run" in graph["glassdyn.campaign"] and "glassdyn.results" in graph["glassdyn.campaign"]


def test_no_cycle_between_parts_of_the_package(graph):
    edges = {source: set(targets) for source, targets in graph.items()}
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + "; ".join(describe(graph, a, b) for a, b in zip(cycle, cycle[1:]))


@pytest.mark.parametrize("source,target", FORBIDDEN)
def test_forbidden_imports(graph, source, target):
    assert target not in graph.get(source, {}), "forbidden import: " + describe(graph, source, target)


def test_layers_point_one_way(graph):
    wrong = [describe(graph, source, target) for source, targets in graph.items() for target in targets
             if source in LAYERS and target in LAYERS and LAYERS[target] >= LAYERS[source]]
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_launching_stands_on_the_leaves_only(graph):
    """Launching is the bottom layer: the driver, the DeePMD helpers and the tests all start LAMMPS through it."""
    assert set(graph["glassdyn.launching"]) <= {"glassdyn.plugin_path", "glassdyn.units"}


def test_the_binding_stands_on_the_input_checks_only():
    """_core.pyx (Cython, which ast cannot read) may import glassdyn._checks, the leaf whose checks
    its array converter applies, and nothing else of the package: the analysis classes sit on
    top of it, never below."""
    text = (package_root() / "_core.pyx").read_text() if (package_root() / "_core.pyx").exists() else ""
    if not text:
        pytest.skip("installed without the Cython source")
    imported = set(re.findall(r"^\s*(?:from\s+(glassdyn[\w.]*)\s+c?import\s+([\w, ]+)|c?import\s+(glassdyn[\w.]*))",
                              text, re.MULTILINE))
    names = {f"{base}.{name.strip()}" if base == PACKAGE else (base or plain)
             for base, names_, plain in imported for name in (names_ or "x").split(",")}
    assert names <= {"glassdyn._checks"}, f"_core.pyx imports {sorted(names)}"


def test_the_input_checks_are_a_leaf(graph):
    assert graph.get("glassdyn._checks", {}) == {}


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"a"}}) == ["a", "a"]
