"""The producer_services chapter (paper 003): its library part, and the notebook end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from chapter_support import assert_no_figure_drawn_twice, assert_pipeline_gives_the_chapters_bytes
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


@pytest.fixture(scope="module")
def short_measurement() -> ps.Measurement:
    """The default panel on 2003-2010 (the quick parameters' years)."""
    return ps.measure(ps.load_panel(seed=2003), last_year=2010)


def test_regional_difference_from_the_columns_equals_the_pooled_interacted_fit(
    short_measurement,
):
    """With robust errors the pooled IV with region interactions gives Table 2's slopes and a
    block-diagonal covariance, so the stacked test (the columns' own variances) is its test;
    with conventional errors (one error variance for all regions) the two differ."""
    table2 = [c for c in ps.COLUMNS if c.table == "Table 2"]
    for se_type, agree in (("robust", True), ("conventional", False)):
        est = ps.estimate(short_measurement, se_type=se_type, estimator="2sls", columns=table2)
        stacked = ps.regional_difference(est, "sagg_high")
        pooled = ps.regional_difference(est, "sagg_high", method="pooled")
        np.testing.assert_allclose(pooled.slopes["coef"], stacked.slopes["coef"], rtol=1e-8)
        same = np.allclose(pooled.slopes["se"], stacked.slopes["se"], rtol=1e-6)
        assert same is agree, se_type
        if agree:
            assert pooled.statistic == pytest.approx(stacked.statistic, rel=1e-6)
    assert stacked.df == 2 and 0 <= stacked.pvalue <= 1 and len(stacked.pairs) == 3
    one_region = ps.estimate(short_measurement, regions=("East",), columns=table2)
    with pytest.raises(InputError, match="regions"):
        ps.regional_difference(one_region, "sagg_high")


# a few VRS programmes of mixed periods are infeasible (their indices NaN): expected here
@pytest.mark.filterwarnings("ignore:.*linear programmes were infeasible")
def test_orientation_has_no_effect_under_crs_and_an_effect_under_vrs(short_measurement):
    assert ps.orientation_difference(short_measurement).max() < 1e-9
    vrs = ps.measure(ps.load_panel(seed=2003), last_year=2006, rts="vrs")
    assert ps.orientation_difference(vrs).max() > 1e-4


def test_weak_iv_gives_one_anderson_rubin_set_per_measure_and_tf_with_one_lag(
    short_measurement,
):
    table1 = [c for c in ps.COLUMNS if c.table == "Table 1"]
    est = ps.estimate(short_measurement, columns=table1)
    weak = ps.weak_iv(est).set_index("column")
    # 2SLS (1)-(3) and GMM (4)-(6) of the same measure share the reduced form
    assert weak.loc["(1)", "ar_set"] == weak.loc["(4)", "ar_set"]
    assert weak.loc["(1)", "coef"] != weak.loc["(4)", "coef"]
    assert weak["tf_critical"].isna().all()  # two instruments: no tF
    inside = (weak["wald_low"] <= weak["coef"]) & (weak["coef"] <= weak["wald_high"])
    assert inside.all()
    one = ps.estimate(short_measurement, lags=(1,), columns=table1[:1])
    row = ps.weak_iv(one).iloc[0]
    assert row["tf_critical"] >= 1.96 and 0 <= row["tf_p"] <= 1


def test_lags_longer_than_the_sample_are_refused_naming_lags(short_measurement):
    with pytest.raises(InputError, match="lags"):
        ps.estimate(short_measurement, lags=(1, 2, 3, 4, 5, 6), columns=BASELINE_ONLY)


# --------------------------------------------------------------------------- the notebook
@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp(SLUG)
    record = run_notebook(SLUG, out, parameter_files=[QUICK])
    assert_pipeline_gives_the_chapters_bytes(SLUG, record, out)
    assert_no_figure_drawn_twice(out / f"{SLUG}.ipynb")
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


def _glued(notebook: Path) -> dict[str, str]:
    """The text of every value the executed notebook glued (myst_nb's ``glue``), by name."""
    values = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                text = output["data"][record["mime_prefix"] + "text/plain"]
                values[record["name"]] = text[1:-1] if text[:1] in "'\"" else text
    return values


def _reader_sees(notebook: Path) -> str:
    """The words of an executed notebook a reader reads: its prose and its outputs (glued
    text, tables), not its code."""
    parts = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            for mime, text in output.get("data", {}).items():
                if "text" in mime:
                    parts.append("".join(text))
    return "\n".join(parts)


def _interval(text: str) -> tuple[float, float]:
    low, high = text.strip("[]").split(",")
    return float(low), float(high)


@pytest.mark.book
@pytest.mark.slow
@pytest.mark.parametrize(
    "overrides", [{"effect_scale": "0"}, {"seed": "11"}, {"seed": "3"}], ids=str
)
def test_glued_verdicts_agree_with_their_glued_numbers(tmp_path, overrides):
    """With no planted effect, and on another seed, the chapter runs to the end and each
    verdict word on the page is the one its own numbers call for."""
    run_notebook(SLUG, tmp_path, parameter_files=[QUICK], overrides=overrides)
    g = _glued(tmp_path / f"{SLUG}.ipynb")
    # the words the reader's-file test looks for are on a simulated page (so it can fail)
    page = _reader_sees(tmp_path / f"{SLUG}.ipynb")
    assert all(words in page for words in SIMULATION_WORDS)
    distance = float(g["base_distance"])
    assert g["base_verdict"] == ("within" if distance <= float(g["band"]) else "outside")
    low, high = _interval(g["base_ci"])
    truth = float(g["planted_effect"])
    if overrides.get("effect_scale") == "0":
        assert truth == 0.0
    assert g["truth_covered"] == ("covers" if low <= truth <= high else "does not cover")
    share = float(g["score_share"].rstrip("%")) / 100
    mark = float(g["agreement_mark"].rstrip("%")) / 100
    assert g["score_verdict"] == ("meets" if share >= mark else "falls short of")
    rejected, tests = int(g["n_rejected"]), int(g["n_tests"])
    assert (g["endogeneity_vs_paper"] == "as the paper says") == (rejected == tests)
    te, ec = abs(float(g["te_rep"])), abs(float(g["ec_rep"]))
    if te != ec:
        assert g["te_vs_ec"] == ("larger" if te > ec else "smaller")
    strong = float(g["kp_f_min"]) > float(g["stock_yogo"])
    assert g["kp_verdict"].endswith("every column" if strong else "weak instruments there")
    null_low, null_high = _interval(g["null_ci"])
    assert g["null_covers"] == ("covers" if null_low <= 0 <= null_high else "does not cover")
    se_here, se_other = float(g["se_here"]), float(g["se_other"])
    if se_other != se_here:  # equal only after rounding to the printed digits
        assert g["se_widens"] == ("widens" if se_other > se_here else "narrows")


# --------------------------------------------------------------------------- a reader's file
CHINESE_HEADERS = {"city": "城市", "year": "年份", "region": "地区", "real_gdp": "实际GDP"}
SIMULATION_WORDS = ("simulated process", "plants", "planted", "calibration seeds", "*simulated*")


def _real_shaped_file(folder: Path, *, missing: bool = True) -> tuple[Path, Path]:
    """Seed 7 of the panel up to 2010 (the quick parameters' years) as a reader has it:
    Chinese headers, Chinese city and region names (东部, 中部, 西部), a mapping file, and
    some cells missing as the contract allows (interior gaps of a control, a sector and a
    DEA input, and the first year of a control in one city)."""
    raw = ps.simulate(7)
    raw = raw[raw["year"] <= 2010].reset_index(drop=True)
    cities = pd.read_csv(PARAMS_DIR.parent / "data" / "reference" / "cities.csv", dtype=str)
    names = dict(zip(sorted(raw["city"].unique()), cities["name_zh"], strict=False))
    raw["city"] = raw["city"].map(names)
    raw["region"] = raw["region"].map({"East": "东部", "Central": "中部", "West": "西部"})
    if missing:
        first = raw["year"] == 2003
        raw.loc[raw.index[(raw["year"] == 2006)][:5], "gov"] = np.nan
        raw.loc[raw.index[(raw["year"] == 2007)][5:8], "emp_finance"] = np.nan
        raw.loc[raw.index[(raw["year"] == 2005)][8:10], "capital_stock"] = np.nan
        raw.loc[raw.index[first][10:12], "road"] = np.nan  # no earlier year: stays missing
    raw = raw.rename(columns=CHINESE_HEADERS)
    data = folder / "城市面板.csv"
    raw.to_csv(data, index=False)
    mapping = folder / "mapping.yml"
    mapping.write_text(
        "\n".join(f"{zh}: {en}" for en, zh in CHINESE_HEADERS.items()) + "\n", "utf-8"
    )
    return data, mapping


def test_a_readers_missing_cells_are_filled_or_leave_the_regressions_counted(tmp_path):
    data, mapping = _real_shaped_file(tmp_path)
    panel = ps.load_panel(str(data), str(mapping))
    assert "Beijing" in set(panel["city"]) and set(panel["region"]) == set(ps.REGIONS)
    m = ps.measure(panel, last_year=2010)
    assert len(m.filled) == 5 + 3 + 2 and m.dea_dropped == ()
    assert m.unfilled[["column"]].value_counts().to_dict() == {("road",): 2}
    losses = ps.sample_losses(ps.estimate(m, columns=BASELINE_ONLY)).iloc[0]
    assert losses["missing"] == 0  # a first-year cell goes with the lags anyway
    dropped = ps.measure(panel, last_year=2010, missing_cells="drop")
    assert len(dropped.filled) == 0 and len(dropped.dea_dropped) == 2
    losses = ps.sample_losses(ps.estimate(dropped, columns=BASELINE_ONLY)).iloc[0]
    # two cities leave the index (8 years each); gov and emp_finance gaps, plus the years
    # that need them as a lag (emp_finance enters SAGG, which is lagged twice)
    assert losses["unit_years"] == 261 * 8
    assert losses["missing"] > 0
    assert losses["lags"] + losses["missing"] + losses["singletons"] + losses["nobs"] == 261 * 8


@pytest.mark.book
@pytest.mark.slow
def test_a_readers_file_validates_and_runs_with_no_simulation_words(tmp_path, published):
    """`replicate validate` accepts the real-shaped file and `replicate run` completes on
    it: a results.csv, and a page with none of the simulated-only sentences."""
    from helpers import cli

    data, mapping = _real_shaped_file(tmp_path)
    quick = ["-f", str(QUICK)]
    assert cli.main(["validate", SLUG, str(data), "--mapping", str(mapping), *quick]) == 0
    out = tmp_path / "run"
    run = ["run", SLUG, "-p", f"data={data}", "-p", f"mapping={mapping}", *quick]
    assert cli.main([*run, "--out", str(out)]) == 0
    assert missing_keys(read_results(out / SLUG / "results.csv"), published).empty
    page = _reader_sees(out / f"{SLUG}.ipynb")
    assert "your file" in page
    for words in SIMULATION_WORDS:
        assert words not in page, words


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (["-p", "last_year=2017"], "parameter 'last_year'"),
        (["-f", str(QUICK), "-p", "lags=1,2,3,4,5,6"], "parameter 'lags'"),
        (["-f", str(QUICK), "-p", "missing_cells=drop"], "DEA"),
    ],
    ids=["years the file lacks", "lags longer than the years", "no city complete for DEA"],
)
def test_validate_and_run_reject_a_file_the_chapter_cannot_use_in_the_same_words(
    tmp_path, capsys, parameters, message
):
    from helpers import cli

    data, mapping = _real_shaped_file(tmp_path)
    if message == "DEA":  # every city misses its capital stock in 2006
        frame = pd.read_csv(data)
        frame.loc[frame["年份"] == 2006, "capital_stock"] = np.nan
        frame.to_csv(data, index=False)
    args = [str(data), "--mapping", str(mapping), *parameters]
    assert cli.main(["validate", SLUG, *args]) == 1
    validate_err = capsys.readouterr().err
    out = tmp_path / "run"
    run = ["run", SLUG, "-p", f"data={data}", "-p", f"mapping={mapping}", *parameters]
    assert cli.main([*run, "--out", str(out)]) == 1
    run_err = capsys.readouterr().err
    assert message in validate_err and validate_err == run_err
    assert not out.exists()
