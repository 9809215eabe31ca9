"""Envelopment linear programmes of the DEA models, one HiGHS model per reference set.

Each class builds its LP once for a reference set (``Xr``, ``Yr``, ``Br``, one row per
reference unit) and then, for every evaluated unit, changes only the coefficients,
costs and bounds that depend on that unit before re-solving.  HiGHS keeps the previous
optimal basis, so consecutive solves are warm-started.

Fractional programmes (SBM, EBM) are linearised with the Charnes-Cooper transformation:
the denominator is fixed to 1 by a scaling variable ``t`` and every other variable is
multiplied by ``t`` (Tone 2001, section 3).
"""

from __future__ import annotations

import highspy
import numpy as np
from scipy import sparse

_INF = highspy.kHighsInf
_OPTIMAL = highspy.HighsModelStatus.kOptimal


class _QuietHighs(highspy.Highs):
    """``highspy.Highs`` with its output off and without highspy's Python callback.

    highspy's constructor registers a Python callback dispatcher with HiGHS
    (``enableCallbacks``).  Two things follow that this class avoids:

    * at that moment HiGHS writes its copyright banner to the process's standard output
      (once per process, while ``output_flag`` is on), before a caller can switch output
      off; in a notebook kernel the banner would land in the rendered page.  Output is
      switched off first.
    * with the Python dispatcher registered, models solved on several threads
      (:mod:`helpers.dea.parallel`) did not run at once: on two cores, two threads took
      as long as one (HiGHS has to hold the interpreter's lock to reach a Python
      callback).  Nothing here subscribes to HiGHS callbacks, so the dispatcher is never
      registered; ``make bench`` times every DEA task on one thread and on two.
    """

    def enableCallbacks(self) -> None:
        self.setOptionValue("output_flag", False)


