"""Paper 000's published tables: Tables 3-8 by two-way fixed effects, the Figure 1
placebo, every published cell in tidy keys, and the chapter's figures.

* :func:`estimate` -- Tables 3-8 with two-way FE (:func:`helpers.fixed_effects.fe_ols`).
* :func:`placebo` -- Figure 1: prod permuted across observations
  (:func:`helpers.did.placebo_permutation`).
* :func:`result_cells` -- every published cell of the paper in the tidy keys of
  :mod:`helpers.results`; a column that cannot be estimated yields rows with an
  empty value and the reason.

Standard errors (``se_type``): the tables say only "Standard errors in parentheses",
so the default is ``"conventional"`` (Stata ``xtreg, fe`` / ``reghdfe`` without
``vce``); ``"robust"`` (HC1) and ``"cluster"`` (by province, t(G-1)) are options.
``adj. R2`` is reghdfe's adjusted R2 of the model with the fixed effects.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from helpers import results
from helpers.did import PlaceboResult, check_draws, placebo_permutation
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import FEResult, fe_ols
from helpers.papers import interface
from helpers.papers.gtfp.measurement import Measurement, measure
from helpers.papers.gtfp.variables import (
    COLUMNS,
    CONTROLS,
    CORE_ROWS,
    FE,
    GTFP_MEASURES,
    INTERACTION,
    MODERATORS,
    PAPER,
    REGIONS,
    ROW_LABELS,
    SE_TYPES,
    TIME,
    UNIT,
)
from helpers.papers.interface import Estimates, vcov
from helpers.style import plot_group_means
from helpers.tables import sign_and_significance


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
    for column, region in zip(("(2)", "(3)", "(4)"), REGIONS, strict=True):
        jobs[("Table 8", column)] = fe("gtfp", full, frame[frame["region"] == region])
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
    baseline = ("Table 3", "(4)")
    # the full model is reprinted as column (1) of Tables 4, 5, 7 and 8
    for key in (("Table 4", "(1)"), ("Table 5", "(1)"), ("Table 7", "(1)"), ("Table 8", "(1)")):
        if baseline in fits:
            fits[key] = fits[baseline]
        else:
            failures[key] = failures[baseline]
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
    """Mean GTFP and mean prod by region and year (two panels)."""
    return plot_group_means(
        frame, {"gtfp": "GTFP", "prod": "prod (NQPF index)"}, time=TIME, groups=REGIONS
    )


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
    alternatives: bool = True,
) -> tuple[pd.DataFrame, Measurement]:
    """The chapter's computation from a raw panel to its tidy cells, and the measurement
    they were estimated on, with the notebook's parameters by name (``measure``,
    ``estimate``, ``result_cells``); ``alternatives=False``
    skips Table 6's two GTFP measures not chosen (their cells are then empty, with why)."""
    measurement = measure(
        panel,
        first_year=first_year,
        last_year=last_year,
        gtfp_measure=gtfp_measure,
        gtfp_form=gtfp_form,
        pca_variant=pca_variant,
        alternatives=alternatives,
    )
    cells = result_cells(estimate(measurement, se_type=se_type, moderators=moderators), published)
    return cells, measurement


pipeline = interface.cells_of(measured_pipeline)
