"""Propensity-score matching with psmatch2's rules, and PSM-DID.

Implements the matching rules of Leuven and Sianesi's ``psmatch2`` 4.0.11
(Stata, SSC) for the average treatment effect on the treated:

* propensity score from a probit (psmatch2's default) or a logit
  (``statsmodels`` maximum likelihood);
* ``common``: treated units whose score lies outside the [min, max] of the
  controls' scores are off support;
* nearest neighbour (1:1, with replacement): controls are ordered by score and
  then by data order, and each treated unit takes the first control at minimal
  ``|p_i - p_j|``; with ``ties`` every control at that distance is a match,
  each weighted ``1/n_matches``; with a ``caliper`` the match must be strictly
  closer than the caliper, otherwise the treated unit is off support;
* kernel matching: control weights ``K((p_j - p_i)/h)`` normalised to sum to one
  per treated unit, Epanechnikov ``K(u) = 1 - u^2`` for ``|u| <= 1`` (psmatch2
  drops the 3/4 constant, which cancels), default ``h = 0.06``; a treated unit
  with no control within ``h`` is off support;
* ``_weight``: 1 for treated units on support, the sum of match weights for used
  controls, missing otherwise;
* the approximate standard error printed by psmatch2,
  ``sqrt(V1/N1 + V0 * sum_j w_j^2 / N1^2)``, with ``V1`` the variance of the
  outcome among treated on support and ``V0`` among used controls; it ignores
  that the score is estimated.

The balance table follows ``pstest``: standardised bias
``100 (mean_T - mean_C) / sqrt((var_T + var_C)/2)`` with the unmatched-sample
variances in the denominator both before and after matching, and the variance
ratio ``V(T)/V(C)`` of the treated (on support) to the controls, the matched
controls' variance weighted by ``_weight`` (Stata ``[aw=_weight]``: weights
rescaled to sum to the number of controls used, divisor n - 1); ``pstest`` flags
ratios outside [0.5, 2] (Rubin 2001) and absolute biases above 5% (``rubin`` and
``pstest`` defaults).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.design import check_full_rank, check_variation
from helpers.did import twfe_did
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import FEResult, prepare_frame

METHODS = ("neighbor", "kernel")
MODELS = ("probit", "logit")


@dataclass(frozen=True)
class MatchResult:
    """psmatch2's output: ATT, its approximate SE and the generated variables.

    ``data`` holds ``_pscore``, ``_treated``, ``_support`` and ``_weight`` (NaN
    where psmatch2 leaves it missing), indexed like the estimation sample.
    """

    att: float
    se: float
    n_treated_on_support: int
    n_controls_used: int
    data: pd.DataFrame
    method: str
    model: str

    @property
    def t(self) -> float:
        return self.att / self.se


def propensity_score(
    data: pd.DataFrame, treatment: str, covariates: Sequence[str], model: str = "probit"
) -> pd.Series:
    """Fitted P(treatment = 1 | covariates) from a probit or logit with a constant."""
    check_choice("model", model, MODELS)
    frame = prepare_frame(data, [treatment, *covariates], [], what="propensity_score")
    d = frame[treatment].to_numpy(float)
    if not np.isin(d, (0.0, 1.0)).all() or d.min() == d.max():
        raise InputError("must be 0/1 with both groups present", column=treatment)
    raw = frame[list(covariates)].to_numpy(float)
    for j, name in enumerate(covariates):
        check_variation(name, raw[:, j], raw[:, j], [], "covariate")
    check_full_rank(raw - raw.mean(axis=0), list(covariates), "covariates", [])
    # imported here, and not through statsmodels.api (1.2 s against 0.8 s): statsmodels costs
    # most of a second of kernel start for one model
    from statsmodels.discrete.discrete_model import Logit, Probit
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning
    from statsmodels.tools.tools import add_constant

    x = add_constant(raw, has_constant="add")
    cls = Probit if model == "probit" else Logit
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PerfectSeparationWarning)
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            fit = cls(d, x).fit(disp=0, method="newton", maxiter=200, tol=1e-12)
        except np.linalg.LinAlgError:
            fit = None
    failed = [
        w for w in caught if issubclass(w.category, PerfectSeparationWarning | ConvergenceWarning)
    ]
    if fit is None or failed or not fit.mle_retvals.get("converged", True):
        raise InputError(
            f"the {model} for the propensity score has no maximum: the covariates predict "
            "treatment perfectly or almost (separation), so some scores are 0 or 1 and "
            "matching would rest on a handful of controls (Stata's probit stops here too)",
            column=", ".join(covariates),
            hint="Drop or coarsen the covariate that separates the groups, or restrict the "
            "sample to units with comparable covariates",
        )
    return pd.Series(fit.predict(x), index=frame.index, name="_pscore")


def psmatch(
    data: pd.DataFrame,
    treatment: str,
    covariates: Sequence[str],
    outcome: str,
    *,
    method: str = "neighbor",
    model: str = "probit",
    ties: bool = False,
    caliper: float | None = None,
    bandwidth: float = 0.06,
    common: bool = False,
    pscore: str | None = None,
) -> MatchResult:
    """ATT by psmatch2 rules (see the module docstring); data order breaks exact ties.

    ``pscore`` names a column holding a score estimated elsewhere (psmatch2's
    ``pscore()`` option); ``covariates`` must then be empty.
    """
    check_choice("method", method, METHODS)
    if (pscore is None) == (not covariates):
        raise InputError(
            "give either covariates or a pscore column, not both or neither", column="pscore"
        )
    if caliper is not None and not (np.isfinite(caliper) and caliper > 0):
        raise InputError(f"must be a positive finite number, got {caliper!r}", column="caliper")
    if not (np.isfinite(bandwidth) and bandwidth > 0):
        raise InputError(f"must be a positive finite number, got {bandwidth!r}", column="bandwidth")
    frame = prepare_frame(
        data, [treatment, outcome, *covariates, *([pscore] if pscore else [])], [], what="psmatch"
    )
    if pscore is None:
        score = propensity_score(frame, treatment, covariates, model).to_numpy()
    else:
        score = frame[pscore].to_numpy(float)
    treated = frame[treatment].to_numpy(float) == 1
    if not np.isin(frame[treatment].to_numpy(float), (0.0, 1.0)).all():
        raise InputError("must be 0/1", column=treatment)
    if treated.all() or not treated.any():
        raise InputError("must be 0/1 with both groups present", column=treatment)
    if pscore is not None and not ((score >= 0) & (score <= 1)).all():
        raise InputError("propensity scores must lie in [0, 1]", column=pscore)
    if score[treated].min() > score[~treated].max() or score[treated].max() < score[~treated].min():
        raise InputError(
            "the propensity scores of treated and control units do not overlap: every "
            "treated unit would be matched to the one control at the edge",
            column=pscore or treatment,
            hint="No control is comparable to a treated unit; check the covariates or the sample",
        )
    y = frame[outcome].to_numpy(float)
    support = np.ones(len(frame), dtype=bool)
    if common:
        lo, hi = score[~treated].min(), score[~treated].max()
        support &= ~treated | ((score >= lo) & (score <= hi))

    controls = np.flatnonzero(~treated)
    controls = controls[np.lexsort((controls, score[controls]))]  # by score, then data order
    targets = np.flatnonzero(treated & support)
    dist = np.abs(score[targets, None] - score[None, controls])
    if method == "neighbor":
        best = dist.min(axis=1, keepdims=True)
        weights = (dist == best) if ties else (np.arange(len(controls)) == dist.argmin(1)[:, None])
        if caliper is not None:
            weights &= dist < caliper
    else:
        u = (score[None, controls] - score[targets, None]) / bandwidth
        weights = np.where(np.abs(u) <= 1, 1 - u**2, 0.0)
    weights = weights.astype(float)
    row_sum = weights.sum(axis=1)
    matched = row_sum > 0
    support[targets[~matched]] = False
    weights = weights[matched] / row_sum[matched, None]
    targets = targets[matched]

    control_weight = weights.sum(axis=0)
    weight = np.full(len(frame), np.nan)
    weight[targets] = 1.0
    used = control_weight > 0
    weight[controls[used]] = control_weight[used]
    counterfactual = weights @ y[controls]
    n1 = len(targets)
    if n1 == 0:
        raise InputError(
            "no treated observation could be matched",
            column=treatment,
            hint="widen the caliper or bandwidth",
        )
    att = float(np.mean(y[targets] - counterfactual))
    var1 = np.var(y[targets], ddof=1) if n1 > 1 else 0.0
    var0 = np.var(y[controls[used]], ddof=1) if used.sum() > 1 else 0.0
    se = float(np.sqrt(var1 / n1 + var0 * np.sum(control_weight[used] ** 2) / n1**2))
    out = pd.DataFrame(
        {
            "_pscore": score,
            "_treated": treated.astype(int),
            "_support": support.astype(int),
            "_weight": weight,
        },
        index=frame.index,
    )
    out.loc[~treated, "_support"] = 1
    return MatchResult(att, se, n1, int(used.sum()), out, method, model)


def _weighted_var(x: np.ndarray, w: np.ndarray) -> float:
    """Stata's ``summarize x [aw=w]`` variance: weights rescaled to sum to n, divisor n - 1."""
    n = len(x)
    ws = w * n / w.sum()
    mean = ws @ x / n
    return float(ws @ (x - mean) ** 2 / (n - 1))


