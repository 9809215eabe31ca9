"""Paper 000's published tables: Tables 3-8 by two-way fixed effects, the Figure 1
placebo, every published cell in tidy keys, and the chapter's figures.

* :func:`estimate` -- Tables 3-8 with two-way FE (:func:`helpers.fixed_effects.fe_ols`).
* :func:`placebo` -- Figure 1: prod permuted across observations
  (:func:`helpers.did.placebo_permutation`).
* :func:`result_cells` -- every published cell of the paper in the tidy keys of
  :mod:`helpers.results`; a column that cannot be estimated yields rows with an
  empty value and the reason.
* What a 2026 referee adds: :func:`wild_bootstrap_table` (few clusters: the restricted wild
  cluster bootstrap beside the clustered t test), :func:`regional_difference` (a test that
  the regional slopes differ), :func:`placebo_calibration` (the permutation placebo's spread
  against the regression's standard error), :func:`output_side_overlap` (indicators of the
  index that are parts of GDP), :func:`alternative_baselines` (the baseline under each
  unstated choice), :func:`sample_losses` (the province-years each column lost, and why).

Standard errors (``se_type``): the tables say only "Standard errors in parentheses",
so the default is ``"conventional"`` (Stata ``xtreg, fe`` / ``reghdfe`` without
``vce``); ``"robust"`` (HC1) and ``"cluster"`` (by province, t(G-1)) are options.
``adj. R2`` is reghdfe's adjusted R2 of the model with the fixed effects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers import results
from helpers.did import PlaceboResult, check_draws, placebo_permutation
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import Absorber, FEResult, fe_codes, fe_ols
from helpers.papers import interface
from helpers.papers.gtfp.measurement import (
    Measurement,
    gtfp_series,
    indicator_table,
    measure,
    prod_index,
)
from helpers.papers.gtfp.variables import (
    ASSUMPTIONS,
    COLUMNS,
    CONTROLS,
    CORE_ROWS,
    FE,
    GTFP_FORMS,
    GTFP_MEASURES,
    INTERACTION,
    MODERATORS,
    OUTPUT_SIDE,
    PAPER,
    PCA_VARIANTS,
    REGIONS,
    ROW_LABELS,
    RTS,
    SE_TYPES,
    TIME,
    UNIT,
    WILD_BOOTSTRAP_WEBB_MAX,
)
from helpers.papers.interface import Estimates, vcov
from helpers.style import plot_group_means
from helpers.subgroups import subgroup_difference
from helpers.tables import sign_and_significance
from helpers.wild_bootstrap import wild_cluster_bootstrap

BASELINE = ("Table 3", "(4)")
"""The paper's baseline column (all controls), reprinted as column (1) of Tables 4, 5, 7, 8."""

REGIONAL = {("Table 8", "(2)"): "East", ("Table 8", "(3)"): "Central", ("Table 8", "(4)"): "West"}
"""Table 8's regional columns and their region."""

REPRINTS = (("Table 4", "(1)"), ("Table 5", "(1)"), ("Table 7", "(1)"), ("Table 8", "(1)"))
"""Columns that reprint the baseline."""


def _vcov(se_type: str) -> dict[str, str | None]:
    return vcov(se_type, SE_TYPES, UNIT)


def two_way_fe(
    frame: pd.DataFrame, outcome: str, regressors: Sequence[str], *, se_type: str = "conventional"
) -> FEResult:
    """Eqs. (1)-(4): ``outcome`` on ``regressors`` with province and year effects."""
    return fe_ols(frame, outcome, list(regressors), FE, **_vcov(se_type))


def parse_moderators(text: str | Sequence[str]) -> tuple[str, ...]:
    """Comma-separated moderator names -> tuple, each checked against high, prof, mul."""
    names = text.split(",") if isinstance(text, str) else list(text)
    names = tuple(n.strip() for n in names if n.strip())
    for name in names:
        check_choice("moderators", name, MODERATORS)
    return names


