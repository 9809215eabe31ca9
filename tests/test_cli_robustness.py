"""Bad command-line arguments exit 2 with a clear message; outputs are replaced atomically."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers import cli

PARAMS = 'x: int = 1  # a value\noutput_dir: str = "_output"  # where files go'
WRITE_AND_WAIT = """
import time
from pathlib import Path
out = Path(output_dir)
out.mkdir(parents=True, exist_ok=True)
(out / "results.csv").write_text(f"x\\n{x}\\n")
time.sleep(wait)
"""


def _notebook(folder: Path, slug: str = "demo", body: str = "pass") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    params = new_code_cell(PARAMS + "\nwait: float = 0.0  # seconds to sleep")
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell(body)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / f"{slug}.ipynb")
    return folder


def _run(tmp_path: Path, *extra: str) -> int:
    nbs = _notebook(tmp_path / "nbs", body="open('ran', 'w')")
    return cli.main(["run", "demo", "--notebooks", str(nbs), "--out", str(tmp_path), *extra])


@pytest.mark.parametrize("kind", ["missing", "folder", "binary", "bad yaml", "not a mapping"])
def test_run_with_a_bad_params_file_exits_2_naming_it(tmp_path, capsys, kind):
    path = tmp_path / "params.yml"
    if kind == "folder":
        path.mkdir()
    elif kind == "binary":
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    elif kind == "bad yaml":
        path.write_text("x: [1, 2\n")
    elif kind == "not a mapping":
        path.write_text("- 1\n- 2\n")
    code = _run(tmp_path, "-f", str(path))
    err = capsys.readouterr().err
    assert code == 2, err
    assert "parameter '-f'" in err and str(path) in err
    assert "Traceback" not in err
    expected = {
        "missing": "does not exist",
        "folder": "is a folder",
        "binary": "not a text file",
        "bad yaml": "not valid YAML (line 2, column 1)",
        "not a mapping": "must be a YAML mapping",
    }[kind]
    assert expected in err
    assert not (tmp_path / "demo.ipynb").exists() and not (tmp_path / "ran").exists()


def test_run_out_pointing_at_a_file_exits_2(tmp_path, capsys):
    target = tmp_path / "not_a_folder.txt"
    target.write_text("keep me")
    nbs = _notebook(tmp_path / "nbs")
    code = cli.main(["run", "demo", "--notebooks", str(nbs), "--out", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "parameter '--out'" in err and "is a file" in err
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_simulate_with_an_out_of_range_seed_exits_2(capsys, seed):
    code = cli.main(["simulate", "gtfp", "--seed", seed])
    err = capsys.readouterr().err
    assert code == 2 and "parameter '--seed'" in err and "from 0 to 4294967295" in err


def test_simulate_into_a_missing_folder_exits_2(tmp_path, capsys):
    target = tmp_path / "missing" / "panel.csv"
    code = cli.main(["simulate", "gtfp", "--out", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "parameter '--out'" in err and "does not exist" in err
    assert not target.parent.exists()


def test_book_rejects_a_non_positive_worker_count(capsys):
    assert cli.main(["book", "--workers", "0"]) == 2
    assert "parameter '--workers'" in capsys.readouterr().err


def _record(out: Path) -> dict:
    return json.loads((out / "demo" / "run.json").read_text())


@pytest.mark.book
def test_a_run_killed_mid_way_leaves_the_previous_output_intact(tmp_path):
    """Kill a second run into the same folder by its PID: the first run's output is whole."""
    nbs = _notebook(tmp_path / "nbs", body=WRITE_AND_WAIT)
    out = tmp_path / "out"
    base = [sys.executable, "-m", "helpers", "run", "demo", "--notebooks", str(nbs)]
    first = subprocess.run([*base, "--out", str(out)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert _record(out)["parameters"]["x"] == 1

    second = subprocess.Popen(
        [*base, "--out", str(out), "-p", "x=2", "-p", "wait=120"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    staged = out / ".demo.partial" / "demo" / "results.csv"
    deadline = time.monotonic() + 120
    try:
        while not staged.exists():  # the second run is mid-way: it has written a file
            assert second.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        os.kill(second.pid, signal.SIGKILL)
        second.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the orphaned kernel of the killed run
            os.killpg(second.pid, signal.SIGKILL)
    after = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    final = {p: b for p, b in after.items() if ".demo.partial" not in p.parts}
    assert final == before  # previous output untouched, nothing new under the final names
    assert staged.read_text() == "x\n2\n"  # the killed run's file exists only in staging

    third = subprocess.run([*base, "--out", str(out), "-p", "x=3"], capture_output=True)
    assert third.returncode == 0
    assert _record(out)["parameters"]["x"] == 3
    assert (out / "demo" / "results.csv").read_text() == "x\n3\n"
    assert not (out / ".demo.partial").exists()
