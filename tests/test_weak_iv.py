"""Weak-IV-robust inference against independent implementations.

* Anderson-Rubin with conventional errors: ``ivmodels`` (statistic, p-value and the
  confidence set as a quadric), fixed effects passed to it as dummies; exact (1e-8).
* Anderson-Rubin with robust / clustered errors: the Wald test of the instruments in
  the reduced form ``y - b0 d ~ Z + W | FE`` by ``pyfixest`` (same small-sample
  factor); exact (1e-8).  The grid inversion agrees with the exact quadratic (1e-8).
* Effective F: ``pyfixest``'s ``_eff_F`` (1e-8) and the first-stage F of
  :func:`helpers.iv.fe_iv` with one instrument; the Montiel Olea-Pflueger critical
  values against their published one-instrument values.
* tF: the tabulated critical values hold the worst-case (|rho| = 1) size at 5%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.errors import InputError
from helpers.iv import fe_iv
from helpers.papers import simulate
from helpers.weak_iv import (
    ConfidenceSet,
    anderson_rubin,
    effective_f,
    nagar_bias_bound,
    quadratic_set,
    tf_adjust,
    tf_critical_value,
)

ivmodels = pytest.importorskip("ivmodels")
pf = pytest.importorskip("pyfixest")

FE = ["province", "year"]
EXOG = ["gov", "openness"]


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    """The coordination chapter's simulated provincial panel (30 provinces x 10 years) with
    R&D intensity instrumented by its first and second lags, as the lagged-IV columns do."""
    data = simulate("coordination").sort_values(["province", "year"]).reset_index(drop=True)
    data["y"] = np.log(data["gdp_per_capita"])
    grouped = data.groupby("province")["rd_intensity"]
    data["rd_lag1"] = grouped.shift(1)
    data["rd_lag2"] = grouped.shift(2)
    return data.dropna(subset=["rd_lag1", "rd_lag2"]).reset_index(drop=True)


def _dummies(frame: pd.DataFrame) -> np.ndarray:
    parts = [pd.get_dummies(frame[c], drop_first=True, dtype=float) for c in FE]
    return np.column_stack([*parts, frame[EXOG].to_numpy(float)])


@pytest.mark.parametrize("instruments", [["rd_lag1"], ["rd_lag1", "rd_lag2"]])
def test_ar_conventional_matches_ivmodels(book, instruments):
    res = anderson_rubin(book, "y", "rd_intensity", instruments, EXOG, FE, null=0.5)
    z, x, y = book[instruments].to_numpy(float), book[["rd_intensity"]].to_numpy(float), book.y
    stat, p = ivmodels.tests.anderson_rubin_test(
        z, x, y.to_numpy(float), np.array([0.5]), C=_dummies(book), critical_values="f"
    )
    assert res.statistic == pytest.approx(stat, rel=1e-8)
    assert res.pvalue == pytest.approx(p, rel=1e-7, abs=1e-12)
    their = ivmodels.tests.inverse_anderson_rubin_test(
        z, x, y.to_numpy(float), alpha=0.05, C=_dummies(book), critical_values="f"
    )
    ours = res.confidence_set
    assert res.method == "quadratic"
    bounds = ivmodels.confidence_set.ConfidenceSet.from_quadric(their).boundaries
    assert len(bounds) == len(ours.intervals)
    for (lo, hi), (tlo, thi) in zip(ours.intervals, bounds, strict=True):
        assert lo == pytest.approx(tlo, rel=1e-7, abs=1e-9)
        assert hi == pytest.approx(thi, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("vcov", ["robust", "cluster"])
@pytest.mark.parametrize("instruments", [["rd_lag1"], ["rd_lag1", "rd_lag2"]])
def test_ar_robust_is_the_reduced_form_wald_test_of_pyfixest(book, vcov, instruments):
    b0 = 0.3
    res = anderson_rubin(
        book, "y", "rd_intensity", instruments, EXOG, FE, vcov=vcov, cluster="province", null=b0
    )
    data = book.assign(y_tilde=book.y - b0 * book.rd_intensity)
    spec = "CRV1" if vcov == "cluster" else "hetero"
    fit = pf.feols(
        f"y_tilde ~ {' + '.join(instruments + EXOG)} | province + year",
        data=data,
        vcov={spec: "province"} if vcov == "cluster" else spec,
        ssc=pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min"),
    )
    b = fit.coef()[instruments].to_numpy()
    v = fit._vcov[np.ix_(range(len(instruments)), range(len(instruments)))]
    wald = float(b @ np.linalg.solve(v, b)) / len(instruments)
    assert res.statistic == pytest.approx(wald, rel=1e-8)


@pytest.mark.parametrize("vcov", ["conventional", "robust", "cluster"])
@pytest.mark.parametrize("instruments", [["rd_lag1"], ["rd_lag1", "rd_lag2"]])
def test_grid_inversion_matches_the_exact_set_and_the_critical_value(book, vcov, instruments):
    kw = dict(vcov=vcov, cluster="province")
    auto = anderson_rubin(book, "y", "rd_intensity", instruments, EXOG, FE, **kw)
    grid = anderson_rubin(book, "y", "rd_intensity", instruments, EXOG, FE, method="grid", **kw)
    assert len(auto.confidence_set.intervals) == len(grid.confidence_set.intervals) > 0
    for a, g in zip(auto.confidence_set.intervals, grid.confidence_set.intervals, strict=True):
        np.testing.assert_allclose(a, g, rtol=1e-7, atol=1e-9)
    # at every finite end the AR statistic equals the critical value
    for end in [e for iv in grid.confidence_set.intervals for e in iv if np.isfinite(e)]:
        at_end = anderson_rubin(book, "y", "rd_intensity", instruments, EXOG, FE, null=end, **kw)
        assert at_end.statistic == pytest.approx(grid.critical_value, rel=1e-6)


def test_unbounded_and_disjoint_sets_are_reported_when_the_instrument_is_irrelevant():
    rng = np.random.default_rng(5)
    n = 400
    frame = pd.DataFrame({"z": rng.normal(size=n), "g": np.repeat(np.arange(40), 10)})
    frame["d"] = rng.normal(size=n)  # the instrument is irrelevant
    frame["y"] = frame.d + rng.normal(size=n)
    res = anderson_rubin(frame, "y", "d", ["z"], vcov="cluster", cluster="g")
    assert res.first_stage_f < res.critical_value
    assert not res.confidence_set.is_bounded
    grid = anderson_rubin(frame, "y", "d", ["z"], vcov="cluster", cluster="g", method="grid")
    assert not grid.confidence_set.is_bounded
    assert str(res.confidence_set) == str(grid.confidence_set)


def test_quadratic_set_cases():
    assert quadratic_set(1.0, 0.0, -4.0).intervals == ((-2.0, 2.0),)
    assert quadratic_set(1.0, 0.0, 4.0).is_empty
    two_rays = quadratic_set(-1.0, 0.0, 4.0)
    assert two_rays.is_disjoint and not two_rays.is_bounded
    assert two_rays.intervals == ((-np.inf, -2.0), (2.0, np.inf))
    assert quadratic_set(-1.0, 0.0, -4.0).intervals == ((-np.inf, np.inf),)
    assert str(two_rays) == "(-inf, -2] ∪ [2, +inf)"
    assert ConfidenceSet(()).length == 0


def test_one_endogenous_regressor_only(book):
    with pytest.raises(InputError, match="exactly one endogenous"):
        anderson_rubin(book, "y", ["rd_intensity", "gov"], ["rd_lag1", "rd_lag2"], [], FE)


@pytest.mark.parametrize("vcov", ["robust", "cluster"])
def test_effective_f_matches_pyfixest(book, vcov):
    res = effective_f(
        book, "y", "rd_intensity", ["rd_lag1", "rd_lag2"], [], FE, vcov=vcov, cluster="province"
    )
    spec = {"CRV1": "province"} if vcov == "cluster" else "hetero"
    fit = pf.feols(
        "y ~ 1 | province + year | rd_intensity ~ rd_lag1 + rd_lag2",
        data=book,
        vcov=spec,
        ssc=pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min"),
    )
    fit.IV_Diag()
    assert res.f_eff == pytest.approx(fit._eff_F, rel=1e-8)


@pytest.mark.parametrize("vcov", ["robust", "cluster"])
def test_effective_f_with_one_instrument_is_the_robust_first_stage_f(book, vcov):
    res = effective_f(
        book, "y", "rd_intensity", ["rd_lag1"], EXOG, FE, vcov=vcov, cluster="province"
    )
    iv = fe_iv(
        book,
        "y",
        ["rd_intensity"],
        ["rd_lag1"],
        EXOG,
        FE,
        vcov=vcov,
        cluster="province",
        small=True,
    )
    assert res.f_eff == pytest.approx(iv.first_stage[0].f_excluded, rel=1e-9)
    # Montiel Olea and Pflueger (2013): with one instrument the critical values are
    # 37.418 (tau = 5%) and 23.109 (tau = 10%) at the 5% level, simplified = generalized
    assert res.critical_values.at[0.05, "simplified"] == pytest.approx(37.418, abs=5e-4)
    assert res.critical_values.at[0.10, "tsls"] == pytest.approx(23.109, abs=5e-4)
    assert res.b_tsls == pytest.approx(1.0, abs=1e-9)


def test_generalized_critical_values_never_exceed_the_simplified_ones(book):
    res = effective_f(
        book,
        "y",
        "rd_intensity",
        ["rd_lag1", "rd_lag2"],
        EXOG,
        FE,
        vcov="cluster",
        cluster="province",
    )
    assert 0 <= res.b_tsls <= 1 + 1e-12
    assert (res.critical_values.tsls <= res.critical_values.simplified + 1e-9).all()
    # the optimiser finds the supremum: no point of a brute-force grid beats it
    w = res.w
    k = res.n_instruments
    w1, w12, w2 = w[:k, :k], w[:k, k:], w[k:, k:]
    from helpers.weak_iv import _nagar_bound

    brute = _nagar_bound(w1, w12, w2, np.linspace(-200, 200, 400_001)).max()
    assert res.b_tsls >= brute - 1e-9
    assert nagar_bias_bound(w1, w12, w2) == pytest.approx(res.b_tsls)


def _worst_case_size(critical) -> float:
    """Rejection probability of |t| > c(F) when |rho| = 1, maximised over the first-stage mean.

    With rho = 1 the 2SLS t-ratio is ``t^2 = (f - f0)^2 f^2 / f0^2`` for the first-stage
    statistic ``f ~ N(f0, 1)`` (Lee et al. 2022, eq. 3 with t_AR = f - f0)."""
    f = np.linspace(-15, 40, 200_001)
    dx = f[1] - f[0]
    worst = 0.0
    for f0 in np.linspace(0.2, 15, 149):
        t = np.abs((f - f0) * f / f0)
        worst = max(worst, float((stats.norm.pdf(f - f0) * (t > critical(f**2))).sum() * dx))
    return worst


def test_tf_table_holds_size_at_the_worst_case_and_196_does_not():
    assert _worst_case_size(tf_critical_value) == pytest.approx(0.05, abs=0.002)
    assert _worst_case_size(lambda f2: np.full_like(f2, 1.96)) > 0.2


def test_tf_values():
    assert tf_critical_value(4.0) == pytest.approx(18.66)
    assert tf_critical_value(3.0) == np.inf
    assert tf_critical_value(200.0) == 1.96
    assert tf_critical_value(10.0) == pytest.approx(3.43, abs=0.01)  # LMMP: F = 10 needs 3.43
    res = tf_adjust(1.0, 0.4, 10.0)
    assert res.ci_low == pytest.approx(1 - res.critical_value * 0.4)
    assert res.pvalue > 2 * stats.norm.sf(2.5)
    assert tf_adjust(1.0, 0.4, 2.0).pvalue == 1.0
