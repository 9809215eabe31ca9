"""Paper 002's published tables: Tables 2-7, every published cell in tidy keys, the
chapter's reading aids and figures.

* :func:`estimate` -- every regression column of Tables 4-7 (:data:`COLUMNS`): pooled OLS
  or FE OLS (:func:`estimate_column`), and the lagged-Nqp FE-IV of Table 6 (1)-(2) with
  Kleibergen-Paap statistics (``xtivreg2 ..., fe``).
* :func:`result_cells` -- Tables 2 and 3 (entropy weights, descriptive statistics) and
  Tables 4-7 as tidy cells.

Standard errors (``se_type``): ``"robust"`` (HC1, what the table notes say) or
``"cluster"`` (by city).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import results
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import FEResult, fe_ols
from helpers.iv import IVResult, fe_iv
from helpers.papers import interface
from helpers.papers.synergy.measurement import (
    Measurement,
    descriptive_statistics,
    measure,
    parse_cuts,
    weights_table,
)
from helpers.papers.synergy.variables import (
    COLUMNS,
    CONTROLS,
    CORE_ROWS,
    GROUPS,
    IV_COLUMNS,
    PAPER,
    ROW_LABELS,
    SE_TYPES,
    TABLE3_ROWS,
    TABLE3_STATS,
    TIME,
    UNIT,
    Column,
)
from helpers.tables import sign_and_significance


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
    return interface.vcov(se_type, SE_TYPES, UNIT)


def _fixed_effects(kind: str) -> list:
    return {"none": [], "twfe": [UNIT, TIME], "province-year": [UNIT, ("province", TIME)]}[kind]


def lagged_iv(frame: pd.DataFrame, *, se_type: str = "robust") -> IVResult:
    """Table 6 (1)-(2): FE-2SLS of Coor on Nqp instrumented by Nqp of the previous year,
    the controls, city and year effects (``xtivreg2 ..., fe``; Kleibergen-Paap statistics)."""
    return fe_iv(
        frame, "coor", ["nqp"], ["nqp_lag"], list(CONTROLS), [UNIT, TIME], **_vcov(se_type)
    )


def estimate_column(data: pd.DataFrame, col: Column, se_type: str = "robust") -> FEResult:
    """One OLS column: pooled OLS or FE, the five controls or none."""
    sample = sample_of(data, col.sample)
    regressors = [col.regressor, *(CONTROLS if col.controls else ())]
    return fe_ols(
        sample, col.outcome, regressors, _fixed_effects(col.fixed_effects), **_vcov(se_type)
    )


Fit = FEResult | IVResult


@dataclass(frozen=True, kw_only=True)
class Estimates(interface.Estimates):
    """Every regression column: ``fits[(table, column)]`` (Table 6 (1) holds the first
    stage, Table 6 (2) the IV); ``iv`` is the full IV result (diagnostics)."""

    iv: IVResult | None = None


def estimate(
    measurement: Measurement, *, se_type: str = "robust", columns: Iterable[Column] = COLUMNS
) -> Estimates:
    """The regression columns (all by default) on the measured panel."""
    return _estimate_frame(measurement.frame, se_type, columns, measurement)


def _estimate_frame(
    frame: pd.DataFrame,
    se_type: str,
    columns: Iterable[Column],
    measurement: Measurement | None = None,
) -> Estimates:
    _vcov(se_type)
    fits, failures, iv = {}, {}, None
    for col in columns:
        key = (col.table, col.column)
        try:
            if key in IV_COLUMNS:
                iv = iv or lagged_iv(frame, se_type=se_type)
                fits[key] = iv.first_stage[0].result if key == IV_COLUMNS[0] else iv
            else:
                fits[key] = estimate_column(frame, col, se_type)
        except InputError as exc:
            failures[key] = str(exc)
    return Estimates(fits=fits, failures=failures, se_type=se_type, measurement=measurement, iv=iv)


def fit_columns(
    frame: pd.DataFrame, columns: Iterable[Column] = COLUMNS, se_type: str = "robust"
) -> pd.DataFrame:
    """Coefficient, SE and p-value of the core regressor of each of ``columns``."""
    est = _estimate_frame(frame, se_type, columns)
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


def result_cells(estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame:
    """Every published cell of paper 002: Table 3 (the descriptive statistics) and Table 2
    (the entropy weights) of the measured panel the columns were estimated on, and
    Tables 4-7, in the order the chapter writes them."""
    measurement = estimates.measurement
    return pd.concat(
        [
            descriptive_cells(descriptive_statistics(measurement.frame)),
            weight_cells(weights_table(measurement.index), published),
            regression_cells(estimates, published),
        ],
        ignore_index=True,
    )


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
    return sign_and_significance(
        published, cells, PAPER, CORE_ROWS, tables=("Table 4", "Table 5", "Table 6", "Table 7")
    )


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


def measured_pipeline(
    panel: pd.DataFrame,
    published: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    se_type: str,
    dea_model: str,
    frontier: str,
    rts: str,
    winsorize: bool,
    winsorize_lower: float,
    winsorize_upper: float,
    digital_split: str,
) -> tuple[pd.DataFrame, Measurement]:
    """The chapter's computation from a raw panel to its tidy cells, and the measurement
    they were estimated on, with the notebook's parameters by name (``measure``,
    ``estimate``, ``result_cells``)."""
    measurement = measure(
        panel,
        first_year=first_year,
        last_year=last_year,
        dea_model=dea_model,
        frontier=frontier,
        rts=rts,
        winsorize_on=winsorize,
        cuts=parse_cuts(winsorize_lower, winsorize_upper),
        digital_split=digital_split,
    )
    cells = result_cells(estimate(measurement, se_type=se_type), published)
    return cells, measurement


pipeline = interface.cells_of(measured_pipeline)
