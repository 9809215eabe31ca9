"""The sweep engine: many runs of a paper's pipeline, serially or on a Dask cluster, each
written to its own file so that a sweep resumes where it stopped.

One :class:`Task` is one call of the paper's pipeline
(:func:`helpers.papers.run_pipeline`) with one parameter set on one panel: the simulated
panel of one seed (``paper.simulate(seed, **knobs)``) or a reader's file. It returns the
pipeline's tidy cells, and for a simulated panel, if asked, the known truth of that seed
(``paper.truth(seed, **knobs)``, rows with ``stat = "truth"``).

:func:`run_sweep` runs the tasks that have no result file yet:

* ``workers=0``: one after the other in this process, without Dask;
* ``workers=None`` (default) or ``N``: on a ``LocalCluster`` of that many single-threaded
  worker processes (one per core by default);
* ``scheduler="tcp://HOST:8786"``: on an existing Dask cluster, unchanged.

Each result is written by this process (workers need no shared disk) as
``OUT/tasks/KEY.parquet`` the moment it arrives, through a temporary file and a rename,
so a killed sweep leaves only complete files; a rerun computes only the missing ones. The
combined ``OUT/results.parquet`` holds the requested tasks in a fixed order (spec, seed,
then the pipeline's order), so its bytes are the same for the same tasks whatever the
number of workers or the order in which they finished. Every task runs with one BLAS
thread (the reductions of a multi-threaded BLAS may differ in the last bit) and silenced
(solver banners, progress bars and warnings go to ``OUT/log.csv``, not to the console);
wall times go to the log too, never into the results.

This module is general: it gets the papers through :mod:`helpers.papers` and imports none;
it is the sweeps' one door to them (:func:`paper`), so the rest of :mod:`helpers.sweep`
imports no paper module at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from threadpoolctl import threadpool_limits

from helpers import papers
from helpers.dea.parallel import one_thread
from helpers.errors import InputError
from helpers.papers.interface import Choice as Choice  # re-exported: the sweeps' grids
from helpers.papers.interface import Specifications as Specifications
from helpers.published import load_cells

RESULT_FILE = "results.parquet"
"""The combined result of a sweep, in its output folder."""

TASK_DIR = "tasks"
"""The folder of the per-task result files, in a sweep's output folder."""

LOG_FILE = "log.csv"
"""One line per computed task: its key, seconds and the warnings it raised."""

TRUTH_STAT = "truth"
"""The ``stat`` of a result row that holds the known truth of a core coefficient."""

COLUMNS = ["spec", "seed", "table", "column", "row", "stat", "value", "stars", "note"]
"""The columns of a sweep's result: the task's spec and seed, then the tidy cell."""


class SweepError(RuntimeError):
    """A task of a sweep failed; the tasks finished before it are kept (rerun to resume)."""


@dataclass(frozen=True)
class Task:
    """One run of paper ``slug``'s pipeline.

    ``seed`` and ``knobs`` choose the simulated panel, or ``data`` (a reader's file, with
    its column ``mapping``; ``data_digest`` is the file's SHA-256, so a changed file is a
    new task); ``parameters`` are the pipeline's (notebook parameters and the pipeline's
    own options); ``spec`` labels the parameter set; ``truth`` adds the seed's known truth.
    """

    slug: str
    seed: int | None = None
    spec: str = "default"
    parameters: tuple[tuple[str, Any], ...] = ()
    knobs: tuple[tuple[str, float], ...] = ()
    data: str = ""
    mapping: str = ""
    data_digest: str = ""
    truth: bool = False

    @property
    def key(self) -> str:
        """The task's file name: spec, seed and a digest of everything that defines it."""
        payload = asdict(self) | {"data": Path(self.data).name if self.data else ""}
        text = json.dumps(payload, sort_keys=True, default=str)
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        seed = "data" if self.seed is None else f"{self.seed:06d}"
        spec = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in self.spec)
        return f"{spec}-{seed}-{digest}"


def make_task(
    slug: str,
    *,
    seed: int | None = None,
    spec: str = "default",
    parameters: Mapping[str, Any] | None = None,
    knobs: Mapping[str, float] | None = None,
    data: str = "",
    mapping: str = "",
    truth: bool = False,
) -> Task:
    """A :class:`Task` with its mappings frozen in sorted order (so equal requests give
    equal keys) and, for a reader's file, its digest."""
    digest = ""
    if data:
        path = Path(data)
        if not path.is_file():
            raise InputError("no such file", parameter="data", hint=str(path))
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if truth:
            raise InputError("a reader's file has no known truth", parameter="truth")
    elif seed is None:
        raise InputError("a simulated task needs a seed", parameter="seed")
    return Task(
        slug=slug,
        seed=seed,
        spec=spec,
        parameters=tuple(sorted((parameters or {}).items())),
        knobs=tuple(sorted((knobs or {}).items())),
        data=str(data),
        mapping=str(mapping),
        data_digest=digest,
        truth=truth,
    )


