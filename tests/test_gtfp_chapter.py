"""The gtfp chapter (paper 000): its library part, and the notebook end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from readers_file import write_readers_file

from helpers.dea import cumulate, gml
from helpers.errors import InputError
from helpers.papers import gtfp as gt
from helpers.papers import simulate
from helpers.paths import PARAMS_DIR
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
    run_notebook(SLUG, tmp_path, parameter_files=[QUICK])
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
