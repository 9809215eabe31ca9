"""Paper 004's published tables: Tables 2-6 by TWFE DID and PSM-DID, every published cell
in tidy keys, and the chapter's reading aids.

* :data:`COLUMNS` / :func:`estimate_column` / :func:`fit_columns` -- Tables 3, 4 (3)-(4),
  5 and 6 as TWFE (city and year effects) or pooled OLS, SEs clustered by city
  (``se_type="cluster"``, the paper's choice, ``reghdfe ..., vce(cluster city)``) or HC1
  (``"robust"``).
* :func:`estimate` -- every regression column, with PSM-DID (Table 4 (1)-(2),
  :func:`helpers.psm.psm_did`, psmatch2 rules) for nearest-neighbour and kernel matching.
* :func:`result_cells` -- every published cell of paper 004 in the tidy keys of
  :mod:`helpers.results`; :func:`rows_used` -- the city-years each column lost and why.
* :func:`check_parameters` / :func:`check_design` -- the chapter's parameters and what its
  event study, placebo and imputation estimator need from the data, checked before any
  work (``replicate validate`` runs them through :func:`pipeline`).
* Reading aids beyond the paper: :func:`psm_pre_column` (matching on pre-policy
  covariates), :func:`imputable` (the sample of the imputation estimator),
  :func:`trend_sensitivity` (HonestDiD), :func:`few_cluster_bootstrap` (wild cluster
  bootstrap of the columns with few clusters), :func:`subgroup_tests` (Table 6's
  differences) and :func:`patent_overlap` (LnGIP and the index's patent indicators).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from helpers import results
from helpers.did import check_draws
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import Absorber, FEResult, fe_ols
from helpers.honest_did import SensitivityResult, sensitivity
from helpers.panel import winsorize
from helpers.papers import interface
from helpers.papers.bigdata_did.measurement import (
    INDEX_WEIGHTS,
    WINSORIZE_STAGES,
    WINSORIZED,
    Measurement,
    city_years,
    descriptive_statistics,
    measure,
    nqp_index,
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
from helpers.psm import pre_period_covariates, psm_did
from helpers.subgroups import subgroup_difference
from helpers.wild_bootstrap import wild_cluster_bootstrap


def sample_of(
    data: pd.DataFrame, sample: str, winsorized: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rows of a column's ``sample``: a city group, the 2014-2019 years, or all rows
    winsorized at 1/99% (``"winsorized"``: ``winsorized`` if given, else the measured
    variables of ``data``; see :func:`.measurement.winsorized_frame`)."""
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
        return (
            winsorize(data, list(WINSORIZED), missing="keep") if winsorized is None else winsorized
        )
    return data


def _vcov(se_type: str) -> dict[str, str | None]:
    return interface.vcov(se_type, SE_TYPES, UNIT)


def estimate_column(
    data: pd.DataFrame,
    column: Column,
    se_type: str = "cluster",
    *,
    winsorized: pd.DataFrame | None = None,
) -> FEResult:
    """One published column: TWFE (city and year effects) or pooled OLS, the five
    controls or none; SEs clustered by city with t(G-1) (reghdfe conventions) or HC1.
    City-years with a missing cell in a variable of the column leave it (listwise)."""
    sample = sample_of(data, column.sample, winsorized)
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
    if not (np.isfinite(caliper) and caliper >= 0):
        raise InputError(
            f"must be a finite number >= 0 (0 = no caliper), got {caliper!r}",
            parameter="psm_caliper",
        )
    if not (np.isfinite(bandwidth) and bandwidth > 0):
        raise InputError(
            f"must be a finite number > 0, got {bandwidth!r}", parameter="psm_bandwidth"
        )


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


PRE_SUFFIX = "_pre"
"""Suffix of the pre-policy covariates (each city's mean over the years before adoption)."""


