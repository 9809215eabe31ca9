"""The synergy generating process: determinism, the contract, the frame, knobs, recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.contract import load_contract
from helpers.errors import InputError
from helpers.papers import simulate
from helpers.papers import synergy as sy
from helpers.papers.synergy import calibration as synergy
from helpers.papers.synergy import process

SLUG = "synergy"
PLANTED_SOURCES = ("paper 002", "knob", "assumed", "calibrated")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate("synergy")


@pytest.fixture(scope="module")
def frame(panel) -> pd.DataFrame:
    return synergy.measured(panel)


def test_sample_and_group_counts_are_the_papers(panel):
    cities = panel.drop_duplicates("city")
    assert len(cities) == 242 and len(panel) == 2904
    assert sorted(panel["year"].unique()) == list(range(2011, 2023))
    assert cities["capital"].sum() == 28 and cities["municipality"].sum() == 4
    assert cities.loc[cities["municipality"] == 1, "capital"].eq(1).all()
    assert cities["resource_based"].sum() == 92
    assert cities["city"].str.fullmatch(r"City \d{3}").all()  # synthetic, not real places
    assert panel.groupby("city")["year"].count().eq(12).all()


def test_every_raw_column_of_the_contract_is_simulated(panel):
    contract = load_contract("synergy")
    assert list(panel.columns) == list(contract.names)
    required = [v.name for v in contract.variables if v.name != "lowcarbon_pilot_year"]
    assert panel[required].notna().all().all()


def test_dea_data_have_realistic_scales(panel):
    """Averages per unit of GDP are the stated levels at mean efficiency: capital-output
    ratio a few units, energy a fraction of a ton of coal per 10,000 yuan, CO2 about
    2.3 tons per ton of coal, PM2.5 tens of micrograms."""
    ratio = (panel["capital_stock"] / panel["gdp"]).median()
    assert 1 < ratio < 6
    energy = (panel["energy"] / panel["gdp"] * 1e4).median()
    assert 0.2 < energy < 1.5
    co2 = (panel["co2"] / (panel["energy"] * 1e4)).median()
    assert co2 == pytest.approx(2.3, rel=0.1)
    assert 20 < panel["pm25"].median() < 80


def test_measured_moments_are_near_table_3(frame):
    # paper 002 Table 3: Coor mean 0.063 sd 0.046; Nqp mean 0.077 sd 0.045. Coor is only
    # loosely targeted: the four best-practice municipalities (1.7% of city-years, above the
    # 99th percentile) keep the winsorized Coor's sd above the printed one, and since the
    # effects were calibrated to the paper's significance classes (calibrate_effects) the
    # planted effect, which accumulates as the index grows, is larger and raises the mean:
    # about 0.12 (sd 0.10) on the default seed, within twice the printed values.
    assert 0.5 * 0.063 < frame["coor"].mean() < 2 * 0.063
    assert 0.03 < frame["coor"].std() < 2 * 0.063
    assert frame["nqp"].mean() == pytest.approx(0.077, abs=0.06)
    assert frame["econ"].mean() == pytest.approx(10.81, abs=0.1)
    assert frame["finan"].mean() == pytest.approx(2.596, abs=0.3)


def test_default_seed_baseline_within_two_published_ses(frame):
    coef, se = synergy.published_coefficient("Table 4", "(2)")
    fit = sy.fit_columns(frame, [sy.column("Table 4", "(2)")]).iloc[0]
    assert abs(fit["coef"] - coef) <= 2 * se


def test_default_seed_reproduces_80_percent_of_signs_and_classes():
    """The book's acceptance criterion on the committed default panel (seed 2022): the core
    coefficient's published sign and 10% class in at least 80% of the 24 columns. It pins this
    panel, not the process: when written, the default seed reproduced 22 of 24, and on the 24
    seeds the calibration never saw the process reproduced 81% on average (class_share in
    data/simulation/synergy_calibration.csv). A change of the process that fails here must be
    judged on that expected agreement, not on this seed."""
    shares = synergy.agreement_by_seed([sy.DEFAULT_SEED])
    assert shares.loc[sy.DEFAULT_SEED] >= 0.8


@pytest.mark.slow
def test_committed_calibration_report_is_what_the_process_gives():
    """The committed report (the chapter quotes its mean class share as the process's
    expected agreement) is calibration_report on the evaluation seeds, regenerated."""
    committed = pd.read_csv(synergy.CALIBRATION_CSV)
    regenerated = synergy.calibration_report(synergy.EVALUATION_SEEDS)
    assert len(committed) == 24
    assert committed["class_share"].between(0, 1).all()
    pd.testing.assert_frame_equal(
        committed, regenerated, check_dtype=False, rtol=1e-5, check_exact=False
    )


def test_effect_scale_zero_removes_every_planted_effect():
    """With the effect off, measured Coor carries nothing of Nqp on the same draws (the
    estimand is exactly zero), and the mediators' slopes, averaged over three seeds,
    fall below a quarter of the published ones (what is left is noise and the small
    correlations that the index's construction creates)."""
    assert synergy.estimand(sy.DEFAULT_SEED, effect_scale=0.0) == 0.0
    assert synergy.estimand(sy.DEFAULT_SEED) > 0.2
    columns = [c for c in sy.COLUMNS if c.table == "Table 5"]
    slopes = [
        sy.fit_columns(
            synergy.measured(simulate("synergy", seed, effect_scale=0.0)), columns
        ).set_index("column")["coef"]
        for seed in (sy.DEFAULT_SEED, 1, 2)
    ]
    mean = pd.concat(slopes, axis=1).mean(axis=1)
    published = pd.Series(
        {c.column: synergy.published_coefficient("Table 5", c.column)[0] for c in columns}
    )
    assert (mean.abs() < 0.25 * published.abs()).all()


@pytest.mark.slow
def test_no_effect_on_average_when_the_effect_is_switched_off():
    estimates = [
        sy.fit_columns(
            synergy.measured(simulate("synergy", seed, effect_scale=0.0)),
            [sy.column("Table 4", "(2)")],
        )["coef"][0]
        for seed in range(1000, 1010)
    ]
    # planted 0.563; with the effect off the mean of 10 estimates stays near zero
    assert abs(np.mean(estimates)) < 0.08


def test_noise_scale_zero_removes_the_city_year_shocks():
    quiet = simulate("synergy", noise_scale=0.0)
    loud = simulate("synergy")
    assert not quiet["dfi"].equals(loud["dfi"])
    assert np.isfinite(quiet.select_dtypes("number").to_numpy(float, na_value=0)).all()


def test_missing_share_empties_interior_indicator_cells_only(panel):
    holed = simulate("synergy", missing_share=0.1)
    empty = holed.isna() & panel.notna()
    indicators = {v.name for v in process.nqp_indicators()}
    assert set(empty.columns[empty.any()]) == indicators
    assert not empty[holed["year"].isin([2011, 2022])].to_numpy().any()
    share = empty[sorted(indicators)].to_numpy().mean()
    assert 0.06 < share < 0.1  # 10% of the interior 10 of 12 years


def test_parameter_errors_are_input_errors():
    with pytest.raises(InputError, match="unknown simulation parameter"):
        simulate("synergy", true_effect=0.0)
    with pytest.raises(InputError, match="endogeneity"):
        simulate("synergy", endogeneity=1.5)
    with pytest.raises(InputError, match="effect_scale"):
        simulate("synergy", effect_scale=-1.0)


def test_parameter_table_documents_every_value():
    table = sy.parameters()
    assert table["parameter"].is_unique
    assert table["value"].notna().all()
    assert table["source"].str.startswith(PLANTED_SOURCES).all()
    knobs = table.loc[table["source"] == "knob", "parameter"]
    assert set(knobs) == {"effect_scale", "noise_scale", "endogeneity", "missing_share"}
    calibrated = table.loc[table["source"].str.startswith("calibrated"), "parameter"]
    assert set(calibrated) == set(synergy.CALIBRATED)


def test_printed_classes_cover_every_published_column():
    printed = synergy.printed_classes()
    assert len(printed) == len(sy.COLUMNS) == 24
    assert printed["published_se"].gt(0).all()
    assert printed["significant"].eq(printed["published_stars"] >= 1).all()
    # Table 4 (4) (Nqo) is printed insignificant, Table 7 (8) negative and significant
    nqo = printed[(printed["table"] == "Table 4") & (printed["column"] == "(4)")].iloc[0]
    pressure = printed[(printed["table"] == "Table 7") & (printed["column"] == "(8)")].iloc[0]
    assert not nqo["significant"]
    assert pressure["significant"] and pressure["published_coef"] < 0


def test_class_matches_are_the_chapters_scorecard(panel, published):
    """The calibration's sign-and-class rule is the chapter's (helpers.tables) on one seed."""
    fits = synergy.column_fits([sy.DEFAULT_SEED])
    estimates = sy.estimate(sy.measure(panel))
    score = sy.agreement(published, sy.regression_cells(estimates, published))
    merged = score.merge(fits, on=["table", "column"])
    assert len(merged) == 24
    assert merged["both"].eq(merged["match"]).all()
    shares = synergy.agreement_by_seed([sy.DEFAULT_SEED])
    assert shares.loc[sy.DEFAULT_SEED] == pytest.approx(score["both"].mean())


def test_calibration_objective_rewards_reproduced_classes_and_penalises_the_baseline():
    report = pd.DataFrame(
        {
            "table": ["Table 4", "Table 7"],
            "column": ["(2)", "(1)"],
            "class_probability": [0.9, 0.5],
            "distance_in_se": [0.2, 3.0],
        }
    )
    assert synergy.calibration_objective(report) == pytest.approx(1.4)
    far = report.assign(distance_in_se=[-2.5, 0.0])
    assert synergy.calibration_objective(far) == pytest.approx(1.4 - 2.0**2)


@pytest.mark.slow
def test_planted_main_effect_is_recovered_within_its_confidence_interval():
    """On 20 seeds the calibration did not use, the 95% CI of the baseline (Table 4 (2),
    HC1) covers the effect that the same draws carry into measured Coor (estimand) in
    at least 90% of the seeds, and the estimates spread across seeds by less than two
    mean SEs (the measured slope still varies with the DEA frontier's response to each
    seed's cities: on seeds 2000-2049 the CI covered the estimand on all 50 and the fixed
    published baseline on 94%, so the seed-specific estimand stays the recovery target).
    20 seeds, not 50 (2.4 s each): the committed sweep (data/sweeps, 200 seeds) states
    the coverage over many more, and tests/test_sweeps_committed.py reruns some of them."""
    fits = pd.DataFrame([synergy.recovery(seed) for seed in range(2000, 2020)])
    assert fits["covered"].mean() >= 0.9
    assert fits["estimand"].gt(0).all()
    assert fits["coef"].std() <= 2 * fits["se"].mean()
