"""The package's import graph has no cycles, counting imports inside functions too.

A lazy import written to dodge a cycle hides the cycle from Python but not from this test: the
data flows one way (instrument → checks → generator; intake → analysis → outputs and report),
and a module that needs something from a later stage is in the wrong place.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "collate"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, modules: set[str], here: str) -> set[str]:
    """Every collate module imported anywhere in `tree`, except under `if TYPE_CHECKING:`."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative import
                pkg = here.split(".")[: -node.level] if node.level else []
                base = ".".join([*pkg, node.module])
            submodules = {f"{base}.{a.name}" for a in node.names} & modules
            found.update(submodules)
            # `from collate.report import numbers` imports the module `numbers`; its package's
            # __init__ runs too, but it is the module the code depends on.
            if len(submodules) < len(node.names):
                found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in modules and m != here}


def import_graph() -> dict[str, set[str]]:
    """Each collate module → the collate modules it imports."""
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for p in paths:
        here = _module_name(p)
        for target in _imports(ast.parse(p.read_text(encoding="utf-8")), modules, here):
            # Importing a submodule runs its package's __init__ too, but the packages' __init__
            # files here import nothing that leads back, so the edge to the module itself is
            # what matters.
            graph[here].add(target)
    return graph


def test_the_graph_is_drawn_from_the_real_package():
    graph = import_graph()
    assert "collate.checks.catalogue" in graph["collate.load"]
    assert "collate.instrument.model" in graph["collate.load"]
    assert sum(len(t) for t in graph.values()) > 50


def test_no_module_imports_itself_back():
    try:
        graphlib.TopologicalSorter(import_graph()).prepare()
    except graphlib.CycleError as exc:
        raise AssertionError("import cycle: " + " → ".join(exc.args[1])) from None


def test_instrument_and_checks_do_not_import_each_other():
    graph = import_graph()
    instrument = [n for n in graph if n.startswith("collate.instrument")]
    for n in instrument:
        assert not any(t.startswith("collate.checks") for t in graph[n]), n


# The stages in the order data flows through them. A stage may import from an earlier one or
# its own, never from a later one. Outputs and the report are the two ends of the line, side by
# side. Not listed: the foundations every stage uses (contract, errors, settings, load), rounds
# (carried-forward answers at intake, progress after the analysis) and samples (a user of all).
STAGES = [
    ["instrument"],
    ["checks"],
    ["generator"],
    ["intake"],
    ["measures"],
    ["analysis"],
    ["outputs", "report"],
]


def _stage(module: str) -> int | None:
    part = module.split(".")[1] if module.count(".") else ""
    for i, names in enumerate(STAGES):
        if part in names:
            return i
    return None


def test_the_stages_run_one_way():
    """No earlier stage imports a later one: the instrument and checks know nothing of reading,
    analysis or outputs; intake knows nothing of analysis, outputs or the report."""
    graph = import_graph()
    backwards = []
    for n, targets in graph.items():
        here = _stage(n)
        for t in targets:
            there = _stage(t)
            if here is not None and there is not None and there > here:
                backwards.append(f"{n} imports {t}")
    assert not backwards, "a stage imports a later one: " + "; ".join(sorted(backwards))


def test_the_foundations_import_no_stage():
    graph = import_graph()
    for n in ("collate.contract", "collate.errors"):
        assert not graph[n], f"{n} imports {sorted(graph[n])}"
