"""Instrumental variables with fixed effects, reported as ivreg2 / xtivreg2 / ivreghdfe do.

Every variable is swept of the absorbed effects with the same
:class:`~helpers.fixed_effects.Absorber` that :func:`~helpers.fixed_effects.fe_ols`
uses; 2SLS, two-step efficient GMM and the identification statistics are then
computed in numpy on the within data (QR decompositions of the n x L design, so a
fit costs a few thin factorisations).  2SLS is ``b = (X^'X^)^{-1} X^'y`` with
``X^ = P_Z X``; the asymptotic variances are ``e'e/N (X^'X^)^{-1}`` (conventional)
and the sandwich with scores ``x^_i e_i``, summed within clusters for ``cluster``,
before Stata's factors below.  GMM is ivreg2's ``gmm2s``: the weight matrix and
the covariance both use the first-step 2SLS residuals, ``V = N (X'Z S^-1 Z'X)^-1``
(linearmodels' IVGMM re-estimates ``S`` at the second step, so its standard
errors differ from ivreg2's).  The Kleibergen-Paap rk LM and rk Wald F and the
Cragg-Donald F follow ``ranktest`` (Kleibergen and Paap 2006; Kleibergen and
Schaffer 2007) and are rescaled for the absorbed effects.  The tests cross-check
every number against :mod:`linearmodels.iv` (IV2SLS, ``kleibergen_paap``,
``kleibergen_paap_f``, ``cragg_donald_f``) to 1e-8.

Stata command -> options
------------------------
* ``ivreg2 y w (d = z)`` -> ``fe=[]`` (the constant is reported as ``_cons``)
* ``ivreg2 ..., small`` -> ``small=True``
* ``ivreg2 ..., robust`` / ``cluster(id)`` -> ``vcov="robust"`` / ``vcov="cluster", cluster="id"``
* ``ivreg2 ..., gmm2s robust`` -> ``estimator="gmm2s", vcov="robust"``
* ``xtivreg2 y w (d = z), fe cluster(id)`` -> ``fe=["id"], vcov="cluster", cluster="id"``
* ``xtivreg2 y w i.year (d = z), fe cluster(id)`` -> ``fe=["id", "year"]``
* ``ivreghdfe y w (d = z), absorb(id year) cluster(id)`` -> ``fe=["id", "year"], small=True``
  (absorb implies ``small`` in ivreghdfe)

Degrees of freedom (Baum, Schaffer and Stillman 2007; ivreg2 4.1.11 source).
``a`` is the number of absorbed parameters: the rank of all absorbed dummies
minus the rank of those nested in the cluster variable (ivreghdfe's
``sdofminus``; xtivreg2's ``dofminus`` plus the year dummies).  Without fixed
effects the constant is a regressor and ``a = 0``.  With ``small=True`` the
variance is scaled by ``N/(N-K-a)`` (conventional, robust) or
``(N-1)/(N-K-a) * G/(G-1)`` (cluster) and inference uses t(N-K-a) or t(G-1);
with ``small=False`` it is scaled by ``N/(N-dofminus)``, ``dofminus`` being the
levels of the first (panel) effect unless nested in the cluster, as xtivreg2
does, and inference is normal.  The KP rk Wald F and Cragg-Donald F computed
on within data use ``N-L``; they are multiplied by ``(N-L-a)/(N-L)``, which
reproduces ivreghdfe and xtivreg2 + i.year with a cluster-nested panel effect
(for a non-nested panel effect xtivreg2 also divides the Wald statistic by
``N-dofminus`` rather than ``N``; that second-order difference is ignored).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import solve_triangular

from helpers.design import (
    SCALE_RATIO_TOL,
    check_clusters,
    check_full_rank,
    check_variation,
    spread,
)
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import (
    Absorber,
    FEResult,
    FESpec,
    absorbed_rank,
    drop_singleton_rows,
    fe_codes,
    fe_columns,
    fe_label,
    fe_ols,
    fit_prepared,
    is_nested,
    prepare_frame,
    sandwich_scores_cov,
    without_singletons,
)
from helpers.inference import CoefficientTableMixin, chi2_sf, f_sf, two_sided_p
from helpers.paths import DATA_DIR

ESTIMATORS = ("2sls", "gmm2s")
VCOV_TYPES = ("conventional", "robust", "cluster")
STOCK_YOGO_FILES = {
    "size": DATA_DIR / "reference" / "stock_yogo_2005_table5_2_2sls_size.csv",
    "bias": DATA_DIR / "reference" / "stock_yogo_2005_table5_1_2sls_relbias.csv",
}
# 1 - r_min^2 at or below this is an exact first stage (the rank statistics are undefined);
# the same bound as linearmodels.iv.common
_EXACT_FIT_TOL = 64 * np.finfo(float).eps


# --------------------------------------------------------------------------- Stock-Yogo
@functools.cache
def _stock_yogo_table(kind: str) -> pd.DataFrame:
    return pd.read_csv(STOCK_YOGO_FILES[kind]).set_index("n_excluded_instruments_K2")


def stock_yogo(n_endog: int, n_instruments: int, kind: str = "size", level: float = 0.10) -> float:
    """Stock-Yogo (2005) critical value for the Cragg-Donald F, as ivreg2 displays it.

    ``kind="size"``: maximal 2SLS size ``level`` in {0.10, 0.15, 0.20, 0.25} (Table 5.2);
    ``kind="bias"``: maximal relative bias in {0.05, 0.10, 0.20, 0.30} (Table 5.1).
    Returns NaN where the table has no entry (ivreg2 prints ``<not available>``).
    """
    check_choice("kind", kind, tuple(STOCK_YOGO_FILES))
    levels = (0.10, 0.15, 0.20, 0.25) if kind == "size" else (0.05, 0.10, 0.20, 0.30)
    check_choice("level", level, levels)
    check_choice("n_endog", n_endog, (1, 2))
    table = _stock_yogo_table(kind)
    column = f"n{n_endog}_{kind}{round(level * 100):02d}"
    if n_instruments not in table.index:
        return float("nan")
    return float(table.at[n_instruments, column])


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class FirstStage:
    """First-stage regression of one endogenous regressor and the F on excluded instruments."""

    endog: str
    result: FEResult
    f_excluded: float
    f_df: tuple[int, float]
    f_p: float


@dataclass(frozen=True)
class IVResult(CoefficientTableMixin):
    """FE-IV estimates with ivreg2's identification and overidentification statistics.

    ``r2`` is ivreg2's centred R2, ``1 - RSS/TSS``, computed on the within data
    when effects are absorbed (as ivreghdfe and xtivreg2 report it).
    """

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    vcov: pd.DataFrame
    nobs: int
    n_clusters: int | None
    df_inference: float
    absorbed_dof: int
    rss: float
    r2: float
    estimator: str
    vcov_type: str
    small: bool
    kp_lm: float
    kp_lm_df: int
    kp_lm_p: float
    kp_f: float
    cd_f: float
    stock_yogo_10: float
    overid: float
    overid_df: int
    overid_p: float
    overid_name: str
    first_stage: tuple[FirstStage, ...]
    depvar: str
    absorbed: tuple[str, ...]
    level: float

    def diagnostics(self) -> pd.Series:
        """Identification and overidentification statistics, labelled as ivreg2 prints them."""
        return pd.Series(
            {
                "Kleibergen-Paap rk LM": self.kp_lm,
                "Kleibergen-Paap rk LM p": self.kp_lm_p,
                "Kleibergen-Paap rk Wald F": self.kp_f,
                "Cragg-Donald Wald F": self.cd_f,
                "Stock-Yogo 10% maximal IV size": self.stock_yogo_10,
                self.overid_name: self.overid,
                f"{self.overid_name} p": self.overid_p,
            }
        )


@dataclass(frozen=True)
class _Within:
    """Within-transformed IV data and the bookkeeping every statistic needs."""

    y: np.ndarray
    endog: np.ndarray
    exog: np.ndarray  # includes a constant column when nothing is absorbed
    excluded: np.ndarray
    exog_names: list[str]
    endog_names: list[str]
    cluster: np.ndarray | None
    absorbed_small: int  # a: parameters absorbed (ivreg2 sdofminus + dofminus)
    dofminus: int  # large-sample adjustment (xtivreg2: panel levels unless nested)
    frame: pd.DataFrame
    codes: tuple[np.ndarray, ...]


def _prepare(data, y, endog, instruments, exog, fe, vcov, cluster, drop_singletons) -> _Within:
    check_choice("vcov", vcov, VCOV_TYPES)
    if vcov == "cluster" and cluster is None:
        raise InputError("vcov='cluster' needs a cluster column", column="cluster")
    if not endog:
        raise InputError("at least one endogenous regressor is needed", column="endog")
    if len(instruments) < len(endog):
        raise InputError(
            f"{len(instruments)} excluded instruments for {len(endog)} endogenous regressors: "
            "the equation is underidentified",
            column="instruments",
        )
    overlap = set(endog) & set(instruments) | set(exog) & set(instruments)
    if overlap:
        raise InputError(
            "a variable is both a regressor and an excluded instrument",
            column=", ".join(sorted(overlap)),
        )
    keys = [c for spec in fe for c in fe_columns(spec)]
    keys += [cluster] if vcov == "cluster" else []
    frame = prepare_frame(data, [y, *endog, *exog, *instruments], keys, what="fe_iv")
    codes = [fe_codes(frame, spec) for spec in fe]
    if drop_singletons and codes:
        frame = frame.loc[drop_singleton_rows(codes)]
        codes = [fe_codes(frame, spec) for spec in fe]
    cl = pd.factorize(frame[cluster])[0] if vcov == "cluster" else None

    raw = frame[[y, *endog, *exog, *instruments]].to_numpy(float)
    k1, k2 = len(endog), len(exog)
    if codes:
        raw = Absorber(tuple(codes)).demean(raw)
        exog_mat, exog_names = raw[:, 1 + k1 : 1 + k1 + k2], list(exog)
        nested = [c for c in codes if cl is not None and is_nested(c, cl)]
        absorbed = absorbed_rank(codes) - (absorbed_rank(nested) if nested else 0)
        first_nested = cl is not None and is_nested(codes[0], cl)
        dofminus = 0 if first_nested else int(codes[0].max()) + 1
    else:
        exog_mat = np.column_stack([raw[:, 1 + k1 : 1 + k1 + k2], np.ones(len(raw))])
        exog_names, absorbed, dofminus = [*exog, "_cons"], 0, 0
    return _Within(
        y=raw[:, 0],
        endog=raw[:, 1 : 1 + k1],
        exog=exog_mat,
        excluded=raw[:, 1 + k1 + k2 :],
        exog_names=exog_names,
        endog_names=list(endog),
        cluster=cl,
        absorbed_small=absorbed,
        dofminus=dofminus,
        frame=frame,
        codes=tuple(codes),
    )


def _variance_factor(
    vcov: str, small: bool, n: int, k_total: int, g: int | None, dofminus: int
) -> float:
    """Factor turning the asymptotic variance (no small-sample factor) into Stata's."""
    if not small:
        return n / (n - dofminus)
    if vcov == "cluster":
        return (n - 1) / (n - k_total) * g / (g - 1)
    return n / (n - k_total)


