"""Properties every DEA score must satisfy, on random data (hypothesis), plus input checks."""

from __future__ import annotations

import os
import warnings

import highspy
import numpy as np
import pandas as pd
import pytest
from highspy._core import _Highs
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import dea
from helpers.dea import parallel
from helpers.dea.programs import SBM
from helpers.errors import InputError

TOL = 1e-7
RATIO_MODELS = [
    ("radial", "input"),
    ("radial", "output"),
    ("sbm", "non"),
    ("sbm", "input"),
    ("ebm", "non"),
    ("ebm", "input"),
]


@st.composite
def dea_data(draw, bads: bool = False):
    n = draw(st.integers(3, 9))
    m = draw(st.integers(1, 3))
    s = draw(st.integers(1, 2))
    k = draw(st.integers(1, 2)) if bads else 0
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # integer-valued data in [1, 20] gives ties and duplicates as well as generic points
    X, Y, B = (rng.integers(1, 21, size=(n, q)).astype(float) for q in (m, s, k))
    return X, Y, (B if bads else None)


def _scores(X, Y, B, model, orientation, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dea.DEAInfeasibleWarning)
        return dea.efficiency(X, Y, B, model=model, orientation=orientation, **kw)


SETTINGS = settings(max_examples=25, deadline=None)


@SETTINGS
@given(data=dea_data(), model=st.sampled_from(RATIO_MODELS), rts=st.sampled_from(["crs", "vrs"]))
def test_scores_in_unit_interval_with_an_efficient_unit(data, model, rts):
    X, Y, _ = data
    score = _scores(X, Y, None, *model, rts=rts)
    assert np.all(score > 0) and np.all(score <= 1 + TOL)
    if model[0] != "ebm":  # EBM need not rate any unit 1: see the hand example below
        assert score.max() == pytest.approx(1.0, abs=TOL)  # someone spans the frontier


@SETTINGS
@given(data=dea_data(), rts=st.sampled_from(["crs", "vrs"]))
def test_ebm_input_score_never_exceeds_the_radial_score(data, rts):
    # (theta*, lambda*, s- = 0) from the radial model is feasible in EBM-I with value theta*
    X, Y, _ = data
    ebm = _scores(X, Y, None, "ebm", "input", rts=rts)
    radial = _scores(X, Y, None, "radial", "input", rts=rts)
    assert np.all(ebm <= radial + TOL)


def test_ebm_can_rate_a_pareto_efficient_unit_below_one():
    """EBM-I with theta free: min theta - eps * sum_i w_i s_i / x_io, X'lam = theta x_o - s.

    Unit o = (1, 1) and a peer (1.1, 0.2), one unit of output each: no unit dominates the
    other and both are CCR-efficient. With eps = 0.8 and w = (1/2, 1/2), lam = 1 on the peer
    gives theta = 1.1, s = (0, 0.9) and the value 1.1 - 0.8 * 0.5 * 0.9 = 0.74 (by hand):
    the measure trades the radial part against slacks, so it is not 1 on the whole frontier.
    """
    params = dea.EBMParameters(eps_x=0.8, w_x=np.array([0.5, 0.5]), eps_y=0.0, w_y=np.ones(1))
    X = np.array([[1.0, 1.0], [1.1, 0.2]])
    Y = np.ones((2, 1))
    score = dea.efficiency(X, Y, model="ebm", orientation="input", ebm_params=params)
    assert score == pytest.approx([0.74, 1.0], abs=1e-9)
    assert dea.efficiency(X, Y, model="radial", orientation="input") == pytest.approx([1, 1])


@SETTINGS
@given(
    data=dea_data(bads=True),
    rts=st.sampled_from(["crs", "vrs"]),
    model=st.sampled_from(["sbm", "ebm"]),
)
def test_undesirable_scores_in_unit_interval(data, rts, model):
    X, Y, B = data
    score = _scores(X, Y, B, model, "non", rts=rts)
    assert np.all(score > 0) and np.all(score <= 1 + TOL)
    if model == "sbm":
        assert score.max() == pytest.approx(1.0, abs=TOL)


