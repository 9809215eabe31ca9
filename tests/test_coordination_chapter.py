"""The coordination chapter (paper 001): its library part, and the notebook end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from chapter_support import assert_no_figure_drawn_twice, assert_pipeline_gives_the_chapters_bytes
from readers_file import write_readers_file

from helpers import cli
from helpers.errors import InputError
from helpers.papers import coordination as co
from helpers.papers import simulate
from helpers.paths import PARAMS_DIR
from helpers.results import missing_keys, read_results
from helpers.runner import NotebookFailed, run_notebook
from helpers.tables import sign_and_significance

SLUG = "coordination"
QUICK = PARAMS_DIR / "quick" / f"{SLUG}.yml"


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate(SLUG, 2025)


# --------------------------------------------------------------------------- library part
def test_measurement_follows_equations_3_and_5_computed_by_hand(panel):
    """Upgrading (eq. 5) = 1 x primary + 2 x secondary + 3 x tertiary shares, and the
    absolute gap (eq. 3) = |ln real per-capita GDP - ln of its yearly national mean|."""
    frame = co.measure(panel, first_year=2013, last_year=2022).frame
    raw = panel.set_index(["province", "year"]).loc[
        list(zip(frame["province"], frame["year"], strict=True))
    ]
    va = raw[["va_primary", "va_secondary", "va_tertiary"]].to_numpy(float)
    shares = va / va.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(frame["upgrading"], shares @ [1.0, 2.0, 3.0], rtol=1e-12)
    ln_mean = np.log(np.exp(frame["ln_real_pc"]).groupby(frame["year"]).transform("mean"))
    np.testing.assert_allclose(frame["gap"], np.abs(frame["ln_real_pc"] - ln_mean), atol=1e-12)
    assert frame["nqp"].between(0, 1).all()


def test_relative_gap_is_the_absolute_gap_over_half_the_log_sum(panel):
    absolute = co.measure(panel, first_year=2013, last_year=2022).frame
    relative = co.measure(panel, first_year=2013, last_year=2022, gap_measure="relative").frame
    ln_m = np.log(np.exp(absolute["ln_real_pc"]).groupby(absolute["year"]).transform("mean"))
    expected = absolute["gap"] / (0.5 * (absolute["ln_real_pc"] + ln_m))
    np.testing.assert_allclose(relative["gap"], expected, rtol=1e-12)


def test_every_published_cell_is_produced_with_the_papers_sample_sizes(panel, published):
    m = co.measure(panel, first_year=2013, last_year=2022)
    est = co.estimate(m)
    cells = co.result_cells(est, published)
    assert missing_keys(cells, published).empty
    n = cells[cells["row"] == "Observations"].set_index(["table", "column"])["value"]
    # the design: 30 x 10, 25 x 10 without five provinces, 30 x 9 with a lag, 11/8/11 x 10
    assert n[("Table 3", "(2)")] == 300 and n[("Table 4", "(1)")] == 250
    assert n[("Table 4", "(2)")] == 270
    assert [n[("Table 6", c)] for c in ("(1)", "(2)", "(3)")] == [110, 80, 110]


def test_a_region_missing_from_the_data_gives_explained_empty_cells(panel, published):
    m = co.measure(panel[panel["region"] != "Central"], first_year=2013, last_year=2022)
    est = co.estimate(m)
    assert ("Table 6", "(2)") in est.failures
    cells = co.result_cells(est, published)
    assert missing_keys(cells, published).empty
    central = cells[(cells["table"] == "Table 6") & (cells["column"] == "(2)")]
    assert central["value"].isna().all() and central["note"].str.contains("not estimable").all()


def test_bad_choices_name_the_parameter(panel):
    with pytest.raises(InputError, match="gap_measure"):
        co.measure(panel, first_year=2013, last_year=2022, gap_measure="log")
    m = co.measure(panel, first_year=2013, last_year=2022)
    with pytest.raises(InputError, match="se_type"):
        co.estimate(m, se_type="hc3")
    with pytest.raises(InputError, match="excluded_provinces"):
        co.estimate(m, excluded=["Atlantis"])


def test_star_conventions_reproduce_the_audit_of_table_6(published):
    """TABLES.md: east NQP -0.2793 (0.107) has normal p = 0.0090 and t(10) p = 0.026."""
    conv = co.star_conventions(published, "Table 6", {"(1)": 11, "(2)": 8, "(3)": 11})
    east = conv.set_index(["column", "row"]).loc[("(1)", co.NQP_ROW)]
    assert east["p normal"] == pytest.approx(0.0090, abs=5e-5)
    assert east["p t(G-1)"] == pytest.approx(0.026, abs=5e-4)
    assert (east["stars normal"], east["stars t(G-1)"], east["printed"]) == (3, 2, 2)


def _with_holes(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel with the missing data a reader's file may have: an interior indicator cell
    (interpolated), the last year's GDP index of one province (the chain breaks), the first
    year's value of an indicator of another (the index cannot be built), a control of a third
    and a whole province-year absent inside a fourth province's span."""
    holes = panel.copy()
    at = holes.set_index(["province", "year"]).index
    holes.loc[at == ("Hebei", 2016), "schooling_years"] = np.nan
    holes.loc[at == ("Shanxi", 2022), "gdp_index"] = np.nan
    holes.loc[at == ("Jilin", 2013), "schooling_years"] = np.nan
    holes.loc[at == ("Anhui", 2022), "gov"] = np.nan
    return holes[at != ("Hunan", 2017)].reset_index(drop=True)


