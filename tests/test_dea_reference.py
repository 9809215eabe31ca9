"""helpers.dea against every case in data/reference_cases/dea (tolerances from its README).

Tolerances: DEAP printouts 5e-4; Stata gtfpch float32 5e-7; deaR/Tone values 1e-6 (values
printed with 6-7 decimals, so the half-unit rounding of the last digit is inside that);
hand-derived exact DEAPack cases 1e-9.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from helpers import dea
from helpers.dea.ebm import epsilon_and_weights
from helpers.paths import DATA_DIR

CASES = DATA_DIR / "reference_cases" / "dea"  # the repository's copy: runs on every clone

DEAP_TOL = 5e-4
STATA_TOL = 5e-7
DEAR_TOL = 1e-6
EXACT_TOL = 1e-9


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(CASES / name)


def _quiet(fn, *args, **kwargs):
    """Call ``fn`` ignoring the (expected, separately tested) infeasibility warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dea.DEAInfeasibleWarning)
        return fn(*args, **kwargs)


# --- DEAP 2.1 EG1: input-oriented CCR ------------------------------------------------------


def test_deap_eg1_ccr_input():
    X = np.array([[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]], dtype=float)
    y = np.array([1, 2, 3, 1, 2], dtype=float)
    te = dea.efficiency(X, y, model="radial", orientation="input")
    np.testing.assert_allclose(te, [0.5, 1.0, 0.833, 0.714, 1.0], atol=DEAP_TOL)
    np.testing.assert_allclose(te, [1 / 2, 1, 5 / 6, 5 / 7, 1], atol=EXACT_TOL)
    assert te.mean() == pytest.approx(0.810, abs=DEAP_TOL)


# --- DEAP 2.1 EG4: output-oriented Malmquist -------------------------------------------------


@pytest.fixture(scope="module")
def eg4():
    data = _read("deap21_eg4_malmquist_data.csv")
    return dea.malmquist(data, "x", "y", unit="firm", time="year"), _read(
        "deap21_eg4_malmquist_expected.csv"
    )


def test_deap_eg4_distances(eg4):
    result, expected = eg4
    exp = expected[expected.table == "distances"].astype({"year": int, "firm": int})
    merged = exp.merge(result, on=["year", "firm"], suffixes=("_exp", ""))
    assert len(merged) == 15
    pairs = {
        "crs_te_tminus1": "crs_te_prev_tech",
        "crs_te_t": "crs_te",
        "crs_te_tplus1": "crs_te_next_tech",
        "vrs_te_exp": "vrs_te",
    }
    for exp_col, col in pairs.items():
        defined = merged[exp_col].notna()
        np.testing.assert_allclose(
            merged.loc[defined, col], merged.loc[defined, exp_col], atol=DEAP_TOL
        )
        # DEAP prints no t-1 distance in year 1 and no t+1 distance in the last year
        assert merged.loc[~defined, col].isna().all()


def test_deap_eg4_malmquist_indices(eg4):
    result, expected = eg4
    exp = expected[(expected.table == "malmquist") & (expected.firm != "mean")]
    exp = exp.astype({"year": int, "firm": int})
    cols = ["effch", "techch", "pech", "sech", "tfpch"]
    merged = exp.merge(result, on=["year", "firm"], suffixes=("_exp", ""))
    assert len(merged) == 10
    for c in cols:
        np.testing.assert_allclose(merged[c], merged[f"{c}_exp"], atol=DEAP_TOL)
    # first year: no index
    assert result.loc[result.year == 1, cols].isna().all().all()
    # DEAP means are geometric means: per year, over all firm-years, and per firm
    for year in (2, 3):
        row = expected[(expected.table == "malmquist") & (expected.year == str(year))]
        row = row[row.firm == "mean"].iloc[0]
        means = np.exp(np.log(result.loc[result.year == year, cols]).mean())
        np.testing.assert_allclose(means, row[cols].astype(float), atol=DEAP_TOL)
    overall = expected[expected.table == "annual_means"].iloc[0][cols].astype(float)
    later = result[result.year > 1]
    np.testing.assert_allclose(np.exp(np.log(later[cols]).mean()), overall, atol=DEAP_TOL)
    firm_means = expected[expected.table == "firm_means_derived"].astype({"firm": int})
    geo = np.exp(np.log(later[cols]).groupby(later.firm).mean())
    np.testing.assert_allclose(geo.loc[firm_means.firm], firm_means[cols], atol=DEAP_TOL)