@SETTINGS
@given(data=dea_data(), model=st.sampled_from(RATIO_MODELS), rts=st.sampled_from(["crs", "vrs"]))
def test_super_efficiency_at_least_one_on_frontier_and_unchanged_elsewhere(data, model, rts):
    X, Y, _ = data
    plain = _scores(X, Y, None, *model, rts=rts)
    sup = _scores(X, Y, None, *model, rts=rts, super_efficiency=True)
    frontier = plain >= 1 - 1e-6
    inner = ~frontier
    np.testing.assert_allclose(sup[inner], plain[inner], atol=TOL)
    feasible = frontier & ~np.isnan(sup)
    assert np.all(sup[feasible] >= 1 - TOL)
    if model[1] == "non" or rts == "crs":  # these variants are always feasible
        assert not np.isnan(sup).any()


@SETTINGS
@given(
    data=dea_data(bads=True),
    model=st.sampled_from(["sbm", "ebm", "ddf"]),
    rts=st.sampled_from(["crs", "vrs"]),
    factor=st.floats(0.001, 1000),
    which=st.integers(0, 10),
)
def test_invariant_to_units_of_measurement(data, model, rts, factor, which):
    X, Y, B = data
    before = _scores(X, Y, B, model, "non", rts=rts)
    Z = np.hstack([X, Y, B])
    j = which % Z.shape[1]
    Z[:, j] *= factor
    m, s = X.shape[1], Y.shape[1]
    after = _scores(Z[:, :m], Z[:, m : m + s], Z[:, m + s :], model, "non", rts=rts)
    np.testing.assert_allclose(after, before, atol=1e-6, equal_nan=True)


@SETTINGS
@given(
    data=dea_data(),
    model=st.sampled_from([*RATIO_MODELS, ("ddf", "non")]),
    rts=st.sampled_from(["crs", "vrs"]),
    which=st.integers(0, 100),
    worse=st.floats(1.01, 3.0),
)
def test_adding_a_dominated_unit_changes_no_other_score(data, model, rts, which, worse):
    X, Y, _ = data
    j = which % len(X)
    params = dea.ebm_parameters(X, Y) if model[0] == "ebm" else None
    kw = {"rts": rts, "ebm_params": params}
    before = _scores(X, Y, None, *model, **kw)
    X2 = np.vstack([X, X[j] * worse])
    Y2 = np.vstack([Y, Y[j] / worse])
    after = _scores(X2, Y2, None, *model, **kw)
    np.testing.assert_allclose(after[:-1], before, atol=1e-7)
    if model[0] == "ddf":
        assert after[-1] > 0
    else:
        assert after[-1] < 1


@SETTINGS
@given(data=dea_data())
def test_crs_radial_input_equals_inverse_output_and_sbm_below_radial(data):
    X, Y, _ = data
    theta = dea.efficiency(X, Y, model="radial", orientation="input")
    dist = dea.efficiency(X, Y, model="radial", orientation="output")
    np.testing.assert_allclose(theta, dist, atol=1e-7)  # CRS: Farrell = Shephard
    assert np.all(dea.efficiency(X, Y) <= theta + 1e-7)  # Tone (2001) Thm 2


def test_efficient_subset_matches_full_reference_on_larger_data():
    rng = np.random.default_rng(7)
    X = rng.lognormal(size=(300, 3))
    Y = (X**0.3).prod(axis=1, keepdims=True) * rng.uniform(0.5, 1, size=(300, 1))
    B = Y * rng.uniform(0.5, 2, size=(300, 1))
    fast = dea.efficiency(X, Y, B, rts="vrs")
    # naive: one LP per unit against all 300 units, built and solved from scratch
    from helpers.dea.programs import SBM

    naive = np.array(
        [
            SBM(X, Y, B, vrs=True, orientation="non").evaluate(X[i], Y[i], B[i], None)
            for i in range(0, 300, 15)
        ]
    )
    np.testing.assert_allclose(fast[::15], naive, atol=1e-8)


def test_scores_do_not_depend_on_the_number_of_worker_threads():
    """1100 units make three blocks of evaluated units; every worker count gives the same
    bits, and units in later blocks match one LP against the full reference set."""
    rng = np.random.default_rng(11)
    X = rng.lognormal(size=(1100, 2))
    Y = (X**0.4).prod(axis=1, keepdims=True) * rng.uniform(0.5, 1, size=(1100, 1))
    B = Y * rng.uniform(0.5, 2, size=(1100, 1))
    runs = [dea.efficiency(X, Y, B, rts="vrs", super_efficiency=True, workers=w) for w in (1, 2, 3)]
    for other in runs[1:]:
        np.testing.assert_array_equal(runs[0], other)
    rows = [i for i in range(600, 1100, 50) if runs[0][i] < 1 - 1e-6]  # ordinary SBM scores
    assert len(rows) >= 5
    full = SBM(X, Y, B, vrs=True, orientation="non")
    naive = [full.evaluate(X[i], Y[i], B[i], None) for i in rows]
    np.testing.assert_allclose(runs[0][rows], naive, atol=1e-8)


