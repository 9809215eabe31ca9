"""Paper 001's variables and roles, and the columns and rows of its published tables.

Paper 001 (in Chinese) regresses the regional economic gap of 30 provinces, 2013-2022,
on an entropy index of new quality productive forces (NQP) with province and year fixed
effects. The raw variables, their units and roles are in the paper's data contract,
``data/contracts/coordination.yml``; this module names the groups of them the chapter
uses, in the order the paper's tables print them.
"""

from __future__ import annotations

from helpers.contract import load_contract
from helpers.papers.interface import Choice, Specifications, choices
from helpers.registry import entry

SLUG = "coordination"
CONTRACT = load_contract(SLUG)
PAPER = CONTRACT.paper
UNIT, TIME = CONTRACT.keys
DEFAULT_SEED = entry(SLUG).default_seed
FE = [UNIT, TIME]

CONTROLS = ("gov", "tax", "openness", "urbanisation", "finance", "ln_fai_per_capita")

"""The six controls of Table 3, in its order (the contract's ``control`` role)."""


GAP_MEASURES = ("absolute", "relative")


GAP_REFERENCES = ("log_of_mean", "mean_of_logs")
"""The national reference of eq. (3): the log of the yearly mean per-capita GDP (the
paper's words: the natural log of the national average regional per-capita GDP) or the yearly
mean of the logs."""


ENTROPY_BY = ("pooled", "year")


SE_TYPES = ("robust", "cluster")


REGIONS = ("East", "Central", "West")


DEFAULT_EXCLUDED = ("Beijing", "Shanghai", "Tianjin", "Chongqing", "Guangdong")
"""Table 4 column (1): the four municipalities and Guangdong (Section 3.2.1)."""


NQP_ROW = "New quality productive forces"


CORE_ROWS = (NQP_ROW,)
"""Rows of the core coefficients: NQP in every regression column."""


ROW_LABELS = {
    "nqp": NQP_ROW,
    "_cons": "Constant",
    "gov": "Degree of government intervention",
    "tax": "Tax burden level",
    "openness": "Degree of openness",
    "urbanisation": "Urbanization level",
    "finance": "Financial development level",
    "ln_fai_per_capita": "Per capita fixed-asset investment",
}
"""Model term -> row label of the published cells (Tables 3-6)."""


TABLE2_ROWS = {
    "gap": "Region economic gap",
    "nqp": NQP_ROW,
    "gov": "Government intervention intensity",
    "tax": "Tax burden level",
    "openness": "Degree of openness",
    "urbanisation": "Urbanization level",
    "finance": "Financial development level",
    "ln_fai_per_capita": "Per capita fixed-asset investment",
}


TABLE2_STATS = {
    "obs": "Observations",
    "mean": "Mean",
    "min": "Minimum",
    "median": "Median",
    "max": "Maximum",
    "sd": "Standard deviation",
}
"""Table 2: stat key -> printed column label (the column and column title coincide)."""


COLUMNS = {
    ("Table 3", "(1)"): "baseline without controls",
    ("Table 3", "(2)"): "baseline with controls",
    ("Table 4", "(1)"): "without the special provinces",
    ("Table 4", "(2)"): "IV: NQP instrumented by its one-year lag",
    ("Table 5", "(1)"): "mediation step 1: gap on NQP",
    ("Table 5", "(2)"): "mediation step 2: upgrading index on NQP",
    ("Table 6", "(1)"): "East",
    ("Table 6", "(2)"): "Central",
    ("Table 6", "(3)"): "West",
}
"""Every regression column of the paper and what it estimates."""


SPECIFICATIONS: Specifications = {
    "gap": choices("gap_measure", {"absolute": "paper", "relative": "paper"}),
    "entropy weights": choices("entropy_by", {"pooled": "book", "year": "book"}),
    "standard errors": choices("se_type", {"robust": "paper", "cluster": "book"}),
    "sample years": (
        Choice("2013-2022", {"first_year": 2013, "last_year": 2022}, "paper"),
        Choice("2013-2019", {"first_year": 2013, "last_year": 2019}, "book"),
        Choice("2013-2021", {"first_year": 2013, "last_year": 2021}, "book"),
        Choice("2014-2022", {"first_year": 2014, "last_year": 2022}, "book"),
        Choice("2015-2022", {"first_year": 2015, "last_year": 2022}, "book"),
        Choice("2015-2019", {"first_year": 2015, "last_year": 2019}, "book"),
    ),
}
"""The specification curve's grid (2 x 2 x 2 x 6 = 48 specifications), the chapter's default
first in each dimension. The paper's: the absolute gap of eq. (3) (the regressions) and the
relative gap of eq. (4) (defined beside it), robust standard errors (the table notes), the
years 2013-2022. The book's: pooled or yearly entropy weights (the paper does not say),
standard errors clustered by province (what ``xtreg, fe robust`` computes), and shorter
windows (without the pandemic years, or a later price base: the first year is also the
base of real GDP)."""
