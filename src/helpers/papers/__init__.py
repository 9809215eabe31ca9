"""The book's papers: one package per paper, ``helpers.papers.SLUG``, found through the
registry (:mod:`helpers.registry`, ``data/papers.yml``).

``paper(slug)`` is the paper's package (its chapter API, :mod:`helpers.papers.interface`);
``simulate(slug, seed)`` and ``write_panel(slug, path, seed)`` run its generating process,
as ``replicate simulate SLUG [--seed N] [--out FILE]`` does; ``units(slug)`` is its
sampling frame. :func:`missing_parts` lists what a paper still lacks (the completeness test
and ``replicate new`` use it) and :func:`papers_table` is the book's list of papers. The
packages are imported by name from the registry, so this module imports no paper itself.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pandas as pd

from helpers.contract import load_contract
from helpers.errors import InputError
from helpers.io import validate_file
from helpers.papers.interface import INTERFACE, LAYERS, NOT_WRITTEN
from helpers.paths import DATA_DIR, NOTEBOOKS_DIR, PACKAGE_DIR, PARAMS_DIR, PUBLISHED_CSV
from helpers.published import load_cells
from helpers.registry import entries, entry
from helpers.runner import declared_parameters, resolve_parameters

FLOAT_FORMAT = "%.10g"
"""Ten significant digits: far beyond the data's precision, and stable across platforms."""

SECTIONS: tuple[str, ...] = (
    "Overview",
    "Data",
    "Measurement",
    "Baseline",
    "Mechanisms",
    "Robustness",
    "Heterogeneity",
    "Reading the paper critically",
    "Key ideas",
    "Exercises",
)
"""The second-level headings of every replication chapter, in order (a heading may go on,
e.g. "Baseline (Table 3)")."""


PLURALS = {"province": "provinces", "city": "cities"}


def paper(slug: str) -> ModuleType:
    """The package of the registered paper ``slug`` (its chapter API)."""
    return importlib.import_module(entry(slug).package)


def has_process(slug: str) -> bool:
    """Whether paper ``slug`` has a written generating process: its planted-parameter table
    ``data/simulation/SLUG_parameters.csv`` exists (a new paper's scaffold has none)."""
    entry(slug)
    return (DATA_DIR / "simulation" / f"{slug}_parameters.csv").is_file()


def simulate(slug: str, seed: int | None = None, **overrides: float) -> pd.DataFrame:
    """The simulated raw panel of paper ``slug`` (its default seed if ``seed`` is None)."""
    return paper(slug).simulate(seed, **overrides)


def units(slug: str) -> pd.DataFrame:
    """The sampling frame of paper ``slug``: its units with their group flags."""
    return paper(slug).units()


def write_panel(slug: str, path: str | Path, seed: int | None = None, **overrides: float) -> Path:
    """Write :func:`simulate` as UTF-8 CSV (same seed, same bytes) and return the path."""
    path = Path(path)
    panel = simulate(slug, seed, **overrides)
    panel.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return path


def chapter_parameters(slug: str, **overrides: object) -> dict[str, object]:
    """The parameters of chapter ``slug``: its notebook's defaults (the parameters cell, the
    one place they are written) with ``overrides`` by name, each checked against the
    declared name and type (:func:`helpers.runner.resolve_parameters`)."""
    declared = declared_parameters(NOTEBOOKS_DIR / f"{entry(slug).slug}.ipynb")
    return resolve_parameters(declared, overrides=overrides, slug=slug)


def run_pipeline(
    slug: str, panel: pd.DataFrame, published: pd.DataFrame | None = None, **overrides: object
) -> pd.DataFrame:
    """Chapter ``slug``'s computation on a raw ``panel``, from its measurement to its tidy
    cells (the paper's ``pipeline``), with the chapter's parameters
    (:func:`chapter_parameters`); what the sweeps and ``replicate validate`` run.

    An override that is not a notebook parameter but an optional argument of the paper's
    ``pipeline`` (gtfp's ``alternatives``, coordination's ``entropy_by``) is passed through
    as it is: the sweeps set them, the chapters keep their defaults."""
    module = paper(slug)
    published = load_cells() if published is None else published
    return module.pipeline(panel, published, **_pipeline_keywords(slug, module.pipeline, overrides))


def run_measured_pipeline(
    slug: str, panel: pd.DataFrame, published: pd.DataFrame | None = None, **overrides: object
) -> tuple[pd.DataFrame, object]:
    """:func:`run_pipeline` with the measurement the cells were estimated on (the paper's
    ``measured_pipeline``): the sweeps reuse it for the seed's known truth."""
    module = paper(slug)
    published = load_cells() if published is None else published
    keywords = _pipeline_keywords(slug, module.measured_pipeline, overrides)
    return module.measured_pipeline(panel, published, **keywords)


def _pipeline_keywords(
    slug: str, function: Callable[..., object], overrides: dict[str, object]
) -> dict[str, object]:
    """The keyword arguments of a paper's pipeline function: the chapter's parameters with
    ``overrides`` (checked against the notebook's declarations), and the function's own
    optional arguments passed through."""
    accepted = inspect.signature(function).parameters
    declared = {p.name for p in declared_parameters(NOTEBOOKS_DIR / f"{entry(slug).slug}.ipynb")}
    optional = {
        name: value
        for name, value in overrides.items()
        if name not in declared
        and name in accepted
        and accepted[name].default is not inspect.Parameter.empty
    }
    values = chapter_parameters(
        slug, **{name: value for name, value in overrides.items() if name not in optional}
    )
    return {name: value for name, value in values.items() if name in accepted} | optional