def test_panel_indices_do_not_depend_on_the_number_of_worker_threads():
    rng = np.random.default_rng(5)
    n, years = 12, 4
    df = pd.DataFrame(
        {
            "unit": np.tile(np.arange(n), years),
            "year": np.repeat(np.arange(years), n),
            "x1": rng.lognormal(size=n * years),
            "x2": rng.lognormal(size=n * years),
            "y": rng.lognormal(size=n * years),
            "b": rng.lognormal(size=n * years),
        }
    )
    kw = {"unit": "unit", "time": "year"}
    gml = [dea.gml(df, ["x1", "x2"], "y", "b", workers=w, **kw) for w in (1, 2)]
    pd.testing.assert_frame_equal(gml[0], gml[1], check_exact=True)
    malm = [dea.malmquist(df, ["x1", "x2"], "y", workers=w, **kw) for w in (1, 2)]
    pd.testing.assert_frame_equal(malm[0], malm[1], check_exact=True)


def test_one_thread_sets_the_default_inside_the_block_only():
    outside = parallel.default_workers()
    assert outside == min(2, os.cpu_count() or 1)
    with parallel.one_thread():
        assert parallel.default_workers() == parallel.check_workers(None) == 1
        assert parallel.check_workers(2) == 2  # an explicit choice is obeyed
    assert parallel.default_workers() == outside


def test_highs_models_never_register_highspys_python_callback(monkeypatch):
    """With highspy's Python callback dispatcher registered, models solved on two threads
    took as long as on one (bench_dea's 1- and 2-thread rows); the engine's models leave it
    unregistered. Plain ``highspy.Highs`` registers it: the control that the probe works."""
    calls = []
    original = _Highs.setCallback

    def recording(self, *args):
        calls.append(args)
        return original(self, *args)

    monkeypatch.setattr(_Highs, "setCallback", recording)
    ones = np.ones((3, 1))
    SBM(ones, ones, ones, vrs=False, orientation="non").evaluate(ones[0], ones[0], ones[0], None)
    assert calls == []
    highspy.Highs()
    assert len(calls) == 1


# --- input validation and warnings ---------------------------------------------------------


def test_non_positive_data_names_column_and_rows():
    X = pd.DataFrame(
        {"capital": [1.0, 0.0, 2.0, -1.0], "labour": [1.0, 1, 1, 1]}, index=["a", "b", "c", "d"]
    )
    with pytest.raises(InputError, match=r"X:capital.*strictly positive.*rows: b, d"):
        dea.efficiency(X, [1.0, 2, 3, 4])


def test_missing_data_and_bad_options_raise_input_error():
    with pytest.raises(InputError, match="finite"):
        dea.efficiency([[1.0], [np.nan]], [1.0, 2.0])
    with pytest.raises(InputError, match="model"):
        dea.efficiency([1.0, 2.0], [1.0, 2.0], model="dea")
    with pytest.raises(InputError, match="orientation"):
        dea.efficiency([1.0, 2.0], [1.0, 2.0], model="radial")
    with pytest.raises(InputError, match="rows"):
        dea.efficiency([1.0, 2.0], [1.0, 2.0, 3.0])
    for workers in (0, 1.5, True):
        with pytest.raises(InputError, match="workers"):
            dea.efficiency([1.0, 2.0], [1.0, 2.0], workers=workers)


def test_panel_duplicates_name_unit_year():
    df = pd.DataFrame({"u": ["a", "a"], "t": [1, 1], "x": [1.0, 2], "y": [1.0, 2]})
    with pytest.raises(InputError, match="a-1"):
        dea.malmquist(df, "x", "y", unit="u", time="t")


def test_input_arrays_are_not_modified():
    X = np.array([[1.0, 2], [2, 1], [3, 3]])
    Y = np.array([1.0, 1, 1])
    copies = X.copy(), Y.copy()
    dea.efficiency(X, Y, model="ebm", super_efficiency=True)
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(Y, copies[1])


