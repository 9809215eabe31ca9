"""Sensitivity of event-study estimates to violations of parallel trends (Rambachan and Roth 2023).

Inputs are event-study coefficients ``betahat`` (``num_pre`` pre-period
coefficients, then the post-period ones; the reference period is excluded) and
their covariance ``sigma``; the target is ``theta = l' tau_post`` (default: the
average post-period effect, ``l = 1/T``; the R package's default is the first
post period, ``l = e_1``).  Conventions of the R package ``HonestDiD`` 0.2.x.

Smoothness, ``Delta^SD(M)`` (:func:`smoothness_flci`)
    Second differences of the trend violation ``delta`` are at most ``M`` in
    absolute value (``M = 0``: a linear pre-trend extrapolated exactly).  The
    interval is the optimal fixed-length confidence interval (FLCI, R's default
    for ``Delta^SD``; Armstrong and Kolesar 2018): among affine estimators
    ``l_pre' b_pre + l' b_post`` with pre-period weights ``l_pre = D w`` (``D`` first
    differences) and ``sum w = sum_s s l_s``, it minimises the half-length
    ``cv_alpha(M bias(w) / sd(w)) sd(w)``, where ``bias(w) = sum_s |sum_{r<=s} r l_{T-s+r}|
    - sum_s s l_s + sum_j |cumsum(w)_j|`` is the worst-case bias over ``Delta^SD(1)`` and
    ``cv_alpha(t)`` the ``1 - alpha`` quantile of ``|N(t, 1)|``.  The bias for a given
    sd bound ``h`` is minimised by SLSQP (R uses CVXR/ECOS), the half-length over
    ``h`` in ``[h_min, h_0]`` by a bounded scalar search (it is convex in ``h``).
    ``cv_alpha`` is computed exactly (R simulates it with 10^6 normal draws, an error
    of about 1e-3 in the half-length).

Relative magnitudes, ``Delta^RM(Mbar)`` (:func:`relative_magnitudes_ci`)
    Every post-period first difference of ``delta`` is at most ``Mbar`` times the
    largest pre-period first difference (the reference period counts as 0).
    ``Delta^RM`` is a union of polyhedra (one per pre-period difference and sign);
    the robust set is the union of the conditional-least-favourable hybrid
    (C-LF, R's default: Andrews, Roth and Pakes 2023 with a first-stage
    least-favourable test of size ``kappa = alpha/10``) confidence sets of the
    polyhedra, each found by test inversion over ``theta``, and reported, as R does,
    by its smallest and largest accepted value.  Only the moments that involve
    post-period coefficients are used (R's ``postPeriodMomentsOnly``).  The linear
    programme ``eta = min_d max_j (y_j - X_j d)/sigma_j`` is solved through its dual,
    ``eta = max_v gamma_v'y`` over the vertices ``gamma_v`` of ``{gamma >= 0,
    gamma'[sigma, X] = e_1}``, which are enumerated once per polyhedron; the same
    vertices give the conditioning interval ``[v_lo, v_up]`` of the ARP test, the
    least-favourable critical value (``1 - kappa`` quantile of ``eta`` over ``sims``
    normal draws, seeded) and the test at every ``theta`` at the cost of a matrix
    product.  The accepted region is found on a grid of ``grid_points`` values and
    its ends are polished by bisection (R reports grid points only).

Breakdown values (:func:`breakdown_value`)
    The largest ``M`` (or ``Mbar``) at which the robust set still excludes zero, by
    bisection (``nan`` when the set at ``M = 0`` already contains zero).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import linalg, optimize

from helpers.errors import InputError, check_choice
from helpers.inference import normal_cdf, normal_ppf
from helpers.memo import memoize

METHODS = ("relative_magnitudes", "smoothness")
_MAX_BASES = 400_000


# --------------------------------------------------------------------------- inputs
def _check_inputs(betahat, sigma, num_pre, l_vec):
    b = np.asarray(betahat, dtype=float).ravel()
    s = np.asarray(sigma, dtype=float)
    if s.shape != (b.size, b.size):
        raise InputError(
            f"sigma must be {b.size} x {b.size} to match betahat, got {s.shape}", parameter="sigma"
        )
    if not np.all(np.isfinite(b)) or not np.all(np.isfinite(s)):
        raise InputError("betahat and sigma must be finite", parameter="betahat")
    if not 1 <= num_pre < b.size:
        raise InputError(
            f"must be between 1 and {b.size - 1} (the length of betahat minus one)",
            parameter="num_pre",
        )
    num_post = b.size - num_pre
    lv = np.full(num_post, 1 / num_post) if l_vec is None else np.asarray(l_vec, float).ravel()
    if lv.size != num_post:
        raise InputError(f"must have {num_post} entries (the post periods)", parameter="l_vec")
    if np.linalg.eigvalsh((s + s.T) / 2).min() < -1e-10 * np.abs(s).max():
        raise InputError("sigma must be positive semi-definite", parameter="sigma")
    return b, (s + s.T) / 2, num_post, lv


def original_ci(
    betahat: Sequence[float],
    sigma: np.ndarray,
    num_pre: int,
    l_vec: Sequence[float] | None = None,
    alpha: float = 0.05,
) -> tuple[float, float]:
    """Conventional interval ``l'b_post +- z sd`` (R ``constructOriginalCS``)."""
    b, s, _, lv = _check_inputs(betahat, sigma, num_pre, l_vec)
    est = float(lv @ b[num_pre:])
    sd = float(np.sqrt(lv @ s[num_pre:, num_pre:] @ lv))
    z = normal_ppf(1 - alpha / 2)
    return est - z * sd, est + z * sd


