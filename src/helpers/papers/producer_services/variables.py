"""Paper 003's variables and roles, and the columns and rows of its published tables.

Paper 003 regresses the productivity of 261 cities, 2003-2017 (DEA-Malmquist TFP, TE and
EC, cumulated), on producer-service agglomeration (location quotients SAGG; total,
high-end, low-end) instrumented by its own lags, with city and year effects. The raw
variables, their units and roles are in the paper's data contract,
``data/contracts/producer_services.yml``; this module names the groups of them the
chapter uses and every published regression column (:data:`COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.contract import load_contract
from helpers.papers.interface import Choice, Specifications, choices
from helpers.registry import entry

SLUG = "producer_services"
CONTRACT = load_contract(SLUG)
PAPER = CONTRACT.paper
UNIT, TIME = CONTRACT.keys
DEFAULT_SEED = entry(SLUG).default_seed
FE = [UNIT, TIME]


CONTROLS = ("str", "gov", "pgdp", "fdi", "h", "road", "pop")


HIGH_END = ("emp_information", "emp_finance", "emp_research")


LOW_END = ("emp_transport", "emp_leasing")


SECTORS = {"sagg": HIGH_END + LOW_END, "sagg_high": HIGH_END, "sagg_low": LOW_END}
"""Agglomeration measure -> the sector employment columns it sums (Section 3.1 (2))."""


DEA_INPUTS = ("employment", "capital_stock")


DEA_OUTPUT = "real_gdp"


OUTCOMES = {"tfp": "tfpch", "te": "techch", "ec": "effch"}
"""Level -> the Malmquist index it cumulates (TE = technical change, EC = efficiency change)."""


ESTIMATORS = {"2sls": "2sls", "gmm": "gmm2s"}


SE_TYPES = ("robust", "cluster", "conventional")


ORIENTATIONS = ("output", "input")


RTS = ("crs", "vrs")


REGIONS = ("East", "Central", "West")


KNOBS = {
    "effect_scale": 1.0,
    "noise_scale": 1.0,
    "endogeneity": 0.3,
    "missing_share": 0.0,
    "lq_common_share": 0.0,
    "mix_east": 0.0,
    "mix_west": 0.0,
}
"""Teaching knobs of the simulated panel and their default values (the last three plant
agglomeration that moves together within a region and regional input mixes)."""


ROW_LABELS = {
    "sagg": "SAGG",
    "sagg_high": "SAGG",
    "sagg_low": "SAGG",
    "str": "STR",
    "gov": "GOV",
    "pgdp": "PGDP",
    "fdi": "FDI",
    "h": "H",
    "road": "ROAD",
    "pop": "POP",
}
"""Model term -> row label of the published cells (every column prints its SAGG as 'SAGG')."""


CORE_ROWS = ("SAGG",)
"""Rows of the core coefficients: the agglomeration measure of every column."""


DIAGNOSTIC_ROWS = {
    "kp_lm": "Kleibergen-Paap rk LM statistic",
    "kp_f": "Kleibergen-Paap rk Wald F statistic",
    "hansen": "Hansen J statistic",
}


@dataclass(frozen=True)
class Column:
    """One published regression column: outcome, agglomeration measure, estimator, sample."""

    table: str
    column: str
    outcome: str
    sagg: str
    estimator: str = "gmm"
    region: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.table, self.column)


_MEASURES = ("sagg", "sagg_high", "sagg_low")


COLUMNS = (
    *(
        Column("Table 1", f"({k + 1})", "tfp", m, est)
        for k, (est, m) in enumerate((e, m) for e in ("2sls", "gmm") for m in _MEASURES)
    ),
    *(
        Column("Table 2", f"({k + 1})", "tfp", m, "gmm", region)
        for k, (region, m) in enumerate((r, m) for r in REGIONS for m in ("sagg_high", "sagg_low"))
    ),
    *(
        Column("Table 3", f"({k + 1})", outcome, m, "gmm")
        for k, (outcome, m) in enumerate((o, m) for o in ("te", "ec") for m in _MEASURES)
    ),
)
"""The paper's 18 regression columns: Table 1 (2SLS, then IV-GMM; total, high-end,
low-end), Table 2 (IV-GMM; East, Central, West x high-end, low-end), Table 3 (IV-GMM;
TE, then EC; total, high-end, low-end)."""


BASELINE = ("Table 1", "(4)")
"""The paper's main column: IV-GMM, total agglomeration (Section 4.1 reads IV-GMM)."""


SPECIFICATIONS: Specifications = {
    "standard errors": choices("se_type", {"robust": "paper", "cluster": "book"}),
    "instrument lags": choices("lags", {"1,2": "paper", "1": "book", "2": "book", "1,2,3": "book"}),
    "orientation": choices("orientation", {"output": "paper", "input": "book"}),
    "returns to scale": choices("rts", {"crs": "paper", "vrs": "book"}),
    "sample years": (
        Choice("2003-2017", {"first_year": 2003, "last_year": 2017}, "paper"),
        Choice("2005-2017", {"first_year": 2005, "last_year": 2017}, "book"),
    ),
}
"""The specification curve's grid (2 x 4 x 2 x 2 x 2 = 64 specifications), the chapter's
default first in each dimension; the coefficient is the IV-GMM baseline (Table 1 (4)). The
paper's: robust standard errors, the first and second lags as instruments, the
output-oriented CRS Malmquist index of DEAP 2.1 cumulated from 2003. The book's: clustering
by city, one lag or three, the input orientation (identical to the output one under CRS),
variable returns to scale, and a Malmquist chain that starts in 2005."""
