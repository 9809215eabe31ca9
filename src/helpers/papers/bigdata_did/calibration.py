"""Paper 004's generating process against the published tables and its known truth
(maintainers and the chapter's recovery figures).

:func:`estimand` is the ATT of the pilot on NQP as measured (the same draws with the policy
off give the counterfactual); :func:`recovery` runs the baseline DID beside it on one seed;
:func:`agreement` compares the paper's regression columns with the published stars;
:func:`calibrate_effects` sets the direct effects and mediator responses so that the mean
estimates over seeds match Table 3 column (4), Table 5 columns (2) and (4) and Table 6, and
:func:`calibration_report` shows every target. :func:`truth` is the known truth of every
core coefficient on one seed (the sweeps of :mod:`helpers.sweep` compare the estimates with
it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from helpers.did import twfe_did
from helpers.papers.bigdata_did.estimation import estimate_column, fit_columns
from helpers.papers.bigdata_did.measurement import (
    Measurement,
    indicator_columns,
    measured,
    nqp_index,
)
from helpers.papers.bigdata_did.process import (
    FIRST_YEAR,
    LAST_YEAR,
    _generate,
    _values,
    parameters,
    simulate,
)
from helpers.papers.bigdata_did.variables import (
    COLUMNS,
    CONTROLS,
    CORE_ROWS,
    DEFAULT_SEED,
    PAPER,
    PSM_METHODS,
    ROW_LABELS,
    Column,
)
from helpers.paths import PUBLISHED_CSV
from helpers.simulate import planted
from helpers.simulate.calibration import calibrate_to_published, calibration_table
from helpers.simulate.truth import core_cells, same_panel, truth_table


def estimand(
    seed: int = DEFAULT_SEED,
    *,
    index_weights: str = "entropy",
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
    **overrides: float,
) -> float:
    """The ATT of the pilot on NQP *as measured* (what the TWFE DID targets).

    Mean over pilot city-years from the adoption year on (within ``first_year`` ..
    ``last_year``) of ``sum_j w_j d_j (x_jit - x0_jit) / (max_j - min_j)``: ``x`` the
    simulated indicators, ``x0`` the same draws with the policy off (``effect_scale=0``),
    ``w``, ``d``, min and max the weights, directions and bounds of the observed panel's
    index on those years (:func:`~helpers.papers.bigdata_did.measurement.nqp_index` with
    ``index_weights``). This is the difference between the observed index and the index
    the same map gives the counterfactual indicators. Computed on complete data
    (``missing_share`` ignored); ``overrides`` are the process's knobs (``effect_scale``,
    ``pre_trend``, ...).
    """
    p = _values(overrides) | {"missing_share": 0.0}
    actual = _generate(seed, p)[0]
    counterfactual = _generate(seed, p | {"effect_scale": 0.0})[0]
    keep = actual["year"].between(first_year, last_year).to_numpy()
    return _att(
        actual[keep].reset_index(drop=True),
        counterfactual[keep].reset_index(drop=True),
        index_weights,
    )


def _att(actual: pd.DataFrame, counterfactual: pd.DataFrame, index_weights: str = "entropy"):
    post = (actual["year"] >= pd.to_numeric(actual["bdpz_year"])).fillna(False).to_numpy()
    return float(index_change(actual, counterfactual, index_weights)[post].mean())


def index_change(
    actual: pd.DataFrame, counterfactual: pd.DataFrame, index_weights: str = "entropy"
) -> np.ndarray:
    """``NQP - NQP0`` on every row of two complete raw panels of the same draws:
    ``sum_j w_j d_j (x_jit - x0_jit) / (max_j - min_j)`` with the weights ``w``, directions
    ``d`` and bounds of ``actual`` (:func:`nqp_index`; the index the chapter measures is
    linear in the indicators given these, so this is the part of measured NQP that the
    difference between the two worlds produces)."""
    index = nqp_index(actual, index_weights)
    columns = indicator_columns()
    change = actual[columns].to_numpy(float) - counterfactual[columns].to_numpy(float)
    return (index.row_weights * index.signs * change / index.row_ranges).sum(axis=1)


def recovery(seed: int, level: float = 0.95, **overrides: float) -> pd.Series:
    """The baseline DID (Table 3 column (4)) on one seed beside its estimand:
    coef, se, ci_low, ci_high (at ``level``), estimand and whether the interval covers it."""
    p = _values(overrides) | {"missing_share": 0.0}
    actual = _generate(seed, p)[0]
    data = measured(actual)
    fit = twfe_did(data, "nqp", "bdpzs", "city", "year", CONTROLS, level=level)
    ci = fit.conf_int().loc["bdpzs"]
    target = _att(actual, _generate(seed, p | {"effect_scale": 0.0})[0])
    return pd.Series(
        {
            "coef": fit.params["bdpzs"],
            "se": fit.bse["bdpzs"],
            "ci_low": ci["ci_low"],
            "ci_high": ci["ci_high"],
            "estimand": target,
            "covered": bool(ci["ci_low"] <= target <= ci["ci_high"]),
        },
        name=seed,
    )


def published_coefficient(table: str, column: str, row: str = "BDPZs") -> tuple[float, float]:
    """The coefficient and SE printed in paper 004's ``table``, ``column``, ``row``."""
    return planted.published_coefficient(PAPER, table, column, row)


