"""DID, event study and vectorised placebo tests."""

from __future__ import annotations

import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sst

from helpers.did import (
    event_study,
    placebo_permutation,
    placebo_pseudo_treated,
    twfe_did,
)
from helpers.errors import InputError
from helpers.fixed_effects import fe_ols


def _panel(
    seed: int = 0,
    n_units: int = 40,
    years=range(2014, 2023),
    adopt: int = 2016,
    n_treated: int = 12,
    noise: float = 1.0,
    effects: dict | None = None,
) -> pd.DataFrame:
    """Balanced panel; treated units adopt in ``adopt``; ``effects`` maps event time -> effect."""
    rng = np.random.default_rng(seed)
    years = list(years)
    unit, year = np.meshgrid(np.arange(n_units), years, indexing="ij")
    df = pd.DataFrame({"city": unit.ravel(), "year": year.ravel()})
    df["adoption"] = np.where(df.city < n_treated, adopt, np.nan)
    df["did"] = ((df.city < n_treated) & (df.year >= adopt)).astype(float)
    df["w1"] = rng.normal(size=len(df))
    df["w2"] = rng.normal(size=len(df)) + 0.05 * df.city
    rel = df.year - df.adoption
    effect = rel.map(effects or {}).fillna(0.0) if effects else 0.5 * df.did
    df["y"] = (
        0.3 * df.city / n_units
        + 0.1 * (df.year - years[0])
        + 0.4 * df.w1
        - 0.2 * df.w2
        + effect
        + noise * rng.normal(size=len(df))
    )
    return df


def test_twfe_did_recovers_effect_without_noise():
    df = _panel(noise=0.0)
    res = twfe_did(df, "y", "did", "city", "year", ["w1", "w2"])
    assert res.params["did"] == pytest.approx(0.5, abs=1e-10)
    assert res.n_clusters == 40 and res.df_inference == 39


def test_event_study_recovers_dynamic_effects_exactly():
    effects = {-2: 0.0, -1: 0.0, 0: 0.2, 1: 0.4, 2: 0.6, 3: 0.8, 4: 1.0, 5: 1.0, 6: 1.0}
    df = _panel(noise=0.0, effects=effects)
    res = event_study(df, "y", "city", "year", "adoption", ["w1", "w2"], reference=-1)
    got = res.coefficients.coef
    np.testing.assert_allclose(got.loc[[-2, 0, 1, 2, 6]], [0.0, 0.2, 0.4, 0.6, 1.0], atol=1e-9)
    assert got.loc[-1] == 0 and res.coefficients.label.loc[-1] == "pre_1"
    assert res.coefficients.label.loc[0] == "current"


def test_event_study_accepts_nullable_integer_adoption_years():
    """Loaders give adoption as pandas' Int64 with <NA> for never-treated units."""
    effects = {-2: 0.0, -1: 0.0, 0: 0.2, 1: 0.4, 2: 0.6, 3: 0.8, 4: 1.0, 5: 1.0, 6: 1.0}
    df = _panel(noise=0.0, effects=effects)
    nullable = df.assign(adoption=df["adoption"].astype("Int64"))
    assert nullable["adoption"].isna().any()
    expected = event_study(df, "y", "city", "year", "adoption", ["w1", "w2"]).coefficients
    got = event_study(nullable, "y", "city", "year", "adoption", ["w1", "w2"]).coefficients
    pd.testing.assert_frame_equal(got, expected)


def test_event_study_binned_endpoints_pool_far_event_times():
    # constant effect 1.0 from event time 3 on: binning at 3 captures it exactly
    effects = {-2: 0.0, -1: 0.0, 0: 0.3, 1: 0.5, 2: 0.7, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0}
    df = _panel(noise=0.0, effects=effects)
    res = event_study(
        df, "y", "city", "year", "adoption", ["w1", "w2"], reference=-1, window=(-2, 3)
    )
    np.testing.assert_allclose(
        res.coefficients.coef.loc[[0, 1, 2, 3]], [0.3, 0.5, 0.7, 1.0], atol=1e-9
    )
    trimmed = event_study(
        df, "y", "city", "year", "adoption", reference=-1, window=(-2, 3), bin_endpoints=False
    )
    assert trimmed.fit.nobs == len(df) - 12 * 3  # post_4..post_6 of treated units dropped


def test_event_study_confidence_level():
    df = _panel(seed=3)
    r90 = event_study(df, "y", "city", "year", "adoption", level=0.90).coefficients
    r95 = event_study(df, "y", "city", "year", "adoption", level=0.95).coefficients
    k = 1
    ratio = (r90.ci_high[k] - r90.ci_low[k]) / (r95.ci_high[k] - r95.ci_low[k])
    assert ratio == pytest.approx(sst.t.ppf(0.95, 39) / sst.t.ppf(0.975, 39), rel=1e-12)


def _loop(df, y, draws_matrix, controls, fe, vcov, cluster):
    out = []
    for b in range(draws_matrix.shape[1]):
        res = fe_ols(
            df.assign(pl=draws_matrix[:, b]), y, ["pl", *controls], fe, vcov=vcov, cluster=cluster
        )
        out.append((res.params["pl"], res.bse["pl"], res.pvalues["pl"]))
    return np.array(out).T


