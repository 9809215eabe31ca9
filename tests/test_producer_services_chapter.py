"""The producer_services chapter (paper 003): its library part, and the notebook end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from readers_file import write_readers_file

from helpers.errors import InputError
from helpers.papers import producer_services as ps
from helpers.papers.producer_services.calibration import planted_effect, published_coefficient
from helpers.paths import PARAMS_DIR
from helpers.results import missing_keys, read_results
from helpers.runner import NotebookFailed, run_notebook

SLUG = "producer_services"
QUICK = PARAMS_DIR / "quick" / f"{SLUG}.yml"
BASELINE_ONLY = [c for c in ps.COLUMNS if c.key == ps.BASELINE]


@pytest.fixture(scope="module")
def measurement() -> ps.Measurement:
    return ps.measure(ps.load_panel(seed=2003))


@pytest.fixture(scope="module")
def frame(measurement) -> pd.DataFrame:
    return measurement.frame


# --------------------------------------------------------------------------- library part
def test_every_published_cell_is_produced_with_the_papers_sample_sizes(measurement, published):
    cells = ps.result_cells(ps.estimate(measurement), published)
    assert missing_keys(cells, published).empty
    assert set(cells["stat"]) == set(published["stat"])  # t statistics, as printed
    n = cells[cells["row"] == "N"].set_index(["table", "column"])["value"]
    # TABLES.md: 261 x 13 nationally; 101, 99 and 61 cities x 13 by region
    assert (n.loc["Table 1"] == 3393).all() and (n.loc["Table 3"] == 3393).all()
    assert n.loc["Table 2"].tolist() == [1313, 1313, 1287, 1287, 793, 793]


def test_first_stage_statistics_do_not_depend_on_the_estimator(measurement):
    """2SLS and IV-GMM share the first stage, so KP LM and KP F of Table 1 (1) equal those
    of (4): the paper's column (1) copy of the low-end statistics is an error."""
    est = ps.estimate(measurement, columns=[c for c in ps.COLUMNS if c.table == "Table 1"])
    first, fourth = est[("Table 1", "(1)")], est[("Table 1", "(4)")]
    assert first.kp_f == pytest.approx(fourth.kp_f, rel=1e-10)
    assert first.kp_lm == pytest.approx(fourth.kp_lm, rel=1e-10)
    assert first.params["sagg"] != fourth.params["sagg"]


def test_location_quotients_follow_eq_1_by_hand(frame):
    raw = ps.load_panel(seed=2003)
    year = raw[raw["year"] == 2010]
    x = year[list(ps.HIGH_END)].sum(axis=1)
    by_hand = (x / year["employment"]) / (x.sum() / year["employment"].sum())
    measured = frame.loc[frame["year"] == 2010, "sagg_high"]
    np.testing.assert_allclose(measured.to_numpy(), by_hand.to_numpy(), rtol=1e-12)


def test_one_lag_leaves_hansen_j_empty_with_a_reason(measurement, published):
    est = ps.estimate(measurement, lags=(1,), columns=BASELINE_ONLY)
    cells = ps.result_cells(est, published)
    hansen = cells[cells["row"] == "Hansen J statistic"]
    assert len(hansen) == 2 and hansen["value"].isna().all()
    assert hansen["note"].str.contains("exactly identified").all()


def test_unselected_regions_get_empty_cells_with_a_reason(measurement, published):
    columns = [c for c in ps.COLUMNS if c.table == "Table 2"]
    est = ps.estimate(measurement, regions=("East",), columns=columns)
    cells = ps.result_cells(est, published[published["table"] == "Table 2"])
    west = cells[cells["column"].isin(["(5)", "(6)"])]
    assert west["value"].isna().all() and west["note"].str.contains("West").all()
    assert cells[cells["column"] == "(1)"]["value"].notna().all()


def test_bad_choices_name_the_parameter(measurement):
    with pytest.raises(InputError, match="se_type"):
        ps.estimate(measurement, se_type="hc3")
    with pytest.raises(InputError, match="estimator"):
        ps.estimate(measurement, estimator="ols")
    with pytest.raises(InputError, match="lags"):
        ps.estimate(measurement, lags=(0,))
    with pytest.raises(InputError, match="regions"):
        ps.estimate(measurement, regions=("North",))
    with pytest.raises(InputError, match="orientation"):
        ps.measure(ps.load_panel(seed=2003), orientation="sideways")
    with pytest.raises(InputError, match="endogeneity"):
        ps.load_panel(__file__, endogeneity=0.5)
    with pytest.raises(InputError, match="noise"):
        ps.load_panel(noise=1.0)


def test_a_readers_file_with_a_mapping_runs(tmp_path, published):
    """A reader's file with a Chinese key header is read through the contract and the
    mapping file, and the baseline runs on it."""
    data, mapping, _ = write_readers_file(SLUG, tmp_path)
    m = ps.measure(ps.load_panel(str(data), str(mapping)))
    est = ps.estimate(m, columns=BASELINE_ONLY)
    assert est[ps.BASELINE].nobs == 3393


# --------------------------------------------------------------------------- the notebook
@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp(SLUG)
    run_notebook(SLUG, out, parameter_files=[QUICK])
    return read_results(out / SLUG / "results.csv")


@pytest.mark.book
@pytest.mark.slow
def test_chapter_results_cover_every_published_cell(quick_run, published):
    assert missing_keys(quick_run, published).empty
    assert set(quick_run["paper"]) == {ps.PAPER}


@pytest.mark.book
@pytest.mark.slow
def test_chapter_baseline_recovers_the_planted_effect(quick_run):
    """The baseline's 95% interval (coef +- 1.96 coef / t) covers the effect the simulated
    TFP carries, and lies within two published SEs of the published value."""
    base = quick_run[(quick_run["table"] == "Table 1") & (quick_run["column"] == "(4)")]
    base = base[base["row"] == "SAGG"].set_index("stat")["value"]
    se = base["coef"] / base["t"]
    assert abs(base["coef"] - planted_effect()) <= 1.96 * se
    coef, published_se = published_coefficient("Table 1", "(4)")
    assert abs(base["coef"] - coef) <= 2 * published_se


@pytest.mark.book
def test_a_bad_parameter_fails_naming_it_and_the_allowed_values(tmp_path):
    with pytest.raises(NotebookFailed, match=r"se_type.*'robust', 'cluster'"):
        run_notebook(SLUG, tmp_path, parameter_files=[QUICK], overrides={"se_type": "hc9"})
    with pytest.raises(NotebookFailed, match="lags"):
        run_notebook(SLUG, tmp_path, parameter_files=[QUICK], overrides={"lags": "0"})
