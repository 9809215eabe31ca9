"""The coordination replication (paper 001_1101b0c6b88162b7): measurement, estimation, cells.

Paper 001 (in Chinese) regresses the regional economic gap of 30 provinces,
2013-2022, on an entropy index of new quality productive forces (NQP) with
province and year fixed effects. This module holds the chapter's plumbing:

* :func:`load_panel` -- the simulated panel (:mod:`helpers.simulate`) or the
  reader's file, validated against ``data/contracts/coordination.yml``
  (:func:`helpers.io.load`).
* :func:`measure` -- the paper's variables: missing indicator cells filled by
  linear interpolation within a province (Section 2.3, "插值法"), the NQP entropy
  index of Table 1 (25 indicators, printed directions), real GDP at first-year
  prices from the GDP index divided by year-end population, the gap of eq. (3)
  (absolute) or eq. (4) (relative), and the upgrading index of eq. (5).
* :func:`estimate` -- Tables 3-6: two-way FE (``fe_ols``), the sample without
  the special provinces, FE-2SLS with the one-year lag of NQP as instrument
  (``fe_iv``, xtivreg2 conventions), Jiang Ting's two-step mediation and the
  East / Central / West split.
* :func:`result_cells` -- every published cell of the paper in the tidy keys of
  :mod:`helpers.results`; a regression that cannot be run on the reader's data
  yields rows with an empty value and the reason.

Standard errors (``se_type``): ``"robust"`` is what the table notes say
(稳健标准误): heteroskedasticity-robust HC1 with t(N-K-df_a) inference, Stata's
``reghdfe ..., vce(robust)``; ``"cluster"`` clusters by province with t(G-1)
inference, which is what Stata's ``xtreg, fe robust`` actually computes and what
the stars of Table 6 fit. The IV column follows ``xtivreg2, fe`` without
``small`` (normal inference) under both choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import results
from helpers.chapter_data import load_province_panel
from helpers.contract import load_contract
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import FEResult, fe_ols
from helpers.indices import EntropyIndex, Indicator, entropy_index
from helpers.iv import IVResult, fe_iv
from helpers.measures import real_gdp_from_index, regional_gap, structure_upgrading_index
from helpers.panel import interpolate_within, lag
from helpers.simulate.coordination import CONTROLS
from helpers.simulate.planted import planted_rows
from helpers.tables import describe

SLUG = "coordination"
PAPER = "001_1101b0c6b88162b7"
UNIT, TIME = "province", "year"
FE = [UNIT, TIME]
GAP_MEASURES = ("absolute", "relative")
ENTROPY_BY = ("pooled", "year")
SE_TYPES = ("robust", "cluster")
REGIONS = ("East", "Central", "West")
DEFAULT_EXCLUDED = ("Beijing", "Shanghai", "Tianjin", "Chongqing", "Guangdong")
"""Table 4 column (1): the four municipalities and Guangdong (Section 3.2.1)."""

NQP_ROW = "New quality productive forces"
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


# --------------------------------------------------------------------------- data
def load_panel(data: str = "simulated", mapping: str = "", seed: int | None = None) -> pd.DataFrame:
    """The raw panel: ``"simulated"`` (the data layer's generator, ``seed``) or a file path.

    A file is read and validated against the coordination data contract by
    :func:`helpers.io.load`, with the optional column-mapping file ``mapping``.
    Without a ``region`` column the East / Central / West split of
    ``data/reference/provinces.csv`` is added by the English province name.
    """
    return load_province_panel(SLUG, data, mapping, seed)


def indicator_spec() -> list[Indicator]:
    """The 25 indicators of Table 1 in contract order, with their printed directions."""
    return load_contract(SLUG).index_spec()


def indicator_table() -> pd.DataFrame:
    """Table 1 as the contract records it: dimension, indicator, Chinese name, direction."""
    rows = []
    for v in load_contract(SLUG).with_role("indicator"):
        first, _, second = (v.dimension or "").partition(" > ")
        rows.append(
            {
                "first level": first,
                "second level": second,
                "indicator": v.name,
                "label": v.label,
                "三级指标": v.label_zh,
                "direction": v.direction,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Measurement:
    """The measured panel and how it was built.

    ``frame``: province, year, region, gap, nqp, upgrading, ln_real_pc and the six
    controls. ``index``: the entropy index (weights table, scores). ``filled``:
    indicator cells filled by interpolation (province, year, column, value).
    """

    frame: pd.DataFrame
    index: EntropyIndex
    filled: pd.DataFrame
    gap_measure: str
    entropy_by: str


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    gap_measure: str = "absolute",
    entropy_by: str = "pooled",
) -> Measurement:
    """The paper's variables on the sample years ``first_year``..``last_year``.

    Index and gap are computed on the sample itself (weights depend on which
    province-years enter); real GDP is at ``first_year`` prices (2013 in the paper).
    """
    check_choice("gap_measure", gap_measure, GAP_MEASURES)
    check_choice("entropy_by", entropy_by, ENTROPY_BY)
    years = panel[TIME].astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    present = set(sample[TIME].astype(int))
    if first_year not in present or len(present) < 3:
        raise InputError(
            f"the data must cover {first_year} (the price base) and at least three years "
            f"between first_year and last_year; found {sorted(present)}",
            parameter="first_year",
        )
    spec = indicator_spec()
    needed = [i.column for i in spec] + ["gdp", "gdp_index", "population"]
    needed += ["va_primary", "va_secondary", "va_tertiary", *CONTROLS]
    sample[TIME] = sample[TIME].astype(int)
    for col in needed:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    filled = interpolate_within(sample, needed, unit=UNIT, time=TIME)
    sample = filled.data
    index = entropy_index(sample, spec, by=entropy_by, unit=UNIT, time=TIME, missing="drop")
    real = real_gdp_from_index(
        sample, "gdp", "gdp_index", unit=UNIT, time=TIME, base_year=first_year
    )
    out = sample[[UNIT, TIME, "region", *CONTROLS]].copy()
    out["region"] = out["region"].astype(str)
    out["nqp"] = index.score
    out["ln_real_pc"] = np.log(np.asarray(real) * 1e4 / sample["population"].to_numpy())
    out["real_pc"] = np.exp(out["ln_real_pc"])
    out["gap"] = regional_gap(out, "real_pc", unit=UNIT, time=TIME, kind=gap_measure)
    out["upgrading"] = structure_upgrading_index(
        sample, "va_primary", "va_secondary", "va_tertiary", unit=UNIT, time=TIME
    )
    return Measurement(out.drop(columns="real_pc"), index, filled.filled, gap_measure, entropy_by)


def weights_table(index: EntropyIndex) -> pd.DataFrame:
    """Entropy weights of the 25 indicators with Table 1's hierarchy and Chinese names.

    With year-by-year weights the table shows each indicator's mean, min and max weight.
    """
    names = indicator_table().set_index("indicator")
    w = index.weights
    if "year" in w.columns:
        agg = w.groupby("indicator", sort=False)["weight"].agg(["mean", "min", "max"])
        w = agg.rename(columns={"mean": "weight", "min": "weight_min", "max": "weight_max"})
        w = w.reset_index()
    table = names.join(w.set_index("indicator").filter(like="weight"), how="left")
    return table.reset_index()


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Table 2: obs, mean, min, median, max, sd (n-1) of the gap, NQP and the controls."""
    return describe(frame, TABLE2_ROWS, ("obs", "mean", "min", "median", "max", "sd"))


# --------------------------------------------------------------------------- estimation
Fit = FEResult | IVResult


@dataclass(frozen=True)
class Estimates:
    """Every regression column of Tables 3-6: ``fits[(table, column)]``.

    A column that cannot be estimated on the data has no fit; ``failures`` holds
    the reason under its key.
    """

    fits: dict[tuple[str, str], Fit]
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    se_type: str = "robust"
    excluded: tuple[str, ...] = DEFAULT_EXCLUDED

    def __getitem__(self, key: tuple[str, str]) -> Fit:
        return self.fits[key]


def _vcov(se_type: str) -> dict[str, str | None]:
    check_choice("se_type", se_type, SE_TYPES)
    return {"vcov": se_type, "cluster": UNIT if se_type == "cluster" else None}


def two_way_fe(
    frame: pd.DataFrame, outcome: str = "gap", controls: Sequence[str] = CONTROLS, *, se_type: str
) -> FEResult:
    """Eq. (1) / eq. (2): ``outcome`` on NQP and ``controls`` with province and year effects."""
    return fe_ols(frame, outcome, ["nqp", *controls], FE, **_vcov(se_type))


def lagged_iv(frame: pd.DataFrame, *, se_type: str) -> IVResult:
    """Table 4 (2): FE-2SLS, NQP instrumented by NQP of the previous year (xtivreg2, fe)."""
    data = frame.assign(nqp_lag=lag(frame, "nqp", unit=UNIT, time=TIME))
    return fe_iv(data, "gap", ["nqp"], ["nqp_lag"], list(CONTROLS), FE, **_vcov(se_type))


def parse_provinces(text: str) -> tuple[str, ...]:
    """Comma-separated province names -> tuple (blank entries dropped)."""
    return tuple(name.strip() for name in str(text).split(",") if name.strip())


def estimate(
    frame: pd.DataFrame, *, se_type: str = "robust", excluded: Sequence[str] = DEFAULT_EXCLUDED
) -> Estimates:
    """All regression columns of the paper on the measured ``frame``."""
    _vcov(se_type)
    excluded = tuple(excluded)
    unknown = sorted(set(excluded) - set(frame[UNIT]))
    if unknown:
        raise InputError(
            "not a province of the data",
            parameter="excluded_provinces",
            rows=unknown,
            hint=f"provinces: {', '.join(pd.unique(frame[UNIT]))}",
        )
    kept = frame[~frame[UNIT].isin(excluded)]
    jobs = {
        ("Table 3", "(1)"): lambda: two_way_fe(frame, controls=(), se_type=se_type),
        ("Table 3", "(2)"): lambda: two_way_fe(frame, se_type=se_type),
        ("Table 4", "(1)"): lambda: two_way_fe(kept, se_type=se_type),
        ("Table 4", "(2)"): lambda: lagged_iv(frame, se_type=se_type),
        ("Table 5", "(2)"): lambda: two_way_fe(frame, "upgrading", se_type=se_type),
    }
    for column, region in zip(("(1)", "(2)", "(3)"), REGIONS, strict=True):
        part = frame[frame["region"] == region]
        jobs[("Table 6", column)] = lambda part=part: two_way_fe(part, se_type=se_type)
    fits, failures = {}, {}
    for key, job in jobs.items():
        try:
            fits[key] = job()
        except InputError as exc:
            failures[key] = str(exc)
    if ("Table 3", "(2)") in fits:  # Table 5 (1) reprints the baseline (Jiang Ting step 1)
        fits[("Table 5", "(1)")] = fits[("Table 3", "(2)")]
    elif ("Table 3", "(2)") in failures:
        failures[("Table 5", "(1)")] = failures[("Table 3", "(2)")]
    return Estimates(fits, failures, se_type, excluded)


# --------------------------------------------------------------------------- tidy cells
def _model_stats(fit: Fit) -> dict[str, float]:
    """R2 as printed: xtreg's within R2 for FE columns, ivreg2's centred (within) R2 for IV."""
    r2 = fit.r2_within if isinstance(fit, FEResult) else fit.r2
    stats = {"R2": r2, "Observations": fit.nobs}
    if isinstance(fit, IVResult):
        stats |= {
            "Kleibergen-Paap rk LM statistic": fit.kp_lm,
            "Kleibergen-Paap rk Wald F statistic": fit.kp_f,
            "Stock-Yogo 10% critical value": fit.stock_yogo_10,
        }
    return stats


def descriptive_cells(descriptives: pd.DataFrame) -> pd.DataFrame:
    """Table 2 as tidy cells (column = printed statistic label, stat = obs/mean/...)."""
    return results.descriptive_cells(
        descriptives,
        paper=PAPER,
        table="Table 2",
        column_labels=TABLE2_STATS,
        row_labels=TABLE2_ROWS,
    )


def regression_cells(
    estimates: Estimates, published: pd.DataFrame, tables: Sequence[str] | None = None
) -> pd.DataFrame:
    """Tidy cells of the regression columns (all, or those of ``tables``); R2 as printed
    (:func:`_model_stats`); a column that could not be estimated gets empty cells and why."""
    return results.regression_cells(
        estimates.fits,
        estimates.failures,
        published,
        paper=PAPER,
        row_labels=ROW_LABELS,
        model_stats=_model_stats,
        tables=tables,
    )


def result_cells(
    estimates: Estimates, descriptives: pd.DataFrame, published: pd.DataFrame
) -> pd.DataFrame:
    """Every published cell of paper 001 as tidy cells: Table 2 and Tables 3-6."""
    return pd.concat(
        [descriptive_cells(descriptives), regression_cells(estimates, published)],
        ignore_index=True,
    )


# --------------------------------------------------------------------------- reading aids
def star_conventions(published: pd.DataFrame, table: str, clusters: dict[str, int]) -> pd.DataFrame:
    """Stars that the printed coef/SE of ``table`` imply under two reference distributions.

    ``normal``: the two-sided normal p-value (``reghdfe, vce(robust)`` with many
    residual df is indistinguishable); ``cluster t(G-1)``: Student t with G-1
    degrees of freedom, G = ``clusters[column]`` provinces, as ``xtreg, fe robust``
    uses. Returns one row per coefficient with both p-values and star counts.
    """
    from helpers.inference import star_count, two_sided_p

    pub = published[(published["paper"] == PAPER) & (published["table"] == table)]
    coef = pub[pub["stat"] == "coef"].set_index(["column", "row"])
    se = pub[pub["stat"] == "se"].set_index(["column", "row"])["number"]
    out = coef[["column_title", "number", "stars"]].rename(
        columns={"number": "coef", "stars": "printed"}
    )
    out["se"] = se.reindex(out.index)
    z = (out["coef"] / out["se"]).abs()
    g = np.array([clusters[c] for c in out.index.get_level_values("column")], dtype=float)
    out["G"] = g.astype(int)
    out["p normal"] = two_sided_p(z.to_numpy())
    out["p t(G-1)"] = [float(two_sided_p(zi, gi - 1)) for zi, gi in zip(z, g, strict=True)]
    out["stars normal"] = star_count(out["p normal"].to_numpy())
    out["stars t(G-1)"] = star_count(out["p t(G-1)"].to_numpy())
    return out.reset_index()


def planted_truth() -> pd.DataFrame:
    """The generating process's structural slopes and knobs (rows of the parameter table)."""
    return planted_rows(
        SLUG,
        [
            "beta_nqp_east",
            "beta_nqp_central",
            "beta_nqp_west",
            "beta_nqp_upgrading",
            "gap_on_upgrading",
            "effect_scale",
            "endogeneity",
            "gap_shock_persistence",
        ],
        ("value", "unit", "note"),
    )


def plot_core_coefficients(comparison: pd.DataFrame, level: float = 0.95):
    """Published and replicated NQP coefficients of every regression column, with intervals.

    ``comparison``: :func:`helpers.tables.comparison_table` rows of the NQP
    coefficient and SE. Intervals are coef +- z(level) SE (normal), for the eye only.
    """
    import matplotlib.pyplot as plt
    from scipy.stats import norm

    rows = comparison[comparison["row"] == NQP_ROW]
    wide = rows.pivot_table(
        index=["table", "column"], columns="stat", values=["published", "replicated"]
    )
    order = [k for k in COLUMNS if k in wide.index]
    wide = wide.reindex(order)
    crit = norm.isf((1 - level) / 2)
    y = np.arange(len(wide))[::-1]
    fig, ax = plt.subplots(figsize=(7, 4.4), dpi=150)
    for offset, source, colour in (
        (0.15, "published", "#0072B2"),
        (-0.15, "replicated", "#D55E00"),
    ):
        b = wide[(source, "coef")].to_numpy(float)
        s = wide[(source, "se")].to_numpy(float)
        ax.errorbar(
            b, y + offset, xerr=crit * s, fmt="o", ms=4, color=colour, capsize=2, label=source
        )
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_yticks(y, [f"{t} {c}: {COLUMNS[(t, c)]}" for t, c in order])
    ax.set_xlabel("coefficient on the NQP index (gap units per index unit)")
    ax.legend(frameon=False, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_regional_paths(frame: pd.DataFrame):
    """Mean NQP index and mean regional gap by region and year (two panels)."""
    import matplotlib.pyplot as plt

    means = frame.groupby(["region", TIME])[["nqp", "gap"]].mean()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), dpi=150)
    colours = {"East": "#0072B2", "Central": "#E69F00", "West": "#009E73"}
    for ax, col, title in zip(axes, ("nqp", "gap"), ("NQP index", "regional gap"), strict=True):
        for region in REGIONS:
            if region in means.index.get_level_values("region"):
                part = means.loc[region, col]
                ax.plot(
                    part.index,
                    part.to_numpy(),
                    marker="o",
                    ms=3,
                    color=colours[region],
                    label=region,
                )
        ax.set_title(f"mean {title}", fontsize=10)
        ax.set_xlabel("year")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].legend(frameon=False)
    fig.tight_layout()
    return fig
