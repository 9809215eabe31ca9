"""The replication scorecard: a hand-made published/replicated pair, identity, and the chapter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import scorecard as sc
from helpers.paths import PARAMS_DIR
from helpers.published import load_cells, paper_slugs
from helpers.results import RESULT_COLUMNS, write_results
from helpers.runner import run_notebook

PAPER = "999_handmade"
COORDINATION = "001_1101b0c6b88162b7"

# paper, table, column, column_title, row, stat, value, stars
PUBLISHED_ROWS = [
    (PAPER, "Table 1", "(1)", "", "x", "coef", "0.123", "2"),
    (PAPER, "Table 1", "(1)", "", "x", "se", "0.050", ""),
    (PAPER, "Table 1", "(2)", "", "x", "coef", "-0.40", "3"),
    (PAPER, "Table 1", "(2)", "", "x", "se", "0.10", ""),
    (PAPER, "Table 1", "(1)", "", "N", "value", "100", ""),
    (PAPER, "Table 2", "(1)", "", "x", "coef", "2.0", "0"),
    (PAPER, "Table 2", "(1)", "", "x", "t", "4.0", ""),
]
# paper, table, column, row, stat, value, stars
REPLICATED_ROWS = [
    (PAPER, "Table 1", "(1)", "x", "coef", 0.1234, 2),  # rounds to 0.123: reproduced
    (PAPER, "Table 1", "(1)", "x", "se", 0.061, None),  # 0.061 != 0.050
    (PAPER, "Table 1", "(2)", "x", "coef", 0.05, None),  # wrong sign, not significant
    (PAPER, "Table 1", "(2)", "x", "se", 0.2, None),
    (PAPER, "Table 1", "(1)", "N", "value", 100.0, None),  # reproduced
    (PAPER, "Table 2", "(1)", "x", "coef", 1.0, 1),  # significant, published is not
    # Table 2's t statistic is not replicated at all
]


@pytest.fixture
def pair(tmp_path):
    columns = ["paper", "table", "column", "column_title", "row", "stat", "value", "stars"]
    path = tmp_path / "published.csv"
    pd.DataFrame(PUBLISHED_ROWS, columns=columns).to_csv(path, index=False)
    replicated = pd.DataFrame(REPLICATED_ROWS, columns=RESULT_COLUMNS)
    replicated["stars"] = replicated["stars"].astype("Int64")
    return load_cells(path), replicated


def test_hand_made_pair_table_scores(pair):
    published, replicated = pair
    scores = sc.table_scores(published, replicated, PAPER).set_index("table")
    one, two = scores.loc["Table 1"], scores.loc["Table 2"]
    # Table 1: 5 cells, coef (1) and N reproduced -> 2/5
    assert (one["cells"], one["replicated"], one["reproduced"]) == (5, 5, 2)
    assert one["share_reproduced"] == pytest.approx(2 / 5)
    # signs: (1) + vs +, (2) - vs + -> 1/2; significance: (1) ** vs **, (2) *** vs none -> 1/2
    assert one["sign_agreement"] == pytest.approx(0.5)
    assert one["significance_agreement"] == pytest.approx(0.5)
    # SE units: (0.1234 - 0.123) / 0.050 = 0.008 and (0.05 + 0.40) / 0.10 = 4.5; median 2.254
    assert one["median_abs_se_diff"] == pytest.approx((0.008 + 4.5) / 2)
    # Table 2: coef 1.0 vs 2.0 not reproduced, t missing -> 0/2; SE implied by t: 2.0 / 4.0
    assert (two["cells"], two["replicated"], two["reproduced"]) == (2, 1, 0)
    assert two["sign_agreement"] == 1.0 and two["significance_agreement"] == 0.0
    assert two["median_abs_se_diff"] == pytest.approx(abs(1.0 - 2.0) / 0.5)


def test_hand_made_pair_paper_scores_and_drill_down(pair):
    published, replicated = pair
    paper = sc.paper_scores(published, replicated, [PAPER]).iloc[0]
    assert paper["cells"] == 7 and paper["reproduced"] == 2
    assert paper["coefficients"] == 3
    assert paper["sign_agreement"] == pytest.approx(2 / 3)
    assert paper["median_abs_se_diff"] == pytest.approx(2.0)  # median of 0.008, 4.5, 2.0
    cells = sc.drill_down(published, replicated, PAPER)
    assert len(cells) == len(PUBLISHED_ROWS)
    coef = cells[(cells["stat"] == "coef") & (cells["column"] == "(2)")].iloc[0]
    assert coef["difference"] == pytest.approx(0.45)
    assert coef["stars_published"] == 3 and coef["stars_replicated"] == 0
    assert cells.loc[cells["stat"] != "coef", "se_units"].isna().all()


def test_the_inputs_are_not_modified(pair):
    published, replicated = pair
    before = published.copy(), replicated.copy()
    sc.table_scores(published, replicated, PAPER)
    pd.testing.assert_frame_equal(published, before[0])
    pd.testing.assert_frame_equal(replicated, before[1])


def test_an_se_printed_as_zero_gives_no_se_units(pair):
    published, replicated = pair
    zero = published.copy()
    zero.loc[(zero["stat"] == "se") & (zero["column"] == "(1)"), "number"] = 0.0
    cells = sc.drill_down(zero, replicated, PAPER)
    first = cells[(cells["stat"] == "coef") & (cells["table"] == "Table 1")].iloc[0]
    assert np.isnan(first["se_units"])


def _published_as_replicated(published: pd.DataFrame, paper: str) -> pd.DataFrame:
    own = published[published["paper"] == paper]
    out = own.loc[:, ["paper", "table", "column", "row", "stat", "number", "stars"]]
    out = out.rename(columns={"number": "value"})
    out["stars"] = out["stars"].astype("Int64").replace(0, pd.NA)
    return out


@settings(max_examples=25, deadline=None)
@given(fraction=st.floats(min_value=-0.49, max_value=0.49))
def test_published_numbers_within_half_a_printed_digit_score_perfectly(fraction):
    """The paper's own numbers, moved by less than half its last printed digit, all match."""
    published = load_cells()
    replicated = _published_as_replicated(published, COORDINATION)
    step = 10.0 ** -published.loc[published["paper"] == COORDINATION, "decimals"].to_numpy()
    replicated["value"] = replicated["value"] + fraction * step
    scores = sc.paper_scores(published, replicated, [COORDINATION]).iloc[0]
    assert scores["share_reproduced"] == 1.0
    assert scores["significance_agreement"] == 1.0
    # a sign can flip only for a coefficient printed as zero; coordination prints none
    assert scores["sign_agreement"] == 1.0
    assert scores["median_abs_se_diff"] < 0.5


