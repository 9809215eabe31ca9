"""Fixed-effects OLS with Stata's conventions (reghdfe, xtreg, fe, areg).

One code path serves one-way, two-way and interacted fixed effects: every
variable is swept of the absorbed effects by alternating projections (exact in
one sweep for a single effect or a balanced two-way panel), the grand mean is
added back and OLS with a constant is run on the transformed data.  This is how
``xtreg, fe`` and ``reghdfe`` report ``_cons``: the slope coefficients are the
within estimates and ``_cons = ybar - xbar'b`` (Stata manual [XT] xtreg,
"Methods and formulas"; Correia 2016, reghdfe help "_cons").

Mapping from Stata commands to :func:`fe_ols` options
----------------------------------------------------------
* ``reghdfe y x, absorb(id year)`` -> ``fe=["id", "year"]`` (default ``dof="reghdfe"``)
* ``reghdfe ..., vce(robust)`` -> ``vcov="robust"`` (HC1 with ``N/(N-K-df_a)``)
* ``reghdfe ..., vce(cluster id)`` -> ``vcov="cluster", cluster="id"``
* ``reghdfe y x, absorb(id prov#year)`` -> ``fe=["id", ("prov", "year")]``
* ``xtreg y x, fe`` -> ``fe=["id"], drop_singletons=False``
* ``xtreg y x, fe vce(robust)`` and ``vce(cluster id)`` -> ``vcov="cluster", cluster="id"``
  (xtreg's "robust" *is* clustering by panel)
* ``areg y x, absorb(id) vce(cluster id)`` -> ``dof="areg"`` (absorbed levels always count)
* ``regress y x [, robust]`` -> ``fe=[]``
* ``[aw=w]`` / ``[pw=w]`` -> ``weights="w"``

Degrees of freedom.  ``df_a`` is the rank of the absorbed dummies together with
the constant.  Under ``dof="reghdfe"`` (= ``xtreg, fe``) a fixed effect nested
within the cluster variable is not counted (only the constant is), so
``df_r = N - K - df_a``; under ``dof="areg"`` every absorbed level counts.
Two effects are counted exactly (levels minus connected components of their
bipartite graph); each further effect is assumed to lose one level to the
constant, which is reghdfe's conservative default.  The small-sample factors
are ``(N-1)/df_r * G/(G-1)`` for clusters with t(G-1) inference, ``N/df_r``
for HC1 and ``RSS/df_r`` for conventional errors with t(df_r).  ``dof="none"``
uses no factor at all (HC0, CR0, RSS/N) and normal inference, as ``ivreg2``
without ``small`` does.  reghdfe drops singleton groups by default; xtreg keeps
them (``drop_singletons=False``).

R-squared.  ``r2``/``r2_a`` are reghdfe's (fit including the absorbed
effects), ``r2_within``/``r2_a_within`` use the demeaned outcome, and
``r2_between``/``r2_overall``/``sigma_u``/``sigma_e``/``rho`` are xtreg's,
computed for the first absorbed effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from helpers.design import check_clusters, check_variation, redundant_columns
from helpers.errors import InputError, check_choice, check_magnitude
from helpers.inference import CoefficientTableMixin, two_sided_p

FESpec = str | tuple[str, ...]
VCOV_TYPES = ("conventional", "robust", "cluster")
DOF_RULES = ("reghdfe", "areg", "none")


# --------------------------------------------------------------------------- data preparation
def fe_label(spec: FESpec) -> str:
    """Stata-style label of an absorbed effect: ``'prov#year'`` for an interaction."""
    return "#".join(spec) if isinstance(spec, tuple) else spec


def fe_columns(spec: FESpec) -> list[str]:
    """Columns making up one absorbed effect."""
    return list(spec) if isinstance(spec, tuple) else [spec]


def fe_codes(frame: pd.DataFrame, spec: FESpec) -> np.ndarray:
    """Integer group codes 0..G-1 of one absorbed effect (interactions combined)."""
    cols = fe_columns(spec)
    if len(cols) == 1:
        return pd.factorize(frame[cols[0]], sort=True)[0]
    return frame.groupby(cols, sort=True, observed=True).ngroup().to_numpy()


def prepare_frame(
    data: pd.DataFrame,
    numeric: Sequence[str],
    keys: Sequence[str],
    *,
    optional: Sequence[str] = (),
    what: str = "estimation",
) -> pd.DataFrame:
    """Copy of the used columns with incomplete rows dropped (Stata's listwise deletion).

    ``optional`` columns are carried along but may be missing (e.g. the adoption
    year of never-treated units).  Raises :class:`InputError` for a missing
    column or a non-numeric variable.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a pandas DataFrame", column="data")
    used = list(dict.fromkeys([*numeric, *keys, *optional]))
    missing = [c for c in used if c not in data.columns]
    if missing:
        raise InputError(
            f"column not found in the data for {what}",
            column=", ".join(missing),
            hint=f"available columns: {', '.join(map(str, data.columns[:20]))}",
        )
    frame = data.loc[:, used].copy()
    for col in dict.fromkeys(numeric):
        if not pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col]):
            try:
                frame[col] = pd.to_numeric(frame[col]).astype(float)
            except (TypeError, ValueError):
                raise InputError("must be numeric", column=col) from None
        check_magnitude(frame[col].to_numpy(dtype=float), column=col, rows=frame.index)
    frame = frame.dropna(subset=[c for c in used if c not in optional])
    if frame.empty:
        raise InputError(f"no complete rows left for {what}", column=", ".join(used))
    return frame


