"""The coordination generating process: determinism, the contract, knobs, recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.contract import load_contract
from helpers.errors import InputError
from helpers.papers import coordination as chapter
from helpers.papers import simulate
from helpers.papers.coordination import calibration as coordination
from helpers.papers.coordination import process, two_way_fe


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate("coordination")


@pytest.fixture(scope="module")
def measured(panel) -> pd.DataFrame:
    return coordination.measured(panel)


def test_sample_is_the_papers(panel):
    assert panel["province"].nunique() == 30
    assert sorted(panel["year"].unique()) == list(range(2013, 2023))
    assert len(panel) == 300


def test_gdp_per_capita_indicator_is_nominal_gdp_over_population(panel):
    implied = panel["gdp"] * 1e4 / panel["population"]
    np.testing.assert_allclose(panel["gdp_per_capita"], implied, rtol=1e-9)


def test_sector_value_added_adds_up_to_gdp(panel):
    total = panel[["va_primary", "va_secondary", "va_tertiary"]].sum(axis=1)
    np.testing.assert_allclose(total, panel["gdp"], rtol=1e-12)


def test_index_moments_are_near_table_2(measured):
    # paper 001 Table 2: NQP mean 0.1811, sd 0.0822; gap mean 0.3145, sd 0.2041
    assert measured["nqp"].mean() == pytest.approx(0.1811, abs=0.04)
    assert measured["nqp"].std() == pytest.approx(0.0822, abs=0.03)
    assert measured["gap"].mean() == pytest.approx(0.3145, abs=0.08)


def test_default_seed_baseline_within_two_published_ses(measured):
    coef, se = coordination.published_coefficient("Table 3", "(2)")
    estimate = coordination.clustered_fit(measured).params["nqp"]
    assert abs(estimate - coef) <= 2 * se


def test_default_seed_reproduces_the_published_signs_and_classes():
    """Issue 8: on the default panel the chapter's scorecard (sign and significance class at
    10% of the NQP coefficient, robust SEs) matches at least 80% of the nine published
    regression columns."""
    score = coordination.chapter_scorecard(chapter.DEFAULT_SEED)
    assert len(score) == 9
    assert score["both"].mean() >= 0.8


def test_noise_scales_are_at_most_their_se_matched_values():
    """calibrate_noise lowers a shock scale only as far as the significance classes need."""
    table = chapter.parameters().set_index("parameter")["value"]
    for name, (se_matched, columns) in coordination.NOISE_TARGETS.items():
        assert 0 < table[name] <= se_matched
        assert columns


def test_missing_share_empties_interior_indicator_cells_only():
    holed = simulate("coordination", missing_share=0.1)
    full = simulate("coordination")
    empty = holed.isna() & full.notna()
    assert empty.to_numpy().sum() > 0
    indicators = {v.name for v in load_contract("coordination").with_role("indicator")} - {
        process.DERIVED_INDICATOR
    }
    assert set(empty.columns[empty.any()]) <= indicators
    assert not empty[holed["year"].isin([2013, 2022])].to_numpy().any()
    share = empty[sorted(indicators)].to_numpy().mean()
    assert 0.05 < share < 0.1  # 10% of the interior 8 of 10 years


def test_parameter_errors_are_input_errors():
    with pytest.raises(InputError, match="unknown simulation parameter"):
        simulate("coordination", true_effect=0.0)
    with pytest.raises(InputError, match="endogeneity"):
        simulate("coordination", endogeneity=1.5)
    with pytest.raises(InputError, match="slug"):
        simulate("no_such_paper")


def test_parameter_table_documents_every_value():
    table = chapter.parameters()
    assert table["parameter"].is_unique
    assert table["source"].notna().all()
    assert table["value"].notna().all()


def _covers(fit, value: float) -> bool:
    ci = fit.conf_int().loc["nqp"]
    return bool(ci["ci_low"] <= value <= ci["ci_high"])


def _eastern_share_of_within_variation(data: pd.DataFrame) -> float:
    """Share of the two-way-demeaned NQP variance that the eastern provinces carry."""
    x = data["nqp"] - data.groupby("province")["nqp"].transform("mean")
    x = x - x.groupby(data["year"]).transform("mean")
    return float((x[data["region"] == "East"] ** 2).sum() / (x**2).sum())


@pytest.fixture(scope="module")
def fresh_seed_fits() -> pd.DataFrame:
    """East and upgrading fits on 50 seeds that the calibration did not use: whether the
    upgrading slope's 95% CI covers the planted value with the chapter's default SEs
    (robust HC1, as the paper prints) and with SEs clustered by province."""
    planted = chapter.parameters().set_index("parameter").loc["beta_nqp_upgrading", "value"]
    rows = []
    for seed in range(1000, 1050):
        data = coordination.measured(simulate("coordination", seed))
        east = coordination.clustered_fit(data, "gap", "East")
        rows.append(
            {
                "east": east.params["nqp"],
                "robust": _covers(two_way_fe(data, "upgrading", se_type="robust"), planted),
                "cluster": _covers(two_way_fe(data, "upgrading", se_type="cluster"), planted),
                "eastern_share": _eastern_share_of_within_variation(data),
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_planted_upgrading_effect_is_recovered_within_its_confidence_interval(fresh_seed_fits):
    """The upgrading slope enters linearly with i.i.d. shocks and an index exogenous to
    them, so the chapter's 95% CI (robust SEs) covers the planted value in at least 90% of
    50 fresh seeds."""
    assert fresh_seed_fits["robust"].mean() >= 0.9


@pytest.mark.slow
def test_clustered_coverage_is_limited_by_few_effective_clusters(fresh_seed_fits):
    """Issue 6 asks 90% coverage; the province-clustered CI falls short of it, and this test
    measures why. The index moves within province mostly through province-specific growth,
    which is large in the east only (Table 6: the eastern slope is precise, the others not),
    so the eastern provinces carry most of the within variation: the cluster-robust
    variance rests on about 11 of the 30 clusters, is biased down, and t(G-1) with G = 30
    overstates its degrees of freedom. Measured on 50 fresh seeds: coverage stays above
    80% (about 86%: see the report of issue 8)."""
    fits = fresh_seed_fits
    assert fits["eastern_share"].mean() >= 0.85
    assert fits["cluster"].mean() >= 0.8


@pytest.mark.slow
def test_calibrated_east_effect_is_recovered_on_average(fresh_seed_fits):
    """The measured gap carries the published eastern slope on average over fresh seeds
    (the calibration used seeds 0-59): the mean estimate lies within two Monte Carlo
    standard errors of Table 6 column (1)."""
    target = coordination.published_coefficient("Table 6", "(1)")[0]
    coefs = fresh_seed_fits["east"]
    assert abs(coefs.mean() - target) <= 2 * coefs.std() / np.sqrt(len(coefs))


@pytest.mark.slow
def test_parameter_table_meets_its_calibration_targets():
    """The table's values hit the targets its source column states, on the calibration
    seeds: regional mean estimates equal Table 6, and the columns each noise scale governs
    reproduce their published sign and significance class on at least 90% of seeds."""
    report = coordination.calibration_report().set_index(["table", "column"])
    for table, column, _ in coordination.CALIBRATED_REGIONS.values():
        row = report.loc[(table, column)]
        assert row["coef_mean"] == pytest.approx(row["published_coef"], abs=0.005)
    for _, columns in coordination.NOISE_TARGETS.values():
        assert report.loc[columns, "class_share"].mean() >= coordination.CLASS_SHARE_TARGET


@pytest.mark.slow
def test_no_effect_when_the_effect_is_switched_off():
    estimates = [
        coordination.clustered_fit(
            coordination.measured(simulate("coordination", seed, effect_scale=0.0)),
            region="East",
        ).params["nqp"]
        for seed in range(1000, 1020)
    ]
    # the mean of 20 estimates with SE about 0.1 each lies within 0.1 of zero
    assert abs(np.mean(estimates)) < 0.1