def test_missing_cells_are_interpolated_inside_a_span_and_dropped_outside_it(panel):
    m = co.measure(_with_holes(panel), first_year=2013, last_year=2022)
    assert len(m.frame) == 299 and m.absent.values.tolist() == [["Hunan", 2017]]
    filled = m.filled.set_index(["province", "year", "column"]).index
    assert ("Hebei", 2016, "schooling_years") in filled
    assert not m.filled["province"].eq("Hunan").any()  # an absent year is not a filled cell
    lost = m.lost.set_index(["province", "year", "variable"])["reason"]
    assert lost[("Shanxi", 2022, "gap")].startswith("GDP index missing")
    assert lost[("Jilin", 2013, "nqp")] == "indicator missing: schooling_years"
    assert lost[("Anhui", 2022, "gov")] == "control missing"
    assert len(lost) == 3
    frame = m.frame.set_index(["province", "year"])
    assert np.isnan(frame.loc[("Shanxi", 2022), "gap"]) and np.isfinite(
        frame.loc[("Shanxi", 2021), "gap"]
    )


def test_sample_accounting_sums_to_the_data_and_to_each_fits_observations(panel):
    m = co.measure(_with_holes(panel), first_year=2013, last_year=2022)
    est = co.estimate(m)
    acc = co.sample_accounting(est).set_index(["table", "column"])
    steps = acc.columns.drop(["estimates", "unit-years"])
    assert (acc[steps].sum(axis=1) == acc["unit-years"]).all()
    assert (acc["unit-years"] == 299).all()
    for key, fit in est.fits.items():
        assert acc.loc[key, "used"] == fit.nobs
    base = acc.loc[("Table 3", "(2)")]
    assert (base["outcome missing"], base["NQP index missing"], base["a control missing"]) == (
        1,
        1,
        1,
    )
    assert base["used"] == 296
    assert acc.loc[("Table 3", "(1)"), "used"] == 297  # no controls: Anhui 2022 stays
    # the lag is missing after the absent year and in each province's first year
    assert acc.loc[("Table 4", "(2)"), "no previous year (lag)"] >= 31


def test_new_choices_are_checked_and_change_the_gap(panel):
    with pytest.raises(InputError, match="gap_reference"):
        co.measure(panel, first_year=2013, last_year=2022, gap_reference="median")
    with pytest.raises(InputError, match="entropy_shift"):
        co.measure(panel, first_year=2013, last_year=2022, entropy_shift=0.0)
    logs = co.measure(panel, first_year=2013, last_year=2022, gap_reference="mean_of_logs").frame
    ln_ref = logs["ln_real_pc"].groupby(logs["year"]).transform("mean")
    np.testing.assert_allclose(logs["gap"], np.abs(logs["ln_real_pc"] - ln_ref), atol=1e-12)
    default = co.measure(panel, first_year=2013, last_year=2022).frame
    assert not np.allclose(default["gap"], logs["gap"])


def test_region_differences_and_printed_star_fit(panel, published):
    m = co.measure(panel, first_year=2013, last_year=2022)
    diff = co.region_differences(m.frame, se_type="robust").set_index("test")
    east = co.two_way_fe(m.frame[m.frame["region"] == "East"], se_type="robust").params["nqp"]
    west = co.two_way_fe(m.frame[m.frame["region"] == "West"], se_type="robust").params["nqp"]
    assert diff.loc["East = West", "difference"] == pytest.approx(east - west, abs=1e-10)
    assert diff["p"].between(0, 1).all()
    fit = co.printed_star_fit(published).set_index(["table", "column", "row"])
    east_row = fit.loc[("Table 6", "(1)", co.NQP_ROW)]
    assert not east_row["fits normal"] and east_row["fits t(G-1)"]
    assert fit["fits t(G-1)"].sum() > fit["fits normal"].sum()