def estimate(
    measurement: Measurement,
    *,
    se_type: str = "conventional",
    moderators: Sequence[str] = MODERATORS,
) -> Estimates:
    """All regression columns of the paper on the measured panel."""
    _vcov(se_type)
    chosen = parse_moderators(moderators)
    frame = measurement.frame
    full = ["prod", *CONTROLS]

    def fe(outcome, regressors, data=frame):
        return lambda: two_way_fe(data, outcome, regressors, se_type=se_type)

    jobs = {("Table 3", f"({k})"): fe("gtfp", ["prod", *CONTROLS[:k]]) for k in range(1, 5)}
    jobs[("Table 4", "(2)")] = fe("ts", full)
    jobs[("Table 4", "(3)")] = fe("gtfp", ["prod", "ts", *CONTROLS])
    for column, m in zip(("(2)", "(3)", "(4)"), MODERATORS, strict=True):
        if m in chosen:
            jobs[("Table 5", column)] = fe("gtfp", ["prod", INTERACTION[m], *CONTROLS, m])
    for column, m in zip(("(1)", "(2)", "(3)"), GTFP_MEASURES, strict=True):
        if f"gtfp_{m}" in frame.columns:
            jobs[("Table 6", column)] = fe(f"gtfp_{m}", full)
    jobs[("Table 7", "(2)")] = fe("gtfp", ["prod_1", *CONTROLS])
    jobs[("Table 7", "(3)")] = fe("gtfp", ["prod_2", *CONTROLS])
    for key, region in REGIONAL.items():
        jobs[key] = fe("gtfp", full, frame[frame["region"] == region])
    fits, failures = {}, {}
    for key, job in jobs.items():
        try:
            fits[key] = job()
        except InputError as exc:
            failures[key] = str(exc)
    for column, m in zip(("(2)", "(3)", "(4)"), MODERATORS, strict=True):
        if m not in chosen:
            failures[("Table 5", column)] = f"moderator {m} not among the chosen moderators"
    for column, m in zip(("(1)", "(2)", "(3)"), GTFP_MEASURES, strict=True):
        if ("Table 6", column) not in fits and ("Table 6", column) not in failures:
            failures[("Table 6", column)] = f"GTFP by {m.upper()}-GML was not measured"
    # the full model is reprinted as column (1) of Tables 4, 5, 7 and 8
    for key in REPRINTS:
        if BASELINE in fits:
            fits[key] = fits[BASELINE]
        else:
            failures[key] = failures[BASELINE]
    order = {k: i for i, k in enumerate(COLUMNS)}
    fits = dict(sorted(fits.items(), key=lambda kv: order[kv[0]]))
    return Estimates(fits=fits, failures=failures, se_type=se_type, measurement=measurement)


def placebo(
    measurement: Measurement, *, draws: int = 1000, seed: int = 0, se_type: str = "conventional"
) -> PlaceboResult:
    """Figure 1: prod permuted across all observations ``draws`` times, baseline refitted."""
    check_draws(draws, seed, parameter="placebo_draws")
    v = _vcov(se_type)
    return placebo_permutation(
        measurement.frame,
        "gtfp",
        "prod",
        list(CONTROLS),
        FE,
        draws=int(draws),
        seed=seed,
        vcov=v["vcov"],
        cluster=v["cluster"],
    )


def _model_stats(fit: FEResult) -> dict[str, float]:
    return {"N": fit.nobs, "adj. R2": fit.r2_a}


def regression_cells(
    estimates: Estimates, published: pd.DataFrame, tables: Sequence[str] | None = None
) -> pd.DataFrame:
    """Tidy cells of the regression columns (all, or those of ``tables``)."""
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
    """Every published cell of paper 000 (Tables 3-8) as tidy cells."""
    return regression_cells(estimates, published)


def core_agreement(published: pd.DataFrame, replicated: pd.DataFrame) -> pd.DataFrame:
    """Sign and 10% significance class of the core term of every published column."""
    return sign_and_significance(published, replicated, PAPER, list(CORE_ROWS), min_stars=1)


def plot_regional_paths(frame: pd.DataFrame):
    """Mean GTFP and mean prod by region and year (two panels, stacked)."""
    return plot_group_means(
        frame,
        {"gtfp": "GTFP", "prod": "prod (NQPF index)"},
        time=TIME,
        groups=REGIONS,
        stacked=True,
    )


# --------------------------------------------------------------------------- referee's checks
def assumptions_table() -> pd.DataFrame:
    """What the paper states and what this book assumes (:data:`ASSUMPTIONS`): one row per
    modelling choice, the paper's words, the book's default, the parameter that changes it."""
    columns = ["choice", "the paper", "this book", "parameter"]
    return pd.DataFrame(list(ASSUMPTIONS), columns=columns).replace({"parameter": {"": "none"}})


def _baseline(frame: pd.DataFrame, se_type: str) -> FEResult:
    return two_way_fe(frame, "gtfp", ["prod", *CONTROLS], se_type=se_type)


def _column_frame(measurement: Measurement, key: tuple[str, str]) -> pd.DataFrame:
    frame = measurement.frame
    return frame[frame["region"] == REGIONAL[key]] if key in REGIONAL else frame


