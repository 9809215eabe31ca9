"""Benchmarks for the measurement toolkit against naive or peer baselines.

Run as ``python benchmarks/bench_measurement.py``; ``run()`` returns rows with
task, implementation, n, seconds (best of three) and max_abs_diff against the
baseline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from helpers.indices import entropy_index
from helpers.panel import lag, winsorize


def _best(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    best, out = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _panel(n_units: int, n_years: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_years),
            "year": np.tile(np.arange(2000, 2000 + n_years), n_units),
        }
    )
    df = df.sample(frac=0.9, random_state=seed).reset_index(drop=True)  # gaps in years
    for k in range(15):
        df[f"x{k}"] = rng.lognormal(k % 3, 1.0, len(df))
    return df


def _naive_lag(df: pd.DataFrame) -> np.ndarray:
    lookup = {(u, t): v for u, t, v in zip(df["unit"], df["year"], df["x0"], strict=True)}
    return np.array(
        [lookup.get((u, t - 1), np.nan) for u, t in zip(df["unit"], df["year"], strict=True)]
    )


def _naive_entropy(x: np.ndarray, shift: float) -> np.ndarray:
    n, m = x.shape
    e = []
    for j in range(m):
        col = list(x[:, j])
        lo, hi = min(col), max(col)
        y = [(v - lo) / (hi - lo) + shift for v in col]
        total = sum(y)
        e.append(-sum((v / total) * math.log(v / total) for v in y) / math.log(n))
    d = [1 - v for v in e]
    return np.array([v / sum(d) for v in d])


def run() -> list[dict]:
    rows = []
    df = _panel(3000, 30)
    n = len(df)
    cols = [f"x{k}" for k in range(15)]

    t_fast, fast = _best(lambda: lag(df, "x0", unit="unit", time="year").to_numpy())
    t_slow, slow = _best(lambda: _naive_lag(df))
    diff = float(np.nanmax(np.abs(fast - slow))) if np.isfinite(fast).any() else 0.0
    assert np.array_equal(np.isnan(fast), np.isnan(slow))
    rows += [
        {
            "task": "gap-aware lag",
            "implementation": "helpers.panel.lag",
            "n": n,
            "seconds": t_fast,
            "max_abs_diff": diff,
        },
        {
            "task": "gap-aware lag",
            "implementation": "naive dict lookup",
            "n": n,
            "seconds": t_slow,
            "max_abs_diff": 0.0,
        },
    ]

    t_fast, fast = _best(lambda: entropy_index(df, cols).weights["weight"].to_numpy())
    t_slow, slow = _best(lambda: _naive_entropy(df[cols].to_numpy(), 1e-4))
    rows += [
        {
            "task": "entropy weights (15 indicators)",
            "implementation": "helpers.indices",
            "n": n,
            "seconds": t_fast,
            "max_abs_diff": float(np.max(np.abs(fast - slow))),
        },
        {
            "task": "entropy weights (15 indicators)",
            "implementation": "naive python loops",
            "n": n,
            "seconds": t_slow,
            "max_abs_diff": 0.0,
        },
    ]

    t_fast, fast = _best(lambda: winsorize(df, cols, by="year")[cols].to_numpy())

    def peer() -> np.ndarray:
        out = df[cols].to_numpy().copy()
        for _, idx in df.groupby("year").indices.items():
            block = out[idx]
            lo, hi = np.percentile(block, [1, 99], axis=0, method="averaged_inverted_cdf")
            out[idx] = np.clip(block, lo, hi)
        return out

    t_slow, slow = _best(peer)
    rows += [
        {
            "task": "winsorize 1/99 by year",
            "implementation": "helpers.panel.winsorize",
            "n": n,
            "seconds": t_fast,
            "max_abs_diff": float(np.max(np.abs(fast - slow))),
        },
        {
            "task": "winsorize 1/99 by year",
            "implementation": "numpy type-2 percentile + clip",
            "n": n,
            "seconds": t_slow,
            "max_abs_diff": 0.0,
        },
    ]
    return rows


if __name__ == "__main__":
    print(pd.DataFrame(run()).to_string(index=False))