# --------------------------------------------------------------------------- the notebook
@pytest.mark.book
@pytest.mark.slow
def test_chapter_runs_on_a_readers_file_and_covers_every_published_cell(tmp_path, published):
    data, mapping, raw = write_readers_file(SLUG, tmp_path, last_year=2017, drop=("region",))
    run_notebook(
        SLUG,
        tmp_path / "out",
        parameter_files=[QUICK],
        overrides={"data": str(data), "mapping": str(mapping)},
    )
    results = read_results(tmp_path / "out" / SLUG / "results.csv")
    assert missing_keys(results, published).empty
    assert set(results["paper"]) == {co.PAPER}
    n = results[(results["row"] == "Observations") & (results["table"] == "Table 3")]
    assert n["value"].tolist() == [len(raw), len(raw)]  # the reader's file, not the default


@pytest.fixture(scope="module")
def default_results(tmp_path_factory) -> pd.DataFrame:
    """results.csv of one run of the chapter with its default parameters (seed 2025)."""
    out = tmp_path_factory.mktemp("default")
    run_notebook(SLUG, out, parameter_files=[])
    return read_results(out / SLUG / "results.csv")


@pytest.mark.book
@pytest.mark.slow
def test_default_run_recovers_the_planted_baseline(default_results, published):
    """Issue 8: on the default simulated data the baseline lies within two published SEs."""
    results = default_results
    assert missing_keys(results, published).empty
    key = (results["table"] == "Table 3") & (results["column"] == "(2)")
    key &= results["row"] == co.NQP_ROW
    replicated = results[key & (results["stat"] == "coef")]["value"].item()
    pub = published[(published["table"] == "Table 3") & (published["column"] == "(2)")]
    pub = pub[pub["row"] == co.NQP_ROW].set_index("stat")["number"]
    assert abs(replicated - pub["coef"]) <= 2 * pub["se"]


@pytest.mark.book
@pytest.mark.slow
def test_default_run_matches_sign_and_significance_of_80_percent_of_columns(
    default_results, published
):
    """Issue 8: the sign and significance class at 10% of the NQP coefficient match the
    published ones in at least 80% of the regression columns, computed from the chapter's
    results as the chapter's scorecard computes them."""
    score = sign_and_significance(published, default_results, co.PAPER, [co.NQP_ROW])
    assert len(score) == len(co.COLUMNS)
    assert score["both"].mean() >= 0.8


@pytest.mark.book
def test_a_bad_parameter_fails_naming_it_and_the_allowed_values(tmp_path):
    with pytest.raises(NotebookFailed, match=r"se_type.*'robust', 'cluster'"):
        run_notebook(SLUG, tmp_path, parameter_files=[], overrides={"se_type": "hc9"})


