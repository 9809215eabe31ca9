"""HonestDiD sensitivity against independent implementations.

* Smoothness FLCI: ``diff_diff`` (scipy) and ``moderndid`` (a port of the R package,
  CVXR -> cvxpy) on the bigdata_did event study: 1e-5 of the estimate's sd against diff_diff
  (both solve the convex programme numerically), 1e-3 against moderndid (which, like R,
  simulates the folded-normal quantile).
* Relative magnitudes, identified set: ``diff_diff``'s union-of-polyhedra LPs, 1e-9.
* Relative magnitudes, C-LF: for every polyhedron of ``Delta^RM`` (R's constraint
  matrix), ``moderndid``'s ARP nuisance-parameter test with the LF hybrid accepts
  the same grid points (same seed for the least-favourable draws): the same accepted
  range and at most 2 of 400 points differing, at ties of statistic and critical value.
  ``moderndid``'s own ``Delta^RM`` wrapper is not used: its constraint for the
  pre-period difference ``s`` is shifted by one period against R's ``.create_A_RM``
  (checked below on a case written out by hand from the paper's definition).
* Published example: Rambachan and Roth (2023)'s R README (Medicaid, FLCI rows) is
  reproduced from its printed event-study rows only approximately, so the checks
  against it are the paper's qualitative properties (nesting, breakdown monotonicity).
"""

from __future__ import annotations

import warnings
from itertools import pairwise

import numpy as np
import pytest

from helpers.did import event_study
from helpers.errors import InputError
from helpers.honest_did import (
    _polyhedron,
    _rm_constraints,
    breakdown_value,
    identified_set_rm,
    original_ci,
    relative_magnitudes_ci,
    sensitivity,
    smoothness_flci,
)
from helpers.papers import simulate

diff_diff = pytest.importorskip("diff_diff.honest_did")
md_nuis = pytest.importorskip("moderndid.didhonest.arp_nuisance")
md = pytest.importorskip("moderndid.didhonest")


def _bigdata_did():
    """Event study of the bigdata_did simulated panel (log invention patents) on the 2016
    pilot: two pre-periods, 2014 and 2015 (event time -1 is the reference), seven post."""
    data = simulate("bigdata_did")
    data = data.assign(y=np.log1p(data["invention_patents_granted"]))
    es = event_study(data, "y", "city", "year", "bdpz_year", window=(-2, 6))
    names = [n for n in es.fit.params.index if n.startswith("_es_")]
    beta = es.fit.params[names].to_numpy()
    sigma = es.fit.vcov.loc[names, names].to_numpy()
    return beta, sigma, 1


def _three_pre_periods():
    """A synthetic event study with three pre- and three post-period coefficients."""
    rng = np.random.default_rng(3)
    root = rng.normal(size=(6, 6)) * 0.01
    sigma = root @ root.T + np.eye(6) * 1e-4
    return np.array([0.01, -0.005, 0.004, 0.05, 0.06, 0.08]), sigma, 3


@pytest.fixture(scope="module", params=["bigdata_did", "three_pre"])
def book(request):
    return _bigdata_did() if request.param == "bigdata_did" else _three_pre_periods()


@pytest.mark.parametrize("m", [0.0, 0.01, 0.05])
@pytest.mark.parametrize("first_only", [False, True])
def test_flci_matches_diff_diff_and_moderndid(book, m, first_only):
    beta, sigma, npre = book
    npost = len(beta) - npre
    l_vec = np.eye(npost)[0] if first_only else np.full(npost, 1 / npost)
    ours = smoothness_flci(beta, sigma, npre, m, l_vec)
    scale = np.sqrt(l_vec @ sigma[npre:, npre:] @ l_vec)
    theirs = diff_diff._compute_optimal_flci(
        beta[:npre], beta[npre:], sigma, l_vec, npre, npost, m, 0.05
    )
    np.testing.assert_allclose([ours.low, ours.high], theirs, atol=1e-5 * scale)
    if npre > 1:  # moderndid 0.2.0's FLCI does not terminate with a single pre-period
        # moderndid, like R, simulates the folded-normal quantile (10^6 draws): 1e-3 of the sd
        port = md.compute_flci(beta, sigma, m, npre, npost, post_period_weights=l_vec)
        np.testing.assert_allclose([ours.low, ours.high], port.flci, atol=1e-3 * scale)


@pytest.mark.parametrize("mbar", [0.0, 0.5, 1.0, 2.0])
def test_rm_identified_set_matches_diff_diff(book, mbar):
    beta, _, npre = book
    npost = len(beta) - npre
    l_vec = np.full(npost, 1 / npost)
    ours = identified_set_rm(beta, npre, mbar, l_vec)
    theirs = diff_diff._solve_rm_bounds_union(beta[:npre], beta[npre:], l_vec, npre, mbar)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_rm_constraints_follow_the_definition():
    """Two pre-periods, one post period; delta = (d_-2, d_-1, [d_0 = 0], d_1).  For s = 0 and
    '+', Delta^RM_{0,+}(Mbar): the largest pre difference is 0 - d_-1 >= |every pre difference|
    and |d_1 - 0| <= Mbar (0 - d_-1)."""
    a = _rm_constraints(2, 1, 2.0, 0, True)
    rng = np.random.default_rng(0)
    for _ in range(200):
        d = rng.normal(size=3)
        pre_diffs = [d[1] - d[0], 0 - d[1]]
        bound = 0 - d[1]
        inside = all(abs(x) <= bound for x in pre_diffs) and abs(d[2] - 0) <= 2.0 * bound
        assert bool(np.all(a @ d <= 1e-12)) == inside


