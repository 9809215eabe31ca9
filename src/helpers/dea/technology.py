"""A reference technology: evaluates units against it by column generation.

Every DEA programme here has one non-negative, zero-cost column ``lam_j`` per reference
unit.  Instead of loading all ``n`` reference units, the HiGHS model starts with a few
and, after each solve, prices every reference unit with the optimal row duals ``y``: a
column with ``a_j'y > 0`` has a negative reduced cost and is added, and the unit is
re-solved.  When no column prices out the solution is optimal for the full reference set
(LP duality), so scores are exact.  In practice few units beyond those spanning the
frontier enter the model, and the model (with its basis) is kept from one evaluated unit
to the next.  If
the restricted model is infeasible the unit's own column is added (when it belongs to the
reference set); failing that, the unit is solved against the full reference set, so an
infeasible result is never an artefact of the restriction.

Radial models with a small reference set and few variables are scored without LPs, from
the extreme rays of the multiplier cone (:mod:`helpers.dea.rays`).

Super-efficiency: a unit that scores 1 (0 for DDF) or lies outside the technology is
re-solved with the super-efficiency model with its own column fixed at zero and never
priced (Andersen & Petersen 1993; Tone 2002).  Inefficient units keep their score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from helpers.dea import programs, rays
from helpers.dea.ebm import EBMParameters

FRONTIER_TOL = 1e-6
_PRICE_TOL = 1e-9
_ADD_PER_ROUND = 8
_PROGRESS_DELAY_S = 2.0
_MAX_RAY_REFERENCE = 2000


@dataclass(frozen=True)
class ModelSpec:
    """Which model to solve; ``weights`` only for NDDF, ``ebm`` only for EBM."""

    model: str
    vrs: bool
    orientation: str
    super_efficiency: bool = False
    ebm: EBMParameters | None = None
    weights: np.ndarray | None = None

    @property
    def is_distance(self) -> bool:
        """DDF-type scores: 0 on the frontier, larger = less efficient."""
        return self.model in ("ddf", "nddf")

    def build(self, Xr, Yr, Br, *, sup: bool = False):
        kw = {"vrs": self.vrs, "orientation": self.orientation}
        if self.model == "radial":
            return programs.Radial(Xr, Yr, Br, **kw)
        if self.model == "sbm":
            return (programs.SuperSBM if sup else programs.SBM)(Xr, Yr, Br, **kw)
        if self.model == "ebm":
            return programs.EBM(Xr, Yr, Br, params=self.ebm, sup=sup, **kw)
        if self.model == "ddf":
            return programs.DDF(Xr, Yr, Br, **kw)
        return programs.NDDF(Xr, Yr, Br, weights=self.weights, **kw)

    def on_frontier(self, score: np.ndarray) -> np.ndarray:
        """Units that get the super-efficiency model: on or outside the frontier, or NaN."""
        with np.errstate(invalid="ignore"):
            if self.is_distance:
                return ~(score > FRONTIER_TOL)
            return ~(score < 1.0 - FRONTIER_TOL)


def _seed(Z: np.ndarray, m: int, s: int) -> np.ndarray:
    """A few reference units likely on the frontier: the best ratio of summed (column-
    normalised) goods to summed inputs and bads, and the best unit in each column."""
    goods = Z[:, m : m + s].sum(axis=1)
    costs = np.delete(Z, np.s_[m : m + s], axis=1).sum(axis=1)
    best = [int(np.argmax(goods / costs))]
    best += [int(np.argmin(Z[:, j])) for j in range(Z.shape[1]) if not m <= j < m + s]
    best += [int(np.argmax(Z[:, j])) for j in range(m, m + s)]
    return np.unique(best)


class _Restricted:
    """A programme holding a growing subset of the reference units' columns."""

    def __init__(self, spec: ModelSpec, Xr, Yr, Br, rows: np.ndarray, *, sup: bool) -> None:
        self.program = spec.build(Xr[rows], Yr[rows], Br[rows], sup=sup)
        self.column = np.full(len(Xr), -1)  # reference row -> LP column, -1 if absent
        self.column[rows] = np.arange(len(rows))
        self.n_cols = self.program.prog.h.getNumCol()

    def add(self, Zfull: np.ndarray, rows: np.ndarray) -> None:
        self.program.prog.add_columns(self.program.lam_rows, Zfull[rows].T)
        self.column[rows] = np.arange(self.n_cols, self.n_cols + len(rows))
        self.n_cols += len(rows)

    def exclude(self, row: int, excluded: bool) -> None:
        col = self.column[row] if row >= 0 else -1
        if col >= 0:
            upper = 0.0 if excluded else np.inf
            self.program.prog.set_col_bounds(np.array([col], dtype=np.int32), 0.0, upper)