class _Program:
    """A HiGHS LP ``min c'z s.t. row_lo <= A z <= row_up, col_lo <= z <= col_up``."""

    def __init__(self, cost, col_lo, col_up, A, row_lo, row_up) -> None:
        A = sparse.csc_matrix(np.asarray(A, dtype=float))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
        lp.col_cost_ = np.asarray(cost, dtype=float)
        lp.col_lower_ = np.asarray(col_lo, dtype=float)
        lp.col_upper_ = np.asarray(col_up, dtype=float)
        lp.row_lower_ = np.asarray(row_lo, dtype=float)
        lp.row_upper_ = np.asarray(row_up, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr
        lp.a_matrix_.index_ = A.indices
        lp.a_matrix_.value_ = A.data
        h = _QuietHighs()
        # One thread: the LPs are tiny and thread start-up would dominate each solve.
        h.setOptionValue("threads", 1)
        # Presolve costs more than it saves on these small LPs (most solves are warm anyway).
        h.setOptionValue("presolve", "off")
        h.passModel(lp)
        self.h = h
        # Retry a non-optimal warm solve from scratch; off where the caller has a fallback.
        self.retry_cold = True

    def add_columns(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Append zero-cost, non-negative columns; ``values[:, j]`` sits in ``rows``."""
        q, n_new = values.shape
        self.h.addCols(
            n_new,
            np.zeros(n_new),
            np.zeros(n_new),
            np.full(n_new, _INF),
            q * n_new,
            np.arange(0, q * n_new, q, dtype=np.int32),
            np.tile(rows, n_new).astype(np.int32),
            np.ascontiguousarray(values.T).ravel(),
        )

    def row_duals(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().row_dual)

    def set_coefs(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        change = self.h.changeCoeff
        # tolist() casts to Python numbers in one go (HiGHS has no batch changeCoeff)
        for r, c, v in zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True):
            change(r, c, v)

    def set_costs(self, cols: np.ndarray, values: np.ndarray) -> None:
        self.h.changeColsCost(len(cols), cols, np.asarray(values, dtype=float))

    def set_row_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        self.h.changeRowsBounds(len(rows), rows, lower, upper)

    def set_col_bounds(self, cols: np.ndarray, lower, upper) -> None:
        n = len(cols)
        self.h.changeColsBounds(
            n,
            cols,
            np.broadcast_to(lower, n).astype(float),
            np.broadcast_to(upper, n).astype(float),
        )

    def solve(self) -> float:
        """Optimal objective value, or NaN when the LP is infeasible, unbounded or failed."""
        h = self.h
        h.run()
        if h.getModelStatus() != _OPTIMAL:
            if not self.retry_cold:
                return float("nan")
            # A stale basis can occasionally mislead the warm start: retry once cold.
            h.clearSolver()
            h.run()
            if h.getModelStatus() != _OPTIMAL:
                return float("nan")
        return h.getObjectiveValue()

    def primal(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)


def _idx(start: int, size: int) -> np.ndarray:
    return np.arange(start, start + size, dtype=np.int32)


class _Layout:
    """Column/row positions shared by the slack-based programmes."""

    def __init__(self, n: int, m: int, s: int, k: int) -> None:
        self.n, self.m, self.s, self.k = n, m, s, k
        self.sx = _idx(n, m)  # input slacks
        self.sy = _idx(n + m, s)  # desirable-output slacks
        self.sb = _idx(n + m + s, k)  # undesirable-output slacks
        self.ncol_slack = n + m + s + k
        # rows: 0 = normalisation, then inputs, desirable outputs, undesirable outputs
        self.rx = _idx(1, m)
        self.ry = _idx(1 + m, s)
        self.rb = _idx(1 + m + s, k)
        self.nrow_core = 1 + m + s + k


class Radial:
    """Radial (Farrell) model of Charnes-Cooper-Rhodes (1978) / Banker-Charnes-Cooper (1984).

    Input orientation: ``theta = min theta s.t. X'lam <= theta x_o, Y'lam >= y_o``;
    output orientation: ``phi = max phi s.t. X'lam <= x_o, Y'lam >= phi y_o`` and the
    score is the Shephard distance ``1/phi`` (DEAP 2.1).  VRS adds ``sum lam = 1``.
    ``theta``/``phi`` are free, so units outside the technology get scores above one.
    """

    def __init__(self, Xr, Yr, Br, *, vrs: bool, orientation: str) -> None:
        n, m = Xr.shape
        s = Yr.shape[1]
        self.m, self.s, self.n = m, s, n
        self.input = orientation == "input"
        nrow = m + s + int(vrs)
        A = np.zeros((nrow, n + 1))
        A[:m, :n] = Xr.T
        A[m : m + s, :n] = Yr.T
        if vrs:
            A[-1, :n] = 1.0
        row_lo = np.r_[np.full(m, -_INF), np.zeros(s), np.ones(int(vrs))]
        row_up = np.r_[np.zeros(m), np.full(s, _INF), np.ones(int(vrs))]
        cost = np.r_[np.zeros(n), 1.0 if self.input else -1.0]
        col_lo = np.r_[np.zeros(n), -_INF]
        col_up = np.full(n + 1, _INF)
        self.prog = _Program(cost, col_lo, col_up, A, row_lo, row_up)
        self.rows_x = _idx(0, m)
        self.rows_y = _idx(m, s)
        self.lam_rows = _idx(0, nrow)
        self.col_eff = np.full(max(m, s), n, dtype=np.int32)
        self.inf_x, self.inf_y = np.full(m, -_INF), np.full(s, _INF)

    def evaluate(self, x, y, b, d) -> float:
        p = self.prog
        if self.input:
            p.set_coefs(self.rows_x, self.col_eff[: self.m], -x)
            p.set_row_bounds(self.rows_y, y, self.inf_y)
            return p.solve()
        p.set_row_bounds(self.rows_x, self.inf_x, x)
        p.set_coefs(self.rows_y, self.col_eff[: self.s], -y)
        phi = -p.solve()
        return 1.0 / phi if phi > 0 else float("nan")


class SBM:
    """Slacks-based measure (Tone 2001) with undesirable outputs (Tone 2003, 2004).

    ``rho = min (1 - 1/m sum s-_i/x_io) / (1 + 1/(s+k) (sum s+_r/y_ro + sum sb_l/b_lo))``
    subject to ``x_o = X'lam + s-``, ``y_o = Y'lam - s+``, ``b_o = B'lam + sb`` (bads strongly
    disposable and separable, as in deaR and MaxDEA), all variables non-negative and, under
    VRS, ``sum lam = 1``.  The input (output) orientation keeps only the numerator
    (denominator); the output-oriented score is ``1 / (1 + ...)``.
    """

    def __init__(self, Xr, Yr, Br, *, vrs: bool, orientation: str) -> None:
        n, m = Xr.shape
        s, k = Yr.shape[1], Br.shape[1]
        L = _Layout(n, m, s, k)
        self.L = L
        self.t = L.ncol_slack
        self.w_in = 0.0 if orientation == "output" else 1.0 / m
        self.w_out = 0.0 if orientation == "input" else 1.0 / (s + k)
        ncol = self.t + 1
        nrow = L.nrow_core + int(vrs)
        A = np.zeros((nrow, ncol))
        A[0, self.t] = 1.0
        A[L.rx, :n] = Xr.T
        A[L.rx, L.sx] = 1.0
        A[L.ry, :n] = Yr.T
        A[L.ry, L.sy] = -1.0
        A[L.rb, :n] = Br.T
        A[L.rb, L.sb] = 1.0
        if vrs:
            A[-1, :n] = 1.0
            A[-1, self.t] = -1.0
        rhs = np.zeros(nrow)
        rhs[0] = 1.0
        cost = np.zeros(ncol)
        cost[self.t] = 1.0
        self.prog = _Program(cost, np.zeros(ncol), np.full(ncol, _INF), A, rhs, rhs)
        self.rows_t = np.r_[L.rx, L.ry, L.rb]
        self.lam_rows = np.r_[L.rx, L.ry, L.rb, _idx(L.nrow_core, int(vrs))]
        self.col_t = np.full(m + s + k, self.t, dtype=np.int32)
        self.rows_norm = np.zeros(s + k, dtype=np.int32)
        self.cols_norm = np.r_[L.sy, L.sb]

    def evaluate(self, x, y, b, d) -> float:
        p = self.prog
        p.set_costs(self.L.sx, -self.w_in / x)
        p.set_coefs(self.rows_norm, self.cols_norm, self.w_out / np.concatenate((y, b)))
        p.set_coefs(self.rows_t, self.col_t, -np.concatenate((x, y, b)))
        return p.solve()


class SuperSBM:
    """Super-efficiency SBM (Tone 2002) with undesirable outputs (Tone 2004 form).

    For a unit excluded from the reference set:
    ``delta = min (1 + 1/m sum s-_i/x_io) / (1 - 1/(s+k) (sum s+_r/y_ro + sum sb_l/b_lo))``
    s.t. ``X'lam <= x_o + s-``, ``Y'lam >= y_o - s+``, ``B'lam <= b_o + sb``, ``y_o - s+ >= 0``.
    Input orientation fixes ``s+ = sb = 0``, output orientation fixes ``s- = 0``.  The
    non-oriented model is always feasible; oriented VRS models may be infeasible (NaN).
    """

    def __init__(self, Xr, Yr, Br, *, vrs: bool, orientation: str) -> None:
        n, m = Xr.shape
        s, k = Yr.shape[1], Br.shape[1]
        L = _Layout(n, m, s, k)
        self.L = L
        self.t = L.ncol_slack
        self.w_in = 0.0 if orientation == "output" else 1.0 / m
        self.w_out = 0.0 if orientation == "input" else 1.0 / (s + k)
        ncol = self.t + 1
        ry_nonneg = _idx(L.nrow_core, s)
        nrow = L.nrow_core + s + int(vrs)
        A = np.zeros((nrow, ncol))
        A[0, self.t] = 1.0
        A[L.rx, :n] = Xr.T
        A[L.rx, L.sx] = -1.0
        A[L.ry, :n] = Yr.T
        A[L.ry, L.sy] = 1.0
        A[L.rb, :n] = Br.T
        A[L.rb, L.sb] = -1.0
        A[ry_nonneg, L.sy] = 1.0
        row_lo = np.r_[1.0, np.full(m, -_INF), np.zeros(s), np.full(k, -_INF), np.full(s, -_INF)]
        row_up = np.r_[1.0, np.zeros(m), np.full(s, _INF), np.zeros(k), np.zeros(s)]
        if vrs:
            A[-1, :n] = 1.0
            A[-1, self.t] = -1.0
            row_lo, row_up = np.r_[row_lo, 0.0], np.r_[row_up, 0.0]
        col_up = np.full(ncol, _INF)
        if orientation == "input":
            col_up[np.r_[L.sy, L.sb]] = 0.0
        elif orientation == "output":
            col_up[L.sx] = 0.0
        cost = np.zeros(ncol)
        cost[self.t] = 1.0
        self.prog = _Program(cost, np.zeros(ncol), col_up, A, row_lo, row_up)
        self.rows_t = np.r_[L.rx, L.ry, L.rb, ry_nonneg]
        self.lam_rows = np.r_[L.rx, L.ry, L.rb, _idx(nrow - 1, int(vrs))]
        self.col_t = np.full(len(self.rows_t), self.t, dtype=np.int32)
        self.rows_norm = np.zeros(s + k, dtype=np.int32)
        self.cols_norm = np.r_[L.sy, L.sb]

    def evaluate(self, x, y, b, d) -> float:
        p = self.prog
        p.set_costs(self.L.sx, self.w_in / x)
        p.set_coefs(self.rows_norm, self.cols_norm, -self.w_out / np.concatenate((y, b)))
        p.set_coefs(self.rows_t, self.col_t, -np.concatenate((x, y, b, y)))
        return p.solve()


class EBM:
    """Epsilon-based measure (Tone & Tsutsui 2010), non-oriented, with undesirable outputs.

    ``gamma = min (theta - eps_x sum w-_i s-_i/x_io) /
    (phi + eps_y (sum w+_r s+_r/y_ro + sum wb_l sb_l/b_lo))``
    s.t. ``theta x_o = X'lam + s-``, ``phi y_o = Y'lam - s+``, ``phi b_o = B'lam + sb``,
    ``lam, s >= 0``, ``theta, phi`` free (not bounded by one).  Input orientation fixes
    ``phi = 1`` and drops the output terms (the paper's EBM-I, eqs. 6-8); output orientation
    fixes ``theta = 1`` and the score is ``1 / (phi + ...)``.  Desirable and undesirable
    outputs share one ``eps_y`` and one weight vector (``w_y`` has ``s + k`` entries).

    Because ``theta`` (and ``phi``) are free, the measure can trade its radial part against
    slacks: with a large epsilon a unit that is Pareto- and CCR-efficient can score below one
    (see ``test_ebm_can_rate_a_pareto_efficient_unit_below_one``), and no unit need score one.
    EBM-I never exceeds the CCR input score, since the radial solution is feasible.

    Super-efficiency (``sup``; the unit is excluded from the reference set), in the form of
    Tone's (2002) super-SBM: the target ``(theta x_o + s-, phi y_o - s+, phi b_o + sb)`` must
    be reachable, ``X'lam <= theta x_o + s-``, ``Y'lam >= phi y_o - s+ >= 0``,
    ``B'lam <= phi b_o + sb``, with ``theta >= 1 >= phi`` and
    ``delta = (theta + eps_x sum w- s-/x_o) / (phi - eps_y (sum w+ s+/y_o + sum wb sb/b_o))``
    (>= 1).  Slacks with zero weight are fixed at zero, so an output block with
    ``eps_y = 0`` stays radial.  Without bad-output slacks (``eps_y * w_b = 0``) the unit
    with the lowest bad-to-good ratio has no feasible target (NaN).
    """

    def __init__(
        self, Xr, Yr, Br, *, vrs: bool, orientation: str, params, sup: bool = False
    ) -> None:
        n, m = Xr.shape
        s, k = Yr.shape[1], Br.shape[1]
        L = _Layout(n, m, s, k)
        self.L, self.s, self.sup = L, s, sup
        sign = -1.0 if sup else 1.0
        self.theta, self.phi, self.t = L.ncol_slack, L.ncol_slack + 1, L.ncol_slack + 2
        ncol = self.t + 1
        w_in = np.zeros(m) if orientation == "output" else params.eps_x * params.w_x
        w_out = np.zeros(s + k) if orientation == "input" else params.eps_y * params.w_y
        self.c_in, self.c_out = -sign * w_in, sign * w_out
        # rows: core, VRS (sum lam = t), link (theta vs t); super: phi <= t, phi y_o - s+ >= 0
        n_extra = 1 + s if sup else 0
        nrow = L.nrow_core + 2 + n_extra
        A = np.zeros((nrow, ncol))
        A[0, self.phi] = 1.0
        A[L.rx, :n] = Xr.T
        A[L.rx, L.sx] = sign
        A[L.ry, :n] = Yr.T
        A[L.ry, L.sy] = -sign
        A[L.rb, :n] = Br.T
        A[L.rb, L.sb] = sign
        r_vrs, r_link = L.nrow_core, L.nrow_core + 1
        A[r_vrs, :n] = 1.0
        A[r_vrs, self.t] = -1.0
        A[r_link, self.theta] = 1.0
        A[r_link, self.t] = -1.0
        free = (-_INF, _INF)
        vrs_bounds = (0.0, 0.0) if vrs else free
        if orientation == "output":
            link_bounds = (0.0, 0.0)
        else:
            link_bounds = (0.0, _INF) if sup else free
        if sup:
            core_lo = np.r_[np.full(m, -_INF), np.zeros(s), np.full(k, -_INF)]
            core_up = np.r_[np.zeros(m), np.full(s, _INF), np.zeros(k)]
            A[r_link + 1, self.phi] = 1.0
            A[r_link + 1, self.t] = -1.0
            self.rows_ybar = _idx(r_link + 2, s)
            A[self.rows_ybar, L.sy] = 1.0
            extra_lo, extra_up = np.full(n_extra, -_INF), np.zeros(n_extra)
        else:
            core_lo = core_up = np.zeros(m + s + k)
            extra_lo = extra_up = np.zeros(0)
        row_lo = np.r_[1.0, core_lo, vrs_bounds[0], link_bounds[0], extra_lo]
        row_up = np.r_[1.0, core_up, vrs_bounds[1], link_bounds[1], extra_up]
        col_lo = np.zeros(ncol)
        col_up = np.full(ncol, _INF)
        if orientation == "input":
            col_lo[[self.phi, self.t]] = 1.0
            col_up[[self.phi, self.t]] = 1.0
        if sup:  # a free worsening slack would make its constraint vacuous
            col_up[L.sx[w_in == 0]] = 0.0
            col_up[np.r_[L.sy, L.sb][w_out == 0]] = 0.0
        cost = np.zeros(ncol)
        cost[self.theta] = 1.0
        self.prog = _Program(cost, col_lo, col_up, A, row_lo, row_up)
        self.rows_x = L.rx
        self.lam_rows = np.r_[L.rx, L.ry, L.rb, _idx(r_vrs, int(vrs))]
        self.rows_yb = np.r_[L.ry, L.rb]
        self.col_theta = np.full(m, self.theta, dtype=np.int32)
        self.col_phi = np.full(s + k, self.phi, dtype=np.int32)
        self.rows_norm = np.zeros(s + k, dtype=np.int32)
        self.cols_norm = np.r_[L.sy, L.sb]

    def evaluate(self, x, y, b, d) -> float:
        p = self.prog
        yb = np.concatenate((y, b))
        p.set_costs(self.L.sx, self.c_in / x)
        p.set_coefs(self.rows_norm, self.cols_norm, self.c_out / yb)
        p.set_coefs(self.rows_x, self.col_theta, -x)
        p.set_coefs(self.rows_yb, self.col_phi, -yb)
        if self.sup:
            p.set_coefs(self.rows_ybar, self.col_phi[: self.s], -y)
        return p.solve()


class _Directional:
    """Shared solve of the directional programs: the observation enters the row bounds
    (inputs as upper bounds, desirable outputs as lower bounds, bads as equalities) and the
    direction enters as the coefficients of the beta column(s)."""

    def evaluate(self, x, y, b, d) -> float:
        p = self.prog
        m, s = self.m, self.s
        lower = np.concatenate((x, y, b))
        upper = lower.copy()
        lower[:m] = -_INF
        upper[m : m + s] = _INF
        p.set_row_bounds(self.rows, lower, upper)
        p.set_coefs(self.rows, self.beta_cols, -d)
        return -p.solve()


class DDF(_Directional):
    """Directional distance function with weakly disposable bads (Chung, Fare & Grosskopf 1997).

    ``beta = max beta s.t. X'lam <= x_o + beta g_x, Y'lam >= y_o + beta g_y,
    B'lam = b_o + beta g_b`` (``g`` signed: negative entries contract inputs or bads),
    ``lam >= 0`` and, under VRS, ``sum lam = 1``.  ``beta`` is free so that units outside
    the technology get negative distances (needed for mixed-period distances).
    """

    def __init__(self, Xr, Yr, Br, *, vrs: bool, orientation: str) -> None:
        n, m = Xr.shape
        s, k = Yr.shape[1], Br.shape[1]
        self.m, self.s, self.k = m, s, k
        nrow = m + s + k + int(vrs)
        A = np.zeros((nrow, n + 1))
        A[:m, :n] = Xr.T
        A[m : m + s, :n] = Yr.T
        A[m + s : m + s + k, :n] = Br.T
        if vrs:
            A[-1, :n] = 1.0
        row_lo = np.r_[np.full(m, -_INF), np.zeros(s + k), np.ones(int(vrs))]
        row_up = np.r_[np.zeros(m), np.full(s, _INF), np.zeros(k), np.ones(int(vrs))]
        cost = np.r_[np.zeros(n), -1.0]
        self.prog = _Program(
            cost, np.r_[np.zeros(n), -_INF], np.full(n + 1, _INF), A, row_lo, row_up
        )
        self.rows = _idx(0, m + s + k)
        self.beta_cols = np.full(m + s + k, n, dtype=np.int32)
        self.lam_rows = _idx(0, nrow)


class NDDF(_Directional):
    """Non-radial directional distance function (Zhou, Ang & Wang 2012; Stata gtfpch ``nonr``).

    ``D = max sum_j w_j beta_j s.t. X'lam <= x_o + beta_x * g_x, Y'lam >= y_o + beta_y * g_y,
    B'lam = b_o + beta_b * g_b`` (element-wise), ``beta >= 0``, ``lam >= 0`` and, under VRS,
    ``sum lam = 1``.  ``weights`` has one entry per input, desirable and undesirable output.
    """

    def __init__(self, Xr, Yr, Br, *, vrs: bool, orientation: str, weights) -> None:
        n, m = Xr.shape
        s, k = Yr.shape[1], Br.shape[1]
        q = m + s + k
        self.m, self.s = m, s
        nrow = q + int(vrs)
        A = np.zeros((nrow, n + q))
        A[:m, :n] = Xr.T
        A[m : m + s, :n] = Yr.T
        A[m + s : q, :n] = Br.T
        if vrs:
            A[-1, :n] = 1.0
        row_lo = np.r_[np.full(m, -_INF), np.zeros(s + k), np.ones(int(vrs))]
        row_up = np.r_[np.zeros(m), np.full(s, _INF), np.zeros(k), np.ones(int(vrs))]
        cost = np.r_[np.zeros(n), -np.asarray(weights, dtype=float)]
        self.prog = _Program(cost, np.zeros(n + q), np.full(n + q, _INF), A, row_lo, row_up)
        self.rows = _idx(0, q)
        self.beta_cols = _idx(n, q)
        self.lam_rows = _idx(0, nrow)


class Additive:
    """Weighted additive model (Tone & Tsutsui 2010, eq. 19), VRS, used to project units.

    ``max sum s-_i/x_io + sum s+_r/y_ro + sum sb_l/b_lo`` s.t. ``x_o = X'lam + s-``,
    ``y_o = Y'lam - s+``, ``b_o = B'lam + sb``, ``sum lam = 1``, all variables >= 0.
    :meth:`project` returns the frontier point ``(x_o - s-, y_o + s+, b_o - sb)``.
    """

    def __init__(self, Xr, Yr, Br) -> None:
        n, m = Xr.shape
        s, k = Yr.shape[1], Br.shape[1]
        L = _Layout(n, m, s, k)
        self.L = L
        ncol = L.ncol_slack
        A = np.zeros((m + s + k + 1, ncol))
        A[:m, :n] = Xr.T
        A[:m, L.sx] = np.eye(m)
        A[m : m + s, :n] = Yr.T
        A[m : m + s, L.sy] = -np.eye(s)
        A[m + s : m + s + k, :n] = Br.T
        A[m + s : m + s + k, L.sb] = np.eye(k)
        A[-1, :n] = 1.0
        rhs = np.r_[np.zeros(m + s + k), 1.0]
        self.prog = _Program(np.zeros(ncol), np.zeros(ncol), np.full(ncol, _INF), A, rhs, rhs)
        self.rows = _idx(0, m + s + k)
        self.cols_slack = _idx(n, m + s + k)

    def project(self, x, y, b) -> np.ndarray:
        p = self.prog
        z = np.concatenate((x, y, b))
        p.set_row_bounds(self.rows, z, z)
        p.set_costs(self.cols_slack, -1.0 / z)
        if np.isnan(p.solve()):
            return np.full(len(z), np.nan)
        slack = p.primal()[self.cols_slack]
        m, s = self.L.m, self.L.s
        return z + np.concatenate((-slack[:m], slack[m : m + s], -slack[m + s :]))