@pytest.mark.parametrize("mbar", [0.5, 1.0])
def test_rm_clf_accepts_the_same_points_as_moderndids_arp_test(book, mbar):
    beta, sigma, npre = book
    npost = len(beta) - npre
    l_vec = np.full(npost, 1 / npost)
    sd = np.sqrt(l_vec @ sigma[npre:, npre:] @ l_vec)
    grid = np.linspace(-20 * sd, 20 * sd, 400) + l_vec @ beta[npre:]
    for s in range(-(npre - 1), 1):
        for positive in (True, False):
            a = _rm_constraints(npre, npost, mbar, s, positive)
            poly = _polyhedron(
                beta, sigma, npre, l_vec, a, 0.05, 0.005, 1000, np.random.default_rng(0)
            )
            rows = np.flatnonzero(np.any(a[:, npre:] != 0, axis=1))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = md_nuis.compute_arp_nuisance_ci(
                    beta,
                    sigma,
                    l_vec,
                    a,
                    np.zeros(len(a)),
                    npre,
                    npost,
                    alpha=0.05,
                    hybrid_flag="LF",
                    hybrid_list={"hybrid_kappa": 0.005},
                    grid_lb=grid[0],
                    grid_ub=grid[-1],
                    grid_points=len(grid),
                    rows_for_arp=rows,
                )
            accept = np.asarray(theirs.accept_grid[:, 1]).astype(bool)
            ours = poly.accept(grid)
            # the same accepted range; single interior points may differ where the statistic
            # ties the critical value to 1e-2 (moderndid, like R, finds the conditioning
            # interval by bisection with tolerance 1e-6 in degenerate cases)
            assert ours.any() == accept.any(), (s, positive)
            if accept.any():
                assert (
                    grid[ours].min() == grid[accept].min()
                    and grid[ours].max() == grid[accept].max()
                )
            assert (ours != accept).sum() <= 2, (s, positive)


def test_rm_sets_widen_with_mbar_and_contain_the_identified_set(book):
    beta, sigma, npre = book
    sets = [relative_magnitudes_ci(beta, sigma, npre, m) for m in (0.0, 0.5, 1.0, 1.5)]
    for narrow, wide in pairwise(sets):
        assert wide.low <= narrow.low + 1e-9 and wide.high >= narrow.high - 1e-9
    lo, hi = identified_set_rm(beta, npre, 1.0)
    assert sets[2].low <= lo <= hi <= sets[2].high


def test_breakdown_value_separates_excluding_from_including_zero():
    # a clear post effect with a small pre-trend: robust up to some Mbar, then not
    beta = np.array([0.002, -0.001, 0.05, 0.06, 0.07])
    sigma = np.diag([0.01, 0.01, 0.012, 0.012, 0.015]) ** 2
    bd = breakdown_value(beta, sigma, 2, tol=1e-3)
    assert 0 < bd < np.inf
    assert relative_magnitudes_ci(beta, sigma, 2, bd * 0.98).excludes(0.0)
    assert not relative_magnitudes_ci(beta, sigma, 2, bd * 1.05).excludes(0.0)
    bd_sd = breakdown_value(beta, sigma, 2, method="smoothness", tol=1e-3)
    assert smoothness_flci(beta, sigma, 2, bd_sd * 0.98).low > 0
    assert smoothness_flci(beta, sigma, 2, bd_sd * 1.05).low <= 0
    # no effect at all: nothing to break down
    assert np.isnan(breakdown_value(np.array([0.0, 0.0, 0.0, 0.0, 0.0]), sigma, 2))


def test_sensitivity_table_and_original_interval(book):
    beta, sigma, npre = book
    res = sensitivity(beta, sigma, npre, [0.0, 0.5, 1.0], breakdown=False)
    assert list(res.table.columns) == ["m", "low", "high", "excludes_zero"]
    lo, hi = original_ci(beta, sigma, npre)
    est = np.mean(beta[npre:])
    assert lo < est < hi
    # with Mbar = 0 (parallel trends exactly) the robust set is close to the original one
    assert res.table.low[0] == pytest.approx(lo, abs=0.5 * (hi - lo))


def test_bad_input_is_named():
    with pytest.raises(InputError, match="num_pre"):
        smoothness_flci(np.zeros(3), np.eye(3), 3, 0.1)
    with pytest.raises(InputError, match="sigma"):
        smoothness_flci(np.zeros(3), np.eye(2), 1, 0.1)
    with pytest.raises(InputError, match="l_vec"):
        relative_magnitudes_ci(np.zeros(4), np.eye(4), 2, 1.0, l_vec=[1.0])
