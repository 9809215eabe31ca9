"""`replicate book`: notebooks run in parallel, reused while their inputs are unchanged."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers import book, runner, status
from helpers.errors import InputError


def _notebook(folder, slug: str, body: str, params: str = "x: int = 1  # a value") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[cell, new_code_cell(body)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / f"{slug}.ipynb")


@pytest.mark.book
def test_unchanged_notebooks_are_reused_and_changed_ones_executed(tmp_path):
    nbs, generated = tmp_path / "nbs", tmp_path / "generated"
    _notebook(nbs, "alpha", "y = x + 1")
    _notebook(nbs, "beta", "y = x + 2")
    _notebook(nbs, "omega", "y = 3")  # a page that reads the others' outputs, run last
    log: list[str] = []

    def statuses(**kwargs) -> dict[str, str]:
        outcomes = book.build(
            ["omega", "beta", "alpha"],
            generated,
            nbs,
            workers=2,
            last=("omega",),
            report=log.append,
            **kwargs,
        )
        return {o.slug: o.status for o in outcomes}

    assert statuses() == dict.fromkeys(["alpha", "beta", "omega"], book.EXECUTED)
    started = log.index("[book] omega: executing ...")
    finished = [i for i, line in enumerate(log) if line.startswith("[book] alpha: executed")]
    assert finished and finished[0] < started  # the last page ran after the others finished
    page = generated / "alpha.ipynb"
    before = page.stat().st_mtime_ns

    assert statuses() == dict.fromkeys(["alpha", "beta", "omega"], book.REUSED)
    assert page.stat().st_mtime_ns == before  # not rewritten
    text = status.write_status_page(generated, {"alpha": "reused"}).read_text()
    assert "| `alpha` |" in text and "| reused |" in text

    _notebook(nbs, "beta", "y = x + 20")  # one notebook changes
    changed = statuses()
    assert changed == {"alpha": book.REUSED, "beta": book.EXECUTED, "omega": book.EXECUTED}

    assert statuses(force=True) == dict.fromkeys(["alpha", "beta", "omega"], book.EXECUTED)


@pytest.mark.book
def test_a_failing_notebook_stops_the_build_and_keeps_the_finished_ones(tmp_path):
    nbs, generated = tmp_path / "nbs", tmp_path / "generated"
    _notebook(nbs, "a_good", "y = x")
    _notebook(nbs, "b_broken", "raise ValueError('planted')")
    with pytest.raises(runner.NotebookFailed, match="planted"):
        book.build(["b_broken", "a_good"], generated, nbs, workers=1, report=lambda _: None)
    again = book.build(["a_good"], generated, nbs, workers=1, report=lambda _: None)
    assert [o.status for o in again] == [book.REUSED]


def test_the_key_follows_every_input(tmp_path):
    nbs = tmp_path / "nbs"
    _notebook(nbs, "alpha", "y = x", params='x: int = 1  # a value\nf: str = ""  # a file')
    named = tmp_path / "results.csv"
    named.write_text("a\n1\n")
    env = runner.environment_digest()

    def key(values=None, environment=env, upstream=None):
        values = {"x": 1, "f": str(named)} if values is None else values
        return runner.input_key("alpha", values, environment, nbs, upstream)

    base = key()
    assert key() == base
    assert key({"x": 2, "f": str(named)}) != base  # a parameter
    assert key(environment="other") != base  # library source, data, lock, Python
    assert key(upstream={"gtfp": "k"}) != base  # the chapters a last page reads
    named.write_text("a\n2\n")
    assert key() != base  # the content of a file a parameter names
    named.write_text("a\n1\n")
    _notebook(nbs, "alpha", "y = x + 0", params='x: int = 1  # a value\nf: str = ""  # a file')
    assert key() != base  # the notebook itself


def test_environment_digest_covers_the_library_source(tmp_path, monkeypatch):
    base = runner.environment_digest()
    package = tmp_path / "helpers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.setattr(runner, "PACKAGE_DIR", package)
    other = runner.environment_digest()
    (package / "__init__.py").write_text("# changed\n")
    assert other != base and runner.environment_digest() != other


def test_workers_must_be_positive():
    with pytest.raises(InputError, match="--workers"):
        book.check_workers(0)
    assert book.check_workers(None) >= 1
