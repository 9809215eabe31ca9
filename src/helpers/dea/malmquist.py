"""Malmquist TFP index in DEAP 2.1 conventions (Coelli 1996; Fare, Grosskopf, Norris & Zhang 1994).

With ``D^a(b)`` the radial distance of a unit's period-``b`` data to the period-``a``
frontier (output orientation: Shephard ``1/phi``; input orientation: Farrell ``theta``):

- ``effch  = D^t(t) / D^{t-1}(t-1)``
- ``techch = sqrt[ D^{t-1}(t) / D^t(t) * D^{t-1}(t-1) / D^t(t-1) ]``
- ``pech   = Dvrs^t(t) / Dvrs^{t-1}(t-1)``, ``sech = effch / pech``
- ``tfpch  = effch * techch`` (> 1 = productivity growth)

DEAP computes the four distances under CRS and only the own-period distance under VRS;
that is ``rts="crs"`` (default).  ``rts="vrs"`` measures all four distances under VRS
(cross-period LPs may be infeasible: NaN plus a warning); then ``pech = effch`` and
``sech = 1`` by construction.  The first period of each unit has no index (NaN).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.dea.efficiency import make_spec
from helpers.dea.panel import frontier_scores, read_panel
from helpers.dea.parallel import check_workers
from helpers.errors import InputError, check_choice
from helpers.memo import memoize


@memoize(ignore=("workers",))
def malmquist(
    df: pd.DataFrame,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    *,
    unit: str,
    time: str,
    orientation: str = "output",
    rts: str = "crs",
    workers: int | None = None,
) -> pd.DataFrame:
    """Malmquist index and its decomposition for each unit and period (DEAP 2.1).

    Returns a DataFrame in the caller's row order with ``unit``, ``time``, the distances
    ``crs_te`` (``D^t(t)``), ``crs_te_prev_tech`` (``D^{t-1}(t)``), ``crs_te_next_tech``
    (``D^{t+1}(t)``), ``vrs_te``, and ``effch, techch, pech, sech, tfpch``.  Under
    ``rts="vrs"`` the ``crs_*`` columns hold VRS distances.  ``workers`` threads (default
    ``min(2, os.cpu_count())``) solve the period frontiers; results do not depend on it.
    """
    check_choice("orientation", orientation, ("input", "output"))
    check_choice("rts", rts, ("crs", "vrs"))
    workers = check_workers(workers)
    panel = read_panel(df, inputs, outputs, unit=unit, time=time)
    if panel.period.max() < 1:
        raise InputError("needs at least two periods", column=time)
    dims = {"m": panel.X.shape[1], "s": panel.Y.shape[1], "k": 0}
    main = frontier_scores(
        panel, make_spec("radial", rts, orientation, False, **dims), workers=workers
    )
    if rts == "crs":
        vrs = frontier_scores(
            panel,
            make_spec("radial", "vrs", orientation, False, **dims),
            cross=False,
            workers=workers,
        )
        vrs_te = vrs["own"]
    else:
        vrs_te = main["own"]

    prev = panel.previous
    has = prev >= 0
    p = np.where(has, prev, 0)

    def lagged(values: np.ndarray) -> np.ndarray:
        return np.where(has, values[p], np.nan)

    own, own_lag = main["own"], lagged(main["own"])
    effch = own / own_lag
    techch = np.sqrt(main["prev_tech"] / own * own_lag / lagged(main["next_tech"]))
    techch[~has] = np.nan
    pech = vrs_te / lagged(vrs_te)
    out = panel.keys.copy()
    out["crs_te"] = own
    out["crs_te_prev_tech"] = main["prev_tech"]
    out["crs_te_next_tech"] = main["next_tech"]
    out["vrs_te"] = vrs_te
    out["effch"] = effch
    out["techch"] = techch
    out["pech"] = pech
    out["sech"] = effch / pech
    out["tfpch"] = effch * techch
    return out


def cumulate(
    df: pd.DataFrame, columns: str | Sequence[str], *, unit: str, time: str
) -> pd.DataFrame:
    """Turn period-on-period indices into levels: the first period of each unit is 1, and
    ``level_t = level_{t-1} * index_t`` (a missing index makes later levels missing).

    Returns a copy of ``df`` with ``columns`` replaced by levels (same row order).
    """
    names = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in [*names, unit, time] if c not in df.columns]
    if missing:
        raise InputError("not found in the DataFrame", column=", ".join(map(str, missing)))
    out = df.copy()
    order = out.sort_values([unit, time]).index
    first = ~out.loc[order, unit].duplicated()
    for c in names:
        idx = out.loc[order, c].astype(float).where(~first.to_numpy(), 1.0)
        out.loc[order, c] = idx.groupby(out.loc[order, unit]).cumprod(skipna=False).to_numpy()
    return out
