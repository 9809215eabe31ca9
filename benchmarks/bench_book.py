"""Speed of the book build: ``replicate book`` cold (every notebook executed) and cached.

Runs in the repository itself and leaves the book built (as ``make book`` does):

1. ``replicate book --force --workers 1``: every notebook executed one after another (the
   sequential baseline), then the HTML;
2. ``replicate book --force``: every notebook executed, one per core, then the HTML;
3. ``replicate book`` with nothing changed: every notebook reused, then the HTML.

Rows: the notebook-execution and HTML times of each build (from its ``[book]`` lines), the
whole command's wall time, and each notebook's default run time (its ``run.json``): alone
(build 1, one notebook at a time, as a reader's ``replicate run SLUG``) and beside another
(build 2, two at a time on two cores). ``max_abs_diff`` on the parallel row is the largest
difference between the ``results.csv`` values of builds 1 and 2 (reproducibility: 0 when
byte-identical).
Slow (minutes): ``python benchmarks/run.py book`` runs it alone; ``make bench`` runs it with
the others.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "book" / "_generated"
REPLICATE = [sys.executable, "-m", "helpers", "book"]
TIMES = re.compile(r"\[book\] notebooks ready in ([\d.]+) s.*|\[book\] HTML built in ([\d.]+) s")


def _build(*flags: str) -> dict[str, float]:
    clock = time.perf_counter()
    done = subprocess.run(
        [*REPLICATE, *flags], cwd=ROOT, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - clock
    if done.returncode != 0:
        raise SystemExit(f"replicate book {' '.join(flags)} failed:\n{done.stdout}\n{done.stderr}")
    found = {"wall": wall}
    for match in TIMES.finditer(done.stdout):
        if match.group(1):
            found["notebooks"] = float(match.group(1))
        if match.group(2):
            found["html"] = float(match.group(2))
    return found


def _results() -> dict[str, pd.DataFrame]:
    return {p.parent.name: pd.read_csv(p) for p in sorted(GENERATED.glob("*/results.csv"))}


def _max_diff(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> float:
    if a.keys() != b.keys():
        return float("inf")
    worst = 0.0
    for slug, frame in a.items():
        other = b[slug]
        if len(frame) != len(other):
            return float("inf")
        va, vb = frame["value"].to_numpy(float), other["value"].to_numpy(float)
        both = ~(np.isnan(va) & np.isnan(vb))
        worst = max(worst, float(np.nanmax(np.abs(va[both] - vb[both]), initial=0.0)))
    return worst


def run() -> list[dict]:
    cores = os.cpu_count() or 1
    n = len(list((ROOT / "notebooks").glob("*.ipynb")))
    sequential = _build("--force", "--workers", "1")
    sequential_results = _results()
    alone = _run_seconds()
    parallel = _build("--force")
    parallel_results = _results()
    beside = _run_seconds()
    cached = _build()
    rows = [
        _row(
            "book: execute every notebook (cold)",
            f"helpers.book: parallel, {cores} workers",
            n,
            parallel["notebooks"],
            _max_diff(sequential_results, parallel_results),
        ),
        _row(
            "book: execute every notebook (cold)",
            "sequential, 1 worker",
            n,
            sequential["notebooks"],
            0.0,
        ),
        _row(
            "book: second build, nothing changed",
            "helpers.book: all reused, incl. HTML",
            n,
            cached["wall"],
            0.0,
        ),
        _row(
            "book: second build, nothing changed",
            "replicate book --force, incl. HTML",
            n,
            parallel["wall"],
            0.0,
        ),
        _row(
            "book: HTML step",
            "helpers.book: after a no-change build (Sphinx incremental)",
            n,
            cached["html"],
            0.0,
        ),
        _row(
            "book: HTML step", "after a cold build (every page re-read)", n, parallel["html"], 0.0
        ),
    ]
    for slug, seconds in alone.items():
        rows.append(
            _row(
                f"notebook default run: {slug}",
                "alone, as `replicate run SLUG` (run.json of the sequential build)",
                1,
                seconds,
                0.0,
            )
        )
        rows.append(
            _row(
                f"notebook default run: {slug}",
                f"beside another notebook (run.json of the parallel build, {cores} workers)",
                1,
                beside[slug],
                0.0,
            )
        )
    return rows


def _run_seconds() -> dict[str, float]:
    """Each notebook's execution time in the last build (its run.json)."""
    return {
        p.parent.name: json.loads(p.read_text())["seconds"]
        for p in sorted(GENERATED.glob("*/run.json"))
    }


def _row(task: str, implementation: str, n: int, seconds: float, diff: float) -> dict:
    return {
        "task": task,
        "implementation": implementation,
        "n": n,
        "seconds": seconds,
        "max_abs_diff": diff,
    }


if __name__ == "__main__":
    print(pd.DataFrame(run()).to_string(index=False))