# --------------------------------------------------------------------------- smoothness FLCI
def folded_normal_quantile(p: float, mu: float) -> float:
    """``p`` quantile of ``|N(mu, 1)|``: the ``c`` with ``Phi(c - mu) - Phi(-c - mu) = p``."""
    mu = abs(mu)
    f = lambda c: normal_cdf(c - mu) - normal_cdf(-c - mu) - p  # noqa: E731
    return float(optimize.brentq(f, 0.0, mu + 10.0, xtol=1e-14))


@dataclass(frozen=True)
class _FLCIProblem:
    a_quad: np.ndarray  # variance = w'Aw + a'w + c0
    a_lin: np.ndarray
    c0: float
    target: float  # sum of w
    constant: float  # bias constant
    num_pre: int

    def variance(self, w: np.ndarray) -> float:
        return float(w @ self.a_quad @ w + self.a_lin @ w + self.c0)

    def min_bias(self, h: float, start: np.ndarray) -> tuple[float, np.ndarray]:
        """Smallest worst-case bias over Delta^SD(1) with sd <= h; variables (U, w)."""
        k = self.num_pre
        lower = np.tril(np.ones((k, k)))

        def obj(x):
            return self.constant + x[:k].sum()

        cons = [
            {
                "type": "ineq",
                "fun": lambda x: x[:k] - lower @ x[k:],
                "jac": lambda x: np.hstack([np.eye(k), -lower]),
            },
            {
                "type": "ineq",
                "fun": lambda x: x[:k] + lower @ x[k:],
                "jac": lambda x: np.hstack([np.eye(k), lower]),
            },
            {
                "type": "eq",
                "fun": lambda x: np.array([x[k:].sum() - self.target]),
                "jac": lambda x: np.concatenate([np.zeros(k), np.ones(k)])[None, :],
            },
            {
                "type": "ineq",
                "fun": lambda x: np.array([(h**2 - self.variance(x[k:])) / h**2]),
                "jac": lambda x: np.concatenate(
                    [np.zeros(k), -(2 * self.a_quad @ x[k:] + self.a_lin) / h**2]
                )[None, :],
            },
        ]
        x0 = np.concatenate([np.abs(lower @ start) + 1e-9, start])
        res = optimize.minimize(
            obj,
            x0,
            jac=lambda x: np.concatenate([np.ones(k), np.zeros(k)]),
            constraints=cons,
            method="SLSQP",
            options={"ftol": 1e-13, "maxiter": 1000},
        )
        w = res.x[k:]
        return float(self.constant + np.abs(lower @ w).sum()), w