def psm_pre_column(
    frame: pd.DataFrame,
    method: str,
    *,
    before: int = 2016,
    caliper: float = 0.0,
    bandwidth: float = 0.06,
):
    """PSM-DID matching on pre-policy covariates only: each control's mean over the years
    before ``before`` (:func:`helpers.psm.pre_period_covariates`), so that the policy cannot
    have moved what the match is made on; then the same TWFE DID with the contemporaneous
    controls. The pre-policy covariates are the same in every year of a city, so a treated
    city-year is equally near every year of its nearest control city: nearest-neighbour
    matching keeps them all (psmatch2's ``ties``), which matches cities rather than single
    city-years. Returns ``(fit, match, data)`` with ``data`` the frame with the ``_pre``
    columns (for the balance table)."""
    _check_matching(caliper, bandwidth)
    means = pre_period_covariates(frame, UNIT, TIME, list(CONTROLS), before=before)
    data = frame.assign(**{c + PRE_SUFFIX: means[c] for c in CONTROLS})
    fit, match = psm_did(
        data,
        "nqp",
        "treated",
        "bdpzs",
        UNIT,
        TIME,
        [c + PRE_SUFFIX for c in CONTROLS],
        list(CONTROLS),
        method=method,
        ties=method == "neighbor",
        caliper=caliper or None,
        bandwidth=bandwidth,
    )
    return fit, match, data


def estimate(
    measurement: Measurement,
    *,
    se_type: str = "cluster",
    caliper: float = 0.0,
    bandwidth: float = 0.06,
) -> Estimates:
    """All regression columns of the paper on the measured panel (Table 4 (3) on the
    measurement's winsorized sample)."""
    frame = measurement.frame
    _vcov(se_type)
    _check_matching(caliper, bandwidth)
    fits, failures, matches = {}, {}, {}
    for col in COLUMNS:
        try:
            fits[(col.table, col.column)] = estimate_column(
                frame, col, se_type, winsorized=measurement.winsorized
            )
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


def _variables(column: Column) -> list[str]:
    return [column.outcome, *column.regressors, *(CONTROLS if column.controls else ())]


def rows_used(estimates: Estimates) -> pd.DataFrame:
    """The city-years each regression column uses and why it lost the others: rows in the
    column's sample, those lost to missing cells (and the missing cells by variable),
    singleton city-years dropped with the fixed effects (reghdfe), rows the PSM columns did
    not match, and N; a column that could not be estimated has its reason in ``note``."""
    m = estimates.measurement
    designs = [
        (col.table, col.column, sample_of(m.frame, col.sample, m.winsorized), _variables(col))
        for col in COLUMNS
    ]
    designs += [("Table 4", c, m.frame, ["nqp", "bdpzs", *CONTROLS]) for c in PSM_METHODS]
    rows = []
    for table, column, sample, variables in designs:
        missing = sample[variables].isna()
        complete = int((~missing.any(axis=1)).sum())
        fit = estimates.fits.get((table, column))
        singletons = fit.n_singletons if fit is not None else np.nan
        matched = column in PSM_METHODS and table == "Table 4"
        rows.append(
            {
                "table": table,
                "column": column,
                "rows in sample": len(sample),
                "lost to missing cells": len(sample) - complete,
                "missing cells": ", ".join(f"{v} {n}" for v, n in missing.sum().items() if n),
                "singletons": singletons,
                "not matched": complete - singletons - fit.nobs
                if matched and fit is not None
                else (np.nan if matched else 0),
                "N": fit.nobs if fit is not None else np.nan,
                "note": estimates.failures.get((table, column), ""),
            }
        )
    return pd.DataFrame(rows).sort_values(["table", "column"], kind="stable", ignore_index=True)


def check_parameters(
    *,
    first_year: int,
    last_year: int,
    se_type: str,
    psm_caliper: float,
    psm_bandwidth: float,
    index_weights: str,
    winsorize_stage: str,
    adoption_year: int,
    ci_level: float,
    placebo_treated: int,
    placebo_draws: int,
    bootstrap_draws: int,
) -> None:
    """The chapter's parameters on their own (before any data are read): each one's
    allowed values or range, with an :class:`~helpers.errors.InputError` naming it."""
    if not first_year < last_year:
        raise InputError(
            f"must be before last_year, got {first_year} and {last_year}", parameter="first_year"
        )
    _vcov(se_type)
    _check_matching(psm_caliper, psm_bandwidth)
    check_choice("index_weights", index_weights, INDEX_WEIGHTS)
    check_choice("winsorize_stage", winsorize_stage, WINSORIZE_STAGES)
    if not first_year < adoption_year <= last_year:
        raise InputError(
            f"must lie after first_year and not after last_year ({first_year + 1}-{last_year}),"
            f" got {adoption_year}",
            parameter="adoption_year",
        )
    if not 0 < ci_level < 1:
        raise InputError(f"must lie strictly between 0 and 1, got {ci_level}", parameter="ci_level")
    if placebo_treated < 1:
        raise InputError(f"must be at least 1, got {placebo_treated}", parameter="placebo_treated")
    check_draws(placebo_draws, 0, parameter="placebo_draws")
    check_draws(bootstrap_draws, 0, parameter="bootstrap_draws")


