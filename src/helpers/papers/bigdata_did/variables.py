"""Paper 004's variables and roles, and the columns and rows of its published tables.

Paper 004 treats the 2016 national big-data comprehensive pilot zones (BDPZs) as a
quasi-natural experiment: a TWFE difference-in-differences of an entropy index of new
quality productivity (NQP) on the pilot dummy for 284 cities, 2014-2022. The raw
variables, their units and roles are in the paper's data contract,
``data/contracts/bigdata_did.yml``; this module names the groups of them the chapter uses
and every published regression column (:data:`COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.contract import load_contract
from helpers.papers.interface import Choice, Specifications, choices
from helpers.registry import entry

SLUG = "bigdata_did"
CONTRACT = load_contract(SLUG)
PAPER = CONTRACT.paper
UNIT, TIME = CONTRACT.keys
DEFAULT_SEED = entry(SLUG).default_seed


CONTROLS = ("lngdp", "fin", "str", "com", "gov")


SE_TYPES = ("cluster", "robust")


KNOBS = {"effect_scale": 1.0, "pre_trend": 0.0, "anticipation": 0.0}
"""Teaching knobs of the simulated panel and their planted (paper-like) values."""


ROW_LABELS = {
    "bdpzs": "BDPZs",
    "index": "Index",
    "lngip": "LnGIP",
    "lngdp": "LnGDP",
    "fin": "Fin",
    "str": "Str",
    "com": "Com",
    "gov": "Gov",
    "_cons": "Constant",
}
"""Model term -> row label of the published cells (Tables 3-6)."""


CORE_ROWS = ("BDPZs", "Index", "LnGIP")
"""Rows of the core coefficients: the pilot dummy and the two mediators (Table 5)."""


TABLE2_ROWS = {
    "nqp": "NQP",
    "bdpzs": "BDPZs",
    "index": "Index",
    "lngip": "LnGIP",
    **{c: ROW_LABELS[c] for c in CONTROLS},
}


TABLE2_STATS = {
    "obs": "Sample size",
    "mean": "Mean",
    "sd": "Standard deviation",
    "min": "Minimum value",
    "max": "Maximum value",
}
"""Table 2: stat key -> printed column label."""


@dataclass(frozen=True)
class Column:
    """One published regression column: outcome, core regressors and sample."""

    table: str
    column: str
    outcome: str
    regressors: tuple[str, ...]
    controls: bool = True
    fixed_effects: bool = True
    sample: str = "all"


COLUMNS = (
    Column("Table 3", "(1)", "nqp", ("bdpzs",), controls=False, fixed_effects=False),
    Column("Table 3", "(2)", "nqp", ("bdpzs",), controls=False),
    Column("Table 3", "(3)", "nqp", ("bdpzs",), fixed_effects=False),
    Column("Table 3", "(4)", "nqp", ("bdpzs",)),
    Column("Table 4", "(3)", "nqp", ("bdpzs",), sample="winsorized"),
    Column("Table 4", "(4)", "nqp", ("bdpzs",), sample="2014-2019"),
    Column("Table 5", "(1)", "index", ("bdpzs",)),
    Column("Table 5", "(2)", "nqp", ("bdpzs", "index")),
    Column("Table 5", "(3)", "lngip", ("bdpzs",)),
    Column("Table 5", "(4)", "nqp", ("bdpzs", "lngip")),
    Column("Table 6", "(1)", "nqp", ("bdpzs",), sample="key"),
    Column("Table 6", "(2)", "nqp", ("bdpzs",), sample="ordinary"),
    Column("Table 6", "(3)", "nqp", ("bdpzs",), sample="non-resource"),
    Column("Table 6", "(4)", "nqp", ("bdpzs",), sample="resource"),
)
"""The paper's regressions that :func:`estimate` runs directly (PSM-DID, Table 4
columns (1)-(2), needs a matching step: :func:`psm_column`)."""


PSM_METHODS = {"(1)": "neighbor", "(2)": "kernel"}
"""Table 4 PSM-DID columns and their psmatch2 method."""


SPECIFICATIONS: Specifications = {
    "standard errors": choices("se_type", {"cluster": "paper", "robust": "book"}),
    "index weights": choices(
        "index_weights", {"entropy": "book", "entropy_by_year": "book", "equal": "book"}
    ),
    "sample years": (
        Choice("2014-2022", {"first_year": 2014, "last_year": 2022}, "paper"),
        Choice("2014-2019", {"first_year": 2014, "last_year": 2019}, "paper"),
        Choice("2014-2021", {"first_year": 2014, "last_year": 2021}, "book"),
        Choice("2014-2020", {"first_year": 2014, "last_year": 2020}, "book"),
        Choice("2015-2022", {"first_year": 2015, "last_year": 2022}, "book"),
        Choice("2015-2021", {"first_year": 2015, "last_year": 2021}, "book"),
        Choice("2015-2020", {"first_year": 2015, "last_year": 2020}, "book"),
        Choice("2015-2019", {"first_year": 2015, "last_year": 2019}, "book"),
    ),
}
"""The specification curve's grid (2 x 3 x 8 = 48 specifications), the chapter's default
first in each dimension. The paper's: SEs clustered by city, the full years and the
pre-COVID years 2014-2019 (Table 4 (4)). The book's, where the paper is silent: HC1 standard
errors, the index weights (the paper never names its weighting: entropy weights over all
city-years, entropy weights within each year, or equal weights; the chapter's
``index_weights``), and windows that start a year later or end before 2022."""
