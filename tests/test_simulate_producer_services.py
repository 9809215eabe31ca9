"""The producer_services generating process: determinism, the paper's sample, the
contract, the knobs, and recovery of the planted effect by the paper's IV-GMM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.errors import InputError
from helpers.fixed_effects import fe_ols
from helpers.papers import producer_services as chapter
from helpers.papers import simulate
from helpers.papers.producer_services import (
    BASELINE,
    COLUMNS,
    CONTROLS,
    fit_columns,
    process,
    with_lags,
)
from helpers.papers.producer_services import calibration as producer_services
from helpers.published import load_cells

SLUG = "producer_services"
BASELINE_COLUMN = next(c for c in COLUMNS if c.key == BASELINE)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate(SLUG)


@pytest.fixture(scope="module")
def measured(panel) -> pd.DataFrame:
    return producer_services.measured(panel)


def baseline(data: pd.DataFrame) -> float:
    return float(fit_columns(data, [BASELINE_COLUMN])["coef"].iloc[0])


def ols(data: pd.DataFrame) -> float:
    fit = fe_ols(data.dropna(), "tfp", ["sagg", *CONTROLS], ["city", "year"])
    return float(fit.params["sagg"])


def test_sample_is_the_papers(panel, measured):
    assert len(panel) == 261 * 15
    assert sorted(panel["year"].unique()) == list(range(2003, 2018))
    regions = panel.drop_duplicates("city")["region"].value_counts()
    assert regions.to_dict() == {"East": 101, "Central": 99, "West": 61}
    assert panel["city"].str.fullmatch(r"City \d{3}").all()  # synthetic, not real names
    # N = 3393 = 261 x 13 after the two lags the instruments use
    fit = chapter.estimate(chapter.measure(panel), columns=[BASELINE_COLUMN])[BASELINE]
    assert fit.nobs == 3393


def test_measured_levels_start_at_one_and_capital_follows_the_inventory(panel, measured):
    first = measured[measured["year"] == 2003]
    assert np.allclose(first[["tfp", "te", "ec"]].to_numpy(), 1.0)
    city = panel[panel["city"] == panel["city"].iloc[0]].sort_values("year")
    k = city["capital_stock"].to_numpy()
    investment = k[1:] - (1 - 0.096) * k[:-1]
    assert (investment > 0).all()  # K_t = 0.904 K_t-1 + I_t with positive investment
    # the national location quotient of all producer services is 1 on average
    weights = panel["employment"]
    mean_lq = (measured["sagg"] * weights).groupby(panel["year"]).sum() / weights.groupby(
        panel["year"]
    ).sum()
    assert np.allclose(mean_lq, 1.0)


def test_missing_share_empties_interior_sector_and_control_cells_only(panel):
    holed = simulate(SLUG, missing_share=0.1)
    empty = holed.isna() & panel.notna()
    assert set(empty.columns[empty.any()]) == set(process.HOLED_COLUMNS)
    assert not empty[holed["year"].isin([2003, 2017])].to_numpy().any()
    measured = producer_services.measured(holed)
    assert measured[["sagg", *CONTROLS]].notna().all().all()


def test_parameter_errors_are_input_errors():
    with pytest.raises(InputError, match="unknown simulation parameter"):
        simulate(SLUG, true_effect=0.0)
    with pytest.raises(InputError, match="endogeneity"):
        simulate(SLUG, endogeneity=1.0)
    with pytest.raises(InputError, match="missing_share"):
        simulate(SLUG, missing_share=1.0)
    with pytest.raises(InputError, match="effect_scale"):
        simulate(SLUG, effect_scale=-1.0)


def test_parameter_table_documents_every_value():
    table = chapter.parameters()
    assert table["parameter"].is_unique
    assert table["source"].notna().all() and table["value"].notna().all()
    for knob in ("effect_scale", "noise_scale", "endogeneity", "missing_share"):
        assert table.set_index("parameter").loc[knob, "source"] == "knob"
    for name in producer_services.CALIBRATED:
        assert "calibrated" in table.set_index("parameter").loc[name, "source"]
    for c in CONTROLS:  # the controls are planted at Table 1 column (4)
        value = table.set_index("parameter").loc[f"gamma_{c}", "value"]
        assert value == producer_services.published_coefficient("Table 1", "(4)", c.upper())[0]


def test_committed_calibration_table_matches_the_targets():
    report = pd.read_csv(producer_services.CALIBRATION_CSV)
    calibrated = report[report["calibrated"]]
    assert len(calibrated) == len(producer_services.TARGETS)
    assert (calibrated["distance_in_se"].abs() < 1).all()


def test_default_seed_baseline_within_two_published_ses(measured):
    coef, se = producer_services.published_coefficient(*BASELINE)
    assert abs(baseline(measured) - coef) <= 2 * se


def test_default_seed_reproduces_80_percent_of_signs_and_classes(measured):
    """The book's acceptance criterion on the committed default panel (seed 2003): SAGG's
    published sign and significance class at 10% in at least 80% of the 18 columns. It pins
    this panel, not the process: when written, the default seed reproduced 15 of 18, while
    the mean over seeds 0-39 was 66% and 7 of those 40 seeds reached 80%
    (agreement_by_seed; class_share in the calibration table). A change of the process
    that fails here must be judged on that expected agreement, not on this seed."""
    fits = producer_services.fit_columns(measured)
    assert len(fits) == len(COLUMNS)
    assert producer_services.class_matches(fits).mean() >= 0.8


def test_class_matches_agree_with_the_chapters_scorecard(panel):
    """The calibration's sign-and-class rule is the chapter's (helpers.tables)."""
    published = load_cells()
    estimates = chapter.estimate(chapter.measure(panel))
    cells = chapter.result_cells(estimates, published)
    score = chapter.agreement(cells, published)
    matches = producer_services.class_matches(chapter.core_coefficients(estimates))
    scorecard = score.set_index(["table", "column"])["both"].astype(bool)
    assert len(matches) == len(COLUMNS) == len(scorecard)
    assert (matches == scorecard.loc[matches.index]).all()


def test_no_effect_when_the_effect_is_switched_off():
    estimates = [
        baseline(producer_services.measured(simulate(SLUG, seed, effect_scale=0.0)))
        for seed in (11, 12, 13)
    ]
    # three estimates with SE about 0.018 each: their mean lies well within 0.03 of zero
    assert abs(np.mean(estimates)) < 0.03


def test_endogeneity_biases_ols_but_not_iv():
    seed = 21
    exogenous = with_lags(producer_services.measured(simulate(SLUG, seed, endogeneity=0.0)))
    endogenous = with_lags(producer_services.measured(simulate(SLUG, seed, endogeneity=0.6)))
    ols_shift = ols(endogenous) - ols(exogenous)
    iv_shift = baseline(endogenous) - baseline(exogenous)
    assert ols_shift > 0.05  # reverse causality pushes OLS up
    assert abs(iv_shift) < 0.3 * ols_shift


# ---------------------------------------------------------------- Monte Carlo (slow)
@pytest.mark.slow
def test_planted_effect_is_recovered_within_its_confidence_interval():
    """The baseline IV-GMM 95% CI, clustered by city, covers the effect the calibrated
    process plants on measured TFP (Table 1 column (4)) in at least 90% of 50 fresh seeds
    (the calibration used seeds 0-19). The chained Malmquist level carries measurement
    error that persists within a city (every frontier change is accumulated), so the
    paper's heteroskedasticity-robust CI, which treats a city's years as independent, is
    too narrow: it covered 45 of these 50 seeds when this test was last run, the clustered
    one 46 (43 and 48 when the controls still acted through their levels, whose
    between-city spread added frontier error; control_level_effect in the parameter table)."""
    fits = pd.DataFrame(
        [producer_services.recovery(seed, se_type="cluster") for seed in range(1000, 1050)]
    )
    assert fits["covered"].mean() >= 0.9
    assert abs(fits["coef"].mean() - producer_services.planted_effect()) < 2 * fits[
        "coef"
    ].std() / np.sqrt(len(fits))


# ---------------------------------------------------------------- shared building blocks
def test_gauss_newton_solves_a_linear_calibration_in_one_step():
    from helpers.simulate.calibration import gauss_newton

    matrix = np.array([[2.0, 0.5], [0.3, 1.5], [1.0, 1.0]])
    truth = np.array([0.2, -0.1])
    targets = matrix @ truth

    def means(current):
        return matrix @ np.array([current["a"], current["b"]])

    scale = np.ones(3)
    solved = gauss_newton(means, ["a", "b"], [0.0, 0.0], targets, scale, steps=1)
    np.testing.assert_allclose(solved, truth, atol=1e-10)


def test_shock_building_blocks_have_their_stated_moments():
    from helpers.simulate.shocks import ar1_within, lognormal, standardise

    rng = np.random.default_rng(0)
    e = ar1_within(rng.standard_normal(20000 * 10), 10, 0.8).reshape(-1, 10)
    assert abs(e[:, -1].std() - 1) < 0.02  # stationary unit variance in the last year
    assert abs(np.corrcoef(e[:, -1], e[:, -2])[0, 1] - 0.8) < 0.02
    x = lognormal(rng.standard_normal(200000), 0.15, 0.08)
    assert abs(x.mean() - 0.15) < 0.001 and abs(x.std() - 0.08) < 0.001
    z = standardise(x)
    assert abs(z.mean()) < 1e-12 and abs(z.std() - 1) < 1e-12


def test_agreement_by_seed_is_the_chapters_share():
    rows = producer_services.agreement_by_seed([5])
    assert len(rows) == len(COLUMNS)
    fits = producer_services.fit_columns(producer_services.measured(simulate(SLUG, 5)))
    expected = producer_services.class_matches(fits).to_numpy()
    assert (rows["match"].to_numpy() == expected).all()
