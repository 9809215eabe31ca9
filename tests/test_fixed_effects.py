"""Fixed-effects OLS against Stata output and independent implementations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.errors import InputError
from helpers.fixed_effects import absorbed_rank, fe_ols
from helpers.paths import DATA_DIR

REF = DATA_DIR / "reference_cases" / "econ"  # the repository's copy: runs on every clone


def _ref(sub: str) -> Path:
    return REF / sub


def _linearmodels_sim() -> pd.DataFrame:
    lm = pytest.importorskip("linearmodels")
    path = Path(lm.__file__).parent / "tests/panel/results/simulated-panel.dta"
    if not path.exists():
        pytest.skip("linearmodels does not ship simulated-panel.dta in this install")
    return pd.read_stata(path)


# --------------------------------------------------------------------------- Grunfeld two-way FE
@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    return pd.read_csv(_ref("grunfeld_twfe") / "grunfeld_statsmodels.csv")


@pytest.mark.parametrize(
    ("dof", "convention"),
    [
        ("reghdfe", "reghdfe / xtreg"),
        ("areg", "areg/regress with dummies"),
        ("none", "no small-sample adjustment"),
    ],
)
def test_grunfeld_cluster_se_conventions(grunfeld, dof, convention):
    exp = pd.read_csv(_ref("grunfeld_twfe") / "expected_twfe_cluster.csv")
    row = exp[(exp.quantity == "se") & exp.convention.str.startswith(convention)].iloc[0]
    coef = exp[exp.quantity == "coef"].iloc[0]
    res = fe_ols(
        grunfeld,
        "inv",
        ["value", "capital"],
        ["firm", "year"],
        vcov="cluster",
        cluster="firm",
        dof=dof,
    )
    np.testing.assert_allclose(
        res.params[["value", "capital"]], [coef.value_coef, coef.capital_coef], rtol=1e-9
    )
    np.testing.assert_allclose(
        res.bse[["value", "capital"]], [row.value_coef, row.capital_coef], rtol=1e-8
    )


def test_grunfeld_cons_and_r2(grunfeld):
    exp = pd.read_csv(_ref("grunfeld_twfe") / "expected_twfe_other.csv")
    first = exp.drop_duplicates("quantity").set_index("quantity")["value"]
    res = fe_ols(
        grunfeld, "inv", ["value", "capital"], ["firm", "year"], vcov="cluster", cluster="firm"
    )
    reghdfe_cons = exp[exp.convention.str.startswith("reghdfe absorb")].value.iloc[0]
    assert res.params["_cons"] == pytest.approx(reghdfe_cons, rel=1e-10)
    assert res.r2 == pytest.approx(first["r2"], rel=1e-10)
    assert res.r2_a == pytest.approx(first["r2_a"], rel=1e-10)
    assert res.r2_within == pytest.approx(first["r2_within"], rel=1e-10)
    assert res.r2_a_within == pytest.approx(first["r2_a_within"], rel=1e-10)
    assert res.df_inference == 10  # t(G-1)


def test_grunfeld_xtreg_with_year_dummies_cons(grunfeld):
    """xtreg, fe with i.year: year dummies are regressors, _cons follows the base year 1935."""
    exp = pd.read_csv(_ref("grunfeld_twfe") / "expected_twfe_other.csv")
    expected = exp[exp.convention.str.startswith("xtreg,fe with i.year")].value.iloc[0]
    years = pd.get_dummies(grunfeld.year, prefix="y", dtype=float).iloc[:, 1:]
    data = pd.concat([grunfeld, years], axis=1)
    res = fe_ols(data, "inv", ["value", "capital", *years.columns], ["firm"])
    assert res.params["_cons"] == pytest.approx(expected, rel=1e-9)


# --------------------------------------------------------------------------- xtreg, fe (Stata 13)
@pytest.mark.parametrize(
    ("case", "vcov"),
    [("conventional", "conventional"), ("cluster", "cluster"), ("robust", "cluster")],
)
def test_xtreg_fe_simulated_panel(case, vcov):
    data = _linearmodels_sim()
    coefs = pd.read_csv(_ref("xtreg_fe_linearmodels_sim") / "xtreg_fe_coefs.csv")
    stats = pd.read_csv(_ref("xtreg_fe_linearmodels_sim") / "xtreg_fe_stats.csv")
    key = f"fixed_effect-{case}--"
    exp = coefs[coefs.case == key].set_index("term")
    st_ = stats[stats.case == key].set_index("stat")["value"]
    # xtreg's vce(robust) is vce(cluster panel); xtreg keeps singletons
    res = fe_ols(
        data,
        "y",
        [f"x{i}" for i in range(1, 6)],
        ["firm"],
        vcov=vcov,
        cluster="firm",
        drop_singletons=False,
    )
    tab = res.table().loc[exp.index]
    np.testing.assert_allclose(tab.coef, exp.b, rtol=1e-9)
    np.testing.assert_allclose(tab.se, exp.se, rtol=1e-7)
    np.testing.assert_allclose(tab.t, exp.t, rtol=1e-8)
    np.testing.assert_allclose(tab.p, exp.p, rtol=1e-5, atol=1e-300)
    assert res.nobs == st_["N"]
    assert (res.n_clusters - 1 if vcov == "cluster" else res.df_resid) == st_["df_r"]
    for ours, theirs in [
        ("r2_within", "r2_w"),
        ("r2_between", "r2_b"),
        ("r2_overall", "r2_o"),
        ("sigma_u", "sigma_u"),
        ("sigma_e", "sigma_e"),
        ("rho", "rho"),
        ("rss", "rss"),
    ]:
        assert getattr(res, ours) == pytest.approx(st_[theirs], rel=1e-8), ours


# --------------------------------------------------------------------------- independent checks
def _panel(seed: int, n_units: int = 12, n_years: int = 6, drop: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    unit, year = np.meshgrid(np.arange(n_units), np.arange(n_years), indexing="ij")
    df = pd.DataFrame({"unit": unit.ravel(), "year": 2000 + year.ravel()})
    df["prov"] = df.unit % 3
    df["x1"] = rng.normal(size=len(df)) + 0.3 * df.unit
    df["x2"] = rng.normal(size=len(df)) + 0.1 * df.year
    df["w"] = rng.uniform(0.5, 2.0, len(df))
    df["y"] = 1 + df.x1 - 0.5 * df.x2 + 0.2 * df.unit + rng.normal(size=len(df))
    if drop:
        df = df.sample(frac=1 - drop, random_state=seed).sort_index()
    return df


@pytest.mark.filterwarnings("ignore:The design matrix is rank-deficient")
def test_interacted_fe_equals_lsdv_with_hc1():
    """areg counts every absorbed level: robust SEs equal HC1 on the dummy regression."""
    df = _panel(1, drop=0.15)
    res = fe_ols(df, "y", ["x1", "x2"], ["unit", ("prov", "year")], vcov="robust", dof="areg")
    lsdv = smf.ols("y ~ x1 + x2 + C(unit) + C(prov):C(year)", df).fit(cov_type="HC1")
    np.testing.assert_allclose(res.params[["x1", "x2"]], lsdv.params[["x1", "x2"]], rtol=1e-9)
    np.testing.assert_allclose(res.bse[["x1", "x2"]], lsdv.bse[["x1", "x2"]], rtol=1e-7)
    assert res.df_resid == lsdv.df_resid
    assert res.r2 == pytest.approx(lsdv.rsquared, rel=1e-9)


def test_weighted_fe_equals_weighted_lsdv():
    df = _panel(2, drop=0.1)
    res = fe_ols(df, "y", ["x1", "x2"], ["unit", "year"], weights="w", dof="areg")
    lsdv = smf.wls("y ~ x1 + x2 + C(unit) + C(year)", df, weights=df.w * len(df) / df.w.sum())
    lsdv = lsdv.fit()
    np.testing.assert_allclose(res.params[["x1", "x2"]], lsdv.params[["x1", "x2"]], rtol=1e-9)
    np.testing.assert_allclose(res.bse[["x1", "x2"]], lsdv.bse[["x1", "x2"]], rtol=1e-7)


def test_no_fe_is_regress():
    df = _panel(3)
    res = fe_ols(df, "y", ["x1", "x2"], [], vcov="robust")
    ols = smf.ols("y ~ x1 + x2", df).fit(cov_type="HC1")
    np.testing.assert_allclose(
        res.params[["x1", "x2", "_cons"]], ols.params[["x1", "x2", "Intercept"]], rtol=1e-10
    )
    np.testing.assert_allclose(
        res.bse[["x1", "x2", "_cons"]], ols.bse[["x1", "x2", "Intercept"]], rtol=1e-9
    )


def test_absorbed_rank_counts_connected_components():
    # two disconnected blocks: units {0,1} only in years {0,1}, unit 2 only in year 2
    unit = np.array([0, 0, 1, 1, 2])
    year = np.array([0, 1, 0, 1, 2])
    # rank of [1, D_unit, D_year]: 3 + 3 - 2 components = 4
    assert absorbed_rank([unit, year]) == 4
    dummies = np.column_stack([np.ones(5), np.eye(3)[unit], np.eye(3)[year]])
    assert np.linalg.matrix_rank(dummies) == 4


def test_singletons_dropped_like_reghdfe():
    df = _panel(4)
    extra = df.iloc[[0]].assign(unit=99)
    res = fe_ols(pd.concat([df, extra], ignore_index=True), "y", ["x1"], ["unit", "year"])
    assert res.n_singletons == 1 and res.nobs == len(df)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-50, 50))
def test_slopes_invariant_to_unit_and_year_shifts(seed, shift):
    df = _panel(seed, drop=0.2)
    base = fe_ols(df, "y", ["x1", "x2"], ["unit", "year"], vcov="cluster", cluster="unit")
    moved = df.assign(y=df.y + shift * df.unit + 0.5 * shift * (df.year - 2000))
    res = fe_ols(moved, "y", ["x1", "x2"], ["unit", "year"], vcov="cluster", cluster="unit")
    np.testing.assert_allclose(
        res.params[["x1", "x2"]], base.params[["x1", "x2"]], rtol=1e-7, atol=1e-9
    )
    np.testing.assert_allclose(res.bse[["x1", "x2"]], base.bse[["x1", "x2"]], rtol=1e-6, atol=1e-9)


def test_bad_input_is_reported():
    df = _panel(5)
    with pytest.raises(InputError, match="nonexistent"):
        fe_ols(df, "y", ["nonexistent"], ["unit"])
    with pytest.raises(InputError, match="vcov"):
        fe_ols(df, "y", ["x1"], ["unit"], vcov="hc3")
    with pytest.raises(InputError, match="cluster"):
        fe_ols(df, "y", ["x1"], ["unit"], vcov="cluster")
    with pytest.raises(InputError, match="collinear"):
        fe_ols(df.assign(z=df.unit * 2.0), "y", ["x1", "z"], ["unit"])
    before = df.copy()
    fe_ols(df, "y", ["x1"], ["unit", "year"], weights="w")
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # pyfixest on pandas 3
def test_interacted_fe_cluster_equals_pyfixest_crv1():
    """Unit FE nested in the unit cluster: reghdfe's dof rule, as pyfixest's default CRV1."""
    pf = pytest.importorskip("pyfixest")
    df = _panel(6, n_units=40, n_years=8, drop=0.15)
    df["prov"] = df.unit % 5
    res = fe_ols(df, "y", ["x1", "x2"], ["unit", ("prov", "year")], vcov="cluster", cluster="unit")
    ref = pf.feols("y ~ x1 + x2 | unit + prov^year", data=df, vcov={"CRV1": "unit"})
    np.testing.assert_allclose(res.params[["x1", "x2"]], ref.coef().values, rtol=1e-9)
    np.testing.assert_allclose(res.bse[["x1", "x2"]], ref.se().values, rtol=1e-8)


@pytest.mark.filterwarnings("ignore:The design matrix is rank-deficient")
def test_exact_rank_when_effects_are_structurally_redundant():
    """unit and prov#year share one redundancy per province (5 connected components):
    reghdfe's exact two-way count equals the LSDV residual dof."""
    df = _panel(7, n_units=40, n_years=8, drop=0.15)
    df["prov"] = df.unit % 5
    res = fe_ols(df, "y", ["x1", "x2"], ["unit", ("prov", "year")])
    lsdv = smf.ols("y ~ x1 + x2 + C(unit) + C(prov):C(year)", df).fit()
    assert res.df_resid == lsdv.df_resid
    np.testing.assert_allclose(res.bse[["x1", "x2"]], lsdv.bse[["x1", "x2"]], rtol=1e-8)


def test_is_nested_against_the_pairs_definition():
    """Nested means each inner level meets one outer level (checked against unique pairs)."""
    from helpers.fixed_effects import is_nested

    rng = np.random.default_rng(3)
    for _ in range(200):
        outer = rng.integers(0, 4, 30)
        inner = rng.integers(0, 12, 30)
        if rng.random() < 0.5:  # make it nested: inner determines outer
            outer = inner % 4
        pairs = np.unique(np.column_stack([inner, outer]), axis=0)
        assert is_nested(inner, outer) == (np.unique(pairs[:, 0]).size == pairs.shape[0])
    assert is_nested(np.array([0, 0, 1]), np.array([5, 5, 6]))
    assert not is_nested(np.array([0, 0, 1]), np.array([5, 6, 6]))
