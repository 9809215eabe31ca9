"""Shared fixtures: where the repository and the shared reference material are, and the
published cells of the paper a chapter test module covers."""

from __future__ import annotations

import os

# One BLAS thread per test process, set before numpy loads (the book's kernels do the same):
# `make test` runs one pytest-xdist worker per core, and threaded OpenBLAS on small
# matrices is several times slower once the cores are shared.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers import memo  # noqa: E402
from helpers.contract import load_contract  # noqa: E402
from helpers.published import load_cells  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="the browser tests also save screenshots of every page to _build/screenshots/",
    )


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the repository; tests that need it skip when it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"shared material not found at {SHARED_DIR} (it sits beside the repo in CI)")
    return SHARED_DIR


@pytest.fixture(scope="module")
def published(request: pytest.FixtureRequest) -> pd.DataFrame:
    """The published cells of the paper whose chapter the test module covers: the module sets
    ``SLUG``, and the paper is that chapter's contract's paper."""
    paper = load_contract(request.module.SLUG).paper
    cells = load_cells()
    return cells[cells["paper"] == paper]


@pytest.fixture(autouse=True)
def _compute_afresh():
    """Every test computes: a remembered DEA result (helpers.memo) would make a test that
    calls the same function twice (say with 1 and 2 worker threads) compare a result with
    its copy. tests/test_memo.py turns the cache on where it tests it; the notebooks that
    tests execute run in their own kernels, with the cache on, as for a reader."""
    with memo.disabled():
        yield