def agreement(data: pd.DataFrame, level: float = 0.10) -> pd.DataFrame:
    """Published beside replicated core coefficients with sign and significance at
    ``level`` (cluster-t p-values against the printed stars), one row per cell."""
    fits = fit_columns(data)
    cells = pd.read_csv(PUBLISHED_CSV)
    cells = cells[(cells["paper"] == PAPER) & (cells["stat"] == "coef")]
    stars = cells.set_index(["table", "column", "row"])["stars"].fillna(0)
    values = cells.set_index(["table", "column", "row"])["value"].astype(float)
    keys = list(zip(fits["table"], fits["column"], fits["row"], strict=True))
    fits["published"] = [values[k] for k in keys]
    fits["published_significant"] = [stars[k] >= 1 for k in keys]
    fits["significant"] = fits["p"] < level
    fits["agree"] = (np.sign(fits["coef"]) == np.sign(fits["published"])) & (
        fits["significant"] == fits["published_significant"]
    )
    return fits


CALIBRATION_SEEDS = tuple(range(30))


CALIBRATED = ("theta_key", "theta_ordinary", "theta_resource", "kappa_dfi", "kappa_gip")


TARGETS = (
    ("Table 3", "(4)", "BDPZs"),
    ("Table 5", "(2)", "Index"),
    ("Table 5", "(4)", "LnGIP"),
    ("Table 6", "(1)", "BDPZs"),
    ("Table 6", "(2)", "BDPZs"),
    ("Table 6", "(3)", "BDPZs"),
    ("Table 6", "(4)", "BDPZs"),
)


def _target_columns() -> list[Column]:
    wanted = {(t, c) for t, c, _ in TARGETS}
    return [col for col in COLUMNS if (col.table, col.column) in wanted]


def _target_fits(seeds: Iterable[int], overrides: dict[str, float]) -> pd.DataFrame:
    """Coefficients and SEs of the calibration targets on each seed."""
    columns = _target_columns()
    frames = []
    for seed in seeds:
        fits = fit_columns(measured(simulate(seed, **overrides)), columns)
        frames.append(fits.assign(seed=seed))
    fits = pd.concat(frames)
    return fits.set_index(["table", "column", "row"]).loc[list(TARGETS)]


def _target_means(seeds: Iterable[int], overrides: dict[str, float]) -> np.ndarray:
    fits = _target_fits(seeds, overrides)
    return fits.groupby(level=[0, 1, 2], sort=False)["coef"].mean().loc[list(TARGETS)].to_numpy()


def calibrate_effects(
    seeds: Iterable[int] = CALIBRATION_SEEDS, steps: int = 2, relative_step: float = 0.1
) -> pd.Series:
    """Direct effects and mediator responses whose mean estimates fit the paper.

    The effects are planted in log points of the raw indicators and reach the index
    through entropy weights and min-max bounds, so the slope of the measured index
    depends on each city's level: key cities, whose indicators are large, carry most
    of it. The five parameters of :data:`CALIBRATED` solve the weighted least-squares
    problem ``min sum_k ((mean_seeds b_k - published_k) / se_k)^2`` over the seven
    :data:`TARGETS` (weights: the published SEs) by Gauss-Newton, with the Jacobian
    from finite differences (``relative_step``) on common random numbers. Seven
    targets and five parameters: with the frame's 7 key pilots the subgroup estimates
    cannot all be met together with Table 3 column (4).
    """
    seeds = tuple(seeds)
    return calibrate_to_published(
        lambda current: _target_means(seeds, current),
        CALIBRATED,
        parameters().set_index("parameter")["value"],
        [published_coefficient(*t[:2], t[2]) for t in TARGETS],
        steps=steps,
        step=lambda value: relative_step * max(abs(value), 1e-3),
    )


