"""Issue 20's malformed inputs to the general library, one row each: what main did before,
and what happens now (a named InputError, or a correct result).

``CASES`` is the table: ``(id, before, call, expect)``.  ``call(tmp_path)`` runs the case;
``expect`` is a regular expression the InputError must match, or a function that checks the
result.  Reader's-file cases also check that the file is byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import dea
from helpers.did import (
    check_draws,
    event_study,
    placebo_permutation,
    placebo_pseudo_treated,
    twfe_did,
)
from helpers.errors import InputError
from helpers.fixed_effects import fe_ols
from helpers.indices import entropy_index, pca_index
from helpers.io import load, validate_file
from helpers.iv import endogeneity_tests, fe_iv
from helpers.psm import psmatch

RNG = np.random.default_rng(20)


def panel(n_units: int = 10, n_years: int = 4, seed: int = 0) -> pd.DataFrame:
    """A small balanced panel: id, t, x, z (instrument), w (control), y, d (DID 0/1)."""
    rng = np.random.default_rng(seed)
    n = n_units * n_years
    frame = pd.DataFrame({"id": np.repeat(np.arange(n_units), n_years)})
    frame["t"] = np.tile(np.arange(2010, 2010 + n_years), n_units)
    frame["x"] = rng.normal(size=n)
    frame["z"] = frame["x"] + rng.normal(size=n)
    frame["w"] = rng.normal(size=n)
    frame["y"] = frame["x"] + rng.normal(size=n)
    frame["d"] = ((frame["id"] < n_units // 2) & (frame["t"] >= 2012)).astype(float)
    return frame


def dea_panel() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    out = pd.DataFrame({"u": np.repeat(list("abcde"), 3), "t": np.tile([2000, 2001, 2002], 5)})
    out["x"] = rng.uniform(1, 2, len(out))
    out["y"] = rng.uniform(1, 2, len(out))
    out["b"] = rng.uniform(1, 2, len(out))
    return out


def dea_xy(n: int = 8) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(5)
    return (
        pd.DataFrame({"x1": rng.uniform(1, 2, n), "x2": rng.uniform(1, 2, n)}),
        pd.DataFrame({"y": rng.uniform(1, 2, n)}),
    )


def with_cell(frame: pd.DataFrame, row: int, column: str, value: object) -> pd.DataFrame:
    out = frame.copy()
    out[column] = out[column].astype(object) if isinstance(value, str) else out[column]
    out.loc[row, column] = value
    return out


# ------------------------------------------------------------------ reader's-file cases


def reader_panel() -> pd.DataFrame:
    from test_io import valid_frame

    return valid_frame("gtfp")


def reader_case(frame_fn: Callable[[], pd.DataFrame], **write) -> Callable[[Path], object]:
    """Write the frame as CSV, validate it, and check the file is byte-identical after."""

    def run(tmp: Path) -> object:
        path = tmp / "reader.csv"
        frame_fn().to_csv(path, index=False, **write)
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            problems = validate_file("gtfp", path)
            if problems:
                raise InputError("; ".join(str(p) for p in problems))
            return load("gtfp", path)
        finally:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == before

    return run


def two_labour_columns() -> pd.DataFrame:
    frame = reader_panel()
    frame.insert(2, "labour_", 1.0)
    return frame.rename(columns={"labour_": "labour"})


def sheets_case(tmp: Path) -> object:
    path = tmp / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"notes": ["x"]}).to_excel(writer, sheet_name="notes", index=False)
        reader_panel().to_excel(writer, sheet_name="panel", index=False)
    problems = validate_file("gtfp", path)
    raise InputError("; ".join(str(p) for p in problems))


def chinese_names() -> pd.DataFrame:
    frame = reader_panel()
    frame["province"] = frame["province"].map(
        {"Beijing": "北京市", "Hebei": 130000, "Shanxi": "山西"}
    )
    frame["region"] = "东部地区"
    return frame


def empty_required() -> pd.DataFrame:
    return reader_panel().assign(cod=np.nan)


def same_as(reference: Callable[[], object]) -> Callable[[object], None]:
    def check(result: object) -> None:
        pd.testing.assert_frame_equal(result, reference(), check_dtype=False)

    return check


def malmquist_clean() -> pd.DataFrame:
    return dea.malmquist(dea_panel(), "x", "y", unit="u", time="t")


def malmquist_with(times: list[object]) -> Callable[[Path], object]:
    def run(_tmp: Path) -> object:
        frame = dea_panel().astype({"t": object})
        frame["t"] = times
        out = dea.malmquist(frame, "x", "y", unit="u", time="t")
        return out.assign(t=pd.to_numeric(out["t"].astype(str).str.strip()))

    return run


def loaded_keys(result: pd.DataFrame) -> None:
    assert result["province"].tolist() == ["Beijing"] * 3 + ["Hebei"] * 3 + ["Shanxi"] * 3
    assert (result["region"] == "East").all()


def fast(limit: float) -> Callable[[Callable[[Path], object]], Callable[[Path], object]]:
    """The call must fail within ``limit`` seconds (a bound checked before any work)."""

    def wrap(call: Callable[[Path], object]) -> Callable[[Path], object]:
        def run(tmp: Path) -> object:
            start = time.perf_counter()
            try:
                return call(tmp)
            finally:
                assert time.perf_counter() - start < limit

        return run

    return wrap


P = panel()
SINGLETONS = pd.DataFrame({"id": np.arange(10), "x": RNG.normal(size=10), "y": RNG.normal(size=10)})
SEPARATED = pd.DataFrame({"d": [0] * 10 + [1] * 10, "c": range(20), "y": RNG.normal(size=20)})
X8, Y8 = dea_xy()

CASES: list[tuple[str, str, Callable[[Path], object], object]] = [
    # --- fe_ols ---------------------------------------------------------------------------
    (
        "fe_ols all singleton groups",
        "ValueError: zero-size array to reduction operation maximum",
        lambda _: fe_ols(SINGLETONS, "y", ["x"], ["id"]),
        r"column 'id': all 10 observations are alone in their fixed-effect group",
    ),
    (
        "fe_ols one cluster",
        "ZeroDivisionError: float division by zero",
        lambda _: fe_ols(P.assign(c=1), "y", ["x"], ["id"], vcov="cluster", cluster="c"),
        r"column 'c': clustered standard errors need at least two clusters; .* has 1",
    ),
    (
        "fe_ols constant outcome",
        "ZeroDivisionError: float division by zero",
        lambda _: fe_ols(P.assign(y=1.0), "y", ["x"], ["id"]),
        r"column 'y': the outcome is constant in the estimation sample",
    ),
    (
        "fe_ols outcome absorbed by the fixed effects",
        "ZeroDivisionError: float division by zero",
        lambda _: fe_ols(P.assign(y=P["id"] * 2.0), "y", ["x"], ["id"]),
        r"column 'y': the outcome does not vary within the absorbed effects \(id\)",
    ),
    (
        "fe_ols 1e300 cell",
        "coefficients of 1e299 with overflow warnings",
        lambda _: fe_ols(with_cell(P, 3, "y", 1e300), "y", ["x"], ["id"]),
        r"column 'y': values must lie within \+/-1e\+15 .*\(rows: 3\)",
    ),
    # --- fe_iv ----------------------------------------------------------------------------
    (
        "fe_iv constant instrument",
        "ValueError (linearmodels): instruments do not have full column rank",
        lambda _: fe_iv(P.assign(z=1.0), "y", ["x"], ["z"], fe=["id"]),
        r"column 'z': the excluded instrument is constant",
    ),
    (
        "fe_iv instrument absorbed by the fixed effects",
        "ValueError (linearmodels): instruments do not have full column rank",
        lambda _: fe_iv(P.assign(z=P["id"] * 1.0), "y", ["x"], ["z"], fe=["id"]),
        r"column 'z': the excluded instrument does not vary within the absorbed effects",
    ),
    (
        "fe_iv collinear instruments",
        "ValueError (linearmodels): instruments do not have full column rank",
        lambda _: fe_iv(P.assign(z2=2 * P["z"]), "y", ["x"], ["z", "z2"], fe=["id"]),
        r"column 'z2': .* collinear: 'z2' is a linear combination of z after absorbing id",
    ),
    (
        "fe_iv instrument collinear with an exogenous regressor",
        "ValueError (linearmodels): instruments do not have full column rank",
        lambda _: fe_iv(P.assign(w=3 * P["z"]), "y", ["x"], ["z"], ["w"], ["id"]),
        r"collinear: 'z' is a linear combination of w",
    ),
    (
        "fe_iv near-zero instrument (z x 1e-15)",
        "ValueError (linearmodels): instruments do not have full column rank",
        lambda _: fe_iv(P.assign(z=P["z"] * 1e-15), "y", ["x"], ["z"], ["w"], ["id"]),
        r"column 'z': the excluded instrument varies 1\.\de-1\d times as much as the largest",
    ),
    (
        "fe_iv near-constant instrument (1 + z x 1e-12)",
        "ValueError (linearmodels) or a result that drifts, with invalid-sqrt warnings",
        lambda _: fe_iv(P.assign(z=1 + P["z"] * 1e-12), "y", ["x"], ["z"]),
        r"column 'z': the excluded instrument is constant up to rounding",
    ),
    (
        "fe_iv one cluster",
        "ValueError (linearmodels): clustered covariance requires at least two clusters",
        lambda _: fe_iv(P.assign(c=1), "y", ["x"], ["z"], fe=["id"], vcov="cluster", cluster="c"),
        r"column 'c': clustered standard errors need at least two clusters",
    ),
    (
        "fe_iv constant outcome",
        "ZeroDivisionError in the R-squared",
        lambda _: fe_iv(P.assign(y=2.0), "y", ["x"], ["z"], fe=["id"]),
        r"column 'y': the outcome is constant",
    ),
    (
        "endogeneity_tests constant instrument",
        "ValueError (linearmodels): instruments do not have full column rank",
        lambda _: endogeneity_tests(P.assign(z=1.0), "y", ["x"], ["z"], fe=["id"]),
        r"column 'z': the excluded instrument is constant",
    ),
    # --- did ------------------------------------------------------------------------------
    (
        "twfe_did continuous treatment",
        "a coefficient, silently (the DID indicator must be 0/1)",
        lambda _: twfe_did(P, "y", "x", "id", "t"),
        r"column 'x': the DID treatment must be a 0/1 indicator .* \(rows: 0-2010",
    ),
    (
        "twfe_did duplicate unit-years",
        "a coefficient, silently, with the duplicated rows counted twice",
        lambda _: twfe_did(pd.concat([P, P.iloc[[0, 5]]]), "y", "d", "id", "t"),
        r"column 'id, t': each unit-time must appear once; .*\(rows: 0-2010, 1-2011\)",
    ),
    (
        "event_study duplicate unit-years",
        "coefficients, silently",
        lambda _: event_study(
            pd.concat([P, P.iloc[[0]]]).assign(a=lambda f: np.where(f.id < 5, 2012.0, np.nan)),
            "y",
            "id",
            "t",
            "a",
        ),
        r"each unit-time must appear once; .*\(rows: 0-2010\)",
    ),
    (
        "placebo_permutation draws=10**9",
        "MemoryError after 53 s",
        fast(1.0)(lambda _: placebo_permutation(P, "y", "d", fe=["id", "t"], draws=10**9)),
        r"parameter 'draws': must lie between 1 and 100,000, got 1,000,000,000",
    ),
    (
        "placebo_permutation draws=2.5",
        "TypeError from numpy",
        lambda _: placebo_permutation(P, "y", "d", fe=["id"], draws=2.5),
        r"parameter 'draws': must be a whole number of draws",
    ),
    (
        "placebo_permutation seed=-1",
        "ValueError from numpy: expected non-negative integer",
        lambda _: placebo_permutation(P, "y", "d", fe=["id"], draws=5, seed=-1),
        r"parameter 'seed': must be a non-negative whole number",
    ),
    (
        "placebo_pseudo_treated draws=10**9",
        "MemoryError",
        fast(1.0)(lambda _: placebo_pseudo_treated(P, "y", "id", "t", 3, 2012, draws=10**9)),
        r"parameter 'draws': must lie between 1 and 100,000",
    ),
    # --- psm ------------------------------------------------------------------------------
    (
        "psmatch under perfect separation",
        "an ATT from one control, with only statsmodels warnings",
        lambda _: psmatch(SEPARATED, "d", ["c"], "y"),
        r"column 'c': the probit for the propensity score has no maximum: .* \(separation\)",
    ),
    (
        "psmatch with a given score that does not overlap",
        "an ATT from the one control at the edge, silently",
        lambda _: psmatch(SEPARATED.assign(p=SEPARATED["c"] / 20), "d", [], "y", pscore="p"),
        r"column 'p': the propensity scores of treated and control units do not overlap",
    ),
    (
        "psmatch kernel bandwidth=nan",
        "InputError 'no treated observation could be matched', blaming the data",
        lambda _: psmatch(
            SEPARATED.assign(c=RNG.normal(size=20)),
            "d",
            ["c"],
            "y",
            method="kernel",
            bandwidth=np.nan,
        ),
        r"column 'bandwidth': must be a positive finite number, got nan",
    ),
    (
        "check_draws on a chapter's placebo_draws=10**9",
        "(no such check: MemoryError after 53 s)",
        lambda _: check_draws(10**9, 0, parameter="placebo_draws"),
        r"parameter 'placebo_draws': must lie between 1 and 100,000",
    ),
    # --- DEA ------------------------------------------------------------------------------
    (
        "dea.efficiency one 1e300 cell",
        "7 of 8 NaN, warning blames oriented VRS super-efficiency",
        lambda _: dea.efficiency(with_cell(X8, 0, "x1", 1e300), Y8),
        r"column 'X:x1': DEA data may span at most a factor of 1e\+06 .*\(rows: \d, 0\)",
    ),
    (
        "dea.efficiency zero rows",
        "returns [] with numpy warnings",
        lambda _: dea.efficiency(X8.iloc[:0], Y8.iloc[:0]),
        r"column 'X': has no rows; DEA needs at least one unit",
    ),
    (
        "super-SBM with one DMU (with a bad output)",
        "returns 2.0",
        lambda _: dea.efficiency(X8.iloc[:1], Y8.iloc[:1], Y8.iloc[:1], super_efficiency=True),
        r"parameter 'super_efficiency': super-efficiency needs at least two units",
    ),
    (
        "super-DDF with one DMU",
        "returns -1.0",
        lambda _: dea.efficiency(X8.iloc[:1], Y8.iloc[:1], model="ddf", super_efficiency=True),
        r"parameter 'super_efficiency': super-efficiency needs at least two units",
    ),
    (
        "dea.malmquist year '2001 ' (string with a space)",
        "an extra period, silently (wrong indices for every unit)",
        malmquist_with(["2000", "2001 ", "2002"] * 5),
        same_as(malmquist_clean),
    ),
    (
        "dea.malmquist years mixing 2001 and '2001'",
        "TypeError from sorting str and int",
        malmquist_with([2000, "2001", 2002] * 5),
        same_as(malmquist_clean),
    ),
    (
        "dea.malmquist one 1e300 cell",
        "every index NaN with a warning",
        lambda _: dea.malmquist(
            with_cell(dea_panel(), 1, "x", 1e300), "x", "y", unit="u", time="t"
        ),
        r"column 'inputs:x': DEA data may span at most .*\(rows: .*, a-2001\)",
    ),
    (
        "dea.gml one 1e300 cell",
        "ValueError: zero-size array to reduction operation maximum (EBM calibration)",
        lambda _: dea.gml(with_cell(dea_panel(), 1, "x", 1e300), "x", "y", "b", unit="u", time="t"),
        r"column 'inputs:x': DEA data may span at most",
    ),
    # --- indices --------------------------------------------------------------------------
    (
        "entropy_index one 1e300 cell",
        "a score, silently dominated by the one cell",
        lambda _: entropy_index(with_cell(dea_panel(), 1, "x", 1e300), ["x", "y"]),
        r"column 'x': values must lie within \+/-1e\+15",
    ),
    (
        "pca_index one 1e300 cell",
        "a score with overflow warnings and NaN diagnostics",
        lambda _: pca_index(with_cell(dea_panel(), 1, "x", 1e300), ["x", "y", "b"]),
        r"column 'x': values must lie within \+/-1e\+15",
    ),
    # --- the reader's file (replicate validate / load) -----------------------------------
    (
        "validate: 'inf' in a cell",
        "valid; the chapter later calls it missing or names X[0]",
        reader_case(lambda: with_cell(reader_panel(), 1, "cod", "inf")),
        r"column 'cod': values must be finite numbers; found 'inf' \(rows: Beijing-2011\)",
    ),
    (
        "validate: '-inf' in a cell",
        "valid",
        reader_case(lambda: with_cell(reader_panel(), 4, "so2", "-inf")),
        r"column 'so2': values must be finite numbers; found '-inf' \(rows: Hebei-2011\)",
    ),
    (
        "validate: 'nan' written in a cell",
        "read as missing",
        reader_case(lambda: with_cell(reader_panel(), 2, "so2", "nan")),
        r"column 'so2': values must be finite numbers; found 'nan' \(rows: Beijing-2012\)",
    ),
    (
        "validate: a 1e300 cell",
        "valid; numpy's zero-size array message in the chapter",
        reader_case(lambda: with_cell(reader_panel(), 5, "capital", 1e300)),
        r"column 'capital': values must lie within \+/-1e\+15 .*\(rows: Hebei-2012\)",
    ),
    (
        "validate: two 'labour' columns",
        "valid; the first (bogus) one used, the real one kept as 'labour.1'",
        reader_case(two_labour_columns),
        r"column 'labour': the header names this column 2 times \(columns 3, \d+\)",
    ),
    (
        "validate: a required column left entirely empty",
        "valid; the chapter fails with 'fewer than two complete rows' naming no column",
        reader_case(empty_required),
        r"column 'cod': required column is empty: all 9 cells are missing",
    ),
    (
        "validate: semicolon-separated CSV",
        "'every column missing' (39 problems), no hint about the delimiter",
        reader_case(reader_panel, sep=";"),
        lambda loaded: len(loaded) == 9 or pytest.fail("not loaded"),
    ),
    (
        "validate: data on the second sheet",
        "39 'required column is missing' problems, no hint about sheets",
        sheets_case,
        r"parameter 'sheet': the header was not found on sheet 'notes' \(the workbook has "
        r"notes, panel\).*pass sheet='panel'",
    ),
    (
        "validate: Chinese province names, a code and 东部地区",
        "valid; run fails after 45 s (names must be English)",
        reader_case(chinese_names),
        loaded_keys,
    ),
    (
        "validate: unknown province name",
        "valid; run fails later (names must be English)",
        reader_case(lambda: reader_panel().replace({"province": {"Hebei": "Hebi"}})),
        r"column 'province': unknown province name: 'Hebi' \(closest: Hebei",
    ),
]


@pytest.mark.parametrize(
    ("before", "call", "expect"),
    [pytest.param(b, c, e, id=i) for i, b, c, e in CASES],
)
def test_malformed_input(tmp_path, before, call, expect):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warnings may accompany a result; errors may not
        if isinstance(expect, str):
            with pytest.raises(InputError, match=expect):
                call(tmp_path)
        else:
            result = call(tmp_path)
            assert expect(result) is not False


def test_the_table_has_one_row_per_case():
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids)) == 45
