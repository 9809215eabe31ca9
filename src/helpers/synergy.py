"""The synergy replication (paper 002_dc1f2b5f91afe90a): measurement, estimation, cells.

Paper 002 regresses the synergy efficiency of pollution and carbon reduction (Coor)
of 242 cities, 2011-2022, on an entropy index of new quality productive forces (Nqp)
with city and year fixed effects. This module holds the chapter's plumbing, which the
data layer's calibration (:mod:`helpers.simulate.synergy`) reuses:

* :func:`load_panel` -- the simulated panel (with the teaching knobs of :data:`KNOBS`)
  or the reader's file, validated against ``data/contracts/synergy.yml``.
* :func:`measure` -- the paper's variables: indicator cells filled by linear
  interpolation within a city (Section 4.1); Coor = SBM with undesirable outputs
  (inputs capital stock, employment, energy; good output GDP; bads CO2 and PM2.5;
  Table 1) on the global frontier of all city-years by default
  (:func:`helpers.dea.efficiency`); Nqp and its sub-dimensions Nql, Nqo, Nqm from the
  15 indicators of Table 2 (:func:`helpers.indices.entropy_index`, weights
  renormalised within a dimension); the mediators of Table 5; the
  digital-infrastructure index of Section 5.4.3; every continuous variable
  winsorized at 1/99% (:func:`helpers.panel.winsorize`, ``winsor2``), with the
  number of changed cells reported.
* :data:`COLUMNS` / :func:`estimate` / :func:`fit_columns` -- Tables 4-7: pooled OLS
  and two-way FE (:func:`helpers.fixed_effects.fe_ols`, HC1 "robust" SEs as the
  table notes say, or clustered by city), FE-2SLS with the one-year lag of Nqp
  (:func:`helpers.iv.fe_iv`, ivreg2 statistics), subsamples and province x year
  effects.
* :func:`result_cells` -- every published cell of paper 002 in the tidy keys of
  :mod:`helpers.results`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import results
from helpers.chapter_data import load_chapter_panel
from helpers.contract import load_contract
from helpers.dea import efficiency
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import FEResult, fe_ols
from helpers.indices import EntropyIndex, Indicator, entropy_index
from helpers.iv import IVResult, fe_iv
from helpers.panel import interpolate_within, lag, winsorize
from helpers.simulate.planted import planted_rows
from helpers.tables import describe

SLUG = "synergy"
PAPER = "002_dc1f2b5f91afe90a"
UNIT, TIME = "city", "year"
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


# --------------------------------------------------------------------------- columns
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


# --------------------------------------------------------------------------- data
def load_panel(
    data: str = "simulated", mapping: str = "", seed: int | None = None, **knobs: float
) -> pd.DataFrame:
    """The raw panel: ``"simulated"`` (the data layer's generator, ``seed`` and the
    teaching ``knobs`` of :data:`KNOBS`) or a file validated against the contract."""
    return load_chapter_panel(SLUG, data, mapping, seed, knobs, KNOBS)


def _dimension_key(dimension: str | None) -> tuple[str, str]:
    tier1, _, tier2 = (dimension or "").partition(" > ")
    for key in DIMENSIONS:
        if key in tier1.lower():
            return key, tier2
    raise InputError("not a Table 2 dimension", column=str(dimension))


def nqp_spec() -> list[Indicator]:
    """The 15 Table 2 indicators: direction, tier-1 dimension key and tier-2 label."""
    spec = []
    for v in load_contract(SLUG).with_role("indicator"):
        if v.weight is None:
            continue
        key, tier2 = _dimension_key(v.dimension)
        direction = "positive" if v.direction == "+" else "negative"
        spec.append(Indicator(v.name, direction, key, tier2))
    return spec


def nqp_index(panel: pd.DataFrame, missing: str = "raise") -> EntropyIndex:
    """Nqp (pooled entropy index of Table 2, default shift) with the dimension scores
    ``laborers``, ``objects`` and ``means`` (Nql, Nqo, Nqm)."""
    return entropy_index(panel, nqp_spec(), unit=UNIT, time=TIME, missing=missing, name="nqp")


def digital_index(panel: pd.DataFrame, missing: str = "raise") -> EntropyIndex:
    """Section 5.4.3: entropy index of internet users and mobile subscribers per 100
    people and telecom business per person."""
    spec = [Indicator(c) for c in DIGITAL_INDICATORS]
    return entropy_index(panel, spec, unit=UNIT, time=TIME, missing=missing, name="digital")


def weights_table(index: EntropyIndex) -> pd.DataFrame:
    """Table 2: dimension, indicator, direction, the printed weight and the replicated one."""
    contract = load_contract(SLUG)
    w = index.weights.set_index("indicator")
    rows = []
    for ind in nqp_spec():
        v = contract.variable(ind.column)
        rows.append(
            {
                "dimension": v.dimension,
                "indicator": v.label,
                "attribute": "Positive" if ind.direction == "positive" else "Negative",
                "printed weight": v.weight,
                "replicated weight": float(w.loc[ind.column, "weight"]),
            }
        )
    return pd.DataFrame(rows)


def coor_scores(
    panel: pd.DataFrame,
    *,
    model: str = "sbm",
    frontier: str = "global",
    rts: str = "crs",
    workers: int = 1,
) -> np.ndarray:
    """Coor: DEA efficiency with undesirable outputs (Table 1), non-oriented.

    ``frontier="global"`` (default) scores every city-year against the technology of
    all city-years (Pastor and Lovell 2005), so scores compare across years;
    ``"contemporaneous"`` builds one frontier per year.
    """
    check_choice("dea_model", model, DEA_MODELS)
    check_choice("frontier", frontier, FRONTIERS)
    check_choice("rts", rts, RTS)
    x = panel[list(DEA_INPUTS)].to_numpy(float)
    y = panel[list(DEA_GOOD)].to_numpy(float)
    b = panel[list(DEA_BAD)].to_numpy(float)
    options = {"model": model, "rts": rts, "orientation": "non", "workers": workers}
    if frontier == "global":
        return efficiency(x, y, b, **options)
    scores = np.full(len(panel), np.nan)
    years = panel[TIME].to_numpy()
    for year in np.unique(years):
        rows = years == year
        scores[rows] = efficiency(x[rows], y[rows], b[rows], **options)
    return scores


@dataclass(frozen=True)
class Measurement:
    """The measured panel and how it was built.

    ``frame``: city, year, province and group flags, pilot (low-carbon pilot in force),
    coor, nqp, nql, nqo, nqm, the controls, the mediators of :data:`MEDIATORS`,
    digital (index), digital_high, group (Table 7 (5)-(8)) and nqp_lag.
    ``index``/``digital``: the entropy indices. ``filled``: cells filled by
    interpolation. ``winsorized``: cells changed per column (empty if off).
    """

    frame: pd.DataFrame
    index: EntropyIndex
    digital: EntropyIndex
    filled: pd.DataFrame
    winsorized: pd.Series
    options: dict = field(default_factory=dict)


CONTINUOUS = ("coor", "nqp", "nql", "nqo", "nqm", *CONTROLS, *MEDIATORS, "digital")


def _split_high(values: pd.Series, frame: pd.DataFrame, rule: str) -> pd.Series:
    """1 where the digital index is above the median of ``rule``: all city-years,
    the city-years of the same year, or (``city``) the city's mean over the years
    against the median of city means (a time-invariant split)."""
    if rule == "pooled":
        return (values > values.median()).astype(int)
    if rule == "year":
        return (values > values.groupby(frame[TIME]).transform("median")).astype(int)
    means = values.groupby(frame[UNIT]).transform("mean")
    city_median = values.groupby(frame[UNIT]).mean().median()
    return (means > city_median).astype(int)


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int = 2011,
    last_year: int = 2022,
    dea_model: str = "sbm",
    frontier: str = "global",
    rts: str = "crs",
    winsorize_on: bool = True,
    cuts: tuple[float, float] = (1.0, 99.0),
    digital_split: str = "pooled",
    workers: int = 1,
) -> Measurement:
    """The paper's variables on ``first_year``..``last_year`` (index weights, frontier
    and percentiles computed on those years)."""
    check_choice("digital_split", digital_split, DIGITAL_SPLITS)
    lo, hi = (float(c) for c in cuts)
    if not 0 <= lo < hi <= 100:
        raise InputError(
            f"need 0 <= lower < upper <= 100; got {lo}, {hi}", parameter="winsorize_cuts"
        )
    years = pd.to_numeric(panel[TIME]).astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    present = sorted(set(years[(years >= first_year) & (years <= last_year)]))
    if len(present) < 3:
        raise InputError(
            f"at least three sample years are needed; found {present}", parameter="first_year"
        )
    sample[TIME] = sample[TIME].astype(int)
    numeric = [i.column for i in nqp_spec()] + list(DIGITAL_INDICATORS)
    numeric += [*DEA_INPUTS, *DEA_GOOD, *DEA_BAD, "electricity", *CONTROLS]
    numeric += ["green_patent_applications", "green_patent_grants"]
    for col in numeric:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    filled = interpolate_within(sample, numeric, unit=UNIT, time=TIME)
    sample = filled.data
    complete = sample[[*DEA_INPUTS, *DEA_GOOD, *DEA_BAD]].notna().all(axis=1).to_numpy()
    index = nqp_index(sample, missing="drop")
    digital = digital_index(sample, missing="drop")
    coor = np.full(len(sample), np.nan)
    coor[complete] = coor_scores(
        sample[complete], model=dea_model, frontier=frontier, rts=rts, workers=workers
    )
    pilot_year = pd.to_numeric(sample["lowcarbon_pilot_year"])
    out = sample[[UNIT, TIME, "province", "capital", "municipality", "resource_based"]].copy()
    out["pilot"] = (sample[TIME] >= pilot_year).fillna(False).astype(int)
    out["coor"] = coor
    out["nqp"] = index.score.to_numpy()
    for key, name in DIMENSIONS.items():
        out[name] = index.dimension_scores[key].to_numpy()
    for c in CONTROLS:
        out[c] = sample[c].to_numpy()
    out["es1"] = (sample["electricity"] / sample["gdp"]).to_numpy()
    out["es2"] = (sample["energy"] / sample["gdp"] * 1e4).to_numpy()
    out["lnapp"] = np.log1p(sample["green_patent_applications"]).to_numpy()
    out["lngrant"] = np.log1p(sample["green_patent_grants"]).to_numpy()
    out["dfi"] = (sample["dfi"] / 100).to_numpy()
    out["digital"] = digital.score.to_numpy()
    changed = pd.Series(0, index=list(CONTINUOUS), dtype=int, name="cells changed")
    if winsorize_on:
        before = out[list(CONTINUOUS)].copy()
        out = winsorize(out, list(CONTINUOUS), cuts=(lo, hi), missing="keep")
        after = out[list(CONTINUOUS)]
        changed = ((before != after) & before.notna()).sum().astype(int).rename("cells changed")
    out["digital_high"] = _split_high(out["digital"], out, digital_split)
    high, pilot = out["digital_high"] == 1, out["pilot"] == 1
    out["group"] = np.select(
        [high & pilot, ~high & ~pilot, high & ~pilot, ~high & pilot], list(GROUPS), ""
    )
    out["nqp_lag"] = lag(out, "nqp", unit=UNIT, time=TIME)
    options = {
        "dea_model": dea_model,
        "frontier": frontier,
        "rts": rts,
        "winsorize": winsorize_on,
        "cuts": (lo, hi),
        "digital_split": digital_split,
    }
    return Measurement(out, index, digital, filled.filled, changed, options)


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Table 3: obs, mean, sd (n-1), min and max of Coor, Nqp, its sub-dimensions and
    the controls."""
    return describe(frame, TABLE3_ROWS, ("obs", "mean", "sd", "min", "max"))


