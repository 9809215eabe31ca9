"""Execute the book's notebooks: in parallel, and only those whose inputs changed.

``replicate book`` runs every notebook with its default parameters into
``book/_generated/``.  A notebook is *reused* when its inputs are unchanged since its
last successful execution: the key (:func:`helpers.runner.input_key`) is a sha256 of
the notebook, its resolved parameters, the ``helpers`` source, the data files, the
lock file and the Python version, and it is recorded in ``book/_generated/.build-cache.json``
after each successful run.  Notebooks run on ``workers`` processes (one per core by
default); the pages of :data:`helpers.runner.RUN_LAST`, which read other chapters'
outputs, run after all the others, and their key includes those chapters' keys.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from helpers import runner
from helpers.errors import InputError

CACHE_FILE = ".build-cache.json"
EXECUTED, REUSED = "executed", "reused"


@dataclass(frozen=True)
class Outcome:
    """What happened to one notebook in this build."""

    slug: str
    status: str  # EXECUTED or REUSED
    seconds: float  # execution time of the run whose output the page shows


def default_workers() -> int:
    """One worker per core."""
    return os.cpu_count() or 1


def check_workers(workers: int | None) -> int:
    if workers is None:
        return default_workers()
    if workers < 1:
        raise InputError(
            f"must be a positive number of workers, got {workers}", parameter="--workers"
        )
    return workers


def _load_cache(generated: Path) -> dict[str, dict]:
    try:
        return json.loads((generated / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_cache(generated: Path, cache: dict[str, dict]) -> None:
    path = generated / CACHE_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(cache, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def _is_current(generated: Path, slug: str, key: str, cache: dict[str, dict]) -> bool:
    complete = (generated / f"{slug}.ipynb").is_file() and (
        generated / slug / runner.RUN_RECORD
    ).is_file()
    return complete and cache.get(slug, {}).get("key") == key


def _execute(slug: str, generated: str, notebooks: str) -> float:
    """Worker: run one notebook with its defaults; its execution time in seconds."""
    record = runner.run_notebook(slug, Path(generated), notebooks_dir=Path(notebooks))
    return record.seconds


def build(
    slugs: Sequence[str],
    generated: Path,
    notebooks: Path = runner.NOTEBOOKS_DIR,
    *,
    workers: int | None = None,
    force: bool = False,
    last: Sequence[str] = runner.RUN_LAST,
    report: Callable[[str], None] = print,
) -> list[Outcome]:
    """Execute (or reuse) every notebook of ``slugs`` into ``generated``; outcomes in order.

    The notebooks of ``last`` (pages that read the others' outputs) run after all the others.

    Raises :class:`~helpers.runner.NotebookFailed` (or :class:`InputError`) from the first
    notebook that failed, after the notebooks already running have finished; notebooks
    that finished keep their cache entries, so the next build resumes there.
    """
    workers = check_workers(workers)
    generated = Path(generated)
    generated.mkdir(parents=True, exist_ok=True)
    environment = runner.environment_digest()
    cache = {} if force else _load_cache(generated)
    order = runner.book_order(list(slugs), last)
    stages = [[s for s in order if s not in last], [s for s in order if s in last]]
    keys: dict[str, str] = {}
    outcomes: dict[str, Outcome] = {}
    workers = max(1, min(workers, len(order)))
    runner.ensure_kernel()  # once, before the workers start kernels
    # spawn, not fork: the parent may hold threads (HiGHS, ZeroMQ) that fork would copy
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        for stage in stages:
            upstream = dict(keys) if stage is stages[1] else None
            todo = []
            for slug in stage:
                values = runner.resolve_run_parameters(slug, notebooks_dir=notebooks)
                keys[slug] = runner.input_key(slug, values, environment, notebooks, upstream)
                if _is_current(generated, slug, keys[slug], cache):
                    seconds = float(cache[slug].get("seconds", 0.0))
                    outcomes[slug] = Outcome(slug, REUSED, seconds)
                    report(f"[book] {slug}: reused (inputs unchanged; ran in {seconds:.1f} s)")
                else:
                    todo.append(slug)
            _run_stage(pool, workers, todo, generated, notebooks, keys, cache, outcomes, report)
    return [outcomes[s] for s in order]


def _run_stage(pool, workers, todo, generated, notebooks, keys, cache, outcomes, report) -> None:
    """Run ``todo`` on ``pool``, at most ``workers`` at a time; stop starting after a failure."""
    running: dict[Future, tuple[str, float]] = {}
    pending = list(todo)
    failure: BaseException | None = None
    while pending or running:
        while pending and failure is None and len(running) < workers:
            slug = pending.pop(0)
            report(f"[book] {slug}: executing ...")
            future = pool.submit(_execute, slug, str(generated), str(notebooks))
            running[future] = (slug, time.perf_counter())
        if not running:
            break
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            slug, started = running.pop(future)
            try:
                seconds = future.result()
            except (runner.NotebookFailed, InputError) as exc:
                failure = failure or exc
                report(f"[book] {slug}: failed")
                continue
            cache[slug] = {"key": keys[slug], "seconds": seconds}
            _save_cache(generated, cache)
            outcomes[slug] = Outcome(slug, EXECUTED, seconds)
            wall = time.perf_counter() - started
            report(f"[book] {slug}: executed in {seconds:.1f} s ({wall:.1f} s with start-up)")
    if failure is not None:
        raise failure
