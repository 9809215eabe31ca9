"""Calibrating a generating process to published estimates: Gauss-Newton on mean
estimates over seeds, and the table of published against simulated estimates."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

Means = Callable[[Mapping[str, float]], np.ndarray]


def gauss_newton(
    means: Means,
    names: Sequence[str],
    start: Sequence[float],
    targets: np.ndarray,
    scale: np.ndarray,
    *,
    steps: int = 1,
    step: Callable[[float], float] = lambda value: 0.01,
    jacobian_means: Means | None = None,
) -> np.ndarray:
    """Parameters ``x`` (named ``names``) that solve
    ``min_x sum_k ((means(x)_k - targets_k) / scale_k)^2`` by ``steps`` Gauss-Newton steps.

    ``means`` maps parameter overrides to the mean estimates of the targets over seeds;
    the Jacobian comes from forward differences of size ``step(x_j)`` on ``jacobian_means``
    (default ``means``; fewer seeds with common random numbers suffice when the estimates
    are close to linear in the parameters).
    """
    x = np.asarray(start, dtype=float)
    for_jacobian = jacobian_means or means
    for _ in range(steps):
        current = dict(zip(names, x, strict=True))
        base = means(current)
        near = base if jacobian_means is None else jacobian_means(current)
        jacobian = np.empty((len(targets), len(names)))
        for j, name in enumerate(names):
            h = step(x[j])
            moved = for_jacobian(current | {name: x[j] + h})
            jacobian[:, j] = (moved - near) / h
        delta, *_ = np.linalg.lstsq(jacobian / scale[:, None], (targets - base) / scale, rcond=None)
        x = x + delta
    return x


def calibrate_to_published(
    means: Means,
    names: Sequence[str],
    start: Mapping[str, float],
    published: Sequence[tuple[float, float]],
    **options,
) -> pd.Series:
    """:func:`gauss_newton` from the values ``start[name]`` (a parameter table) to the
    published (coefficient, SE) pairs, weighting each target by its SE; returns the
    calibrated values by name. ``options`` go to :func:`gauss_newton`."""
    targets = np.array([coef for coef, _ in published])
    scale = np.array([se for _, se in published])
    x = gauss_newton(means, names, [float(start[n]) for n in names], targets, scale, **options)
    return pd.Series(x, index=list(names), name="calibrated")


def calibration_table(
    fits: pd.DataFrame, keys: Sequence[str], published: Callable[..., tuple[float, float]]
) -> pd.DataFrame:
    """Published coefficient and SE of each target (``published(*key)``) beside the mean
    and sd over seeds of the simulated ``coef`` and ``se`` (``fits``: one row per seed and
    target, with the ``keys`` columns), and the distance of the mean in published SEs."""
    sims = fits.groupby(list(keys), sort=False)[["coef", "se"]].agg(["mean", "std"])
    sims.columns = [f"{stat}_{agg}" for stat, agg in sims.columns]
    table = pd.DataFrame(
        [published(*key) for key in sims.index],
        index=sims.index,
        columns=["published_coef", "published_se"],
    )
    table = table.join(sims)
    table["distance_in_se"] = (table["coef_mean"] - table["published_coef"]) / table["published_se"]
    return table