def test_cumulate_eg4_levels(eg4):
    result, _ = eg4
    levels = dea.cumulate(result, ["tfpch", "effch"], unit="firm", time="year")
    firm2 = levels[levels.firm == 2].sort_values("year")
    # hand computation from the printed indices: 1, 1.5, 1.5*1 ; 1, 1.125, 1.125*1
    np.testing.assert_allclose(firm2.tfpch, [1.0, 1.5, 1.5], atol=DEAP_TOL)
    np.testing.assert_allclose(firm2.effch, [1.0, 1.125, 1.125], atol=DEAP_TOL)
    assert result.loc[result.year == 1, "tfpch"].isna().all()  # input not modified


# --- Tone SBM family (deaR replications) ---------------------------------------------------


def test_tone2001_sbm():
    d = _read("tone2001_sbm.csv")
    X, Y = d[["Input1", "Input2"]], d[["Output1", "Output2"]]
    np.testing.assert_allclose(dea.efficiency(X, Y), d.sbm_crs_expected, atol=DEAR_TOL)
    np.testing.assert_allclose(dea.efficiency(X, Y, rts="vrs"), d.sbm_vrs_computed, atol=DEAR_TOL)
    ccr = dea.efficiency(X, Y, model="radial", orientation="input")
    np.testing.assert_allclose(ccr, d.ccr_input_expected, atol=DEAR_TOL)


def test_tone2003_undesirable_sbm():
    d = _read("tone2003_undesirable_sbm.csv")
    args = (d[["x"]], d[["yg"]], d[["yb"]])
    np.testing.assert_allclose(
        dea.efficiency(*args, rts="vrs"), d.sbm_undes_vrs_expected, atol=DEAR_TOL
    )
    np.testing.assert_allclose(
        dea.efficiency(*args, rts="crs"), d.sbm_undes_crs_computed, atol=DEAR_TOL
    )


SUPER_SBM_VARIANTS = [
    ("supersbm_io_crs_expected", {"orientation": "input"}),
    ("supersbm_no_crs", {}),
    ("supersbm_no_vrs", {"rts": "vrs"}),
    ("supersbm_io_vrs", {"orientation": "input", "rts": "vrs"}),
    ("supersbm_oo_crs", {"orientation": "output"}),
    ("supersbm_oo_vrs", {"orientation": "output", "rts": "vrs"}),
    ("ap_super_radial_io_crs", {"model": "radial", "orientation": "input"}),
]


@pytest.mark.parametrize(("column", "options"), SUPER_SBM_VARIANTS)
def test_tone2002_super_sbm(column, options):
    d = _read("tone2002_power_plants_supersbm.csv")
    X, Y = d[["X1", "X2", "X3", "X4"]], d[["Y1", "Y2"]]
    expected = d[column].to_numpy()
    infeasible = np.isnan(expected)
    if infeasible.any():
        with pytest.warns(dea.DEAInfeasibleWarning, match=f"{infeasible.sum()} of 6"):
            got = dea.efficiency(X, Y, super_efficiency=True, **options)
    else:
        got = dea.efficiency(X, Y, super_efficiency=True, **options)
    np.testing.assert_array_equal(np.isnan(got), infeasible)  # the infeasibility pattern
    np.testing.assert_allclose(got[~infeasible], expected[~infeasible], atol=DEAR_TOL)
    np.testing.assert_allclose(dea.efficiency(X, Y), d.sbm_no_crs, atol=DEAR_TOL)


# --- Tone & Tsutsui (2010) EBM -------------------------------------------------------------


