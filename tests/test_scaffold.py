"""``replicate new``: a new paper's skeleton in a copy of the repository.

The command runs in a temporary copy (the repository is never written to) with that copy's
``src`` on the path, so the registry, the contract and the notebook it writes are the ones
its completeness check and its notebook read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.paths import REPO_ROOT
from helpers.registry import slugs

COPIED = ("src", "data", "notebooks", "params", "pyproject.toml", "_toc.yml", "_config.yml")
# A slug no paper has: a reader who has run `replicate new demo` keeps a passing suite.
NEW = next(f"scaffold{i}" for i in range(100) if f"scaffold{i}" not in slugs(drafts=True))


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    return root


def run(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    return subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def scaffolded(copy: Path) -> Path:
    done = run(copy, "-m", "helpers", "new", NEW)
    assert done.returncode == 0, done.stderr
    return copy


def test_new_writes_the_folder_contract_notebook_and_a_draft_registry_entry(scaffolded):
    folder = scaffolded / "src" / "helpers" / "papers" / NEW
    layers = {"variables", "measurement", "process", "estimation", "calibration"}
    assert {p.stem for p in folder.glob("*.py")} == layers | {"__init__"}
    assert (scaffolded / "data" / "contracts" / f"{NEW}.yml").is_file()
    assert (scaffolded / "params" / "quick" / f"{NEW}.yml").is_file()
    registry = (scaffolded / "data" / "papers.yml").read_text(encoding="utf-8")
    assert registry.endswith(f"- slug: {NEW}\n  default_seed: 1\n  draft: true\n")
    assert NEW not in (scaffolded / "_toc.yml").read_text(encoding="utf-8")
    first = json.loads((scaffolded / "notebooks" / f"{NEW}.ipynb").read_text(encoding="utf-8"))
    first = "".join(first["cells"][0]["source"])
    assert 'importlib.util.find_spec("helpers") is None' in first  # a lone notebook installs
    assert first.index("find_spec") < first.index("from helpers")


def test_the_completeness_check_names_what_the_draft_lacks(scaffolded):
    code = f"from helpers.papers import missing_parts; print('\\n'.join(missing_parts('{NEW}')))"
    done = run(scaffolded, "-c", code)
    assert done.returncode == 0, done.stderr
    missing = done.stdout.splitlines()
    assert "package: measurement.measure() is still the scaffold's placeholder" in missing
    assert f"process: data/simulation/{NEW}_parameters.csv does not exist" in missing
    assert "notebook: section 'Overview' is not written yet" in missing
    assert any(line.startswith(f"published cells: none for paper '{NEW}'") for line in missing)
    assert not any("does not expose" in line or "does not import" in line for line in missing)


def test_the_draft_notebook_runs_and_a_placeholder_says_what_is_missing(scaffolded, tmp_path):
    out = tmp_path / "run"
    done = run(scaffolded, "-m", "helpers", "run", NEW, "--out", str(out))
    assert done.returncode == 0, done.stderr
    cells = json.loads((out / f"{NEW}.ipynb").read_text(encoding="utf-8"))["cells"]
    shown = "".join(
        "".join(o.get("data", {}).get("text/markdown", ""))
        for c in cells
        if c["cell_type"] == "code"
        for o in c["outputs"]
    )
    assert "is still the scaffold's placeholder" in shown
    done = run(scaffolded, "-c", f"from helpers.papers import {NEW}; {NEW}.measure(None)")
    assert done.returncode != 0
    assert f"measurement.measure of paper '{NEW}' is not written yet" in done.stderr


@pytest.mark.parametrize("slug", ["gtfp", "Demo", "demo-paper"])
def test_a_taken_or_malformed_slug_is_refused_before_anything_is_written(copy, slug):
    before = sorted(p.relative_to(copy) for p in copy.rglob("*") if "__pycache__" not in p.parts)
    done = run(copy, "-m", "helpers", "new", slug)
    assert done.returncode == 2 and "parameter 'SLUG'" in done.stderr
    after = sorted(p.relative_to(copy) for p in copy.rglob("*") if "__pycache__" not in p.parts)
    assert after == before