def check_design(
    frame: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    event_reference: int,
    placebo_treated: int,
) -> None:
    """What the chapter's DID, event study, placebo and imputation estimator need from the
    measured ``frame``, checked before they run: the sample years in the data, pilot cities
    observed before and after adoption beside cities that never became pilots, the event
    study's omitted year among the data's event times, and fewer pseudo-treated cities
    than cities."""
    years = pd.to_numeric(frame[TIME])
    for name, year in (("first_year", first_year), ("last_year", last_year)):
        if year not in set(years):
            raise InputError(
                f"{year} is not a year of the data ({int(years.min())}-{int(years.max())})",
                parameter=name,
                hint=f"set first_year={int(years.min())} and last_year={int(years.max())}, "
                "or the years you want",
            )
    rows = frame[frame["nqp"].notna()]
    adoption = rows.groupby(UNIT)["bdpz_year"].first()
    if adoption.notna().sum() == 0 or adoption.isna().sum() == 0:
        raise InputError(
            "the DID needs at least one pilot city (its pilot year in bdpz_year) and one city "
            "that never became a pilot (bdpz_year empty)",
            column="bdpz_year",
        )
    event = (rows[TIME] - rows["bdpz_year"]).dropna()
    low, high = int(event.min()), int(event.max())
    if low >= 0:
        raise InputError(
            "no pilot city is observed before its pilot year: a DID compares pilots before "
            "and after adoption",
            column="bdpz_year",
            rows=city_years(rows, rows["bdpz_year"].notna() & (rows[TIME] == rows["bdpz_year"])),
        )
    if high < 0:
        raise InputError("no pilot city is observed from its pilot year on", column="bdpz_year")
    if not low <= event_reference <= high:
        raise InputError(
            f"must be an event time of the data, from {low} to {high} (years since the pilot "
            f"year), got {event_reference}",
            parameter="event_reference",
        )
    complete = frame.dropna(subset=["nqp", *CONTROLS])[UNIT].nunique()
    if not placebo_treated < complete:
        raise InputError(
            f"must be fewer than the {complete} cities with complete rows, got {placebo_treated}",
            parameter="placebo_treated",
        )


def attempt(step: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, str]:
    """``(step(*args, **kwargs), "")``, or ``(None, reason)`` when the step raises an
    :class:`~helpers.errors.InputError` on these data: the chapter's analyses beyond the
    published columns report why they could not run instead of stopping the page."""
    try:
        return step(*args, **kwargs), ""
    except InputError as exc:
        return None, str(exc)


def imputable(frame: pd.DataFrame, controls: Sequence[str] = CONTROLS) -> tuple[pd.DataFrame, list]:
    """The imputation estimator's sample: ``frame`` without the pilot cities that have no
    complete untreated city-year (no year before adoption with NQP and the controls), whose
    city effect cannot be imputed (Stata ``did_imputation``'s ``autosample``), and the
    list of those cities."""
    complete = frame.dropna(subset=["nqp", *controls])
    untreated = set(complete.loc[complete["bdpzs"] == 0, UNIT])
    treated = set(complete.loc[complete["bdpzs"] == 1, UNIT])
    dropped = sorted(treated - untreated)
    return frame[~frame[UNIT].isin(dropped)], dropped


def trend_sensitivity(es, mbar: Sequence[float], level: float) -> SensitivityResult:
    """HonestDiD relative-magnitudes sensitivity of the event study ``es``
    (:func:`helpers.did.event_study`) for the average post-adoption effect: robust
    ``level`` confidence sets over ``mbar`` and the breakdown value
    (:func:`helpers.honest_did.sensitivity`, Rambachan and Roth 2023). The restriction
    bounds the post-adoption changes of the trend violation by ``mbar`` times the largest
    pre-adoption change, measured from the year before adoption, so ``es`` must omit
    event time -1 and have a pre- and a post-adoption coefficient."""
    if es.reference != -1:
        raise InputError(
            "the sensitivity measures violations of parallel trends from the year before "
            f"adoption; it needs event_reference=-1, got {es.reference}",
            parameter="event_reference",
        )
    names = [n for n in es.fit.params.index if n.startswith("_es_")]
    num_pre = sum(n.startswith("_es_pre_") for n in names)
    if num_pre == 0:
        raise InputError(
            "the event study has no pre-adoption coefficient besides the omitted year: "
            "the data have no pilot city-year two or more years before adoption",
            column="bdpz_year",
        )
    beta = es.fit.params[names].to_numpy()
    sigma = es.fit.vcov.loc[names, names].to_numpy()
    return sensitivity(beta, sigma, num_pre, list(mbar), alpha=1 - level)