def test_ebm_example1_reduces_to_ccr():
    X = np.array([[1, 1], [2, 3], [3, 2], [4, 3], [5, 6], [7, 6]], dtype=float)
    y = np.ones(6)
    params = dea.ebm_parameters(X, y[:, None])
    assert params.eps_x == pytest.approx(0.0, abs=EXACT_TOL)
    np.testing.assert_allclose(params.w_x, [0.5, 0.5], atol=EXACT_TOL)
    got = dea.efficiency(X, y, model="ebm", orientation="input")
    np.testing.assert_allclose(got, [1, 0.5, 0.5, 1 / 3, 0.2, 1 / 6], atol=EXACT_TOL)


def test_ebm_example2_tie_rule():
    X = np.array([[2, 6], [6, 3], [10, 3], [2, 10]], dtype=float)
    y = np.ones(4)
    params = dea.ebm_parameters(X, y[:, None])
    assert params.eps_x == pytest.approx(1.0, abs=EXACT_TOL)
    np.testing.assert_allclose(params.w_x, [0.5, 0.5], atol=EXACT_TOL)  # repeated eigenvalue
    got = dea.efficiency(X, y, model="ebm", orientation="input")
    np.testing.assert_allclose(got, [1, 1, 0.8, 0.8], atol=EXACT_TOL)


def test_ebm_hospital_calibration_and_scores():
    d = _read("tone_tsutsui_2010_ebm_hospital.csv")
    X, Y = d[["doctors", "nurses"]], d[["outpatients", "inpatients"]]
    # affinity from the printed Table 10 projections
    eps, w = epsilon_and_weights(d[["table10_proj_doctors", "table10_proj_nurses"]].to_numpy())
    assert eps == pytest.approx(0.529398023103, abs=EXACT_TOL)
    np.testing.assert_allclose(w, [0.5, 0.5], atol=EXACT_TOL)
    params = dea.EBMParameters(eps_x=eps, w_x=w, eps_y=0.0, w_y=np.array([0.5, 0.5]))
    got = dea.efficiency(X, Y, model="ebm", orientation="input", ebm_params=params)
    np.testing.assert_allclose(got, d.ebm_ic_score, atol=EXACT_TOL)
    # our own additive projection reproduces the README's recomputed epsilon
    own = dea.ebm_parameters(X.to_numpy(), Y.to_numpy())
    assert own.eps_x == pytest.approx(0.529420114320, abs=EXACT_TOL)


# --- Stata gtfpch / teddf: 30 Chinese provinces -------------------------------------------


@pytest.fixture(scope="module")
def china30():
    return _read("gtfpch_china30_2013_2015_data.csv")


def _period_label(frame: pd.DataFrame) -> pd.Series:
    return (frame.year - 1).astype(str) + "~" + frame.year.astype(str)


def test_gtfpch_gml_ddf(china30):
    got = _quiet(
        dea.gml,
        china30,
        ["K", "L"],
        "Y",
        "CO2",
        unit="Province",
        time="year",
        model="ddf",
        super_efficiency=False,
    )
    got["Pdwise"] = _period_label(got)
    merged = _read("gtfpch_gml_ddf_expected.csv").merge(got, on=["Province", "Pdwise"])
    assert len(merged) == 60
    np.testing.assert_allclose(merged.gml, merged.GML, atol=STATA_TOL)
    np.testing.assert_allclose(merged.ec, merged.EC, atol=STATA_TOL)
    np.testing.assert_allclose(merged.tc, merged.BPC, atol=STATA_TOL)


@pytest.mark.parametrize(
    ("column", "direction"), [("ddf_dir_negx_y_negb", "all"), ("ddf_dir_0_y_negb", None)]
)
def test_teddf_contemporaneous(china30, column, direction):
    expected = _read("gtfpch_teddf_contemporaneous_expected.csv")
    parts = []
    for _year, rows in china30.groupby("year"):
        score = dea.efficiency(
            rows[["K", "L"]], rows[["Y"]], rows[["CO2"]], model="ddf", direction=direction
        )
        parts.append(rows[["Province", "year"]].assign(score=score))
    merged = expected.merge(pd.concat(parts), on=["Province", "year"])
    assert len(merged) == 90
    np.testing.assert_allclose(merged.score, merged[column], atol=STATA_TOL)


