"""Entropy-weight and PCA composite indices: hand examples, independent checks, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers.errors import InputError
from helpers.indices import (
    Indicator,
    bartlett_sphericity,
    entropy_index,
    entropy_weights,
    kmo,
    pca_index,
)


@pytest.fixture
def four_by_three() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["A", "B", "C", "D"],
            "year": [2020, 2020, 2020, 2020],
            "x1": [1.0, 2.0, 3.0, 4.0],  # positive
            "x2": [10.0, 20.0, 20.0, 10.0],  # negative
            "x3": [5.0, 5.0, 5.0, 9.0],  # positive
        }
    )


SPEC = [
    Indicator("x1", "positive", "Labour", "Skill"),
    Indicator("x2", "negative", "Labour", "Cost"),
    Indicator("x3", "positive", "Means", "Infra"),
]


def test_entropy_weights_4x3_by_hand(four_by_three):
    # Normalised: z1 = (0, 1/3, 2/3, 1); z2 = (max - x)/(max - min) = (1, 0, 0, 1);
    # z3 = (0, 0, 0, 1). With shift 0: p1 = z1 / 2 = (0, 1/6, 1/3, 1/2),
    # p2 = (1/2, 0, 0, 1/2), p3 = (0, 0, 0, 1); 0 ln 0 = 0; n = 4.
    e1 = ((1 / 6) * math.log(6) + (1 / 3) * math.log(3) + (1 / 2) * math.log(2)) / math.log(4)
    e2 = math.log(2) / math.log(4)  # = 0.5
    e3 = 0.0
    d = np.array([1 - e1, 1 - e2, 1 - e3])  # (0.270427, 0.5, 1.0)
    w = d / d.sum()  # (0.152746, 0.282418, 0.564836)
    res = entropy_index(four_by_three, SPEC, shift=0.0, unit="unit", time="year")
    np.testing.assert_allclose(res.weights["weight"], w, rtol=1e-12)
    np.testing.assert_allclose(res.weights["entropy"], [e1, e2, e3], rtol=1e-12)
    np.testing.assert_allclose(w, [0.152746, 0.282418, 0.564836], atol=1e-6)
    # Scores S = sum_j w_j z_ij.
    expected = [w[1], w[0] / 3, 2 * w[0] / 3, w[0] + w[1] + w[2]]
    np.testing.assert_allclose(res.score, expected, rtol=1e-12)
    assert list(res.weights.columns[:4]) == ["dimension", "subdimension", "indicator", "direction"]


def test_entropy_shift_default_is_small_perturbation(four_by_three):
    exact = entropy_index(four_by_three, SPEC, shift=0.0).weights["weight"]
    shifted = entropy_index(four_by_three, SPEC).weights["weight"]
    # With y = z + 1e-4 the weights move, but by far less than their size.
    assert not np.allclose(exact, shifted, rtol=0, atol=1e-12)
    np.testing.assert_allclose(exact, shifted, atol=5e-3)


def test_entropy_shift_by_hand_for_one_column():
    # z = (0, 1) after min-max; shift 0.01 gives y = (0.01, 1.01), p = y / 1.02.
    p = np.array([0.01, 1.01]) / 1.02
    e = -(p * np.log(p)).sum() / math.log(2)
    z = np.array([[0.0, 0.0], [1.0, 1.0]])  # two identical columns share the weight equally
    w = entropy_weights(z, shift=0.01)
    np.testing.assert_allclose(w, [0.5, 0.5])
    from helpers.indices import _entropy

    np.testing.assert_allclose(_entropy(z, 0.01), [e, e])


def test_dimension_scores_recombine_to_composite(four_by_three):
    res = entropy_index(four_by_three, SPEC, unit="unit", time="year")
    w = res.weights.groupby("dimension", sort=False)["weight"].sum()
    recombined = sum(w[d] * res.dimension_scores[d] for d in w.index)
    np.testing.assert_allclose(recombined, res.score, rtol=1e-12)
    # Within-dimension renormalised weights keep group scores in [0, 1].
    assert res.dimension_scores.min().min() >= 0 and res.dimension_scores.max().max() <= 1
    assert list(res.subdimension_scores.columns) == ["Skill", "Cost", "Infra"]
    # A one-indicator subdimension scores exactly its normalised indicator.
    np.testing.assert_allclose(res.subdimension_scores["Infra"], res.normalised["x3"])


def test_by_year_equals_pooled_within_each_year():
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "unit": np.tile(list("abcde"), 2),
            "year": np.repeat([2019, 2020], 5),
            "x1": rng.uniform(1, 9, 10),
            "x2": rng.uniform(1, 9, 10),
        }
    )
    spec = {"x1": "positive", "x2": "negative"}
    res = entropy_index(df, spec, by="year", unit="unit", time="year")
    for year, part in df.groupby("year"):
        alone = entropy_index(part, spec)
        got = res.weights.loc[res.weights["year"] == year, "weight"].to_numpy()
        np.testing.assert_allclose(got, alone.weights["weight"], rtol=1e-12)
        np.testing.assert_allclose(res.score[part.index], alone.score, rtol=1e-12)


def test_nested_subindex_feeds_higher_index():
    rng = np.random.default_rng(5)
    df = pd.DataFrame(rng.uniform(1, 10, (12, 4)), columns=["net", "phone", "tele", "rd"])
    digital = entropy_index(df, ["net", "phone", "tele"], name="digital")
    outer = entropy_index(df.assign(digital=digital.score), ["digital", "rd"])
    # Same as computing the outer index by hand from the inner score.
    z = (digital.score - digital.score.min()) / (digital.score.max() - digital.score.min())
    z_rd = (df["rd"] - df["rd"].min()) / (df["rd"].max() - df["rd"].min())
    w = entropy_weights(np.column_stack([z, z_rd]))
    np.testing.assert_allclose(outer.weights["weight"], w, rtol=1e-12)
    np.testing.assert_allclose(outer.score, w[0] * z + w[1] * z_rd, rtol=1e-12)


def test_indicator_table_input(four_by_three):
    table = pd.DataFrame(
        {
            "dimension": ["Labour", "Labour", "Means"],
            "subdimension": ["Skill", "Cost", "Infra"],
            "indicator": ["x1", "x2", "x3"],
            "direction": ["positive", "negative", "positive"],
        }
    )
    a = entropy_index(four_by_three, table).weights
    b = entropy_index(four_by_three, SPEC).weights
    pd.testing.assert_frame_equal(a, b)


def test_entropy_errors(four_by_three):
    with pytest.raises(InputError, match="unknown indicator direction 'postive'"):
        entropy_index(four_by_three, {"x1": "postive"})
    with pytest.raises(InputError, match="column 'x3': indicator is constant"):
        entropy_index(four_by_three.iloc[:3], ["x1", "x3"])
    bad = four_by_three.copy()
    bad.loc[2, "x1"] = np.nan
    with pytest.raises(InputError, match=r"column 'x1': has missing cells \(rows: \('C', 2020\)"):
        entropy_index(bad, ["x1", "x2"], unit="unit", time="year")
    dup = pd.concat([four_by_three, four_by_three.iloc[[0]]])
    with pytest.raises(InputError, match=r"duplicate unit-year keys.*\('A', 2020\)"):
        entropy_index(dup, ["x1", "x2"], unit="unit", time="year")
    yearly = pd.concat([four_by_three, four_by_three.assign(year=2021, x3=5.0)], ignore_index=True)
    with pytest.raises(InputError, match="column 'x3': indicator is constant in year 2021"):
        entropy_index(yearly, ["x1", "x3"], by="year", unit="unit", time="year")
    with pytest.raises(InputError, match="parameter 'by'"):
        entropy_index(four_by_three, ["x1"], by="decade")
    with pytest.raises(InputError, match="not found"):
        entropy_index(four_by_three, ["nope"])


def test_entropy_missing_drop_reports_and_leaves_nan(four_by_three):
    bad = four_by_three.copy()
    bad.loc[0, "x1"] = np.nan
    res = entropy_index(bad, ["x1", "x2"], missing="drop")
    assert res.n_dropped == 1 and np.isnan(res.score[0]) and res.score[1:].notna().all()
    np.testing.assert_allclose(
        res.score[1:], entropy_index(bad.iloc[1:], ["x1", "x2"]).score, rtol=1e-12
    )


def test_input_not_modified(four_by_three):
    before = four_by_three.copy()
    entropy_index(four_by_three, SPEC)
    pca_index(four_by_three, ["x1", "x2", "x3"], log=True)
    pd.testing.assert_frame_equal(four_by_three, before)


# --------------------------------------------------------------------------- properties
matrices = arrays(
    np.float64,
    st.tuples(st.integers(3, 12), st.integers(2, 5)),
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
).filter(lambda a: bool((np.ptp(a, axis=0) > 1e-6 * (1 + np.abs(a).max())).all()))


@settings(max_examples=60, deadline=None)
@given(matrices, st.floats(0, 0.1))
def test_weights_non_negative_and_sum_to_one(x, shift):
    df = pd.DataFrame(x, columns=[f"c{j}" for j in range(x.shape[1])])
    w = entropy_index(df, list(df.columns), shift=shift).weights["weight"]
    assert (w >= 0).all()
    assert w.sum() == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(matrices, st.floats(0.01, 100), st.floats(-100, 100))
def test_weights_invariant_to_rescaling_an_indicator(x, scale, offset):
    df = pd.DataFrame(x, columns=[f"c{j}" for j in range(x.shape[1])])
    moved = df.assign(c0=df["c0"] * scale + offset)
    a = entropy_index(df, list(df.columns))
    b = entropy_index(moved, list(df.columns))
    np.testing.assert_allclose(a.weights["weight"], b.weights["weight"], atol=1e-8)
    np.testing.assert_allclose(a.score, b.score, atol=1e-8)


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_negative_indicator_reverses_ranking(x):
    df = pd.DataFrame(x[:, :1], columns=["c0"])
    pos = entropy_index(df, {"c0": "positive"}).score
    neg = entropy_index(df, {"c0": "negative"}).score
    # With one indicator the score is its normalised value: negative = 1 - positive.
    np.testing.assert_allclose(neg, 1 - pos, atol=1e-12)
    order = np.argsort(df["c0"].to_numpy(), kind="stable")
    assert np.all(np.diff(neg.to_numpy()[order]) <= 1e-12)
    # Marking -x negative gives exactly the index of x marked positive.
    flipped = entropy_index(df.assign(c0=-df["c0"]), {"c0": "negative"}).score
    np.testing.assert_allclose(flipped, pos, atol=1e-12)


# --------------------------------------------------------------------------- PCA
@pytest.fixture
def pca_data() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    f = rng.normal(size=40)
    cols = {f"v{j}": np.exp(0.5 * f + rng.normal(scale=0.6, size=40) + j) for j in range(4)}
    return pd.DataFrame(cols)


def test_pca_against_numpy_svd(pca_data):
    res = pca_index(pca_data, list(pca_data.columns), log=True)
    x = np.log(pca_data.to_numpy())
    z = (x - x.mean(0)) / x.std(0, ddof=1)
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    v1 = vt[0] * np.sign(vt[0].sum())
    np.testing.assert_allclose(res.loadings["PC1"], v1, atol=1e-10)
    np.testing.assert_allclose(res.explained["eigenvalue"], s**2 / (len(z) - 1), rtol=1e-10)
    np.testing.assert_allclose(res.score, z @ v1, atol=1e-10)
    assert res.loadings["PC1"].sum() > 0
    assert res.explained["cumulative"].iloc[-1] == pytest.approx(1.0)


def test_pca_variance_share_weighting(pca_data):
    res = pca_index(pca_data, list(pca_data.columns), n_components=2)
    lam = res.explained["eigenvalue"].to_numpy()[:2]
    manual = (lam[0] * res.components["PC1"] + lam[1] * res.components["PC2"]) / lam.sum()
    np.testing.assert_allclose(res.score, manual, rtol=1e-12)
    kaiser = pca_index(pca_data, list(pca_data.columns), n_components="kaiser")
    assert kaiser.components.shape[1] == int((res.explained["eigenvalue"] > 1).sum())


def test_bartlett_two_variables_by_hand():
    # p = 2: |R| = 1 - r^2, df = 1, chi2 = -(n - 1 - 9/6) ln(1 - r^2).
    r, n = 0.6, 50
    chi2, df, pval = bartlett_sphericity(np.array([[1, r], [r, 1]]), n)
    assert df == 1
    assert chi2 == pytest.approx(-(n - 1 - 1.5) * math.log(1 - r**2), rel=1e-12)
    assert pval == pytest.approx(math.erfc(math.sqrt(chi2 / 2)), rel=1e-9)


def test_kmo_two_variables_is_one_half():
    # With two variables the partial correlation equals r, so KMO = r^2 / (2 r^2) = 0.5.
    overall, per_var = kmo(np.array([[1, 0.3], [0.3, 1]]))
    assert overall == pytest.approx(0.5)
    np.testing.assert_allclose(per_var, [0.5, 0.5])


def test_kmo_against_regression_partial_correlations(pca_data):
    x = pca_data.to_numpy()
    p = x.shape[1]
    # Partial correlation of i and j given the rest from OLS residuals.
    partial = np.zeros((p, p))
    for i in range(p):
        for j in range(i + 1, p):
            rest = np.column_stack(
                [np.ones(len(x))] + [x[:, k] for k in range(p) if k not in (i, j)]
            )
            ei = x[:, i] - rest @ np.linalg.lstsq(rest, x[:, i], rcond=None)[0]
            ej = x[:, j] - rest @ np.linalg.lstsq(rest, x[:, j], rcond=None)[0]
            partial[i, j] = partial[j, i] = np.corrcoef(ei, ej)[0, 1]
    r = np.corrcoef(x, rowvar=False)
    off = ~np.eye(p, dtype=bool)
    expected = (r[off] ** 2).sum() / ((r[off] ** 2).sum() + (partial[off] ** 2).sum())
    res = pca_index(pca_data, list(pca_data.columns))
    assert res.kmo == pytest.approx(expected, rel=1e-9)


def test_pca_errors(pca_data):
    bad = pca_data.copy()
    bad.loc[3, "v1"] = -1.0
    with pytest.raises(InputError, match=r"column 'v1': must be strictly positive.*rows: 3"):
        pca_index(bad, list(bad.columns), log=True)
    with pytest.raises(InputError, match="n_components"):
        pca_index(pca_data, list(pca_data.columns), n_components=9)
    with pytest.raises(InputError, match="constant"):
        pca_index(pca_data.assign(v2=1.0), list(pca_data.columns))


def test_pca_singular_correlation_warns(pca_data):
    dup = pca_data.assign(v3=pca_data["v0"] * 2)
    with pytest.warns(UserWarning, match="singular"):
        res = pca_index(dup, list(dup.columns))
    assert np.isnan(res.kmo) and np.isnan(res.bartlett_chi2)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 100), st.floats(-100, 100))
def test_pca_index_invariant_to_rescaling_an_indicator(scale, offset):
    rng = np.random.default_rng(2)
    f = rng.normal(size=25)
    df = pd.DataFrame({f"v{j}": f + rng.normal(scale=0.7, size=25) for j in range(3)})
    a = pca_index(df, list(df.columns))
    b = pca_index(df.assign(v1=df["v1"] * scale + offset), list(df.columns))
    np.testing.assert_allclose(a.score, b.score, atol=1e-8)
    np.testing.assert_allclose(a.loadings, b.loadings, atol=1e-8)
    assert a.kmo == pytest.approx(b.kmo, abs=1e-10)