# --------------------------------------------------------------------------- estimation
def sample_of(data: pd.DataFrame, sample: str) -> pd.DataFrame:
    """The rows of a column's ``sample`` (Tables 6-7)."""
    if sample == "all":
        return data
    if sample == "no-municipalities":
        return data[data["municipality"] == 0]
    if sample in ("nqp-low", "nqp-high"):
        median = data["nqp"].median()
        low = data["nqp"] <= median
        return data[low] if sample == "nqp-low" else data[~low]
    flags = {
        "capital": ("capital", 1),
        "ordinary": ("capital", 0),
        "resource": ("resource_based", 1),
        "non-resource": ("resource_based", 0),
    }
    if sample in flags:
        name, value = flags[sample]
        return data[data[name] == value]
    check_choice("sample", sample, GROUPS)
    return data[data["group"] == sample]


def _vcov(se_type: str) -> dict[str, str | None]:
    check_choice("se_type", se_type, SE_TYPES)
    return {"vcov": se_type, "cluster": UNIT if se_type == "cluster" else None}


def _fixed_effects(kind: str) -> list:
    return {"none": [], "twfe": [UNIT, TIME], "province-year": [UNIT, ("province", TIME)]}[kind]


def lagged_iv(frame: pd.DataFrame, *, se_type: str = "robust") -> IVResult:
    """Table 6 (1)-(2): FE-2SLS of Coor on Nqp instrumented by Nqp of the previous year,
    the controls, city and year effects (``xtivreg2 ..., fe``; Kleibergen-Paap statistics)."""
    return fe_iv(
        frame, "coor", ["nqp"], ["nqp_lag"], list(CONTROLS), [UNIT, TIME], **_vcov(se_type)
    )


