"""``replicate new SLUG``: the skeleton of a new paper's chapter, ready to be filled in.

It writes, under a repository root (a checkout: the notebooks are not in the package):

* ``src/helpers/papers/SLUG/``: the five layers of :mod:`helpers.papers.interface`, each
  function of the paper interface a placeholder that raises
  :func:`helpers.papers.interface.not_written` until it is written;
* ``data/contracts/SLUG.yml``: a contract with the panel keys only;
* ``notebooks/SLUG.ipynb``: the book's section skeleton (Overview ... Exercises), each section
  marked "not written yet", and ``params/quick/SLUG.yml``;
* an entry ``{slug: SLUG, default_seed: ..., draft: true}`` at the end of
  ``data/papers.yml``.

The paper is a *draft*: the table of contents leaves it out, the tests that run every
finished paper skip it, and the completeness test lists what it still lacks
(:func:`helpers.papers.missing_parts`). ``book/contributing.md`` walks through the layers.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import yaml

from helpers.errors import InputError
from helpers.papers import SECTIONS
from helpers.papers.interface import LAYERS, NOT_WRITTEN
from helpers.registry import slugs

SLUG_RULE = re.compile(r"[a-z][a-z0-9_]{1,30}")
DEFAULT_SEED = 1

_HEADER = '"""Paper {slug}: {what} (a scaffold of ``replicate new``; see book/contributing.md)."""'

_MODULES = {
    "variables": """{header}

from __future__ import annotations

from helpers.contract import load_contract
from helpers.registry import entry

SLUG = "{slug}"
CONTRACT = load_contract(SLUG)
PAPER = CONTRACT.paper
UNIT, TIME = CONTRACT.keys
DEFAULT_SEED = entry(SLUG).default_seed
""",
    "measurement": '''{header}

from __future__ import annotations

import pandas as pd

from helpers.papers.interface import Measurement, not_written
from helpers.papers.{slug}.variables import SLUG


def measure(panel: pd.DataFrame, **choices) -> Measurement:
    """The paper's variables from a raw panel."""
    raise not_written(SLUG, "measurement.measure")
''',
    "process": '''{header}

from __future__ import annotations

import pandas as pd

from helpers.papers import interface
from helpers.papers.interface import not_written
from helpers.papers.{slug}.variables import SLUG

KNOBS: dict[str, float] = {{}}
"""The chapter's teaching knobs (rows of the parameter table a reader may move)."""


def units() -> pd.DataFrame:
    """The paper's sampling frame (see helpers.simulate.frame)."""
    raise not_written(SLUG, "process.units")


def simulate(seed: int | None = None, **overrides: float) -> pd.DataFrame:
    """The generating process of the simulated panel."""
    raise not_written(SLUG, "process.simulate")


def load_panel(
    data: str = "simulated",
    mapping: str = "",
    seed: int | None = None,
    *,
    sheet: str = "",
    delimiter: str = "",
    **knobs: float,
) -> pd.DataFrame:
    """The raw panel: simulated, or a reader's file validated against the contract."""
    return interface.load_panel(
        SLUG, simulate, data, mapping, seed, knobs, KNOBS, sheet=sheet, delimiter=delimiter
    )


def planted_truth() -> pd.DataFrame:
    """The generating process's structural values the chapter shows."""
    raise not_written(SLUG, "process.planted_truth")
''',
    "estimation": '''{header}

from __future__ import annotations

import pandas as pd

from helpers.papers.interface import Estimates, Measurement, not_written
from helpers.papers.{slug}.variables import SLUG


def estimate(measurement: Measurement, **choices) -> Estimates:
    """Every published regression column on the measured panel."""
    raise not_written(SLUG, "estimation.estimate")