# --------------------------------------------------------------------------- absorption
@dataclass(frozen=True)
class Absorber:
    """Within transformation for one or more absorbed effects (alternating projections).

    ``codes`` holds one integer code vector per effect; ``weights`` are analytic
    weights (``None`` for equal weights).  :meth:`demean` sweeps every column of
    a matrix at once, so thousands of placebo draws cost one sparse product per
    sweep.
    """

    codes: tuple[np.ndarray, ...]
    weights: np.ndarray | None = None
    tol: float = 1e-14
    max_iter: int = 10_000
    _ops: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = self.codes[0].size if self.codes else 0
        w = np.ones(n) if self.weights is None else self.weights
        ops = []
        for c in self.codes:
            mat = sparse.csr_matrix((w, (c, np.arange(n))), shape=(c.max() + 1, n))
            totals = np.asarray(mat.sum(axis=1)).ravel()
            ops.append((c, sparse.diags(1.0 / totals) @ mat))
        object.__setattr__(self, "_ops", tuple(ops))

    def demean(self, matrix: np.ndarray) -> np.ndarray:
        """Residuals of ``matrix`` (n or n x m) on the constant and all absorbed dummies."""
        out = np.array(matrix, dtype=float, copy=True)
        if not self._ops:
            w = np.ones(out.shape[0]) if self.weights is None else self.weights
            return out - w @ out / w.sum()
        scale = max(float(np.abs(out).max(initial=0.0)), 1.0)
        for _ in range(self.max_iter):
            change = 0.0
            for codes, mean_op in self._ops:
                means = mean_op @ out
                out -= means[codes]
                change = max(change, float(np.abs(means).max(initial=0.0)))
            if len(self._ops) == 1 or change <= self.tol * scale:
                return out
        raise InputError(
            f"fixed-effect demeaning did not converge in {self.max_iter} sweeps",
            column="fe",
            hint="check for nearly disconnected groups of units and years",
        )


def _bipartite_components(a: np.ndarray, b: np.ndarray) -> int:
    na, nb = a.max() + 1, b.max() + 1
    adj = sparse.coo_matrix((np.ones(a.size), (a, b + na)), shape=(na + nb, na + nb))
    return connected_components(adj, directed=False)[0]


def absorbed_rank(codes: Sequence[np.ndarray]) -> int:
    """Rank of [constant, dummies of every effect] (exact for two effects, reghdfe rule after)."""
    if not codes:
        return 1
    levels = [int(c.max()) + 1 for c in codes]
    rank = levels[0]
    if len(codes) >= 2:
        rank += levels[1] - _bipartite_components(codes[0], codes[1])
    return rank + sum(lv - 1 for lv in levels[2:])


def is_nested(inner: np.ndarray, outer: np.ndarray) -> bool:
    """True when each level of ``inner`` lies within a single level of ``outer``."""
    inner, outer = np.asarray(inner), np.asarray(outer)
    if inner.size == 0:
        return True
    # one outer level per inner level: any outer value seen with a level must equal all others
    inner_codes = pd.factorize(inner)[0]
    level_outer = np.empty(inner_codes.max() + 1, dtype=outer.dtype)
    level_outer[inner_codes] = outer
    return bool((level_outer[inner_codes] == outer).all())


