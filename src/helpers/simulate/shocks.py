"""Random building blocks shared by the generating processes: persistent shocks within a
unit, lognormal draws with a given mean and sd, and standardised scores."""

from __future__ import annotations

import numpy as np


def ar1_within(innovation: np.ndarray, n_years: int, phi: float) -> np.ndarray:
    """Stationary unit-variance AR(1) within each unit of a balanced panel whose rows are
    unit-major with the years in order: ``e_i1 = u_i1``,
    ``e_it = phi e_i,t-1 + sqrt(1 - phi^2) u_it`` for standard normal ``u``."""
    e = innovation.reshape(-1, n_years)
    out = np.empty_like(e)
    out[:, 0] = e[:, 0]
    scale = np.sqrt(1 - phi**2)
    for k in range(1, n_years):
        out[:, k] = phi * out[:, k - 1] + scale * e[:, k]
    return out.ravel()


def lognormal(z: np.ndarray, mean: float, sd: float) -> np.ndarray:
    """Lognormal with the given mean and sd, from standard normal scores ``z``:
    ``exp(ln mean - s^2 / 2 + s z)`` with ``s^2 = ln(1 + (sd / mean)^2)``."""
    sigma2 = np.log1p((sd / mean) ** 2)
    return np.exp(np.log(mean) - sigma2 / 2 + np.sqrt(sigma2) * z)


def standardise(x: np.ndarray) -> np.ndarray:
    """``(x - mean) / sd`` (population sd)."""
    return (x - x.mean()) / x.std()