def result_cells(estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame:
    """Every published cell of the paper in the tidy keys of helpers.results."""
    raise not_written(SLUG, "estimation.result_cells")


def pipeline(panel: pd.DataFrame, published: pd.DataFrame, **parameters) -> pd.DataFrame:
    """The chapter's computation from a raw panel to its tidy cells (notebook parameters)."""
    raise not_written(SLUG, "estimation.pipeline")
''',
    "calibration": """{header}

from __future__ import annotations
""",
}

_INIT = '''"""Paper {slug} (draft; a scaffold of ``replicate new``, see book/contributing.md)."""

from helpers.papers.{slug}.estimation import estimate, pipeline, result_cells
from helpers.papers.{slug}.measurement import measure
from helpers.papers.{slug}.process import KNOBS, load_panel, planted_truth, simulate, units
from helpers.papers.{slug}.variables import DEFAULT_SEED, PAPER, SLUG

__all__ = [
    "DEFAULT_SEED",
    "KNOBS",
    "PAPER",
    "SLUG",
    "estimate",
    "load_panel",
    "measure",
    "pipeline",
    "planted_truth",
    "result_cells",
    "simulate",
    "units",
]
'''

_WHAT = {
    "variables": "variables and roles, published columns and rows",
    "measurement": "measured variables",
    "process": "generating process of the simulated panel",
    "estimation": "published tables and their tidy cells",
    "calibration": "process calibrated to the published tables",
}

_CONTRACT = """# Data contract of the {slug} chapter (draft: written by `replicate new {slug}`).
# Every raw variable the chapter needs, as the loader validates it; field meanings are in
# helpers/contract.py (Variable). Set paper to the paper's file stem, the one its published
# cells carry in data/published/published_results.csv.
slug: {slug}
paper: {slug}
title: "{slug} ({not_written})"
unit_key: province
time_key: year
balanced: true
balance_reason: {not_written}
sample:
  kind: province
  units: 30
  first_year: 2010
  last_year: 2019
  source: {not_written}
  groups: {{}}
  groups_source: {not_written}
variables:
  - {{name: province, label: Province, unit: "-", dtype: str, role: [key], required: true,
     missing_ok: false, source: {not_written}}}
  - {{name: year, label: Year, unit: year, dtype: year, role: [key], required: true,
     missing_ok: false, min: 1990, max: 2035, source: {not_written}}}
"""

_IMPORTS = """# Opened alone (e.g. on Colab) without the book's package: install it from the book's
# repository first (tests/test_notebooks.py checks the address against _config.yml).
import importlib.util

if importlib.util.find_spec("helpers") is None:
    %pip install --quiet "nqpf-replication @ {address}"

from pathlib import Path

from IPython.display import Markdown, display

from helpers.papers import missing_parts"""


def _package_address(root: Path) -> str:
    """``git+URL@BRANCH`` of the book's repository, from ``_config.yml`` (a fork sets its own)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    repository = config["repository"]
    return f"git+{repository['url']}@{repository['branch']}"


_PARAMETERS = """data: str = "simulated"  # "simulated" or the path of your own panel file
mapping: str = ""  # optional YAML file mapping your column names to the contract's
seed: int = {seed}  # seed of the simulated panel
output_dir: str = "_output"  # folder that receives results.csv"""

_CHECKLIST = """out = Path(output_dir)
out.mkdir(parents=True, exist_ok=True)
todo = missing_parts("{slug}")
display(Markdown("\\n".join(f"- {{item}}" for item in todo) or "Nothing is missing."))"""


def _notebook(slug: str, seed: int, address: str) -> nbformat.NotebookNode:
    cells = [
        nbformat.v4.new_code_cell(
            _IMPORTS.format(address=address), metadata={"tags": ["remove-cell"]}
        ),
        nbformat.v4.new_code_cell(_PARAMETERS.format(seed=seed), metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell(f"# {slug}\n\nThis chapter is a draft."),
    ]
    for section in SECTIONS:
        note = f"```{{note}}\nThis section is {NOT_WRITTEN}.\n```"
        cells.append(nbformat.v4.new_markdown_cell(f"## {section}\n\n{note}"))
    cells.append(
        nbformat.v4.new_markdown_cell(
            "## What this chapter still lacks\n\nThe completeness check "
            "(`helpers.papers.missing_parts`) on this run:"
        )
    )
    cells.append(nbformat.v4.new_code_cell(_CHECKLIST.format(slug=slug)))
    metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nbformat.v4.new_notebook(cells=cells, metadata=metadata)


def check_slug(slug: str, root: Path) -> None:
    """A new slug: lowercase letters, digits and underscores, starting with a letter, 2-31
    characters, and free (no registered paper, folder, contract or notebook of that name)."""
    if not SLUG_RULE.fullmatch(slug):
        raise InputError(
            "must be 2-31 lowercase letters, digits or underscores, starting with a letter",
            parameter="SLUG",
        )
    if slug in slugs(drafts=True):
        raise InputError(f"'{slug}' is already a registered paper", parameter="SLUG")
    taken = [
        path
        for path in (
            root / "src" / "helpers" / "papers" / slug,
            root / "data" / "contracts" / f"{slug}.yml",
            root / "notebooks" / f"{slug}.ipynb",
        )
        if path.exists()
    ]
    if taken:
        raise InputError(
            f"'{slug}' exists already: {', '.join(str(p.relative_to(root)) for p in taken)}",
            parameter="SLUG",
        )


def new_paper(slug: str, root: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the skeleton of paper ``slug`` under the repository ``root`` and register it as
    a draft; return the files written (nothing is written if the slug is not free)."""
    root = Path(root)
    check_slug(slug, root)
    folder = root / "src" / "helpers" / "papers" / slug
    files = {folder / "__init__.py": _INIT.format(slug=slug)}
    for layer in LAYERS:
        header = _HEADER.format(slug=slug, what=_WHAT[layer])
        files[folder / f"{layer}.py"] = _MODULES[layer].format(header=header, slug=slug)
    files[root / "data" / "contracts" / f"{slug}.yml"] = _CONTRACT.format(
        slug=slug, not_written=NOT_WRITTEN
    )
    files[root / "params" / "quick" / f"{slug}.yml"] = f"seed: {seed}\n"
    folder.mkdir(parents=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    notebook = root / "notebooks" / f"{slug}.ipynb"
    nbformat.write(_notebook(slug, seed, _package_address(root)), notebook)
    registry = root / "data" / "papers.yml"
    with registry.open("a", encoding="utf-8") as handle:
        handle.write(f"- slug: {slug}\n  default_seed: {seed}\n  draft: true\n")
    return [*files, notebook, registry]