def paper(slug: str) -> ModuleType:
    """The package of paper ``slug`` (:func:`helpers.papers.paper`, through the registry):
    its pipeline, process, truth, grid and sweep options."""
    return papers.paper(slug)


@cache
def _published() -> pd.DataFrame:
    return load_cells()


@contextlib.contextmanager
def quiet() -> Iterator[list[str]]:
    """Silence the code inside: file descriptors 1 and 2 go to ``os.devnull`` (HiGHS prints
    its banner from C++ to stdout once per process; the DEA progress bar writes to stderr),
    and Python warnings are recorded, not shown. Yields the list that receives the
    warnings' messages."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    sink = os.open(os.devnull, os.O_WRONLY)
    messages: list[str] = []
    try:
        os.dup2(sink, 1)
        os.dup2(sink, 2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
            messages.extend(sorted({f"{w.category.__name__}: {w.message}" for w in caught}))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, sink):
            os.close(fd)


def run_task(task: Task) -> pd.DataFrame:
    """The result rows of one task (:data:`COLUMNS`): the pipeline's tidy cells and, if
    ``task.truth``, the truth rows. Deterministic: one BLAS thread, no clock; the DEA
    engine's default is one thread too (each worker process has a core of its own)."""
    with threadpool_limits(limits=1), one_thread():
        module = paper(task.slug)
        if task.data:
            panel = module.load_panel(task.data, task.mapping)
        else:
            panel = module.simulate(task.seed, **dict(task.knobs))
        parameters = dict(task.parameters)
        if task.truth and parameters == dict(module.SWEEP_PARAMETERS):
            # the chapter's measurement: the truth reuses it rather than measure again
            cells, measurement = papers.run_measured_pipeline(
                task.slug, panel, _published(), **parameters
            )
            shared = {"panel": panel, "measurement": measurement}
        else:
            cells = papers.run_pipeline(task.slug, panel, _published(), **parameters)
            shared = {}
        parts = [cells]
        if task.truth:
            truth = module.truth(task.seed, **shared, **dict(task.knobs))
            stars = pd.array([pd.NA] * len(truth), dtype="Int64")
            parts.append(
                truth.rename(columns={"truth": "value"}).assign(stat=TRUTH_STAT, stars=stars)
            )
    frame = pd.concat(parts, ignore_index=True)
    if "note" not in frame.columns:
        frame["note"] = ""
    frame = frame.assign(spec=task.spec, seed=task.seed)
    return _typed(frame[COLUMNS])


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """One dtype per column, whatever the task: so every file has the same schema."""
    return frame.astype(
        {
            "spec": str,
            "seed": "Int64",
            "table": str,
            "column": str,
            "row": str,
            "stat": str,
            "value": "float64",
            "stars": "Int64",
        }
    ).assign(note=frame["note"].fillna("").astype(str))


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back for one task: its key, rows, seconds and warnings."""

    key: str
    frame: pd.DataFrame
    seconds: float
    warnings: list[str] = field(default_factory=list)


def execute(task: Task) -> Outcome:
    """:func:`run_task`, silenced (:func:`quiet`) and timed: what the workers run."""
    start = time.perf_counter()
    with quiet() as messages:
        frame = run_task(task)
    return Outcome(task.key, frame, time.perf_counter() - start, messages)


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` (no index) as Parquet through a temporary file and a rename, so the
    file is complete or absent; the same frame gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".partial")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), temporary)
    os.replace(temporary, path)
    return path


def read_parquet(path: Path) -> pd.DataFrame:
    """A result file, with the dtypes of :func:`run_task`."""
    return _typed(pd.read_parquet(path))


def task_path(out: Path, task: Task) -> Path:
    """Where a task's result lives in the sweep folder ``out``."""
    return Path(out) / TASK_DIR / f"{task.key}.parquet"


@dataclass(frozen=True)
class SweepRun:
    """What :func:`run_sweep` did: the combined file, the number of tasks, how many were
    computed now and how many were already done, the wall time, and the sum of the
    computed tasks' own times (what one process would have needed for them)."""

    path: Path
    tasks: int
    computed: int
    reused: int
    seconds: float
    task_seconds: float


