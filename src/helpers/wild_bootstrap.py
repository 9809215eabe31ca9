"""Wild cluster bootstrap (WCR) for one coefficient of FE OLS, all draws at once.

Conventions of ``boottest`` (Roodman, MacKinnon, Nielsen and Webb 2019) and of
the ``wildboottest`` / ``fwildclusterboot`` packages, variant WCR11:

* the null ``b = b0`` is imposed on the bootstrap DGP (*restricted*): ``u~`` are
  the residuals of ``y - x b0`` on the other regressors ``W`` and the absorbed
  effects, and ``y*_b = x b0 + W g~ + FE + u~ * v_{g(i), b}`` with one weight per
  cluster and draw;
* weights: Rademacher (+-1 with probability 1/2) or Webb's six-point
  distribution (+-sqrt(1/2), +-1, +-sqrt(3/2)); with Rademacher weights and
  ``2^G <= draws`` every one of the ``2^G`` sign vectors is used once (full
  enumeration, deterministic), as boottest does;
* draws come from ``numpy.random.default_rng(seed)`` as
  ``rng.choice(values, size=G * B).reshape(G, B)`` with clusters in sorted order,
  the same call as the ``wildboottest`` package, so a seed gives the same draws;
* the bootstrap t statistic uses the cluster-robust variance of each bootstrap
  regression with the same small-sample factor as the original t,
  ``(N-1)/(N-K-df_a) G/(G-1)`` (reghdfe, :func:`helpers.fixed_effects.fe_ols`); the
  factor cancels in every comparison of ``t*`` with ``t``, so p-values and
  intervals do not depend on it, and no t(G-1) reference distribution is used:
  the bootstrap distribution replaces it;
* p-values: symmetric ``P = #{|t*_b| > |t|} / B`` (default) or equal-tailed
  ``P = 2 min(#{t*_b < t}, #{t*_b > t}) / B``, strict inequalities (a draw that
  reproduces the original sample, such as the all-ones sign vector under
  enumeration, does not count); ties are judged with a relative tolerance of
  1e-10 so that rounding cannot decide them;
* the confidence interval is the set of ``b0`` whose p-value is at least
  ``1 - level`` (test inversion), with its ends located by bisection.

Algorithm (Roodman et al. 2019, section 5, for WCR with absorbed effects).  Let
``r`` be ``x`` residualised on ``W`` and the absorbed effects (within transform,
then ``W``), ``rr = r'r``.  By Frisch-Waugh-Lovell ``b*_b - b0 = sum_g v_gb s_g / rr``
with ``s_g = sum_{i in g} r_i u~_i``.  The bootstrap residuals are
``M_[x, W, FE] (u~ * v_b)``, so the cluster scores of draw ``b`` are
``K v_b`` with the G x G matrix ``K = diag(s) - C - q s'/rr``, ``q_g = sum_{i in g}
r_i^2`` and ``C[g, h] = sum_{i in g} r_i (P_[W, FE] (u~ 1_h))_i`` (one demeaning of an
n x G matrix).  ``u~ = a - b0 r`` is linear in ``b0``, hence so are ``s`` and ``K``:
the numerators and the three quadratic coefficients of every bootstrap variance
are B-vectors computed once, and each value of ``b0`` tried during test inversion
costs O(B).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.fixed_effects import (
    Absorber,
    FESpec,
    absorbed_dof,
    drop_singleton_rows,
    fe_codes,
    fe_columns,
    prepare_frame,
    small_sample_factor,
)

WEIGHT_TYPES = ("rademacher", "webb")
PVALUE_TYPES = ("symmetric", "equal-tailed")
_WEIGHT_VALUES = {
    "rademacher": np.array([-1.0, 1.0]),
    "webb": np.concatenate([-np.sqrt(np.array([3, 2, 1]) / 2), np.sqrt(np.array([1, 2, 3]) / 2)]),
}
_TIE = 1e-10


def bootstrap_weights(
    n_clusters: int, draws: int, weights: str = "rademacher", seed: int = 0, enumerate: str = "auto"
) -> tuple[np.ndarray, bool]:
    """G x B matrix of wild weights and whether it is the full Rademacher enumeration.

    ``enumerate``: ``"auto"`` (Rademacher and ``2^G <= draws``), ``"always"`` or ``"never"``.
    """
    check_choice("weights", weights, WEIGHT_TYPES)
    check_choice("enumerate", enumerate, ("auto", "always", "never"))
    full = weights == "rademacher" and (
        enumerate == "always" or (enumerate == "auto" and 2**n_clusters <= draws)
    )
    if enumerate == "always" and weights != "rademacher":
        raise InputError("full enumeration needs Rademacher weights", parameter="enumerate")
    if full:
        if n_clusters > 20:
            raise InputError(
                f"full enumeration of 2^{n_clusters} sign vectors is too large",
                parameter="enumerate",
            )
        return np.array(list(product([-1.0, 1.0], repeat=n_clusters))).T, True
    rng = np.random.default_rng(seed)
    values = _WEIGHT_VALUES[weights]
    return rng.choice(values, size=n_clusters * draws).reshape(n_clusters, draws), False


@dataclass(frozen=True)
class _Design:
    r: np.ndarray  # x residualised on W and FE
    a: np.ndarray  # y residualised on W and FE (so u~ = a - b0 r)
    cluster: np.ndarray  # codes 0..G-1, sorted labels
    absorber: Absorber
    controls_q: np.ndarray
    factor: float
    n_clusters: int
    nobs: int


def _design(data, y, x, controls, fe, cluster, weights_col) -> _Design:
    keys = [c for spec in fe for c in fe_columns(spec)] + [cluster]
    frame = prepare_frame(data, [y, x, *controls], keys, what="wild_cluster_bootstrap")
    codes = [fe_codes(frame, spec) for spec in fe]
    if codes:
        frame = frame.loc[drop_singleton_rows(codes)]
        codes = [fe_codes(frame, spec) for spec in fe]
    cl = pd.factorize(frame[cluster], sort=True)[0]
    g = int(cl.max()) + 1
    if g < 2:
        raise InputError("the wild cluster bootstrap needs at least two clusters", column=cluster)
    absorber = Absorber(tuple(codes))
    within = absorber.demean(frame[[y, x, *controls]].to_numpy(float))
    q = np.linalg.qr(within[:, 2:])[0] if controls else np.zeros((len(frame), 0))
    a = within[:, 0] - q @ (q.T @ within[:, 0])
    r = within[:, 1] - q @ (q.T @ within[:, 1])
    if r @ r <= 1e-12 * max(within[:, 1] @ within[:, 1], 1e-300):
        raise InputError(
            "the tested regressor is collinear with the controls or the absorbed effects", column=x
        )
    n = len(frame)
    df_a = absorbed_dof(codes, cl, "reghdfe")[0]
    df_resid = n - 1 - len(controls) - df_a
    if df_resid <= 0:
        raise InputError(f"no residual degrees of freedom (N={n})", parameter="fe")
    return _Design(
        r=r,
        a=a,
        cluster=cl,
        absorber=absorber,
        controls_q=q,
        factor=small_sample_factor("cluster", "reghdfe", n, df_resid, g),
        n_clusters=g,
        nobs=n,
    )


def _score_matrix(design: _Design, u: np.ndarray) -> np.ndarray:
    """The G x G matrix ``K(u) = diag(s) - C - q s'/rr`` (module docstring)."""
    r, cl, g = design.r, design.cluster, design.n_clusters
    n = len(r)
    s = np.bincount(cl, weights=r * u, minlength=g)
    qv = np.bincount(cl, weights=r * r, minlength=g)
    spread = np.zeros((n, g))
    spread[np.arange(n), cl] = u
    resid = design.absorber.demean(spread)
    resid -= design.controls_q @ (design.controls_q.T @ resid)
    projected = spread - resid  # P_[W, FE] (u 1_h), column h
    c = np.zeros((g, g))
    np.add.at(c, cl, r[:, None] * projected)
    return np.diag(s) - c - np.outer(qv, s) / (r @ r)