def test_gtfpch_nddf_global_luenberger(china30):
    got = dea.luenberger(
        china30,
        ["K", "L"],
        "Y",
        "CO2",
        unit="Province",
        time="year",
        model="nddf",
        weights=[0, 0, 1, 1],
    )
    got["Pdwise"] = _period_label(got)
    merged = _read("gtfpch_nddf_global_luenberger_expected.csv").merge(
        got, on=["Province", "Pdwise"]
    )
    assert len(merged) == 60
    np.testing.assert_allclose(merged.luenberger, merged.L, atol=STATA_TOL)
    np.testing.assert_allclose(merged.ec, merged.EC, atol=STATA_TOL)
    np.testing.assert_allclose(merged.tc, merged.TC, atol=STATA_TOL)


# --- Other Malmquist cases (deaR replications) --------------------------------------------


def test_wang_lan_2011_input_malmquist():
    data = _read("wang_lan_2011_china31_2005_2009_data.csv")
    got = dea.malmquist(
        data, ["Capital", "Labor"], "GIOV", unit="DMUs", time="Period", orientation="input"
    )
    merged = _read("wang_lan_2011_malmquist_io_crs_expected.csv").merge(
        got, left_on=["DMU", "period"], right_on=["DMUs", "Period"]
    )
    assert len(merged) == 124
    np.testing.assert_allclose(merged.tfpch, merged.MI, atol=DEAR_TOL)
    np.testing.assert_allclose(merged.effch, merged.EC, atol=DEAR_TOL)
    np.testing.assert_allclose(merged.techch, merged.TC, atol=DEAR_TOL)


def test_grifell_lovell_1999_output_malmquist():
    data = _read("grifell_lovell_1999_data.csv")
    got = dea.malmquist(data, "X", "Y", unit="DMU", time="Year")
    merged = _read("grifell_lovell_1999_malmquist_oo_expected.csv").merge(
        got[got.Year == 2], on="DMU"
    )
    assert len(merged) == 8
    for ours, theirs in [
        ("tfpch", "MI"),
        ("effch", "EC_crs"),
        ("techch", "TC_crs"),
        ("pech", "PECH_vrs"),
        ("sech", "SECH"),
    ]:
        np.testing.assert_allclose(merged[ours], merged[theirs], atol=DEAR_TOL)


def test_hua_bian_2007_translated_bad_radial_output_vrs():
    d = _read("hua_bian_2007_undesirable_radial.csv")
    X = d[["D.Input1", "D.Input2"]]
    # Seiford-Zhu translation: the bad output enters as the good output 1500 - b
    Y = np.column_stack([d["D.Output1"], d["D.Output2"], 1500 - d["UD.Output1"]])
    got = dea.efficiency(X, Y, model="radial", orientation="output", rts="vrs")
    np.testing.assert_allclose(got, d.phi_M5, atol=DEAR_TOL)
    np.testing.assert_allclose(1 / got, d.deaR_eff, atol=DEAR_TOL)


# --- DEAPack exact cases (hand-derived closed forms) --------------------------------------


def _plant_panel(points) -> pd.DataFrame:
    rows = [{"unit": unit, "t": t, "x": x, "y": y, "b": b} for unit, t, (x, y, b) in points]
    return pd.DataFrame(rows)


def test_oh2010_gml_panel1_and_cfg_ml():
    panel = _plant_panel([("p", 0, (1, 1, 2)), ("p", 1, (1, 2, 1))])
    got = _quiet(
        dea.gml, panel, "x", "y", "b", unit="unit", time="t", model="ddf", super_efficiency=False
    ).iloc[1]
    assert got.score_global == pytest.approx(0.0, abs=EXACT_TOL)
    assert got.gml == pytest.approx(8 / 5, abs=EXACT_TOL)
    assert got.ec == pytest.approx(1.0, abs=EXACT_TOL)
    assert got.tc == pytest.approx(8 / 5, abs=EXACT_TOL)
    # Chung-Fare-Grosskopf ML on the same data is 2, not 8/5
    assert got.ml == pytest.approx(2.0, abs=EXACT_TOL)
    assert got.ml_ec == pytest.approx(1.0, abs=EXACT_TOL)
    assert got.ml_tc == pytest.approx(2.0, abs=EXACT_TOL)