FEW_CLUSTERS = 42
"""Columns with fewer cities than this get the wild cluster bootstrap beside the clustered
p-value (about 40 clusters is where cluster-robust t tests start to over-reject in the
simulations of Cameron, Gelbach and Miller 2008 and MacKinnon and Webb 2017)."""


def few_cluster_bootstrap(
    estimates: Estimates,
    *,
    draws: int,
    seed: int,
    level: float = 0.95,
    below: int = FEW_CLUSTERS,
) -> pd.DataFrame:
    """Wild cluster bootstrap (WCR, Rademacher, clusters = cities; Stata ``boottest bdpzs,
    cluster(city) reps(draws)``) of BDPZs in every estimated column with fewer than
    ``below`` cities, beside the column's own p-value: table, column, cities, coef, p (the
    column's ``se_type``), wild bootstrap p and interval, draws and whether they enumerate
    every sign vector."""
    m = estimates.measurement
    rows = []
    for (table, column), fit in estimates.fits.items():
        source = m.winsorized if (table, column) == ("Table 4", "(3)") else m.frame
        data = source.loc[fit.sample]
        cities = data[UNIT].nunique()
        if cities >= below:
            continue
        others = [p for p in fit.params.index if p not in ("bdpzs", "_cons")]
        boot = wild_cluster_bootstrap(
            data,
            fit.depvar,
            "bdpzs",
            others,
            [UNIT, TIME] if fit.absorbed else [],
            cluster=UNIT,
            draws=draws,
            seed=seed,
            level=level,
        )
        rows.append(
            {
                "table": table,
                "column": column,
                "cities": cities,
                "coef": fit.params["bdpzs"],
                f"p ({estimates.se_type})": fit.pvalues["bdpzs"],
                "wild bootstrap p": boot.pvalue,
                "ci low": boot.ci_low,
                "ci high": boot.ci_high,
                "draws": boot.draws,
                "enumerated": boot.enumerated,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "table",
            "column",
            "cities",
            "coef",
            f"p ({estimates.se_type})",
            "wild bootstrap p",
            "ci low",
            "ci high",
            "draws",
            "enumerated",
        ],
    )


SPLITS = (
    ("key_city", 1, "key cities", "ordinary cities", ("(1)", "(2)")),
    ("resource_based", 0, "non-resource-based cities", "resource-based cities", ("(3)", "(4)")),
)
"""Table 6's splits: the flag, the value of the group the paper finds an effect in, the two
groups' names and their columns."""


def subgroup_tests(frame: pd.DataFrame, se_type: str = "cluster") -> pd.DataFrame:
    """Does the effect of BDPZs differ between Table 6's groups? For each split, the two
    groups' coefficients and p-values (the separate regressions of Table 6) and the Wald
    test of their difference from one fully interacted regression
    (:func:`helpers.subgroups.subgroup_difference`, ``method="interaction"``: Stata
    ``reghdfe nqp c.(bdpzs controls)#i.group, absorb(i.group#(city year))`` then ``test``),
    with the same standard errors as the columns."""
    rows = []
    for flag, focus, name, other, columns in SPLITS:
        test = subgroup_difference(
            frame,
            "nqp",
            ["bdpzs", *CONTROLS],
            flag,
            [UNIT, TIME],
            param="bdpzs",
            **_vcov(se_type),
        )
        groups = test.groups
        a, b = groups.loc[focus], groups.loc[1 - focus]
        rows.append(
            {
                "split": f"{name} vs {other}",
                "columns": " vs ".join(columns),
                "coef (first)": a["coef"],
                "p (first)": a["p"],
                "coef (second)": b["coef"],
                "p (second)": b["p"],
                "difference": a["coef"] - b["coef"],
                "se of difference": test.difference_se,
                "p of difference": test.pvalue,
            }
        )
    return pd.DataFrame(rows)


PATENT_INDICATORS = ("invention_patents_granted", "digital_patent_applications")
"""The two patent counts among the 12 NQP indicators (Table 1's innovative outputs and
digital technology)."""


