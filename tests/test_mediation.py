"""Mediation and moderation: hand-checkable identities and an independent OLS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.errors import InputError
from helpers.mediation import mediation, moderation, sobel, two_step_mediation


def _data(seed: int = 0, n_units: int = 30, n_years: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(n_years), n_units)
    x = rng.normal(size=unit.size) + 0.2 * unit / n_units
    m = 0.6 * x + rng.normal(size=unit.size) + 0.1 * year
    y = 0.3 * x + 0.5 * m + rng.normal(size=unit.size) + 0.05 * unit
    z = rng.normal(size=unit.size) + 1.5
    return pd.DataFrame(
        {"id": unit, "year": year, "x": x, "m": m, "y": y, "z": z, "y2": y + 0.4 * x * z}
    )


def test_sobel_by_hand():
    # a=0.5 (se 0.1), b=0.4 (se 0.2): se = sqrt(0.16*0.01 + 0.25*0.04) = sqrt(0.0116)
    se, z, p = sobel(0.5, 0.1, 0.4, 0.2)
    assert se == pytest.approx(np.sqrt(0.0116))
    assert z == pytest.approx(0.2 / np.sqrt(0.0116))
    assert p == pytest.approx(2 * (1 - __import__("scipy").stats.norm.cdf(z)))


def test_baron_kenny_matches_ols_and_decomposes_total_effect():
    df = _data()
    res = mediation(df, "y", "x", "m", fe=[], vcov="robust")
    a = smf.ols("m ~ x", df).fit(cov_type="HC1")
    d = smf.ols("y ~ x + m", df).fit(cov_type="HC1")
    assert res.a_path.params["x"] == pytest.approx(a.params["x"], rel=1e-10)
    assert res.direct.bse["m"] == pytest.approx(d.bse["m"], rel=1e-9)
    # OLS identity without controls: c = c' + a*b exactly
    assert res.total.params["x"] == pytest.approx(res.direct.params["x"] + res.indirect, rel=1e-10)
    se, _, _ = sobel(a.params["x"], a.bse["x"], d.params["m"], d.bse["m"])
    assert res.sobel_se == pytest.approx(se, rel=1e-9)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_decomposition_holds_with_fixed_effects(seed):
    """FWL: with the same FE and controls in every equation, c = c' + a*b."""
    df = _data(seed)
    res = mediation(df, "y", "x", "m", ["z"], ["id", "year"])
    assert res.total.params["x"] == pytest.approx(
        res.direct.params["x"] + res.indirect, rel=1e-8, abs=1e-10
    )


def test_two_step_is_the_first_two_baron_kenny_equations():
    df = _data(1)
    two = two_step_mediation(df, "y", "x", "m", fe=["id", "year"], vcov="cluster", cluster="id")
    three = mediation(df, "y", "x", "m", fe=["id", "year"], vcov="cluster", cluster="id")
    pd.testing.assert_series_equal(two.total.params, three.total.params)
    pd.testing.assert_series_equal(two.a_path.bse, three.a_path.bse)


def test_bootstrap_is_seeded_and_covers_estimate():
    df = _data(2)
    r1 = mediation(
        df, "y", "x", "m", fe=["id", "year"], bootstrap=60, seed=3, cluster_bootstrap="id"
    )
    r2 = mediation(
        df, "y", "x", "m", fe=["id", "year"], bootstrap=60, seed=3, cluster_bootstrap="id"
    )
    assert r1.boot_ci == r2.boot_ci
    assert r1.boot_ci[0] < r1.indirect < r1.boot_ci[1]
    assert r1.summary()["boot ci low"] == r1.boot_ci[0]


def test_moderation_centring_identities():
    df = _data(4)
    raw = moderation(df, "y2", "x", "z", fe=["id", "year"], center=False)
    cen = moderation(df, "y2", "x", "z", fe=["id", "year"], center=True)
    b_raw, b_cen = raw.fit.params, cen.fit.params
    # interaction unchanged; centred main effect = raw main effect + b3 * mean(z)
    assert b_cen["x_x_z"] == pytest.approx(b_raw["x_x_z"], rel=1e-9)
    assert b_cen["x"] == pytest.approx(b_raw["x"] + b_raw["x_x_z"] * df.z.mean(), rel=1e-9)
    assert cen.marginal_effect(2.0) == pytest.approx(raw.marginal_effect(2.0), rel=1e-9)
    assert "x" in df.columns and df.x.mean() != 0  # input not modified


def test_mediation_input_errors():
    df = _data()
    with pytest.raises(InputError, match="bootstrap"):
        mediation(df, "y", "x", "m", bootstrap=-1)
    with pytest.raises(InputError, match="nope"):
        mediation(df, "y", "x", "nope")
