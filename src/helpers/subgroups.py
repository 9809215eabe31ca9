"""Tests that a coefficient differs between subgroups (instead of reading "significant in one
group, not in the other" as a difference).

Two Stata-equivalent routes, both with the covariance type of the group regressions:

``method="interaction"`` (pooled, fully interacted)
    One regression on the pooled sample in which every regressor and every absorbed
    effect is interacted with the group (``reghdfe y c.(x w)#i.group, absorb(i.group#(fe))``):
    its group-specific coefficients equal the separate regressions' exactly, and the
    Wald test of ``b_1 = b_2 = ... = b_G`` uses the pooled covariance (reghdfe small-sample
    factor on the pooled sample; F(G-1, df) with df = clusters - 1 or the residual df).
``method="stacked"`` (seemingly unrelated, ``suest``-style)
    The separate regressions' estimates are stacked; with groups made of disjoint sets
    of clusters (or rows, for robust errors) the cross-covariances are zero, so the Wald
    statistic is ``d' (sum_g V_g-contrast) d`` with each group's own covariance (its own
    small-sample factor, as the separate columns report them) referred to chi2(G-1).
    ``suest`` itself recomputes the covariances without the reghdfe factors; the
    difference is the factor only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.fixed_effects import FEResult, FESpec, fe_columns, fe_ols
from helpers.inference import chi2_sf, f_sf

METHODS = ("interaction", "stacked")


@dataclass(frozen=True)
class SubgroupTest:
    """Coefficient of ``param`` by group and the Wald test of equality across groups."""

    param: str
    groups: pd.DataFrame  # index group; coef, se, p, nobs
    statistic: float
    df: tuple[int, float]
    pvalue: float
    difference: float  # first minus second group (two groups), else nan
    difference_se: float
    method: str


def subgroup_difference(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    group: str,
    fe: Sequence[FESpec] = (),
    *,
    param: str,
    vcov: str = "cluster",
    cluster: str | None = None,
    method: str = "interaction",
    dof: str = "reghdfe",
) -> SubgroupTest:
    """Wald test that the coefficient of ``param`` is equal in every level of ``group``."""
    check_choice("method", method, METHODS)
    x = [x] if isinstance(x, str) else list(x)
    fe = [fe] if isinstance(fe, str) else list(fe)
    if param not in x:
        raise InputError("must be one of the regressors x", parameter="param")
    if group not in data.columns:
        raise InputError("column not found in the data", column=group)
    frame = data.dropna(subset=[group])
    levels = sorted(frame[group].unique())
    if len(levels) < 2:
        raise InputError("needs at least two groups", column=group)
    kw = dict(vcov=vcov, cluster=cluster, dof=dof)
    fits: dict[object, FEResult] = {
        g: fe_ols(frame[frame[group] == g], y, x, fe, **kw) for g in levels
    }
    table = pd.DataFrame(
        {
            "coef": [fits[g].params[param] for g in levels],
            "se": [fits[g].bse[param] for g in levels],
            "p": [fits[g].pvalues[param] for g in levels],
            "nobs": [fits[g].nobs for g in levels],
        },
        index=pd.Index(levels, name=group),
    )
    contrast = np.hstack([np.ones((len(levels) - 1, 1)), -np.eye(len(levels) - 1)])
    if method == "stacked":
        if vcov == "cluster":
            owners = frame.groupby(cluster)[group].nunique()
            if (owners > 1).any():
                raise InputError(
                    "the stacked test needs each cluster inside one group; "
                    "use method='interaction'",
                    column=cluster,
                    rows=owners.index[owners > 1],
                )
        b = table.coef.to_numpy()
        v = np.diag(table.se.to_numpy() ** 2)
        diff = contrast @ b
        stat = float(diff @ np.linalg.solve(contrast @ v @ contrast.T, diff))
        q = len(levels) - 1
        df, p = (q, np.inf), chi2_sf(stat, q)
        stat /= q
    else:
        pooled, names = _interacted(frame, y, x, fe, group, levels, param)
        fe_pooled = [(group, *fe_columns(spec)) for spec in fe] or [group]
        fit = fe_ols(pooled, y, names["all"], fe_pooled, **kw)
        sel = names["param"]
        b = fit.params[sel].to_numpy()
        v = fit.vcov.loc[sel, sel].to_numpy()
        diff = contrast @ b
        q = len(levels) - 1
        stat = float(diff @ np.linalg.solve(contrast @ v @ contrast.T, diff)) / q
        dfi = fit.df_inference
        df = (q, dfi)
        p = f_sf(stat, q, dfi) if np.isfinite(dfi) else chi2_sf(stat * q, q)
        table["coef_pooled"] = b
        table["se_pooled"] = np.sqrt(np.diag(v))
    two = len(levels) == 2
    d = float(table.coef.iloc[0] - table.coef.iloc[1]) if two else float("nan")
    d_se = float(np.sqrt(contrast @ v @ contrast.T)[0, 0]) if two else float("nan")
    return SubgroupTest(param, table, stat, df, p, d, d_se, method)


def _interacted(frame, y, x, fe, group, levels, param):
    out = frame[[y, group, *{c for spec in fe for c in fe_columns(spec)}]].copy()
    names: dict[str, list[str]] = {"all": [], "param": []}
    for i, g in enumerate(levels):
        member = (frame[group] == g).to_numpy(float)
        for col in x:
            name = f"{col}__g{i}"
            out[name] = frame[col].to_numpy(float) * member
            names["all"].append(name)
            if col == param:
                names["param"].append(name)
    extra = [c for c in frame.columns if c not in out.columns]
    return pd.concat([out, frame[extra]], axis=1), names
