"""Paper 002's variables and roles, and the columns and rows of its published tables.

Paper 002 regresses the synergy of pollution and carbon reduction (Coor, a DEA score) of
242 cities, 2011-2022, on an entropy index of new quality productive forces (Nqp) with
city and year fixed effects. The raw variables, their units and roles are in the paper's
data contract, ``data/contracts/synergy.yml``; this module names the groups of them the
chapter uses and every published regression column (:data:`COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.contract import load_contract
from helpers.papers.interface import Choice, Specifications, choices
from helpers.registry import entry

SLUG = "synergy"
CONTRACT = load_contract(SLUG)
PAPER = CONTRACT.paper
UNIT, TIME = CONTRACT.keys
DEFAULT_SEED = entry(SLUG).default_seed


CONTROLS = ("econ", "gov", "fdi", "finan", "lnpd")


DIMENSIONS = {"laborers": "nql", "objects": "nqo", "means": "nqm"}
"""Tier-1 dimension of Table 2 -> its sub-index column."""


DEA_INPUTS = ("capital_stock", "employment", "energy")


DEA_GOOD = ("gdp",)


DEA_BAD = ("co2", "pm25")


DIGITAL_INDICATORS = ("internet_users_per_100", "mobile_users_per_100", "telecom_per_capita")


MEDIATORS = {
    "es1": "Energy-saving effect 1: electricity / GDP (kWh per yuan)",
    "es2": "Energy-saving effect 2: energy / GDP (tons of standard coal per 10,000 yuan)",
    "lnapp": "ln(1 + green invention patent applications)",
    "lngrant": "ln(1 + green invention patents granted)",
    "dfi": "Digital financial inclusion (PKU index / 100)",
}


DEA_MODELS = ("sbm", "ebm")


FRONTIERS = ("global", "contemporaneous")


RTS = ("crs", "vrs")


SE_TYPES = ("robust", "cluster")


DIGITAL_SPLITS = ("pooled", "year", "city")


KNOBS = {"effect_scale": 1.0, "noise_scale": 1.0, "endogeneity": 0.0, "missing_share": 0.0}
"""Teaching knobs of the simulated panel and their planted values."""


GROUPS = ("dual-high", "dual-low", "digital-driven", "pressure-induced")


ROW_LABELS = {
    "nqp": "Nqp",
    "nql": "Nql",
    "nqo": "Nqo",
    "nqm": "Nqm",
    "econ": "Econ",
    "gov": "Gov",
    "fdi": "FDI",
    "finan": "Finan",
    "lnpd": "Inpd",
    "_cons": "cons",
    "nqp_lag": "IV",
}
"""Model term -> row label of the published cells (Tables 4-7; lnpd prints as Inpd)."""


CORE_ROWS = ("Nqp", "Nql", "Nqo", "Nqm", "IV")


TABLE3_ROWS = {
    "coor": "Coor",
    "nqp": "Nqp",
    "nql": "Nql",
    "nqo": "Nqo",
    "nqm": "Nqm",
    **{c: ROW_LABELS[c] for c in CONTROLS},
}


TABLE3_STATS = {
    "obs": "Sample Size",
    "mean": "Mean",
    "sd": "Standard Deviation",
    "min": "Minimum",
    "max": "Maximum",
}


@dataclass(frozen=True)
class Column:
    """One published regression column: outcome, core regressor, sample and effects."""

    table: str
    column: str
    outcome: str
    regressor: str
    sample: str = "all"
    fixed_effects: str = "twfe"  # "none", "twfe" or "province-year"
    controls: bool = True
    label: str = ""


COLUMNS = (
    Column(
        "Table 4",
        "(1)",
        "coor",
        "nqp",
        fixed_effects="none",
        controls=False,
        label="no controls, no fixed effects",
    ),
    Column("Table 4", "(2)", "coor", "nqp", label="baseline"),
    Column("Table 4", "(3)", "coor", "nql", label="new quality laborers"),
    Column("Table 4", "(4)", "coor", "nqo", label="new quality objects of labor"),
    Column("Table 4", "(5)", "coor", "nqm", label="new quality means of labor"),
    Column("Table 5", "(1)", "es1", "nqp", label="energy saving 1 (electricity / GDP)"),
    Column("Table 5", "(2)", "es2", "nqp", label="energy saving 2 (energy / GDP)"),
    Column("Table 5", "(3)", "lnapp", "nqp", label="green patent applications"),
    Column("Table 5", "(4)", "lngrant", "nqp", label="green patents granted"),
    Column("Table 5", "(5)", "dfi", "nqp", label="digital financial inclusion"),
    Column("Table 6", "(1)", "nqp", "nqp_lag", label="IV first stage (lagged Nqp)"),
    Column("Table 6", "(2)", "coor", "nqp", label="IV second stage"),
    Column(
        "Table 6",
        "(3)",
        "coor",
        "nqp",
        sample="no-municipalities",
        label="without the municipalities",
    ),
    Column(
        "Table 6",
        "(4)",
        "coor",
        "nqp",
        fixed_effects="province-year",
        label="province x year effects",
    ),
    Column("Table 6", "(5)", "coor", "nqp", sample="nqp-low", label="Nqp at or below the median"),
    Column("Table 6", "(6)", "coor", "nqp", sample="nqp-high", label="Nqp above the median"),
    Column(
        "Table 7",
        "(1)",
        "coor",
        "nqp",
        sample="capital",
        label="provincial capitals and municipalities",
    ),
    Column("Table 7", "(2)", "coor", "nqp", sample="ordinary", label="ordinary cities"),
    Column("Table 7", "(3)", "coor", "nqp", sample="resource", label="resource-based"),
    Column("Table 7", "(4)", "coor", "nqp", sample="non-resource", label="non-resource-based"),
    Column("Table 7", "(5)", "coor", "nqp", sample="dual-high", label="dual-high"),
    Column("Table 7", "(6)", "coor", "nqp", sample="dual-low", label="dual-low"),
    Column("Table 7", "(7)", "coor", "nqp", sample="digital-driven", label="digital-driven"),
    Column("Table 7", "(8)", "coor", "nqp", sample="pressure-induced", label="pressure-induced"),
)
"""Every regression column of the paper (Table 6 (1)-(2) are the two stages of one IV)."""


IV_COLUMNS = (("Table 6", "(1)"), ("Table 6", "(2)"))


def column(table: str, col: str) -> Column:
    """The :data:`COLUMNS` entry of ``table``, ``col``."""
    for c in COLUMNS:
        if (c.table, c.column) == (table, col):
            return c
    raise KeyError((table, col))


SPECIFICATIONS: Specifications = {
    "DEA model": choices("dea_model", {"sbm": "book", "ebm": "book"}),
    "frontier": choices("frontier", {"global": "book", "contemporaneous": "book"}),
    "returns to scale": choices("rts", {"crs": "book", "vrs": "book"}),
    "winsorizing": (
        Choice(
            "1/99%", {"winsorize": True, "winsorize_lower": 1.0, "winsorize_upper": 99.0}, "paper"
        ),
        Choice(
            "5/95%", {"winsorize": True, "winsorize_lower": 5.0, "winsorize_upper": 95.0}, "book"
        ),
        Choice("none", {"winsorize": False}, "book"),
    ),
    "standard errors": choices("se_type", {"robust": "paper", "cluster": "book"}),
}
"""The specification curve's grid (2 x 2 x 2 x 3 x 2 = 48 specifications), the chapter's
default first in each dimension. The paper's: winsorizing every continuous variable at
1/99% and robust standard errors (the table notes). The book's: the paper says only "DEA"
with undesirable outputs, so the model (SBM or EBM), the frontier (global or
contemporaneous) and the returns to scale (CRS or VRS) are all the book's, as are the
5/95% bounds, no winsorizing, and clustering by city."""