def wild_bootstrap_table(
    estimates: Estimates, *, draws: int = 999, seed: int = 0, level: float = 0.95
) -> pd.DataFrame:
    """The baseline and the regional columns of Table 8 (30 and 8-11 provinces: few
    clusters) by the restricted wild cluster bootstrap (WCR, :func:`helpers.wild_bootstrap.
    wild_cluster_bootstrap`; Stata ``boottest prod, cluster(province)``) beside the chapter's
    p-value (its ``se_type``) and the clustered t test with t(G-1).

    Weights: Webb's six-point distribution up to :data:`WILD_BOOTSTRAP_WEBB_MAX` clusters,
    Rademacher above. A column that cannot be bootstrapped keeps a row with the reason in
    ``note``.
    """
    check_draws(draws, seed, parameter="bootstrap_draws")
    measurement = estimates.measurement
    rows = []
    for key in (BASELINE, *REGIONAL):
        row = {
            "column": f"{key[0]} {key[1]}",
            "sample": REGIONAL.get(key, "nationwide"),
            "p (chapter)": estimates.fits[key].pvalues["prod"] if key in estimates else np.nan,
        }
        frame = _column_frame(measurement, key)
        try:
            clustered = _baseline(frame, "cluster")
            weights = "webb" if clustered.n_clusters <= WILD_BOOTSTRAP_WEBB_MAX else "rademacher"
            boot = wild_cluster_bootstrap(
                frame,
                "gtfp",
                "prod",
                list(CONTROLS),
                FE,
                cluster=UNIT,
                draws=int(draws),
                weights=weights,
                seed=seed,
                level=level,
            )
        except InputError as exc:
            rows.append(row | {"note": str(exc)})
            continue
        rows.append(
            row
            | {
                "clusters": clustered.n_clusters,
                "coef": clustered.params["prod"],
                "clustered se": clustered.bse["prod"],
                "clustered p": clustered.pvalues["prod"],
                "wild bootstrap p": boot.pvalue,
                "ci low": boot.ci_low,
                "ci high": boot.ci_high,
                "weights": weights,
                "draws": boot.draws,
                "note": "",
            }
        )
    return pd.DataFrame(rows)


def regional_difference(measurement: Measurement, *, se_type: str = "conventional") -> pd.DataFrame:
    """Does the slope of ``prod`` differ between regions? Wald tests on the pooled model in
    which every regressor and both fixed effects are interacted with the region (its
    region-specific slopes equal Table 8's columns;
    :func:`helpers.subgroups.subgroup_difference`, Stata ``reghdfe gtfp
    c.(prod controls)#i.region, absorb(i.region#(province year))`` then ``test``): all three
    regions equal, and the East against each of the others. ``difference`` is the first
    region's slope minus the second's. A comparison that cannot be estimated keeps a row
    with the reason in ``note``.
    """
    v = _vcov(se_type)
    frame = measurement.frame
    comparisons = {
        "East = Central = West": REGIONS,
        "East = Central": ("East", "Central"),
        "East = West": ("East", "West"),
    }
    rows = []
    for name, regions in comparisons.items():
        part = frame[frame["region"].isin(regions)]
        try:
            test = subgroup_difference(
                part,
                "gtfp",
                ["prod", *CONTROLS],
                "region",
                FE,
                param="prod",
                vcov=v["vcov"],
                cluster=v["cluster"],
            )
        except InputError as exc:
            rows.append({"hypothesis": name, "note": str(exc)})
            continue
        rows.append(
            {
                "hypothesis": name,
                "difference": test.difference,
                "difference se": test.difference_se,
                "statistic": test.statistic,
                "df": f"{test.df[0]}, {test.df[1]:g}",
                "p": test.pvalue,
                "note": "",
            }
        )
    return pd.DataFrame(rows)


def placebo_calibration(placebo: PlaceboResult, fit: FEResult) -> pd.Series:
    """How the permutation placebo (Figure 1) compares with the regression it tests.

    Permuting ``prod`` across all province-years turns its differences between provinces,
    which the province effects absorb from the real ``prod``, into variation within
    provinces, so each placebo regression is far more precise than the real one: its
    coefficients spread much less than the regression's standard error, and an estimate
    that is unremarkable by its own standard error can look extreme among them. The
    randomisation p-value of the *t statistic* (share of placebo ``|t|`` at least the
    estimate's) compares like with like.
    """
    t_actual = fit.params["prod"] / fit.bse["prod"]
    t_placebo = placebo.coef / placebo.se
    return pd.Series(
        {
            "placebo sd": float(placebo.coef.std(ddof=1)),
            "regression se": float(fit.bse["prod"]),
            "sd / se": float(placebo.coef.std(ddof=1) / fit.bse["prod"]),
            "placebo median se": float(np.median(placebo.se)),
            "regression p": float(fit.pvalues["prod"]),
            "randomisation p (coef)": float(np.mean(np.abs(placebo.coef) >= abs(placebo.estimate))),
            "randomisation p (t)": float(np.mean(np.abs(t_placebo) >= abs(t_actual))),
        }
    )


