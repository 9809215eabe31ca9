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
variances in the denominator both before and after matching.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
    import statsmodels.api as sm  # imported here: a second of kernel start for one model

    x = sm.add_constant(frame[list(covariates)].to_numpy(float), has_constant="add")
    cls = sm.Probit if model == "probit" else sm.Logit
    fit = cls(d, x).fit(disp=0, method="newton", maxiter=200, tol=1e-12)
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
    if caliper is not None and caliper <= 0:
        raise InputError("must be positive", column="caliper")
    if bandwidth <= 0:
        raise InputError("must be positive", column="bandwidth")
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


def balance_table(
    data: pd.DataFrame, match: MatchResult, covariates: Sequence[str]
) -> pd.DataFrame:
    """pstest-style balance: means, standardised bias (%) before/after, and bias reduction."""
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
