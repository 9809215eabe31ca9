"""Calibration of the epsilon-based measure: affinity index, epsilon and weights.

Tone & Tsutsui (2010), eqs. 15-26: project every unit onto the VRS frontier with the
additive model, compute for each pair of (projected) inputs ``a, b`` the diversity
``D(a, b) = sum_j |c_j - mean(c)| / (n (max c - min c))`` with ``c_j = ln(b_j / a_j)``
(0 when all ``c_j`` are equal) and the affinity ``S = 1 - 2 D``; with ``rho`` the largest
eigenvalue of the affinity matrix and ``w`` its Perron eigenvector,
``eps = (m - rho) / (m - 1)`` (0 when ``m = 1``) and the weights are ``w / sum(w)``.
Outputs are treated the same way; desirable and undesirable outputs form one block.

Tie rule: when the largest eigenvalue is repeated (e.g. ``S = I``) the eigenvector is not
unique; the weights are the projection of the equal-weight vector onto that eigenspace
(equal weights when ``S = I``, as printed in the paper's example 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.dea.programs import Additive
from helpers.errors import InputError, check_choice

_EIG_TIE = 1e-9
_EQUAL_LOG_RATIO = 1e-12


@dataclass(frozen=True)
class EBMParameters:
    """Epsilons and weights of the EBM (``w_y`` covers desirable then undesirable outputs)."""

    eps_x: float
    w_x: np.ndarray
    eps_y: float
    w_y: np.ndarray


def affinity(a: np.ndarray, b: np.ndarray) -> float:
    """Affinity index ``S(a, b) = 1 - 2 D(a, b)`` of two positive vectors (eqs. 15-18)."""
    c = np.log(np.asarray(b, dtype=float) / np.asarray(a, dtype=float))
    spread = c.max() - c.min()
    if spread <= _EQUAL_LOG_RATIO * (1.0 + np.abs(c).max()):  # equal ratios up to rounding
        return 1.0
    return 1.0 - 2.0 * np.abs(c - c.mean()).sum() / (len(c) * spread)


def epsilon_and_weights(Z: np.ndarray) -> tuple[float, np.ndarray]:
    """``(eps, w)`` from the columns of ``Z`` (units x variables) via the affinity matrix."""
    q = Z.shape[1]
    if q == 1:
        return 0.0, np.ones(1)
    S = np.eye(q)
    for i in range(q):
        for j in range(i + 1, q):
            S[i, j] = S[j, i] = affinity(Z[:, i], Z[:, j])
    values, vectors = np.linalg.eigh(S)
    rho = values[-1]
    space = vectors[:, values >= rho - _EIG_TIE]
    if space.shape[1] == 1:
        w = space[:, 0] * np.sign(space[:, 0].sum())
    else:
        w = space @ (space.T @ np.ones(q))
    w = np.clip(w, 0.0, None)
    return float((q - rho) / (q - 1)), w / w.sum()


def ebm_parameters(
    X: np.ndarray, Y: np.ndarray, B: np.ndarray | None = None, *, projection: str = "additive"
) -> EBMParameters:
    """EBM epsilons and weights from the data (validated positive float matrices).

    ``projection="additive"`` projects each unit onto the VRS frontier with the weighted
    additive model first (the paper's choice); ``"none"`` uses the raw data (its footnote).
    """
    check_choice("projection", projection, ("additive", "none"))
    B = np.zeros((len(X), 0)) if B is None else B
    Z = np.hstack([X, Y, B])
    if projection == "additive":
        add = Additive(X, Y, B)
        Z = np.array([add.project(X[j], Y[j], B[j]) for j in range(len(X))])
        Z = Z[~np.isnan(Z).any(axis=1)]
        if len(Z) == 0:
            raise InputError(
                "the additive model found no frontier projection for any unit, so the EBM "
                "epsilons and weights cannot be calibrated",
                parameter="ebm_params",
                hint="pass ebm_params, or projection='none' to calibrate on the raw data",
            )
    m = X.shape[1]
    eps_x, w_x = epsilon_and_weights(Z[:, :m])
    eps_y, w_y = epsilon_and_weights(Z[:, m:])
    return EBMParameters(eps_x=eps_x, w_x=w_x, eps_y=eps_y, w_y=w_y)