def _flci_problem(s: np.ndarray, num_pre: int, lv: np.ndarray) -> _FLCIProblem:
    num_post = lv.size
    d = np.eye(num_pre) - np.eye(num_pre, k=-1)
    s_pre, s_prepost = s[:num_pre, :num_pre], s[:num_pre, num_pre:]
    steps = np.arange(1, num_post + 1)
    constant = sum(abs(steps[:j] @ lv[num_post - j :]) for j in range(1, num_post + 1))
    return _FLCIProblem(
        a_quad=d.T @ s_pre @ d,
        a_lin=2 * d.T @ s_prepost @ lv,
        c0=float(lv @ s[num_pre:, num_pre:] @ lv),
        target=float(steps @ lv),
        constant=float(constant - steps @ lv),
        num_pre=num_pre,
    )


@dataclass(frozen=True)
class FLCI:
    """Optimal FLCI under ``Delta^SD(M)``: interval, estimator weights and half-length."""

    low: float
    high: float
    estimate: float
    half_length: float
    weights: np.ndarray  # full vector (pre weights, l)
    m: float


def smoothness_flci(
    betahat: Sequence[float],
    sigma: np.ndarray,
    num_pre: int,
    m: float,
    l_vec: Sequence[float] | None = None,
    alpha: float = 0.05,
) -> FLCI:
    """Optimal FLCI for ``theta = l' tau_post`` under ``Delta^SD(m)`` (module docstring)."""
    b, s, _, lv = _check_inputs(betahat, sigma, num_pre, l_vec)
    if m < 0:
        raise InputError("must be non-negative", parameter="m")
    prob = _flci_problem(s, num_pre, lv)
    w0 = np.zeros(num_pre)
    w0[-1] = prob.target
    h0 = np.sqrt(prob.variance(w0))
    # minimum-variance weights: KKT of min w'Aw + a'w s.t. sum w = target
    kkt = np.block([[2 * prob.a_quad, np.ones((num_pre, 1))], [np.ones((1, num_pre)), 0.0]])
    w_min = np.linalg.lstsq(kkt, np.concatenate([-prob.a_lin, [prob.target]]), rcond=None)[0][:-1]
    h_min = np.sqrt(max(prob.variance(w_min), 1e-300))
    if m == 0 or h0 <= h_min * (1 + 1e-9):
        # with M = 0 the bias vanishes for every feasible w: the shortest interval is the
        # minimum-variance estimator; with h0 = h_min the problem has one point
        w_star, h_star = (w_min, h_min) if m == 0 else (w0, h0)
        bias = 0.0 if m == 0 else prob.min_bias(h0 * (1 + 1e-12), w0)[0]
    else:

        def half(h):
            bias_h, _ = prob.min_bias(h, w_min if h < (h_min + h0) / 2 else w0)
            return folded_normal_quantile(1 - alpha, m * bias_h / h) * h

        res = optimize.minimize_scalar(
            half, bounds=(h_min * (1 + 1e-9), h0), method="bounded", options={"xatol": 1e-10 * h0}
        )
        h_star = res.x
        # the end points are candidates too (the optimum can sit on the boundary)
        candidates = [(half(h), h) for h in (h_min * (1 + 1e-9), h0)] + [(res.fun, h_star)]
        _, h_star = min(candidates)
        bias, w_star = prob.min_bias(h_star, w_min if h_star < (h_min + h0) / 2 else w0)
        h_star = np.sqrt(prob.variance(w_star))
    half_length = folded_normal_quantile(1 - alpha, m * bias / h_star) * h_star
    l_pre = np.eye(num_pre) @ w_star - np.concatenate([[0.0], w_star[:-1]])
    weights = np.concatenate([l_pre, lv])
    est = float(weights @ b)
    return FLCI(est - half_length, est + half_length, est, float(half_length), weights, float(m))


# --------------------------------------------------------------------------- relative magnitudes
def _rm_constraints(num_pre: int, num_post: int, mbar: float, s: int, positive: bool) -> np.ndarray:
    """R's ``.create_A_RM``: rows ``A delta <= 0`` for one pre-period difference ``s`` and sign."""
    n = num_pre + num_post
    atilde = np.zeros((n, n + 1))
    for r in range(n):
        atilde[r, r : r + 2] = (-1.0, 1.0)
    v = np.zeros(n + 1)
    v[num_pre + s - 1 : num_pre + s + 1] = (-1.0, 1.0)
    if not positive:
        v = -v
    a_ub = np.vstack([np.tile(v, (num_pre, 1)), np.tile(mbar * v, (num_post, 1))])
    a = np.vstack([atilde - a_ub, -atilde - a_ub])
    a = a[np.einsum("ij,ij->i", a, a) > 1e-10]
    return np.delete(a, num_pre, axis=1)