def estimate(data: pd.DataFrame, col: Column, se_type: str = "robust") -> FEResult:
    """One OLS column: pooled OLS or FE, the five controls or none."""
    sample = sample_of(data, col.sample)
    regressors = [col.regressor, *(CONTROLS if col.controls else ())]
    return fe_ols(
        sample, col.outcome, regressors, _fixed_effects(col.fixed_effects), **_vcov(se_type)
    )


Fit = FEResult | IVResult


@dataclass(frozen=True)
class Estimates:
    """Every regression column: ``fits[(table, column)]`` (Table 6 (1) holds the first
    stage, Table 6 (2) the IV); a column that cannot be estimated has its reason in
    ``failures``. ``iv`` is the full IV result (diagnostics)."""

    fits: dict[tuple[str, str], Fit]
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    iv: IVResult | None = None
    se_type: str = "robust"

    def __getitem__(self, key: tuple[str, str]) -> Fit:
        return self.fits[key]


def estimate_all(
    frame: pd.DataFrame, *, se_type: str = "robust", columns: Iterable[Column] = COLUMNS
) -> Estimates:
    """The regression columns (all by default) on the measured ``frame``."""
    _vcov(se_type)
    fits, failures, iv = {}, {}, None
    for col in columns:
        key = (col.table, col.column)
        try:
            if key in IV_COLUMNS:
                iv = iv or lagged_iv(frame, se_type=se_type)
                fits[key] = iv.first_stage[0].result if key == IV_COLUMNS[0] else iv
            else:
                fits[key] = estimate(frame, col, se_type)
        except InputError as exc:
            failures[key] = str(exc)
    return Estimates(fits, failures, iv, se_type)