def absorbed_dof(
    codes: Sequence[np.ndarray], cluster: np.ndarray | None, rule: str
) -> tuple[int, int]:
    """``(df_a, df_a_all)``: absorbed dof under ``rule`` and with every effect counted.

    Both include the constant.  Under ``"reghdfe"`` an effect nested in the
    cluster variable is dropped from the count (reghdfe/xtreg); ``"areg"`` and
    ``"none"`` count everything.
    """
    df_all = absorbed_rank(codes)
    if rule != "reghdfe" or cluster is None:
        return df_all, df_all
    kept = [c for c in codes if not is_nested(c, cluster)]
    return absorbed_rank(kept), df_all


def drop_singleton_rows(codes: Sequence[np.ndarray]) -> np.ndarray:
    """Boolean mask keeping rows not in a singleton group of any effect (iterated, as reghdfe)."""
    n = codes[0].size if codes else 0
    keep = np.ones(n, dtype=bool)
    while True:
        before = keep.sum()
        for c in codes:
            counts = np.bincount(c[keep], minlength=c.max() + 1)
            keep &= counts[c] > 1
        if keep.sum() == before:
            return keep


def without_singletons(
    frame: pd.DataFrame, fe: Sequence[FESpec], *, drop: bool = True
) -> tuple[pd.DataFrame, list[np.ndarray], int]:
    """``(frame, codes, n_dropped)``: ``frame`` without singleton groups (when ``drop``) and
    the group codes of each effect; :class:`InputError` when no observation is left."""
    codes = [fe_codes(frame, spec) for spec in fe]
    if not (drop and codes):
        return frame, codes, 0
    keep = drop_singleton_rows(codes)
    if keep.all():
        return frame, codes, 0
    if not keep.any():
        who = f"all {len(keep)} observations are" if len(keep) > 1 else "the one observation is"
        raise InputError(
            f"{who} alone in their fixed-effect group (singletons); none is left once "
            "singletons are dropped",
            column=", ".join(fe_label(s) for s in fe),
            hint="Pass drop_singletons=False (xtreg keeps singletons), or check the "
            "fixed-effect columns",
        )
    frame = frame.loc[keep]
    return frame, [fe_codes(frame, spec) for spec in fe], int((~keep).sum())


# --------------------------------------------------------------------------- covariance
def sandwich_scores_cov(scores: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    """Middle of the sandwich: sum of outer products of (cluster-summed) scores."""
    if cluster is not None:
        g = pd.factorize(cluster)[0]
        n_groups = int(g.max()) + 1
        # one bincount per column: several times faster than np.add.at on a 2-d array
        scores = np.column_stack(
            [np.bincount(g, weights=col, minlength=n_groups) for col in scores.T]
        ).reshape(n_groups, scores.shape[1])
    return scores.T @ scores


def small_sample_factor(
    vcov: str, rule: str, nobs: int, df_resid: int, n_clusters: int | None
) -> float:
    """Stata's factor on the sandwich (see module docstring); 1 for ``rule='none'``."""
    if rule == "none" or vcov == "conventional":
        return 1.0
    if vcov == "robust":
        return nobs / df_resid
    return (nobs - 1) / df_resid * n_clusters / (n_clusters - 1)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class FEResult(CoefficientTableMixin):
    """Fixed-effects OLS estimates with the statistics Stata prints.

    ``df_inference`` is the t degrees of freedom used for p-values and intervals
    (``inf`` means normal inference).
    """

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    vcov: pd.DataFrame
    nobs: int
    df_resid: int
    df_inference: float
    n_clusters: int | None
    df_a: int
    rss: float
    r2: float
    r2_a: float
    r2_within: float
    r2_a_within: float
    r2_between: float
    r2_overall: float
    sigma_u: float
    sigma_e: float
    rho: float
    depvar: str
    absorbed: tuple[str, ...]
    vcov_type: str
    dof: str
    level: float
    n_singletons: int
    sample: pd.Index

    def stats(self) -> pd.Series:
        """Model statistics as a Series (N, R2 variants, sigma_u/e, rho, clusters)."""
        keys = (
            "nobs r2 r2_a r2_within r2_a_within r2_between r2_overall sigma_u sigma_e rho "
            "n_clusters df_resid df_a rss"
        ).split()
        return pd.Series({k: getattr(self, k) for k in keys}, name=self.depvar)


# --------------------------------------------------------------------------- estimator
def _corr2(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1] ** 2) if a.size > 1 else float("nan")


