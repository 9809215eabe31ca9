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
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from helpers.errors import InputError

T = TypeVar("T")

# Set by :func:`one_thread`: the default number of threads in this context.
_DEFAULT_LIMIT: ContextVar[int | None] = ContextVar("dea_default_workers", default=None)


def default_workers() -> int:
    """``min(2, os.cpu_count())``: the tasks are short, so more threads rarely pay off;
    1 inside :func:`one_thread`."""
    limit = _DEFAULT_LIMIT.get()
    return limit if limit is not None else min(2, os.cpu_count() or 1)


@contextmanager
def one_thread() -> Iterator[None]:
    """Inside the block, ``workers=None`` means one thread: for code that already has one
    core of its own, such as a sweep task on a worker process per core, where more threads
    would only compete. An explicit ``workers`` is still obeyed."""
    token = _DEFAULT_LIMIT.set(1)
    try:
        yield
    finally:
        _DEFAULT_LIMIT.reset(token)


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