def test_oh2010_gml_panel2_circularity():
    panel = _plant_panel([("p", 0, (1, 1, 4)), ("p", 1, (1, 2, 2)), ("p", 2, (1, 4, 1))])
    got = _quiet(
        dea.gml, panel, "x", "y", "b", unit="unit", time="t", model="ddf", super_efficiency=False
    )
    np.testing.assert_allclose(got.score_global, [15 / 17, 3 / 5, 0], atol=EXACT_TOL)
    np.testing.assert_allclose(got.gml[1:], [20 / 17, 8 / 5], atol=EXACT_TOL)
    assert got.gml[1] * got.gml[2] == pytest.approx(32 / 17, abs=EXACT_TOL)


def test_cfg1997_ml_panel2():
    panel = _plant_panel(
        [
            ("A", 0, (1, 1, 2)),
            ("F", 0, (1, 2, 1)),
            ("A", 1, (1, 1.5, 1.5)),
            ("F", 1, (1, 2, 1)),
        ]
    )
    got = _quiet(
        dea.gml, panel, "x", "y", "b", unit="unit", time="t", model="ddf", super_efficiency=False
    )
    a1 = got[(got.unit == "A") & (got.t == 1)].iloc[0]
    assert a1.ml == pytest.approx(6 / 5, abs=EXACT_TOL)
    assert a1.ml_ec == pytest.approx(6 / 5, abs=EXACT_TOL)
    assert a1.ml_tc == pytest.approx(1.0, abs=EXACT_TOL)


def test_fgnz1994_malmquist():
    data = pd.DataFrame(
        {
            "org": ["A", "B", "A", "B"],
            "period": [0, 0, 1, 1],
            "staff": [2, 1, 4, 2],
            "capital": [6, 3, 12, 6],
            "service": [2, 2, 9, 6],
            "quality": [2, 2, 9, 6],
        }
    )
    got = dea.malmquist(
        data, ["staff", "capital"], ["service", "quality"], unit="org", time="period"
    ).set_index(["org", "period"])
    # distances (D^0(z^0), D^0(z^1), D^1(z^0), D^1(z^1))
    for org, dist in {"A": (1 / 2, 9 / 8, 1 / 3, 3 / 4), "B": (1, 3 / 2, 2 / 3, 1)}.items():
        assert got.loc[(org, 0), "crs_te"] == pytest.approx(dist[0], abs=EXACT_TOL)
        assert got.loc[(org, 1), "crs_te_prev_tech"] == pytest.approx(dist[1], abs=EXACT_TOL)
        assert got.loc[(org, 0), "crs_te_next_tech"] == pytest.approx(dist[2], abs=EXACT_TOL)
        assert got.loc[(org, 1), "crs_te"] == pytest.approx(dist[3], abs=EXACT_TOL)
    np.testing.assert_allclose(got.loc[(["A", "B"], 1), "tfpch"], [9 / 4, 3 / 2], atol=EXACT_TOL)
    np.testing.assert_allclose(got.loc[(["A", "B"], 1), "effch"], [3 / 2, 1], atol=EXACT_TOL)
    np.testing.assert_allclose(got.loc[(["A", "B"], 1), "techch"], [3 / 2, 3 / 2], atol=EXACT_TOL)


def test_tone2002_super_sbm_vrs_exact():
    got = dea.efficiency([1.0, 2.0], [1.0, 3.0], rts="vrs", super_efficiency=True)
    np.testing.assert_allclose(got, [2.0, 3.0], atol=EXACT_TOL)
    X = np.array([[1, 4], [2, 2], [4, 1]], dtype=float)
    Y = np.array([[1, 3], [2, 2], [3, 1]], dtype=float)
    got = dea.efficiency(X, Y, rts="vrs", super_efficiency=True)
    np.testing.assert_allclose(got, [1.8, 1.25, 1.8], atol=EXACT_TOL)


def test_tone2001_sbm_vrs_exact():
    X = np.array([[2, 4], [4, 2], [4, 4]], dtype=float)
    Y = np.array([[1, 2], [2, 1], [1, 1]], dtype=float)
    np.testing.assert_allclose(dea.efficiency(X, Y, rts="vrs"), [1, 1, 0.5], atol=EXACT_TOL)
