"""Benchmark: 1000-draw pseudo-treated placebo, TWFE, unit-clustered SEs, 284 x 9 panel.

The vectorised estimator (:func:`helpers.did.placebo_pseudo_treated`) is timed on
all 1000 draws (best of three runs after one warm-up call, which pays for lazy
imports).  Two loops of one regression per draw are timed on the first
``LOOP_DRAWS`` draws and scaled linearly to 1000 (labelled so): linearmodels
``PanelOLS`` (entity + time effects, clustered by entity) and the library's own
:func:`helpers.fixed_effects.fe_ols`.  ``max_abs_diff`` compares each loop's
coefficients (and, for fe_ols, standard errors; linearmodels uses a different
small-sample factor) with the vectorised ones on the common draws.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from helpers.did import placebo_pseudo_treated, pseudo_treated_draws
from helpers.fixed_effects import fe_ols

N_UNITS, YEARS, ADOPTION, N_TREATED = 284, np.arange(2014, 2023), 2016, 120
DRAWS, LOOP_DRAWS, SEED = 1000, 50, 20240601
TASK = "placebo 1000 draws, TWFE, cluster SE, 284x9"


def synthetic_panel(seed: int = SEED) -> pd.DataFrame:
    """Balanced 284-city x 9-year panel with two controls and a 2016 DID (fixed seed)."""
    rng = np.random.default_rng(seed)
    city = np.repeat(np.arange(N_UNITS), len(YEARS))
    year = np.tile(YEARS, N_UNITS)
    treated = city < 67
    df = pd.DataFrame(
        {
            "city": city,
            "year": year,
            "did": (treated & (year >= ADOPTION)).astype(float),
            "w1": rng.normal(size=city.size),
            "w2": rng.normal(size=city.size),
        }
    )
    df["y"] = (
        0.01 * df.did
        + 0.02 * df.w1
        - 0.01 * df.w2
        + rng.normal(size=N_UNITS)[city]
        + 0.05 * (year - 2014)
        + 0.05 * rng.normal(size=city.size)
    )
    return df


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def run() -> list[dict]:
    df = synthetic_panel()
    controls = ["w1", "w2"]

    def vectorised():
        return placebo_pseudo_treated(
            df, "y", "city", "year", N_TREATED, ADOPTION, controls, draws=DRAWS, seed=SEED
        )

    result = vectorised()
    t_vec = min(_timed(vectorised)[1] for _ in range(3))
    matrix = pseudo_treated_draws(
        df.city.to_numpy(), df.year.to_numpy(), N_TREATED, ADOPTION, DRAWS, SEED
    )[:, :LOOP_DRAWS]

    def own_loop():
        out = []
        for b in range(LOOP_DRAWS):
            fit = fe_ols(
                df.assign(pl=matrix[:, b]),
                "y",
                ["pl", *controls],
                ["city", "year"],
                vcov="cluster",
                cluster="city",
            )
            out.append((fit.params["pl"], fit.bse["pl"]))
        return np.array(out)

    def linearmodels_loop():
        from linearmodels.panel import PanelOLS

        panel = df.set_index(["city", "year"])
        out = []
        for b in range(LOOP_DRAWS):
            data = panel.assign(pl=matrix[:, b])
            fit = PanelOLS(
                data.y, data[["pl", *controls]], entity_effects=True, time_effects=True
            ).fit(cov_type="clustered", cluster_entity=True)
            out.append(fit.params["pl"])
        return np.array(out)

    own, t_own = _timed(own_loop)
    lm, t_lm = _timed(linearmodels_loop)
    scale = DRAWS / LOOP_DRAWS
    vec_coef, vec_se = result.coef[:LOOP_DRAWS], result.se[:LOOP_DRAWS]
    return [
        {
            "task": TASK,
            "implementation": "helpers.did vectorised (numpy, all draws at once)",
            "n": DRAWS,
            "seconds": t_vec,
            "max_abs_diff": 0.0,
        },
        {
            "task": TASK,
            "implementation": f"loop of helpers fe_ols, timed on {LOOP_DRAWS} draws x{scale:g}",
            "n": DRAWS,
            "seconds": t_own * scale,
            "max_abs_diff": float(
                max(np.abs(own[:, 0] - vec_coef).max(), np.abs(own[:, 1] - vec_se).max())
            ),
        },
        {
            "task": TASK,
            "implementation": (
                f"loop of linearmodels PanelOLS, timed on {LOOP_DRAWS} draws "
                f"x{scale:g} (coefficients compared)"
            ),
            "n": DRAWS,
            "seconds": t_lm * scale,
            "max_abs_diff": float(np.abs(lm - vec_coef).max()),
        },
    ]


if __name__ == "__main__":
    rows = run()
    print(pd.DataFrame(rows).to_string(index=False))
    fast = rows[0]["seconds"]
    print(f"speed-up vs linearmodels loop: {rows[2]['seconds'] / fast:.0f}x")
