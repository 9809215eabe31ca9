"""Monte Carlo summaries on hand-made estimates: bias, RMSE, coverage, size and power, the
size rule, the agreement with the published table, percentiles."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.published import load_cells
from helpers.results import RESULT_COLUMNS
from helpers.sweep.montecarlo import (
    agreement_by_seed,
    agreement_distribution,
    percentile_of,
    recovery_summary,
)
from helpers.tables import sign_and_significance

PAPER = "999_handmade"


def published():
    rows = [
        (PAPER, "Table 1", "(1)", "x", "coef", "0.50", 3),
        (PAPER, "Table 1", "(2)", "x", "coef", "-0.20", 0),
    ]
    frame = pd.DataFrame(
        rows, columns=["paper", "table", "column", "row", "stat", "value", "stars"]
    )
    return frame.assign(number=frame["value"].astype(float), decimals=2)


def estimates():
    """Cell (1): truth 1 with the effect on, 0 off; errors 0, 3, -1, 2.5 with SE 1.
    Cell (2): truth 0.4 on and still 0.4 off (a path the switch leaves on)."""
    rows = []
    for seed, error, stars_on, stars_off in ((0, 0.0, 3, 0), (1, 3.0, 3, 2), (2, -1.0, 0, 0),
                                             (3, 2.5, 2, 0)):  # fmt: skip
        rows.append(("on", seed, "Table 1", "(1)", "x", 1.0 + error, 1.0, stars_on, 1.0))
        rows.append(("off", seed, "Table 1", "(1)", "x", error, 1.0, stars_off, 0.0))
        rows.append(("on", seed, "Table 1", "(2)", "x", 0.4, 0.1, 3, 0.4))
        rows.append(("off", seed, "Table 1", "(2)", "x", 0.4, 0.1, 3, 0.4))
    rows.append(("on", 2024, "Table 1", "(1)", "x", 100.0, 1.0, 3, 1.0))  # the default seed
    rows.append(("on", 2024, "Table 1", "(2)", "x", -0.3, 0.1, 0, 0.4))
    frame = pd.DataFrame(
        rows,
        columns=["world", "seed", "table", "column", "row", "coef", "se", "stars", "truth"],
    )
    frame["stars"] = frame["stars"].replace(0, pd.NA).astype("Int64")
    return frame


def test_recovery_summary_by_hand():
    table = recovery_summary(estimates(), published(), PAPER, leave_out=[2024]).set_index("column")
    one = table.loc["(1)"]
    assert one["seeds"] == 4  # the default seed is left out
    assert one["bias"] == pytest.approx(1.125)
    assert one["rmse"] == pytest.approx(math.sqrt((0 + 9 + 1 + 6.25) / 4))
    assert one["coverage_95"] == pytest.approx(0.5)  # |error| <= 1.96: 0 and -1
    assert one["coverage_90"] == pytest.approx(0.5)
    assert one["power"] == pytest.approx(0.75)  # two stars or more on seeds 0, 1, 3
    assert one["rejection_off"] == pytest.approx(0.25)
    assert one["size"] == pytest.approx(0.25)  # its target is zero with the effect off
    two = table.loc["(2)"]
    assert two["rejection_off"] == 1.0
    assert np.isnan(two["size"])  # target 0.4 with the effect off: not a size
    assert two["published"] == -0.2 and two["published_stars"] == 0


def test_the_default_seed_counts_unless_left_out():
    table = recovery_summary(estimates(), published(), PAPER).set_index("column")
    assert table.loc["(1)", "seeds"] == 5


def test_agreement_by_seed_is_the_rule_of_sign_and_significance():
    est = estimates()
    pub = published()
    by_seed = agreement_by_seed(est, pub, PAPER).set_index("seed")
    for seed, part in est[est["world"] == "on"].groupby("seed"):
        cells = pd.DataFrame(
            {
                "paper": PAPER,
                "table": part["table"],
                "column": part["column"],
                "row": part["row"],
                "stat": "coef",
                "value": part["coef"],
                "stars": part["stars"],
            }
        )[RESULT_COLUMNS]
        expected = sign_and_significance(pub, cells, PAPER, ["x"])["both"].mean()
        assert by_seed.loc[seed, "agreement"] == pytest.approx(expected)
    # seed 0: (1) same sign, three stars as printed; (2) wrong sign -> 1 of 2
    assert by_seed.loc[0, "agreement"] == 0.5
    assert by_seed.loc[2, "agreement"] == 0.0  # (1) loses its stars


def test_agreement_distribution_places_the_default_seed():
    by_seed = pd.DataFrame({"seed": [0, 1, 2, 3, 2024], "agreement": [0.2, 0.4, 0.6, 0.8, 0.6]})
    summary = agreement_distribution(by_seed, 2024, mark=0.8)
    assert summary["seeds"] == 4
    assert summary["mean"] == pytest.approx(0.5)
    assert summary["share_meeting_mark"] == 0.25
    assert summary["default_percentile"] == 0.75


def test_percentile_of():
    assert percentile_of([1, 2, 3, 4], 2.5) == 0.5
    assert percentile_of([1, 2, 3, 4], 4) == 1.0
    assert np.isnan(percentile_of([1, 2], float("nan")))


def test_published_cells_of_the_book_carry_every_core_row():
    from helpers import papers
    from helpers.registry import slugs
    from helpers.sweep.montecarlo import paper_core_cells

    cells = load_cells()
    for slug in slugs():
        core = paper_core_cells(slug)
        assert core, slug
        baseline = tuple(papers.paper(slug).BASELINE_CELL)
        assert baseline in core, slug
        assert len(cells[cells["stat"] == "coef"]) > len(core)


def test_coverage_outliers_name_the_coefficients_outside_the_monte_carlo_band():
    from helpers.sweep.book import _coverage_outliers

    table = pd.DataFrame(
        {"cell": ["A (1)", "A (2)", "B (1)", "B (2)"], "coverage_95": [0.95, 0.80, 0.995, np.nan]}
    )
    text = _coverage_outliers(table, 200)  # band: 95% +- 3.1 points
    assert text.startswith("Of 3 core coefficients, 1 covers the truth less often")
    assert "A (2) (80.0%)" in text and "B (1) (99.5%)" in text and "A (1)" not in text
    assert _coverage_outliers(table.iloc[:1], 200).startswith("All 1 core coefficient have")
