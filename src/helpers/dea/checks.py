"""Side-by-side check of helpers.dea against the DEA reference cases (for the book chapter).

The reference folder (``../shared/reference-cases/dea``) holds published program output:
DEAP 2.1, deaR replications of Tone's tables, Tone & Tsutsui's EBM example and Stata
gtfpch.  :func:`reference_checks` recomputes one headline number set per case and reports
the largest absolute difference next to the tolerance of the printed source.  The full set
of variants is checked by ``tests/test_dea_reference.py``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.dea.ebm import EBMParameters, epsilon_and_weights
from helpers.dea.efficiency import DEAInfeasibleWarning, efficiency
from helpers.dea.gml import gml
from helpers.dea.malmquist import malmquist


def _max_diff(got, want) -> float:
    return float(np.nanmax(np.abs(np.asarray(got, float) - np.asarray(want, float))))


def _deap_eg4(cases: Path) -> float:
    data = pd.read_csv(cases / "deap21_eg4_malmquist_data.csv")
    exp = pd.read_csv(cases / "deap21_eg4_malmquist_expected.csv")
    exp = exp[(exp.table == "malmquist") & (exp.firm != "mean")].astype({"year": int, "firm": int})
    got = malmquist(data, "x", "y", unit="firm", time="year").merge(exp, on=["year", "firm"])
    return _max_diff(got.tfpch_x, got.tfpch_y)


def _tone2001(cases: Path) -> float:
    d = pd.read_csv(cases / "tone2001_sbm.csv")
    return _max_diff(
        efficiency(d[["Input1", "Input2"]], d[["Output1", "Output2"]]), d.sbm_crs_expected
    )


def _tone2003(cases: Path) -> float:
    d = pd.read_csv(cases / "tone2003_undesirable_sbm.csv")
    return _max_diff(
        efficiency(d[["x"]], d[["yg"]], d[["yb"]], rts="vrs"), d.sbm_undes_vrs_expected
    )


def _tone2002(cases: Path) -> float:
    d = pd.read_csv(cases / "tone2002_power_plants_supersbm.csv")
    got = efficiency(
        d[["X1", "X2", "X3", "X4"]], d[["Y1", "Y2"]], orientation="input", super_efficiency=True
    )
    return _max_diff(got, d.supersbm_io_crs_expected)


def _tone_tsutsui(cases: Path) -> float:
    d = pd.read_csv(cases / "tone_tsutsui_2010_ebm_hospital.csv")
    eps, w = epsilon_and_weights(d[["table10_proj_doctors", "table10_proj_nurses"]].to_numpy())
    params = EBMParameters(eps_x=eps, w_x=w, eps_y=0.0, w_y=np.array([0.5, 0.5]))
    got = efficiency(
        d[["doctors", "nurses"]],
        d[["outpatients", "inpatients"]],
        model="ebm",
        orientation="input",
        ebm_params=params,
    )
    return _max_diff(got, d.ebm_ic_score)


def _gtfpch(cases: Path) -> float:
    data = pd.read_csv(cases / "gtfpch_china30_2013_2015_data.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DEAInfeasibleWarning)  # mixed-period ML LPs only
        got = gml(
            data,
            ["K", "L"],
            "Y",
            "CO2",
            unit="Province",
            time="year",
            model="ddf",
            super_efficiency=False,
        )
    got["Pdwise"] = (got.year - 1).astype(str) + "~" + got.year.astype(str)
    stata = pd.read_csv(cases / "gtfpch_gml_ddf_expected.csv").merge(got, on=["Province", "Pdwise"])
    return _max_diff(stata.gml, stata.GML)


_CASES = [
    ("DEAP 2.1 EG4 Malmquist (tfpch)", _deap_eg4, 5e-4),
    ("Tone (2001) SBM", _tone2001, 1e-6),
    ("Tone (2003) SBM with undesirable outputs, VRS", _tone2003, 1e-6),
    ("Tone (2002) super-SBM, input-oriented CRS", _tone2002, 1e-6),
    ("Tone & Tsutsui (2010) EBM, 12 hospitals", _tone_tsutsui, 1e-6),
    ("Stata gtfpch GML-DDF, 30 provinces", _gtfpch, 5e-7),
]


def reference_checks(cases: Path) -> pd.DataFrame:
    """One row per reference case: case, max |difference|, tolerance, passed."""
    rows = [(name, fn(Path(cases)), tol) for name, fn, tol in _CASES]
    out = pd.DataFrame(rows, columns=["case", "max |difference|", "tolerance"])
    out["passed"] = out["max |difference|"] <= out["tolerance"]
    return out
