"""Subgroup equality tests: the interacted pooled model reproduces the group regressions,
its Wald test equals ``pyfixest``'s on the same interacted model, and the stacked test is the
z-test of the difference with the groups' own standard errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.errors import InputError
from helpers.papers import simulate
from helpers.subgroups import subgroup_difference

pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    data = simulate("gtfp")
    data["y"] = np.log(data["real_gdp"])
    return data[data.region != "Central"].reset_index(drop=True)


def test_interacted_model_reproduces_group_coefficients_and_pyfixest_wald(book):
    res = subgroup_difference(
        book, "y", ["gov", "fdi"], "region", ["province", "year"], param="gov", cluster="province"
    )
    np.testing.assert_allclose(res.groups.coef_pooled, res.groups.coef, rtol=1e-8)
    data = book.assign(
        east=(book.region == "East").astype(float), ry=book.region + book.year.astype(str)
    )
    data = data.assign(
        gov_e=data.gov * data.east,
        gov_w=data.gov * (1 - data.east),
        fdi_e=data.fdi * data.east,
        fdi_w=data.fdi * (1 - data.east),
    )
    fit = pf.feols(
        "y ~ gov_e + gov_w + fdi_e + fdi_w | province + ry",
        data=data,
        vcov={"CRV1": "province"},
        ssc=pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min"),
    )
    b, v = fit.coef(), fit._vcov
    d = b["gov_e"] - b["gov_w"]
    var = v[0, 0] + v[1, 1] - 2 * v[0, 1]
    assert res.statistic == pytest.approx(d**2 / var, rel=1e-7)
    assert res.difference == pytest.approx(d, rel=1e-8)


def test_stacked_test_is_the_z_test_of_the_difference(book):
    res = subgroup_difference(
        book,
        "y",
        ["gov", "fdi"],
        "region",
        ["province", "year"],
        param="gov",
        cluster="province",
        method="stacked",
    )
    c = res.groups
    z = (c.coef.iloc[0] - c.coef.iloc[1]) / np.hypot(c.se.iloc[0], c.se.iloc[1])
    assert res.statistic == pytest.approx(z**2)
    assert 0 <= res.pvalue <= 1


def test_a_real_difference_is_detected_and_a_null_one_is_not():
    rng = np.random.default_rng(0)
    n_units, years = 60, 8
    unit = np.repeat(np.arange(n_units), years)
    frame = pd.DataFrame({"unit": unit, "year": np.tile(np.arange(years), n_units)})
    frame["g"] = np.where(unit < 30, "a", "b")
    frame["x"] = rng.normal(size=len(frame))
    for slope_b, expect_small in ((1.0, True), (0.0, False)):
        frame["y"] = np.where(frame.g == "a", 1.0, slope_b) * frame.x + rng.normal(size=len(frame))
        res = subgroup_difference(
            frame, "y", ["x"], "g", ["unit", "year"], param="x", cluster="unit"
        )
        assert (res.pvalue > 0.01) == expect_small


def test_stacked_needs_clusters_inside_groups(book):
    with pytest.raises(InputError, match="inside one group"):
        subgroup_difference(
            book,
            "y",
            ["gov"],
            "region",
            ["province", "year"],
            param="gov",
            cluster="year",
            method="stacked",
        )
