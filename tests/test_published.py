"""The published-results audit reproduces the inconsistencies documented in TABLES.md."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import published as pub
from helpers.errors import InputError


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    return pub.load_cells()


@pytest.fixture(scope="module")
def audit(cells) -> pd.DataFrame:
    return pub.audit_stars(cells)


def test_copy_in_data_is_the_shared_file(shared_dir):
    shipped = pub.PUBLISHED_CSV.read_bytes()
    assert shipped == (shared_dir / "published" / "published_results.csv").read_bytes()


def test_every_cell_loads_with_its_printed_precision(cells):
    assert len(cells) == 1253
    row = cells[(cells["table"] == "Table 6") & (cells["slug"] == "coordination")].iloc[1]
    assert (row["value"], row["decimals"]) == ("0.107", 3)


# The eight cells TABLES.md lists under "Star counts that disagree with coef/SE (or t)".
DOCUMENTED = {
    ("gtfp", "Table 5", "(4)", "pro*mul"): "inconsistent",
    ("gtfp", "Table 5", "(4)", "fdi"): "inconsistent",
    ("gtfp", "Table 7", "(3)", "fdi"): "inconsistent",
    ("coordination", "Table 6", "(1)", "New quality productive forces"): "inconsistent",
    ("coordination", "Table 6", "(1)", "Constant"): "inconsistent",
    ("bigdata_did", "Table 4", "(1)", "Constant"): "inconsistent",
    ("producer_services", "Table 3", "(3)", "SAGG"): "borderline",
    ("bigdata_did", "Table 3", "(4)", "LnGDP"): "borderline",
}


def test_star_audit_finds_exactly_the_documented_cells(audit):
    flagged = audit[audit["status"].isin(["inconsistent", "borderline"])]
    found = {(r.slug, r.table, r.column, r.row): r.status for r in flagged.itertuples(index=False)}
    assert found == DOCUMENTED


def test_star_audit_counts_match_tables_md(audit):
    # TABLES.md: 370 checkable (362 pass), 15 more have an SE of 0.0000.
    counts = audit["status"].value_counts()
    assert counts["pass"] == 362
    assert counts["pass"] + counts["inconsistent"] + counts["borderline"] == 370
    assert counts["se prints as zero"] == 15


def test_without_rounding_borderline_cells_become_inconsistent(cells):
    exact = pub.audit_stars(cells, allow_rounding=False)
    assert (exact["status"] == "borderline").sum() == 0
    assert (exact["status"] == "inconsistent").sum() == 8


def _tiny_cells(coef: str, se: str, stars: str, stat: str = "se") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "paper": ["p", "p"],
            "table": ["T", "T"],
            "column": ["(1)", "(1)"],
            "column_title": ["", ""],
            "row": ["x", "x"],
            "stat": ["coef", stat],
            "value": [coef, se],
            "stars": [stars, ""],
        }
    )


@pytest.mark.parametrize(
    ("coef", "se", "stars", "status"),
    [
        # z = 0.392/0.2 = 1.96: p = 0.04999 -> ** exactly at the cut-off
        ("0.392", "0.200", "2", "pass"),
        # z = 0.380/0.200 = 1.90 -> *; the box reaches 0.3805/0.1995 = 1.907 < 1.96: no **
        ("0.380", "0.200", "2", "inconsistent"),
        # 0.39 has two decimals: the box reaches 0.395/0.1995 = 1.98 > 1.96, so ** is borderline
        ("0.39", "0.200", "2", "borderline"),
        # z = 0.020/0.0078 = 2.564 -> **;
        # box [0.0195/0.00785, 0.0205/0.00775] = [2.48, 2.645] allows ***
        ("0.020", "0.0078", "3", "borderline"),
        ("1.0", "0.0", "3", "se prints as zero"),
    ],
)
def test_rounding_rules_on_hand_examples(tmp_path, coef, se, stars, status):
    path = tmp_path / "cells.csv"
    _tiny_cells(coef, se, stars).to_csv(path, index=False)
    none_excluded = pd.DataFrame({"paper": [], "table": []})
    result = pub.audit_stars(pub.load_cells(path), none_excluded)
    assert result["status"].tolist() == [status]


def test_t_statistics_are_read_as_z(tmp_path):
    path = tmp_path / "cells.csv"
    _tiny_cells("0.050", "2.71", "3", stat="t").to_csv(path, index=False)
    result = pub.audit_stars(pub.load_cells(path), pd.DataFrame({"paper": [], "table": []}))
    assert result["z"].tolist() == [2.71] and result["status"].tolist() == ["pass"]


def test_sample_size_audit_flags_the_three_synergy_samples(cells):
    sizes = pub.audit_sample_sizes(cells, pub.load_sample_design())
    mismatches = sizes[sizes["status"] == "mismatch"]
    assert set(
        zip(mismatches["slug"], mismatches["table"], mismatches["columns"], strict=True)
    ) == {
        ("synergy", "Table 6", "(4)"),
        ("synergy", "Table 6", "(5)+(6)"),
        ("synergy", "Table 7", "(5)+(6)+(7)+(8)"),
    }
    assert mismatches["printed_N"].tolist() == [2820, 2884, 2806]
    # every printed N is covered by some design rule
    ns = cells[cells["row"].isin(pub.SAMPLE_SIZE_ROWS)]
    covered = sizes["columns"].str.split("+").explode()
    assert len(covered) == len(ns)


def test_table_is_laid_out_as_printed():
    tiny = pd.DataFrame(
        {
            "paper": ["p"] * 5,
            "table": ["T"] * 5,
            "column": ["(1)", "(1)", "(2)", "(2)", "(1)"],
            "column_title": ["A", "A", "B", "B", "A"],
            "row": ["x", "x", "x", "x", "N"],
            "stat": ["coef", "se", "coef", "se", "value"],
            "value": ["0.50", "0.10", "-0.2", "0.3", "300"],
            "stars": [3, 0, 0, 0, 0],
        }
    )
    wide = pub.table_as_printed(tiny, "p", "T")
    assert wide.columns.tolist() == ["(1) A", "(2) B"]
    assert wide.index.tolist() == ["x", "", "N"]
    assert wide.iloc[:, 0].tolist() == ["0.50***", "(0.10)", "300"]
    assert wide.iloc[:, 1].tolist() == ["-0.2", "(0.3)", ""]


def test_unknown_table_is_a_clear_error(cells):
    with pytest.raises(InputError, match="no cells for paper"):
        pub.table_as_printed(cells, "000_4048779d6599a998", "Table 99")


def test_malformed_cell_file_names_column_and_rows(tmp_path):
    bad = _tiny_cells("0.5", "abc", "1")
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(InputError, match=r"column 'value': value must be a number \(rows: 3\)"):
        pub.load_cells(tmp_path / "bad.csv")
    bad.drop(columns="stat").to_csv(tmp_path / "nostat.csv", index=False)
    with pytest.raises(InputError, match="column 'stat'"):
        pub.load_cells(tmp_path / "nostat.csv")


def test_contradictions_are_read_for_every_paper():
    items = pub.text_table_contradictions()
    assert set(items["slug"]) == set(pub.paper_slugs().values())
    coordination = " ".join(items.loc[items["slug"] == "coordination", "item"])
    assert "−0.2799" in coordination


def test_figure_has_one_series_per_status(audit):
    fig = pub.plot_stars_against_z(audit)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["pass (362)", "borderline (2)", "inconsistent (6)"]


def test_footer_rows_are_placed_as_each_paper_prints_them():
    cells = pub.load_cells()
    footers = pub.load_footers()
    assert set(footers["paper"].str[:3]) == {"001", "002", "003", "004"}  # 000 prints none
    bd = pub.table_as_printed(cells, pub.paper_id("bigdata_did"), "Table 5")
    labels = [label for label in bd.index if label]
    # 004 prints "Control variables" between the mechanism rows and the constant
    assert labels[labels.index("LnGIP") + 1] == "Control variables"
    assert labels[-5:] == ["Year-fixed effect", "City-fixed effect", "R2", "Adj.R2", "N"]
    syn = pub.table_as_printed(cells, pub.paper_id("synergy"), "Table 6")
    assert syn.loc["Province\u00d7Year"].tolist() == [
        "\u00d7",
        "\u00d7",
        "\u00d7",
        "\u221a",
        "\u00d7",
        "\u00d7",
    ]
    rows = [label for label in syn.index if label]
    assert rows.index("Province\u00d7Year") < rows.index("N")  # before the statistics
    ps = pub.table_as_printed(cells, pub.paper_id("producer_services"), "Table 1")
    assert ps.loc["City"].tolist() == ["Y"] * 6
    none = pub.table_as_printed(cells, pub.paper_id("gtfp"), "Table 4")
    assert "Year" not in none.index and "City FE" not in none.index


def test_every_footer_names_a_printed_table_column_and_row():
    cells = pub.load_cells()
    footers = pub.load_footers()
    printed = set(zip(cells["paper"], cells["table"], cells["column"], strict=True))
    for row in footers.itertuples():
        assert (row.paper, row.table, row.column) in printed, row
        if row.after_row:
            own = cells[(cells["paper"] == row.paper) & (cells["table"] == row.table)]
            assert row.after_row in set(own["row"]), row


def test_audit_summary_counts_each_audit_per_paper():
    cells = pub.load_cells()
    summary = pub.audit_summary(cells).set_index("slug")
    stars = pub.audit_stars(cells)
    assert summary["stars_inconsistent"].sum() == (stars["status"] == "inconsistent").sum()
    assert (
        summary.loc["synergy", "n_mismatches"]
        == (
            pub.audit_sample_sizes(cells, pub.load_sample_design())
            .query("slug == 'synergy' and status == 'mismatch'")
            .shape[0]
        )
    )
    items = pub.text_table_contradictions()
    assert summary["contradictions"].sum() == len(items)
    with pytest.raises(InputError, match="slug"):
        pub.paper_id("nonsense")
