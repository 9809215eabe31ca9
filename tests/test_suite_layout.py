"""`make test` keeps each test module on one pytest-xdist worker, so that a module's
expensive fixtures (a chapter's runs, the browser tests' book build) are built once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from helpers.paths import REPO_ROOT

MODULE = """
import os

import pytest


@pytest.mark.parametrize("case", range(12))
def test_case(case, tmp_path_factory):
    # one file per test in the run's --basetemp, named after the worker that ran it
    shared = tmp_path_factory.getbasetemp().parent
    (shared / f"{__name__}-{case}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}").touch()
"""


def make_test_flags() -> list[str]:
    """The pytest options of the Makefile's ``test`` target."""
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    line = re.search(r"^test:.*\n\t\$\(PY\) -m pytest (.*)$", makefile, re.MULTILINE)
    assert line, "the Makefile has no `test` target running pytest"
    return line.group(1).split()


def test_make_test_keeps_each_module_on_one_worker(tmp_path: Path):
    for name in ("test_first", "test_second"):
        (tmp_path / f"{name}.py").write_text(MODULE, encoding="utf-8")
    flags = [("2" if flag == "auto" else flag) for flag in make_test_flags()]
    base = tmp_path / "base"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *flags,
            "-q",
            "-p",
            "no:cacheprovider",
            f"--basetemp={base}",
            "test_first.py",
            "test_second.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    marks = [p.name for p in base.iterdir() if p.name.startswith("test_")]
    workers = {
        module: {m.rsplit("-", 1)[1] for m in marks if m.startswith(module + "-")}
        for module in ("test_first", "test_second")
    }
    assert len(marks) == 24 and all(w.startswith("gw") for ws in workers.values() for w in ws)
    assert all(len(ws) == 1 for ws in workers.values()), f"a module was split: {workers}"
