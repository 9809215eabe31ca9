"""Radial DEA scores of many units at once from the extreme rays of the multiplier cone.

The multiplier (dual) form of the radial model, with weights ``z = (u, v[, u0])``,
optimises a ratio over the slice ``{z in K : a'z = 1}`` of the polyhedral cone
``K = {z : u'y_j - v'x_j - u0 <= 0 for every reference unit j, u >= 0, v >= 0}``
(``u0`` free, VRS only).  ``K`` is pointed, so the optimum sits at a vertex of the slice,
i.e. on an extreme ray of ``K`` (Charnes, Cooper & Rhodes 1978; Banker et al. 1984):

- output orientation: ``phi = min_r (v_r'x_o + u0_r) / (u_r'y_o)``, score ``1/phi``;
- input orientation: ``theta = max_r (u_r'y_o - u0_r) / (v_r'x_o)``;

and the primal LP is infeasible (score NaN) when a ray with zero denominator has a
numerator of the wrong sign.  When the reference set spanning the frontier is small and
the number of variables ``m + s`` is low (Malmquist panels), computing the rays once and
scoring every unit with one matrix product is far cheaper than one LP per unit; when the
ray set grows too large the caller falls back to LPs.
"""

from __future__ import annotations

import numpy as np

_TOL = 1e-9
_MAX_PAIR_CELLS = 20_000_000  # ray pairs x constraints examined in one step (memory bound)


def undominated(Z: np.ndarray) -> np.ndarray:
    """Rows of ``Z`` (larger = better) not dominated by another row; duplicates kept once."""
    _, first = np.unique(Z, axis=0, return_index=True)
    keep = np.sort(first)
    W = Z[keep]
    ge = (W[:, None, :] >= W[None, :, :]).all(axis=2)  # [i, j]: i >= j everywhere
    np.fill_diagonal(ge, False)
    return keep[~ge.any(axis=0)]


def extreme_rays(Xr: np.ndarray, Yr: np.ndarray, *, vrs: bool) -> np.ndarray | None:
    """Generators ``(u, v[, u0])`` of the multiplier cone by the double description method.

    Constraints are added one reference unit at a time (most productive first; dominated
    units are skipped since their constraints are implied).  Each new constraint keeps the
    rays satisfying it and combines every pair of rays on opposite sides whose common
    active constraints pass the combinatorial adjacency count (Fukuda & Prodon 1996).  A
    generating set is all the scores need: non-extreme generators never beat the optimum.
    Returns None when the ray set grows too large (many variables): use LPs then.
    """
    m, s = Xr.shape[1], Yr.shape[1]
    cand = undominated(np.hstack([-Xr, Yr]))
    cand = cand[np.argsort(-Yr[cand].sum(axis=1) / Xr[cand].sum(axis=1), kind="stable")]
    d = s + m + int(vrs)
    G = np.hstack([Yr[cand], -Xr[cand], -np.ones((len(cand), int(vrs)))])
    n_cons = s + m + len(cand)
    rays = np.eye(d)[: s + m]  # generators of the orthant u, v >= 0 (u0 = 0)
    active = np.zeros((s + m, n_cons), dtype=bool)
    active[:, : s + m] = ~np.eye(s + m, dtype=bool)  # e_i is tight on z_k >= 0, k != i
    has_line = vrs  # u0 is free: the line +-e_u0 until the first unit constraint
    for c, g in enumerate(G):
        col = s + m + c
        if has_line:
            # project the rays onto g'z = 0 along the line, keep the half-line with g'z < 0
            rays = np.vstack([rays + np.outer(rays @ g, np.eye(d)[-1]), np.eye(d)[-1]])
            active = np.vstack([active, np.r_[np.ones(s + m, dtype=bool), np.zeros(len(G), bool)]])
            active[:-1, col] = True
            has_line = False
            continue
        values = rays @ g
        tol = _TOL * np.linalg.norm(g)
        pos, neg = values > tol, values < -tol
        active[:, col] = ~pos & ~neg
        if not pos.any():
            continue
        P, N = np.flatnonzero(pos), np.flatnonzero(neg)
        if len(P) * len(N) * n_cons > _MAX_PAIR_CELLS:
            return None
        common = active[P][:, None, :] & active[N][None, :, :]
        pi, ni = np.nonzero(common.sum(axis=2) >= d - 2)
        new = values[P[pi], None] * rays[N[ni]] - values[N[ni], None] * rays[P[pi]]
        new /= np.linalg.norm(new, axis=1, keepdims=True)
        new_active = common[pi, ni]
        new_active[:, col] = True
        rays = np.vstack([rays[~pos], new])
        active = np.vstack([active[~pos], new_active])
    return rays


def radial_scores(
    rays: np.ndarray, Xe: np.ndarray, Ye: np.ndarray, *, vrs: bool, orientation: str
) -> np.ndarray:
    """Radial scores of the evaluated units from the rays (see module docstring)."""
    s, m = Ye.shape[1], Xe.shape[1]
    u, v = rays[:, :s], rays[:, s : s + m]
    u0 = rays[:, s + m] if vrs else np.zeros(len(rays))
    if orientation == "output":
        num = Xe @ v.T + u0
        den = Ye @ u.T
    else:
        num = Ye @ u.T - u0
        den = Xe @ v.T
    # normalise each ray's scale so that the zero-denominator test is scale-free
    proper = den > _TOL
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(proper, num / np.where(proper, den, 1.0), np.nan)
    if orientation == "output":
        best = np.nanmin(np.where(proper, ratio, np.inf), axis=1)
        infeasible = (~proper & (num < -_TOL)).any(axis=1)
        score = 1.0 / best
    else:
        best = np.nanmax(np.where(proper, ratio, -np.inf), axis=1)
        infeasible = (~proper & (num > _TOL)).any(axis=1)
        score = best
    score = np.where(np.isfinite(best) & (best > 0) & ~infeasible, score, np.nan)
    return score