def test_chapter_status_lists_papers_without_results(tmp_path):
    replicated = _published_as_replicated(load_cells(), COORDINATION)
    write_results(replicated, tmp_path / "coordination" / "results.csv")
    status = sc.chapter_status(tmp_path).set_index("slug")
    assert status.loc["coordination", "status"] == "chapter"
    others = status.drop(index="coordination")
    assert (others["status"] == sc.NO_CHAPTER).all() and len(others) == len(paper_slugs()) - 1
    assert (sc.chapter_status(tmp_path / "absent")["status"] == sc.NO_CHAPTER).all()
    assert len(sc.load_replicated(status.reset_index())) == len(replicated)


@pytest.fixture(scope="module")
def coordination_results(tmp_path_factory):
    """One quick run of the coordination chapter (about 16 s), as `replicate book` would."""
    out = tmp_path_factory.mktemp("chapters")
    quick = PARAMS_DIR / "quick" / "coordination.yml"
    cli = Path(sys.executable).with_name("replicate")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "helpers"]
    subprocess.run(
        [*command, "run", "coordination", "-f", str(quick), "--out", str(out)], check=True
    )
    return out


@pytest.mark.book
@pytest.mark.slow
def test_scorecard_chapter_runs_on_a_chapters_results(coordination_results, tmp_path):
    assert (coordination_results / "coordination" / "results.csv").is_file()
    record = run_notebook(
        "scorecard", tmp_path, overrides={"results_dir": str(coordination_results)}
    )
    nb = nbformat.read(record.notebook, as_version=4)
    text = "\n".join(
        str(output.get("data", {}).get("text/markdown", ""))
        + str(output.get("data", {}).get("text/plain", ""))
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "fig-scorecard-coordination" in text  # the coordination figure is placed
    files = tmp_path / "scorecard"
    scores = pd.read_csv(files / "table_scores.csv")
    assert set(scores["paper"]) == {COORDINATION}
    status = pd.read_csv(files / "chapters.csv", keep_default_na=False).set_index("slug")
    assert status.loc["coordination", "status"] == "chapter"
    assert (status.drop(index="coordination")["status"] == sc.NO_CHAPTER).all()
    cells = pd.read_csv(files / "cells.csv")
    published = load_cells()
    assert len(cells) == int((published["paper"] == COORDINATION).sum())


def test_headline_agreement_by_hand():
    published = load_cells()
    ours = _published_as_replicated(published, COORDINATION)
    key = ("Table 3", "(2)", "New quality productive forces")
    coef = (ours["table"] == key[0]) & (ours["column"] == key[1]) & (ours["row"] == key[2])
    coef &= ours["stat"] == "coef"
    exact = sc.headline_agreement(published, ours, {COORDINATION: key}).iloc[0]
    assert exact["both"] and exact["se_units"] == 0 and exact["slug"] == "coordination"
    # flip the sign and drop the stars: both agreements fail, 2 x 0.2799 / 0.090 SEs away
    flipped = ours.assign(value=np.where(coef, 0.2799, ours["value"]))
    flipped["stars"] = flipped["stars"].mask(coef, pd.NA)
    row = sc.headline_agreement(published, flipped, {COORDINATION: key}).iloc[0]
    assert not row["sign_match"] and not row["significance_match"] and not row["both"]
    assert row["se_units"] == pytest.approx(2 * 0.2799 / 0.090)
    gone = sc.headline_agreement(published, ours[~coef], {COORDINATION: key}).iloc[0]
    assert np.isnan(gone["replicated"]) and not gone["both"]
    with pytest.raises(sc.InputError, match="prints no coefficient"):
        sc.headline_agreement(published, ours, {COORDINATION: ("Table 3", "(9)", "x")})


def test_styled_scores_names_columns_and_marks_missing_scores():
    scores = pd.DataFrame(
        {"table": ["Table 2"], "cells": [48], "sign_agreement": [np.nan], "share_reproduced": [0.5]}
    )
    page = sc.styled_scores(scores).to_html()
    assert "same sign" in page and "share reproduced" in page and ">50%<" in page
    assert "\u2014: no coefficient to score." in page


def test_headline_agreement_without_chapters_is_an_empty_frame_with_its_columns():
    empty = sc.headline_agreement(load_cells(), pd.DataFrame(columns=RESULT_COLUMNS), {})
    assert empty.empty and list(empty.columns) == sc.HEADLINE_COLUMNS


def test_the_three_questions_read_the_committed_files():
    from helpers import sweep
    from helpers.published import audit_stars
    from helpers.registry import slugs

    recovery = sc.recovery_scores()
    assert list(recovery["slug"]) == list(slugs())
    for row in recovery.itertuples():
        base = sweep.baseline_row(row.slug)
        assert row.bias == base["bias"] and row.coverage_95 == base["coverage_95"]
        assert 0 <= row.coverage_ok <= row.core
    agreement = sc.agreement_scores()
    assert (agreement["seeds"] >= 200).all()
    assert agreement["default_percentile"].between(0, 1).all()
    published = load_cells()
    audit = sc.audit_scores(published).set_index("slug")
    stars = audit_stars(published)
    counts = stars[stars["status"] == "inconsistent"].groupby("slug").size()
    assert audit["stars_inconsistent"].sum() == counts.sum()
    assert (audit["stars_checked"] + audit["stars_unchecked"]).sum() == len(stars)
    texts = sc.three_question_texts(recovery, agreement, audit)
    assert texts["sc-papers"] == f"{len(recovery)} papers"
    for styled in (
        sc.styled_recovery(recovery),
        sc.styled_agreement(agreement),
        sc.styled_audit(audit.reset_index()),
    ):
        assert "<table" in styled.to_html()
    figure = sc.plot_agreement_distributions()
    assert len(figure.axes[0].get_yticklabels()) == len(recovery)