def identified_set_rm(
    betahat: Sequence[float], num_pre: int, mbar: float, l_vec: Sequence[float] | None = None
) -> tuple[float, float]:
    """Identified set of ``theta`` under ``Delta^RM(mbar)`` with the pre-trends at ``betahat``."""
    b = np.asarray(betahat, dtype=float).ravel()
    num_post = b.size - num_pre
    lv = np.full(num_post, 1 / num_post) if l_vec is None else np.asarray(l_vec, float).ravel()
    f = np.concatenate([np.zeros(num_pre), lv])
    eq = np.hstack([np.eye(num_pre), np.zeros((num_pre, num_post))])
    lows, highs = [], []
    theta_hat = float(lv @ b[num_pre:])
    for s in range(-(num_pre - 1), 1):
        for positive in (True, False):
            a = _rm_constraints(num_pre, num_post, mbar, s, positive)
            kw = dict(A_ub=a, b_ub=np.zeros(len(a)), A_eq=eq, b_eq=b[:num_pre], bounds=(None, None))
            top = optimize.linprog(-f, method="highs", **kw)
            bottom = optimize.linprog(f, method="highs", **kw)
            if top.status == 0 and bottom.status == 0:
                lows.append(theta_hat + top.fun)
                highs.append(theta_hat - bottom.fun)
    if not lows:
        return theta_hat, theta_hat
    return float(min(lows)), float(max(highs))