def fe_ols(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    fe: Sequence[FESpec] = (),
    *,
    vcov: str = "conventional",
    cluster: str | None = None,
    dof: str = "reghdfe",
    weights: str | None = None,
    drop_singletons: bool = True,
    level: float = 0.95,
) -> FEResult:
    """OLS of ``y`` on ``x`` absorbing ``fe``, reported as reghdfe / xtreg, fe do.

    Parameters
    ----------
    data
        Long data frame; rows with a missing value in a used column are dropped.
    y, x
        Outcome and regressor names (``x`` may be empty).
    fe
        Absorbed effects: column names, or tuples of names for an interaction
        (``("prov", "year")`` is Stata's ``prov#year``).  Empty gives ``regress``.
    vcov
        ``"conventional"``, ``"robust"`` (HC1) or ``"cluster"`` (needs ``cluster``).
    cluster
        Column defining clusters.
    dof
        Small-sample rule: ``"reghdfe"`` (= xtreg, fe), ``"areg"`` or ``"none"``.
    weights
        Column of analytic/probability weights (Stata ``[aw=]``/``[pw=]``).
    drop_singletons
        Drop observations alone in a fixed-effect group (reghdfe default).
    level
        Confidence level for :meth:`FEResult.conf_int`.

    Returns
    -------
    FEResult
        ``b = (X~'WX~)^{-1} X~'Wy~`` with ``~`` the within transform; ``V`` =
        factor x bread x meat x bread (module docstring gives the factors).
    """
    check_choice("vcov", vcov, VCOV_TYPES)
    check_choice("dof", dof, DOF_RULES)
    x = [x] if isinstance(x, str) else list(x)
    fe = [fe] if isinstance(fe, str) else list(fe)
    if vcov == "cluster" and cluster is None:
        raise InputError("vcov='cluster' needs a cluster column", column="cluster")
    if not 0 < level < 1:
        raise InputError("must lie strictly between 0 and 1", column="level")
    if y in x:
        raise InputError("the outcome cannot also be a regressor", column=y)
    keys = [c for spec in fe for c in fe_columns(spec)]
    keys += [cluster] if vcov == "cluster" else []
    numeric = [y, *x] + ([weights] if weights else [])
    frame = prepare_frame(data, numeric, keys, what="fe_ols")
    if weights is not None:
        bad = frame[weights].to_numpy() <= 0
        if bad.any():
            raise InputError("weights must be positive", column=weights, rows=frame.index[bad])

    frame, codes, n_singletons = without_singletons(frame, fe, drop=drop_singletons)
    if vcov == "cluster":
        check_clusters(frame[cluster].to_numpy(), cluster)
    return fit_prepared(
        frame,
        y,
        x,
        fe,
        codes,
        vcov=vcov,
        cluster=cluster,
        dof=dof,
        weights=weights,
        level=level,
        n_singletons=n_singletons,
    )


