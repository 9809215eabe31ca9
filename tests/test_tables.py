"""Journal tables, the comparison view and the tidy results writer (hand-checked)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from helpers.errors import InputError
from helpers.published import CELL_KEYS
from helpers.results import RESULT_COLUMNS, fit_cells, read_results, write_results
from helpers.tables import comparison_table, journal_table


@dataclass(frozen=True)
class _Fit:
    """Minimal fitted model with hand-chosen numbers (p-values pick the stars)."""

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    nobs: int
    r2_a: float
    absorbed: tuple[str, ...]


def _fit(coefs, ses, ps, nobs=300, r2_a=0.6339, absorbed=("prov", "year")) -> _Fit:
    idx = pd.Index(["prod", "gov", "_cons"][: len(coefs)])
    b, s = pd.Series(coefs, idx), pd.Series(ses, idx)
    return _Fit(b, s, b / s, pd.Series(ps, idx), nobs, r2_a, absorbed)


M1 = _fit([0.0607, -0.2, 0.926], [0.0097, 0.15, 0.0126], [0.001, 0.2, 0.0])
M2 = _fit([0.0649, 0.1], [0.0092, 0.05], [0.04, 0.09], nobs=270, r2_a=0.6782, absorbed=("prov",))


def test_journal_table_layout_by_hand():
    tab = journal_table(
        {"(1)": M1, "(2)": M2},
        stats={"N": "nobs", "Adj. R2": "r2_a"},
        fe_rows={"Province FE": "prov", "Year FE": "year"},
        notes="SE in ()",
    )
    f = tab.frame
    assert f.index.tolist() == [
        "prod",
        "",
        "gov",
        "",
        "_cons",
        "",
        "N",
        "Adj. R2",
        "Province FE",
        "Year FE",
    ]
    assert f.iloc[0].tolist() == ["0.0607***", "0.0649**"]
    assert f.iloc[1].tolist() == ["(0.0097)", "(0.0092)"]
    assert f.iloc[2].tolist() == ["-0.2000", "0.1000*"]
    assert f.iloc[4].tolist() == ["0.9260***", ""]  # model 2 has no constant
    assert f.loc["N"].tolist() == ["300", "270"]
    assert f.loc["Adj. R2"].tolist() == ["0.6339", "0.6782"]
    assert f.loc["Year FE"].tolist() == ["Yes", "No"]


def test_journal_table_t_below_and_exports(tmp_path):
    tab = journal_table({"A": M1}, terms={"prod": "NQPF"}, below="t", digits=2)
    assert tab.frame.iloc[1, 0] == f"({0.0607 / 0.0097:.2f})"
    latex = tab.to_latex()
    assert r"0.06$^{***}$" in latex and r"\toprule" in latex
    assert "NQPF" in tab.to_html() and "<table" in tab._repr_html_()
    path = tab.to_csv(tmp_path / "t.csv")
    assert pd.read_csv(path, index_col=0).iloc[0, 0] == "0.06***"
    with pytest.raises(InputError, match="below"):
        journal_table({"A": M1}, below="p")


def test_results_writer_has_exact_keys_and_round_trips(tmp_path):
    cells = fit_cells(
        M1,
        paper="000_x",
        table="Table 3",
        column="(1)",
        terms={"prod": "prod", "_cons": "_cons"},
        model_stats={"N": 300, "Adj. R2": 0.6339},
    )
    assert (
        list(cells.columns)
        == RESULT_COLUMNS
        == ["paper", "table", "column", "row", "stat", "value", "stars"]
    )
    coef = cells[(cells.row == "prod") & (cells.stat == "coef")].iloc[0]
    assert coef.value == 0.0607 and coef.stars == 3
    assert pd.isna(cells[(cells.row == "prod") & (cells.stat == "se")].stars.iloc[0])
    path = write_results([cells], tmp_path / "out" / "cells.csv")
    back = read_results(path)
    pd.testing.assert_frame_equal(back, cells.astype({"value": float}), check_dtype=False)
    assert path.read_text().splitlines()[0] == ",".join(RESULT_COLUMNS)


def test_results_writer_rejects_duplicates_and_missing_terms(tmp_path):
    cells = fit_cells(M1, paper="p", table="t", column="(1)", terms=["prod"])
    with pytest.raises(InputError, match="once"):
        write_results([cells, cells], tmp_path / "dup.csv")
    with pytest.raises(InputError, match="not in the estimated model"):
        fit_cells(M1, paper="p", table="t", column="(1)", terms=["nope"])


def test_comparison_table_by_hand():
    published = pd.DataFrame(
        {
            "paper": "p",
            "table": "T",
            "column": "(1)",
            "row": ["prod", "prod", "N", "gov"],
            "stat": ["coef", "se", "value", "coef"],
            "number": [0.0607, 0.0097, 300.0, -0.2],
            "decimals": [4, 4, 0, 1],
            "stars": [3, 0, 0, 1],
        }
    )
    replicated = fit_cells(
        M1, paper="p", table="T", column="(1)", terms=["prod"], model_stats={"N": 299}
    )
    replicated.loc[0, "value"] = 0.06071  # rounds to the printed 0.0607
    cmp = comparison_table(published, replicated, paper="p", table="T")
    assert cmp.set_index(["row", "stat"]).loc[("prod", "coef"), "matches"]
    assert cmp.set_index(["row", "stat"]).loc[("prod", "coef"), "difference"] == pytest.approx(
        0.00001
    )
    assert not cmp.set_index(["row", "stat"]).loc[("N", "value"), "matches"]
    gov = cmp.set_index(["row", "stat"]).loc[("gov", "coef")]
    assert np.isnan(gov.replicated) and not gov.matches and not gov.stars_match
    assert list(cmp.columns[: len(CELL_KEYS)]) == CELL_KEYS