def _glued(notebook: Path) -> dict[str, str]:
    """The text values an executed notebook glued (myst_nb records), by name."""
    values = {}
    for cell in json.loads(notebook.read_text("utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if record and text is not None:
                values[record["name"]] = "".join(text).strip("'\"")
    return values


def _prose(notebook: Path) -> str:
    """What a reader reads on an executed page: its markdown cells and the text it glued."""
    cells = json.loads(notebook.read_text("utf-8"))["cells"]
    words = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    for cell in cells:
        for output in cell.get("outputs", []):
            for kind, text in output.get("data", {}).items():
                if kind.endswith(("text/plain", "text/markdown", "text/html")):
                    words.append("".join(text))
    return "\n".join(words)


@pytest.mark.book
@pytest.mark.slow
@pytest.mark.parametrize("overrides", [{"effect_scale": 0.0}, {"seed": 11}])
def test_glued_verdicts_agree_with_their_glued_numbers(tmp_path, overrides):
    """Issue 19: with the effect switched off and with another seed the chapter runs to the
    end, and each verdict word beside a number is the one the number implies. The paper's
    pipeline on the same panel and parameters gives the chapter's results, byte for byte."""
    record = run_notebook(SLUG, tmp_path, parameter_files=[QUICK], overrides=overrides)
    assert_pipeline_gives_the_chapters_bytes(SLUG, record, tmp_path)
    assert_no_figure_drawn_twice(tmp_path / f"{SLUG}.ipynb")
    g = _glued(tmp_path / f"{SLUG}.ipynb")
    band = float(g["band"])
    assert g["baseline_verdict"] == (
        "within" if float(g["baseline_distance"]) <= band else "outside"
    )
    share = float(g["score_share"].rstrip("%")) / 100
    mark = float(g["agreement_mark"].rstrip("%")) / 100
    assert g["score_verdict"] == ("meets" if share >= mark else "falls short of")
    p_up = float(g["rep_upgrading_p"])
    assert g["rep_upgrading_significance"].startswith("not" if p_up >= 0.10 else "significant")
    assert g["equal_verdict"] == ("rejects" if float(g["equal_p"]) < 0.10 else "does not reject")
    assert g["kp_verdict"] == ("above" if float(g["kp_f"]) > float(g["stock_yogo"]) else "below")
    for name in ("nqp", "gap"):  # the direction of the two numbers as printed
        first, last = float(g[f"{name}_first"]), float(g[f"{name}_last"])
        moved = "rises" if last > first else "falls" if last < first else "barely moves"
        assert g[f"{name}_direction"] == moved
    shift = float(g["endo_shift_ses"])
    assert g["endo_bias_reading"].startswith("more than" if shift > 1 else "not more than")
    n_fit_t, n_fit_normal = int(g["fit_t"]), int(g["fit_normal"])
    assert g["star_fit_reading"].startswith("the printed stars fit clustering") == (
        n_fit_t > n_fit_normal
    )


def _chinese_readers_file(folder: Path) -> tuple[Path, Path, pd.DataFrame]:
    """A reader's file as a Chinese analyst would save it: Chinese headers (mapped back by a
    mapping file), Chinese province names, no region column, seed 7 up to 2017, and missing
    cells the contract allows (inside and at the edge of a province's span)."""
    from helpers.contract import load_contract

    raw = _with_holes(simulate(SLUG, 7))
    raw = raw[raw["year"] <= 2017].drop(columns=["region"])
    at = raw.set_index(["province", "year"]).index
    raw.loc[at == ("Shanxi", 2017), "gdp_index"] = np.nan
    raw.loc[at == ("Anhui", 2017), "gov"] = np.nan
    names = pd.read_csv(Path(co.__file__).parents[4] / "data" / "reference" / "provinces.csv")
    raw["province"] = raw["province"].map(
        dict(zip(names["name_en"], names["name_zh"], strict=True))
    )
    labels = {v.name: v.label_zh for v in load_contract(SLUG).variables if v.label_zh}
    headers = {c: labels.get(c, c) for c in raw.columns}
    data = folder / "我的面板.csv"
    raw.rename(columns=headers).to_csv(data, index=False)
    mapping = folder / "mapping.yml"
    mapping.write_text(
        "\n".join(f"{zh}: {en}" for en, zh in headers.items() if zh != en) + "\n", "utf-8"
    )
    return data, mapping, raw


@pytest.mark.book
@pytest.mark.slow
def test_a_chinese_readers_file_runs_through_validate_and_run(tmp_path, capsys):
    """Issue 20: Chinese headers and province names and missing cells: validate accepts the
    file, run produces results.csv, and the page says nothing about simulated data."""
    data, mapping, raw = _chinese_readers_file(tmp_path)
    assert cli.main(["validate", SLUG, str(data), "--mapping", str(mapping)]) == 0, (
        capsys.readouterr()
    )
    out = tmp_path / "out"
    code = cli.main(
        [
            "run",
            SLUG,
            "-p",
            f"data={data}",
            "-p",
            f"mapping={mapping}",
            "-p",
            "last_year=2017",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    results = read_results(out / SLUG / "results.csv")
    n = results[(results["row"] == "Observations") & (results["table"] == "Table 3")]
    assert n["value"].tolist() == [len(raw) - 2, len(raw) - 3]  # the cells lost, counted
    page = _prose(out / f"{SLUG}.ipynb")
    for words in ("generating process plants", "planted", "SIMULATED", "Solution 4 on simulated"):
        assert words not in page
    assert "This page ran on **your data**" in page


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        (lambda raw: raw[raw["year"] >= 2015], "first_year"),
        (lambda raw: raw[raw["province"] != "Beijing"], "excluded_provinces"),
    ],
)
def test_files_the_chapter_rejects_are_rejected_by_validate_and_run_alike(
    tmp_path, capsys, change, parameter
):
    """Files that meet the contract but not the chapter's preparation (no base year; a
    default exclusion the file lacks): validate and run both exit 1 with the same words."""
    bad = tmp_path / "bad.csv"
    change(simulate(SLUG, 7)).to_csv(bad, index=False)
    assert cli.main(["validate", SLUG, str(bad)]) == 1
    validate_err = capsys.readouterr().err
    out = tmp_path / "run"
    assert cli.main(["run", SLUG, "-p", f"data={bad}", "--out", str(out)]) == 1
    run_err = capsys.readouterr().err
    assert f"parameter '{parameter}'" in validate_err and validate_err == run_err
