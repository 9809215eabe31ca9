"""psmatch2-rule matching: lalonde reference case and hand-checked small examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.errors import InputError
from helpers.paths import DATA_DIR
from helpers.psm import balance_table, psm_did, psmatch

REF = DATA_DIR / "reference_cases" / "econ"  # the repository's copy: runs on every clone
COVARIATES = ["age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"]


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return pd.read_csv(REF / "psm_lalonde" / "lalonde_matchit.csv")


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return pd.read_csv(REF / "psm_lalonde" / "expected_psm.csv")


@pytest.mark.parametrize(
    ("method_prefix", "model", "options"),
    [
        ("NN(1)", "logit", {"method": "neighbor", "model": "logit"}),
        ("NN(1)", "probit", {"method": "neighbor", "model": "probit"}),
        ("kernel", "probit", {"method": "kernel", "model": "probit", "common": True}),
        ("kernel", "logit", {"method": "kernel", "model": "logit", "common": True}),
    ],
)
def test_lalonde_reference(lalonde, expected, method_prefix, model, options):
    row = expected[
        expected.method.str.startswith(method_prefix) & expected.pscore_model.str.startswith(model)
    ].iloc[0]
    res = psmatch(lalonde, "treat", COVARIATES, "re78", **options)
    assert res.att == pytest.approx(row.att, rel=1e-8)
    assert res.se == pytest.approx(row.se_psmatch2_approx, rel=1e-6)
    assert res.n_treated_on_support == row.n_treated_on_support
    if not np.isnan(row.n_controls_used):
        assert res.n_controls_used == row.n_controls_used


def _toy() -> pd.DataFrame:
    # scores are binary fractions so that equal distances are exactly equal
    # controls at 1/8, 3/8, 3/8 (tie in data order), 5/8; treated at 2/8, 0.40, 7/8
    return pd.DataFrame(
        {
            "d": [0, 0, 0, 0, 1, 1, 1],
            "p": [0.125, 0.375, 0.375, 0.625, 0.25, 0.40, 0.875],
            "y": [1.0, 2.0, 4.0, 8.0, 10.0, 20.0, 30.0],
        }
    )


def test_nearest_neighbour_by_hand():
    res = psmatch(_toy(), "d", [], "y", pscore="p")
    # t=0.25: controls 0.125 and 0.375 are equidistant -> lower score first (y=1)
    # t=0.40: nearest 0.375, first in data order (y=2); t=0.875: nearest 0.625 (y=8)
    assert res.att == pytest.approx(((10 - 1) + (20 - 2) + (30 - 8)) / 3)
    np.testing.assert_array_equal(res.data._weight.to_numpy(), [1, 1, np.nan, 1, 1, 1, 1])
    # se = sqrt(var(y_T)/3 + var(y of used controls) * sum w^2 / 9)
    se = np.sqrt(np.var([10, 20, 30], ddof=1) / 3 + np.var([1, 2, 8], ddof=1) * 3 / 9)
    assert res.se == pytest.approx(se)


def test_ties_and_caliper_by_hand():
    ties = psmatch(_toy(), "d", [], "y", pscore="p", ties=True)
    # t=0.25 ties with 1/8 and both 3/8 controls; t=0.40 with both 3/8 controls
    assert ties.att == pytest.approx(((10 - 7 / 3) + (20 - 3) + (30 - 8)) / 3)
    np.testing.assert_allclose(
        ties.data._weight.to_numpy()[:4], [1 / 3, 1 / 3 + 0.5, 1 / 3 + 0.5, 1]
    )
    cal = psmatch(_toy(), "d", [], "y", pscore="p", caliper=0.15)
    assert cal.n_treated_on_support == 2  # 7/8 is 0.25 from its nearest control
    assert cal.data._support.tolist() == [1, 1, 1, 1, 1, 1, 0]


def test_kernel_by_hand():
    res = psmatch(_toy(), "d", [], "y", pscore="p", method="kernel", bandwidth=0.2)
    expected = []
    for p_t, y_t in [(0.25, 10.0), (0.40, 20.0)]:
        u = (np.array([0.125, 0.375, 0.375, 0.625]) - p_t) / 0.2
        k = np.where(np.abs(u) <= 1, 1 - u**2, 0)
        expected.append(y_t - k @ np.array([1.0, 2, 4, 8]) / k.sum())
    assert res.att == pytest.approx(np.mean(expected))  # 7/8 has no control within 0.2
    assert res.n_treated_on_support == 2


def test_common_support_drops_treated_outside_control_range():
    res = psmatch(_toy(), "d", [], "y", pscore="p", common=True)
    assert res.data._support.tolist() == [1, 1, 1, 1, 1, 1, 0]


def test_balance_reduces_bias(lalonde):
    res = psmatch(lalonde, "treat", COVARIATES, "re78", method="kernel", common=True)
    bal = balance_table(lalonde, res, COVARIATES)
    t, c = lalonde.treat == 1, lalonde.treat == 0
    x = lalonde.re74
    hand = 100 * (x[t].mean() - x[c].mean()) / np.sqrt((x[t].var() + x[c].var()) / 2)
    assert bal.loc["re74", "bias_pct_unmatched"] == pytest.approx(hand)
    assert (bal.bias_pct_matched.abs() < bal.bias_pct_unmatched.abs()).all()


def test_psm_did_keeps_matched_rows():
    rng = np.random.default_rng(0)
    n_units, years = 60, np.arange(2014, 2020)
    unit = np.repeat(np.arange(n_units), len(years))
    year = np.tile(years, n_units)
    x = rng.normal(size=n_units)[unit]
    treat = (x + rng.normal(size=n_units)[unit] > 0.5).astype(float)
    df = pd.DataFrame(
        {"id": unit, "year": year, "x": x, "treat": treat, "did": treat * (year >= 2017)}
    )
    df["y"] = 0.5 * df.did + x + 0.1 * (year - 2014) + rng.normal(size=len(df))
    fit, match = psm_did(
        df, "y", "treat", "did", "id", "year", ["x"], method="kernel", bandwidth=0.02
    )
    assert fit.nobs == int(match.data._weight.notna().sum())
    assert fit.nobs < len(df)


def test_psm_input_errors():
    with pytest.raises(InputError, match="pscore"):
        psmatch(_toy(), "d", ["p"], "y", pscore="p")
    with pytest.raises(InputError, match="method"):
        psmatch(_toy(), "d", [], "y", pscore="p", method="radius")
    with pytest.raises(InputError, match="0/1"):
        psmatch(_toy().assign(d=2), "d", [], "y", pscore="p")


def test_balance_variance_ratios_follow_pstest():
    """Variance ratio V(T)/V(C): unmatched sample variances; matched, the treated on support
    against the controls weighted by _weight (aweights), computed here by hand."""
    from helpers.psm import _weighted_var, balance_table, psmatch

    rng = np.random.default_rng(4)
    n = 300
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n) * 2})
    frame["d"] = (frame.x1 + rng.normal(size=n) > 0.5).astype(int)
    frame["y"] = frame.x1 + frame.d + rng.normal(size=n)
    match = psmatch(frame, "d", ["x1", "x2"], "y")
    table = balance_table(frame, match, ["x1", "x2"])
    t = frame.d == 1
    assert table.at["x2", "var_ratio_unmatched"] == pytest.approx(
        frame.x2[t].var() / frame.x2[~t].var()
    )
    w = match.data._weight
    used = (~t) & w.notna()
    x, ww = frame.x1[used].to_numpy(), w[used].to_numpy()
    # aweights: sum w (x - xbar_w)^2 / (sum w) * n / (n - 1)
    xbar = np.average(x, weights=ww)
    by_hand = np.sum(ww * (x - xbar) ** 2) / ww.sum() * len(x) / (len(x) - 1)
    assert _weighted_var(x, ww) == pytest.approx(by_hand)
    on = t & (match.data._support == 1)
    assert table.at["x1", "var_ratio_matched"] == pytest.approx(frame.x1[on].var() / by_hand)


def test_pre_period_covariates_are_unit_means_before_the_cut():
    from helpers.psm import pre_period_covariates

    frame = pd.DataFrame(
        {"u": [1, 1, 1, 2, 2, 2], "t": [1, 2, 3, 1, 2, 3], "x": [1.0, 3.0, 100.0, 2.0, 2.0, -50.0]}
    )
    out = pre_period_covariates(frame, "u", "t", ["x"], before=3)
    assert out.x.tolist() == [2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    assert frame.x.iloc[2] == 100.0  # the input is not modified
