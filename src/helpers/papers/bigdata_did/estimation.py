"""Paper 004's published tables: Tables 2-6 by TWFE DID and PSM-DID, every published cell
in tidy keys, and the chapter's reading aids.

* :data:`COLUMNS` / :func:`estimate_column` / :func:`fit_columns` -- Tables 3, 4 (3)-(4),
  5 and 6 as TWFE (city and year effects) or pooled OLS, SEs clustered by city
  (``se_type="cluster"``, the paper's choice, ``reghdfe ..., vce(cluster city)``) or HC1
  (``"robust"``).
* :func:`estimate` -- every regression column, with PSM-DID (Table 4 (1)-(2),
  :func:`helpers.psm.psm_did`, psmatch2 rules) for nearest-neighbour and kernel matching.
* :func:`result_cells` -- every published cell of paper 004 in the tidy keys of
  :mod:`helpers.results`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import results
from helpers.errors import InputError
from helpers.fixed_effects import FEResult, fe_ols
from helpers.panel import winsorize
from helpers.papers import interface
from helpers.papers.bigdata_did.measurement import (
    WINSORIZED,
    Measurement,
    descriptive_statistics,
    measure,
)
from helpers.papers.bigdata_did.variables import (
    COLUMNS,
    CONTROLS,
    PAPER,
    PSM_METHODS,
    ROW_LABELS,
    SE_TYPES,
    TABLE2_ROWS,
    TABLE2_STATS,
    TIME,
    UNIT,
    Column,
)
from helpers.psm import psm_did


def sample_of(data: pd.DataFrame, sample: str) -> pd.DataFrame:
    """The rows of a column's ``sample``: a city group, the 2014-2019 years, or all rows
    with NQP, the mediators and the controls winsorized at 1/99% (``"winsorized"``)."""
    if sample == "key":
        return data[data["key_city"] == 1]
    if sample == "ordinary":
        return data[data["key_city"] == 0]
    if sample == "resource":
        return data[data["resource_based"] == 1]
    if sample == "non-resource":
        return data[data["resource_based"] == 0]
    if sample == "2014-2019":
        return data[data[TIME] <= 2019]
    if sample == "winsorized":
        return winsorize(data, list(WINSORIZED))
    return data


def _vcov(se_type: str) -> dict[str, str | None]:
    return interface.vcov(se_type, SE_TYPES, UNIT)


def estimate_column(data: pd.DataFrame, column: Column, se_type: str = "cluster") -> FEResult:
    """One published column: TWFE (city and year effects) or pooled OLS, the five
    controls or none; SEs clustered by city with t(G-1) (reghdfe conventions) or HC1."""
    sample = sample_of(data, column.sample)
    regressors = [*column.regressors, *(CONTROLS if column.controls else ())]
    fe = [UNIT, TIME] if column.fixed_effects else []
    return fe_ols(sample, column.outcome, regressors, fe, **_vcov(se_type))


def fit_columns(
    data: pd.DataFrame, columns: Iterable[Column] = COLUMNS, se_type: str = "cluster"
) -> pd.DataFrame:
    """Coefficient, SE and p-value of every core regressor of ``columns`` on ``data``."""
    rows = []
    for col in columns:
        fit = estimate_column(data, col, se_type)
        for reg in col.regressors:
            rows.append(
                {
                    "table": col.table,
                    "column": col.column,
                    "row": ROW_LABELS[reg],
                    "coef": fit.params[reg],
                    "se": fit.bse[reg],
                    "p": fit.pvalues[reg],
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True, kw_only=True)
class Estimates(interface.Estimates):
    """Every regression column of Tables 3-6: ``fits[(table, column)]``, and the PSM
    matches of Table 4 (1)-(2) by method."""

    matches: dict[str, object] = field(default_factory=dict)


def _check_matching(caliper: float, bandwidth: float) -> None:
    if caliper < 0:
        raise InputError("must be >= 0 (0 = no caliper)", parameter="psm_caliper")
    if bandwidth <= 0:
        raise InputError("must be > 0", parameter="psm_bandwidth")


def psm_column(frame: pd.DataFrame, method: str, *, caliper: float = 0.0, bandwidth: float = 0.06):
    """PSM-DID (Table 4 (1)-(2)): psmatch2 of pilot cities on the five controls (probit,
    pooled city-years), then the TWFE DID with controls on the matched rows, clustered
    by city. ``caliper`` 0 means none. Returns ``(fit, match)``."""
    _check_matching(caliper, bandwidth)
    return psm_did(
        frame,
        "nqp",
        "treated",
        "bdpzs",
        UNIT,
        TIME,
        list(CONTROLS),
        list(CONTROLS),
        method=method,
        caliper=caliper or None,
        bandwidth=bandwidth,
    )


def estimate(
    measurement: Measurement,
    *,
    se_type: str = "cluster",
    caliper: float = 0.0,
    bandwidth: float = 0.06,
) -> Estimates:
    """All regression columns of the paper on the measured panel."""
    frame = measurement.frame
    _vcov(se_type)
    _check_matching(caliper, bandwidth)
    fits, failures, matches = {}, {}, {}
    for col in COLUMNS:
        try:
            fits[(col.table, col.column)] = estimate_column(frame, col, se_type)
        except InputError as exc:
            failures[(col.table, col.column)] = str(exc)
    for column, method in PSM_METHODS.items():
        try:
            fit, match = psm_column(frame, method, caliper=caliper, bandwidth=bandwidth)
            fits[("Table 4", column)], matches[method] = fit, match
        except InputError as exc:
            failures[("Table 4", column)] = str(exc)
    return Estimates(
        fits=fits,
        failures=failures,
        se_type=se_type,
        measurement=measurement,
        matches=matches,
    )


def descriptive_cells(descriptives: pd.DataFrame) -> pd.DataFrame:
    """Table 2 as tidy cells (column = printed statistic label, stat = obs/mean/...)."""
    return results.descriptive_cells(
        descriptives,
        paper=PAPER,
        table="Table 2",
        column_labels=TABLE2_STATS,
        row_labels=TABLE2_ROWS,
    )


def _model_stats(fit) -> dict[str, float]:
    """R2 and Adj.R2 as reghdfe prints them (with the absorbed effects), and N."""
    return {"R2": fit.r2, "Adj.R2": fit.r2_a, "N": fit.nobs}


def regression_cells(estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame:
    """Tidy cells of every regression column: the rows the paper prints for it; a column
    that could not be estimated contributes its published keys with an empty value and why."""
    return results.regression_cells(
        estimates.fits,
        estimates.failures,
        published,
        paper=PAPER,
        row_labels=ROW_LABELS,
        model_stats=_model_stats,
    )


def result_cells(estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame:
    """Every published cell of paper 004 as tidy cells: Table 2 (the descriptive statistics
    of the measured panel the columns were estimated on) and Tables 3-6."""
    descriptives = descriptive_statistics(estimates.measurement.frame)
    return pd.concat(
        [descriptive_cells(descriptives), regression_cells(estimates, published)],
        ignore_index=True,
    )


def treated_cities(frame: pd.DataFrame) -> int:
    """Number of pilot cities (cities with an adoption year) in the measured frame."""
    return int(frame.loc[frame["treated"] == 1, UNIT].nunique())


def implied_treated_cities(published: pd.DataFrame) -> float:
    """Pilot cities implied by Table 2: mean(BDPZs) x N / number of post years (2016-2022)."""
    t2 = published[(published["paper"] == PAPER) & (published["table"] == "Table 2")]
    t2 = t2[t2["row"] == "BDPZs"].set_index("stat")["number"]
    return float(t2["mean"] * t2["obs"] / 7)


def pre_period_test(event: pd.DataFrame) -> pd.Series:
    """Largest |t| and smallest p of the pre-adoption event-study coefficients."""
    pre = event[(event.index < 0) & (event["se"] > 0)]
    if pre.empty:
        return pd.Series({"max_abs_t": np.nan, "min_p": np.nan})
    return pd.Series(
        {"max_abs_t": float((pre["coef"] / pre["se"]).abs().max()), "min_p": float(pre["p"].min())}
    )


@dataclass(frozen=True)
class ImputationResult:
    """Imputation estimates: the ATT and its mean by event time (no standard errors)."""

    att: float
    by_event_time: pd.Series
    n_treated_rows: int


def imputation_att(
    frame: pd.DataFrame, y: str = "nqp", controls: Iterable[str] = CONTROLS
) -> ImputationResult:
    """Imputation estimator of the ATT (Borusyak, Jaravel and Spiess 2024, Theorem 2).

    1. OLS of ``y`` on city dummies, year dummies and ``controls`` on the untreated rows
       (``bdpzs == 0``: never-treated cities and the pilots' pre-adoption years);
    2. ``tau_it = y_it - yhat0_it`` on the treated rows, with ``yhat0`` the step-1 fit;
    3. ATT = the mean of ``tau_it``; ``by_event_time`` averages it by years since adoption.

    Robust to effects that vary by cohort and event time; with a single adoption date,
    a balanced panel and no controls it equals the static TWFE DID.
    """
    controls = list(controls)
    data = frame.dropna(subset=[y, *controls])
    city = pd.factorize(data[UNIT])[0]
    year = pd.factorize(data[TIME], sort=True)[0]
    n_city, n_year = city.max() + 1, year.max() + 1
    design = np.zeros((len(data), n_city + n_year - 1 + len(controls)))
    design[np.arange(len(data)), city] = 1.0
    later = year > 0
    design[np.flatnonzero(later), n_city + year[later] - 1] = 1.0
    design[:, n_city + n_year - 1 :] = data[controls].to_numpy(float)
    treated = data["bdpzs"].to_numpy() == 1
    untreated_cities = set(city[~treated])
    if not set(city[treated]) <= untreated_cities:
        raise InputError(
            "every pilot city needs at least one untreated (pre-adoption) year", column="bdpzs"
        )
    outcome = data[y].to_numpy(float)
    coef, *_ = np.linalg.lstsq(design[~treated], outcome[~treated], rcond=None)
    tau = outcome[treated] - design[treated] @ coef
    event = (data[TIME].to_numpy(float) - data["bdpz_year"].to_numpy(float))[treated]
    by_event = pd.Series(tau).groupby(event.astype(int)).mean().rename("imputation")
    by_event.index.name = "event_time"
    return ImputationResult(float(tau.mean()), by_event, int(treated.sum()))


def measured_pipeline(
    panel: pd.DataFrame,
    published: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    se_type: str,
    psm_caliper: float,
    psm_bandwidth: float,
    entropy_by: str = "pooled",
    winsorize_all: bool = False,
) -> tuple[pd.DataFrame, Measurement]:
    """The chapter's computation from a raw panel to its tidy cells, and the measurement
    they were estimated on, with the notebook's parameters by name (``measure``,
    ``estimate``, ``result_cells``); ``entropy_by`` and
    ``winsorize_all`` are the measurement's unstated choices (the specification curve)."""
    measurement = measure(
        panel,
        first_year=first_year,
        last_year=last_year,
        entropy_by=entropy_by,
        winsorize_all=winsorize_all,
    )
    estimates = estimate(measurement, se_type=se_type, caliper=psm_caliper, bandwidth=psm_bandwidth)
    return result_cells(estimates, published), measurement


pipeline = interface.cells_of(measured_pipeline)