def _gmm2s(
    x: np.ndarray, z: np.ndarray, y: np.ndarray, resid_2sls: np.ndarray, cluster: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, float]:
    """ivreg2 gmm2s: ``S`` from 2SLS residuals; returns b, V (asymptotic) and Hansen J."""
    n = len(y)
    s = sandwich_scores_cov(z * resid_2sls[:, None], cluster) / n
    w = np.linalg.inv(s)
    xz = x.T @ z
    a = xz @ w @ xz.T
    beta = np.linalg.solve(a, xz @ w @ (z.T @ y))
    gbar = z.T @ (y - x @ beta) / n
    return beta, n * np.linalg.inv(a), float(n * gbar @ w @ gbar)


def _full_column_rank(r: np.ndarray, n_rows: int) -> bool:
    """Whether the R of a thin QR of an ``n_rows``-row matrix has full rank.

    numpy's ``matrix_rank`` tolerance: a pivot below ``max|pivot| * max(n, k) * eps`` is zero.
    """
    pivots = np.abs(np.diag(r))
    tol = pivots.max(initial=0.0) * max(n_rows, r.shape[1]) * np.finfo(float).eps
    return pivots.size == 0 or pivots.min() > tol


def _tsls(
    x: np.ndarray,
    z: np.ndarray,
    y: np.ndarray,
    vcov: str,
    cluster: np.ndarray | None,
    names: Sequence[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2SLS ``b = (X^'X^)^{-1} X^'y`` with ``X^ = P_Z X``; returns b, asymptotic V, residuals.

    V is ``e'e/N (X^'X^)^{-1}`` (conventional) or ``B (sum s_g s_g') B`` with
    ``B = (X^'X^)^{-1}`` and scores ``s_i = x^_i e_i`` summed within clusters
    (robust: each observation its own cluster), with no small-sample factor.
    """
    qz, rz = np.linalg.qr(z)
    if not _full_column_rank(rz, len(z)):
        raise InputError(
            "the instruments are collinear with each other, the exogenous regressors or the "
            "absorbed effects",
            column="instruments",
        )
    xhat = qz @ (qz.T @ x)
    qx, rx = np.linalg.qr(xhat)
    if not _full_column_rank(rx, len(x)):
        raise InputError(
            "the regressors are not identified: collinear with each other or the absorbed "
            "effects once projected on the instruments",
            column=", ".join(names),
        )
    beta = solve_triangular(rx, qx.T @ y)  # X^'X = X^'X^
    resid = y - x @ beta
    rinv = solve_triangular(rx, np.eye(rx.shape[0]))
    bread = rinv @ rinv.T
    if vcov == "conventional":
        return beta, bread * float(resid @ resid) / len(y), resid
    meat = sandwich_scores_cov(xhat * resid[:, None], cluster)
    return beta, bread @ meat @ bread, resid


@dataclass(frozen=True)
class _RankTests:
    kp_lm: float
    kp_lm_df: int
    kp_lm_p: float
    kp_f: float
    cd_f: float


def _orthonormal(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Thin QR ``matrix = Q R``; None when ``matrix`` lacks full column rank."""
    q, r = np.linalg.qr(matrix)
    return (q, r) if _full_column_rank(r, len(matrix)) else None


def _rk_statistic(
    scores_of: np.ndarray,
    z: np.ndarray,
    cluster: np.ndarray | None,
    transform: np.ndarray,
    select: np.ndarray,
    lam: np.ndarray,
) -> tuple[float, int] | None:
    """``N lam' [select V_theta select']^+ lam`` and its rank (ranktest's rk statistic).

    ``V_theta`` is the covariance of ``sqrt(N) vec(Theta)`` from the scores
    ``v_ij z_i`` (``v`` = ``scores_of``; ordered by column of ``v``, then instrument).
    """
    n = z.shape[0]
    scores = (scores_of[:, :, None] * z[:, None, :]).reshape(n, -1)
    shat = sandwich_scores_cov(scores, cluster) / n
    vlam = select @ (transform @ shat @ transform.T) @ select.T
    vlam = (vlam + vlam.T) / 2
    values, vectors = np.linalg.eigh(vlam)
    positive = values > values.max() * np.finfo(float).eps * vlam.shape[0]
    if not positive.any():
        return None
    coef = vectors[:, positive].T @ lam
    return n * float((coef**2 / values[positive]).sum()), int(positive.sum())


def _rank_tests(
    endog: np.ndarray, excluded: np.ndarray, exog: np.ndarray, vcov: str, cluster: np.ndarray | None
) -> _RankTests:
    """Kleibergen-Paap rk LM and rk Wald F, and the Cragg-Donald F, on within data.

    After partialling ``exog`` out, ``Theta = Q_Z' Q_X`` (thin QR of the instruments and
    of the endogenous regressors) holds the canonical correlations; its smallest singular
    value ``r_min`` gives Cragg-Donald ``F = (N-L1-c) r_min^2 / (1 - r_min^2) / L1`` and,
    under conventional errors, the rk LM ``N r_min^2`` (Anderson).  Otherwise the rk LM
    and Wald statistics are ranktest's quadratic forms in the part of ``vec(Theta)`` along
    the smallest singular vectors, with the robust or cluster covariance of the scores
    (the endogenous regressors, respectively the first-stage residuals, times the
    instruments); ``F = W (N-L1-c) / (N L1)``, or ``W (N-L1-c)(G-1) / ((N-1) G L1)`` with
    clusters, as ivreg2 reports it.  Undefined statistics (collinear or exactly predicted
    endogenous regressors) are NaN.
    """
    n, l1 = excluded.shape
    k1, c = endog.shape[1], exog.shape[1]
    df = l1 - k1 + 1
    undefined = _RankTests(np.nan, df, np.nan, np.nan, np.nan)
    if c:
        qe, _ = np.linalg.qr(exog)
        endog = endog - qe @ (qe.T @ endog)
        excluded = excluded - qe @ (qe.T @ excluded)
    z_qr, x_qr = _orthonormal(excluded / np.sqrt(n)), _orthonormal(endog / np.sqrt(n))
    if z_qr is None or x_qr is None:
        return undefined
    (qz, rz), (qx, rx) = z_qr, x_qr
    theta = qz.T @ qx
    u, s, vt = np.linalg.svd(theta, full_matrices=True)
    r2 = float(s[-1]) ** 2
    if 1.0 - r2 <= _EXACT_FIT_TOL:
        return undefined
    dof = n - l1 - c
    cd_f = dof * r2 / (1.0 - r2) / l1
    if vcov == "conventional":
        lm = n * r2
        return _RankTests(lm, df, chi2_sf(lm, df), cd_f, cd_f)
    irz = solve_triangular(rz, np.eye(l1))
    irx = solve_triangular(rx, np.eye(k1))
    transform = np.kron(irx.T, irz.T)
    select = np.kron(vt.T[:, k1 - 1 :].T, u[:, k1 - 1 :].T)
    lam = select @ theta.ravel(order="F")
    lm = _rk_statistic(endog, excluded, cluster, transform, select, lam)
    if lm is None:
        return undefined
    pihat = solve_triangular(rz, qz.T @ (endog / np.sqrt(n)))  # (Z'Z)^{-1} Z'X
    wald = _rk_statistic(endog - excluded @ pihat, excluded, cluster, transform, select, lam)
    if cluster is not None:
        g = int(cluster.max()) + 1
        scale = dof * (g - 1) / g / (n - 1)
    else:
        scale = dof / n
    kp_f = wald[0] * scale / l1 if wald is not None else np.nan
    return _RankTests(lm[0], lm[1], chi2_sf(lm[0], lm[1]), kp_f, cd_f)


# --------------------------------------------------------------------------- estimator
def check_iv_design(
    data: pd.DataFrame,
    y: str,
    endog: Sequence[str],
    instruments: Sequence[str],
    exog: Sequence[str],
    fe: Sequence,
    vcov: str = "conventional",
    cluster: str | None = None,
    drop_singletons: bool = True,
    level: float = 0.95,
) -> None:
    """Every check of this module on the estimation sample of an FE-IV regression, run by
    :func:`fe_iv` and :func:`endogeneity_tests` before they estimate.

    The sample is the one they estimate on: listwise deletion, then singleton groups
    dropped.  Raises :class:`InputError` for a bad option, too few clusters, a constant or
    absorbed outcome, regressor or instrument, collinear instruments (with the exogenous
    regressors), collinear regressors, or a column too small to tell from zero.
    """
    check_choice("vcov", vcov, ("conventional", "robust", "cluster"))
    if vcov == "cluster" and cluster is None:
        raise InputError("vcov='cluster' needs a cluster column", column="cluster")
    if not 0 < level < 1:
        raise InputError("must lie strictly between 0 and 1", column="level")
    if not endog or len(instruments) < len(endog):
        return  # the estimator names these
    endog, instruments, exog = list(endog), list(instruments), list(exog)
    keys = [c for spec in fe for c in fe_columns(spec)]
    keys += [cluster] if vcov == "cluster" and cluster is not None else []
    columns = list(dict.fromkeys([y, *endog, *exog, *instruments]))
    frame = prepare_frame(data, columns, keys, what="fe_iv")
    frame, codes, _ = without_singletons(frame, fe, drop=drop_singletons)
    if vcov == "cluster" and cluster is not None:
        n_clusters = check_clusters(frame[cluster].to_numpy(), cluster)
        n_moments = len(instruments) + len(exog) + (0 if codes else 1)
        if n_clusters <= n_moments:
            raise InputError(
                f"cluster-robust IV statistics need more clusters than instruments: the "
                f"estimation sample has {n_clusters} clusters for {n_moments} moment "
                "conditions (excluded instruments, exogenous regressors and the constant), so "
                "their covariance matrix is singular",
                column=cluster,
                hint="Cluster on a finer variable, or use vcov='robust'",
            )
    raw = frame[columns].to_numpy(float)
    within = Absorber(tuple(codes)).demean(raw) if codes else raw - raw.mean(axis=0)
    absorbed = [fe_label(s) for s in fe]
    position = {name: j for j, name in enumerate(columns)}
    roles = [(y, "outcome")] + [(e, "endogenous regressor") for e in endog]
    roles += [(x, "exogenous regressor") for x in exog]
    roles += [(z, "excluded instrument") for z in instruments]
    role_of = dict(roles)
    for name, role in roles:
        j = position[name]
        check_variation(name, raw[:, j], within[:, j], absorbed, role)

    # the first stages and linearmodels' rank tests include a constant: it sets the scale
    scaled = [*endog, *exog, *instruments]
    spreads = np.array([spread(within[:, position[c]]) for c in scaled])
    largest = max(float(spreads.max(initial=0.0)), 1.0)
    for name, column_spread in zip(scaled, spreads, strict=True):
        if column_spread < SCALE_RATIO_TOL * largest:
            raise InputError(
                f"the {role_of[name]} varies {column_spread / largest:.1e} times as much as the "
                "largest column of the design (the constant counts as 1); a rank test cannot "
                "tell it from zero",
                column=name,
                hint="Rescale it (e.g. multiply by a power of ten); 2SLS slopes scale with it",
            )

    z_names = [*instruments, *exog]
    z_within = within[:, [position[c] for c in z_names]]
    check_full_rank(z_within, z_names, "instruments and exogenous regressors", absorbed)
    x_names = [*endog, *exog]
    check_full_rank(within[:, [position[c] for c in x_names]], x_names, "regressors", absorbed)


def fe_iv(
    data: pd.DataFrame,
    y: str,
    endog: Sequence[str],
    instruments: Sequence[str],
    exog: Sequence[str] = (),
    fe: Sequence[FESpec] = (),
    *,
    estimator: str = "2sls",
    vcov: str = "conventional",
    cluster: str | None = None,
    small: bool = False,
    drop_singletons: bool = True,
    level: float = 0.95,
) -> IVResult:
    """FE-2SLS or two-step GMM with ivreg2's statistics (see the module docstring).

    ``b_2sls = (X'P_Z X)^{-1} X'P_Z y`` on within data, ``X = [endog, exog]``,
    ``Z = [instruments, exog]``.  Returns the coefficients, KP rk LM (chi2 with
    ``L1-K1+1`` df), KP rk Wald F (Cragg-Donald F with conventional errors),
    the Stock-Yogo 10% maximal-size critical value, Sargan's statistic
    (conventional) or Hansen's J (robust/cluster), and the first stages.
    """
    check_choice("estimator", estimator, ESTIMATORS)
    endog, instruments, exog = list(endog), list(instruments), list(exog)
    fe = [fe] if isinstance(fe, str) else list(fe)
    check_iv_design(data, y, endog, instruments, exog, fe, vcov, cluster, drop_singletons, level)
    wd = _prepare(data, y, endog, instruments, exog, fe, vcov, cluster, drop_singletons)
    n = len(wd.y)
    x = np.column_stack([wd.endog, wd.exog])
    z = np.column_stack([wd.excluded, wd.exog])
    k, l1 = x.shape[1], wd.excluded.shape[1]
    k_total = k + wd.absorbed_small
    if n - k_total <= 0:
        raise InputError(f"no residual degrees of freedom (N={n}, K={k_total})", column="fe")
    names = [*endog, *wd.exog_names]
    g = int(wd.cluster.max()) + 1 if wd.cluster is not None else None

    beta, v, resid = _tsls(x, z, wd.y, vcov, wd.cluster, names)
    if vcov == "conventional":
        overid_name = "Sargan"
        overid = float(n * (resid @ z @ np.linalg.solve(z.T @ z, z.T @ resid)) / (resid @ resid))
    else:
        overid_name = "Hansen J"
        gmm_beta, gmm_v, overid = _gmm2s(x, z, wd.y, resid, wd.cluster)
    if estimator == "gmm2s":
        if vcov == "conventional":
            raise InputError(
                "gmm2s needs vcov='robust' or 'cluster' (else it is 2SLS)", column="estimator"
            )
        beta, v = gmm_beta, gmm_v
    v = v * _variance_factor(vcov, small, n, k_total, g, wd.dofminus)
    if small:
        df_inf = float(g - 1) if vcov == "cluster" else float(n - k_total)
    else:
        df_inf = np.inf
    se = np.sqrt(np.diag(v))
    rss = float(np.sum((wd.y - x @ beta) ** 2))
    y_dev = wd.y - wd.y.mean()  # within data already have mean zero

    # identification, on within data; F forms rescaled for absorbed parameters
    rank = _rank_tests(wd.endog, wd.excluded, wd.exog, vcov, wd.cluster)
    rescale = (n - l1 - wd.exog.shape[1] - wd.absorbed_small) / (n - l1 - wd.exog.shape[1])
    overid_df = l1 - len(endog)
    first = tuple(_first_stage(wd, e, instruments, exog, fe, vcov, cluster) for e in endog)
    idx = pd.Index(names, name="term")
    return IVResult(
        params=pd.Series(beta, idx, name="coef"),
        bse=pd.Series(se, idx, name="se"),
        tvalues=pd.Series(beta / se, idx, name="t"),
        pvalues=pd.Series(two_sided_p(beta / se, df_inf), idx, name="p"),
        vcov=pd.DataFrame(v, idx, idx),
        nobs=n,
        n_clusters=g,
        df_inference=df_inf,
        absorbed_dof=wd.absorbed_small,
        rss=rss,
        r2=1 - rss / float(y_dev @ y_dev),
        estimator=estimator,
        vcov_type=vcov,
        small=small,
        kp_lm=rank.kp_lm,
        kp_lm_df=rank.kp_lm_df,
        kp_lm_p=rank.kp_lm_p,
        kp_f=rank.kp_f * rescale,
        cd_f=rank.cd_f * rescale,
        stock_yogo_10=stock_yogo(len(endog), l1) if len(endog) <= 2 else float("nan"),
        overid=overid if overid_df > 0 else float("nan"),
        overid_df=overid_df,
        overid_p=chi2_sf(overid, overid_df) if overid_df > 0 else float("nan"),
        overid_name=overid_name,
        first_stage=first,
        depvar=y,
        absorbed=tuple(fe_label(s) for s in fe),
        level=level,
    )


def _wald_f(res: FEResult, terms: Sequence[str]) -> tuple[float, tuple[int, float], float]:
    """Wald F = b' V^{-1} b / q for ``terms`` with the estimate's own covariance and df."""
    b = res.params[list(terms)].to_numpy()
    vv = res.vcov.loc[list(terms), list(terms)].to_numpy()
    f = float(b @ np.linalg.solve(vv, b)) / len(terms)
    df2 = res.df_inference
    p = f_sf(f, len(terms), df2) if np.isfinite(df2) else chi2_sf(f * len(terms), len(terms))
    return f, (len(terms), df2), p


def _first_stage(wd: _Within, endog, instruments, exog, fe, vcov, cluster) -> FirstStage:
    """reghdfe of one endogenous regressor on the instruments, on the IV sample.

    Equal to ``fe_ols(wd.frame, endog, [*instruments, *exog], fe, vcov=vcov,
    cluster=cluster, drop_singletons=False)``; the sample's checks and group codes
    are those the IV fit already made.
    """
    within = None
    if wd.codes:  # the IV fit already swept these columns of the effects
        column = wd.endog[:, [wd.endog_names.index(endog)]]
        within = np.column_stack([column, wd.excluded, wd.exog])
    res = fit_prepared(
        wd.frame,
        endog,
        [*instruments, *exog],
        fe,
        wd.codes,
        vcov=vcov,
        cluster=cluster,
        within=within,
    )
    f, df, p = _wald_f(res, instruments)
    return FirstStage(endog=endog, result=res, f_excluded=f, f_df=df, f_p=p)


# --------------------------------------------------------------------------- endogeneity
def _projection(matrix: np.ndarray, onto: np.ndarray) -> np.ndarray:
    q, _ = np.linalg.qr(onto)
    return q @ (q.T @ matrix)


def _durbin(
    x: np.ndarray, z: np.ndarray, endog: np.ndarray, y: np.ndarray, resid_2sls: np.ndarray
) -> float:
    """Durbin's chi2 ``N (e_r'P_[Z,X1] e_r - e_u'P_Z e_u) / (e_r'e_r)`` (ivreg2, ivendog).

    ``e_r`` are the OLS residuals treating every regressor as exogenous, ``e_u`` the
    2SLS residuals; ``P_[Z,X1]`` projects on the instruments and the endogenous regressors.
    """
    e_r = y - _projection(y, x)
    e1 = _projection(e_r, np.column_stack([z, endog]))
    e2 = _projection(resid_2sls, z)
    return float((e1 @ e1 - e2 @ e2) / (e_r @ e_r / len(y)))


@dataclass(frozen=True)
class EndogeneityTests:
    """Tests that the endogenous regressors are in fact exogenous.

    ``durbin`` (chi2) and ``wu_hausman`` (F) are ivreg2/ivendog's Durbin-Wu-Hausman
    statistics; ``dm_f`` is the Davidson-MacKinnon (1993) augmented-regression F
    with the requested covariance (Stata ``dmexogxt``), identical to Wu-Hausman
    under conventional errors.
    """

    durbin: float
    durbin_p: float
    wu_hausman: float
    wu_hausman_p: float
    wu_hausman_df: tuple[int, float]
    dm_f: float
    dm_p: float
    dm_df: tuple[int, float]


def endogeneity_tests(
    data: pd.DataFrame,
    y: str,
    endog: Sequence[str],
    instruments: Sequence[str],
    exog: Sequence[str] = (),
    fe: Sequence[FESpec] = (),
    *,
    vcov: str = "conventional",
    cluster: str | None = None,
    drop_singletons: bool = True,
) -> EndogeneityTests:
    """Durbin-Wu-Hausman and Davidson-MacKinnon tests with absorbed fixed effects.

    Davidson-MacKinnon: add the first-stage residuals ``v`` to the FE regression of
    ``y`` on ``[endog, exog]`` and test ``v = 0`` (F with the regression's own
    covariance; reghdfe degrees of freedom).  Durbin's chi2 is
    ``N (e_r'P e_r - e_u'P e_u) / (e_r'e_r)`` on the within data (:func:`_durbin`).
    """
    endog, instruments, exog = list(endog), list(instruments), list(exog)
    fe = [fe] if isinstance(fe, str) else list(fe)
    check_iv_design(data, y, endog, instruments, exog, fe, vcov, cluster, drop_singletons)
    wd = _prepare(data, y, endog, instruments, exog, fe, vcov, cluster, drop_singletons)
    x = np.column_stack([wd.endog, wd.exog])
    z = np.column_stack([wd.excluded, wd.exog])
    _, _, resid = _tsls(x, z, wd.y, "conventional", None, [*endog, *wd.exog_names])
    durbin = _durbin(x, z, wd.endog, wd.y, resid)
    frame = wd.frame.copy()
    coef = np.linalg.lstsq(z, wd.endog, rcond=None)[0]
    vnames = [f"_v_{e}" for e in endog]
    frame[vnames] = wd.endog - z @ coef
    conv = fe_ols(frame, y, [*endog, *exog, *vnames], fe, drop_singletons=False)
    wh, wh_df, wh_p = _wald_f(conv, vnames)
    if vcov == "conventional":
        dm, dm_df, dm_p = wh, wh_df, wh_p
    else:
        aug = fe_ols(
            frame,
            y,
            [*endog, *exog, *vnames],
            fe,
            vcov=vcov,
            cluster=cluster,
            drop_singletons=False,
        )
        dm, dm_df, dm_p = _wald_f(aug, vnames)
    return EndogeneityTests(
        durbin=durbin,
        durbin_p=chi2_sf(durbin, len(endog)),
        wu_hausman=wh,
        wu_hausman_p=wh_p,
        wu_hausman_df=wh_df,
        dm_f=dm,
        dm_p=dm_p,
        dm_df=dm_df,
    )


def fe_2sls_coefficients(
    data: pd.DataFrame,
    y: str,
    endog: Sequence[str],
    instruments: Sequence[str],
    exog: Sequence[str] = (),
    fe: Sequence[FESpec] = (),
    *,
    drop_singletons: bool = True,
) -> pd.Series:
    """The FE-2SLS coefficients of :func:`fe_iv` alone, on the same sample and within data,
    without inference or identification statistics:
    ``b = (X_hat'X_hat)^{-1} X_hat'y`` with ``X_hat = P_Z X``, ``X = [endog, exog]``,
    ``Z = [instruments, exog]``. For computations that need the estimator's linear
    projection many times (the known truth of a simulated seed), at a small fraction of
    the cost of :func:`fe_iv`.
    """
    endog, instruments, exog = list(endog), list(instruments), list(exog)
    fe = [fe] if isinstance(fe, str) else list(fe)
    wd = _prepare(data, y, endog, instruments, exog, fe, "conventional", None, drop_singletons)
    x = np.column_stack([wd.endog, wd.exog])
    z = np.column_stack([wd.excluded, wd.exog])
    fitted = z @ np.linalg.lstsq(z, x, rcond=None)[0]
    beta = np.linalg.lstsq(fitted, wd.y, rcond=None)[0]
    return pd.Series(beta, index=pd.Index([*endog, *wd.exog_names], name="term"), name="coef")
