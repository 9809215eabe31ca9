"""Panel preparation: PIM, deflation, interpolation, lags, winsor2-compatible winsorizing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import mstats

from helpers.errors import InputError
from helpers.panel import (
    chain_to_level,
    check_balanced,
    deflate,
    interpolate_within,
    lag,
    lead,
    perpetual_inventory,
    stata_percentile,
    winsorize,
)

KEYS = {"unit": "id", "time": "year"}


# --------------------------------------------------------------------------- capital stock
def test_perpetual_inventory_recursion_by_hand():
    df = pd.DataFrame(
        {
            "id": ["a"] * 3 + ["b"] * 2,
            "year": [2000, 2001, 2002, 2000, 2001],
            "inv": [100.0, 110.0, 121.0, 50.0, 60.0],
        }
    )
    k = perpetual_inventory(df, "inv", delta=0.1, **KEYS)
    # a: g = (121/100)^(1/2) - 1 = 0.1, K0 = 100 / (0.1 + 0.1) = 500,
    #    K1 = 500 * 0.9 + 110 = 560, K2 = 560 * 0.9 + 121 = 625.
    # b: g = 60/50 - 1 = 0.2, K0 = 50 / 0.3, K1 = K0 * 0.9 + 60.
    np.testing.assert_allclose(k, [500.0, 560.0, 625.0, 50 / 0.3, 50 / 0.3 * 0.9 + 60])


def test_perpetual_inventory_given_growth_and_initial_stock():
    df = pd.DataFrame(
        {
            "id": ["a"] * 3,
            "year": [2001, 2002, 2000],  # unsorted on purpose
            "inv": [10.0, 10.0, 10.0],
            "k0": [np.nan, np.nan, 40.0],
        }
    )
    k = perpetual_inventory(df, "inv", delta=0.096, growth=0.054, **KEYS)
    k0 = 10 / (0.054 + 0.096)
    np.testing.assert_allclose(k, [k0 * 0.904 + 10, (k0 * 0.904 + 10) * 0.904 + 10, k0])
    k = perpetual_inventory(df, "inv", delta=0.1096, initial="k0", **KEYS)
    np.testing.assert_allclose(k, [40 * 0.8904 + 10, (40 * 0.8904 + 10) * 0.8904 + 10, 40.0])


def test_perpetual_inventory_rejects_gaps_and_bad_delta():
    df = pd.DataFrame({"id": ["a"] * 3, "year": [2000, 2001, 2003], "inv": [1.0, 2.0, 3.0]})
    with pytest.raises(InputError, match=r"consecutive.*\('a', 2002\)"):
        perpetual_inventory(df, "inv", delta=0.1, **KEYS)
    with pytest.raises(InputError, match="parameter 'delta'"):
        perpetual_inventory(df, "inv", delta=1.5, **KEYS)


# --------------------------------------------------------------------------- prices
def test_deflate_level_and_chain_by_hand():
    df = pd.DataFrame(
        {
            "id": ["a"] * 3,
            "year": [2000, 2001, 2002],
            "v": [100.0, 220.0, 363.0],
            "p": [100.0, 110.0, 121.0],
            "chain": [103.0, 110.0, 110.0],
        }
    )
    # Level index: real = v * P_2000 / P_t = (100, 200, 300).
    np.testing.assert_allclose(deflate(df, "v", "p", base_year=2000, **KEYS), [100, 200, 300])
    # Base 2001: real = v * 110 / P_t.
    np.testing.assert_allclose(deflate(df, "v", "p", base_year=2001, **KEYS), [110, 220, 330])
    # Chained index (previous year = 100) gives levels 1, 1.1, 1.21: the 2000 value 103 is unused.
    np.testing.assert_allclose(chain_to_level(df, "chain", base_year=2000, **KEYS), [1, 1.1, 1.21])
    np.testing.assert_allclose(
        deflate(df, "v", "chain", base_year=2000, index_kind="chain", **KEYS), [100, 200, 300]
    )


def test_deflate_needs_base_year_for_every_unit():
    df = pd.DataFrame({"id": ["a", "b"], "year": [2000, 2001], "v": [1.0, 1.0], "p": [1.0, 1.0]})
    with pytest.raises(InputError, match=r"base year 2000.*rows: b"):
        deflate(df, "v", "p", base_year=2000, **KEYS)


# --------------------------------------------------------------------------- interpolation
def test_interpolation_by_hand_within_units():
    df = pd.DataFrame(
        {
            "id": ["a"] * 5 + ["b"] * 4 + ["c"] * 3,
            "year": [2000, 2001, 2002, 2003, 2004, 2000, 2001, 2002, 2003, 2000, 2002, 2003],
            "x": [1, np.nan, np.nan, 7, np.nan, np.nan, 10, np.nan, 30, 0, np.nan, 6],
        }
    )
    res = interpolate_within(df, ["x"], **KEYS)
    # a: 1 -> 7 over three years fills 3, 5; trailing 2004 stays missing (no extrapolation).
    # b: leading 2000 stays missing (not taken from a's 2004 row); 2002 = 20.
    # c: years 2000, 2002, 2003 with (0, ?, 6): 2002 = 0 + (2/3) * 6 = 4 (uses the year gap).
    expected = [1, 3, 5, 7, np.nan, np.nan, 10, 20, 30, 0, 4, 6]
    np.testing.assert_allclose(res.data["x"], expected)
    assert res.n_filled == 4
    assert set(map(tuple, res.unfilled[["id", "year"]].to_numpy())) == {("a", 2004), ("b", 2000)}
    assert df["x"].isna().sum() == 6  # input untouched


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.floats(-100, 100)), min_size=1, max_size=6),
        min_size=1,
        max_size=4,
    )
)
def test_interpolation_never_crosses_units(units):
    rows = [
        (f"u{i}", 2000 + t, np.nan if v is None else v)
        for i, vals in enumerate(units)
        for t, v in enumerate(vals)
    ]
    df = pd.DataFrame(rows, columns=["id", "year", "x"]).sample(frac=1, random_state=0)
    res = interpolate_within(df, ["x"], **KEYS)
    for _uid, part in df.groupby("id"):
        alone = interpolate_within(part, ["x"], **KEYS).data["x"]
        np.testing.assert_array_equal(res.data.loc[part.index, "x"], alone)
        obs = part["x"].dropna()
        got = res.data.loc[part.index, "x"].dropna()
        if len(obs):
            assert got.min() >= obs.min() - 1e-9 and got.max() <= obs.max() + 1e-9
        else:
            assert got.empty
    assert res.n_filled + len(res.unfilled) == df["x"].isna().sum()


# --------------------------------------------------------------------------- lags
def test_lags_and_leads_respect_year_gaps():
    df = pd.DataFrame(
        {"id": ["a", "a", "a", "b"], "year": [2000, 2001, 2003, 2001], "x": [1.0, 2.0, 3.0, 9.0]}
    )
    np.testing.assert_array_equal(lag(df, "x", **KEYS), [np.nan, 1.0, np.nan, np.nan])
    np.testing.assert_array_equal(lead(df, "x", **KEYS), [2.0, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(lag(df, "x", periods=2, **KEYS), [np.nan, np.nan, 2.0, np.nan])


def test_duplicate_keys_and_balance():
    df = pd.DataFrame({"id": ["a", "a", "b"], "year": [2000, 2000, 2000], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(InputError, match=r"duplicate unit-year keys.*\('a', 2000\)"):
        lag(df, "x", **KEYS)
    panel = pd.DataFrame({"id": ["a", "a", "b"], "year": [2000, 2001, 2000]})
    report = check_balanced(panel, **KEYS)
    assert not report.balanced and (report.n_units, report.n_periods) == (2, 2)
    assert report.missing.to_dict("records") == [{"id": "b", "year": 2001}]
    assert check_balanced(panel.iloc[[0, 2]], **KEYS).balanced


# --------------------------------------------------------------------------- winsorizing
def test_stata_percentile_when_np_is_whole():
    # n = 10, p = 10: P = n p / 100 = 1 is whole, so the percentile is (x(1) + x(2)) / 2 = 1.5;
    # p = 90: P = 9, (x(9) + x(10)) / 2 = 9.5.
    x = np.arange(1.0, 11.0)
    assert stata_percentile(x, 10) == 1.5 and stata_percentile(x, 90) == 9.5
    out = winsorize(pd.DataFrame({"x": x}), ["x"], cuts=(10, 90))["x"].to_numpy()
    np.testing.assert_array_equal(out, [1.5, 2, 3, 4, 5, 6, 7, 8, 9, 9.5])
    # scipy clips floor(n p) = 1 value per tail to its neighbour, which is not winsor2.
    clipped = np.asarray(mstats.winsorize(x, limits=(0.1, 0.1)))
    np.testing.assert_array_equal(clipped, [2, 2, 3, 4, 5, 6, 7, 8, 9, 9])
    assert not np.array_equal(out, clipped)


def test_stata_percentile_when_np_is_not_whole():
    # n = 12, p = 10: P = 1.2, so x(floor(P) + 1) = x(2) = 2; p = 90: P = 10.8, x(11) = 11.
    x = np.arange(12.0, 0.0, -1.0)  # order must not matter
    assert stata_percentile(x, 10) == 2 and stata_percentile(x, 90) == 11
    out = winsorize(pd.DataFrame({"x": x}), ["x"], cuts=(10, 90))["x"].to_numpy()
    np.testing.assert_array_equal(out, [11, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 2])


def test_winsor2_default_cuts_with_300_rows():
    # winsor2's default cuts(1 99): n = 300 makes P = 3 and 297 whole.
    x = np.arange(1.0, 301.0)
    out = winsorize(pd.DataFrame({"x": x}), ["x"])["x"]
    assert out.min() == 3.5 and out.max() == 297.5


def test_winsorize_trim_by_group_and_missing():
    df = pd.DataFrame(
        {"g": [1] * 10 + [2] * 10, "x": np.r_[np.arange(1.0, 11.0), np.arange(101.0, 111.0)]}
    )
    out = winsorize(df, ["x"], cuts=(10, 90), by="g")["x"].to_numpy()
    np.testing.assert_array_equal(out[:10], [1.5, 2, 3, 4, 5, 6, 7, 8, 9, 9.5])
    np.testing.assert_array_equal(out[10:], [101.5, *list(range(102, 110)), 109.5])
    trimmed = winsorize(df, ["x"], cuts=(10, 90), by="g", trim=True)["x"]
    assert trimmed.isna().sum() == 4 and trimmed[1:9].tolist() == list(range(2, 10))
    holes = df.assign(x=df["x"].where(df.index != 3))
    with pytest.raises(InputError, match=r"column 'x': has missing cells \(rows: 3\)"):
        winsorize(holes, ["x"])
    kept = winsorize(holes, ["x"], cuts=(10, 90), by="g", missing="keep")["x"]
    # Group 1 now has n = 9: P = 0.9 -> x(1) = 1; P = 8.1 -> x(9) = 10. Nothing changes.
    assert np.isnan(kept[3]) and kept[:10].drop(3).tolist() == [1, 2, 3, 5, 6, 7, 8, 9, 10]


samples = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False), min_size=1, max_size=60
)
cut_pairs = st.tuples(st.floats(0, 49), st.floats(51, 100))


@settings(max_examples=100, deadline=None)
@given(samples, cut_pairs)
def test_winsorize_keeps_median_and_matches_numpy_type2(values, cuts):
    x = np.array(values)
    out = winsorize(pd.DataFrame({"x": x}), ["x"], cuts=cuts)["x"].to_numpy()
    assert np.median(out) == pytest.approx(np.median(x), rel=1e-12, abs=1e-9)
    # numpy's averaged_inverted_cdf (Hyndman-Fan type 2) is Stata's _pctile rule.
    lo, hi = np.percentile(x, cuts, method="averaged_inverted_cdf")
    assert stata_percentile(x, cuts[0]) == pytest.approx(lo, rel=1e-12, abs=1e-9)
    assert stata_percentile(x, cuts[1]) == pytest.approx(hi, rel=1e-12, abs=1e-9)
    np.testing.assert_allclose(out, np.clip(x, lo, hi), rtol=1e-12, atol=1e-9)


def test_duplicate_index_labels_do_not_misalign():
    # pd.concat without ignore_index repeats labels 0, 1; results must follow row positions.
    a = pd.DataFrame({"id": ["a", "a"], "year": [2000, 2001], "inv": [10.0, 20.0], "p": [1.0, 2.0]})
    b = a.assign(id="b", inv=[30.0, np.nan])
    df = pd.concat([a, b])
    filled = interpolate_within(df, ["inv"], **KEYS)
    assert filled.n_filled == 0 and len(filled.unfilled) == 1
    full = pd.concat([a, b.assign(inv=[30.0, 40.0])])
    np.testing.assert_allclose(deflate(full, "inv", "p", base_year=2000, **KEYS), [10, 10, 30, 20])
    k = perpetual_inventory(full, "inv", delta=0.1, growth=0.1, **KEYS)
    np.testing.assert_allclose(k, [50, 65, 150, 175])
    assert list(k.index) == [0, 1, 0, 1]
    np.testing.assert_array_equal(lag(full, "inv", **KEYS), [np.nan, 10, np.nan, 30])
