"""The committed sweeps under ``data/sweeps/``: how ``make sweeps`` regenerates them, and
what the book reads.

For each paper, ``data/sweeps/SLUG/`` holds small text files (no per-task results):

* ``montecarlo.csv`` -- the core coefficients of every Monte Carlo task (world, seed,
  estimate, SE, stars, truth; :func:`helpers.sweep.montecarlo.core_estimates`);
* ``recovery.csv`` -- the recovery table of every core coefficient
  (:func:`helpers.sweep.montecarlo.recovery_summary`);
* ``agreement.csv`` -- the sign-and-significance agreement with the published table on
  each seed, and ``agreement_summary.csv`` its distribution with the default seed's place;
* ``specifications.csv`` -- the specification curve on the default panel
  (:func:`helpers.sweep.specifications.specification_table`).

``data/sweeps/manifest.json`` records what was run and how long it took: for every paper
and stage the tasks, the wall time of the sweep on this machine's Dask cluster and the sum
of the tasks' own times (what one process would have needed for the same work).

:func:`regenerate` runs the sweeps (resumable: the per-task files live under
``_build/sweeps``, so an interrupted run continues where it stopped and a finished one is
not recomputed) and :func:`reduce` writes the committed files from them.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from helpers.errors import InputError
from helpers.paths import BUILD_DIR, DATA_DIR
from helpers.published import load_cells
from helpers.registry import entry, slugs
from helpers.sweep.engine import (
    RESULT_FILE,
    TASK_DIR,
    cluster,
    paper,
    read_parquet,
    run_sweep,
    task_log,
)
from helpers.sweep.montecarlo import (
    SEEDS,
    WORLDS,
    agreement_by_seed,
    agreement_distribution,
    core_estimates,
    montecarlo_tasks,
    recovery_summary,
)
from helpers.sweep.specifications import specification_table, specification_tasks
from helpers.verdicts import AGREEMENT_SHARE

SWEEPS_DIR = DATA_DIR / "sweeps"
WORK_DIR = BUILD_DIR / "sweeps"
MANIFEST = SWEEPS_DIR / "manifest.json"
FLOAT_FORMAT = "%.8g"
"""Eight significant digits: beyond what any summary needs, and stable across platforms."""

STAGES = ("specifications", "montecarlo")
FILES = {
    "montecarlo": "montecarlo.csv",
    "recovery": "recovery.csv",
    "agreement": "agreement.csv",
    "agreement_summary": "agreement_summary.csv",
    "specifications": "specifications.csv",
}


def committed_path(slug: str, name: str, root: Path = SWEEPS_DIR) -> Path:
    """The committed file ``name`` (a key of :data:`FILES`) of paper ``slug``."""
    entry(slug)
    return Path(root) / slug / FILES[name]


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a committed table: UTF-8, ``\\n`` line ends, :data:`FLOAT_FORMAT`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return path


def read_committed(slug: str, name: str, root: Path = SWEEPS_DIR) -> pd.DataFrame:
    """A committed table of paper ``slug`` (:data:`FILES`); a clear error when the sweeps
    have not been run."""
    path = committed_path(slug, name, root)
    if not path.is_file():
        raise InputError(
            f"no committed sweep for {slug}: {path} does not exist",
            hint="run `make sweeps` (about an hour on two cores)",
        )
    frame = pd.read_csv(path, keep_default_na=True)
    for column in ("table", "column", "row", "world", "spec"):
        if column in frame.columns:
            frame[column] = frame[column].astype(str)
    if "stars" in frame.columns:
        frame["stars"] = frame["stars"].astype("Int64")
    return frame


def stage_tasks(slug: str, stage: str, seeds: Iterable[int] = SEEDS) -> list:
    """The tasks of one stage of paper ``slug``'s committed sweeps."""
    if stage == "montecarlo":
        return montecarlo_tasks(slug, seeds)
    return specification_tasks(slug)


def regenerate(
    chosen: Iterable[str] | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    work: Path = WORK_DIR,
    seeds: Iterable[int] = SEEDS,
    root: Path = SWEEPS_DIR,
    progress: Callable[[str, int], Callable[[int], object]] | None = None,
) -> Path:
    """Run every stage of the committed sweeps of the papers ``chosen`` (default: all) on
    one cluster (``workers=0``: serially) and write the committed files (:func:`reduce`);
    returns the manifest. ``progress(label, total)`` returns the update function of a
    progress bar for one stage."""
    chosen = list(chosen or slugs())
    seeds = list(seeds)
    manifest = Path(root) / MANIFEST.name
    with contextlib.ExitStack() as stack:
        client = None
        if workers != 0 or scheduler:
            client = stack.enter_context(cluster(workers, scheduler))
        for slug in chosen:
            for stage in STAGES:
                tasks = stage_tasks(slug, stage, seeds)
                update = progress(f"{slug} {stage}", len(tasks)) if progress else None
                folder = work / slug / stage
                run = run_sweep(tasks, folder, workers=workers, client=client, progress=update)
                _record(folder, run, client)
            reduce(slug, work=work, root=root)
            manifest = write_manifest([slug], work=work, seeds=seeds, root=root)
    return manifest