@dataclass(frozen=True)
class _Bootstrap:
    """B-vectors from which t*(b0) and t(b0) follow in O(B) for any null value b0."""

    n1: np.ndarray  # numerator: (n1 - b0 n2) / rr
    n2: np.ndarray
    p2: np.ndarray  # sum_g (K_a v)^2
    pq: np.ndarray  # sum_g (K_a v)(K_r v)
    q2: np.ndarray  # sum_g (K_r v)^2
    beta: float
    se: float
    rr: float
    factor: float

    def t_boot(self, b0: float) -> np.ndarray:
        var = self.factor * (self.p2 - 2 * b0 * self.pq + b0**2 * self.q2) / self.rr**2
        num = (self.n1 - b0 * self.n2) / self.rr
        with np.errstate(divide="ignore", invalid="ignore"):
            return num / np.sqrt(var)

    def t_stat(self, b0: float) -> float:
        return (self.beta - b0) / self.se

    def pvalue(self, b0: float, kind: str) -> float:
        tb, t = self.t_boot(b0), self.t_stat(b0)
        tol = _TIE * max(abs(t), 1.0)
        if kind == "symmetric":
            return float(np.mean(np.abs(tb) > abs(t) + tol))
        return float(2 * min(np.mean(tb > t + tol), np.mean(tb < t - tol)))


