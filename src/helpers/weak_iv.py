"""Weak-instrument-robust inference for FE-IV with one endogenous regressor.

Three tools complement the Kleibergen-Paap and Cragg-Donald statistics of
:func:`helpers.iv.fe_iv`; all work on the same within-transformed data
(:func:`helpers.iv` ``_prepare``: absorbed effects swept by the
:class:`~helpers.fixed_effects.Absorber`, singletons dropped as reghdfe does) and
partial the included exogenous regressors ``W`` out by Frisch-Waugh-Lovell.

Anderson-Rubin (1949) test and confidence set (:func:`anderson_rubin`)
    ``AR(b0)`` is the Wald F of ``pi = 0`` in the reduced-form regression
    ``y - b0 d = Z pi + W g + FE + e`` with the requested covariance and the
    small-sample rules of :func:`helpers.fixed_effects.fe_ols` (reghdfe:
    ``(N-1)/(N-K-df_a) G/(G-1)`` and F(L, G-1) with clusters, ``N/(N-K-df_a)`` and
    F(L, N-K-df_a) with HC1; ``dof="none"``: no factor and chi2(L)/L, as ``weakiv``
    without ``small``).  With ``g(b) = Z'(y - b d)``, ``e(b) = e_y - b e_d`` and the
    cluster score sums ``S(b) = S_y - b S_d``,
    ``AR(b) = g(b)' M(b)^{-1} g(b) / (c L)`` with ``M(b) = S(b)'S(b)``
    (``M(b) = e(b)'e(b)/df Z'Z`` and ``c = 1`` with conventional errors).  The
    test is valid whatever the instruments' strength.  The confidence set
    ``{b : AR(b) <= F_crit}`` is found by inversion: with conventional errors, or
    one instrument, the condition is a quadratic inequality ``a b^2 + b1 b + a0 <= 0``
    and is solved exactly (a bounded interval, the real line, the empty set or the
    union of two rays); otherwise ``AR`` is evaluated on a grid ``b = b_2sls + s
    tan(theta)`` covering the whole line, and each sign change of ``AR - F_crit``
    is polished by Brent's method.  As ``|b| -> inf``, ``AR(b)`` tends to the
    first-stage F of the same covariance type (``g_d' M_dd^{-1} g_d / (c L)``), so the
    set is unbounded exactly when that first-stage F is below the AR critical value;
    the tails are classified from this limit, not from the grid.  Stata: ``weakiv``
    (Finlay, Magnusson and Schaffer 2013) after ``ivreg2``/``xtivreg2``.

Effective first-stage F (:func:`effective_f`; Montiel Olea and Pflueger 2013)
    With instruments orthonormalised (``Z_s'Z_s/N = I``), ``F_eff = N pi_s'pi_s /
    tr(W_2)``, ``W_2`` the (cluster-)robust covariance of ``sqrt(N) pi_s`` with the
    first-stage small-sample factor (as ``weakivtest``, Pflueger and Wang 2015).
    With one instrument ``F_eff`` equals the robust first-stage F.  Critical values
    at level ``alpha`` for a Nagar bias of at most ``tau`` of the worst-case bias:
    ``c = ncx2.ppf(1 - alpha, K_eff, K_eff x) / K_eff`` with the Patnaik effective
    degrees of freedom ``K_eff = 2 (1 + 2x) / (2 sum w_i^2 + 4 x max w_i)``, ``w`` the
    eigenvalues of ``W_2`` divided by their sum.  The *simplified* value uses
    ``x = 1/tau`` (the bias bound ``B = 1``); the *generalized* TSLS value uses
    ``x = B_TSLS/tau`` with ``B_TSLS = sup_b max(|tr S12 - 2 l_min|, |tr S12 - 2 l_max|) /
    sqrt(tr S1 tr S2)``, ``S12 = W12 - b W2``, ``S1 = W1 - 2 b W12 + b^2 W2``, ``S2 = W2``
    and ``l`` the extreme eigenvalues of ``(S12 + S12')/2`` (``weakivtest``'s
    ``Bmaxfunction``; maximised here on a grid in ``arctan(b)`` plus a bounded
    polish, including the limit at infinity).  ``B_TSLS <= 1``, so the generalized
    value never exceeds the simplified one; with one instrument both equal
    ``ncx2.ppf(0.95, 1, 1/tau)`` (23.109 for tau = 10%, 37.418 for tau = 5%).

tF (:func:`tf_critical_value`, :func:`tf_adjust`; Lee, McCrary, Moreira and Porter 2022)
    For one instrument, the t-test of the 2SLS coefficient uses the critical value
    ``c(F)`` of the first-stage F instead of 1.96: LMMP's Table 3 (5% level), at
    ``sqrt(F) = 2.0, 2.1, ..., 10.3``, linearly interpolated in ``sqrt(F)`` (as the R
    package ``ivDiag`` does); ``c = 1.96`` from ``F = 104.7`` on, and no finite value
    below the first row (F = 4): the tF interval is then the real line.  The
    adjusted p-value is ``2 (1 - Phi(|t| 1.96 / c(F)))`` (``ivDiag::tF``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from helpers.errors import InputError, check_choice
from helpers.fixed_effects import DOF_RULES, FESpec, absorbed_dof, small_sample_factor
from helpers.inference import chi2_ppf, chi2_sf, f_ppf, f_sf, normal_cdf
from helpers.iv import _prepare
from helpers.paths import DATA_DIR

TF_TABLE_FILE = DATA_DIR / "reference" / "lee_mccrary_moreira_porter_2022_tf_05.csv"
TAUS = (0.05, 0.10, 0.20, 0.30)
_GRID_POINTS = 4001


# --------------------------------------------------------------------------- confidence sets
@dataclass(frozen=True)
class ConfidenceSet:
    """A union of closed intervals on the real line (ends may be infinite).

    ``intervals`` is sorted and disjoint; ``()`` is the empty set and
    ``((-inf, inf),)`` the whole line.
    """

    intervals: tuple[tuple[float, float], ...]

    @property
    def is_empty(self) -> bool:
        return not self.intervals

    @property
    def is_bounded(self) -> bool:
        return all(np.isfinite(lo) and np.isfinite(hi) for lo, hi in self.intervals)

    @property
    def is_disjoint(self) -> bool:
        """True when the set has more than one piece."""
        return len(self.intervals) > 1

    def contains(self, value: float) -> bool:
        return any(lo <= value <= hi for lo, hi in self.intervals)

    @property
    def length(self) -> float:
        return float(sum(hi - lo for lo, hi in self.intervals))

    def __str__(self) -> str:
        if self.is_empty:
            return "empty"

        def end(v: float) -> str:
            return ("-inf" if v < 0 else "+inf") if not np.isfinite(v) else f"{v:.4g}"

        pieces = []
        for lo, hi in self.intervals:
            left = "(" if not np.isfinite(lo) else "["
            right = ")" if not np.isfinite(hi) else "]"
            pieces.append(f"{left}{end(lo)}, {end(hi)}{right}")
        return " ∪ ".join(pieces)


def quadratic_set(a: float, b: float, c: float, *, scale: float = 1.0) -> ConfidenceSet:
    """``{x : a x^2 + b x + c <= 0}`` exactly; ``scale`` sets what counts as a zero ``a``."""
    tiny = 1e-12 * max(abs(b) * scale, abs(c), abs(a) * scale**2, 1e-300)
    if abs(a) * scale**2 <= tiny:
        if abs(b) * scale <= tiny:
            return ConfidenceSet(((-np.inf, np.inf),) if c <= 0 else ())
        root = -c / b
        return ConfidenceSet(((-np.inf, root),) if b > 0 else ((root, np.inf),))
    disc = b * b - 4 * a * c
    if disc < 0:
        return ConfidenceSet(() if a > 0 else ((-np.inf, np.inf),))
    sq = np.sqrt(disc)
    # numerically stable roots
    q = -0.5 * (b + np.copysign(sq, b))
    r1, r2 = sorted((q / a, c / q) if q != 0 else (-b / (2 * a), -b / (2 * a)))
    if a > 0:
        return ConfidenceSet(((r1, r2),))
    return ConfidenceSet(((-np.inf, r1), (r2, np.inf)))


# --------------------------------------------------------------------------- reduced form
@dataclass(frozen=True)
class _ReducedForm:
    """Pieces of AR(b) for one endogenous regressor, all quadratic in b."""

    g_y: np.ndarray  # Z'y_r (L)
    g_d: np.ndarray  # Z'd_r (L)
    zz: np.ndarray  # Z'Z (L x L), Z residualised on W
    m_yy: np.ndarray  # S_y'S_y (L x L): score cross-products (robust / cluster)
    m_yd: np.ndarray
    m_dd: np.ndarray
    e_yy: float  # residual cross-products (conventional)
    e_yd: float
    e_dd: float
    factor: float  # small-sample factor c on the sandwich
    vcov: str
    nobs: int
    df_resid: int
    df_inference: float
    n_clusters: int | None
    n_instruments: int
    z: np.ndarray
    scores: tuple[np.ndarray, np.ndarray]  # S_y, S_d (G x L or n x L)

    def middle(self, b: np.ndarray) -> np.ndarray:
        """``M(b)`` for each value of ``b`` (m x L x L)."""
        b = np.asarray(b, dtype=float)[:, None, None]
        if self.vcov == "conventional":
            sigma2 = (self.e_yy - 2 * b * self.e_yd + b**2 * self.e_dd) / self.df_resid
            return sigma2 * self.zz[None]
        cross = self.m_yd + self.m_yd.T
        return self.m_yy[None] - b * cross[None] + b**2 * self.m_dd[None]

    def statistic(self, b: np.ndarray) -> np.ndarray:
        """AR F statistic at each ``b``."""
        b = np.atleast_1d(np.asarray(b, dtype=float))
        g = self.g_y[None, :] - b[:, None] * self.g_d[None, :]
        sol = np.linalg.solve(self.middle(b), g[:, :, None])[:, :, 0]
        return np.einsum("ij,ij->i", g, sol) / (self.factor * self.n_instruments)

    def limit(self) -> float:
        """``lim_{|b|->inf} AR(b)``: the first-stage F with the same covariance."""
        if self.vcov == "conventional":
            mid = self.e_dd / self.df_resid * self.zz
        else:
            mid = self.m_dd
        return float(self.g_d @ np.linalg.solve(mid, self.g_d)) / (self.factor * self.n_instruments)

    def tsls(self) -> tuple[float, float]:
        """2SLS estimate and its Wald standard error (same covariance type)."""
        bg = np.linalg.solve(self.zz, self.g_d)
        denom = float(self.g_d @ bg)
        beta = float(bg @ self.g_y) / denom
        var = float(bg @ self.middle(np.array([beta]))[0] @ bg) * self.factor / denom**2
        return beta, float(np.sqrt(var))

    def critical(self, level: float) -> float:
        if np.isfinite(self.df_inference):
            return f_ppf(level, self.n_instruments, self.df_inference)
        return chi2_ppf(level, self.n_instruments) / self.n_instruments

    def pvalue(self, stat: float) -> float:
        if np.isfinite(self.df_inference):
            return f_sf(stat, self.n_instruments, self.df_inference)
        return chi2_sf(stat * self.n_instruments, self.n_instruments)


def _reduced_form(data, y, endog, instruments, exog, fe, vcov, cluster, dof) -> _ReducedForm:
    check_choice("dof", dof, DOF_RULES)
    if isinstance(endog, str):
        endog = [endog]
    endog, instruments, exog = list(endog), list(instruments), list(exog)
    if len(endog) != 1:
        raise InputError(
            "weak-IV-robust inference here needs exactly one endogenous regressor, "
            f"got {len(endog)}",
            parameter="endog",
        )
    fe = [fe] if isinstance(fe, str) else list(fe)
    wd = _prepare(data, y, endog, instruments, exog, fe, vcov, cluster, True)
    n, n_inst = len(wd.y), wd.excluded.shape[1]
    q = np.linalg.qr(wd.exog)[0] if wd.exog.shape[1] else np.zeros((n, 0))

    def resid(m):
        return m - q @ (q.T @ m)

    z = resid(wd.excluded)
    y_r, d_r = resid(wd.y), resid(wd.endog[:, 0])
    zz = z.T @ z
    if np.linalg.matrix_rank(zz) < n_inst:
        raise InputError(
            "the excluded instruments are collinear with each other, the exogenous regressors "
            "or the absorbed effects",
            column=", ".join(instruments),
        )
    g_y, g_d = z.T @ y_r, z.T @ d_r
    e_y = y_r - z @ np.linalg.solve(zz, g_y)
    e_d = d_r - z @ np.linalg.solve(zz, g_d)
    n_exog = len(exog)
    df_a = absorbed_dof(list(wd.codes), wd.cluster, dof)[0] if wd.codes else 1
    df_resid = n - n_inst - n_exog - df_a
    if df_resid <= 0:
        raise InputError(f"no residual degrees of freedom (N={n})", parameter="fe")
    g = int(wd.cluster.max()) + 1 if wd.cluster is not None else None
    if vcov == "cluster":
        ind = np.zeros((g, n))
        ind[wd.cluster, np.arange(n)] = 1.0
        s_y, s_d = ind @ (z * e_y[:, None]), ind @ (z * e_d[:, None])
    else:
        s_y, s_d = z * e_y[:, None], z * e_d[:, None]
    factor = small_sample_factor(vcov, dof, n, df_resid, g)
    if dof == "none" and vcov == "conventional":
        df_resid_var = n
    else:
        df_resid_var = df_resid
    if dof == "none":
        df_inf = np.inf
    elif vcov == "cluster":
        df_inf = float(g - 1)
    else:
        df_inf = float(df_resid)
    return _ReducedForm(
        g_y=g_y,
        g_d=g_d,
        zz=zz,
        m_yy=s_y.T @ s_y,
        m_yd=s_y.T @ s_d,
        m_dd=s_d.T @ s_d,
        e_yy=float(e_y @ e_y),
        e_yd=float(e_y @ e_d),
        e_dd=float(e_d @ e_d),
        factor=factor,
        vcov=vcov,
        nobs=n,
        df_resid=df_resid_var,
        df_inference=df_inf,
        n_clusters=g,
        n_instruments=n_inst,
        z=z,
        scores=(s_y, s_d),
    )


# --------------------------------------------------------------------------- Anderson-Rubin
@dataclass(frozen=True)
class ARResult:
    """Anderson-Rubin test of ``b = null`` and the AR confidence set at ``level``.

    ``first_stage_f`` is the limit of ``AR(b)`` as ``|b| -> inf``; the set is
    unbounded when it is below ``critical_value``.  ``method`` says whether the set
    was solved as a quadratic inequality (``"quadratic"``) or by grid inversion with
    Brent polishing (``"grid"``).
    """

    statistic: float
    pvalue: float
    null: float
    df: tuple[int, float]
    critical_value: float
    confidence_set: ConfidenceSet
    first_stage_f: float
    tsls: float
    tsls_se: float
    level: float
    vcov_type: str
    nobs: int
    n_clusters: int | None
    method: str

    def summary(self) -> pd.Series:
        return pd.Series(
            {
                "AR F": self.statistic,
                "AR p": self.pvalue,
                "null": self.null,
                f"AR {self.level:.0%} set": str(self.confidence_set),
                "bounded": self.confidence_set.is_bounded,
                "first-stage F (limit)": self.first_stage_f,
            }
        )


def _grid_set(rf: _ReducedForm, crit: float, center: float, scale: float) -> ConfidenceSet:
    """``{b : AR(b) <= crit}`` by a grid in ``theta = arctan((b - center)/scale)`` plus Brent."""
    theta = np.linspace(-np.pi / 2, np.pi / 2, _GRID_POINTS)[1:-1]
    b = center + scale * np.tan(theta)
    h = rf.statistic(b) - crit
    tail = rf.limit() - crit

    def h_theta(t: float) -> float:
        return float(rf.statistic(center + scale * np.tan(t))[0] - crit)

    full_theta = np.concatenate([[-np.pi / 2], theta, [np.pi / 2]])
    full_h = np.concatenate([[tail], h, [tail]])
    inside = full_h <= 0
    edges = []
    for i in np.flatnonzero(inside[1:] != inside[:-1]):
        lo, hi = full_theta[i], full_theta[i + 1]
        if i == 0 or i + 1 == len(full_theta) - 1:
            # crossing between the limit at infinity and the outermost grid point
            lo, hi = (lo + 1e-9, hi) if i == 0 else (lo, hi - 1e-9)
        root = optimize.brentq(h_theta, lo, hi, xtol=1e-14) if h_theta(lo) * h_theta(hi) < 0 else lo
        edges.append(center + scale * np.tan(root))
    intervals, start = [], (-np.inf if inside[0] else None)
    for value in edges:
        if start is None:
            start = value
        else:
            intervals.append((start, value))
            start = None
    if start is not None:
        intervals.append((start, np.inf))
    return ConfidenceSet(tuple(intervals))


def anderson_rubin(
    data: pd.DataFrame,
    y: str,
    endog: str | Sequence[str],
    instruments: Sequence[str],
    exog: Sequence[str] = (),
    fe: Sequence[FESpec] = (),
    *,
    vcov: str = "conventional",
    cluster: str | None = None,
    null: float = 0.0,
    level: float = 0.95,
    dof: str = "reghdfe",
    method: str = "auto",
) -> ARResult:
    """Anderson-Rubin test and confidence set for the coefficient of one endogenous regressor.

    Arguments as :func:`helpers.iv.fe_iv`; ``dof`` is the small-sample rule of
    :func:`helpers.fixed_effects.fe_ols` (``"none"``: chi2 inference, no factor).
    ``method="auto"`` solves the exact quadratic when it applies (conventional
    errors or one instrument) and inverts on a grid otherwise; ``"grid"`` forces
    the grid (used by the tests to check the two agree).  See the module docstring.
    """
    check_choice("method", method, ("auto", "grid"))
    if not 0 < level < 1:
        raise InputError("must lie strictly between 0 and 1", parameter="level")
    rf = _reduced_form(data, y, endog, instruments, exog, fe, vcov, cluster, dof)
    crit = rf.critical(level)
    stat = float(rf.statistic(np.array([null]))[0])
    beta, se = rf.tsls()
    quadratic = method == "auto" and (vcov == "conventional" or rf.n_instruments == 1)
    if quadratic:
        if vcov == "conventional":
            zinv = np.linalg.inv(rf.zz)
            k = crit * rf.n_instruments / rf.df_resid
            a = rf.g_d @ zinv @ rf.g_d - k * rf.e_dd
            b1 = -2 * (rf.g_y @ zinv @ rf.g_d - k * rf.e_yd)
            a0 = rf.g_y @ zinv @ rf.g_y - k * rf.e_yy
        else:
            k = crit * rf.factor
            gy, gd = rf.g_y[0], rf.g_d[0]
            a = gd**2 - k * rf.m_dd[0, 0]
            b1 = -2 * (gy * gd - k * rf.m_yd[0, 0])
            a0 = gy**2 - k * rf.m_yy[0, 0]
        cs = quadratic_set(float(a), float(b1), float(a0), scale=max(abs(beta), se, 1.0))
    else:
        cs = _grid_set(rf, crit, beta, se if np.isfinite(se) and se > 0 else 1.0)
    return ARResult(
        statistic=stat,
        pvalue=rf.pvalue(stat),
        null=float(null),
        df=(rf.n_instruments, rf.df_inference),
        critical_value=crit,
        confidence_set=cs,
        first_stage_f=rf.limit(),
        tsls=beta,
        tsls_se=se,
        level=level,
        vcov_type=vcov,
        nobs=rf.nobs,
        n_clusters=rf.n_clusters,
        method="quadratic" if quadratic else "grid",
    )


# --------------------------------------------------------------------------- effective F
def _patnaik(w2: np.ndarray, alpha: float, x: float) -> tuple[float, float]:
    """``(critical value, K_eff)`` of Montiel Olea-Pflueger for noncentrality ``x``."""
    w = np.clip(np.linalg.eigvalsh((w2 + w2.T) / 2), 0, None)
    w = w / w.sum()
    k_eff = 2 * (1 + 2 * x) / (2 * np.sum(w * w) + 4 * x * w.max())
    # scipy.special's inverse noncentral chi2 CDF: bit for bit scipy.stats.ncx2.ppf (checked on
    # 20,000 random arguments), without importing scipy.stats (0.5 s of a chapter's run)
    return float(special.chndtrix(1 - alpha, k_eff, k_eff * x) / k_eff), float(k_eff)


def _nagar_bound(w1: np.ndarray, w12: np.ndarray, w2: np.ndarray, b: np.ndarray) -> np.ndarray:
    """weakivtest's ``Bmaxfunction`` at each ``b`` (vectorised)."""
    b = np.asarray(b, dtype=float)[:, None, None]
    s12 = w12[None] - b * w2[None]
    s1 = w1[None] - 2 * b * w12[None] + b**2 * w2[None]
    sym = (s12 + np.swapaxes(s12, 1, 2)) / 2
    eig = np.linalg.eigvalsh(sym)
    tr12 = np.trace(s12, axis1=1, axis2=2)
    tr1 = np.trace(s1, axis1=1, axis2=2)
    denom = np.sqrt(np.trace(w2) * np.clip(tr1, 1e-300, None))
    return np.maximum(np.abs(tr12 - 2 * eig[:, 0]), np.abs(tr12 - 2 * eig[:, -1])) / denom


