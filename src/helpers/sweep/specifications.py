"""Specification curves: a paper's baseline under every combination of the choices a reader
can defend.

A paper declares its grid as ``SPECIFICATIONS`` (dimension -> options, each a
:class:`helpers.papers.interface.Choice` with the pipeline parameters it sets and whose
choice it is); a reader can pass another as YAML (:func:`read_grid`). :func:`expand` crosses
the dimensions into specifications (the chapter's default first), :func:`specification_tasks`
makes one sweep task of each (on the default simulated panel or a reader's file) and
:func:`specification_table` reads the sweep's results back: per specification the chosen
options, the baseline coefficient, its SE and stars, whether it keeps the paper's sign and
significance class, and the agreement of all core coefficients with the published table.

This module is general: it gets the papers through :func:`helpers.sweep.engine.paper`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers import yamlio
from helpers.errors import InputError
from helpers.registry import entry
from helpers.sweep.engine import Choice, Specifications, Task, make_task, paper
from helpers.sweep.montecarlo import agreement_by_seed, core_estimates

SPEC_PREFIX = "spec-"


def read_grid(path: str | Path) -> dict[str, tuple[Choice, ...]]:
    """A specification grid from YAML: each key is a dimension; its value a list whose
    items are either values of the pipeline parameter named like the dimension
    (``se_type: [robust, cluster]``) or mappings of parameters, with an optional ``label``
    and ``source`` (``- {label: 2013-2019, first_year: 2013, last_year: 2019}``)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such grid file", parameter="grid", hint=str(path))
    spec = yamlio.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(spec, dict) or not spec:
        raise InputError("a grid is a mapping of dimensions to lists of options", parameter="grid")
    grid = {}
    for dimension, options in spec.items():
        if not isinstance(options, list) or not options:
            raise InputError(
                f"dimension {dimension!r} needs a non-empty list of options", parameter="grid"
            )
        parsed = []
        for option in options:
            if isinstance(option, dict):
                values = {k: v for k, v in option.items() if k not in ("label", "source")}
                if not values:
                    raise InputError(
                        f"an option of {dimension!r} sets no parameter", parameter="grid"
                    )
                label = option.get("label") or ", ".join(f"{k}={v}" for k, v in values.items())
                parsed.append(Choice(str(label), values, str(option.get("source", "reader"))))
            else:
                parsed.append(Choice(str(option), {str(dimension): option}, "reader"))
        grid[str(dimension)] = tuple(parsed)
    return grid


def expand(grid: Specifications) -> list[tuple[str, dict[str, Choice]]]:
    """Every combination of the grid's options, as (specification id, dimension -> choice),
    in the grid's order (the first is every dimension's first option)."""
    dimensions = list(grid)
    combos = itertools.product(*(grid[d] for d in dimensions))
    width = max(3, len(str(np.prod([len(grid[d]) for d in dimensions]))))
    return [
        (f"{SPEC_PREFIX}{i:0{width}d}", dict(zip(dimensions, combo, strict=True)))
        for i, combo in enumerate(combos, start=1)
    ]


def parameters_of(choices: Mapping[str, Choice]) -> dict[str, Any]:
    """The pipeline parameters of one specification; two options setting the same
    parameter differently are an error."""
    out: dict[str, Any] = {}
    for dimension, choice in choices.items():
        for name, value in choice.parameters.items():
            if name in out and out[name] != value:
                raise InputError(
                    f"two dimensions set {name!r} differently (the second is {dimension!r})",
                    parameter="grid",
                )
            out[name] = value
    return out


def specification_tasks(
    slug: str,
    grid: Specifications | None = None,
    *,
    seeds: Sequence[int] | None = None,
    data: str = "",
    mapping: str = "",
    parameters: Mapping[str, Any] | None = None,
    knobs: Mapping[str, float] | None = None,
    truth: bool = False,
) -> list[Task]:
    """One task per specification of ``grid`` (default: the paper's ``SPECIFICATIONS``) and
    seed (default: the paper's default seed), or per specification on the reader's file
    ``data``; each with the paper's sweep options, then ``parameters`` (fixed across the
    grid), the process ``knobs`` and, with ``truth``, the seed's known truth."""
    module = paper(slug)
    grid = module.SPECIFICATIONS if grid is None else grid
    fixed = dict(module.SWEEP_PARAMETERS) | dict(parameters or {})
    if data:
        seeds = [None]
    elif seeds is None:
        seeds = [entry(slug).default_seed]
    return [
        make_task(
            slug,
            seed=seed,
            spec=spec,
            parameters=fixed | parameters_of(choices),
            knobs=knobs,
            data=data,
            mapping=mapping,
            truth=truth,
        )
        for spec, choices in expand(grid)
        for seed in seeds
    ]


def specification_table(
    results: pd.DataFrame,
    slug: str,
    published: pd.DataFrame,
    grid: Specifications | None = None,
) -> pd.DataFrame:
    """One row per specification: its id, the label and source of each dimension's option,
    the baseline coefficient (``coef``, ``se``, ``stars``), ``keeps``: whether it has the
    published sign and significance class at 10%, and ``agreement``: the share of the core
    coefficients it estimates that do. A specification whose baseline could not be
    estimated has NaN."""
    module = paper(slug)
    grid = module.SPECIFICATIONS if grid is None else grid
    estimates = core_estimates(results, slug).rename(columns={"world": "spec"})
    table, column, row = module.BASELINE_CELL
    base = estimates[
        (estimates["table"] == table) & (estimates["column"] == column) & (estimates["row"] == row)
    ].set_index("spec")
    agreement = agreement_by_seed(
        estimates.assign(world="all", seed=estimates["spec"]),
        published,
        module.PAPER,
        world="all",
        skip_missing=True,
    ).set_index("seed")["agreement"]
    printed = published[
        (published["paper"] == module.PAPER)
        & (published["table"] == table)
        & (published["column"] == column)
        & (published["row"] == row)
        & (published["stat"] == "coef")
    ]
    sign = float(np.sign(printed["number"].iloc[0]))
    significant = int(printed["stars"].fillna(0).iloc[0]) >= 1
    rows = []
    for spec, choices in expand(grid):
        out = {"spec": spec}
        for dimension, choice in choices.items():
            out[dimension] = choice.label
            out[f"{dimension} (source)"] = choice.source
        coef = base["coef"].get(spec, np.nan)
        stars = base["stars"].get(spec, pd.NA)
        out |= {"coef": coef, "se": base["se"].get(spec, np.nan), "stars": stars}
        out["keeps"] = bool(
            np.isfinite(coef)
            and np.sign(coef) == sign
            and ((0 if pd.isna(stars) else int(stars)) >= 1) == significant
        )
        out["agreement"] = agreement.get(spec, np.nan)
        rows.append(out)
    frame = pd.DataFrame(rows)
    frame["stars"] = frame["stars"].astype("Int64")
    return frame


def dimensions(table: pd.DataFrame) -> list[str]:
    """The dimension columns of a :func:`specification_table`."""
    return [c.removesuffix(" (source)") for c in table.columns if c.endswith(" (source)")]


def keep_share(table: pd.DataFrame) -> float:
    """The share of specifications whose baseline keeps the paper's sign and significance."""
    return float(table["keeps"].mean())


def default_specification(table: pd.DataFrame) -> pd.Series:
    """The chapter's own specification (the first)."""
    return table.iloc[0]


def chosen(table: pd.DataFrame, dimension: str) -> Sequence[str]:
    """The options of ``dimension`` in the order the grid lists them."""
    return list(dict.fromkeys(table[dimension]))
