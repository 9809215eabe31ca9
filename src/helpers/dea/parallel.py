"""Running independent DEA programmes on several threads.

HiGHS releases the GIL while it solves, so threads give real parallelism.  Every task
owns its HiGHS models and the split into tasks depends only on the data (never on the
number of workers or on thread scheduling), so scores are bit-for-bit the same for any
``workers``.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from helpers.errors import InputError

T = TypeVar("T")


def default_workers() -> int:
    """``min(2, os.cpu_count())``: the tasks are short, so more threads rarely pay off."""
    return min(2, os.cpu_count() or 1)


def check_workers(workers: int | None) -> int:
    """Validate the ``workers`` parameter (None = :func:`default_workers`)."""
    if workers is None:
        return default_workers()
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
        raise InputError("must be a positive integer or None", parameter="workers")
    return int(workers)


def run_tasks(tasks: Sequence[Callable[[], T]], workers: int) -> Iterator[T]:
    """Results of ``tasks``, in their order, computed on up to ``workers`` threads."""
    if workers == 1 or len(tasks) < 2:
        yield from (task() for task in tasks)
        return
    with ThreadPoolExecutor(min(workers, len(tasks)), thread_name_prefix="dea") as pool:
        yield from pool.map(lambda task: task(), tasks)
