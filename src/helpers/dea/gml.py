"""Global Malmquist-Luenberger (Oh 2010) and Luenberger productivity indices.

Scores are turned into efficiency levels ``E`` (ratio models: the score itself; DDF models:
``E = 1 / (1 + D)``, the "1+D" form of Stata gtfpch).  With ``E^G`` against the frontier
of all periods pooled and ``E^t`` against period ``t``'s own frontier:

- ``gml = E^G(t) / E^G(t-1)``, ``ec = E^t(t) / E^{t-1}(t-1)``, ``tc = gml / ec``
- contemporaneous ML (Chung, Fare & Grosskopf 1997), for comparison:
  ``ml = sqrt[ E^{t-1}(t) / E^{t-1}(t-1) * E^t(t) / E^t(t-1) ]``.

For DDF this is ``gml = (1 + D^G(t-1)) / (1 + D^G(t))`` etc.  The Luenberger indicator
(Chambers, Chung & Fare 1996) uses differences of distances instead of ratios.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.dea.ebm import EBMParameters, ebm_parameters
from helpers.dea.efficiency import directions, make_spec
from helpers.dea.panel import frontier_scores, read_panel
from helpers.dea.parallel import check_workers
from helpers.errors import InputError
from helpers.memo import memoize


def _scores(
    df,
    inputs,
    good,
    bad,
    unit,
    time,
    model,
    rts,
    orientation,
    super_efficiency,
    direction,
    weights,
    ebm_params,
    cross,
    workers,
):
    workers = check_workers(workers)
    panel = read_panel(df, inputs, good, bad, unit=unit, time=time)
    if panel.period.max() < 1:
        raise InputError("needs at least two periods", column=time)
    dims = {"m": panel.X.shape[1], "s": panel.Y.shape[1], "k": panel.B.shape[1]}
    spec = make_spec(model, rts, orientation, super_efficiency, weights=weights, **dims)
    if model == "ebm":
        # one calibration for every frontier, from the pooled (global) data
        params = ebm_params or ebm_parameters(panel.X, panel.Y, panel.B)
        spec = make_spec(model, rts, orientation, super_efficiency, ebm=params, **dims)
    D = directions(direction, panel.X, panel.Y, panel.B) if spec.is_distance else None
    per = frontier_scores(panel, spec, D, cross=cross, pooled=True, workers=workers)
    return panel, spec, per.pop("global"), per


@memoize(ignore=("workers",))
def gml(
    df: pd.DataFrame,
    inputs: str | Sequence[str],
    good: str | Sequence[str],
    bad: str | Sequence[str],
    *,
    unit: str,
    time: str,
    model: str = "ebm",
    super_efficiency: bool = True,
    rts: str = "crs",
    orientation: str = "non",
    direction: object = None,
    weights: object = None,
    ebm_params: EBMParameters | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """GML index with EC/TC decomposition and the contemporaneous ML index, per unit-period.

    ``model``, ``rts``, ``orientation``, ``super_efficiency``, ``direction`` and ``weights``
    are passed to :func:`helpers.dea.efficiency`.  EBM epsilons and weights are calibrated
    once on the pooled data unless ``ebm_params`` is given.  ``workers`` threads (default
    ``min(2, os.cpu_count())``) solve the frontiers in parallel; results do not depend on it.
    Returns a DataFrame in the caller's row order with ``unit``, ``time``, ``score_global``,
    ``score_contemporaneous``, ``gml``, ``ec``, ``tc``, ``ml``, ``ml_ec``, ``ml_tc`` (NaN in a
    unit's first period).
    """
    panel, spec, glob, per = _scores(
        df,
        inputs,
        good,
        bad,
        unit,
        time,
        model,
        rts,
        orientation,
        super_efficiency,
        direction,
        weights,
        ebm_params,
        cross=True,
        workers=workers,
    )

    def level(score: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + score) if spec.is_distance else score

    has = panel.previous >= 0
    p = np.where(has, panel.previous, 0)

    def lagged(values: np.ndarray) -> np.ndarray:
        return np.where(has, values[p], np.nan)

    e_glob, e_own = level(glob), level(per["own"])
    e_prev_tech, e_next_tech = level(per["prev_tech"]), level(per["next_tech"])
    out = panel.keys.copy()
    out["score_global"] = glob
    out["score_contemporaneous"] = per["own"]
    out["gml"] = e_glob / lagged(e_glob)
    out["ec"] = e_own / lagged(e_own)
    out["tc"] = out["gml"] / out["ec"]
    ml = np.sqrt(e_prev_tech / lagged(e_own) * e_own / lagged(e_next_tech))
    out["ml"] = np.where(has, ml, np.nan)
    out["ml_ec"] = out["ec"]
    out["ml_tc"] = out["ml"] / out["ml_ec"]
    return out


def luenberger(
    df: pd.DataFrame,
    inputs: str | Sequence[str],
    good: str | Sequence[str],
    bad: str | Sequence[str],
    *,
    unit: str,
    time: str,
    model: str = "nddf",
    rts: str = "crs",
    direction: object = None,
    weights: object = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Global Luenberger productivity indicator for DDF/NDDF distances (Stata gtfpch ``global``).

    ``L = D^G(t-1) - D^G(t)``, ``ec = D^{t-1}(t-1) - D^t(t)``, ``tc = L - ec``.  ``workers``
    as in :func:`gml`.
    """
    if model not in ("ddf", "nddf"):
        raise InputError("the Luenberger indicator needs model 'ddf' or 'nddf'", column="model")
    panel, _, glob, per = _scores(
        df,
        inputs,
        good,
        bad,
        unit,
        time,
        model,
        rts,
        "non",
        False,
        direction,
        weights,
        None,
        cross=False,
        workers=workers,
    )
    has = panel.previous >= 0
    p = np.where(has, panel.previous, 0)
    out = panel.keys.copy()
    out["score_global"] = glob
    out["score_contemporaneous"] = per["own"]
    out["luenberger"] = np.where(has, glob[p] - glob, np.nan)
    out["ec"] = np.where(has, per["own"][p] - per["own"], np.nan)
    out["tc"] = out["luenberger"] - out["ec"]
    return out