def residual_autocorrelation(frame: pd.DataFrame, fit: FEResult) -> pd.Series:
    """First-order autocorrelation of a two-way FE fit's residuals within provinces, and what
    it would be without serial correlation: demeaning by province biases it to about
    ``-1 / (T - 1)`` (Nickell 1981), so a value well above that says the errors of a
    province are correlated over years, which conventional standard errors ignore and
    clustering by province allows for."""
    rows = frame.loc[fit.sample]
    names = [n for n in fit.params.index if n != "_cons"]
    codes = tuple(fe_codes(rows, key) for key in FE)
    within = Absorber(codes).demean(rows[[fit.depvar, *names]].to_numpy(float))
    resid = pd.Series(within[:, 0] - within[:, 1:] @ fit.params[names].to_numpy(), rows.index)
    keyed = pd.Series(resid.to_numpy(), index=pd.MultiIndex.from_arrays([rows[UNIT], rows[TIME]]))
    previous = keyed.reindex(pd.MultiIndex.from_arrays([rows[UNIT], rows[TIME] - 1])).to_numpy()
    pair = ~np.isnan(previous)
    years = rows.groupby(UNIT)[TIME].nunique().mean()
    return pd.Series(
        {
            "autocorrelation": float(np.corrcoef(resid.to_numpy()[pair], previous[pair])[0, 1]),
            "without serial correlation": float(-1 / (years - 1)),
            "pairs": int(pair.sum()),
        }
    )


def output_side_overlap(measurement: Measurement) -> pd.DataFrame:
    """The indicators of Table 2 that are sales or revenues (:data:`OUTPUT_SIDE`), hence
    parts of GDP, the desirable output of GTFP: their share of the index's weight (squared
    loading on the first component; the squares of all 15 sum to one) and the correlation of
    their growth with real GDP growth within provinces (log differences, year means
    removed, pooled)."""
    raw = measurement.raw.sort_values([UNIT, TIME])
    loadings = measurement.index.loadings.iloc[:, 0]

    def growth(column: str) -> pd.Series:
        d = np.log(raw[column].astype(float)).groupby(raw[UNIT]).diff()
        return d - d.groupby(raw[TIME]).transform("mean")

    gdp = growth("real_gdp")
    labels = indicator_table().set_index("indicator")["label"]
    return pd.DataFrame(
        [
            {
                "indicator": name,
                "label": labels[name],
                "weight share": float(loadings[name] ** 2),
                "growth correlation with real GDP": float(growth(name).corr(gdp)),
            }
            for name in OUTPUT_SIDE
        ]
    )


def baseline_without(
    measurement: Measurement, indicators: Sequence[str] = OUTPUT_SIDE, *, se_type: str
) -> FEResult:
    """The baseline with ``prod`` rebuilt (same variant) from Table 2 without ``indicators``."""
    kept = [n for n in indicator_table()["indicator"] if n not in indicators]
    index = prod_index(measurement.raw, measurement.pca_variant, indicators=kept)
    return _baseline(measurement.frame.assign(prod=index.score.to_numpy()), se_type)


def alternative_baselines(measurement: Measurement, *, se_type: str) -> pd.DataFrame:
    """The baseline (Table 3 column 4) under every value of the unstated measurement
    choices, one moved at a time from this run's (``rts``, ``gtfp_form``, ``pca_variant``):
    coefficient, SE, t, p, N, and how far the moved variable is from this run's
    (largest absolute difference; 0 means the choice changes nothing on these data)."""
    raw, frame = measurement.raw, measurement.frame
    current = {
        "rts": measurement.rts,
        "gtfp_form": measurement.gtfp_form,
        "pca_variant": measurement.pca_variant,
    }
    variants = [("this run", "", frame, "gtfp")]
    for value in RTS:
        if value != measurement.rts:
            moved = gtfp_series(raw, measurement.gtfp_measure, measurement.gtfp_form, value)
            variants.append(("rts", value, frame.assign(gtfp=moved.to_numpy()), "gtfp"))
    for value in GTFP_FORMS:
        if value != measurement.gtfp_form:
            moved = gtfp_series(raw, measurement.gtfp_measure, value, measurement.rts)
            variants.append(("gtfp_form", value, frame.assign(gtfp=moved.to_numpy()), "gtfp"))
    for value in PCA_VARIANTS:
        if value != measurement.pca_variant:
            moved = prod_index(raw, value).score.to_numpy()
            variants.append(("pca_variant", value, frame.assign(prod=moved), "prod"))
    rows = []
    for parameter, value, data, variable in variants:
        fit = _baseline(data, se_type)
        gap = (data[variable] - frame[variable]).abs().max()
        rows.append(
            {
                "parameter": parameter or "(this run)",
                "value": value or ", ".join(f"{k}={v}" for k, v in current.items()),
                "moves": variable,
                "largest change": float(gap) if parameter else np.nan,
                "coef": fit.params["prod"],
                "se": fit.bse["prod"],
                "t": fit.tvalues["prod"],
                "p": fit.pvalues["prod"],
                "N": fit.nobs,
            }
        )
    return pd.DataFrame(rows)