def check_readers_file(
    slug: str,
    data: str | Path,
    mapping: str = "",
    *,
    sheet: str = "",
    delimiter: str = "",
    **parameters: object,
) -> list[str]:
    """Everything ``replicate run`` checks before a chapter estimates, on a reader's file:
    the contract (:func:`helpers.io.validate_file`), then the chapter's own preparation and
    estimation (:func:`run_pipeline` with the chapter's ``parameters``). Returns the
    problems, one line each (empty: the chapter runs to the end on this file). This is what
    ``replicate validate`` runs, and ``replicate run`` runs it first on a reader's file, so a
    file one accepts the other completes, and a file one rejects the other rejects with the
    same message."""
    problems = validate_file(slug, data, mapping or None, sheet or None, delimiter or None)
    if problems:
        return [str(problem) for problem in problems]
    try:
        panel = paper(slug).load_panel(str(data), mapping, sheet=sheet, delimiter=delimiter)
        run_pipeline(slug, panel, **parameters)
    except InputError as exc:
        return [str(exc)]
    return []


def papers_table() -> pd.DataFrame:
    """The book's papers from the registry and their contracts: slug, title, paper file,
    sample, default seed and whether the chapter is finished or a draft."""
    rows = []
    for e in entries():
        contract = load_contract(e.slug)
        sample = contract.sample
        rows.append(
            {
                "slug": e.slug,
                "paper": contract.title,
                "cite": contract.cite or "",
                "file": contract.paper,
                "data": f"{sample.units} {PLURALS.get(sample.kind, sample.kind)}, "
                f"{sample.first_year}-{sample.last_year}",
                "default seed": e.default_seed,
                "chapter": "draft" if e.draft else "finished",
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- completeness
def _placeholders(path: Path) -> list[str]:
    """Functions of a module whose body is still the scaffold's ``not_written(...)`` call."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any(
            isinstance(call, ast.Call) and getattr(call.func, "id", None) == "not_written"
            for call in ast.walk(node)
        )
    ]


def _notebook_parts(slug: str) -> list[str]:
    path = NOTEBOOKS_DIR / f"{slug}.ipynb"
    if not path.is_file():
        return [f"notebook: notebooks/{slug}.ipynb does not exist (replicate new {slug})"]
    missing = []
    seed = {p.name: p.default for p in declared_parameters(path)}.get("seed")
    if seed != entry(slug).default_seed:
        missing.append(
            f"notebook: the parameter seed defaults to {seed!r}, the registry's default seed "
            f"is {entry(slug).default_seed} (data/papers.yml); make them equal"
        )
    import nbformat  # here: 0.1 s of every chapter's imports, for `completeness` only

    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    headings = [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]
    for section in SECTIONS:
        if not any(h.startswith(section) for h in headings):
            missing.append(f"notebook: no section '## {section}'")
    for cell in nb.cells:
        if cell.cell_type == "markdown" and NOT_WRITTEN in cell.source:
            heading = next((ln for ln in cell.source.splitlines() if ln.startswith("#")), "")
            missing.append(f"notebook: section '{heading.lstrip('# ')}' is not written yet")
    if not (PARAMS_DIR / "quick" / f"{slug}.yml").is_file():
        missing.append(f"quick parameters: params/quick/{slug}.yml does not exist")
    return missing


def missing_parts(slug: str) -> list[str]:
    """What paper ``slug`` still lacks to be a finished chapter, one line each (empty when
    complete): its package layers and interface (:mod:`helpers.papers.interface`), its
    contract and published cells, its generating process and committed panel, its notebook
    (the registry's default seed, the book's sections, none left unwritten) and its quick
    parameters. Run from a checkout (the notebooks are not part of the package)."""
    e = entry(slug)
    folder = PACKAGE_DIR / "papers" / slug
    missing = [
        f"package: src/helpers/papers/{slug}/{layer}.py does not exist"
        for layer in LAYERS
        if not (folder / f"{layer}.py").is_file()
    ]
    for layer in LAYERS:
        path = folder / f"{layer}.py"
        if path.is_file():
            missing += [
                f"package: {layer}.{name}() is still the scaffold's placeholder"
                for name in _placeholders(path)
            ]
    try:
        module = importlib.import_module(e.package)
    except Exception as exc:  # the point is to report any failure, whatever it is
        missing.append(f"package: {e.package} does not import ({type(exc).__name__}: {exc})")
    else:
        missing += [
            f"package: {e.package} does not expose {name}"
            for name in INTERFACE
            if not hasattr(module, name)
        ]
    contract = load_contract(slug)
    cells = pd.read_csv(PUBLISHED_CSV, usecols=["paper"], dtype=str)
    if not (cells["paper"] == contract.paper).any():
        missing.append(
            f"published cells: none for paper '{contract.paper}' (the contract's paper file "
            "stem) in data/published/published_results.csv"
        )
    if not has_process(slug):
        missing.append(f"process: data/simulation/{slug}_parameters.csv does not exist")
    if not (DATA_DIR / "simulated" / f"{slug}.csv").is_file():
        missing.append(
            f"process: data/simulated/{slug}.csv does not exist "
            f"(replicate simulate {slug} --out data/simulated/{slug}.csv)"
        )
    return missing + _notebook_parts(slug)
