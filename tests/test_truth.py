"""The known truth of a simulated seed (helpers.simulate.truth and each paper's truth):
the pieces, and each paper's targets against what its process plants and its own estimands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.errors import InputError
from helpers.fixed_effects import fe_ols
from helpers.iv import fe_2sls_coefficients, fe_iv
from helpers.papers import bigdata_did, coordination, gtfp, producer_services
from helpers.papers.bigdata_did import calibration as bigdata_calibration
from helpers.papers.synergy import calibration as synergy_calibration
from helpers.simulate.truth import coefficient_rows, effect_part, same_panel, truth_table


def frames():
    keys = pd.DataFrame({"unit": [1, 1, 2, 2], "year": [1, 2, 1, 2]})
    actual = keys.assign(y=[1.0, 2.0, 3.0, 5.0], z=[1.0, 1.0, 1.0, 1.0])
    null = keys.assign(y=[1.0, 1.5, 2.0, 4.0], z=[1.0, 1.0, 1.0, 1.0])
    return actual, null


def test_effect_part_replaces_the_moved_outcomes_and_reports_the_unmoved():
    actual, null = frames()
    frame, zero = effect_part(actual, null, ["y", "z"], ["unit", "year"])
    assert frame["y"].tolist() == [0.0, 0.5, 1.0, 1.0]
    assert zero == {"z"}
    assert frame["z"].tolist() == actual["z"].tolist()  # kept, so its column can be fitted
    assert actual["y"].tolist() == [1.0, 2.0, 3.0, 5.0]  # the input is not modified


def test_effect_part_refuses_frames_of_different_unit_years():
    actual, null = frames()
    with pytest.raises(InputError, match="same unit-years"):
        effect_part(actual, null.iloc[::-1], ["y"], ["unit", "year"])


def test_coefficient_rows_set_unmoved_columns_to_zero_and_skip_missing_fits():
    class Fit:
        params = pd.Series({"x": 0.25})

    rows = coefficient_rows(
        {("T", "(1)"): Fit()},
        {("T", "(1)"): {"x": "X"}, ("T", "(2)"): {"x": "X"}, ("T", "(3)"): {"x": "X"}},
        zero=[("T", "(2)")],
    )
    assert rows == [("T", "(1)", "X", 0.25), ("T", "(2)", "X", 0.0)]
    assert list(truth_table(rows).columns) == ["table", "column", "row", "truth"]


def test_same_panel():
    actual, null = frames()
    assert same_panel(actual, actual.copy())
    assert not same_panel(actual, null)


def test_fe_2sls_coefficients_equal_fe_iv():
    rng = np.random.default_rng(0)
    n_units, n_years = 40, 8
    unit = np.repeat(np.arange(n_units), n_years)
    year = np.tile(np.arange(n_years), n_units)
    z1, z2, w, u = rng.standard_normal((4, unit.size))
    x = 0.8 * z1 + 0.4 * z2 + 0.5 * u + rng.standard_normal(n_units)[unit]
    y = 0.3 * x - 0.2 * w + u + rng.standard_normal(n_units)[unit]
    data = pd.DataFrame({"unit": unit, "year": year, "y": y, "x": x, "z1": z1, "z2": z2, "w": w})
    full = fe_iv(data, "y", ["x"], ["z1", "z2"], ["w"], ["unit", "year"]).params
    light = fe_2sls_coefficients(data, "y", ["x"], ["z1", "z2"], ["w"], ["unit", "year"])
    assert np.allclose(full.to_numpy(), light.loc[full.index].to_numpy(), atol=1e-12)
    ols = fe_ols(data, "y", ["x", "w"], ["unit", "year"]).params["x"]
    assert abs(light["x"] - ols) > 1e-3  # the check can fail: 2SLS is not OLS here


def test_every_paper_truth_is_exactly_zero_in_its_own_null_world():
    """With the null world's overrides as knobs the two worlds coincide: every target is 0
    (no estimator is run)."""
    for module, null in (
        (gtfp, gtfp.calibration.NULL_WORLD),
        (coordination, coordination.calibration.NULL_WORLD),
        (producer_services, producer_services.calibration.NULL_WORLD),
    ):
        truth = module.truth(0, **null)
        assert (truth["truth"] == 0).all(), module.SLUG


def test_bigdata_did_truth_is_its_att_and_zero_without_the_policy():
    seed = 3
    truth = bigdata_did.truth(seed).set_index(["table", "column", "row"])["truth"]
    att = bigdata_calibration.estimand(seed)
    # one adoption date: pooled OLS and TWFE without controls of the effect part on the
    # pilot dummy are the mean effect over pilot city-years, the ATT
    assert truth[("Table 3", "(1)", "BDPZs")] == pytest.approx(att, rel=1e-10)
    assert truth[("Table 3", "(2)", "BDPZs")] == pytest.approx(att, rel=1e-10)
    assert truth[("Table 4", "(1)", "BDPZs")] == truth[("Table 3", "(4)", "BDPZs")]
    off = bigdata_did.truth(seed, effect_scale=0).set_index(["table", "column", "row"])["truth"]
    bdpzs = off.index.get_level_values("row") == "BDPZs"
    assert (off[bdpzs] == 0).all()
    assert (off[~bdpzs] > 0).all()  # the mediators still move NQP with the policy off


def test_coordination_truth_recovers_the_slopes_its_measures_carry_linearly():
    truth = coordination.truth(1).set_index(["table", "column"])["truth"]
    p = coordination.parameters().set_index("parameter")["value"]
    # the upgrading index is measured exactly: its target is the planted slope
    assert truth[("Table 5", "(2)")] == pytest.approx(p["beta_nqp_upgrading"], abs=1e-10)
    # within a region the gap does not fold on this seed: the targets are the planted slopes
    for column, region in (("(1)", "east"), ("(2)", "central"), ("(3)", "west")):
        assert truth[("Table 6", column)] == pytest.approx(p[f"beta_nqp_{region}"], abs=1e-8)
    # the pooled baseline mixes the regional slopes; its target is none of them
    assert truth[("Table 3", "(2)")] != pytest.approx(p["beta_nqp_east"], abs=1e-3)


@pytest.mark.slow
def test_synergy_truth_of_the_baseline_is_its_estimand():
    seed = 5
    truth = synergy_calibration.truth(seed).set_index(["table", "column", "row"])["truth"]
    assert truth[synergy_calibration.BASELINE_CELL] == pytest.approx(
        synergy_calibration.estimand(seed), rel=1e-10
    )
    assert np.isnan(truth[("Table 6", "(1)", "IV")])  # a first stage has no planted value
