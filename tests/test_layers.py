"""The import structure of ``src/helpers``: one way through the code.

The graph is read from the source with :mod:`ast` (every ``import`` and ``from ... import``,
at module level or inside a function), so it can be rebuilt with nothing but Python:
``python -m pytest tests/test_layers.py -q``. What it holds:

* no import cycle anywhere in ``src/``;
* the general library never imports a paper package (``helpers.papers.SLUG``), and only the
  three drivers that run papers import the papers' registry access (``helpers.papers``): the
  command line, the book's Sphinx extension and the sweep engine;
* inside a paper the layers import downwards only (variables <- measurement <- process <-
  estimation <- calibration), and no paper imports another;
* no module imports a helpers module inside a function, except the command line, which
  defers heavy imports until a command runs.

Each rule is also shown able to fail on a graph built to break it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from helpers.papers.interface import LAYERS

SRC = Path(__file__).resolve().parents[1] / "src"
LAZY_IMPORTS_ALLOWED = {"helpers.cli"}
MAX_GENERAL_TO_PAPERS = 3  # helpers.cli, helpers.sphinx_ext, helpers.sweep.engine


def module_files(src: Path = SRC) -> dict[str, Path]:
    """Dotted module name -> file, for every module under ``src``."""
    files = {}
    for path in sorted(src.rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    return files


def import_graph(files: dict[str, Path]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(edges, lazy): ``(importer, imported)`` between modules of ``files``; ``lazy`` are
    those made inside a function."""
    edges, lazy = set(), set()
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_function = {
            id(node)
            for fn in ast.walk(tree)
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(fn)
        }
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in files else node.module
                    for a in node.names
                ]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                if target in files and target != name:
                    edges.add((name, target))
                    if id(node) in in_function:
                        lazy.add((name, target))
    return edges, lazy


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted({m for edge in edges for m in edge}):
        if v not in index:
            visit(v)
    return found


def paper_of(module: str) -> str | None:
    """The paper slug of a module of ``helpers.papers.SLUG``, else None."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[:2] == ["helpers", "papers"]:
        return parts[2] if (SRC / "helpers" / "papers" / parts[2]).is_dir() else None
    return None


def layer_rank(module: str) -> int:
    """A paper module's layer, lowest 0; the package's ``__init__`` is above every layer."""
    last = module.split(".")[-1]
    return LAYERS.index(last) if last in LAYERS else len(LAYERS)


def violations(edges: set[tuple[str, str]], lazy: set[tuple[str, str]]) -> dict[str, list]:
    """Every broken rule of the module docstring, by rule."""
    papers_root = {m for edge in edges for m in edge if m.startswith("helpers.papers")}
    papers_root = {m for m in papers_root if paper_of(m) is None}
    general = [
        (a, b) for a, b in edges if not a.startswith("helpers.papers") and paper_of(b) is not None
    ]
    to_root = sorted(
        {a for a, b in edges if not a.startswith("helpers.papers") and b in papers_root}
    )
    upward, across = [], []
    for a, b in edges:
        pa, pb = paper_of(a), paper_of(b)
        if pa and pb and pa != pb:
            across.append((a, b))
        elif pa and pa == pb and layer_rank(a) <= layer_rank(b):
            upward.append((a, b))
        elif pa is None and a in papers_root and pb is not None:
            upward.append((a, b))
    return {
        "cycles": cycles(edges),
        "general imports a paper": sorted(general),
        "too many general modules import the papers' registry": (
            to_root if len(to_root) > MAX_GENERAL_TO_PAPERS else []
        ),
        "a paper layer imports upwards": sorted(upward),
        "a paper imports another paper": sorted(across),
        "function-level import": sorted((a, b) for a, b in lazy if a not in LAZY_IMPORTS_ALLOWED),
    }


def test_the_code_has_one_way_through_it():
    edges, lazy = import_graph(module_files())
    broken = {rule: found for rule, found in violations(edges, lazy).items() if found}
    assert broken == {}


def test_every_paper_has_its_five_layers_and_they_are_in_the_graph():
    files = module_files()
    papers = {paper_of(m) for m in files} - {None}
    assert {"gtfp", "coordination", "synergy", "producer_services", "bigdata_did"} <= papers
    for slug in papers:
        assert {f"helpers.papers.{slug}.{layer}" for layer in LAYERS} <= set(files), slug


def test_the_general_library_imports_the_papers_registry_from_at_most_two_modules():
    edges, _ = import_graph(module_files())
    importers = {
        a
        for a, b in edges
        if not a.startswith("helpers.papers")
        and b in {"helpers.papers", "helpers.papers.interface"}
    }
    assert len(importers) <= MAX_GENERAL_TO_PAPERS, importers


@pytest.mark.parametrize(
    ("edges", "lazy", "rule"),
    [
        ({("helpers.a", "helpers.b"), ("helpers.b", "helpers.a")}, set(), "cycles"),
        ({("helpers.dea", "helpers.papers.gtfp.measurement")}, set(), "general imports a paper"),
        (
            {("helpers.papers.gtfp.process", "helpers.papers.gtfp.estimation")},
            set(),
            "a paper layer imports upwards",
        ),
        (
            {("helpers.papers.gtfp.measurement", "helpers.papers.gtfp")},
            set(),
            "a paper layer imports upwards",
        ),
        (
            {("helpers.papers.synergy.process", "helpers.papers.gtfp.measurement")},
            set(),
            "a paper imports another paper",
        ),
        (
            {
                ("helpers.panel", "helpers.papers"),
                ("helpers.io", "helpers.papers"),
                ("helpers.tables", "helpers.papers.interface"),
                ("helpers.did", "helpers.papers"),
            },
            set(),
            "too many general modules import the papers' registry",
        ),
        (
            {("helpers.papers.gtfp.measurement", "helpers.dea")},
            {("helpers.papers.gtfp.measurement", "helpers.dea")},
            "function-level import",
        ),
    ],
)
def test_each_rule_catches_a_graph_built_to_break_it(edges, lazy, rule):
    found = violations(edges, lazy)
    assert found[rule], rule
    assert all(not v for r, v in found.items() if r != rule)
