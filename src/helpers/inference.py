"""Significance conventions shared by every table: p-values and stars.

The papers print * p<0.10, ** p<0.05, *** p<0.01 (the Stata/estout default).
A statistic is referred to the standard normal unless degrees of freedom are
given, in which case Student's t is used, as Stata does for ``reg``, ``xtreg``
and ``reghdfe`` (residual df, or G-1 with clustered errors).

Tail probabilities come from :mod:`scipy.special` (``ndtr``, ``stdtr``, ``chdtrc``,
``fdtrc``), the functions behind :mod:`scipy.stats`' distributions (the results are
bit-for-bit the same), because importing :mod:`scipy.stats` costs about a second per
notebook kernel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

STAR_CUTOFFS: tuple[float, float, float] = (0.10, 0.05, 0.01)


def two_sided_p(statistic: ArrayLike, df: float | None = None) -> np.ndarray:
    """Two-sided p-value ``2 * (1 - F(|statistic|))`` with F normal or t(df)."""
    z = np.abs(np.asarray(statistic, dtype=float))
    if df is None or not np.isfinite(df):
        return 2.0 * special.ndtr(-z)
    return 2.0 * special.stdtr(df, -z)


def chi2_sf(statistic: float, df: float) -> float:
    """Upper tail ``P(chi2(df) > statistic)``."""
    return float(special.chdtrc(df, statistic))


def f_sf(statistic: float, df1: float, df2: float) -> float:
    """Upper tail ``P(F(df1, df2) > statistic)``."""
    return float(special.fdtrc(df1, df2, statistic))


def normal_cdf(x: ArrayLike) -> np.ndarray:
    """Standard normal ``P(Z <= x)`` (``scipy.stats.norm.cdf``)."""
    return special.ndtr(np.asarray(x, dtype=float))


def normal_ppf(q: ArrayLike) -> np.ndarray:
    """Standard normal quantile (``scipy.stats.norm.ppf``; ``+ 0.0`` as scipy adds ``loc``)."""
    return special.ndtri(np.asarray(q, dtype=float)) + 0.0


def normal_isf(q: ArrayLike) -> np.ndarray:
    """Standard normal upper quantile, ``P(Z > x) = q`` (``scipy.stats.norm.isf``)."""
    return -special.ndtri(np.asarray(q, dtype=float)) + 0.0


def f_ppf(q: float, df1: float, df2: float) -> float:
    """Quantile of ``F(df1, df2)`` (``scipy.stats.f.ppf``)."""
    return float(special.fdtri(df1, df2, q))


def chi2_ppf(q: float, df: float) -> float:
    """Quantile of ``chi2(df)`` (``scipy.stats.chi2.ppf``)."""
    return float(2 * special.gammaincinv(df / 2, q))


def poisson_ppf(q: ArrayLike, mu: ArrayLike) -> np.ndarray:
    """Smallest ``k`` with ``P(Poisson(mu) <= k) >= q`` (``scipy.stats.poisson.ppf``,
    with its conventions: ``q = 0`` gives -1, ``q = 1`` infinity, anything invalid NaN)."""
    q, mu = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(mu, dtype=float))
    out = np.full(q.shape, np.nan)
    valid = mu >= 0
    inside = valid & (q > 0) & (q < 1)
    out[valid & (q == 0)] = -1.0
    out[valid & (q == 1)] = np.inf
    qi, mi = q[inside], mu[inside]
    above = np.ceil(special.pdtrik(qi, mi))
    below = np.maximum(above - 1, 0)
    out[inside] = np.where(special.pdtr(below, mi) >= qi, below, above)
    return out


def star_count(p: ArrayLike) -> np.ndarray:
    """Number of stars (0-3) for p-values under :data:`STAR_CUTOFFS`; NaN gives 0."""
    p = np.asarray(p, dtype=float)
    with np.errstate(invalid="ignore"):
        return sum((p < cut).astype(int) for cut in STAR_CUTOFFS)


def stars(p: float) -> str:
    """Star string for one p-value: ``'***'``, ``'**'``, ``'*'`` or ``''``."""
    return "*" * int(star_count(p))


def critical_value(level: float, df: float | None = None) -> float:
    """Two-sided critical value for a ``level`` confidence interval, normal or t(df)."""
    if df is None or not np.isfinite(df):
        return float(special.ndtri(0.5 + level / 2))
    return float(special.stdtrit(df, 0.5 + level / 2))


def coefficient_table(
    params: pd.Series,
    bse: pd.Series,
    tvalues: pd.Series,
    pvalues: pd.Series,
    *,
    level: float,
    df: float | None = None,
) -> pd.DataFrame:
    """Tidy table ``coef, se, t, p, stars, ci_low, ci_high`` with one row per term.

    The interval is ``coef +- c * se`` with ``c`` from :func:`critical_value`,
    the same reference distribution as the p-values.
    """
    q = critical_value(level, df)
    out = pd.DataFrame({"coef": params, "se": bse, "t": tvalues, "p": pvalues})
    out["stars"] = [stars(p) for p in pvalues]
    out["ci_low"] = params - q * bse
    out["ci_high"] = params + q * bse
    return out


class CoefficientTableMixin:
    """``table()`` and ``conf_int()`` for results that hold ``params``, ``bse``,
    ``tvalues``, ``pvalues``, ``level`` and ``df_inference`` (None or inf: normal)."""

    def table(self, level: float | None = None) -> pd.DataFrame:
        """Tidy coefficient table: coef, se, t, p, stars, ci_low, ci_high (rows = terms).

        The interval is at ``level`` (default: the level given at estimation).
        """
        return coefficient_table(
            self.params,
            self.bse,
            self.tvalues,
            self.pvalues,
            level=self.level if level is None else level,
            df=self.df_inference,
        )

    def conf_int(self, level: float | None = None) -> pd.DataFrame:
        """Confidence interval at ``level`` (default: the level given at estimation)."""
        return self.table(level)[["ci_low", "ci_high"]]
