"""A reference technology: evaluates units against it by column generation.

Every DEA programme here has one non-negative, zero-cost column ``lam_j`` per reference
unit.  Instead of loading all ``n`` reference units, the HiGHS model starts with a few
and, after each solve, prices every reference unit with the optimal row duals ``y``: a
column with ``a_j'y > 0`` has a negative reduced cost and is added, and the unit is
re-solved.  When no column prices out the solution is optimal for the full reference set
(LP duality), so scores are exact.  In practice few units beyond those spanning the
frontier enter the model, and the model (with its basis) is kept from one evaluated unit
to the next.  If the restricted model is infeasible the unit's own column is added (when
it belongs to the reference set); failing that, the unit is solved against the full
reference set, so an infeasible result is never an artefact of the restriction.

Evaluated units are solved in fixed contiguous blocks, each with its own HiGHS models, on
up to ``workers`` threads (HiGHS releases the GIL while it solves); the blocks depend only
on the number of units, so scores are the same bits for any number of workers.

Radial models with a small reference set and few variables are scored without LPs, from
the extreme rays of the multiplier cone (:mod:`helpers.dea.rays`).

Super-efficiency: a unit that scores 1 (0 for DDF) or lies outside the technology is
re-solved with the super-efficiency model with its own column fixed at zero and never
priced (Andersen & Petersen 1993; Tone 2002).  Inefficient units keep their score.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from tqdm import tqdm

from helpers.dea import programs, rays
from helpers.dea.ebm import EBMParameters
from helpers.dea.parallel import run_tasks

FRONTIER_TOL = 1e-6
_PRICE_TOL = 1e-9
_ADD_PER_ROUND = 8
_PROGRESS_DELAY_S = 2.0
_MAX_RAY_REFERENCE = 2000
_BLOCK = 512  # evaluated units per task (each block warm-starts its own HiGHS models)


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

    def __init__(self, tech: Technology, rows: np.ndarray, *, sup: bool) -> None:
        self.program = tech.spec.build(tech.Xr[rows], tech.Yr[rows], tech.Br[rows], sup=sup)
        # an infeasible restricted LP already falls back to more columns or the full LP
        self.program.prog.retry_cold = False
        self.Zfull = tech.Zfull
        self.column = np.full(len(self.Zfull), -1)  # reference row -> LP column, -1 if absent
        self.column[rows] = np.arange(len(rows))
        self.n_cols = self.program.prog.h.getNumCol()
        # rows not in the LP and their data, transposed (fast vector-matrix products)
        self.absent = np.flatnonzero(self.column < 0)
        self.Zt_absent = np.ascontiguousarray(self.Zfull[self.absent].T)

    def add(self, rows: np.ndarray) -> None:
        self.program.prog.add_columns(self.program.lam_rows, self.Zfull[rows].T)
        self.column[rows] = np.arange(self.n_cols, self.n_cols + len(rows))
        self.n_cols += len(rows)
        keep = self.column[self.absent] < 0
        self.absent, self.Zt_absent = self.absent[keep], self.Zt_absent[:, keep]

    def entering(self, barred: int) -> np.ndarray:
        """Up to ``_ADD_PER_ROUND`` absent rows with the largest positive prices ``a_j'y``
        (negative reduced costs) at the current row duals ``y``; row ``barred`` never enters."""
        price = self.program.prog.row_duals()[self.program.lam_rows] @ self.Zt_absent
        if barred >= 0 and self.column[barred] < 0:
            price[np.searchsorted(self.absent, barred)] = -np.inf
        if not len(price) or price.max() <= _PRICE_TOL:  # the usual case: optimal
            return self.absent[:0]
        k = min(_ADD_PER_ROUND, len(price))
        best = np.argpartition(-price, k - 1)[:k]
        return self.absent[best[price[best] > _PRICE_TOL]]

    def exclude(self, row: int, excluded: bool) -> None:
        col = self.column[row] if row >= 0 else -1
        if col >= 0:
            upper = 0.0 if excluded else np.inf
            self.program.prog.set_col_bounds(np.array([col], dtype=np.int32), 0.0, upper)


class _Solver:
    """The HiGHS models (restricted and full, ordinary and super) one block of evaluated
    units is solved with; they are kept, with their bases, from one unit to the next."""

    def __init__(self, tech: Technology) -> None:
        self.tech = tech
        self._restricted: dict[bool, _Restricted] = {}
        self._full: dict[bool, object] = {}

    def _program(self, sup: bool) -> _Restricted:
        if sup not in self._restricted:
            t = self.tech
            seed = _seed(np.hstack([t.Xr, t.Yr, t.Br]), t.m, t.s)
            self._restricted[sup] = _Restricted(t, seed, sup=sup)
        return self._restricted[sup]

    def _full_program(self, sup: bool):
        if sup not in self._full:
            t = self.tech
            self._full[sup] = t.spec.build(t.Xr, t.Yr, t.Br, sup=sup)
        return self._full[sup]

    def solve(self, sup: bool, x, y, b, d, own: int) -> float:
        """Score of one unit; ``own`` is its reference row (-1 if none), excluded if ``sup``."""
        restricted = self._program(sup)
        program = restricted.program
        if sup:
            restricted.exclude(own, True)
        while True:
            value = program.evaluate(x, y, b, d)
            if np.isnan(value):
                if not sup and own >= 0 and restricted.column[own] < 0:
                    restricted.add(np.array([own]))
                    continue
                value = self._solve_full(sup, x, y, b, d, own)
                break
            entering = restricted.entering(own if sup else -1)
            if not len(entering):
                break
            restricted.add(entering)
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


class Technology:
    """The technology spanned by reference units ``(Xr, Yr, Br)`` for one model spec.

    Data are divided by the reference column means first (every model here is
    units-invariant; DDF directions are rescaled alike), which keeps HiGHS well scaled.
    Evaluated units are split into contiguous blocks of at most ``_BLOCK`` units; block
    ``j`` of every :meth:`scores` call is solved with the same :class:`_Solver`, on one of
    up to ``workers`` threads.  The blocks depend only on the number of evaluated units, so
    scores do not depend on ``workers`` or on thread scheduling.
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
        self._solvers: list[_Solver] = []
        self._rays: np.ndarray | None = None
        if spec.model == "radial" and len(Z) <= _MAX_RAY_REFERENCE:
            self._rays = rays.extreme_rays(self.Xr, self.Yr, vrs=spec.vrs)

    def scores(
        self,
        Xe: np.ndarray,
        Ye: np.ndarray,
        Be: np.ndarray,
        De: np.ndarray | None,
        self_pos: np.ndarray,
        *,
        workers: int = 1,
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
        blocks = np.array_split(np.arange(n), max(1, -(-n // _BLOCK)))
        while len(self._solvers) < len(blocks):
            self._solvers.append(_Solver(self))

        def score_block(solver: _Solver, rows: np.ndarray) -> int:
            # each block writes only its own entries of ``out``
            if self._rays is None:
                for i in rows:
                    out[i] = solver.solve(False, Xe[i], Ye[i], Be[i], directions[i], self_pos[i])
            if self.spec.super_efficiency:
                distinct_model = self.spec.model in ("sbm", "ebm")
                todo = self.spec.on_frontier(out[rows]) & ((self_pos[rows] >= 0) | distinct_model)
                for i in rows[todo]:
                    out[i] = solver.solve(True, Xe[i], Ye[i], Be[i], directions[i], self_pos[i])
            return len(rows)

        tasks = [partial(score_block, self._solvers[j], rows) for j, rows in enumerate(blocks)]
        # disable=None: a bar on a terminal only, never in a notebook page or a log file
        with tqdm(total=n, delay=_PROGRESS_DELAY_S, desc="DEA", leave=False, disable=None) as bar:
            for done in run_tasks(tasks, workers):
                bar.update(done)
        return out