def fit_prepared(
    frame: pd.DataFrame,
    y: str,
    x: Sequence[str],
    fe: Sequence[FESpec],
    codes: Sequence[np.ndarray],
    *,
    vcov: str = "conventional",
    cluster: str | None = None,
    dof: str = "reghdfe",
    weights: str | None = None,
    level: float = 0.95,
    n_singletons: int = 0,
    within: np.ndarray | None = None,
) -> FEResult:
    """:func:`fe_ols` on a frame already checked by :func:`prepare_frame` (and cut of
    singletons), with its group ``codes`` (one per effect of ``fe``, as :func:`fe_codes`
    makes them): for estimators that fit several regressions on one prepared sample.

    ``within`` may hold the columns ``[y, *x]`` already swept of the effects by
    ``Absorber(codes).demean`` (unweighted only), to save a second sweep.
    """
    if within is not None and weights is not None:
        raise InputError("a precomputed within transform needs equal weights", column="weights")
    n = len(frame)
    w = None if weights is None else frame[weights].to_numpy(float)
    w = None if w is None else w * n / w.sum()  # Stata normalises aweights to sum to N
    weight = np.ones(n) if w is None else w
    cl = pd.factorize(frame[cluster])[0] if vcov == "cluster" else None

    raw = frame[[y, *x]].to_numpy(float)
    grand = weight @ raw / n
    if within is None:
        within = Absorber(tuple(codes), w).demean(raw)
    y_w, x_w = within[:, 0], within[:, 1:]
    check_variation(y, raw[:, 0], y_w, [fe_label(s) for s in fe] if codes else [], "outcome")
    design = np.column_stack([x_w + grand[1:], np.ones(n)])
    sw = np.sqrt(weight)
    xs, ys = design * sw[:, None], (y_w + grand[0]) * sw
    q, r = np.linalg.qr(xs)
    if np.linalg.matrix_rank(r) < design.shape[1]:
        redundant = redundant_columns(np.column_stack([x_w, np.ones(n)]), [*x, "_cons"])
        culprit = next((name for name, _ in redundant if name != "_cons"), None)
        raise InputError(
            "regressors are collinear with each other or with the absorbed effects",
            column=culprit or ", ".join(x),
        )
    beta = np.linalg.solve(r, q.T @ ys)
    resid = y_w - x_w @ beta[:-1]
    rss = float(weight @ resid**2)
    k = len(x)

    df_a, df_a_all = absorbed_dof(codes, cl, dof)
    df_resid = n - k - df_a
    if df_resid <= 0:
        raise InputError(
            f"no residual degrees of freedom (N={n}, K={k}, absorbed={df_a})", column="fe"
        )
    bread = np.linalg.inv(r.T @ r)
    n_clusters = int(cl.max() + 1) if cl is not None else None
    if vcov == "conventional":
        sigma2 = rss / (n if dof == "none" else df_resid)
        v = sigma2 * bread
    else:
        meat = sandwich_scores_cov(design * (weight * resid)[:, None], cl)
        v = bread @ meat @ bread * small_sample_factor(vcov, dof, n, df_resid, n_clusters)
    if dof == "none":
        df_inf = np.inf
    elif vcov == "cluster":
        df_inf = float(n_clusters - 1)
    else:
        df_inf = float(df_resid)

    names = [*x, "_cons"]
    se = np.sqrt(np.diag(v))
    tval = beta / se

    # goodness of fit (reghdfe and xtreg definitions)
    ybar = grand[0]
    tss = float(weight @ (raw[:, 0] - ybar) ** 2)
    tss_w = float(weight @ y_w**2)
    r2, r2_w = 1 - rss / tss, 1 - rss / tss_w
    # with every absorbed level counted there may be no residual dof left: Stata prints '.'
    df_all = n - k - df_a_all
    r2_a = 1 - (1 - r2) * (n - 1) / df_all if df_all > 0 else float("nan")
    r2_a_w = 1 - (1 - r2_w) * (n - df_a_all) / df_all if df_all > 0 else float("nan")
    xb = raw[:, 1:] @ beta[:-1]
    if codes:
        unit = codes[0]
        counts = np.bincount(unit, weights=weight)
        ybar_i = np.bincount(unit, weights=weight * raw[:, 0]) / counts
        xbbar_i = np.bincount(unit, weights=weight * xb) / counts
        u_i = ybar_i - xbbar_i - beta[-1]
        r2_b = _corr2(xbbar_i, ybar_i)
        sigma_u = float(np.std(u_i, ddof=1))  # xtreg: s.d. across panels
        sigma_e = float(np.sqrt(rss / df_all)) if df_all > 0 else float("nan")
        rho = sigma_u**2 / (sigma_u**2 + sigma_e**2)
    else:
        r2_b = sigma_u = sigma_e = rho = float("nan")

    idx = pd.Index(names, name="term")
    return FEResult(
        params=pd.Series(beta, idx, name="coef"),
        bse=pd.Series(se, idx, name="se"),
        tvalues=pd.Series(tval, idx, name="t"),
        pvalues=pd.Series(two_sided_p(tval, df_inf), idx, name="p"),
        vcov=pd.DataFrame(v, idx, idx),
        nobs=n,
        df_resid=df_resid,
        df_inference=df_inf,
        n_clusters=n_clusters,
        df_a=df_a,
        rss=rss,
        r2=r2,
        r2_a=r2_a,
        r2_within=r2_w,
        r2_a_within=r2_a_w,
        r2_between=r2_b,
        r2_overall=_corr2(xb, raw[:, 0]),
        sigma_u=sigma_u,
        sigma_e=sigma_e,
        rho=rho,
        depvar=y,
        absorbed=tuple(fe_label(s) for s in fe),
        vcov_type=vcov,
        dof=dof,
        level=level,
        n_singletons=n_singletons,
        sample=frame.index,
    )
