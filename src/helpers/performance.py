"""Benchmark results as the performance appendix shows them.

``make bench`` writes ``benchmarks/results.csv`` (task, implementation, n,
seconds, max_abs_diff) and ``benchmarks/environment.json`` (the machine). For
each task, rows whose implementation starts with ``helpers`` are ours and every
other row is a baseline timed in the same run; the appendix compares them as
ratios, which survive a noisy machine better than seconds do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from helpers.errors import InputError
from helpers.paths import REPO_ROOT

BENCHMARK_DIR = REPO_ROOT / "benchmarks"
RESULT_COLUMNS = ["task", "implementation", "n", "seconds", "max_abs_diff"]
OURS_PREFIX = "helpers"


def load_results(
    path: Path = BENCHMARK_DIR / "results.csv", *, required: bool = True
) -> pd.DataFrame:
    """Read a benchmark results file, checking its columns.

    A missing file is an error unless ``required=False`` (a chapter run outside a
    checkout, where no benchmarks were run), which gives an empty table.
    """
    if not Path(path).exists():
        if not required:
            return pd.DataFrame(columns=RESULT_COLUMNS)
        raise InputError(f"{path} not found; run `make bench` first", parameter="results_file")
    results = pd.read_csv(path)
    missing = [c for c in RESULT_COLUMNS if c not in results.columns]
    if missing:
        raise InputError(f"{path} lacks columns {missing}", column=missing[0])
    return results


def load_environment(path: Path = BENCHMARK_DIR / "environment.json") -> dict[str, object]:
    """The machine the benchmarks ran on, as recorded by ``make bench`` (empty if absent)."""
    return json.loads(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else {}


def side_by_side(results: pd.DataFrame) -> pd.DataFrame:
    """One row per implementation with ``times_slower`` = its seconds / the helpers row's.

    Tasks without a helpers row are dropped; the helpers row itself shows 1.
    """
    ours = results[results["implementation"].str.startswith(OURS_PREFIX)]
    reference = ours.groupby("task", sort=False)["seconds"].first().rename("helpers_seconds")
    table = results.join(reference, on="task", how="inner")
    table["times_slower"] = table["seconds"] / table["helpers_seconds"]
    return table.drop(columns="helpers_seconds").reset_index(drop=True)
