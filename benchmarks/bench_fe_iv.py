"""Speed of helpers.iv.fe_iv (numpy 2SLS/GMM and rank statistics) against the same fit
computed by linearmodels (IV2SLS, kleibergen_paap, kleibergen_paap_f, cragg_donald_f) on
the same within data, as fe_iv did before its numpy path.

Tasks (synthetic city panel, 284 cities x 14 years, fixed seed; city and year effects):
- one endogenous regressor, two lagged instruments, seven controls, cluster-robust
  (a producer_services column);
- two endogenous regressors, three instruments, heteroskedasticity-robust.

Each implementation runs ``FITS`` fits (the chapter runs about 60) and is timed best of
``REPEATS``; ``max_abs_diff`` is the largest difference of coefficients, standard errors
and identification statistics from the numpy path.  Run ``python benchmarks/run.py fe_iv``
(one BLAS thread, as the book's kernels use).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from helpers.fixed_effects import fe_ols
from helpers.iv import _prepare, _variance_factor, fe_iv

SEED = 20240601
FITS = 20
REPEATS = 3
CONTROLS = [f"w{j}" for j in range(7)]


def synthetic_panel(cities: int = 284, years: int = 14, seed: int = SEED) -> pd.DataFrame:
    """Endogenous regressors driven by persistent instruments and the outcome's shock."""
    rng = np.random.default_rng(seed)
    city = np.repeat(np.arange(cities), years)
    year = np.tile(np.arange(years), cities)
    n = cities * years
    z = rng.normal(size=(n, 3)) + rng.normal(size=(cities, 3))[city]
    w = rng.normal(size=(n, len(CONTROLS)))
    u = rng.normal(size=n) * (1 + 0.5 * np.abs(z[:, 0]))
    d1 = z @ [0.6, 0.3, 0.1] + w[:, 0] * 0.2 + 0.5 * u + rng.normal(size=n)
    d2 = z @ [0.1, 0.4, 0.5] - 0.3 * u + rng.normal(size=n)
    y = 0.8 * d1 - 0.4 * d2 + w @ np.linspace(0.1, 0.4, len(CONTROLS))
    y += rng.normal(size=cities)[city] + 0.05 * year + u
    frame = pd.DataFrame({"city": city, "year": year, "y": y, "d1": d1, "d2": d2})
    for j in range(3):
        frame[f"z{j}"] = z[:, j]
    for j, name in enumerate(CONTROLS):
        frame[name] = w[:, j]
    return frame


def linearmodels_fe_iv(data, y, endog, instruments, exog, fe, vcov, cluster) -> dict:
    """The same 2SLS fit and statistics through linearmodels (fe_iv's former core)."""
    from linearmodels.iv import IV2SLS, cragg_donald_f, kleibergen_paap, kleibergen_paap_f

    wd = _prepare(data, y, endog, instruments, exog, fe, vcov, cluster, True)
    cov_type = {"conventional": "unadjusted", "robust": "robust", "cluster": "clustered"}[vcov]
    config = {"clusters": wd.cluster} if vcov == "cluster" else {}
    fit = IV2SLS(wd.y, wd.exog if wd.exog.shape[1] else None, wd.endog, wd.excluded).fit(
        cov_type=cov_type, debiased=False, **config
    )
    k2, k1 = wd.exog.shape[1], wd.endog.shape[1]
    order = [*range(k2, k2 + k1), *range(k2)]
    n, l1 = len(wd.y), wd.excluded.shape[1]
    g = int(wd.cluster.max()) + 1 if wd.cluster is not None else None
    factor = _variance_factor(vcov, False, n, k1 + k2 + wd.absorbed_small, g, wd.dofminus)
    se = np.sqrt(np.diag(np.asarray(fit.cov)) * factor)[order]
    kp = kleibergen_paap(wd.endog, wd.excluded, wd.exog, cov_type, config or None)
    kp_f = kleibergen_paap_f(wd.endog, wd.excluded, wd.exog, cov_type, config or None)
    cd_f = cragg_donald_f(wd.endog, wd.excluded, wd.exog)
    rescale = (n - l1 - k2 - wd.absorbed_small) / (n - l1 - k2)
    for e in endog:  # the first stages, as fe_iv reports them
        fe_ols(wd.frame, e, [*instruments, *exog], fe, vcov=vcov, cluster=cluster)
    return {
        "params": np.asarray(fit.params)[order],
        "se": se,
        "stats": np.array([kp.stat, kp_f * rescale, cd_f * rescale]),
    }


def _numpy_fe_iv(data, y, endog, instruments, exog, fe, vcov, cluster) -> dict:
    res = fe_iv(data, y, endog, instruments, exog, fe, vcov=vcov, cluster=cluster)
    return {
        "params": res.params.to_numpy(),
        "se": res.bse.to_numpy(),
        "stats": np.array([res.kp_lm, res.kp_f, res.cd_f]),
    }


def _best_time(fn) -> float:
    best = np.inf
    for _ in range(REPEATS):
        clock = time.perf_counter()
        for _ in range(FITS):
            fn()
        best = min(best, time.perf_counter() - clock)
    return best


def run() -> list[dict]:
    panel = synthetic_panel()
    fe = ["city", "year"]
    tasks = {
        f"FE-2SLS, 1 endog, 2 instr, cluster, 284x14, {FITS} fits": (
            ["d1"],
            ["z0", "z1"],
            "cluster",
        ),
        f"FE-2SLS, 2 endog, 3 instr, robust, 284x14, {FITS} fits": (
            ["d1", "d2"],
            ["z0", "z1", "z2"],
            "robust",
        ),
    }
    rows = []
    for task, (endog, instruments, vcov) in tasks.items():
        args = (panel, "y", endog, instruments, CONTROLS, fe, vcov, "city")
        fast, peer = _numpy_fe_iv(*args), linearmodels_fe_iv(*args)
        diff = max(float(np.abs(fast[k] - peer[k]).max()) for k in fast)
        rows.append(
            {
                "task": task,
                "implementation": "helpers.iv.fe_iv (numpy QR path)",
                "n": len(panel),
                "seconds": _best_time(lambda args=args: _numpy_fe_iv(*args)),
                "max_abs_diff": 0.0,
            }
        )
        rows.append(
            {
                "task": task,
                "implementation": "linearmodels IV2SLS + rank tests on the same within data",
                "n": len(panel),
                "seconds": _best_time(lambda args=args: linearmodels_fe_iv(*args)),
                "max_abs_diff": diff,
            }
        )
    return rows


if __name__ == "__main__":
    rows = run()
    print(pd.DataFrame(rows).to_string(index=False))
