"""An installed package (not only a checkout) carries its data, and chapters run outside the repo.

A reader downloads a chapter's notebook, installs the project and reruns it anywhere: the
wheel must contain every module and every data file, and a notebook executed from a folder
outside the repository, importing the wheel's copy of `helpers`, must run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import runner
from helpers.paths import DATA_DIR, NOTEBOOKS_DIR, PARAMS_DIR, REPO_ROOT

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            str(REPO_ROOT),
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("*.whl"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)  # a wheel is a zip of the site-packages tree
    return target


def test_wheel_has_every_module_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    source = REPO_ROOT / "src"
    modules = {p.relative_to(source).as_posix() for p in source.rglob("*.py")}
    data = {
        "helpers/_data/" + p.relative_to(DATA_DIR).as_posix()
        for p in DATA_DIR.rglob("*")
        if p.is_file()
    }
    assert modules - names == set()
    assert data - names == set()


@pytest.mark.parametrize(("slug", "quick"), [("coordination", True), ("dea_methods", False)])
def test_chapter_runs_outside_the_repository_from_the_installed_package(
    installed, tmp_path, slug, quick
):
    kernel = runner.ensure_kernel()
    env = {**os.environ, "PYTHONPATH": str(installed)}
    params = ["-f", str(PARAMS_DIR / "quick" / f"{slug}.yml")] if quick else []
    params += ["-p", "output_dir", str(tmp_path / "files")]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(NOTEBOOKS_DIR / f"{slug}.ipynb"),
            str(tmp_path / "out.ipynb"),
            "-k",
            kernel,
            *params,
            "--cwd",
            str(tmp_path),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    probe = subprocess.run(
        [sys.executable, "-c", "import helpers.paths as p; print(p.DATA_DIR)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == str(installed / "helpers" / "_data")
