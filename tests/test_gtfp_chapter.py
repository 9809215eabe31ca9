"""The gtfp chapter (paper 000): its library part, and the notebook end to end."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from chapter_support import assert_no_figure_drawn_twice, assert_pipeline_gives_the_chapters_bytes
from readers_file import write_readers_file

from helpers.dea import cumulate, gml
from helpers.errors import InputError
from helpers.papers import gtfp as gt
from helpers.papers import simulate
from helpers.paths import DATA_DIR, PARAMS_DIR
from helpers.results import missing_keys, read_results
from helpers.runner import NotebookFailed, run_notebook
from helpers.verdicts import AGREEMENT_SHARE, BAND_IN_SES, LEVEL

pytestmark = pytest.mark.filterwarnings("ignore::helpers.dea.DEAInfeasibleWarning")

SLUG = "gtfp"
QUICK = PARAMS_DIR / "quick" / f"{SLUG}.yml"


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate(SLUG, 2024)


@pytest.fixture(scope="module")
def measurement(panel) -> gt.Measurement:
    return gt.measure(panel)


# --------------------------------------------------------------------------- library part
def test_gtfp_is_the_cumulated_super_ebm_gml_index(panel, measurement):
    """Cumulative form = product of the GML indices, 1 in 2010; GML = E^G_t / E^G_{t-1}."""
    index = gml(
        panel,
        list(gt.DEA_INPUTS),
        ["real_gdp"],
        ["so2", "cod"],
        unit="province",
        time="year",
        model="ebm",
        super_efficiency=True,
        workers=1,
    )
    level = cumulate(index, "gml", unit="province", time="year")["gml"]
    np.testing.assert_allclose(measurement.frame["gtfp"], level, rtol=1e-12)
    assert (measurement.frame.loc[measurement.frame["year"] == 2010, "gtfp"] == 1).all()
    ratio = index["score_global"] / index.groupby("province")["score_global"].shift(1)
    np.testing.assert_allclose(index["gml"].dropna(), ratio.dropna(), rtol=1e-12)


def test_index_form_loses_the_first_year(panel):
    frame = gt.measure(panel, gtfp_form="index", alternatives=False).frame
    assert frame["gtfp"].isna().sum() == 30
    fit = gt.two_way_fe(frame, "gtfp", ["prod", *gt.CONTROLS])
    assert fit.nobs == 270


def test_prod_is_the_first_component_of_the_logged_indicators(panel, measurement):
    logged = gt.logged_indicators(panel).to_numpy()
    z = (logged - logged.mean(axis=0)) / logged.std(axis=0, ddof=1)
    loadings = measurement.index.loadings["PC1"].to_numpy()
    np.testing.assert_allclose(measurement.frame["prod"], z @ loadings, rtol=1e-10, atol=1e-10)
    assert abs(np.linalg.norm(loadings) - 1) < 1e-12 and loadings.sum() > 0


def test_moderators_follow_their_definitions(panel, measurement):
    rate = panel["hightech_firms"] / panel["industrial_firms"]
    national = panel.groupby("year")["hightech_firms"].transform("sum") / panel.groupby("year")[
        "industrial_firms"
    ].transform("sum")
    np.testing.assert_allclose(measurement.frame["high"], rate / national, rtol=1e-12)
    assert (measurement.frame["prof"] > 0).all() and (measurement.frame["mul"] > 0).all()
    np.testing.assert_allclose(
        measurement.frame["prod_x_mul"], measurement.frame["prod"] * measurement.frame["mul"]
    )


def test_every_published_cell_is_produced_with_the_papers_sample_sizes(measurement, published):
    est = gt.estimate(measurement)
    cells = gt.result_cells(est, published)
    assert missing_keys(cells, published).empty
    assert cells["value"].notna().all()
    n = cells[cells["row"] == "N"].set_index(["table", "column"])["value"]
    assert n[("Table 3", "(4)")] == 300
    assert [n[("Table 7", c)] for c in ("(1)", "(2)", "(3)")] == [300, 270, 240]
    assert [n[("Table 8", c)] for c in ("(2)", "(3)", "(4)")] == [110, 80, 110]


def test_dropped_moderator_gives_explained_empty_cells(measurement, published):
    est = gt.estimate(measurement, moderators="high,prof")
    cells = gt.result_cells(est, published)
    assert missing_keys(cells, published).empty
    mul = cells[(cells["table"] == "Table 5") & (cells["column"] == "(4)")]
    assert mul["value"].isna().all() and mul["note"].str.contains("mul").all()


def test_placebo_permutes_prod_and_centres_on_zero(measurement):
    result = gt.placebo(measurement, draws=200, seed=1)
    assert result.coef.shape == (200,)
    assert abs(result.coef.mean()) < 3 * result.coef.std() / np.sqrt(200)
    baseline = gt.two_way_fe(measurement.frame, "gtfp", ["prod", *gt.CONTROLS])
    assert result.estimate == pytest.approx(baseline.params["prod"], rel=1e-10)


def test_bad_choices_name_the_parameter(panel, measurement):
    with pytest.raises(InputError, match="gtfp_measure"):
        gt.measure(panel, gtfp_measure="sfa")
    with pytest.raises(InputError, match="pca_variant"):
        gt.measure(panel, pca_variant="second")
    with pytest.raises(InputError, match="se_type"):
        gt.estimate(measurement, se_type="hc3")
    with pytest.raises(InputError, match="moderators"):
        gt.estimate(measurement, moderators="high,size")


# --------------------------------------------------------------------------- the notebook
@pytest.mark.book
def test_chapter_runs_with_quick_parameters_and_covers_every_published_cell(tmp_path, published):
    record = run_notebook(SLUG, tmp_path, parameter_files=[QUICK])
    assert_pipeline_gives_the_chapters_bytes(SLUG, record, tmp_path)
    assert_no_figure_drawn_twice(tmp_path / f"{SLUG}.ipynb")
    results = read_results(tmp_path / SLUG / "results.csv")
    assert missing_keys(results, published).empty
    assert set(results["paper"]) == {gt.PAPER}


@pytest.mark.book
@pytest.mark.slow
def test_chapter_runs_on_a_readers_file(tmp_path, published):
    data, mapping, raw = write_readers_file(SLUG, tmp_path, last_year=2015, drop=("region",))
    run_notebook(
        SLUG,
        tmp_path / "out",
        parameter_files=[QUICK],
        overrides={"data": str(data), "mapping": str(mapping)},
    )
    results = read_results(tmp_path / "out" / SLUG / "results.csv")
    assert missing_keys(results, published).empty
    n = results[(results["row"] == "N") & (results["table"] == "Table 3")]
    assert n["value"].tolist() == [len(raw)] * 4  # the reader's file, not the default
    # the page on a reader's file says nothing about a simulation
    words = _markdown(tmp_path / "out" / f"{SLUG}.ipynb").lower()
    for simulated in ("simulated panel", "generating process", "planted", "**simulated**"):
        assert simulated not in words
    assert _glued(tmp_path / "out" / f"{SLUG}.ipynb")["data_source"].startswith("the reader's file")


@pytest.mark.book
@pytest.mark.slow
def test_default_run_recovers_the_planted_baseline(tmp_path, published):
    """On the default simulated data the baseline lies within two published SEs."""
    run_notebook(SLUG, tmp_path, parameter_files=[])
    results = read_results(tmp_path / SLUG / "results.csv")
    assert missing_keys(results, published).empty
    key = (results["table"] == "Table 3") & (results["column"] == "(4)")
    key &= (results["row"] == "prod") & (results["stat"] == "coef")
    replicated = results[key]["value"].item()
    pub = published[(published["table"] == "Table 3") & (published["column"] == "(4)")]
    pub = pub[pub["row"] == "prod"].set_index("stat")["number"]
    assert abs(replicated - pub["coef"]) <= 2 * pub["se"]


def _glued(notebook: Path) -> dict[str, str]:
    """The glued values of an executed notebook, as their plain text (strings unquoted)."""
    values = {}
    for cell in json.loads(notebook.read_text("utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = output["data"].get("application/papermill.record/text/plain", "")
                values[name] = text.strip("'\"")
    return values


def _markdown(notebook: Path) -> str:
    cells = json.loads(notebook.read_text("utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


@pytest.mark.book
@pytest.mark.parametrize("overrides", [{"effect_scale": "0"}, {"seed": "11"}], ids=str)
def test_glued_verdicts_agree_with_their_numbers(tmp_path, overrides):
    """With the effect switched off and on another seed, the chapter runs to the end and each
    verdict word glued beside its numbers is the one those numbers call for."""
    run_notebook(
        SLUG, tmp_path, parameter_files=[QUICK], overrides=overrides | {"bootstrap_draws": "99"}
    )
    g = _glued(tmp_path / f"{SLUG}.ipynb")
    distance = float(g["baseline_distance"])
    assert g["baseline_verdict"] == ("within" if distance <= BAND_IN_SES else "outside")
    share = int(g["score_both"]) / int(g["score_total"])
    assert g["score_verdict"] == ("meets" if share >= AGREEMENT_SHARE else "falls short of")
    conventional, clustered = float(g["rep_baseline_se"]), float(g["cl_baseline_se"])
    if conventional != clustered:  # equal at the printed digits: either word may be right
        assert g["cl_widens"] == ("widens" if clustered > conventional else "narrows")
    assert g["calib_word"] == ("wider than" if float(g["calib_ratio"]) > 1 else "narrower than")
    for word, p in (("regional_reject", "regional_p"), ("null_reg_reject", "null_p")):
        if float(g[p]) != LEVEL:
            assert g[word] == ("rejects" if float(g[p]) < LEVEL else "does not reject")
    assert g["index_sig"].startswith("significant" if float(g["index_p"]) < LEVEL else "not")
    if overrides.get("effect_scale") == "0":
        assert "effect_scale=0" in g["data_source"]


@pytest.mark.book
@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("se_type", "hc9", r"'conventional', 'robust', 'cluster'"),
        ("gtfp_measure", "sfa", r"'ebm', 'sbm', 'ddf'"),
        ("gtfp_form", "log", r"'cumulative', 'index'"),
        ("pca_variant", "second", r"'first', 'kaiser', 'unlogged'"),
        ("moderators", "high,size", r"'high', 'prof', 'mul'"),
    ],
)
def test_a_bad_parameter_fails_naming_it_and_the_allowed_values(tmp_path, name, value, allowed):
    with pytest.raises(NotebookFailed, match=rf"{name}.*{allowed}"):
        run_notebook(SLUG, tmp_path, parameter_files=[], overrides={name: value})


@pytest.mark.book
def test_a_bad_placebo_draws_fails_naming_it(tmp_path):
    with pytest.raises(NotebookFailed, match="placebo_draws"):
        run_notebook(SLUG, tmp_path, parameter_files=[], overrides={"placebo_draws": 0})


# --------------------------------------------------------------------------- shared loaders
def test_with_regions_fills_regions_from_province_names_and_names_unknown_ones(panel):
    from helpers.simulate.frame import with_regions

    filled = with_regions(panel.drop(columns="region"))
    assert (filled["region"].astype(str) == panel["region"]).all()
    with pytest.raises(InputError, match=r"province.*Atlantis"):
        with_regions(panel.drop(columns="region").assign(province="Atlantis"))


def test_load_reader_file_names_the_missing_path(tmp_path):
    from helpers.io import load_reader_file

    with pytest.raises(InputError, match="parameter 'data': no such file"):
        load_reader_file(SLUG, tmp_path / "absent.csv")
    data = tmp_path / "panel.csv"
    simulate(SLUG, 7).to_csv(data, index=False)
    with pytest.raises(InputError, match="parameter 'mapping': no such file"):
        load_reader_file(SLUG, data, tmp_path / "absent.yml")
    assert len(load_reader_file(SLUG, data)) == 300


# --------------------------------------------------------------------------- referee's checks
def test_a_cell_interpolation_cannot_fill_leaves_only_the_measures_built_from_it(panel):
    """A province's first-year indicator and last-year firm count stay missing: the PCA and
    the location quotient skip that province-year, the rest of the panel is untouched, and
    each column counts the province-year it lost under "missing cells"."""
    holed = panel.copy()
    first = (holed["province"] == "Hebei") & (holed["year"] == 2010)
    last = (holed["province"] == "Yunnan") & (holed["year"] == 2019)
    holed.loc[first, "robot_index"] = np.nan
    holed.loc[last, "hightech_firms"] = np.nan
    m = gt.measure(holed, alternatives=False)
    assert len(m.unfilled) == 2
    frame = m.frame.set_index(["province", "year"])
    assert np.isnan(frame.loc[("Hebei", 2010), "prod"])
    assert np.isnan(frame.loc[("Yunnan", 2019), "high"])
    assert frame["prod"].notna().sum() == len(frame) - 1
    assert frame["gtfp"].notna().all()  # the DEA data are complete
    losses = gt.sample_losses(gt.estimate(m)).set_index(["table", "column"])
    assert losses.loc[("Table 3", "(4)"), "missing cells"] == 1
    assert losses.loc[("Table 5", "(2)"), "missing cells"] == 2  # prod and high
    assert losses.loc[("Table 7", "(3)"), "by design"] == 2 * 30  # two lags, 30 provinces


def test_placebo_calibration_puts_the_placebo_on_the_regressions_scale(measurement):
    est = gt.estimate(measurement)
    fit = est[gt.BASELINE]
    draws = gt.placebo(measurement, draws=40, seed=3)
    calibration = gt.placebo_calibration(draws, fit)
    assert calibration["sd / se"] == pytest.approx(draws.coef.std(ddof=1) / fit.bse["prod"])
    t = draws.coef / draws.se
    expected = np.mean(np.abs(t) >= abs(fit.params["prod"] / fit.bse["prod"]))
    assert calibration["randomisation p (t)"] == pytest.approx(expected)
    # permuting prod across provinces makes each placebo regression far more precise
    assert calibration["placebo median se"] < fit.bse["prod"]


def test_regional_difference_is_the_difference_of_table_8s_slopes(measurement):
    est = gt.estimate(measurement)
    tests = gt.regional_difference(measurement).set_index("hypothesis")
    east, west = est[("Table 8", "(2)")], est[("Table 8", "(4)")]
    difference = east.params["prod"] - west.params["prod"]
    assert tests.loc["East = West", "difference"] == pytest.approx(difference, rel=1e-8)
    assert 0 <= tests.loc["East = Central = West", "p"] <= 1


def test_alternative_baselines_report_a_choice_that_changes_nothing(measurement):
    """With one eigenvalue above 1 the Kaiser index is the first component: largest change 0."""
    table = gt.alternative_baselines(measurement, se_type="conventional").set_index("value")
    assert (measurement.index.explained["eigenvalue"] > 1).sum() == 1
    assert table.loc["kaiser", "largest change"] == pytest.approx(0, abs=1e-9)
    assert table.loc["vrs", "largest change"] > 0  # returns to scale moves GTFP
    assert table.loc["index", "N"] < table.iloc[0]["N"]  # the index loses the first year


def test_assumptions_table_names_a_parameter_or_none_for_every_choice():
    table = gt.assumptions_table()
    assert table.loc[table["choice"] == "returns to scale", "the paper"].item() == "not stated"
    accepted = set(inspect.signature(gt.pipeline).parameters) | {"placebo_draws", "none"}
    for parameter in table["parameter"]:
        assert parameter.split(" ")[0] in accepted


@pytest.mark.book
@pytest.mark.slow
def test_readers_file_with_chinese_names_and_missing_cells_validates_and_runs(tmp_path):
    """A reader's file as a reader has it: Chinese headers and province names, a mapping file,
    cells missing where the contract allows (one interior gap, one a first year)."""
    from helpers import cli

    data, mapping, raw = write_readers_file(SLUG, tmp_path, last_year=2015, drop=("region",))
    table = pd.read_csv(data)
    chinese = pd.read_csv(DATA_DIR / "reference" / "provinces.csv")
    in_chinese = dict(zip(chinese["name_en"], chinese["name_zh"], strict=True))
    table["省份"] = table["省份"].map(in_chinese)
    assert table["省份"].notna().all()
    table.loc[(table["省份"] == "河北") & (table["year"] == 2012), "robot_index"] = np.nan
    table.loc[(table["省份"] == "云南") & (table["year"] == 2010), "software_revenue"] = np.nan
    table.to_csv(data, index=False)
    assert cli.main(["validate", SLUG, str(data), "--mapping", str(mapping)]) == 0
    out = tmp_path / "out"
    argv = ["run", SLUG, "-f", str(QUICK), "-p", f"data={data}", "-p", f"mapping={mapping}"]
    assert cli.main([*argv, "-p", "bootstrap_draws=99", "--out", str(out)]) == 0
    results = read_results(out / SLUG / "results.csv")
    n = results[(results["row"] == "N") & (results["table"] == "Table 3")]
    assert n["value"].tolist() == [len(raw) - 1] * 4  # Yunnan 2010 lost, Hebei 2012 filled


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t[t["year"] <= 2012], "first_year/last_year"),
        (lambda t: t.assign(robot_index=np.nan), "robot_index"),
    ],
    ids=["three years", "an indicator never observed"],
)
def test_a_file_the_chapter_cannot_use_is_rejected_by_validate_and_run_alike(
    tmp_path, capsys, edit, message
):
    from helpers import cli

    data, mapping, _ = write_readers_file(SLUG, tmp_path, drop=("region",))
    edit(pd.read_csv(data)).to_csv(data, index=False)
    assert cli.main(["validate", SLUG, str(data), "--mapping", str(mapping)]) == 1
    said = capsys.readouterr().err
    assert message in said
    argv = ["run", SLUG, "-p", f"data={data}", "-p", f"mapping={mapping}"]
    assert cli.main([*argv, "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == said
    assert not (tmp_path / "out" / SLUG / "results.csv").exists()