def _vertices(sd: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Vertices of ``{g >= 0 : g'[sd, x] = e_1}`` (rows of the result)."""
    w = np.column_stack([sd, x])
    m, k1 = w.shape
    n_bases = int(np.prod([m - i for i in range(k1)]) / np.prod(range(1, k1 + 1)))
    if n_bases > _MAX_BASES:
        raise InputError(
            f"too many moment combinations ({n_bases}) for vertex enumeration",
            parameter="num_post",
            hint="use fewer post periods",
        )
    bases = np.array(list(combinations(range(m), k1)))
    mats = np.transpose(w[bases], (0, 2, 1))  # (nb, k1, k1): columns = chosen rows
    det = np.linalg.det(mats)
    ok = np.abs(det) > 1e-12 * np.abs(w).max() ** k1
    e1 = np.zeros(k1)
    e1[0] = 1.0
    sol = np.linalg.solve(mats[ok], np.broadcast_to(e1, (ok.sum(), k1))[..., None])[..., 0]
    feasible = np.all(sol >= -1e-10, axis=1)
    verts = np.zeros((feasible.sum(), m))
    rows = np.repeat(np.arange(feasible.sum()), k1)
    verts[rows, bases[ok][feasible].ravel()] = np.clip(sol[feasible], 0, None).ravel()
    return np.unique(np.round(verts, 12), axis=0)


@dataclass(frozen=True)
class _ARPPolyhedron:
    """C-LF test of ``theta`` for one polyhedron: everything the vertices give in closed form."""

    verts: np.ndarray  # (nv, m)
    y0: np.ndarray  # Y = A b - d on the ARP rows
    a1: np.ndarray  # column multiplying theta
    sigma_y: np.ndarray
    lf_cv: float
    mod_size: float

    def accept(self, theta: np.ndarray) -> np.ndarray:
        """True where the C-LF test does not reject ``theta`` (vectorised over ``theta``)."""
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        y = self.y0[None, :] - theta[:, None] * self.a1[None, :]  # (nt, m)
        vals = y @ self.verts.T  # (nt, nv): eta is the largest
        best = np.argmax(vals, axis=1)
        eta = vals[np.arange(len(theta)), best]
        accept = np.zeros(len(theta), dtype=bool)
        for star in np.unique(best[eta <= self.lf_cv]):
            rows = np.flatnonzero((best == star) & (eta <= self.lf_cv))
            accept[rows] = ~self._conditional_reject(y[rows], star, eta[rows])
        return accept

    def _conditional_reject(self, y: np.ndarray, star: int, eta: np.ndarray) -> np.ndarray:
        """ARP conditional test (LF hybrid) for the thetas whose optimal vertex is ``star``."""
        g = self.verts[star]
        var = float(g @ self.sigma_y @ g)
        if var <= np.finfo(float).eps:
            return eta > 0
        b = self.sigma_y @ g / var
        level = (y - eta[:, None] * b[None, :]) @ self.verts.T  # gamma_v's for each theta
        slope = 1 - self.verts @ b
        tol = 1e-9 * np.maximum(1.0, np.abs(eta))[:, None]
        same = (np.abs(slope)[None, :] <= 1e-10) & (np.abs(level) <= tol)
        pos = (slope > 1e-10)[None, :] & ~same
        neg = (slope < -1e-10)[None, :] & ~same
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = level / slope[None, :]
        v_lo = np.where(pos, ratio, -np.inf).max(axis=1)
        v_up = np.where(neg, ratio, np.inf).min(axis=1)
        sd = np.sqrt(var)
        z_lo, z_up, stat = v_lo / sd, np.minimum(v_up, self.lf_cv) / sd, eta / sd
        inside = (z_lo <= stat) & (stat <= z_up)
        reject = np.zeros(len(eta), dtype=bool)
        if inside.any():
            from scipy import stats  # scipy.stats costs 0.5 s to import: only when needed

            cval = stats.truncnorm.ppf(1 - self.mod_size, z_lo[inside], z_up[inside])
            reject[inside] = stat[inside] > np.maximum(0.0, cval)
        return reject


def _polyhedron(b, s, num_pre, lv, a, alpha, kappa, sims, rng) -> _ARPPolyhedron:
    num_post = lv.size
    post = a[:, num_pre:]
    rows = np.flatnonzero(np.any(post != 0, axis=1))
    a, post = a[rows], post[rows]
    null = linalg.null_space(lv[None, :])  # directions with l'tau = 0 (nuisance)
    a1 = post @ (lv / (lv @ lv))  # coefficient of theta: tau = theta l/|l|^2 + null d
    x = post @ null if num_post > 1 else np.zeros((len(rows), 0))
    if x.shape[1]:
        u, sv, _ = np.linalg.svd(x, full_matrices=False)
        x = u[:, sv > 1e-10 * sv.max()] * sv[sv > 1e-10 * sv.max()]
    sigma_y = a @ s @ a.T
    sd = np.sqrt(np.diag(sigma_y))
    verts = _vertices(sd, x)
    xi = rng.multivariate_normal(np.zeros(len(rows)), sigma_y, size=sims)
    lf_cv = float(np.quantile((xi @ verts.T).max(axis=1), 1 - kappa))
    return _ARPPolyhedron(
        verts=verts,
        y0=a @ b,
        a1=a1,
        sigma_y=sigma_y,
        lf_cv=lf_cv,
        mod_size=(alpha - kappa) / (1 - kappa),
    )


@dataclass(frozen=True)
class RobustCI:
    """Robust confidence set for ``theta`` under one restriction and one ``M``/``Mbar``."""

    low: float
    high: float
    m: float
    method: str
    restriction: str

    def excludes(self, value: float = 0.0) -> bool:
        return not self.low <= value <= self.high


class _RMSearch:
    """The C-LF test of every polyhedron of ``Delta^RM(mbar)``, inverted over ``theta``: the
    accepted points of the grid, and the ends of the robust set polished by bisection."""

    BISECTION_STEPS = 60

    @classmethod
    def of(cls, *args, **options) -> _RMSearch:
        """The search behind ``relative_magnitudes_ci(*args, **options)``, with its defaults
        (an argument it does not take is a ``TypeError``, as there)."""
        call = inspect.signature(relative_magnitudes_ci).bind(*args, **options)
        call.apply_defaults()
        return cls(**call.arguments)

    def __init__(self, betahat, sigma, num_pre, mbar, l_vec, alpha, grid_points, sims, seed):
        b, s, num_post, lv = _check_inputs(betahat, sigma, num_pre, l_vec)
        if mbar < 0:
            raise InputError("must be non-negative", parameter="mbar")
        kappa = alpha / 10
        # one generator per polyhedron, seeded alike (R calls set.seed(seed) before each LF draw)
        self.polys = [
            _polyhedron(
                b,
                s,
                num_pre,
                lv,
                _rm_constraints(num_pre, num_post, mbar, sh, pos),
                alpha,
                kappa,
                sims,
                np.random.default_rng(seed),
            )
            for sh in range(-(num_pre - 1), 1)
            for pos in (True, False)
        ]
        sd_theta = float(np.sqrt(lv @ s[num_pre:, num_pre:] @ lv))
        id_lo, id_hi = identified_set_rm(b, num_pre, mbar, lv)
        self.grid = np.linspace(id_lo - 20 * sd_theta, id_hi + 20 * sd_theta, grid_points)
        self.accepted = np.flatnonzero(np.any([p.accept(self.grid) for p in self.polys], axis=0))

    def _polish(self, inside: float, outside: float) -> float:
        """The last accepted point of a bisection from ``inside`` towards ``outside``; it stops
        once the midpoint is one of the two ends (adjacent floats), where every later step
        would test the same point again and change nothing. A point is accepted when some
        polyhedron accepts it: the polyhedra are tried from the one that accepted last
        (the next midpoints lie beside its point), and no further once one has."""
        order = list(self.polys)

        def accepts(theta: float) -> bool:
            point = np.array([theta])
            for k, poly in enumerate(order):
                if poly.accept(point)[0]:
                    order.insert(0, order.pop(k))
                    return True
            return False

        for _ in range(self.BISECTION_STEPS):
            mid = (inside + outside) / 2
            if mid == inside:
                break
            if mid == outside:
                return mid if accepts(mid) else inside
            if accepts(mid):
                inside = mid
            else:
                outside = mid
        return inside

    def low(self) -> float:
        first = self.accepted[0]
        return -np.inf if first == 0 else self._polish(self.grid[first], self.grid[first - 1])

    def high(self) -> float:
        last, grid = self.accepted[-1], self.grid
        return np.inf if last == len(grid) - 1 else self._polish(grid[last], grid[last + 1])

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies between :meth:`low` and :meth:`high`, polishing an end only
        when ``value`` falls in the grid step that holds it: each end lies between its
        last accepted grid point and the next one, so elsewhere the grid decides."""
        if not len(self.accepted):
            return False  # an empty set (reported as NaN ends) contains nothing
        grid, first, last = self.grid, self.accepted[0], self.accepted[-1]
        if first > 0 and value < grid[first]:
            if value < grid[first - 1] or value < self.low():
                return False
        if last < len(grid) - 1 and value > grid[last]:
            if value > grid[last + 1] or value > self.high():
                return False
        return True


@memoize()
def relative_magnitudes_ci(
    betahat: Sequence[float],
    sigma: np.ndarray,
    num_pre: int,
    mbar: float,
    l_vec: Sequence[float] | None = None,
    alpha: float = 0.05,
    *,
    grid_points: int = 1000,
    sims: int = 1000,
    seed: int = 0,
) -> RobustCI:
    """C-LF robust confidence set for ``theta`` under ``Delta^RM(mbar)`` (module docstring)."""
    search = _RMSearch(betahat, sigma, num_pre, mbar, l_vec, alpha, grid_points, sims, seed)
    if not len(search.accepted):
        return RobustCI(np.nan, np.nan, float(mbar), "C-LF", "relative_magnitudes")
    return RobustCI(
        float(search.low()), float(search.high()), float(mbar), "C-LF", "relative_magnitudes"
    )


def _robust_set_excludes(betahat, sigma, num_pre, m, *, method, l_vec, alpha, **options) -> bool:
    """``robust_ci(...).excludes(0.0)``; under relative magnitudes without polishing an end
    of the set that cannot change the answer (:meth:`_RMSearch.contains`)."""
    if method == "relative_magnitudes":
        return not _RMSearch.of(betahat, sigma, num_pre, m, l_vec, alpha, **options).contains(0.0)
    ci = robust_ci(betahat, sigma, num_pre, m, method=method, l_vec=l_vec, alpha=alpha, **options)
    return ci.excludes(0.0)


# --------------------------------------------------------------------------- sensitivity
def robust_ci(
    betahat: Sequence[float],
    sigma: np.ndarray,
    num_pre: int,
    m: float,
    *,
    method: str = "relative_magnitudes",
    l_vec: Sequence[float] | None = None,
    alpha: float = 0.05,
    **options,
) -> RobustCI:
    """Robust set under ``Delta^RM(m)`` (C-LF) or ``Delta^SD(m)`` (FLCI)."""
    check_choice("method", method, METHODS)
    if method == "relative_magnitudes":
        return relative_magnitudes_ci(betahat, sigma, num_pre, m, l_vec, alpha, **options)
    f = smoothness_flci(betahat, sigma, num_pre, m, l_vec, alpha)
    return RobustCI(f.low, f.high, float(m), "FLCI", "smoothness")


@dataclass(frozen=True)
class SensitivityResult:
    """Robust sets over a grid of ``M`` values, the original interval and the breakdown value."""

    table: pd.DataFrame  # columns m, low, high, excludes_zero
    original: tuple[float, float]
    breakdown: float
    method: str
    alpha: float

    def plot(self, ax=None, *, label: str | None = None):
        """Robust intervals against ``M`` with the original interval at the left."""
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4)) if ax is None else (ax.figure, ax)
        t = self.table
        step = float(np.diff(t.m).min()) if len(t) > 1 else 1.0
        ax.errorbar(
            [t.m.min() - step],
            [np.mean(self.original)],
            yerr=[
                [np.mean(self.original) - self.original[0]],
                [self.original[1] - np.mean(self.original)],
            ],
            fmt="o",
            color="C3",
            capsize=3,
            label="original",
        )
        mid = (t.low + t.high) / 2
        ax.errorbar(
            t.m,
            mid,
            yerr=[mid - t.low, t.high - mid],
            fmt="none",
            color="C0",
            capsize=3,
            label=label
            or ("robust (C-LF)" if self.method == "relative_magnitudes" else "robust (FLCI)"),
        )
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xlabel("Mbar" if self.method == "relative_magnitudes" else "M")
        ax.set_ylabel(f"{1 - self.alpha:.0%} confidence set")
        ax.legend(frameon=False)
        fig.tight_layout()
        return fig


def breakdown_value(
    betahat: Sequence[float],
    sigma: np.ndarray,
    num_pre: int,
    *,
    method: str = "relative_magnitudes",
    l_vec: Sequence[float] | None = None,
    alpha: float = 0.05,
    tol: float = 1e-3,
    upper: float | None = None,
    **options,
) -> float:
    """Largest ``M``/``Mbar`` whose robust set excludes zero (bisection to ``tol``)."""

    def excludes(m):
        return _robust_set_excludes(
            betahat, sigma, num_pre, m, method=method, l_vec=l_vec, alpha=alpha, **options
        )

    if not excludes(0.0):
        return float("nan")
    hi = (
        upper
        if upper is not None
        else (1.0 if method == "relative_magnitudes" else _smooth_scale(betahat, sigma, num_pre))
    )
    lo = 0.0
    for _ in range(40):
        if not excludes(hi):
            break
        lo, hi = hi, hi * 2
    else:
        return float("inf")
    while hi - lo > tol * max(hi, 1e-12):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if excludes(mid) else (lo, mid)
    return float(lo)


def _smooth_scale(betahat, sigma, num_pre) -> float:
    s = np.asarray(sigma, float)
    return float(np.sqrt(np.diag(s)).mean())


def sensitivity(
    betahat: Sequence[float],
    sigma: np.ndarray,
    num_pre: int,
    m_values: Sequence[float],
    *,
    method: str = "relative_magnitudes",
    l_vec: Sequence[float] | None = None,
    alpha: float = 0.05,
    breakdown: bool = True,
    **options,
) -> SensitivityResult:
    """HonestDiD sensitivity analysis: robust sets over ``m_values`` and the breakdown value.

    R: ``createSensitivityResults_relativeMagnitudes`` (``method="relative_magnitudes"``,
    C-LF) or ``createSensitivityResults`` (``"smoothness"``, FLCI).
    """
    rows = []
    for m in m_values:
        ci = robust_ci(
            betahat, sigma, num_pre, m, method=method, l_vec=l_vec, alpha=alpha, **options
        )
        rows.append(
            {"m": float(m), "low": ci.low, "high": ci.high, "excludes_zero": ci.excludes(0.0)}
        )
    bd = (
        breakdown_value(betahat, sigma, num_pre, method=method, l_vec=l_vec, alpha=alpha, **options)
        if breakdown
        else float("nan")
    )
    return SensitivityResult(
        table=pd.DataFrame(rows),
        original=original_ci(betahat, sigma, num_pre, l_vec, alpha),
        breakdown=bd,
        method=method,
        alpha=alpha,
    )
