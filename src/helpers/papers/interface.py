"""The interface the book's papers share, and the pieces they have in common.

Every paper lives in one package, ``helpers.papers.SLUG``, whose layers import one way::

    general library (helpers.dea, fixed_effects, iv, did, psm, indices, measures, panel, ...)
      <- variables.py    the paper's variables and roles, its published columns and rows
      <- measurement.py  the paper's measured variables from a raw panel
      <- process.py      the generating process of the simulated panel, and load_panel
      <- estimation.py   the published tables, their tidy cells, the chapter's figures
      <- calibration.py  the process calibrated to the published tables (maintainers)
      <- notebooks/SLUG.ipynb (through the package's __init__)

No module of the general library imports a paper, no generating process imports its
chapter's estimation, and no paper imports another paper.

The package's ``__init__`` exposes the chapter's API with the same names and argument
order in every paper; :class:`Paper` states it as a protocol, and
``tests/test_papers.py`` holds every registered paper to it:

``SLUG``, ``PAPER``
    the registry slug and the paper's file stem (from its contract).
``load_panel(data="simulated", mapping="", seed=None, *, sheet="", delimiter="", **knobs)``
    the raw panel: the simulated one (``seed`` and the teaching ``knobs``) or a reader's
    file validated against the paper's contract, with an optional column ``mapping``, its
    workbook ``sheet`` and CSV ``delimiter``.
``measure(panel, **choices) -> Measurement``
    the paper's variables; ``Measurement.frame`` is the estimation sample.
``estimate(measurement, **choices) -> Estimates``
    every published regression column; a column that cannot be estimated on the data
    has its reason in ``Estimates.failures``.
``result_cells(estimates, published) -> DataFrame``
    every published cell of the paper in the tidy keys of :mod:`helpers.results`.
``planted_truth() -> DataFrame``
    the generating process's structural values that the chapter shows.
``simulate(seed=None, **overrides) -> DataFrame``, ``units() -> DataFrame``
    the generating process and the paper's sampling frame.
``pipeline(panel, published, **parameters) -> DataFrame``
    the chapter's computation from a raw panel to its tidy cells, with the notebook's
    parameters by name (what the sweeps and ``replicate validate`` run).

This module is general: it imports no paper.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.io import load_reader_file
from helpers.simulate.frame import with_regions

Key = tuple[str, str]
"""A published column: (table, column), e.g. ``("Table 3", "(4)")``."""


@dataclass(frozen=True, kw_only=True)
class Measurement:
    """What every paper's ``measure`` returns: ``frame``, the measured estimation sample
    (one row per unit-year), and ``filled``, the cells filled by interpolation within a
    unit (unit, year, column, value; empty when none was missing). Papers add fields."""

    frame: pd.DataFrame
    filled: pd.DataFrame


@dataclass(frozen=True, kw_only=True)
class Estimates:
    """What every paper's ``estimate`` returns: ``fits[(table, column)]`` for each
    estimated published column, the reason in ``failures`` for each column that could
    not be estimated, the standard-error type, and the measurement estimated on."""

    fits: dict[Key, Any]
    failures: dict[Key, str] = field(default_factory=dict)
    se_type: str
    measurement: Measurement | None = None

    def __getitem__(self, key: Key) -> Any:
        return self.fits[key]

    def __contains__(self, key: object) -> bool:
        return key in self.fits


def vcov(se_type: str, choices: Sequence[str], unit: str) -> dict[str, str | None]:
    """The variance arguments of :func:`helpers.fixed_effects.fe_ols` and
    :func:`helpers.iv.fe_iv` for ``se_type`` (one of ``choices``): clustered by ``unit``
    when ``se_type == "cluster"``, else none."""
    check_choice("se_type", se_type, tuple(choices))
    return {"vcov": se_type, "cluster": unit if se_type == "cluster" else None}


def load_panel(
    slug: str,
    simulate: Callable[..., pd.DataFrame],
    data: str = "simulated",
    mapping: str = "",
    seed: int | None = None,
    knobs: Mapping[str, float] | None = None,
    defaults: Mapping[str, float] | None = None,
    *,
    sheet: str = "",
    delimiter: str = "",
    regions: bool = False,
) -> pd.DataFrame:
    """The raw panel of paper ``slug``: ``"simulated"`` (``simulate(seed, **knobs)``, each
    teaching knob one of ``defaults``) or a reader's file (its workbook ``sheet`` and CSV
    ``delimiter``, empty for the first sheet and the detected delimiter), with which the
    knobs keep their ``defaults``. ``regions=True`` (provincial papers): a reader's file
    without a complete ``region`` column gets the East / Central / West split by province."""
    knobs, defaults = dict(knobs or {}), dict(defaults or {})
    unknown = sorted(set(knobs) - set(defaults))
    if unknown:
        raise InputError(
            "not a teaching knob", parameter=unknown[0], hint=f"knobs: {list(defaults)}"
        )
    if data == "simulated":
        for name, value in (("mapping", mapping), ("sheet", sheet), ("delimiter", delimiter)):
            if value:
                raise InputError("applies to a reader's file only", parameter=name)
        return simulate(seed, **knobs)
    moved = [k for k, v in knobs.items() if v != defaults[k]]
    if moved:
        raise InputError(
            "the teaching knobs change the simulated panel only; keep them at their defaults "
            "with a reader's file",
            parameter=moved[0],
        )
    panel = load_reader_file(slug, data, mapping, sheet=sheet, delimiter=delimiter)
    return with_regions(panel) if regions else panel


class Paper(Protocol):
    """The module interface of a paper package (see the module docstring)."""

    SLUG: str
    PAPER: str

    def load_panel(
        self,
        data: str = "simulated",
        mapping: str = "",
        seed: int | None = None,
        *,
        sheet: str = "",
        delimiter: str = "",
        **knobs: float,
    ) -> pd.DataFrame: ...

    def measure(self, panel: pd.DataFrame, **choices: Any) -> Measurement: ...

    def estimate(self, measurement: Measurement, **choices: Any) -> Estimates: ...

    def result_cells(self, estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame: ...

    def planted_truth(self) -> pd.DataFrame: ...

    def simulate(self, seed: int | None = None, **overrides: float) -> pd.DataFrame: ...

    def units(self) -> pd.DataFrame: ...

    def pipeline(
        self, panel: pd.DataFrame, published: pd.DataFrame, **parameters: Any
    ) -> pd.DataFrame: ...


def cells_of(
    measured_pipeline: Callable[..., tuple[pd.DataFrame, Measurement]],
) -> Callable[..., pd.DataFrame]:
    """A paper's ``pipeline`` from its ``measured_pipeline`` (which returns the tidy cells
    and the measurement they were estimated on): the same parameters, in the same signature
    (what :func:`helpers.papers.run_pipeline` reads), and the cells only. The sweeps use the
    measurement too: the known truth of a seed reuses it instead of measuring the panel
    again."""

    def pipeline(panel: pd.DataFrame, published: pd.DataFrame, **parameters: Any) -> pd.DataFrame:
        return measured_pipeline(panel, published, **parameters)[0]

    pipeline.__signature__ = inspect.signature(measured_pipeline).replace(  # type: ignore[attr-defined]
        return_annotation="pd.DataFrame"
    )
    pipeline.__module__ = measured_pipeline.__module__
    pipeline.__doc__ = (
        "The chapter's computation from a raw panel to its tidy cells, with the notebook's "
        "parameters by name (``measured_pipeline`` without the measurement)."
    )
    return pipeline


@dataclass(frozen=True)
class Choice:
    """One option of a specification dimension (a paper's ``SPECIFICATIONS``): its
    ``label`` on the page, the pipeline ``parameters`` it sets, and whose choice it is
    (``source``: ``"paper"`` when the paper states it, ``"book"`` when the paper is silent
    and the book chose, or an alternative a reader can defend)."""

    label: str
    parameters: Mapping[str, Any]
    source: str = "book"


def choices(name: str, options: Mapping[Any, str]) -> tuple[Choice, ...]:
    """The options of a dimension that sets one pipeline parameter ``name``: value ->
    source (``"paper"`` or ``"book"``), the chapter's default first; each label is the
    value itself."""
    return tuple(Choice(str(value), {name: value}, source) for value, source in options.items())


Specifications = Mapping[str, tuple[Choice, ...]]
"""A paper's specification grid: dimension -> its options, the chapter's default first.
Crossing every dimension gives the specifications of the paper's specification curve."""


LAYERS: tuple[str, ...] = ("variables", "measurement", "process", "estimation", "calibration")
"""A paper package's modules, lowest layer first: a module imports only from lower ones."""

NOT_WRITTEN = "not written yet"
"""What a scaffolded part of a new paper says until it is written (``replicate new``)."""


def not_written(slug: str, part: str) -> InputError:
    """The error a scaffolded function raises until it is written: it names the paper and
    the part, and points at the contributor page."""
    return InputError(
        f"{part} of paper '{slug}' is {NOT_WRITTEN} (a scaffold of `replicate new`)",
        hint="book/contributing.md explains each layer of a paper",
    )


INTERFACE: tuple[str, ...] = (
    "SLUG",
    "PAPER",
    "load_panel",
    "measure",
    "estimate",
    "result_cells",
    "planted_truth",
    "simulate",
    "units",
    "pipeline",
)
"""The names every paper package exposes (checked by the completeness test)."""
