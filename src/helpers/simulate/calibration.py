"""Calibrating a generating process to published estimates: Gauss-Newton on mean
estimates over seeds, the table of published against simulated estimates, and the chance
that a simulated column reproduces a printed significance class."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.inference import normal_cdf, normal_isf

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


def class_probability(
    t_mean: np.ndarray,
    t_sd: np.ndarray,
    sign: np.ndarray,
    significant: np.ndarray,
    level: float = 0.10,
    min_sd: float = 0.5,
) -> np.ndarray:
    """Probability that a t statistic ``N(t_mean, t_sd)`` reproduces a printed column: its
    ``sign`` and its class at ``level`` (``significant`` or not).

    With ``z`` the two-sided critical value and ``m = sign t_mean``, a significant column is
    reproduced with probability ``Phi((m - z) / sd)`` and an insignificant one with
    ``Phi((z - m) / sd) - Phi(-m / sd)`` (the t must fall between 0 and z on the printed
    side; at most ``2 Phi(z / 2) - 1``, 0.59 at 10% with sd 1). ``sd`` is bounded below
    by ``min_sd`` so that a few seeds that happen to agree do not make it 0.
    """
    z = normal_isf(level / 2)
    m = np.asarray(sign, dtype=float) * np.asarray(t_mean, dtype=float)
    sd = np.maximum(np.asarray(t_sd, dtype=float), min_sd)
    insignificant = normal_cdf((z - m) / sd) - normal_cdf(-m / sd)
    return np.where(np.asarray(significant, dtype=bool), normal_cdf((m - z) / sd), insignificant)


def reproduces_class(
    coef: np.ndarray,
    p_value: np.ndarray,
    published_coef: np.ndarray,
    significant: np.ndarray,
    level: float = 0.10,
) -> np.ndarray:
    """Whether each replicated coefficient has the printed sign and class at ``level``
    (replicated: p below ``level``; printed: ``significant``, one star or more), the rule of
    :func:`helpers.tables.sign_and_significance`."""
    same_sign = np.sign(np.asarray(coef, dtype=float)) == np.sign(
        np.asarray(published_coef, dtype=float)
    )
    same_class = (np.asarray(p_value, dtype=float) < level) == np.asarray(significant, dtype=bool)
    return same_sign & same_class