def nagar_bias_bound(w1: np.ndarray, w12: np.ndarray, w2: np.ndarray) -> float:
    """``B_TSLS = sup_b`` of :func:`_nagar_bound` over the real line, limit at infinity included."""
    scale = float(np.sqrt(np.trace(w1) / np.trace(w2)))
    theta = np.linspace(-np.pi / 2, np.pi / 2, 20_001)[1:-1]
    values = _nagar_bound(w1, w12, w2, scale * np.tan(theta))
    eig = np.linalg.eigvalsh((w2 + w2.T) / 2)
    tr = np.trace(w2)
    limit = max(abs(1 - 2 * eig[-1] / tr), abs(1 - 2 * eig[0] / tr))
    i = int(np.argmax(values))
    lo, hi = theta[max(i - 1, 0)], theta[min(i + 1, len(theta) - 1)]
    res = optimize.minimize_scalar(
        lambda t: -_nagar_bound(w1, w12, w2, np.array([scale * np.tan(t)]))[0],
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(max(values[i], -res.fun, limit))


@dataclass(frozen=True)
class EffectiveFResult:
    """Montiel Olea-Pflueger effective F with simplified and generalized TSLS critical values.

    ``critical_values`` is indexed by ``tau`` (the tolerated Nagar bias as a share of
    the worst-case bias) with columns ``simplified``, ``tsls`` (generalized) and
    their effective degrees of freedom; all at level ``alpha``.
    """

    f_eff: float
    critical_values: pd.DataFrame
    b_tsls: float
    alpha: float
    n_instruments: int
    nobs: int
    vcov_type: str
    w: np.ndarray  # (2L x 2L) joint covariance [reduced form y, first stage d]

    def is_weak(self, tau: float = 0.10, kind: str = "tsls") -> bool:
        """True when ``F_eff`` is below the critical value: the weak-instrument null stands."""
        check_choice("kind", kind, ("simplified", "tsls"))
        return bool(self.f_eff < self.critical_values.at[tau, kind])


def effective_f(
    data: pd.DataFrame,
    y: str,
    endog: str | Sequence[str],
    instruments: Sequence[str],
    exog: Sequence[str] = (),
    fe: Sequence[FESpec] = (),
    *,
    vcov: str = "robust",
    cluster: str | None = None,
    alpha: float = 0.05,
    taus: Sequence[float] = TAUS,
    dof: str = "reghdfe",
) -> EffectiveFResult:
    """Effective first-stage F (Montiel Olea and Pflueger 2013) and its critical values.

    See the module docstring for the formulas (``weakivtest`` conventions, with the
    first-stage small-sample factor of :func:`helpers.fixed_effects.fe_ols`).
    """
    if not 0 < alpha < 1:
        raise InputError("must lie strictly between 0 and 1", parameter="alpha")
    if any(not 0 < t < 1 for t in taus):
        raise InputError("every tau must lie strictly between 0 and 1", parameter="taus")
    rf = _reduced_form(data, y, endog, instruments, exog, fe, vcov, cluster, dof)
    n, n_inst = rf.nobs, rf.n_instruments
    evals, evecs = np.linalg.eigh(rf.zz / n)
    root_inv = evecs @ np.diag(evals**-0.5) @ evecs.T  # (Z'Z/N)^(-1/2)
    pi_s = np.linalg.solve(rf.zz, rf.g_d) @ np.linalg.inv(root_inv).T
    if vcov == "conventional":
        omega = np.array([[rf.e_yy, rf.e_yd], [rf.e_yd, rf.e_dd]]) / rf.df_resid
        w = np.kron(omega, np.eye(n_inst))
    else:
        s = np.column_stack([rf.scores[0] @ root_inv, rf.scores[1] @ root_inv])
        w = s.T @ s / n * rf.factor
    w1, w12, w2 = w[:n_inst, :n_inst], w[:n_inst, n_inst:], w[n_inst:, n_inst:]
    f_eff = float(n * pi_s @ pi_s / np.trace(w2))
    b_tsls = nagar_bias_bound(w1, w12, w2)
    rows = {}
    for tau in taus:
        c_s, k_s = _patnaik(w2, alpha, 1 / tau)
        c_t, k_t = _patnaik(w2, alpha, b_tsls / tau)
        rows[tau] = {"simplified": c_s, "tsls": c_t, "k_eff_simplified": k_s, "k_eff_tsls": k_t}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("tau")
    return EffectiveFResult(f_eff, table, b_tsls, alpha, n_inst, n, vcov, w)


# --------------------------------------------------------------------------- tF
def _tf_table() -> pd.DataFrame:
    return pd.read_csv(TF_TABLE_FILE)


def tf_critical_value(f_stat: float | np.ndarray) -> float | np.ndarray:
    """LMMP (2022) 5% tF critical value for first-stage F (see the module docstring)."""
    table = _tf_table()
    root = np.sqrt(np.asarray(f_stat, dtype=float))
    out = np.interp(root, table.sqrt_f, table.c_05)
    out = np.where(root < table.sqrt_f.iloc[0], np.inf, out)
    out = np.where(root >= table.sqrt_f.iloc[-1], 1.96, out)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class TFResult:
    """tF-adjusted inference for one coefficient: critical value, interval and p-value."""

    coef: float
    se: float
    f_stat: float
    critical_value: float
    ci_low: float
    ci_high: float
    pvalue: float


def tf_adjust(coef: float, se: float, f_stat: float) -> TFResult:
    """tF inference (5% level) for a 2SLS coefficient with one instrument and first-stage F."""
    if not se > 0:
        raise InputError("the standard error must be positive", parameter="se")
    c = tf_critical_value(f_stat)
    p = float(2 * normal_cdf(-(abs(coef / se) * 1.96 / c))) if np.isfinite(c) else 1.0
    return TFResult(coef, se, f_stat, c, coef - c * se, coef + c * se, p)
