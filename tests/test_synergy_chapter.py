"""The synergy chapter (paper 002): its library part, and the notebook end to end."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from chapter_support import assert_no_figure_drawn_twice, assert_pipeline_gives_the_chapters_bytes
from readers_file import CHINESE_KEYS, write_readers_file

from helpers import cli
from helpers import verdicts as vd
from helpers.dea import efficiency
from helpers.errors import InputError
from helpers.panel import stata_percentile
from helpers.papers import simulate
from helpers.papers import synergy as sy
from helpers.papers.synergy.calibration import published_coefficient
from helpers.paths import DATA_DIR, PARAMS_DIR
from helpers.results import missing_keys, read_results
from helpers.runner import NotebookFailed, run_notebook

SLUG = "synergy"
QUICK = PARAMS_DIR / "quick" / f"{SLUG}.yml"


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate(SLUG, 5)


@pytest.fixture(scope="module")
def measurement(panel) -> sy.Measurement:
    return sy.measure(panel)


# --------------------------------------------------------------------------- measurement
def test_coor_is_the_sbm_score_with_bads_on_the_global_frontier(panel):
    raw = sy.measure(panel, winsorize_on=False).frame
    x = panel[["capital_stock", "employment", "energy"]].to_numpy(float)
    expected = efficiency(
        x, panel[["gdp"]].to_numpy(float), panel[["co2", "pm25"]].to_numpy(float), model="sbm"
    )
    np.testing.assert_allclose(raw["coor"], expected, rtol=1e-9)
    assert raw["coor"].between(0, 1 + 1e-9).all() and raw["coor"].max() == pytest.approx(1)


def test_contemporaneous_frontier_scores_each_year_against_itself(panel):
    short = panel[panel["year"] <= 2013]
    scores = sy.measure(short, last_year=2013, frontier="contemporaneous", winsorize_on=False)
    best = scores.frame.groupby("year")["coor"].max()
    np.testing.assert_allclose(best, 1.0, atol=1e-9)


def test_nqp_is_the_entropy_index_with_renormalised_sub_dimensions(measurement, panel):
    raw = sy.measure(panel, winsorize_on=False)
    w = raw.index.weights
    assert w["weight"].sum() == pytest.approx(1.0)
    assert len(w) == 15
    z = raw.index.normalised
    np.testing.assert_allclose(raw.frame["nqp"], z.to_numpy() @ w["weight"].to_numpy())
    means = w[w["dimension"] == "means"]
    expected = z[means["indicator"]].to_numpy() @ means["weight"].to_numpy()
    np.testing.assert_allclose(raw.frame["nqm"], expected / means["weight"].sum())


def test_weights_table_shows_printed_beside_replicated(measurement):
    table = sy.weights_table(measurement.index)
    assert table["printed weight"].sum() == pytest.approx(1.001)
    assert table["replicated weight"].sum() == pytest.approx(1.0)


def test_winsorizing_is_reported_and_switchable(panel, measurement):
    assert measurement.winsorized.sum() > 0
    assert measurement.winsorized["coor"] > 0
    off = sy.measure(panel, winsorize_on=False)
    assert off.winsorized.sum() == 0
    raw = off.frame["coor"].to_numpy()
    low, high = stata_percentile(raw, 1), stata_percentile(raw, 99)
    assert measurement.frame["coor"].min() == pytest.approx(low)
    assert measurement.frame["coor"].max() == pytest.approx(high)


def test_groups_partition_the_sample_under_every_split_rule(panel):
    for rule in sy.DIGITAL_SPLITS:
        frame = sy.measure(panel, digital_split=rule).frame
        assert frame["group"].isin(sy.GROUPS).all()
        pilots = frame["pilot"] == 1
        assert (frame["group"].isin(["dual-high", "pressure-induced"]) == pilots).all()


def test_mediators_are_the_papers_ratios(panel):
    frame = sy.measure(panel, winsorize_on=False).frame
    np.testing.assert_allclose(frame["es1"], panel["electricity"] / panel["gdp"])
    np.testing.assert_allclose(frame["lnapp"], np.log1p(panel["green_patent_applications"]))
    np.testing.assert_allclose(frame["dfi"], panel["dfi"] / 100)


def test_bad_choices_name_the_parameter(panel, measurement):
    with pytest.raises(InputError, match="dea_model"):
        sy.measure(panel, dea_model="radial")
    with pytest.raises(InputError, match="frontier"):
        sy.measure(panel, frontier="sequential")
    with pytest.raises(InputError, match="rts"):
        sy.measure(panel, rts="nirs")
    with pytest.raises(InputError, match="digital_split"):
        sy.measure(panel, digital_split="mean")
    with pytest.raises(InputError, match="winsorize_cuts"):
        sy.measure(panel, cuts=(99, 1))
    with pytest.raises(InputError, match="se_type"):
        sy.estimate(measurement, se_type="hc3")
    with pytest.raises(InputError, match="effect"):
        sy.load_panel("simulated", effect=1.0)


# --------------------------------------------------------------------------- estimation
def test_every_published_cell_is_produced_with_the_designs_sample_sizes(measurement, published):
    est = sy.estimate(measurement)
    cells = sy.result_cells(est, published)
    assert missing_keys(cells, published).empty
    n = cells[cells["row"] == "N"].set_index(["table", "column"])["value"]
    assert n[("Table 4", "(2)")] == 2904 and n[("Table 6", "(1)")] == 2662
    assert n[("Table 6", "(2)")] == 2662 and n[("Table 6", "(3)")] == 2856
    assert n[("Table 6", "(4)")] == 2856  # the four one-city provinces are singletons
    assert [n[("Table 7", c)] for c in ("(1)", "(2)", "(3)", "(4)")] == [336, 2568, 1104, 1800]
    # the median halves and the four groups partition the rows; reghdfe then drops the
    # cities observed in only one year of a subsample (singletons), as the paper's N suggest
    rows = sy.group_sizes(measurement.frame).set_index(["table", "column"])
    for halves in (("Table 6", ("(5)", "(6)")), ("Table 7", ("(5)", "(6)", "(7)", "(8)"))):
        keys = [(halves[0], c) for c in halves[1]]
        assert rows.loc[keys, "N"].sum() == 2904
        singletons = [est[k].n_singletons for k in keys]
        assert sum(n[k] for k in keys) == 2904 - sum(singletons)
    kp = cells[(cells["table"] == "Table 6") & (cells["column"] == "(1)")].set_index(
        ["row", "stat"]
    )["value"]
    assert kp[("Stock-Yogo 10% critical value", "value")] == pytest.approx(16.38)
    assert 0 <= kp[("Kleibergen-Paap rk LM", "p")] <= 1


def test_iv_first_stage_is_the_lagged_index(measurement):
    est = sy.estimate(measurement, columns=[sy.column("Table 6", "(1)")])
    first = est[("Table 6", "(1)")]
    assert "nqp_lag" in first.params.index and first.params["nqp_lag"] > 0


def test_a_missing_group_gives_explained_empty_cells(measurement, published):
    frame = measurement.frame[measurement.frame["resource_based"] == 0]
    est = sy.estimate(replace(measurement, frame=frame))
    assert ("Table 7", "(3)") in est.failures
    cells = sy.result_cells(est, published)
    assert missing_keys(cells, published).empty
    empty = cells[(cells["table"] == "Table 7") & (cells["column"] == "(3)")]
    assert empty["value"].isna().all() and empty["note"].str.contains("not estimable").all()


def test_sample_sums_report_the_papers_inconsistencies(published):
    sums = sy.sample_sums(published)
    assert (sums["design"], sums["median split"], sums["four groups"]) == (2904, 2884, 2806)


# --------------------------------------------------------------------------- the notebook
@pytest.mark.book
def test_chapter_runs_with_quick_parameters_and_covers_every_published_cell(tmp_path, published):
    record = run_notebook(SLUG, tmp_path, parameter_files=[QUICK])
    assert_pipeline_gives_the_chapters_bytes(SLUG, record, tmp_path)
    assert_no_figure_drawn_twice(tmp_path / f"{SLUG}.ipynb")
    results = read_results(tmp_path / SLUG / "results.csv")
    assert missing_keys(results, published).empty
    assert set(results["paper"]) == {sy.PAPER}


@pytest.mark.book
@pytest.mark.slow
def test_default_run_recovers_the_planted_baseline(tmp_path, published):
    """On the default simulated data the baseline lies within two published SEs."""
    run_notebook(SLUG, tmp_path, parameter_files=[])
    results = read_results(tmp_path / SLUG / "results.csv")
    assert missing_keys(results, published).empty
    key = (results["table"] == "Table 4") & (results["column"] == "(2)")
    key &= (results["row"] == "Nqp") & (results["stat"] == "coef")
    coef, se = published_coefficient("Table 4", "(2)")
    assert abs(results[key]["value"].item() - coef) <= 2 * se


@pytest.mark.book
def test_a_bad_parameter_fails_naming_it_and_the_allowed_values(tmp_path):
    with pytest.raises(NotebookFailed, match=r"frontier.*'global', 'contemporaneous'"):
        run_notebook(SLUG, tmp_path, parameter_files=[QUICK], overrides={"frontier": "best"})
    with pytest.raises(NotebookFailed, match="winsorize_lower"):
        run_notebook(
            SLUG,
            tmp_path,
            parameter_files=[QUICK],
            overrides={"winsorize_lower": 50.0, "winsorize_upper": 10.0},
        )


# --------------------------------------------------------------------------- bound verdicts
def _glued(notebook: Path) -> dict[str, str]:
    """The glued values of an executed notebook, as the page shows them."""
    values = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if key:
                text = next(v for k, v in output["data"].items() if k.endswith("text/plain"))
                try:
                    values[key] = str(ast.literal_eval(text))
                except (SyntaxError, ValueError):
                    values[key] = text
    return values


@pytest.mark.book
@pytest.mark.parametrize("overrides", [{"effect_scale": 0.0}, {"seed": 11}], ids=["null", "seed"])
def test_glued_verdicts_agree_with_their_glued_numbers(tmp_path, overrides):
    """With the effect switched off and on another seed the chapter runs to the end, and
    the words its sentences glue are the ones the glued numbers call for."""
    run_notebook(SLUG, tmp_path, parameter_files=[QUICK], overrides=overrides)
    g = _glued(tmp_path / f"{SLUG}.ipynb")
    assert g["baseline_verdict"] == vd.within_band(float(g["baseline_distance"]))
    share = int(g["score_both"]) / int(g["score_total"])
    assert g["score_verdict"] == vd.meets(share)
    assert g["mark"] == "80%" and g["band"] == "2"
    for key in ("es1", "es2", "dfi"):
        value = float(g[f"rep_t5_{key}"])
        assert g[f"dir_t5_{key}"] == ("rises" if value > 0 else "falls")
    assert g["sd_low_cmp"] == vd.compare(
        float(g["sd_low"]), float(g["sd_all"]), more="more", less="less"
    )
    assert g["el_compare"] == vd.compare(
        float(g["el_pm25"]), float(g["el_co2"]), more="larger", less="smaller"
    )
    assert g["iv_strength"] == (
        "strong" if float(g["rep_kp_f"]) > float(g["stock_yogo"]) else "weak"
    )
    assert g["effect_scale"] == f"{overrides.get('effect_scale', 1.0):g}"


# --------------------------------------------------------------------------- a reader's file
@pytest.mark.book
def test_a_readers_file_with_gaps_validates_and_runs_with_no_simulated_material(
    tmp_path, capsys, published
):
    """A reader's file (Chinese headers, Chinese city and province names, a mapping, cells
    missing as the contract allows): ``replicate validate`` and ``replicate run`` exit 0,
    results.csv covers every published cell, the gaps are reported, and the page carries no
    simulated-only text."""
    data, mapping, raw = write_readers_file(SLUG, tmp_path, last_year=2014)
    provinces = pd.read_csv(DATA_DIR / "reference" / "provinces.csv")
    chinese = provinces.loc[provinces["in_sample_30"], "name_zh_full"].tolist()
    synthetic = sorted(raw["province"].unique())
    raw["province"] = raw["province"].map(dict(zip(synthetic, chinese, strict=True)))
    city = CHINESE_KEYS["city"]
    cities = pd.read_csv(DATA_DIR / "reference" / "cities.csv")["name_zh"]
    codes = pd.unique(raw[city])
    unique = cities.drop_duplicates(keep=False).iloc[: len(codes)]
    raw[city] = raw[city].map(dict(zip(codes, unique, strict=True)))  # real Chinese city names
    first = raw.groupby(city).head(1).index[:5]  # a city's first year: not interpolated
    inner = raw.groupby(city).nth(1).index[5:10]  # inside a city's years: interpolated
    raw.loc[first, "gov"] = np.nan
    raw.loc[inner, "energy"] = np.nan
    raw.to_csv(data, index=False)
    args = ["--mapping", str(mapping), "-p", "last_year=2014"]
    assert cli.main(["validate", SLUG, str(data), *args]) == 0
    out = tmp_path / "out"
    run = ["run", SLUG, "-p", f"data={data}", "-p", f"mapping={mapping}", "-p", "last_year=2014"]
    assert cli.main([*run, "--out", str(out)]) == 0
    results = read_results(out / SLUG / "results.csv")
    assert missing_keys(results, published).empty
    notebook = next(out.rglob(f"{SLUG}.ipynb"))
    page = nbformat.read(notebook, as_version=4).cells
    prose = [c.source for c in page if c.cell_type == "markdown"]
    shown = [str(o.get("data", o.get("text", ""))) for c in page for o in c.get("outputs", [])]
    text = "\n".join(prose + shown)
    for word in ("SIMULATED", "simulated panel", "planted", "generating process"):
        assert word not in text, word
    assert "your data" in text  # the banner of a reader's file
    g = _glued(notebook)
    assert int(g["n_unfilled"]) >= len(first) and int(g["max_lost_missing"]) >= len(first)
    assert int(g["n_filled"]) >= len(inner)


@pytest.mark.book
@pytest.mark.parametrize(
    ("last_year", "parameters", "named"),
    [
        (2012, [], "first_year"),  # two sample years: the IV's lag leaves one
        (2014, ["-p", "winsorize_lower=50", "-p", "winsorize_upper=10"], "winsorize"),
    ],
    ids=["two-years", "crossed-cuts"],
)
def test_a_file_the_chapter_cannot_use_is_rejected_alike_by_validate_and_run(
    tmp_path, capsys, last_year, parameters, named
):
    """Files (or parameters) that pass the contract but not the chapter's preparation:
    validate and run exit 1 with the same message, naming the parameter."""
    data, mapping, _ = write_readers_file(SLUG, tmp_path, last_year=last_year)
    validate = ["validate", SLUG, str(data), "--mapping", str(mapping), *parameters]
    assert cli.main(validate) == 1
    validate_err = capsys.readouterr().err
    out = tmp_path / "out"
    run = ["run", SLUG, "-p", f"data={data}", "-p", f"mapping={mapping}", *parameters]
    assert cli.main([*run, "--out", str(out)]) == 1
    run_err = capsys.readouterr().err
    assert named in validate_err and validate_err == run_err
    assert not out.exists()