@contextlib.contextmanager
def _client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = (os.cpu_count() or 1) if workers is None else workers
    with (
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_sweep(
    tasks: Sequence[Task],
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    progress: Callable[[int], object] | None = None,
) -> SweepRun:
    """Run the ``tasks`` that have no result in ``out`` yet and combine all of them into
    ``out/results.parquet`` (see the module docstring for ``workers`` and ``scheduler``;
    ``client``: a running :class:`distributed.Client` to use instead, for several sweeps on
    one cluster). ``progress(n)`` is called with the number of tasks just finished (the
    command line passes a progress bar's ``update``). A failed task raises
    :class:`SweepError` after the finished ones are written."""
    out = Path(out)
    tasks = list(tasks)
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise InputError("the same task is listed twice", parameter="tasks")
    if workers is not None and workers < 0:
        raise InputError("must be 0 (no Dask) or a positive number", parameter="workers")
    pending = [t for t in tasks if not task_path(out, t).is_file()]
    if progress is not None and len(tasks) > len(pending):
        progress(len(tasks) - len(pending))
    start = time.perf_counter()
    task_seconds = 0.0
    by_key = {t.key: t for t in pending}

    def store(outcome: Outcome) -> None:
        nonlocal task_seconds
        write_parquet(outcome.frame, task_path(out, by_key[outcome.key]))
        _log(out, outcome)
        task_seconds += outcome.seconds
        if progress is not None:
            progress(1)

    if pending and client is None and workers == 0 and not scheduler:
        for task in pending:
            store(_checked(execute, task))
    elif pending:
        with contextlib.ExitStack() as stack:
            if client is None:
                client = stack.enter_context(_client(workers, scheduler))
            _distributed(client, pending, store)
    path = combine(tasks, out)
    return SweepRun(
        path=path,
        tasks=len(tasks),
        computed=len(pending),
        reused=len(tasks) - len(pending),
        seconds=time.perf_counter() - start,
        task_seconds=task_seconds,
    )


def _distributed(client: Any, tasks: list[Task], store: Callable[[Outcome], None]) -> None:
    """Submit ``tasks`` to ``client`` and store each outcome as it arrives."""
    from distributed import as_completed

    futures = client.map(execute, tasks, key=[f"sweep-{t.key}" for t in tasks])
    for future in as_completed(futures):
        try:
            outcome = future.result()
        except Exception as exc:  # report which task failed, whatever went wrong in it
            client.cancel(futures)
            key = str(future.key).removeprefix("sweep-")
            raise SweepError(f"task {key} failed: {exc!r}") from exc
        store(outcome)


def cluster(workers: int | None = None, scheduler: str | None = None):
    """A context manager giving a :class:`distributed.Client`: on a new ``LocalCluster`` of
    ``workers`` single-threaded processes (one per core by default) or on the cluster of
    ``scheduler``."""
    return _client(workers, scheduler)


def _checked(run: Callable[[Task], Outcome], task: Task) -> Outcome:
    try:
        return run(task)
    except Exception as exc:  # report which task failed, whatever went wrong in it
        raise SweepError(f"task {task.key} failed: {exc!r}") from exc


def _log(out: Path, outcome: Outcome) -> None:
    path = out / LOG_FILE
    line = pd.DataFrame(
        [
            {
                "task": outcome.key,
                "seconds": round(outcome.seconds, 3),
                "warnings": " | ".join(outcome.warnings),
            }
        ]
    )
    line.to_csv(path, mode="a", header=not path.is_file(), index=False, lineterminator="\n")


def combine(tasks: Iterable[Task], out: str | Path) -> Path:
    """``out/results.parquet``: the result rows of ``tasks`` (each must be done), ordered by
    spec and seed, and within a task in the pipeline's order."""
    out = Path(out)
    ordered = sorted(tasks, key=lambda t: (t.spec, -1 if t.seed is None else t.seed, t.key))
    missing = [t.key for t in ordered if not task_path(out, t).is_file()]
    if missing:
        raise SweepError(f"{len(missing)} tasks have no result yet (first: {missing[0]})")
    frames = [read_parquet(task_path(out, t)) for t in ordered]
    combined = pd.concat(frames, ignore_index=True) if frames else _typed(_empty())
    return write_parquet(combined, out / RESULT_FILE)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in COLUMNS})


def task_log(out: str | Path) -> pd.DataFrame:
    """The log of a sweep folder: one line per computed task (key, seconds, warnings)."""
    path = Path(out) / LOG_FILE
    if not path.is_file():
        return pd.DataFrame(columns=["task", "seconds", "warnings"])
    return pd.read_csv(path, keep_default_na=False)
