"""FE-IV against ivreg2 output (Griliches), the synthetic FE-IV panel and Stock-Yogo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import iv
from helpers.errors import InputError
from helpers.iv import _prepare, endogeneity_tests, fe_iv, stock_yogo
from helpers.paths import DATA_DIR

REF = DATA_DIR / "reference_cases" / "econ"  # the repository's copy: runs on every clone
EXOG = ["expr", "tenure", "rns", "smsa"] + [f"dyear_{y}" for y in (67, 68, 69, 70, 71, 73)]
ENDOG, INSTR = ["s", "iq"], ["med", "kww", "age", "mrt"]


def _ref(sub: str) -> Path:
    return REF / sub


@pytest.fixture(scope="module")
def griliches() -> pd.DataFrame:
    sm = pytest.importorskip("statsmodels")
    path = Path(sm.__file__).parent / "sandbox/regression/tests/griliches76.dta"
    if not path.exists():
        pytest.skip("statsmodels does not ship griliches76.dta in this install")
    data = pd.get_dummies(pd.read_stata(path), columns=["year"], prefix="dyear", dtype=float)
    return data.rename(columns=lambda c: c.removesuffix(".0"))


@pytest.fixture(scope="module")
def feiv_panel() -> pd.DataFrame:
    return pd.read_csv(_ref("synthetic_feiv") / "synthetic_feiv_panel.csv")


CASES = {
    "results": {},
    "results_robust": {"vcov": "robust"},
    "results_small": {"small": True},
    "results_small_robust": {"small": True, "vcov": "robust"},
    "results_gmm2s_robust": {"estimator": "gmm2s", "vcov": "robust"},
}


@pytest.mark.parametrize("case", list(CASES))
def test_griliches_ivreg2(griliches, case):
    coefs = pd.read_csv(_ref("griliches_ivreg2") / "ivreg2_griliches_coefs.csv")
    stats = pd.read_csv(_ref("griliches_ivreg2") / "ivreg2_griliches_stats.csv")
    exp = coefs[coefs.case == case].set_index("term")
    st_ = stats[stats.case == case].iloc[0]
    res = fe_iv(griliches, "lw", ENDOG, INSTR, EXOG, **CASES[case])
    np.testing.assert_allclose(res.params[exp.index], exp.b, rtol=1e-8)
    np.testing.assert_allclose(res.bse[exp.index], exp.se, rtol=1e-8)
    np.testing.assert_allclose(res.pvalues[exp.index], exp.pvalue, rtol=1e-7)
    assert res.nobs == st_.N
    assert res.r2 == pytest.approx(st_.r2, rel=1e-9)
    assert res.rss == pytest.approx(st_.rss, rel=1e-9)
    assert res.kp_lm == pytest.approx(st_.idstat, rel=1e-9)
    assert res.kp_lm_df == st_.iddf
    assert res.kp_lm_p == pytest.approx(st_.idp, rel=1e-6)
    assert res.kp_f == pytest.approx(st_.widstat, rel=1e-9)
    assert res.cd_f == pytest.approx(st_.cdf, rel=1e-9)
    assert res.overid == pytest.approx(st_.j, rel=1e-9)
    assert res.overid_p == pytest.approx(st_.jp, rel=1e-8)
    if case in ("results", "results_small"):
        assert res.overid_name == "Sargan" and res.overid == pytest.approx(st_.sargan, rel=1e-9)
    if res.small:
        assert res.df_inference == st_.df_r


def test_griliches_endogeneity(griliches):
    import json

    exp = json.loads((_ref("griliches_ivreg2") / "ivendog_hausman.json").read_text())
    res = endogeneity_tests(griliches, "lw", ENDOG, INSTR, EXOG)
    assert res.durbin == pytest.approx(exp["DWH"], rel=1e-9)
    assert res.durbin_p == pytest.approx(exp["DWHp"], rel=1e-6)
    assert res.wu_hausman == pytest.approx(exp["WHF"], rel=1e-9)
    assert res.wu_hausman_p == pytest.approx(exp["WHFp"], rel=1e-6)
    assert res.wu_hausman_df == (exp["df"], exp["df_r"])
    assert res.dm_f == res.wu_hausman  # conventional errors: DM is Wu-Hausman


def _expected(spec_start: str) -> pd.DataFrame:
    exp = pd.read_csv(_ref("synthetic_feiv") / "expected_values.csv")
    return exp[exp.spec.str.startswith(spec_start)]


def _value(exp: pd.DataFrame, stat: str, convention_start: str = "") -> float:
    rows = exp[(exp.stat == stat) & exp.convention.fillna("").str.startswith(convention_start)]
    return float(rows.value.iloc[0])


def test_synthetic_feiv_just_identified(feiv_panel):
    exp = _expected("FE-2SLS")
    kw = {"fe": ["city", "year"], "vcov": "cluster", "cluster": "city"}
    asym = fe_iv(feiv_panel, "y", ["d"], ["z"], ["w"], **kw)
    hdfe = fe_iv(feiv_panel, "y", ["d"], ["z"], ["w"], small=True, **kw)
    assert asym.nobs == 2556 and asym.n_clusters == 284
    assert asym.params["d"] == pytest.approx(_value(exp, "b_d"), rel=1e-10)
    assert asym.params["w"] == pytest.approx(_value(exp, "b_w"), rel=1e-10)
    assert asym.bse["d"] == pytest.approx(_value(exp, "se_d", "asymptotic"), rel=1e-9)
    assert hdfe.bse["d"] == pytest.approx(_value(exp, "se_d", "ivreghdfe"), rel=1e-9)
    assert hdfe.df_inference == 283
    assert asym.kp_lm == pytest.approx(_value(exp, "kp_rk_lm"), rel=1e-9)
    assert asym.kp_lm_p == pytest.approx(_value(exp, "kp_rk_lm_p"), rel=1e-6)
    assert hdfe.kp_f == pytest.approx(_value(exp, "kp_rk_wald_f", "ivreghdfe"), rel=1e-9)
    assert hdfe.stock_yogo_10 == 16.38
    assert np.isnan(hdfe.overid)  # exactly identified


def test_synthetic_feiv_overidentified(feiv_panel):
    exp = _expected("FE-IV")
    kw = {"fe": ["city", "year"], "cluster": "city"}
    tsls = fe_iv(feiv_panel, "y", ["d"], ["z", "z2"], ["w"], vcov="cluster", small=True, **kw)
    assert tsls.nobs == 2272
    assert tsls.params["d"] == pytest.approx(_value(exp, "b_d_2sls"), rel=1e-10)
    assert tsls.kp_lm == pytest.approx(_value(exp, "kp_rk_lm"), rel=1e-9)
    assert tsls.kp_f == pytest.approx(_value(exp, "kp_rk_wald_f"), rel=1e-9)
    assert tsls.stock_yogo_10 == 19.93
    # The reference's "cluster weight matrix" GMM numbers are reproduced by a
    # heteroskedasticity-robust weight matrix (linearmodels IVGMM weight_type="robust").
    gmm = fe_iv(feiv_panel, "y", ["d"], ["z", "z2"], ["w"], estimator="gmm2s", vcov="robust", **kw)
    assert gmm.params["d"] == pytest.approx(_value(exp, "b_d_gmm2s"), rel=1e-9)
    assert gmm.overid == pytest.approx(_value(exp, "hansen_j"), rel=1e-8)
    assert gmm.overid_p == pytest.approx(_value(exp, "hansen_j_p"), rel=1e-8)


def test_cluster_gmm_equals_linearmodels_clustered_weights(feiv_panel):
    from linearmodels.iv import IVGMM

    res = fe_iv(
        feiv_panel,
        "y",
        ["d"],
        ["z", "z2"],
        ["w"],
        ["city", "year"],
        estimator="gmm2s",
        vcov="cluster",
        cluster="city",
    )
    wd = _prepare(
        feiv_panel, "y", ["d"], ["z", "z2"], ["w"], ["city", "year"], "cluster", "city", True
    )
    lm = IVGMM(
        wd.y, wd.exog, wd.endog, wd.excluded, weight_type="clustered", clusters=wd.cluster
    ).fit(cov_type="clustered", clusters=wd.cluster)
    np.testing.assert_allclose(res.params[["w", "d"]], lm.params, rtol=1e-9)
    assert res.overid == pytest.approx(lm.j_stat.stat, rel=1e-9)


def test_first_stage_f_equals_kp_f_with_one_endogenous(feiv_panel):
    """With one endogenous regressor the KP rk Wald F is the robust first-stage F."""
    res = fe_iv(
        feiv_panel,
        "y",
        ["d"],
        ["z", "z2"],
        ["w"],
        ["city", "year"],
        vcov="cluster",
        cluster="city",
        small=True,
    )
    fs = res.first_stage[0]
    assert fs.result.params.index.tolist() == ["z", "z2", "w", "_cons"]
    # they differ only by the residual dof: ivreg2's N-L-a against reghdfe's N-K-df_a,
    # where reghdfe also counts the constant (df_a = a + 1 when the city effect is nested)
    n, l_ = res.nobs, 3
    factor = (n - l_ - res.absorbed_dof) / (n - l_ - res.absorbed_dof - 1)
    assert fs.f_excluded * factor == pytest.approx(res.kp_f, rel=1e-9)


def test_stock_yogo_lookup():
    assert stock_yogo(1, 1) == 16.38
    assert stock_yogo(1, 2) == 19.93
    assert stock_yogo(2, 2) == 7.03
    assert stock_yogo(1, 3, kind="bias", level=0.05) == 13.91
    assert np.isnan(stock_yogo(2, 1))
    with pytest.raises(InputError, match="level"):
        stock_yogo(1, 1, level=0.01)


def test_iv_input_errors(feiv_panel):
    with pytest.raises(InputError, match="underidentified"):
        fe_iv(feiv_panel, "y", ["d", "w"], ["z"])
    with pytest.raises(InputError, match="gmm2s"):
        fe_iv(feiv_panel, "y", ["d"], ["z", "z2"], estimator="gmm2s")
    with pytest.raises(InputError, match="not found"):
        fe_iv(feiv_panel, "y", ["d"], ["zz"])


def test_wu_hausman_with_fixed_effects_equals_lsdv_control_function(feiv_panel):
    """Independent check: control-function F on the dummy-variable regression."""
    import statsmodels.formula.api as smf

    panel = feiv_panel[feiv_panel.city < 60]  # keep the dummy regression small
    res = endogeneity_tests(panel, "y", ["d"], ["z"], ["w"], ["city", "year"])
    first = smf.ols("d ~ z + w + C(city) + C(year)", panel).fit()
    aug = smf.ols("y ~ d + w + v + C(city) + C(year)", panel.assign(v=first.resid)).fit()
    assert res.wu_hausman == pytest.approx(aug.tvalues["v"] ** 2, rel=1e-8)
    assert res.wu_hausman_df == (1, aug.df_resid)
    robust = endogeneity_tests(
        panel, "y", ["d"], ["z"], ["w"], ["city", "year"], vcov="cluster", cluster="city"
    )
    assert robust.dm_df == (1, 59)
    assert robust.wu_hausman == pytest.approx(res.wu_hausman, rel=1e-12)


# --------------------------------------------------------------------------- numpy vs linearmodels
def _simulated_two_endog_panel(seed: int = 7) -> pd.DataFrame:
    """A 120 x 8 panel with two endogenous regressors, three instruments and a control."""
    rng = np.random.default_rng(seed)
    units, years = 120, 8
    unit = np.repeat(np.arange(units), years)
    year = np.tile(np.arange(years), units)
    n = units * years
    z = rng.normal(size=(n, 3)) + rng.normal(size=(units, 1))[unit]
    w = rng.normal(size=n)
    u = rng.normal(size=n) * (1 + 0.5 * np.abs(z[:, 0]))  # heteroskedastic
    d1 = z @ [0.8, 0.3, 0.0] + 0.5 * u + rng.normal(size=n)
    d2 = z @ [0.0, 0.4, 0.6] - 0.3 * u + rng.normal(size=n)
    y = 1.0 * d1 - 0.5 * d2 + 0.2 * w + rng.normal(size=units)[unit] + 0.1 * year + u
    return pd.DataFrame(
        {"unit": unit, "year": year, "y": y, "d1": d1, "d2": d2, "w": w}
        | {f"z{j}": z[:, j] for j in range(3)}
    )


def _linearmodels_reference(wd, vcov: str):
    """The same within data through linearmodels (asymptotic covariance, no debiasing)."""
    from linearmodels.iv import IV2SLS, cragg_donald_f, kleibergen_paap, kleibergen_paap_f

    cov_type = {"conventional": "unadjusted", "robust": "robust", "cluster": "clustered"}[vcov]
    config = {"clusters": wd.cluster} if vcov == "cluster" else {}
    exog = wd.exog if wd.exog.shape[1] else None
    fit = IV2SLS(wd.y, exog, wd.endog, wd.excluded).fit(cov_type=cov_type, debiased=False, **config)
    k2 = wd.exog.shape[1]
    order = [*range(k2, k2 + wd.endog.shape[1]), *range(k2)]  # linearmodels puts exog first
    params = np.asarray(fit.params)[order]
    cov = np.asarray(fit.cov)[np.ix_(order, order)]
    exog_tests = wd.exog if k2 else np.zeros((len(wd.y), 0))
    kp = kleibergen_paap(wd.endog, wd.excluded, exog_tests, cov_type, config or None)
    kp_f = kleibergen_paap_f(wd.endog, wd.excluded, exog_tests, cov_type, config or None)
    cd_f = cragg_donald_f(wd.endog, wd.excluded, exog_tests)
    return params, cov, kp, kp_f, cd_f, fit.durbin()


def _cross_check_cases(griliches, feiv_panel):
    sim = _simulated_two_endog_panel()
    grili = (
        griliches.assign(cl=np.arange(len(griliches)) % 25),
        "lw",
        ENDOG,
        INSTR,
        EXOG,
        [],
        "cl",
    )
    feiv = (feiv_panel, "y", ["d"], ["z", "z2"], ["w"], ["city", "year"], "city")
    two = (sim, "y", ["d1", "d2"], ["z0", "z1", "z2"], ["w"], ["unit", "year"], "unit")
    return {"griliches": grili, "synthetic_feiv": feiv, "simulated_two_endog": two}


@pytest.mark.parametrize("vcov", ["conventional", "robust", "cluster"])
@pytest.mark.parametrize("case", ["griliches", "synthetic_feiv", "simulated_two_endog"])
def test_numpy_path_equals_linearmodels(griliches, feiv_panel, case, vcov):
    """The numpy 2SLS, rank statistics and Durbin test reproduce linearmodels to 1e-8."""
    data, y, endog, instruments, exog, fe, cluster = _cross_check_cases(griliches, feiv_panel)[case]
    wd = _prepare(data, y, endog, instruments, exog, fe, vcov, cluster, True)
    x = np.column_stack([wd.endog, wd.exog])
    z = np.column_stack([wd.excluded, wd.exog])
    beta, cov, resid = iv._tsls(x, z, wd.y, vcov, wd.cluster, [*endog, *wd.exog_names])
    rank = iv._rank_tests(wd.endog, wd.excluded, wd.exog, vcov, wd.cluster)
    lm_params, lm_cov, kp, kp_f, cd_f, durbin = _linearmodels_reference(wd, vcov)
    np.testing.assert_allclose(beta, lm_params, rtol=1e-8)
    np.testing.assert_allclose(cov, lm_cov, rtol=1e-8)
    np.testing.assert_allclose(resid, wd.y - x @ lm_params, rtol=1e-8, atol=1e-10)
    assert rank.kp_lm == pytest.approx(kp.stat, rel=1e-8)
    assert rank.kp_lm_df == kp.df
    assert rank.kp_lm_p == pytest.approx(kp.pval, rel=1e-8, abs=1e-300)
    assert rank.kp_f == pytest.approx(kp_f, rel=1e-8)
    assert rank.cd_f == pytest.approx(cd_f, rel=1e-8)
    assert iv._durbin(x, z, wd.endog, wd.y, resid) == pytest.approx(durbin.stat, rel=1e-8)


def test_collinear_instruments_are_named(feiv_panel):
    """The numpy path guards the rank that linearmodels checked, with a reader's message."""
    panel = feiv_panel.assign(z_twice=2 * feiv_panel["z"])
    with pytest.raises(InputError, match="instruments and exogenous regressors are collinear"):
        fe_iv(panel, "y", ["d"], ["z", "z_twice"], ["w"], ["city", "year"])


def test_exactly_predicted_endogenous_regressor_has_undefined_rank_tests(feiv_panel):
    """An endogenous regressor that is its own instrument: 2SLS is OLS, rk statistics NaN."""
    panel = feiv_panel.assign(d_copy=feiv_panel["d"])
    res = fe_iv(panel, "y", ["d"], ["d_copy"], ["w"], ["city", "year"], vcov="robust")
    assert np.isnan(res.kp_lm) and np.isnan(res.kp_f) and np.isnan(res.cd_f)
    ols = pytest.importorskip("helpers.fixed_effects").fe_ols(
        panel, "y", ["d", "w"], ["city", "year"], dof="none"
    )
    assert res.params["d"] == pytest.approx(ols.params["d"], rel=1e-9)
