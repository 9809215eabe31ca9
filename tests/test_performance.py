"""The performance appendix's side-by-side comparison."""

import pandas as pd
import pytest

from helpers import performance
from helpers.errors import InputError


def test_side_by_side_divides_by_the_helpers_time_of_the_same_task():
    results = pd.DataFrame(
        {
            "task": ["a", "a", "a", "b", "c"],
            "implementation": ["helpers.x", "naive", "peer", "helpers.y", "orphan"],
            "n": [10, 10, 10, 5, 1],
            "seconds": [0.5, 2.0, 0.25, 1.0, 3.0],
            "max_abs_diff": [0.0, 1e-12, 0.0, 0.0, 0.0],
        }
    )
    table = performance.side_by_side(results)
    assert table["implementation"].tolist() == ["helpers.x", "naive", "peer", "helpers.y"]
    assert table["times_slower"].tolist() == [1.0, 4.0, 0.5, 1.0]


def test_missing_results_file_says_how_to_make_it(tmp_path):
    with pytest.raises(InputError, match="run `make bench` first"):
        performance.load_results(tmp_path / "results.csv")


def test_results_file_without_a_column_names_it(tmp_path):
    path = tmp_path / "results.csv"
    pd.DataFrame({"task": ["a"], "implementation": ["helpers"], "n": [1]}).to_csv(path)
    with pytest.raises(InputError, match="column 'seconds'"):
        performance.load_results(path)


def test_optional_results_give_an_empty_table(tmp_path):
    empty = performance.load_results(tmp_path / "results.csv", required=False)
    assert empty.empty and list(empty.columns) == performance.RESULT_COLUMNS
    assert performance.side_by_side(empty).empty