class Technology:
    """The technology spanned by reference units ``(Xr, Yr, Br)`` for one model spec.

    Data are divided by the reference column means first (every model here is
    units-invariant; DDF directions are rescaled alike), which keeps HiGHS well scaled.
    """

    def __init__(self, spec: ModelSpec, Xr: np.ndarray, Yr: np.ndarray, Br: np.ndarray) -> None:
        self.spec = spec
        self.m, self.s = Xr.shape[1], Yr.shape[1]
        Z = np.hstack([Xr, Yr, Br])
        self.scale = Z.mean(axis=0)
        Z = Z / self.scale
        self.Xr, self.Yr, self.Br = np.split(Z, [self.m, self.m + self.s], axis=1)
        unit_row = np.ones((len(Z), 1)) if spec.vrs else np.zeros((len(Z), 0))
        self.Zfull = np.hstack([Z, unit_row])  # lam_j's coefficients in the LP rows
        self._restricted: dict[bool, _Restricted] = {}
        self._full: dict[bool, object] = {}
        self._rays: np.ndarray | None = None
        if spec.model == "radial" and len(Z) <= _MAX_RAY_REFERENCE:
            self._rays = rays.extreme_rays(self.Xr, self.Yr, vrs=spec.vrs)

    def _program(self, sup: bool) -> _Restricted:
        if sup not in self._restricted:
            seed = _seed(np.hstack([self.Xr, self.Yr, self.Br]), self.m, self.s)
            self._restricted[sup] = _Restricted(self.spec, self.Xr, self.Yr, self.Br, seed, sup=sup)
        return self._restricted[sup]

    def _full_program(self, sup: bool):
        if sup not in self._full:
            self._full[sup] = self.spec.build(self.Xr, self.Yr, self.Br, sup=sup)
        return self._full[sup]

    def _solve(self, sup: bool, x, y, b, d, own: int) -> float:
        """Score of one unit; ``own`` is its reference row (-1 if none), excluded if ``sup``."""
        restricted = self._program(sup)
        program = restricted.program
        if sup:
            restricted.exclude(own, True)
        while True:
            value = program.evaluate(x, y, b, d)
            if np.isnan(value):
                if not sup and own >= 0 and restricted.column[own] < 0:
                    restricted.add(self.Zfull, np.array([own]))
                    continue
                value = self._solve_full(sup, x, y, b, d, own)
                break
            price = self.Zfull @ program.prog.row_duals()[program.lam_rows]
            price[restricted.column >= 0] = -np.inf
            if sup and own >= 0:
                price[own] = -np.inf
            if price.max() <= _PRICE_TOL:
                break
            best = np.argpartition(-price, min(_ADD_PER_ROUND, len(price)) - 1)[:_ADD_PER_ROUND]
            best = best[price[best] > _PRICE_TOL]
            restricted.add(self.Zfull, best)
        if sup:
            restricted.exclude(own, False)
        return value

    def _solve_full(self, sup: bool, x, y, b, d, own: int) -> float:
        full = self._full_program(sup)
        excluded = sup and own >= 0
        if excluded:
            full.prog.set_col_bounds(np.array([own], dtype=np.int32), 0.0, 0.0)
        value = full.evaluate(x, y, b, d)
        if excluded:
            full.prog.set_col_bounds(np.array([own], dtype=np.int32), 0.0, np.inf)
        return value

    def scores(
        self,
        Xe: np.ndarray,
        Ye: np.ndarray,
        Be: np.ndarray,
        De: np.ndarray | None,
        self_pos: np.ndarray,
    ) -> np.ndarray:
        """Scores of evaluated units; ``self_pos[i]`` is unit i's reference row or -1."""
        n = len(Xe)
        Ze = np.hstack([Xe, Ye, Be]) / self.scale
        Xe, Ye, Be = np.split(Ze, [self.m, self.m + self.s], axis=1)
        directions = De / self.scale if De is not None else [None] * n
        if self._rays is not None:
            out = rays.radial_scores(
                self._rays, Xe, Ye, vrs=self.spec.vrs, orientation=self.spec.orientation
            )
        else:
            out = np.full(n, np.nan)
            with tqdm(total=n, delay=_PROGRESS_DELAY_S, desc="DEA", leave=False) as bar:
                for i in range(n):
                    out[i] = self._solve(False, Xe[i], Ye[i], Be[i], directions[i], self_pos[i])
                    bar.update()
        if self.spec.super_efficiency:
            distinct_model = self.spec.model in ("sbm", "ebm")
            todo = self.spec.on_frontier(out) & ((self_pos >= 0) | distinct_model)
            for i in np.flatnonzero(todo):
                out[i] = self._solve(True, Xe[i], Ye[i], Be[i], directions[i], self_pos[i])
        return out