def test_infeasible_lps_give_nan_and_one_counting_warning():
    # output-oriented VRS super-efficiency: the unit with the smallest input has no
    # feasible plan without itself (X'lam <= 1 with sum lam = 1 and inputs 2, 4)
    X = np.array([[1.0], [2.0], [4.0]])
    Y = np.array([[1.0], [3.0], [4.0]])
    with pytest.warns(dea.DEAInfeasibleWarning, match="1 of 3") as record:
        score = dea.efficiency(
            X, Y, model="radial", orientation="output", rts="vrs", super_efficiency=True
        )
    assert len(record) == 1
    assert np.isnan(score[0])
    # unit 1: lam_2 <= 1/3 keeps X'lam <= 2, best output 1 + 3/3 = 2 = phi * 3 -> 1/phi = 3/2;
    # unit 2: only unit 1 fits X'lam <= 4 at full weight, 3 = phi * 4 -> 1/phi = 4/3
    np.testing.assert_allclose(score[1:], [3 / 2, 4 / 3], atol=1e-9)


def _linprog_radial(Xr, Yr, x, y, *, vrs: bool, orientation: str) -> float:
    """Independent envelopment LP (scipy/HiGHS): Farrell theta or Shephard 1/phi."""
    from scipy.optimize import linprog

    n = len(Xr)
    c = np.r_[np.zeros(n), 1.0 if orientation == "input" else -1.0]
    if orientation == "input":
        A_ub = np.vstack([np.c_[Xr.T, -x], np.c_[-Yr.T, np.zeros(len(y))]])
        b_ub = np.r_[np.zeros(len(x)), -y]
    else:
        A_ub = np.vstack([np.c_[Xr.T, np.zeros(len(x))], np.c_[-Yr.T, y]])
        b_ub = np.r_[x, np.zeros(len(y))]
    A_eq, b_eq = (np.r_[np.ones(n), 0.0][None], [1.0]) if vrs else (None, None)
    bounds = [(0, None)] * n + [(None, None)]
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:
        return np.nan
    return res.fun if orientation == "input" else -1.0 / res.fun


@settings(max_examples=40, deadline=None)
@given(
    data=dea_data(),
    orientation=st.sampled_from(["input", "output"]),
    rts=st.sampled_from(["crs", "vrs"]),
    split=st.integers(1, 8),
)
def test_radial_scores_from_rays_match_envelopment_lps(data, orientation, rts, split):
    """The multiplier-cone rays (no LP) against scipy LPs, inside and outside the reference."""
    X, Y, _ = data
    reference = np.arange(len(X)) < max(1, min(split, len(X) - 1))
    got = _scores(X, Y, None, "radial", orientation, rts=rts, reference=reference)
    want = [
        _linprog_radial(
            X[reference], Y[reference], X[i], Y[i], vrs=rts == "vrs", orientation=orientation
        )
        for i in range(len(X))
    ]
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-9, equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(
    data=dea_data(bads=True),
    model=st.sampled_from(["sbm", "ebm", "ddf", "nddf"]),
    rts=st.sampled_from(["crs", "vrs"]),
    split=st.integers(1, 8),
    sup=st.booleans(),
)
def test_column_generation_matches_full_reference_programme(data, model, rts, split, sup):
    """Pricing reference units in and out of the HiGHS model never changes a score."""
    from helpers.dea.technology import ModelSpec

    X, Y, B = data
    reference = np.arange(len(X)) < max(1, min(split, len(X) - 1))
    params = dea.ebm_parameters(X, Y, B) if model == "ebm" else None
    got = _scores(
        X, Y, B, model, "non", rts=rts, reference=reference, ebm_params=params, super_efficiency=sup
    )
    weights = np.ones(X.shape[1] + Y.shape[1] + B.shape[1])
    spec = ModelSpec(model, rts == "vrs", "non", sup, params, weights)
    full = spec.build(X[reference], Y[reference], B[reference])
    direction = np.hstack([np.zeros_like(X), Y, -B])
    want = np.array([full.evaluate(X[i], Y[i], B[i], direction[i]) for i in range(len(X))])
    if sup:  # only frontier units (or units outside) get the super model; check the rest
        keep = ~spec.on_frontier(want)
        got, want = got[keep], want[keep]
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-8, equal_nan=True)
