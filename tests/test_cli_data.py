"""`replicate validate` and `replicate simulate`: exit codes and messages a reader sees."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from helpers import cli
from helpers.paths import DATA_DIR

DEFAULT_PANEL = DATA_DIR / "simulated" / "coordination.csv"


def test_simulate_writes_the_committed_default_panel_byte_for_byte(tmp_path, capsys):
    out = tmp_path / "panel.csv"
    assert cli.main(["simulate", "coordination", "--out", str(out)]) == 0
    assert out.read_bytes() == DEFAULT_PANEL.read_bytes()
    assert "coordination ->" in capsys.readouterr().out


def test_simulate_unknown_paper_exits_2_naming_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["simulate", "no_such_paper"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'no_such_paper'" in err and "'coordination'" in err


def test_validate_accepts_the_default_panel(capsys):
    assert cli.main(["validate", "coordination", str(DEFAULT_PANEL)]) == 0
    assert "valid for 'coordination'" in capsys.readouterr().out


def test_validate_lists_every_problem_and_leaves_the_file_alone(tmp_path, capsys):
    panel = pd.read_csv(DEFAULT_PANEL)
    panel["population"] = panel["population"].astype(object)
    panel.loc[2, "population"] = "12,3"
    panel = pd.concat([panel, panel.iloc[[7]]])
    bad = tmp_path / "bad.csv"
    panel.to_csv(bad, index=False)
    before = hashlib.sha256(bad.read_bytes()).hexdigest()
    assert cli.main(["validate", "coordination", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "2 problem(s)" in err
    assert "column 'population'" in err and "'12,3'" in err
    assert "each unit-year must appear once" in err
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == before


def test_validate_delimiter_and_sheet_options(tmp_path, capsys):
    panel = pd.read_csv(DEFAULT_PANEL)
    semi = tmp_path / "semi.csv"
    panel.to_csv(semi, index=False, sep=";")
    assert cli.main(["validate", "coordination", str(semi)]) == 0  # detected
    assert cli.main(["validate", "coordination", str(semi), "--delimiter", ";"]) == 0
    capsys.readouterr()
    assert cli.main(["validate", "coordination", str(semi), "--delimiter", ","]) == 1
    err = capsys.readouterr().err
    assert "1 problem(s)" in err and "parameter 'delimiter'" in err
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"notes": ["x"]}).to_excel(writer, sheet_name="notes", index=False)
        panel.to_excel(writer, sheet_name="panel", index=False)
    assert cli.main(["validate", "coordination", str(book)]) == 1
    assert "pass sheet='panel'" in capsys.readouterr().err
    assert cli.main(["validate", "coordination", str(book), "--sheet", "panel"]) == 0


def test_validate_and_run_reject_the_same_file_with_the_same_words(tmp_path, capsys):
    """A file the chapter's own preparation rejects is rejected by validate and by run, in
    the same words and before anything runs (no output folder appears)."""
    args = ["coordination", str(DEFAULT_PANEL)]
    assert cli.main(["validate", *args, "-p", "first_year=2030"]) == 1
    validate_err = capsys.readouterr().err
    out = tmp_path / "run"
    run = ["run", "coordination", "-p", f"data={DEFAULT_PANEL}", "-p", "first_year=2030"]
    assert cli.main([*run, "--out", str(out)]) == 1
    run_err = capsys.readouterr().err
    assert "parameter 'first_year'" in validate_err and validate_err == run_err
    assert not out.exists()


def test_validate_runs_the_chapters_checks_beyond_the_contract(tmp_path, capsys):
    """A panel that meets the contract but not the chapter (a price base year it lacks) is
    valid for the contract alone and rejected by validate."""
    panel = pd.read_csv(DEFAULT_PANEL)
    short = tmp_path / "from_2015.csv"
    panel[panel["year"] >= 2015].to_csv(short, index=False)
    from helpers.io import validate_file

    assert validate_file("coordination", short) == []
    assert cli.main(["validate", "coordination", str(short)]) == 1
    assert "first_year" in capsys.readouterr().err
