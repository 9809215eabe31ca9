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
