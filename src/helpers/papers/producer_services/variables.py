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


MISSING_CELLS = ("interpolate", "drop")
"""What the chapter does with a missing cell (the paper does not say): fill interior gaps
by linear interpolation within a city, or fill nothing (the unit-year leaves the regressions
that use the variable)."""


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


CHOICES = (
    {
        "choice": "TFP index",
        "paper": '"DEA Malmquist index method ... with the aid of Deap2.1" (Section 3.1)',
        "book": "Malmquist index of DEAP 2.1 on contemporaneous frontiers, output-oriented",
        "parameter": "orientation",
    },
    {
        "choice": "Returns to scale of the frontier",
        "paper": "not stated",
        "book": "constant (DEAP's Malmquist TFP change)",
        "parameter": "rts",
    },
    {
        "choice": "DEA inputs and output",
        "paper": '"employees in urban units", capital stock (9.6% depreciation), real GDP',
        "book": "as the paper",
        "parameter": "none",
    },
    {
        "choice": "TFP, TE and EC levels",
        "paper": '"2003 is set as the base period" and each index chained (Section 3.1)',
        "book": "first sample year = 1, levels chained",
        "parameter": "first_year",
    },
    {
        "choice": "Instruments",
        "paper": '"the first and second lag periods" of the SAGG measure (Section 4.1)',
        "book": "lags 1 and 2 of the column's own SAGG",
        "parameter": "lags",
    },
    {
        "choice": "Unit-years lost to the lags",
        "paper": "not stated (N = 3393 printed)",
        "book": "the first years of each city, as many as the longest lag",
        "parameter": "lags, first_year",
    },
    {
        "choice": "Estimator",
        "paper": 'IV-GMM, with 2SLS "as a comparison" in Table 1',
        "book": "two-step efficient GMM (ivreg2 gmm2s) in Tables 2-3; both in Table 1",
        "parameter": "estimator",
    },
    {
        "choice": "Standard errors",
        "paper": '"xtivreg2 ... with the robust standard error of heteroscedasticity"',
        "book": "heteroskedasticity-robust, no small-sample factor (xtivreg2, robust)",
        "parameter": "se_type",
    },
    {
        "choice": "Fixed effects",
        "paper": 'city effect in eqs. (2)-(4); "Year Y City Y" under each table',
        "book": "city and year effects",
        "parameter": "none",
    },
    {
        "choice": "Endogeneity tests",
        "paper": "Durbin-Wu-Hausman and Davidson-MacKinnon; no statistic printed",
        "book": "ivreg2's Durbin and Wu-Hausman, Davidson-MacKinnon with the chapter's SEs, "
        "each outcome x SAGG measure, 5% level",
        "parameter": "se_type",
    },
    {
        "choice": "Weak-instrument test",
        "paper": "KP rk Wald F against the Stock-Yogo 10% value 19.93",
        "book": "the same, plus the effective F with its Montiel Olea-Pflueger value and "
        "Anderson-Rubin sets",
        "parameter": "none",
    },
    {
        "choice": "Regions",
        "paper": "East, Central, West: 101, 99 and 61 cities (Section 4.2)",
        "book": "the data's region column",
        "parameter": "regions",
    },
    {
        "choice": "Missing cells",
        "paper": "not stated",
        "book": "interior gaps interpolated within a city; other missing cells leave their "
        "unit-years out of the regressions that use them",
        "parameter": "missing_cells",
    },
)
"""Each modelling choice of the chapter: the paper's words (quoted, or "not stated"), the
book's default, and the notebook parameter that changes it (the chapter's table "What the
paper states and what this book assumes")."""
