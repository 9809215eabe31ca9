"""Paper 003's generating process against the published tables and its known truth
(maintainers and the chapter's recovery figures).

:func:`recovery` runs the baseline on one seed beside the effect the calibrated process
plants (:func:`planted_effect`); :func:`calibrate_slopes` sets the regional slopes so that
the mean IV-GMM estimates on the measured TFP match Table 1 columns (4)-(6) and Table 2;
:func:`calibration_report` shows every column (``data/simulation/
producer_services_calibration.csv`` stores it) and :func:`agreement_by_seed` the agreement
seed by seed. :func:`truth` is the known truth of every SAGG coefficient on one seed (the
sweeps of :mod:`helpers.sweep` compare the estimates with it).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from helpers.inference import normal_isf
from helpers.iv import fe_2sls_coefficients
from helpers.papers.producer_services.estimation import (
    fit_columns,
    instrument_names,
    sample_of,
    with_lags,
)
from helpers.papers.producer_services.measurement import Measurement, measure
from helpers.papers.producer_services.process import parameters, simulate
from helpers.papers.producer_services.variables import (
    BASELINE,
    COLUMNS,
    CONTROLS,
    DEFAULT_SEED,
    FE,
    OUTCOMES,
    PAPER,
)
from helpers.paths import DATA_DIR
from helpers.published import load_cells
from helpers.simulate.calibration import calibrate_to_published, calibration_table, reproduces_class
from helpers.simulate.truth import (
    effect_part,
    same_panel,
    truth_table,
    zero_truth,
)

CALIBRATION_CSV = DATA_DIR / "simulation" / "producer_services_calibration.csv"


def measured(panel: pd.DataFrame) -> pd.DataFrame:
    """The chapter's measured variables (tfp, te, ec, sagg, sagg_high, sagg_low, controls)
    with :func:`helpers.papers.producer_services.measurement.measure` at the paper's defaults
    (output-oriented CRS Malmquist, 2003-2017)."""
    return measure(panel).frame


def published_coefficient(table: str, column: str, row: str = "SAGG") -> tuple[float, float]:
    """The coefficient and its SE (= coef / printed t) in paper 003's ``table``, ``column``."""
    printed = load_cells().set_index(["paper", "table", "column", "row", "stat"])["number"]
    key = (PAPER, table, column, row)
    coef, t = float(printed[(*key, "coef")]), float(printed[(*key, "t")])
    return coef, abs(coef / t)


def recovery(
    seed: int, level: float = 0.95, se_type: str = "robust", **overrides: float
) -> pd.Series:
    """The baseline (Table 1 column (4), IV-GMM, total SAGG) on one seed beside the
    calibrated effect the measured TFP carries (:func:`planted_effect`): coef, se
    (``se_type``), the ``level`` interval and whether it covers the target."""
    column = next(c for c in COLUMNS if c.key == BASELINE)
    fits = fit_columns(measured(simulate(seed, **overrides)), [column], se_type=se_type)
    coef, se = float(fits["coef"].iloc[0]), float(fits["se"].iloc[0])
    z = normal_isf((1 - level) / 2)
    target = planted_effect()
    low, high = coef - z * se, coef + z * se
    return pd.Series(
        {
            "coef": coef,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "target": target,
            "covered": bool(low <= target <= high),
        },
        name=seed,
    )


def planted_effect() -> float:
    """The effect of total agglomeration on measured TFP that the calibrated process
    plants: Table 1 column (4), the target the calibration matches on average."""
    return published_coefficient("Table 1", "(4)")[0]


CALIBRATION_SEEDS = tuple(range(20))


JACOBIAN_SEEDS = tuple(range(3))


CALIBRATED = (
    "beta_high_east",
    "beta_high_central",
    "beta_high_west",
    "beta_low_east",
    "beta_low_central",
    "beta_low_west",
)


TARGETS = (
    ("Table 1", "(4)"),
    ("Table 1", "(5)"),
    ("Table 1", "(6)"),
    ("Table 2", "(1)"),
    ("Table 2", "(2)"),
    ("Table 2", "(3)"),
    ("Table 2", "(4)"),
    ("Table 2", "(5)"),
    ("Table 2", "(6)"),
)
"""The TFP columns whose mean SAGG estimates the regional slopes are calibrated to."""


