"""The build status page and the one error type readers meet."""

import json

import pytest

from helpers import status
from helpers.errors import InputError, check_choice


def test_status_page_lists_runs_and_versions(tmp_path):
    run = tmp_path / "demo"
    run.mkdir()
    record = {
        "slug": "demo",
        "parameters": {"seed": 3},
        "started": "2026-01-01 00:00:00 UTC",
        "seconds": 1.25,
        "notebook": "x",
    }
    (run / "run.json").write_text(json.dumps(record))
    page = status.write_status_page(tmp_path).read_text()
    assert "| `demo` | 2026-01-01 00:00:00 UTC | 1.2 s | `seed` = `3` |" in page
    assert f"| pandas | {status.package_versions()['pandas']} |" in page


def test_input_error_names_column_rows_and_rule():
    err = InputError("must be positive", column="labour", rows=range(7), hint="Check units.")
    assert str(err) == (
        "column 'labour': must be positive (rows: 0, 1, 2, 3, 4, and 2 more). Check units."
    )
    assert isinstance(err, ValueError)


def test_check_choice_names_the_parameter():
    with pytest.raises(InputError, match="parameter 'rts': must be one of 'crs', 'vrs', got 'x'"):
        check_choice("rts", "x", ["crs", "vrs"])
