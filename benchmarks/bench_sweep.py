"""Benchmark: the sweeps on Dask against the same work done serially.

Two parts, each with the Dask run and its serial baseline side by side:

* **A small timed sweep, both ways in this run**: the coordination Monte Carlo on
  ``SMALL_SEEDS`` seeds with their known truth, once serially in this process
  (``workers=0``) and once on a ``LocalCluster`` with one single-threaded worker per core
  (cluster start-up included, as a user pays it). ``max_abs_diff`` compares the two
  combined results (0: the same numbers; the tests check the same bytes).
* **The committed sweeps** (``make sweeps``, read from ``data/sweeps/manifest.json``): for
  every paper and stage the wall time on the cluster and the sum of the tasks' own times,
  which is what one process needs for the same work. The sum is measured on the busy
  workers, so on a machine shared with other jobs it overstates the serial time a little;
  the ratio of the two is the speed-up the cluster gave.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

from helpers.sweep import make_task, read_parquet, run_sweep
from helpers.sweep.committed import timing_table

SMALL_SLUG = "coordination"
SMALL_SEEDS = range(8)


def _small(workers: int, folder: Path) -> tuple[float, Path]:
    tasks = [make_task(SMALL_SLUG, seed=s, truth=True) for s in SMALL_SEEDS]
    start = time.perf_counter()
    run = run_sweep(tasks, folder, workers=workers)
    return time.perf_counter() - start, run.path


def run() -> list[dict]:
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as scratch:
        serial_s, serial_path = _small(0, Path(scratch) / "serial")
        dask_s, dask_path = _small(cores, Path(scratch) / "dask")
        a, b = read_parquet(serial_path), read_parquet(dask_path)
        diff = float(np.nanmax(np.abs(a["value"].to_numpy() - b["value"].to_numpy())))
    task = f"{SMALL_SLUG} Monte Carlo, {len(SMALL_SEEDS)} seeds with truth"
    rows = [
        {
            "task": task,
            "implementation": f"helpers.sweep, LocalCluster of {cores} workers (with start-up)",
            "n": len(SMALL_SEEDS),
            "seconds": dask_s,
            "max_abs_diff": diff,
        },
        {
            "task": task,
            "implementation": "helpers.sweep serially in one process (workers=0)",
            "n": len(SMALL_SEEDS),
            "seconds": serial_s,
            "max_abs_diff": 0.0,
        },
    ]
    timings = timing_table()
    for label, part in [*timings.groupby(["paper", "stage"], sort=False), ("all", timings)]:
        name = (
            "committed sweeps, all papers"
            if label == "all"
            else (f"committed sweeps, {label[0]} {label[1]}")
        )
        workers = int(part["workers"].max())
        tasks = int(part["tasks_computed"].sum())
        rows += [
            {
                "task": name,
                "implementation": f"make sweeps: Dask LocalCluster, {workers} workers (wall)",
                "n": tasks,
                "seconds": float(part["wall_seconds"].sum()),
                "max_abs_diff": 0.0,
            },
            {
                "task": name,
                "implementation": "serial: the sum of the tasks' own times (same work)",
                "n": tasks,
                "seconds": float(part["task_seconds"].sum()),
                "max_abs_diff": 0.0,
            },
        ]
    return rows


if __name__ == "__main__":
    import pandas as pd

    print(pd.DataFrame(run()).to_string(index=False))
