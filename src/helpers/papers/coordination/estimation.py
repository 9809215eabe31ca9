"""Paper 001's published tables: Tables 2-6, every published cell in tidy keys, and the
chapter's reading aids and figures.

* :func:`estimate` -- Tables 3-6: two-way FE (``fe_ols``), the sample without the special
  provinces, FE-2SLS with the one-year lag of NQP as instrument (``fe_iv``, xtivreg2
  conventions), Jiang Ting's two-step mediation and the East / Central / West split.
* :func:`result_cells` -- every published cell of the paper in the tidy keys of
  :mod:`helpers.results`; a regression that cannot be run on the reader's data yields
  rows with an empty value and the reason.

Standard errors (``se_type``): ``"robust"`` is what the table notes say (稳健标准误):
heteroskedasticity-robust HC1 with t(N-K-df_a) inference, Stata's
``reghdfe ..., vce(robust)``; ``"cluster"`` clusters by province with t(G-1) inference,
which is what Stata's ``xtreg, fe robust`` actually computes and what the stars of
Table 6 fit. The IV column follows ``xtivreg2, fe`` without ``small`` (normal inference)
under both choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import results
from helpers.errors import InputError
from helpers.fixed_effects import FEResult, fe_ols
from helpers.inference import star_count, two_sided_p
from helpers.iv import IVResult, fe_iv
from helpers.names import normalise_exclusions
from helpers.panel import lag
from helpers.papers import interface
from helpers.papers.coordination.measurement import Measurement, descriptive_statistics, measure
from helpers.papers.coordination.variables import (
    COLUMNS,
    CONTROLS,
    DEFAULT_EXCLUDED,
    FE,
    NQP_ROW,
    PAPER,
    REGIONS,
    ROW_LABELS,
    SE_TYPES,
    TABLE2_ROWS,
    TABLE2_STATS,
    TIME,
    UNIT,
)
from helpers.style import plot_group_means

Fit = FEResult | IVResult


@dataclass(frozen=True, kw_only=True)
class Estimates(interface.Estimates):
    """Every regression column of Tables 3-6: ``fits[(table, column)]``, and the provinces
    left out of Table 4 (1)."""

    excluded: tuple[str, ...] = DEFAULT_EXCLUDED


def _vcov(se_type: str) -> dict[str, str | None]:
    return interface.vcov(se_type, SE_TYPES, UNIT)


def two_way_fe(
    frame: pd.DataFrame, outcome: str = "gap", controls: Sequence[str] = CONTROLS, *, se_type: str
) -> FEResult:
    """Eq. (1) / eq. (2): ``outcome`` on NQP and ``controls`` with province and year effects."""
    return fe_ols(frame, outcome, ["nqp", *controls], FE, **_vcov(se_type))


def lagged_iv(frame: pd.DataFrame, *, se_type: str) -> IVResult:
    """Table 4 (2): FE-2SLS, NQP instrumented by NQP of the previous year (xtivreg2, fe)."""
    data = frame.assign(nqp_lag=lag(frame, "nqp", unit=UNIT, time=TIME))
    return fe_iv(data, "gap", ["nqp"], ["nqp_lag"], list(CONTROLS), FE, **_vcov(se_type))


def parse_provinces(text: str | Sequence[str]) -> tuple[str, ...]:
    """Provinces to exclude, in any form a reader has them (English, pinyin, Chinese full or
    short names, GB/T 2260 codes; one string separated by commas, or a list), as the
    panel's English province keys (:func:`helpers.names.normalise_exclusions`)."""
    return normalise_exclusions(text, parameter="excluded_provinces")


def estimate(
    measurement: Measurement,
    *,
    se_type: str = "robust",
    excluded: Sequence[str] = DEFAULT_EXCLUDED,
) -> Estimates:
    """All regression columns of the paper on the measured panel."""
    _vcov(se_type)
    frame = measurement.frame
    excluded = parse_provinces(excluded)
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
    return Estimates(
        fits=fits,
        failures=failures,
        se_type=se_type,
        measurement=measurement,
        excluded=excluded,
    )


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


def result_cells(estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame:
    """Every published cell of paper 001 as tidy cells: Table 2 (the descriptive statistics
    of the measured panel the columns were estimated on) and Tables 3-6."""
    descriptives = descriptive_statistics(estimates.measurement.frame)
    return pd.concat(
        [descriptive_cells(descriptives), regression_cells(estimates, published)],
        ignore_index=True,
    )


def star_conventions(published: pd.DataFrame, table: str, clusters: dict[str, int]) -> pd.DataFrame:
    """Stars that the printed coef/SE of ``table`` imply under two reference distributions.

    ``normal``: the two-sided normal p-value (``reghdfe, vce(robust)`` with many
    residual df is indistinguishable); ``cluster t(G-1)``: Student t with G-1
    degrees of freedom, G = ``clusters[column]`` provinces, as ``xtreg, fe robust``
    uses. Returns one row per coefficient with both p-values and star counts.
    """
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
    return plot_group_means(
        frame, {"nqp": "NQP index", "gap": "regional gap"}, time=TIME, groups=REGIONS
    )


def measured_pipeline(
    panel: pd.DataFrame,
    published: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    se_type: str,
    gap_measure: str,
    entropy_by: str,
    excluded_provinces: str,
) -> tuple[pd.DataFrame, Measurement]:
    """The chapter's computation from a raw panel to its tidy cells, and the measurement
    they were estimated on, with the notebook's parameters by name (``measure``,
    ``estimate``, ``result_cells``)."""
    measurement = measure(
        panel,
        first_year=first_year,
        last_year=last_year,
        gap_measure=gap_measure,
        entropy_by=entropy_by,
    )
    excluded = parse_provinces(excluded_provinces)
    cells = result_cells(estimate(measurement, se_type=se_type, excluded=excluded), published)
    return cells, measurement


pipeline = interface.cells_of(measured_pipeline)
