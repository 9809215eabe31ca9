"""Journal tables, the comparison view and the tidy results writer (hand-checked)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from helpers import tables
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


# --------------------------------------------------------------------------- cells without values
def _published_cells():
    """Two printed columns as load_cells returns them (hand-written)."""
    return pd.DataFrame(
        {
            "paper": "p",
            "table": "T",
            "column": ["(1)", "(1)", "(1)", "(2)", "(2)", "(2)"],
            "column_title": "gap",
            "row": ["x", "x", "N", "x", "x", "N"],
            "stat": ["coef", "se", "value", "coef", "se", "value"],
            "value": ["-0.155", "0.088", "300", "0.37", "0.37", "80"],
            "number": [-0.155, 0.088, 300.0, 0.37, 0.37, 80.0],
            "decimals": [3, 3, 0, 2, 2, 0],
            "stars": [1, 0, 0, 0, 0, 0],
        }
    )


def test_unavailable_cells_round_trip_with_their_reason(tmp_path):
    from helpers.results import NOTE_COLUMN, unavailable_cells

    ok = fit_cells(M1, paper="p", table="T", column="(1)", terms={"prod": "x"})
    gone = unavailable_cells(_published_cells().iloc[3:], "region absent from the data")
    path = write_results([ok, gone], tmp_path / "r.csv")
    assert path.read_text().splitlines()[0] == ",".join([*RESULT_COLUMNS, NOTE_COLUMN])
    back = read_results(path)
    empty = back[back["column"] == "(2)"]
    assert (
        empty["value"].isna().all() and (empty[NOTE_COLUMN] == "region absent from the data").all()
    )
    assert (back.loc[back["column"] == "(1)", NOTE_COLUMN] == "").all()
    with pytest.raises(InputError, match="reason"):
        unavailable_cells(_published_cells(), "  ")


def test_an_empty_value_needs_a_note():
    cells = fit_cells(M1, paper="p", table="T", column="(1)", terms=["prod"])
    cells.loc[0, "value"] = np.nan
    with pytest.raises(InputError, match="note"):
        write_results(cells, "unused.csv")
    with pytest.raises(InputError, match="note"):
        write_results(cells.assign(note=""), "unused.csv")


def test_missing_keys_lists_exactly_the_uncovered_published_cells():
    from helpers.results import missing_keys

    published = _published_cells()
    replicated = fit_cells(M1, paper="p", table="T", column="(1)", terms={"prod": "x"})
    gaps = missing_keys(replicated, published)
    assert gaps.to_dict("records") == [
        {"paper": "p", "table": "T", "column": "(1)", "row": "N", "stat": "value"},
        {"paper": "p", "table": "T", "column": "(2)", "row": "x", "stat": "coef"},
        {"paper": "p", "table": "T", "column": "(2)", "row": "x", "stat": "se"},
        {"paper": "p", "table": "T", "column": "(2)", "row": "N", "stat": "value"},
    ]


def _side_by_side_example():
    from helpers.results import unavailable_cells

    published = _published_cells()
    ours = fit_cells(M1, paper="p", table="T", column="(1)", terms={"prod": "x"})
    ours = pd.concat(
        [
            ours.assign(value=[-0.2173, 0.0672]).assign(stars=pd.array([3, pd.NA], "Int64")),
            pd.DataFrame(
                [["p", "T", "(1)", "N", "value", 300.0, pd.NA]], columns=RESULT_COLUMNS
            ).astype({"stars": "Int64"}),
            unavailable_cells(published.iloc[3:], "no central provinces"),
        ],
        ignore_index=True,
    )
    footers = pd.DataFrame(
        {
            "paper": "p",
            "table": "T",
            "column": ["(1)", "(2)"],
            "row": "City FE",
            "value": ["Yes", "No"],
            "after_row": "",
        }
    )
    return published, ours, footers


def test_side_by_side_in_the_printed_layout_by_hand():
    from helpers.tables import side_by_side

    published, ours, footers = _side_by_side_example()
    table = side_by_side(published, ours, "p", "T", footers=footers)
    wide = table.to_frame()
    assert wide.index.tolist() == ["x", "", "City FE", "N"]  # footer rows before N, as printed
    assert wide[("(1) gap", "published")].tolist() == ["-0.155*", "(0.088)", "Yes", "300"]
    assert wide[("(1) gap", "simulated")].tolist() == ["-0.217***", "(0.067)", "Yes", "300"]
    # a difference is signed and never wears the parentheses of the statistic it comes from
    assert wide[("(1) gap", "difference")].tolist() == ["-0.062", "-0.021", "", "0"]
    assert wide[("(2) gap", "simulated")].tolist() == ["\u2014", "(\u2014)", "No", "\u2014"]
    assert table.reproduced.loc[("N", "value"), "(1) gap"]
    assert not table.reproduced.loc[("x", "coef"), "(1) gap"]
    only = side_by_side(published, ours, "p", "T", parts=("published",), footers=footers)
    assert list(only.to_frame().columns) == [("(1) gap", "published"), ("(2) gap", "published")]
    with pytest.raises(InputError, match="parts"):
        side_by_side(published, ours, "p", "T", parts=("truth",))
    with pytest.raises(InputError, match="label"):
        side_by_side(published, ours, "p", "T", label=" ")


def test_side_by_side_renders_compactly_with_its_label_markers_and_reasons():
    from helpers.tables import side_by_side

    published, ours, footers = _side_by_side_example()
    page = side_by_side(published, ours, "p", "T", label="replicated", footers=footers).to_html()
    assert page.count("<table") == 2  # the compact table, and the differences behind a toggle
    compact, differences = page.split("<details", 1)
    assert "beneath it the replicated value" in compact
    assert compact.count('<th scope="col">') == 3  # label column and two printed columns
    assert "\u25bc" in compact  # -0.217 lies below -0.155
    assert (
        "replicated below the published value; difference (replicated minus published): -0.062"
        in compact
    )
    assert "no central provinces" in compact  # the reason for the em dashes
    assert "<summary>Differences, replicated minus published</summary>" in differences
    assert '<th scope="row">x, standard error</th><td>-0.021</td>' in differences
    assert "(-0.021)" not in page
    bare = side_by_side(published, ours, "p", "T", parts=("published",), footers=footers)
    assert "<details" not in bare.to_html() and "\u25bc" not in bare.to_html()


def test_side_by_side_puts_a_descriptive_table_on_one_line_per_variable():
    from helpers.tables import side_by_side

    published = pd.DataFrame(
        {
            "paper": "p",
            "table": "D",
            "column": ["Mean", "SD", "Mean", "SD"],
            "column_title": ["Mean", "SD", "Mean", "SD"],
            "row": ["gap", "gap", "nqp", "nqp"],
            "stat": ["mean", "sd", "mean", "sd"],
            "value": ["0.31", "0.20", "0.18", "0.08"],
            "number": [0.31, 0.20, 0.18, 0.08],
            "decimals": 2,
            "stars": 0,
        }
    )
    ours = published[["paper", "table", "column", "row", "stat"]].assign(
        value=[0.334, 0.2, 0.18, 0.1], stars=pd.NA
    )
    table = side_by_side(published, ours, "p", "D", parts=("replicated", "difference"))
    wide = table.to_frame()
    assert wide.index.tolist() == ["gap", "nqp"]
    assert wide.columns.get_level_values(0).unique().tolist() == ["Mean", "SD"]  # not doubled
    assert wide.loc["gap"].tolist() == ["0.33", "+0.02", "0.20", "0.00"]
    assert wide.loc["nqp"].tolist() == ["0.18", "0.00", "0.10", "+0.02"]


def test_sign_and_significance_by_hand():
    from helpers.tables import sign_and_significance

    published = _published_cells()
    ours = pd.DataFrame(
        [
            ["p", "T", "(1)", "x", "coef", -0.2, 1],  # same sign, both significant
            ["p", "T", "(2)", "x", "coef", 0.6, 2],  # same sign, significance differs
        ],
        columns=RESULT_COLUMNS,
    ).astype({"stars": "Int64"})
    score = sign_and_significance(published, ours, "p", ["x"])
    assert score["sign_match"].tolist() == [True, True]
    assert score["significance_match"].tolist() == [True, False]
    assert score["both"].tolist() == [True, False]
    missing = sign_and_significance(published, ours.iloc[:1], "p", ["x"])
    assert missing["both"].tolist() == [True, False]  # a column not replicated disagrees


def test_describe_matches_hand_computed_statistics_in_the_order_asked():
    frame = pd.DataFrame({"x": [1.0, 2.0, 4.0, np.nan], "y": [3, 3, 6, 8]})
    out = tables.describe(frame, ["x", "y"], ("obs", "max", "median", "sd"))
    assert list(out.columns) == ["obs", "max", "median", "sd"]
    assert out.loc["x", "obs"] == 3 and out.loc["y", "obs"] == 4
    assert out.loc["x", "median"] == 2.0 and out.loc["y", "max"] == 8.0
    # sd with n - 1: x has mean 7/3, squared deviations sum to 14/3 over 2 degrees of freedom
    assert out.loc["x", "sd"] == pytest.approx(np.sqrt(7 / 3), rel=1e-12)


def test_describe_names_an_unknown_statistic_and_a_missing_column():
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(InputError, match="stats"):
        tables.describe(frame, ["x"], ("obs", "p99"))
    with pytest.raises(InputError, match="'z'"):
        tables.describe(frame, ["z"])


# --------------------------------------------------------------------------- show
def test_show_formats_columns_hides_a_bare_index_and_marks_missing_values():
    frame = pd.DataFrame(
        {"n": [12000, 3, None], "z": [0.51234, np.inf, -np.inf], "ok": [True, False, True]},
        index=pd.Index(["a", "b", "c"], name="unit"),
    )
    page = tables.show(frame, {"z": "{:.1f}"}, caption="Toy table").to_html()
    assert ">unit</th>" in page  # a named index becomes a labelled column
    assert ">12,000<" in page and ">3<" in page  # whole numbers without decimals
    assert ">0.5<" in page and ">inf<" in page  # the format asked for wins
    assert ">yes<" in page and ">no<" in page
    assert ">\u2014<" in page and "Toy table \u2014: not available." in page
    assert "nan" not in page.lower() and "row_heading" not in page  # no bare index
    default = tables.show(frame.drop(columns="z"), digits=2).to_html()
    assert "\u221e" not in default and ">12,000<" in default
    inf = tables.show(pd.DataFrame({"z": [1.5, np.inf, -np.inf]})).to_html()
    assert ">1.500<" in inf and ">\u221e<" in inf and ">\u2212\u221e<" in inf
    assert "<caption>" not in inf  # nothing missing, no caption asked for
    assert tables.show(frame).to_html() == tables.show(frame).to_html()  # no random ids
    with pytest.raises(InputError, match="'zz'"):
        tables.show(frame, {"zz": "{:.1f}"})


def test_show_prints_years_and_four_digit_counts_without_separators():
    page = tables.show(pd.DataFrame({"year": [2013, 2022], "N": [2904, 300]})).to_html()
    assert ">2013<" in page and ">2904<" in page and "2,0" not in page


def test_show_spells_column_names_with_spaces():
    page = tables.show(pd.DataFrame({"printed_N": [300]})).to_html()
    assert ">printed N<" in page and ">300<" in page


def test_side_by_side_lists_long_column_titles_under_the_table_and_raises_stars():
    from helpers.tables import side_by_side

    published, ours, footers = _side_by_side_example()
    long = published.assign(column_title="Provincial Capitals & Municipalities")
    page = side_by_side(long, ours, "p", "T", footers=footers).to_html()
    assert '<th scope="col">(1)</th>' in page  # the number alone heads the column
    assert "Columns: (1) Provincial Capitals &amp; Municipalities; (2) Provincial" in page
    assert '-0.155<sup class="cmp-stars">*</sup>' in page
    short = side_by_side(published, ours, "p", "T", footers=footers).to_html()
    assert "Columns:" not in short and '<span class="cmp-title">gap</span>' in short


def test_show_hides_the_row_numbers_a_filter_leaves():
    frame = pd.DataFrame({"x": [1.5, 2.5, 3.5]}, index=[5, 17, 43])
    page = tables.show(frame).to_html()
    assert ">17<" not in page and ">index<" not in page
    labelled = tables.show(pd.DataFrame({"x": [1.5]}, index=["ind1"])).to_html()
    assert ">ind1<" in labelled
    kept = tables.show(frame, index=True).to_html()
    assert ">row<" in kept and ">17<" in kept


def test_show_lets_identifiers_wrap_after_their_underscores_only():
    page = tables.show(pd.DataFrame({"paper": ["producer_services"], "n": [3]})).to_html()
    assert ">producer_\u200bservices<" in page and ">3<" in page