@pytest.mark.parametrize("vcov", ["cluster", "robust", "conventional"])
def test_permutation_placebo_equals_loop_of_fe_estimator(vcov):
    df = _panel(seed=1)
    draws, seed = 20, 7
    res = placebo_permutation(
        df,
        "y",
        "did",
        ["w1", "w2"],
        ["city", "year"],
        draws=draws,
        seed=seed,
        vcov=vcov,
        cluster="city",
    )
    order = np.argsort(np.random.default_rng(seed).random((draws, len(df))), axis=1)
    matrix = df.did.to_numpy()[order].T
    coef, se, p = _loop(df, "y", matrix, ["w1", "w2"], ["city", "year"], vcov, "city")
    np.testing.assert_allclose(res.coef, coef, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.se, se, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.pvalue, p, rtol=0, atol=1e-10)
    assert res.estimate == pytest.approx(
        fe_ols(df, "y", ["did", "w1", "w2"], ["city", "year"], vcov=vcov, cluster="city").params[
            "did"
        ],
        abs=1e-12,
    )


def test_pseudo_treated_placebo_equals_loop_of_fe_estimator():
    df = _panel(seed=2).sample(frac=0.93, random_state=0)  # unbalanced: MAP iterates
    draws, seed, n_treated = 20, 11, 12
    res = placebo_pseudo_treated(
        df, "y", "city", "year", n_treated, 2016, ["w1"], treatment="did", draws=draws, seed=seed
    )
    units, codes = np.unique(df.city.to_numpy(), return_inverse=True)
    chosen = np.argsort(np.random.default_rng(seed).random((draws, len(units))), axis=1)
    member = np.zeros((draws, len(units)))
    for b in range(draws):
        member[b, chosen[b, :n_treated]] = 1.0
    matrix = member.T[codes] * (df.year.to_numpy() >= 2016)[:, None]
    coef, se, p = _loop(df, "y", matrix, ["w1"], ["city", "year"], "cluster", "city")
    np.testing.assert_allclose(res.coef, coef, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.se, se, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.pvalue, p, rtol=0, atol=1e-10)
    assert res.estimate == pytest.approx(
        twfe_did(df, "y", "did", "city", "year", ["w1"]).params["did"], abs=1e-12
    )


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 1000))
def test_placebo_is_reproducible(seed):
    df = _panel(seed=5)
    a = placebo_pseudo_treated(df, "y", "city", "year", 12, 2016, draws=30, seed=seed)
    b = placebo_pseudo_treated(df, "y", "city", "year", 12, 2016, draws=30, seed=seed)
    c = placebo_pseudo_treated(df, "y", "city", "year", 12, 2016, draws=30, seed=seed + 1)
    np.testing.assert_array_equal(a.coef, b.coef)
    assert not np.array_equal(a.coef, c.coef)


def test_plots_return_figures():
    df = _panel(seed=4)
    es = event_study(df, "y", "city", "year", "adoption", level=0.90)
    pl = placebo_pseudo_treated(df, "y", "city", "year", 12, 2016, treatment="did", draws=50)
    for fig in (es.plot(title="event study"), pl.density_plot(), pl.pvalue_plot()):
        assert isinstance(fig, matplotlib.figure.Figure) and fig.axes
        plt.close(fig)
    assert pl.summary()["draws"] == 50


def test_placebo_input_errors():
    df = _panel()
    with pytest.raises(InputError, match="n_treated"):
        placebo_pseudo_treated(df, "y", "city", "year", 40, 2016)
    with pytest.raises(InputError, match="reference"):
        event_study(df, "y", "city", "year", "adoption", reference=-5, window=(-2, 3))
    with pytest.raises(InputError, match="draws"):
        placebo_permutation(df, "y", "did", fe=["city"], draws=0)


def test_chunked_placebo_draws_give_the_same_numbers(monkeypatch):
    """Chunks of 7 draws read the generator in the same order as one block of 23: the same
    draws, and estimates equal up to rounding (the demeaning sweeps a narrower matrix)."""
    import helpers.did as did

    df = _panel(seed=6)
    whole_perm = placebo_permutation(
        df, "y", "did", ["w1"], ["city", "year"], draws=23, seed=3, cluster="city"
    )
    whole_pseudo = placebo_pseudo_treated(df, "y", "city", "year", 12, 2016, draws=23, seed=3)
    monkeypatch.setattr(did, "PLACEBO_CHUNK_CELLS", 7 * len(df))
    assert did._chunks(23, len(df)) == [7, 7, 7, 2]
    perm = placebo_permutation(
        df, "y", "did", ["w1"], ["city", "year"], draws=23, seed=3, cluster="city"
    )
    pseudo = placebo_pseudo_treated(df, "y", "city", "year", 12, 2016, draws=23, seed=3)
    for got, want in [(perm, whole_perm), (pseudo, whole_pseudo)]:
        for field in ("coef", "se", "pvalue"):
            np.testing.assert_allclose(getattr(got, field), getattr(want, field), rtol=1e-12)
    rng = np.random.default_rng(3)
    units, times = df["city"].to_numpy(), df["year"].to_numpy()
    chunked = [did.pseudo_treated_draws(units, times, 12, 2016, k, rng) for k in (7, 7, 7, 2)]
    whole = did.pseudo_treated_draws(units, times, 12, 2016, 23, 3)
    np.testing.assert_array_equal(np.hstack(chunked), whole)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=3, max_size=60, unique=True),
)
def test_gaussian_density_is_scipys_gaussian_kde(values):
    """The placebo density (without scipy.stats) is scipy's Gaussian KDE, Scott bandwidth."""
    from scipy.stats import gaussian_kde

    from helpers.did import gaussian_density

    sample = np.array(values)
    grid = np.linspace(sample.min() - 1, sample.max() + 1, 50)
    reference = gaussian_kde(sample)(grid)
    np.testing.assert_allclose(
        gaussian_density(sample, grid), reference, rtol=1e-9, atol=1e-12 * reference.max()
    )
    assert np.isnan(gaussian_density(np.full(4, 2.0), grid)).all()