def calibration_report(seeds: Iterable[int] = CALIBRATION_SEEDS) -> pd.DataFrame:
    """Published coefficients and SEs of the targets beside their means (and sds) over
    simulated panels, with the distance of the mean in published SEs."""
    fits = _target_fits(tuple(seeds), {}).reset_index()
    return calibration_table(fits, ["table", "column", "row"], published_coefficient)


BASELINE_CELL = ("Table 3", "(4)", "BDPZs")
"""The paper's main coefficient: the TWFE DID with controls (Table 3 column (4))."""


NULL_WORLDS = {
    "bdpzs": {"effect_scale": 0.0},
    "index": {"kappa_dfi": 0.0},
    "lngip": {"kappa_gip": 0.0},
}
"""Core regressor -> the overrides of its null world: the pilot's effects off (every
policy effect, direct and through both mediators), or the mediator's effect on NQP off."""


def truth(
    seed: int = DEFAULT_SEED,
    *,
    panel: pd.DataFrame | None = None,
    measurement: Measurement | None = None,
    **knobs: float,
) -> pd.DataFrame:
    """The value every core coefficient targets on this seed (table, column, row, truth).

    Per-seed estimands (:mod:`helpers.simulate.truth`): each column's own estimator (TWFE or
    pooled OLS, its sample and controls) applied to the part of its measured outcome that
    the effect produces, ``y - y0`` with the observed regressors, where ``y0`` comes from
    the same draws in the regressor's null world (:data:`NULL_WORLDS`):

    * BDPZs rows: the policy off (``effect_scale=0``). For NQP, ``y - y0`` is
      :func:`index_change` (the observed entropy weights and bounds applied to both
      worlds, as :func:`estimand` does); for the mediators, the difference of the measured
      DFI index and of ``ln(1 + applications)``. Table 3 column (4)'s truth is the
      regression form of :func:`estimand` (the ATT as measured). Table 4 (3) (winsorized)
      targets the same ATT as the unwinsorized column, and the PSM-DID columns (Table 4
      (1)-(2)) that of Table 3 (4): the ATT of all pilots.
    * Index (Table 5 (2)) and LnGIP (Table 5 (4)): the mediator's effect on NQP off
      (``kappa_dfi=0`` or ``kappa_gip=0``), the pilot's effects kept as they are.

    Why not the calibrated values: the effects are planted in log points of the raw
    indicators and reach the index through entropy weights and min-max bounds, so what the
    DID estimates depends on the seed's weights and on which cities are pilots; the
    calibration (:func:`calibrate_effects`) matches the published values only on average.
    With ``effect_scale=0`` the BDPZs targets are exactly 0 (the null world is the world).
    Complete data (``missing_share`` ignored).

    ``panel``: this seed's raw panel when it is already at hand and complete (the sweeps
    pass the pipeline's); ``measurement`` is accepted for the common interface and not
    needed (measuring this paper's panel costs little).
    """
    p = _values(knobs) | {"missing_share": 0.0}
    complete = panel is not None and not panel.isna().any().drop("bdpz_year", errors="ignore").any()
    actual = panel if complete else _generate(seed, p)[0]
    frame = measured(actual)
    effects = {}
    for regressor, overrides in NULL_WORLDS.items():
        null = _generate(seed, p | overrides)[0]
        if same_panel(actual, null):
            effects[regressor] = None
            continue
        counterfactual = measured(null)
        effects[regressor] = {
            "nqp": index_change(actual, null),
            "index": frame["index"].to_numpy(float) - counterfactual["index"].to_numpy(float),
            "lngip": frame["lngip"].to_numpy(float) - counterfactual["lngip"].to_numpy(float),
        }
    rows, baseline = [], None
    for col in COLUMNS:
        target = replace(col, sample="all") if col.sample == "winsorized" else col
        for regressor in col.regressors:
            effect = effects[regressor]
            if effect is None:
                value = 0.0
            else:
                data = frame.assign(**{col.outcome: effect[col.outcome]})
                value = float(estimate_column(data, target).params[regressor])
            rows.append((col.table, col.column, ROW_LABELS[regressor], value))
            if (col.table, col.column, ROW_LABELS[regressor]) == BASELINE_CELL:
                baseline = value
    rows += [("Table 4", column, "BDPZs", baseline) for column in PSM_METHODS]
    order = {key: i for i, key in enumerate(core_cells(PAPER, CORE_ROWS))}
    return truth_table(sorted(rows, key=lambda row: order[row[:3]]))


SWEEP_PARAMETERS: dict[str, object] = {}
"""Pipeline options of the sweeps (:mod:`helpers.sweep`) beyond the chapter's parameters:
none (the chapter's pipeline runs no placebo or bootstrap)."""
