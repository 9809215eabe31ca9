"""The runner and the `replicate` command: strict parameters, failures that are reported."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers import cli, runner
from helpers.errors import InputError
from helpers.paths import NOTEBOOKS_DIR


def _write_notebook(folder: Path, slug: str, body: str, params: str = "x: int = 1  # a value"):
    folder.mkdir(parents=True, exist_ok=True)
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[cell, new_code_cell("y = x + 1"), new_code_cell(body)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / f"{slug}.ipynb")


def test_declared_parameters_are_read_from_the_parameters_cell(tmp_path):
    _write_notebook(
        tmp_path,
        "demo",
        "pass",
        'n: int = 3  # how many\nrate: float = 0.5  # a rate\nname: str = "a"\nok: bool = True',
    )
    params = runner.declared_parameters(tmp_path / "demo.ipynb")
    assert [(p.name, p.type, p.default, p.help) for p in params] == [
        ("n", "int", 3, "how many"),
        ("rate", "float", 0.5, "a rate"),
        ("name", "str", "a", ""),
        ("ok", "bool", True, ""),
    ]


def test_parameters_cell_must_hold_annotated_literals(tmp_path):
    _write_notebook(tmp_path, "bad", "pass", params="x = 1")
    with pytest.raises(InputError, match="annotated literal"):
        runner.declared_parameters(tmp_path / "bad.ipynb")


def test_unknown_parameter_is_rejected_with_the_valid_list(tmp_path):
    _write_notebook(tmp_path, "demo", "pass")
    declared = runner.declared_parameters(tmp_path / "demo.ipynb")
    with pytest.raises(InputError) as err:
        runner.resolve_parameters(declared, overrides={"seeed": "3"}, slug="demo")
    message = str(err.value)
    assert "parameter 'seeed'" in message and "x (int, default 1)" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5", 5), (" 7 ", 7)],
)
def test_int_values_are_coerced(tmp_path, text, expected):
    _write_notebook(tmp_path, "demo", "pass")
    declared = runner.declared_parameters(tmp_path / "demo.ipynb")
    assert runner.resolve_parameters(declared, overrides={"x": text})["x"] == expected


@pytest.mark.parametrize("text", ["abc", "1.5", ""])
def test_wrongly_typed_value_is_rejected(tmp_path, text):
    _write_notebook(tmp_path, "demo", "pass")
    declared = runner.declared_parameters(tmp_path / "demo.ipynb")
    with pytest.raises(InputError, match="not a valid int"):
        runner.resolve_parameters(declared, overrides={"x": text})


def test_yaml_values_are_type_checked_and_later_sources_win(tmp_path):
    _write_notebook(tmp_path, "demo", "pass", params="x: int = 1\nr: float = 0.5\nb: bool = False")
    declared = runner.declared_parameters(tmp_path / "demo.ipynb")
    good = tmp_path / "good.yml"
    good.write_text("x: 4\nr: 2\nb: true\n")
    values = runner.resolve_parameters(declared, files=[good], overrides={"x": "9"})
    assert values == {"x": 9, "r": 2.0, "b": True}
    bad = tmp_path / "bad.yml"
    bad.write_text("x: hello\n")
    with pytest.raises(InputError, match=r"'hello'.*not a valid int"):
        runner.resolve_parameters(declared, files=[bad])


def test_cli_exits_2_on_unknown_parameter_and_runs_nothing(tmp_path, capsys):
    _write_notebook(tmp_path / "nbs", "demo", "open('ran', 'w')")
    code = cli.main(
        [
            "run",
            "demo",
            "--notebooks",
            str(tmp_path / "nbs"),
            "-p",
            "nope=1",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "valid parameters: x (int, default 1)" in capsys.readouterr().err
    assert not (tmp_path / "demo.ipynb").exists()


def test_cli_exits_2_on_wrong_type_via_python_dash_m(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "helpers", "run", "template", "-p", "n_obs=many"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "parameter 'n_obs'" in done.stderr and "not a valid int" in done.stderr


@pytest.mark.book
def test_failing_cell_exits_1_naming_notebook_and_cell(tmp_path, capsys):
    _write_notebook(tmp_path / "nbs", "broken", "raise ValueError('planted failure')")
    code = cli.main(["run", "broken", "--notebooks", str(tmp_path / "nbs"), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "notebook 'broken' failed in cell" in err and "planted failure" in err


@pytest.mark.book
def test_book_stops_at_a_failing_notebook_before_building(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "GENERATED_DIR", tmp_path / "generated")
    _write_notebook(tmp_path / "nbs", "broken", "raise RuntimeError('boom')")
    code = cli.main(["book", "--notebooks", str(tmp_path / "nbs")])
    captured = capsys.readouterr()
    assert code == 1
    assert "notebook 'broken' failed" in captured.err
    assert "building HTML" not in captured.out


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.book
def test_run_writes_to_out_and_never_over_the_sources(tmp_path):
    before = _tree_digest(NOTEBOOKS_DIR)
    record = runner.run_notebook("template", tmp_path, overrides={"n_obs": "20"})
    assert _tree_digest(NOTEBOOKS_DIR) == before
    executed = nbformat.read(tmp_path / "template.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in executed.cells]
    assert any("parameters" in t and "remove-cell" in t for t in tags)
    assert any("injected-parameters" in t and "hide-cell" in t for t in tags)
    assert record.parameters["n_obs"] == 20
    assert record.parameters["output_dir"] == str(tmp_path / "template")
    assert (tmp_path / "template" / "estimates.csv").exists()
    assert (tmp_path / "template" / runner.RUN_RECORD).exists()
    # the staging folder the kernel wrote into is named nowhere in the page
    assert ".template.partial" not in (tmp_path / "template.ipynb").read_text()
    assert not (tmp_path / ".template.partial").exists()


def test_output_dir_inside_the_repository_is_passed_relative(tmp_path, monkeypatch):
    """Pages show `book/_generated/SLUG`, not a machine-specific absolute path."""
    from helpers.paths import REPO_ROOT

    captured = {}

    def fake_execute(source, target, parameters, **kwargs):
        captured.update(parameters)
        nbformat.write(nbformat.read(source, as_version=4), target)

    monkeypatch.setattr("papermill.execute_notebook", fake_execute)
    out = REPO_ROOT / "_build" / "test-relative-out"
    record = runner.run_notebook("template", out)
    # the kernel writes into the staging folder; the page and the record show the final one
    assert captured["output_dir"] == "_build/test-relative-out/.template.partial/template"
    assert record.parameters["output_dir"] == "_build/test-relative-out/template"


def test_book_runs_pages_that_read_other_chapters_last():
    assert runner.book_order(["scorecard", "synergy", "coordination"]) == [
        "coordination",
        "synergy",
        "scorecard",
    ]


def test_the_synthesis_runs_after_the_scorecard_and_the_chapters():
    order = runner.book_order(["synthesis", "gtfp", "scorecard", "published"])
    assert order == ["gtfp", "published", "scorecard", "synthesis"]


@pytest.mark.book
def test_the_notebook_is_written_once_at_the_end_even_when_a_cell_fails(tmp_path, monkeypatch):
    """papermill wrote the whole notebook before and after every cell (seconds per chapter);
    the book's engine writes it when the run ends, and a failed run still leaves the
    executed part, with the error, where the message says."""
    import papermill.engines

    writes = []
    real = papermill.engines.write_ipynb

    def counted(nb, path, **kwargs):
        writes.append(path)
        return real(nb, path, **kwargs)

    monkeypatch.setattr(papermill.engines, "write_ipynb", counted)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    cells = [new_code_cell("x: int = 1  # a number", metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(f"y{i} = x + {i}") for i in range(20)]
    python = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python"}}
    nbformat.write(new_notebook(cells=cells, metadata=python), folder / "tiny.ipynb")
    runner.run_notebook("tiny", tmp_path / "out", notebooks_dir=folder)
    assert len(writes) == 1  # 46 with papermill's own engine
    cells.append(new_code_cell("raise RuntimeError('cell 22 fails')"))
    nbformat.write(new_notebook(cells=cells, metadata=python), folder / "tiny.ipynb")
    with pytest.raises(runner.NotebookFailed, match=r"partial notebook: (\S+)\)") as failed:
        runner.run_notebook("tiny", tmp_path / "out2", notebooks_dir=folder)
    partial = Path(re.search(r"partial notebook: (\S+)\)", str(failed.value)).group(1))
    assert "cell 22 fails" in partial.read_text(encoding="utf-8")