def _target_columns():
    return [c for c in COLUMNS if c.key in TARGETS]


def _target_fits(seeds: Iterable[int], overrides: dict[str, float]) -> pd.DataFrame:
    frames = []
    for seed in seeds:
        fits = fit_columns(measured(simulate(seed, **overrides)), _target_columns())
        frames.append(fits.assign(seed=seed))
    return pd.concat(frames).set_index(["table", "column"])


def _target_means(seeds: Iterable[int], overrides: dict[str, float]) -> np.ndarray:
    fits = _target_fits(seeds, overrides)
    return fits.groupby(level=[0, 1])["coef"].mean().loc[list(TARGETS)].to_numpy()


def calibrate_slopes(
    seeds: Iterable[int] = CALIBRATION_SEEDS,
    jacobian_seeds: Iterable[int] = JACOBIAN_SEEDS,
    steps: int = 1,
    step_size: float = 0.01,
) -> pd.Series:
    """Regional slopes (log points of A per unit of LQ) whose mean IV-GMM estimates on
    the measured TFP fit Table 1 columns (4)-(6) and Table 2.

    The measured TFP is a cumulated, frontier-relative Malmquist index in levels, not
    ``ln A``: the slope it carries differs from the structural one by the TFP level, by
    the frontier's piecewise-linear shape and by the national location quotients (a
    city's LQ moves when other cities' shares move). The six parameters of
    :data:`CALIBRATED` solve the weighted least-squares problem
    ``min sum_k ((mean_seeds b_k - published_k) / se_k)^2`` over the nine
    :data:`TARGETS` (weights: the published SEs, coef / t) by Gauss-Newton steps. The
    estimates are close to linear in the slopes (they enter ``ln A`` linearly), so the
    Jacobian comes from finite differences (``step_size``) on the few ``jacobian_seeds``
    with common random numbers, and the residual from the mean over ``seeds``.
    """
    seeds, jacobian_seeds = tuple(seeds), tuple(jacobian_seeds)
    return calibrate_to_published(
        lambda current: _target_means(seeds, current),
        CALIBRATED,
        parameters().set_index("parameter")["value"],
        [published_coefficient(*t) for t in TARGETS],
        steps=steps,
        step=lambda value: step_size,
        jacobian_means=lambda current: _target_means(jacobian_seeds, current),
    )


def calibration_report(seeds: Iterable[int] = CALIBRATION_SEEDS) -> pd.DataFrame:
    """Published SAGG coefficients and SEs of every column beside their means (and sds)
    over simulated panels, with the distance of the mean in published SEs, and
    ``class_share``, the share of the seeds on which the column's published sign and
    significance class at 10% are reproduced (:func:`class_matches`; its mean over the
    columns is the expected agreement of :func:`agreement_by_seed`). The nine TFP targets
    are calibrated; Table 1 (1)-(3) and Table 3 come out of the same process."""
    frames = []
    for seed in tuple(seeds):
        fits = fit_columns(measured(simulate(seed)), COLUMNS)
        frames.append(fits.assign(seed=seed, match=class_matches(fits).to_numpy()))
    fits = pd.concat(frames)
    report = calibration_table(fits, ["table", "column"], published_coefficient)
    report["calibrated"] = [key in TARGETS for key in report.index]
    report["class_share"] = fits.groupby(["table", "column"])["match"].mean().loc[report.index]
    return report.reset_index()


def write_calibration_report(path=CALIBRATION_CSV, seeds: Iterable[int] = CALIBRATION_SEEDS):
    """Write :func:`calibration_report` (the committed target table) and return the path."""
    report = calibration_report(seeds)
    report.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
    return path


