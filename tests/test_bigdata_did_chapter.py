"""The bigdata_did chapter (paper 004): its library part, and the notebook end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from readers_file import write_readers_file

from helpers.did import event_study
from helpers.errors import InputError
from helpers.papers import bigdata_did as bd
from helpers.paths import PARAMS_DIR
from helpers.results import missing_keys, read_results
from helpers.runner import NotebookFailed, run_notebook

SLUG = "bigdata_did"
QUICK = PARAMS_DIR / "quick" / f"{SLUG}.yml"


@pytest.fixture(scope="module")
def measurement() -> bd.Measurement:
    return bd.measure(bd.load_panel(seed=2016), first_year=2014, last_year=2022)


@pytest.fixture(scope="module")
def frame(measurement) -> pd.DataFrame:
    return measurement.frame


# --------------------------------------------------------------------------- library part
def test_every_published_cell_is_produced_with_the_papers_sample_sizes(measurement, published):
    est = bd.estimate(measurement)
    cells = bd.result_cells(est, published)
    assert missing_keys(cells, published).empty
    n = cells[cells["row"] == "N"].set_index(["table", "column"])["value"]
    # TABLES.md: 284 x 9, 284 x 6 (2014-2019), 19 / 265 key / ordinary and 170 / 114
    # non-resource / resource-based cities x 9 years
    assert n[("Table 3", "(4)")] == 284 * 9 and n[("Table 4", "(4)")] == 284 * 6
    assert [n[("Table 6", c)] for c in ("(1)", "(2)", "(3)", "(4)")] == [
        19 * 9,
        265 * 9,
        170 * 9,
        114 * 9,
    ]


def test_descriptives_and_the_implied_pilot_count_by_hand(frame, published):
    """67 pilots x 7 post years (2016-2022) = 469 treated city-years of 2556; the paper's
    BDPZs mean 0.1835 x 2556 / 7 = 67.0 pilots (TABLES.md), not the placebo's 120."""
    desc = bd.descriptive_statistics(frame)
    assert desc.loc["bdpzs", "mean"] == pytest.approx(469 / 2556, abs=1e-12)
    assert desc.loc["nqp", "obs"] == 2556
    assert bd.treated_cities(frame) == 67
    assert bd.implied_treated_cities(published) == pytest.approx(0.1835 * 2556 / 7)


def test_robust_and_clustered_fits_share_coefficients_but_not_ses(frame):
    cl = bd.fit_columns(frame, se_type="cluster")
    hc = bd.fit_columns(frame, se_type="robust")
    np.testing.assert_allclose(cl["coef"], hc["coef"], rtol=1e-12)
    assert not np.allclose(cl["se"], hc["se"])


def test_the_event_study_notices_a_planted_pre_trend():
    """Parallel trends hold on the default panel; a planted pre-trend breaks them."""
    results = {}
    for trend in (0.0, 0.03):
        panel = bd.load_panel(seed=2016, pre_trend=trend)
        data = bd.measure(panel, first_year=2014, last_year=2022).frame
        es = event_study(data, "nqp", "city", "year", "bdpz_year", bd.CONTROLS, level=0.90)
        results[trend] = bd.pre_period_test(es.coefficients)["min_p"]
    assert results[0.0] > 0.10 > results[0.03]


def test_bad_choices_name_the_parameter(measurement):
    with pytest.raises(InputError, match="se_type"):
        bd.estimate(measurement, se_type="hc3")
    with pytest.raises(InputError, match="psm_bandwidth"):
        bd.estimate(measurement, bandwidth=0.0)
    with pytest.raises(InputError, match="pre_trend"):
        bd.load_panel(__file__, pre_trend=0.02)
    with pytest.raises(InputError, match="noise"):
        bd.load_panel(noise=1.0)


# --------------------------------------------------------------------------- the notebook
@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bigdata_did")
    run_notebook(SLUG, out, parameter_files=[QUICK])
    return read_results(out / SLUG / "results.csv")


@pytest.mark.book
@pytest.mark.slow
def test_chapter_results_cover_every_published_cell(quick_run, published):
    assert missing_keys(quick_run, published).empty
    assert set(quick_run["paper"]) == {bd.PAPER}


@pytest.mark.book
@pytest.mark.slow
def test_chapter_baseline_lies_within_two_published_ses(quick_run, published):
    key = (quick_run["table"] == "Table 3") & (quick_run["column"] == "(4)")
    key &= (quick_run["row"] == "BDPZs") & (quick_run["stat"] == "coef")
    replicated = quick_run[key]["value"].item()
    pub = published[(published["table"] == "Table 3") & (published["column"] == "(4)")]
    pub = pub[pub["row"] == "BDPZs"].set_index("stat")["number"]
    assert replicated > 0 and abs(replicated - pub["coef"]) <= 2 * pub["se"]


@pytest.mark.book
def test_a_bad_parameter_fails_naming_it_and_the_allowed_values(tmp_path):
    with pytest.raises(NotebookFailed, match=r"se_type.*'cluster', 'robust'"):
        run_notebook(SLUG, tmp_path, parameter_files=[QUICK], overrides={"se_type": "hc9"})
    with pytest.raises(NotebookFailed, match="event_reference"):
        run_notebook(SLUG, tmp_path, parameter_files=[QUICK], overrides={"event_reference": "9"})


def test_imputation_equals_twfe_with_one_adoption_date_and_no_controls(frame):
    """With one adoption date, a balanced panel and no controls, the imputation estimator
    (fit on untreated rows, impute, average) and the static TWFE DID are both the 2x2
    difference of mean changes; computed here by hand from group means."""
    r = bd.imputation_att(frame, controls=[])
    post = frame["year"] >= 2016
    pilot = frame["treated"] == 1
    m = frame["nqp"]
    did = (m[pilot & post].mean() - m[pilot & ~post].mean()) - (
        m[~pilot & post].mean() - m[~pilot & ~post].mean()
    )
    assert r.att == pytest.approx(did, rel=1e-9)
    assert r.n_treated_rows == 67 * 7
    assert list(r.by_event_time.index) == list(range(7))


def test_a_readers_file_with_a_mapping_runs_every_column(tmp_path, published):
    """A reader's file with a Chinese key header and six years (2014-2019) is read through
    the contract and the mapping file; the columns it cannot support still get their keys."""
    data, mapping, _ = write_readers_file(SLUG, tmp_path, last_year=2019)
    m = bd.measure(bd.load_panel(str(data), str(mapping)), first_year=2014, last_year=2019)
    cells = bd.result_cells(bd.estimate(m), published)
    assert missing_keys(cells, published).empty
    n = cells[(cells["row"] == "N") & (cells["table"] == "Table 3")]["value"]
    assert n.tolist() == [284 * 6] * 4