def sample_losses(estimates: Estimates) -> pd.DataFrame:
    """For every estimated column: the province-years it could use (all, or the region's),
    the N it used, and why the others were lost. A lost row is counted under the first model
    variable missing in it: ``by design`` when that variable is a lag (``prod_1``,
    ``prod_2``) or the GML index (``gtfp_form="index"``) in a province's first sample
    years, which have no earlier year; ``missing cells`` otherwise (a cell interpolation
    could not fill, or a DEA programme that failed); ``singletons`` are the province-years
    the fixed effects drop because they are alone in their group (reghdfe)."""
    measurement = estimates.measurement
    frame = measurement.frame
    since = frame[TIME] - frame.groupby(UNIT)[TIME].transform("min")
    earlier = {"prod_1": 1, "prod_2": 2}
    if measurement.gtfp_form == "index":
        earlier |= {name: 1 for name in frame.columns if name.startswith("gtfp")}
    rows = []
    for key, fit in estimates.fits.items():
        if key in REPRINTS:
            continue
        part = frame[frame["region"] == REGIONAL[key]] if key in REGIONAL else frame
        used = [fit.depvar, *(n for n in fit.params.index if n != "_cons")]
        missing = part[used].isna()
        lost = missing.any(axis=1)
        first = missing.idxmax(axis=1)[lost]
        design = first.map(earlier).fillna(0) > since[first.index]
        why = [
            f"{name}: {n}" + (" (by design)" if design[first == name].all() else "")
            for name, n in first.value_counts(sort=False).items()
        ]
        rows.append(
            {
                "table": key[0],
                "column": key[1],
                "rows": len(part),
                "N": fit.nobs,
                "lost": len(part) - fit.nobs,
                "by design": int(design.sum()),
                "missing cells": int((~design).sum()),
                "singletons": fit.n_singletons,
                "missing variable": "; ".join(why) if why else "none",
            }
        )
    for key, reason in estimates.failures.items():
        if key not in REPRINTS:
            rows.append(
                {"table": key[0], "column": key[1], "missing variable": f"not estimated: {reason}"}
            )
    order = {k: i for i, k in enumerate(COLUMNS)}
    out = pd.DataFrame(rows)
    position = [order[key] for key in zip(out["table"], out["column"], strict=True)]
    return out.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)


def measured_pipeline(
    panel: pd.DataFrame,
    published: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    se_type: str,
    gtfp_measure: str,
    gtfp_form: str,
    pca_variant: str,
    moderators: str,
    rts: str = "crs",
    seed: int = 0,
    placebo_draws: int = 1000,
    bootstrap_draws: int = 999,
    alternatives: bool = True,
) -> tuple[pd.DataFrame, Measurement]:
    """The chapter's computation from a raw panel to its tidy cells, and the measurement
    they were estimated on, with the notebook's parameters by name (``measure``,
    ``estimate``, ``result_cells``); ``alternatives=False``
    skips Table 6's two GTFP measures not chosen (their cells are then empty, with why).
    ``placebo_draws`` and ``bootstrap_draws`` (with ``seed``) are checked before any work,
    as the chapter checks them, though the tidy cells do not use them."""
    check_draws(placebo_draws, seed, parameter="placebo_draws")
    check_draws(bootstrap_draws, seed, parameter="bootstrap_draws")
    measurement = measure(
        panel,
        first_year=first_year,
        last_year=last_year,
        gtfp_measure=gtfp_measure,
        gtfp_form=gtfp_form,
        pca_variant=pca_variant,
        rts=rts,
        alternatives=alternatives,
    )
    cells = result_cells(estimate(measurement, se_type=se_type, moderators=moderators), published)
    return cells, measurement


pipeline = interface.cells_of(measured_pipeline)
