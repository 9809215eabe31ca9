"""Wild cluster bootstrap against the ``wildboottest`` package (through pyfixest).

Tolerances: full enumeration is deterministic, so p-values agree exactly, except for the
two sign vectors that reproduce the original |t|, which wildboottest's rounding may count;
with Monte Carlo draws the same seed gives the same Rademacher/Webb matrix (the draw
convention is shared), so p-values agree exactly too; with different seeds they agree
within simulation error (4 standard errors of the difference of two independent
estimates of p).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from helpers.errors import InputError
from helpers.fixed_effects import fe_ols
from helpers.papers import simulate
from helpers.wild_bootstrap import bootstrap_weights, wild_cluster_bootstrap

pf = pytest.importorskip("pyfixest")
pytest.importorskip("wildboottest")


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    """The gtfp chapter's simulated provincial panel (30 provinces, 10 years)."""
    data = simulate("gtfp")
    data["y"] = np.log(data["real_gdp"])
    # integer cluster codes in sorted-name order (wildboottest's numba kernels need numbers)
    data["pid"] = pd.factorize(data["province"], sort=True)[0]
    return data


def _theirs(frame, formula, reps, seed, weights="rademacher"):
    fit = pf.feols(formula, data=frame, vcov={"CRV1": "pid"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fit.wildboottest(reps=reps, param="gov", seed=seed, weights_type=weights)
    return float(out["Pr(>|t|)"])


def test_enumeration_on_a_regional_subsample_is_exact(book):
    east = book[book.region == "East"]  # 11 provinces: 2^11 = 2048 sign vectors
    ours = wild_cluster_bootstrap(
        east, "y", "gov", ["fdi", "env"], ["province", "year"], cluster="province", draws=9999
    )
    assert ours.enumerated and ours.draws == 2**11
    theirs = _theirs(east, "y ~ gov + fdi + env | province + year", 9999, 1)
    # The all-ones and all-minus-ones sign vectors reproduce |t| exactly. Ours leaves both
    # out (strict inequality judged with a tolerance); wildboottest compares without one, so
    # the machine's rounding decides whether it counts them. Any other draw must agree.
    ties_counted_by_theirs = (theirs - ours.pvalue) * 2**11
    assert ties_counted_by_theirs == pytest.approx(round(ties_counted_by_theirs), abs=1e-9)
    assert round(ties_counted_by_theirs) in (0, 1, 2)
    # the original t statistic is fe_ols's clustered t (reghdfe small-sample factor)
    fit = fe_ols(
        east, "y", ["gov", "fdi", "env"], ["province", "year"], vcov="cluster", cluster="province"
    )
    assert ours.t_stat == pytest.approx(fit.tvalues["gov"], rel=1e-10)
    assert ours.estimate == pytest.approx(fit.params["gov"], rel=1e-10)


@pytest.mark.parametrize("weights", ["rademacher", "webb"])
def test_same_seed_gives_the_same_draws_and_p_value(book, weights):
    ours = wild_cluster_bootstrap(
        book,
        "y",
        "gov",
        ["fdi"],
        ["province", "year"],
        cluster="province",
        draws=1999,
        seed=7,
        weights=weights,
        conf_int=False,
    )
    assert not ours.enumerated
    theirs = _theirs(book, "y ~ gov + fdi | province + year", 1999, 7, weights)
    assert ours.pvalue == pytest.approx(theirs, abs=1e-12)


def test_different_seeds_agree_within_simulation_error(book):
    draws = 4999
    ours = wild_cluster_bootstrap(
        book,
        "y",
        "gov",
        ["fdi"],
        ["province", "year"],
        cluster="province",
        draws=draws,
        seed=1,
        conf_int=False,
    )
    theirs = _theirs(book, "y ~ gov + fdi | province + year", draws, 2)
    p = (ours.pvalue + theirs) / 2
    assert abs(ours.pvalue - theirs) <= 4 * np.sqrt(2 * p * (1 - p) / draws) + 1e-12


def test_interval_ends_are_where_the_p_value_crosses_alpha(book):
    res = wild_cluster_bootstrap(
        book, "y", "gov", ["fdi"], ["province", "year"], cluster="province", draws=999, seed=3
    )
    assert res.ci_low < res.estimate < res.ci_high
    step = 1e-6 * res.se
    for end, out in ((res.ci_low, -step), (res.ci_high, step)):
        inside = wild_cluster_bootstrap(
            book,
            "y",
            "gov",
            ["fdi"],
            ["province", "year"],
            cluster="province",
            draws=999,
            seed=3,
            null=end - out,
            conf_int=False,
        )
        outside = wild_cluster_bootstrap(
            book,
            "y",
            "gov",
            ["fdi"],
            ["province", "year"],
            cluster="province",
            draws=999,
            seed=3,
            null=end + out,
            conf_int=False,
        )
        assert inside.pvalue >= 0.05 > outside.pvalue


def test_equal_tailed_p_value_and_reproducibility(book):
    kw = dict(cluster="province", draws=999, seed=11, conf_int=False)
    a = wild_cluster_bootstrap(
        book, "y", "gov", ["fdi"], ["province", "year"], pvalue="equal-tailed", **kw
    )
    b = wild_cluster_bootstrap(
        book, "y", "gov", ["fdi"], ["province", "year"], pvalue="equal-tailed", **kw
    )
    assert a.pvalue == b.pvalue
    tb, t = a.t_boot, a.t_stat
    assert a.pvalue == pytest.approx(2 * min(np.mean(tb > t), np.mean(tb < t)))


def test_bootstrap_rejects_a_false_null_and_weights_are_valid(book):
    res = wild_cluster_bootstrap(
        book,
        "y",
        "gov",
        [],
        ["province", "year"],
        cluster="province",
        draws=999,
        null=100.0,
        conf_int=False,
    )
    assert res.pvalue < 0.01
    v, full = bootstrap_weights(4, 16)
    assert full and v.shape == (4, 16) and len({tuple(c) for c in v.T}) == 16
    webb, _ = bootstrap_weights(5, 1000, "webb", seed=1)
    assert set(np.round(np.abs(webb).ravel() ** 2 * 2).astype(int)) == {1, 2, 3}


def test_bad_input_is_named():
    frame = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [1.0, 0, 1, 0], "g": [1, 1, 1, 1]})
    with pytest.raises(InputError, match="at least two clusters"):
        wild_cluster_bootstrap(frame, "y", "x", cluster="g")
    with pytest.raises(InputError, match="weights"):
        wild_cluster_bootstrap(frame, "y", "x", cluster="g", weights="mammen")