def class_matches(fits: pd.DataFrame) -> pd.Series:
    """Whether each fitted column (:func:`fit_columns`) reproduces the published sign of SAGG
    and its significance class at 10% (published: one star or more; replicated: p < 0.10),
    the rule of :func:`helpers.tables.sign_and_significance`."""
    cells = load_cells()
    coefs = cells[(cells["paper"] == PAPER) & (cells["row"] == "SAGG") & (cells["stat"] == "coef")]
    printed = coefs.set_index(["table", "column"])
    keys = list(zip(fits["table"], fits["column"], strict=True))
    same = reproduces_class(
        fits["coef"].to_numpy(),
        fits["p"].to_numpy(),
        printed.loc[keys, "number"].to_numpy(float),
        printed.loc[keys, "stars"].fillna(0).to_numpy(int) >= 1,
    )
    return pd.Series(same, index=pd.MultiIndex.from_tuples(keys, names=["table", "column"]))


def agreement_by_seed(seeds: Iterable[int], **overrides: float) -> pd.DataFrame:
    """For each seed, whether each of the 18 published columns has its SAGG sign and class
    reproduced (:func:`class_matches`; robust SEs, the given ``overrides``): one row per
    seed and column with the replicated t. ``groupby('seed')['match'].mean()`` is the
    chapter's agreement share on each seed."""
    frames = []
    for seed in seeds:
        fits = fit_columns(measured(simulate(seed, **overrides)))
        frames.append(fits.assign(seed=seed, match=class_matches(fits).to_numpy()))
    return pd.concat(frames, ignore_index=True)[["seed", "table", "column", "coef", "t", "match"]]


BASELINE_CELL = (*BASELINE, "SAGG")
"""The paper's main coefficient: TFP on total agglomeration by IV-GMM (Table 1 (4))."""


NULL_WORLD = {"effect_scale": 0.0}
"""The overrides that switch off every effect of agglomeration on productivity (both
slopes in every region)."""


def truth(
    seed: int = DEFAULT_SEED,
    *,
    panel: pd.DataFrame | None = None,
    measurement: Measurement | None = None,
    **knobs: float,
) -> pd.DataFrame:
    """The value the SAGG coefficient of every published column targets on this seed
    (table, column, row, truth).

    Per-seed estimands (:mod:`helpers.simulate.truth`): the column's IV regression (its
    agglomeration measure instrumented by its first and second lags, the seven controls,
    city and year effects, its region) applied to the measured TFP, TE or EC minus the same
    measure in :data:`NULL_WORLD`, with the observed agglomeration and controls. The
    estimator of the target is 2SLS in every column: it is linear in the outcome, so it
    splits an estimate exactly into the effect's part and the rest; two-step GMM weights
    the same moments differently and targets the same slope when the effect is the same
    in every city. Why not :func:`planted_effect` (the published 0.050 that the
    calibration matches on average): TFP is a cumulated DEA-Malmquist index, a
    frontier-relative transform of ``ln A``, so the slope it carries on a seed depends on
    which cities span that seed's frontier; TE and EC are not planted at all, and their
    targets are what the effect does to the measured TE and EC. With ``effect_scale=0``
    every target is exactly 0.
    ``panel`` and ``measurement``: this seed's raw panel and its measurement at the chapter's
    defaults when they are already at hand (the sweeps pass the pipeline's); they are taken
    as they are.
    """
    actual_panel = simulate(seed, **knobs) if panel is None else panel
    null_panel = simulate(seed, **(knobs | NULL_WORLD))
    cells = [(*c.key, "SAGG") for c in COLUMNS]
    if same_panel(actual_panel, null_panel):
        return zero_truth(cells)
    actual = measured(actual_panel) if measurement is None else measurement.frame
    frame, zero = effect_part(actual, measured(null_panel), list(OUTCOMES), FE)
    data = with_lags(frame)
    rows = []
    for col in COLUMNS:
        if col.outcome in zero:
            value = 0.0
        else:
            sample = sample_of(data, col)
            instruments = instrument_names(col.sagg)
            fit = fe_2sls_coefficients(
                sample, col.outcome, [col.sagg], instruments, list(CONTROLS), FE
            )
            value = float(fit[col.sagg])
        rows.append((*col.key, "SAGG", value))
    return truth_table(rows)


SWEEP_PARAMETERS: dict[str, object] = {}
"""Pipeline options of the sweeps (:mod:`helpers.sweep`) beyond the chapter's parameters:
none (the chapter's pipeline runs no placebo or bootstrap)."""