def fit_columns(
    frame: pd.DataFrame, columns: Iterable[Column] = COLUMNS, se_type: str = "robust"
) -> pd.DataFrame:
    """Coefficient, SE and p-value of the core regressor of each of ``columns``."""
    est = estimate_all(frame, se_type=se_type, columns=columns)
    rows = []
    for col in columns:
        fit = est.fits.get((col.table, col.column))
        if fit is None:
            continue
        rows.append(
            {
                "table": col.table,
                "column": col.column,
                "row": ROW_LABELS[col.regressor],
                "coef": float(fit.params[col.regressor]),
                "se": float(fit.bse[col.regressor]),
                "p": float(fit.pvalues[col.regressor]),
                "nobs": int(fit.nobs),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- tidy cells
def _model_stats(fit: Fit) -> dict[str, float]:
    """N and Adj. R2 as reghdfe prints it (with the absorbed effects); for the IV the
    centred R2 of ivreg2 (it prints no adjusted one)."""
    r2 = fit.r2_a if isinstance(fit, FEResult) else fit.r2
    return {"N": fit.nobs, "Adj. R2": r2}


def descriptive_cells(descriptives: pd.DataFrame) -> pd.DataFrame:
    """Table 3 as tidy cells."""
    return results.descriptive_cells(
        descriptives,
        paper=PAPER,
        table="Table 3",
        column_labels=TABLE3_STATS,
        row_labels=TABLE3_ROWS,
    )


def weight_cells(weights: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Table 2: the replicated entropy weight of each indicator, keyed by the printed row
    (the published rows follow Table 2's order, as the contract does)."""
    pub = published[(published["paper"] == PAPER) & (published["table"] == "Table 2")]
    if len(pub) != len(weights):
        raise InputError("Table 2 rows and contract indicators differ in number", column="row")
    keys = pub[["paper", "table", "column", "row", "stat"]].reset_index(drop=True)
    return keys.assign(
        value=weights["replicated weight"].to_numpy(float),
        stars=pd.array([pd.NA] * len(keys), dtype="Int64"),
    )


def regression_cells(estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame:
    """Tidy cells of Tables 4-7; Table 6 (1) adds the Kleibergen-Paap statistics and the
    Stock-Yogo critical value of the IV."""
    parts = [
        results.regression_cells(
            estimates.fits,
            estimates.failures,
            published,
            paper=PAPER,
            row_labels=ROW_LABELS,
            model_stats=_model_stats,
        )
    ]
    first = IV_COLUMNS[0]
    if first in estimates.fits and estimates.iv is not None:
        iv = estimates.iv
        parts = [
            parts[0][
                ~(
                    (parts[0]["table"] == first[0])
                    & (parts[0]["column"] == first[1])
                    & (parts[0]["stat"] == "value")
                )
            ]
        ]
        stats = {
            "N": estimates.fits[first].nobs,
            "Adj. R2": estimates.fits[first].r2_a,
            "Kleibergen-Paap rk LM": iv.kp_lm,
            "Kleibergen-Paap rk Wald F": iv.kp_f,
            "Stock-Yogo 10% critical value": iv.stock_yogo_10,
        }
        rows = [(PAPER, *first, label, "value", float(v)) for label, v in stats.items()]
        rows.append((PAPER, *first, "Kleibergen-Paap rk LM", "p", float(iv.kp_lm_p)))
        extra = pd.DataFrame(rows, columns=["paper", "table", "column", "row", "stat", "value"])
        extra["stars"] = pd.array([pd.NA] * len(extra), dtype="Int64")
        parts.append(extra)
    return pd.concat(parts, ignore_index=True)


def result_cells(
    estimates: Estimates,
    descriptives: pd.DataFrame,
    weights: pd.DataFrame,
    published: pd.DataFrame,
) -> pd.DataFrame:
    """Every published cell of paper 002: Tables 2 and 3 and Tables 4-7."""
    return pd.concat(
        [
            weight_cells(weights, published),
            descriptive_cells(descriptives),
            regression_cells(estimates, published),
        ],
        ignore_index=True,
    )


# --------------------------------------------------------------------------- reading aids
def group_sizes(frame: pd.DataFrame, estimates: Estimates | None = None) -> pd.DataFrame:
    """City-years in each subsample of Tables 6-7 (``N``) and, with ``estimates``, the
    observations the regression keeps after reghdfe drops singletons (``N used``)."""
    rows = []
    for col in COLUMNS:
        if col.table in ("Table 6", "Table 7") and (
            col.sample != "all" or col.fixed_effects != "twfe"
        ):
            row = {
                "table": col.table,
                "column": col.column,
                "sample": col.label,
                "N": len(sample_of(frame, col.sample)),
            }
            fit = None if estimates is None else estimates.fits.get((col.table, col.column))
            if estimates is not None:
                row["N used"] = fit.nobs if fit is not None else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def sample_sums(published: pd.DataFrame) -> pd.Series:
    """The published subsample sizes that should add up to 2904: the median split
    (Table 6 (5)+(6)) and the four digital x regulation groups (Table 7 (5)-(8))."""
    pub = published[(published["paper"] == PAPER) & (published["row"] == "N")]
    n = pub.set_index(["table", "column"])["value"].astype(float)
    return pd.Series(
        {
            "design": float(n[("Table 4", "(2)")]),
            "median split": float(n[("Table 6", "(5)")] + n[("Table 6", "(6)")]),
            "four groups": float(sum(n[("Table 7", c)] for c in ("(5)", "(6)", "(7)", "(8)"))),
        }
    )


def agreement(published: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Sign and 10% significance class of the core variable of every published regression
    column, replicated against printed (:func:`helpers.tables.sign_and_significance`)."""
    from helpers.tables import sign_and_significance

    return sign_and_significance(
        published, cells, PAPER, CORE_ROWS, tables=("Table 4", "Table 5", "Table 6", "Table 7")
    )


def planted_truth() -> pd.DataFrame:
    """The generating process's planted slopes and knobs (rows of the parameter table)."""
    return planted_rows(
        SLUG,
        [
            "b_nqp",
            "b_laborers",
            "b_objects",
            "b_means",
            "kappa_patents",
            "kappa_dfi",
            "h_capital",
            "h_resource",
            "h_digital",
            "h_pressure",
            "delta_dfi",
            "delta_applications",
            "delta_grants",
            "effect_scale",
            "endogeneity",
        ],
    )


def parse_cuts(lower: float, upper: float) -> tuple[float, float]:
    """Winsorizing percentiles as a checked pair."""
    try:
        lo, hi = float(lower), float(upper)
    except (TypeError, ValueError):
        raise InputError("must be numbers (percent)", parameter="winsorize_cuts") from None
    if not 0 <= lo < hi <= 100:
        raise InputError(
            f"need 0 <= lower < upper <= 100; got {lo}, {hi}", parameter="winsorize_cuts"
        )
    return lo, hi


# --------------------------------------------------------------------------- figures
def plot_coor_against_nqp(frame: pd.DataFrame, bins: int = 20):
    """Coor against Nqp: every city-year (grey) and the mean of Coor in ``bins`` Nqp
    quantile bins (blue), early and late years apart."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=150)
    ax.scatter(frame["nqp"], frame["coor"], s=4, color="0.75", alpha=0.6, label="city-years")
    middle = frame[TIME].median()
    for part, colour, label in (
        (frame[frame[TIME] <= middle], "#0072B2", "mean, early years"),
        (frame[frame[TIME] > middle], "#D55E00", "mean, late years"),
    ):
        binned = part.groupby(pd.qcut(part["nqp"], bins, duplicates="drop"), observed=True)
        means = binned[["nqp", "coor"]].mean()
        ax.plot(means["nqp"], means["coor"], marker="o", ms=3, color=colour, label=label)
    ax.set_xlabel("Nqp (entropy index)")
    ax.set_ylabel("Coor (SBM efficiency)")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_core_coefficients(score: pd.DataFrame, level: float = 0.95):
    """The core coefficient of every regression column, published beside replicated.

    ``score``: :func:`agreement` rows, with the published and replicated SEs added as
    ``se_published`` and ``se_replicated``. Intervals are coef +- z(level) SE."""
    import matplotlib.pyplot as plt
    from scipy.stats import norm

    crit = norm.isf((1 - level) / 2)
    y = np.arange(len(score))[::-1]
    fig, ax = plt.subplots(figsize=(7, 6.5), dpi=150)
    for offset, source, colour in (
        (0.15, "published", "#0072B2"),
        (-0.15, "replicated", "#D55E00"),
    ):
        ax.errorbar(
            score[source],
            y + offset,
            xerr=crit * score[f"se_{source}"],
            fmt="o",
            ms=3,
            color=colour,
            capsize=2,
            label=source,
        )
    labels = {(c.table, c.column): c.label for c in COLUMNS}
    ax.set_yticks(
        y,
        [
            f"{t} {c}: {labels[(t, c)]}"
            for t, c in zip(score["table"], score["column"], strict=True)
        ],
        fontsize=7,
    )
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlabel("coefficient of the core variable (symmetric log scale)")
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