def _prepare_bootstrap(design: _Design, v: np.ndarray) -> _Bootstrap:
    r, a, cl, g = design.r, design.a, design.cluster, design.n_clusters
    rr = float(r @ r)
    beta = float(r @ a) / rr
    e = a - beta * r
    score = np.bincount(cl, weights=r * e, minlength=g)
    se = float(np.sqrt(design.factor * (score @ score))) / rr
    s_a = np.bincount(cl, weights=r * a, minlength=g)
    s_r = np.bincount(cl, weights=r * r, minlength=g)
    ka, kr = _score_matrix(design, a) @ v, _score_matrix(design, r) @ v
    return _Bootstrap(
        n1=s_a @ v,
        n2=s_r @ v,
        p2=np.einsum("gb,gb->b", ka, ka),
        pq=np.einsum("gb,gb->b", ka, kr),
        q2=np.einsum("gb,gb->b", kr, kr),
        beta=beta,
        se=se,
        rr=rr,
        factor=design.factor,
    )


@dataclass(frozen=True)
class WildBootstrapResult:
    """WCR wild cluster bootstrap test of ``coef = null`` and the inverted interval."""

    param: str
    estimate: float
    se: float
    t_stat: float
    pvalue: float
    null: float
    ci_low: float
    ci_high: float
    level: float
    draws: int
    enumerated: bool
    weights: str
    pvalue_type: str
    n_clusters: int
    nobs: int
    seed: int
    t_boot: np.ndarray

    def summary(self) -> pd.Series:
        return pd.Series(
            {
                "coef": self.estimate,
                "t": self.t_stat,
                "wild bootstrap p": self.pvalue,
                f"{self.level:.0%} CI low": self.ci_low,
                f"{self.level:.0%} CI high": self.ci_high,
                "clusters": self.n_clusters,
                "draws": self.draws,
                "enumerated": self.enumerated,
                "weights": self.weights,
            },
            name=self.param,
        )


def _invert(boot: _Bootstrap, alpha: float, kind: str, side: int) -> float:
    """End of the interval on ``side`` (-1 low, +1 high): where p(b0) falls below alpha."""
    inside = boot.beta
    if boot.pvalue(inside, kind) < alpha:
        return float("nan")
    step = boot.se
    outside = inside + side * step
    for _ in range(200):
        if boot.pvalue(outside, kind) < alpha:
            break
        inside, step = outside, step * 2
        outside = inside + side * step
    else:
        return side * np.inf
    for _ in range(200):
        mid = (inside + outside) / 2
        if boot.pvalue(mid, kind) >= alpha:
            inside = mid
        else:
            outside = mid
        if abs(outside - inside) <= 1e-10 * max(boot.se, abs(boot.beta) * 1e-6):
            break
    return float(inside)


def wild_cluster_bootstrap(
    data: pd.DataFrame,
    y: str,
    x: str,
    controls: Sequence[str] = (),
    fe: Sequence[FESpec] = (),
    *,
    cluster: str,
    null: float = 0.0,
    draws: int = 9999,
    weights: str = "rademacher",
    seed: int = 0,
    enumerate: str = "auto",
    pvalue: str = "symmetric",
    level: float = 0.95,
    conf_int: bool = True,
) -> WildBootstrapResult:
    """Restricted wild cluster bootstrap (WCR) p-value and interval for the coefficient of ``x``.

    The regression is ``y ~ x + controls | fe`` (reghdfe conventions, singletons
    dropped), clustered by ``cluster``; Stata: ``reghdfe y x controls, absorb(fe)
    vce(cluster c)`` then ``boottest x, reps(draws) weighttype(rademacher|webb)
    seed(seed)``.  See the module docstring for the conventions.
    """
    check_choice("weights", weights, WEIGHT_TYPES)
    check_choice("pvalue", pvalue, PVALUE_TYPES)
    if draws < 1:
        raise InputError("must be a positive integer", parameter="draws")
    if not 0 < level < 1:
        raise InputError("must lie strictly between 0 and 1", parameter="level")
    controls = [controls] if isinstance(controls, str) else list(controls)
    fe = [fe] if isinstance(fe, str) else list(fe)
    if x in controls or y == x:
        raise InputError("the tested regressor must differ from the outcome and controls", column=x)
    design = _design(data, y, x, controls, fe, cluster, None)
    v, full = bootstrap_weights(design.n_clusters, draws, weights, seed, enumerate)
    boot = _prepare_bootstrap(design, v)
    alpha = 1 - level
    low = _invert(boot, alpha, pvalue, -1) if conf_int else float("nan")
    high = _invert(boot, alpha, pvalue, +1) if conf_int else float("nan")
    return WildBootstrapResult(
        param=x,
        estimate=boot.beta,
        se=boot.se,
        t_stat=boot.t_stat(null),
        pvalue=boot.pvalue(null, pvalue),
        null=float(null),
        ci_low=low,
        ci_high=high,
        level=level,
        draws=v.shape[1],
        enumerated=full,
        weights=weights,
        pvalue_type=pvalue,
        n_clusters=design.n_clusters,
        nobs=design.nobs,
        seed=seed,
        t_boot=boot.t_boot(null),
    )
