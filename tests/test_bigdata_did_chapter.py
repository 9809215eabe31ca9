"""The bigdata_did chapter (paper 004): its library part, and the notebook end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from chapter_support import assert_no_figure_drawn_twice, assert_pipeline_gives_the_chapters_bytes
from readers_file import write_readers_file

from helpers import cli
from helpers import verdicts as V
from helpers.did import event_study, imputation_did
from helpers.errors import InputError
from helpers.papers import bigdata_did as bd
from helpers.paths import DATA_DIR, PARAMS_DIR
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
    record = run_notebook(SLUG, out, parameter_files=[QUICK])
    assert_pipeline_gives_the_chapters_bytes(SLUG, record, out)
    assert_no_figure_drawn_twice(out / f"{SLUG}.ipynb")
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
    sample, dropped = bd.imputable(frame, controls=[])
    r = imputation_did(sample, "nqp", "bdpzs", "city", "year", adoption="bdpz_year")
    post = frame["year"] >= 2016
    pilot = frame["treated"] == 1
    m = frame["nqp"]
    did = (m[pilot & post].mean() - m[pilot & ~post].mean()) - (
        m[~pilot & post].mean() - m[~pilot & ~post].mean()
    )
    assert dropped == []
    assert r.att == pytest.approx(did, rel=1e-9)
    assert r.n_treated == 67 * 7
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


# --------------------------------------------------------------------------- words and numbers
def _glued(notebook) -> dict[str, str]:
    """The text values the executed notebook glued, by name."""
    import nbformat

    values = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if name and text is not None:
                values[name] = text.strip("'\"")
    return values


@pytest.mark.book
@pytest.mark.slow
@pytest.mark.parametrize("overrides", [{"effect_scale": "0"}, {"seed": "11"}])
def test_glued_verdicts_agree_with_their_glued_numbers(tmp_path, overrides):
    """With the effect switched off and with another seed the chapter runs to the end, and
    its verdict words say what the numbers beside them say."""
    run_notebook(SLUG, tmp_path, parameter_files=[QUICK], overrides=overrides)
    g = _glued(tmp_path / f"{SLUG}.ipynb")
    assert g["baseline_verdict"] == V.within_band(float(g["baseline_distance"]))
    assert g["rep_baseline_sig"] == V.significance(float(g["rep_baseline_p"]))
    share = float(g["score_both"]) / float(g["score_total"])
    assert g["score_verdict"] == V.meets(share)
    low, high = (float(x) for x in g["truth_ci"].strip("[]").split(","))
    truth = float(g["truth"])
    assert g["truth_covers"] == V.covers(low, high, truth)
    assert g["truth_compare"] == V.compare(
        float(g["rep_baseline"]), truth, more="above", less="below", same="at"
    )
    assert g["null_sig"] == V.significance(float(g["null_p"]))
    assert (g["pre_verdict"] == "rejects") == (float(g["pre_min_p"]) < 0.10)
    if overrides.get("effect_scale") == "0":
        assert abs(truth) < 5e-5  # nothing planted: the estimand is zero


def _readers_file_with_gaps(folder):
    """The reader's file (Chinese key header, mapping) with the cities under real Chinese
    names (data/reference/cities.csv) and cells missing as the contract allows: a mediator
    cell, a control cell and an indicator cell inside a city's years."""
    data, mapping, raw = write_readers_file(SLUG, folder)
    raw = raw.reset_index(drop=True)
    city = raw.columns[0]
    names = pd.read_csv(DATA_DIR / "reference" / "cities.csv")["name_zh"].drop_duplicates(
        keep=False
    )
    codes = pd.unique(raw[city])
    raw[city] = raw[city].map(dict(zip(codes, names.iloc[: len(codes)], strict=True)))
    raw.loc[5, "dfi"] = np.nan
    raw.loc[40, "green_invention_applications"] = np.nan
    raw.loc[60, "lngdp"] = np.nan
    inside = raw.index[(raw["year"] == 2018)][3]
    raw.loc[inside, "mobile_users"] = np.nan
    assert raw.loc[inside, city] == raw.loc[inside - 1, city]
    raw.to_csv(data, index=False)
    return data, mapping


@pytest.mark.book
@pytest.mark.slow
def test_a_readers_file_with_gaps_validates_and_runs_without_simulated_words(tmp_path, capsys):
    data, mapping = _readers_file_with_gaps(tmp_path)
    assert cli.main(["validate", SLUG, str(data), "--mapping", str(mapping)]) == 0
    out = tmp_path / "run"
    args = ["run", SLUG, "-p", f"data={data}", "-p", f"mapping={mapping}", "-f", str(QUICK)]
    assert cli.main([*args, "--out", str(out)]) == 0
    assert (out / SLUG / "results.csv").exists()
    import nbformat

    page = nbformat.read(out / f"{SLUG}.ipynb", as_version=4)
    words = "\n".join(c.source for c in page.cells if c.cell_type == "markdown").lower()
    assert "known truth on this run" not in words and "simulated data with a known" not in words
    glued = _glued(out / f"{SLUG}.ipynb")
    assert glued["label"] == "replicated"
    assert "no column lost" not in glued["rows_lost_text"]
    results = read_results(out / SLUG / "results.csv")
    n = results[(results["table"] == "Table 3") & (results["row"] == "N")]
    n = n.set_index("column")["value"]
    # the city-year without LnGDP leaves the columns with controls, (3) and (4), only
    assert n.to_dict() == {"(1)": 2556, "(2)": 2556, "(3)": 2555, "(4)": 2555}


def _city_flag_changes_over_years(raw):
    raw.loc[3, "key_city"] = 1 - raw.loc[3, "key_city"]


def _every_pilot_adopts_in_the_first_year(raw):
    raw.loc[raw["bdpz_year"].notna(), "bdpz_year"] = 2014


MALFORMED = {
    "a city flag that changes over the years": (_city_flag_changes_over_years, [], "key_city"),
    "no pilot observed before adoption": (
        _every_pilot_adopts_in_the_first_year,
        [],
        "no pilot city is observed before its pilot year",
    ),
    "a sample year the data lack": (None, ["-p", "first_year=2030"], "first_year"),
    "more pseudo-pilots than cities": (None, ["-p", "placebo_treated=400"], "placebo_treated"),
    "an unknown index weighting": (None, ["-p", "index_weights=pca"], "index_weights"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_validate_and_run_reject_what_the_chapter_rejects_in_the_same_words(tmp_path, capsys, case):
    """A file or a choice the chapter's own preparation rejects is rejected by validate and
    by run (exit 1), in the same words, before anything runs; the file is left unchanged."""
    change, params, message = MALFORMED[case]
    data, mapping, raw = write_readers_file(SLUG, tmp_path)
    if change is not None:
        raw = raw.reset_index(drop=True)
        change(raw)
        raw.to_csv(data, index=False)
    before = data.read_bytes()
    assert cli.main(["validate", SLUG, str(data), "--mapping", str(mapping), *params]) == 1
    validate_err = capsys.readouterr().err
    out = tmp_path / "run"
    run = ["run", SLUG, "-p", f"data={data}", "-p", f"mapping={mapping}", *params]
    assert cli.main([*run, "--out", str(out)]) == 1
    run_err = capsys.readouterr().err
    assert message in validate_err and validate_err == run_err
    assert not out.exists() and data.read_bytes() == before