@dataclass(frozen=True)
class PatentOverlap:
    """How much of the mediator LnGIP is already inside NQP: the patent indicators' share of
    the index's weight, the correlation of LnGIP with the index's patent part (pooled, and
    within city and year, the variation the regression uses), and Table 5 (4) with NQP as
    built beside NQP rebuilt without the patent indicators."""

    weight_share: float
    correlation: float
    within_correlation: float
    with_patents: FEResult
    without_patents: FEResult

    def table(self) -> pd.DataFrame:
        """LnGIP and BDPZs in Table 5 (4) with each version of NQP."""
        rows = {}
        for label, fit in (
            ("NQP as built", self.with_patents),
            ("NQP without the patent indicators", self.without_patents),
        ):
            rows[label] = {
                "LnGIP coef": fit.params["lngip"],
                "LnGIP se": fit.bse["lngip"],
                "LnGIP p": fit.pvalues["lngip"],
                "BDPZs coef": fit.params["bdpzs"],
                "BDPZs p": fit.pvalues["bdpzs"],
                "N": fit.nobs,
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("outcome")


def patent_overlap(estimates: Estimates) -> PatentOverlap:
    """:class:`PatentOverlap` of the measurement behind ``estimates``; the index without
    the patent indicators uses the run's weighting on the other ten."""
    m = estimates.measurement
    columns = list(m.index.normalised.columns)
    patents = [columns.index(c) for c in PATENT_INDICATORS]
    weights = m.index.row_weights[:, patents]
    part = (weights * m.index.normalised.to_numpy()[:, patents]).sum(axis=1)
    used = ~np.isnan(part) & m.frame["lngip"].notna().to_numpy()
    pair = np.column_stack([m.frame["lngip"].to_numpy(float), part])[used]
    codes = tuple(pd.factorize(m.frame.loc[used, c])[0] for c in (UNIT, TIME))
    within = Absorber(codes).demean(pair)
    without = nqp_index(m.indicators, m.index_weights, exclude=PATENT_INDICATORS).score
    spec = Column("Table 5", "(4)", "nqp", ("bdpzs", "lngip"))
    return PatentOverlap(
        weight_share=float(np.nanmean(weights.sum(axis=1))),
        correlation=float(np.corrcoef(pair.T)[0, 1]),
        within_correlation=float(np.corrcoef(within.T)[0, 1]),
        with_patents=estimates[("Table 5", "(4)")],
        without_patents=estimate_column(
            m.frame.assign(nqp=without.to_numpy()), spec, estimates.se_type
        ),
    )


def measured_pipeline(
    panel: pd.DataFrame,
    published: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    se_type: str,
    psm_caliper: float,
    psm_bandwidth: float,
    index_weights: str,
    winsorize_stage: str,
    adoption_year: int,
    event_reference: int,
    ci_level: float,
    placebo_treated: int,
    placebo_draws: int,
    bootstrap_draws: int,
) -> tuple[pd.DataFrame, Measurement]:
    """The chapter's computation from a raw panel to its tidy cells, and the measurement
    they were estimated on, with the notebook's parameters by name: :func:`check_parameters`,
    ``measure``, :func:`check_design` (what the chapter's event study, placebo and imputation
    estimator need), ``estimate`` and ``result_cells``. ``index_weights`` is the
    measurement's unstated choice that the specification curve varies."""
    check_parameters(
        first_year=first_year,
        last_year=last_year,
        se_type=se_type,
        psm_caliper=psm_caliper,
        psm_bandwidth=psm_bandwidth,
        index_weights=index_weights,
        winsorize_stage=winsorize_stage,
        adoption_year=adoption_year,
        ci_level=ci_level,
        placebo_treated=placebo_treated,
        placebo_draws=placebo_draws,
        bootstrap_draws=bootstrap_draws,
    )
    measurement = measure(
        panel,
        first_year=first_year,
        last_year=last_year,
        index_weights=index_weights,
        winsorize_stage=winsorize_stage,
    )
    check_design(
        measurement.frame,
        first_year=first_year,
        last_year=last_year,
        event_reference=event_reference,
        placebo_treated=placebo_treated,
    )
    estimates = estimate(measurement, se_type=se_type, caliper=psm_caliper, bandwidth=psm_bandwidth)
    return result_cells(estimates, published), measurement


pipeline = interface.cells_of(measured_pipeline)