def pre_period_covariates(
    data: pd.DataFrame, unit: str, time: str, covariates: Sequence[str], before: float
) -> pd.DataFrame:
    """Copy of ``data`` with each covariate replaced by its unit mean over periods ``< before``.

    Matching on these (instead of the contemporaneous values, which the policy may
    already have moved) is the usual fix for post-treatment covariates in PSM-DID.
    Units without a pre-period row get missing values.
    """
    frame = prepare_frame(data, list(covariates), [unit, time], what="pre_period_covariates")
    pre = frame[pd.to_numeric(frame[time]) < before]
    if pre.empty:
        raise InputError(f"no rows before period {before}", column=time)
    means = pre.groupby(unit)[list(covariates)].mean()
    out = data.copy()
    for c in covariates:
        out[c] = out[unit].map(means[c])
    return out


def balance_table(
    data: pd.DataFrame, match: MatchResult, covariates: Sequence[str]
) -> pd.DataFrame:
    """pstest-style balance: means, standardised bias (%) before/after, bias reduction and
    variance ratios before/after (see the module docstring)."""
    frame = prepare_frame(data.loc[match.data.index], list(covariates), [], what="balance")
    m = match.data.loc[frame.index]
    t = m._treated.to_numpy() == 1
    on = t & (m._support.to_numpy() == 1)
    w = m._weight.to_numpy()
    used = ~t & np.isfinite(w)
    rows = {}
    for c in covariates:
        x = frame[c].to_numpy(float)
        scale = np.sqrt((np.var(x[t], ddof=1) + np.var(x[~t], ddof=1)) / 2)
        before = 100 * (x[t].mean() - x[~t].mean()) / scale
        mc = np.average(x[used], weights=w[used])
        after = 100 * (x[on].mean() - mc) / scale
        rows[c] = {
            "var_ratio_unmatched": np.var(x[t], ddof=1) / np.var(x[~t], ddof=1),
            "var_ratio_matched": np.var(x[on], ddof=1) / _weighted_var(x[used], w[used]),
            "mean_treated_unmatched": x[t].mean(),
            "mean_control_unmatched": x[~t].mean(),
            "bias_pct_unmatched": before,
            "mean_treated_matched": x[on].mean(),
            "mean_control_matched": mc,
            "bias_pct_matched": after,
            "bias_reduction_pct": 100 * (1 - abs(after) / abs(before)) if before else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("covariate")


def psm_did(
    data: pd.DataFrame,
    y: str,
    treatment: str,
    did: str,
    unit: str,
    time: str,
    covariates: Sequence[str],
    controls: Sequence[str] = (),
    *,
    weighted: bool = False,
    **match_options,
) -> tuple[FEResult, MatchResult]:
    """PSM-DID: psmatch2 on the pooled panel rows, then TWFE DID on the matched sample.

    Matching uses the group indicator ``treatment`` (treated unit) and
    ``covariates``; ``psmatch2 ... , outcome(y)`` is run on all rows and the DID
    regression (``did`` = treated x post, unit and time effects, clustered by
    unit) keeps rows with a non-missing ``_weight``, as in
    ``reghdfe y did x if _weight != ., absorb(id year) vce(cluster id)``;
    ``weighted=True`` adds ``[pw=_weight]``.
    """
    match = psmatch(data, treatment, covariates, y, **match_options)
    frame = data.loc[match.data.index].assign(_weight=match.data._weight)
    frame = frame[frame._weight.notna()]
    fit = twfe_did(frame, y, did, unit, time, controls, weights="_weight" if weighted else None)
    return fit, match