def _record(folder: Path, run, client) -> None:
    """Append one line per sweep run to ``runs.csv``: a resumed stage sums its runs."""
    n_workers = len(client.scheduler_info()["workers"]) if client is not None else 0
    line = pd.DataFrame(
        [
            {
                "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                "workers": n_workers,
                "computed": run.computed,
                "reused": run.reused,
                "wall_seconds": round(run.seconds, 3),
                "task_seconds": round(run.task_seconds, 3),
            }
        ]
    )
    path = folder / "runs.csv"
    line.to_csv(path, mode="a", header=not path.is_file(), index=False, lineterminator="\n")


def reduce(slug: str, *, work: Path = WORK_DIR, root: Path = SWEEPS_DIR) -> list[Path]:
    """Write paper ``slug``'s committed files from its finished sweeps in ``work``."""
    module = paper(slug)
    published = load_cells()
    montecarlo = read_parquet(work / slug / "montecarlo" / RESULT_FILE)
    estimates_path = write_csv(
        core_estimates(montecarlo, slug), committed_path(slug, "montecarlo", root)
    )
    # The summaries reduce the committed (rounded) estimates, so that anyone can recompute
    # them byte for byte from the committed file alone.
    estimates = read_committed(slug, "montecarlo", root)
    by_seed = agreement_by_seed(estimates, published, module.PAPER)
    default = entry(slug).default_seed
    summary = agreement_distribution(by_seed, default, AGREEMENT_SHARE)
    grid = read_parquet(work / slug / "specifications" / RESULT_FILE)
    return [
        estimates_path,
        write_csv(
            recovery_summary(estimates, published, module.PAPER, [default]),
            committed_path(slug, "recovery", root),
        ),
        write_csv(by_seed, committed_path(slug, "agreement", root)),
        write_csv(summary.to_frame().T, committed_path(slug, "agreement_summary", root)),
        write_csv(
            specification_table(grid, slug, published), committed_path(slug, "specifications", root)
        ),
    ]


def stage_timing(folder: Path) -> dict[str, float]:
    """The timings of one stage (a sweep folder) over all its runs, interrupted ones
    included: the tasks computed (``log.csv``), the sum of their own times (what one
    process needs for the same work), and the wall time, the length of the union of the
    tasks' intervals ``[finished - seconds, finished]`` (``finished``: the time the task's
    result file was written), that is the time during which at least one task was
    running: an interruption between two runs does not count, the cluster's start-up
    does not either. ``workers``: the most workers a run of the stage had (``runs.csv``)."""
    runs = pd.read_csv(folder / "runs.csv") if (folder / "runs.csv").is_file() else None
    log = task_log(folder)
    return {
        "tasks_computed": len(log),
        "wall_seconds": busy_seconds(folder, log),
        "task_seconds": float(log["seconds"].sum()) if len(log) else 0.0,
        "workers": int(runs["workers"].max()) if runs is not None else 0,
    }


def busy_seconds(folder: Path, log: pd.DataFrame) -> float:
    """The length of the union of the logged tasks' running intervals (see
    :func:`stage_timing`)."""
    intervals = []
    for key, seconds in zip(log["task"], log["seconds"], strict=True):
        path = folder / TASK_DIR / f"{key}.parquet"
        if path.is_file():
            finished = path.stat().st_mtime
            intervals.append((finished - float(seconds), finished))
    total, end = 0.0, -float("inf")
    for low, high in sorted(intervals):
        if high > end:
            total += high - max(low, end)
            end = high
    return round(total, 3)


def write_manifest(
    chosen: Iterable[str],
    *,
    work: Path = WORK_DIR,
    seeds: Iterable[int] = SEEDS,
    root: Path = SWEEPS_DIR,
) -> Path:
    """``manifest.json``: per paper and stage the tasks and timings (:func:`stage_timing`),
    the seeds and worlds, and the machine; an existing manifest keeps its other papers."""
    path = Path(root) / MANIFEST.name
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    seeds = list(seeds)
    manifest["seeds"] = f"{seeds[0]}:{seeds[-1] + 1}" if seeds else ""
    manifest["worlds"] = {k: dict(v) for k, v in WORLDS.items()}
    manifest["machine"] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cores": os.cpu_count(),
    }
    papers_part = manifest.setdefault("papers", {})
    for slug in chosen:
        papers_part[slug] = {
            "default_seed": entry(slug).default_seed,
            "stages": {stage: stage_timing(work / slug / stage) for stage in STAGES},
        }
    manifest["written"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def timing_table(root: Path = SWEEPS_DIR) -> pd.DataFrame:
    """The manifest's timings, one row per paper and stage: tasks, workers, wall seconds
    on the cluster, summed task seconds (the serial time for the same work) and their
    ratio (the speed-up)."""
    manifest = json.loads((Path(root) / MANIFEST.name).read_text(encoding="utf-8"))
    rows = []
    for slug, part in manifest["papers"].items():
        for stage, timing in part["stages"].items():
            rows.append({"paper": slug, "stage": stage, **timing})
    frame = pd.DataFrame(rows)
    frame["speed_up"] = frame["task_seconds"] / frame["wall_seconds"]
    return frame
