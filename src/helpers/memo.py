"""Remember the last results of an expensive pure function, keyed by the content of its
arguments.

A chapter measures the same panel several times with options the expensive step does not
read (the PCA variant, GTFP as a level or an index, a sample split); the DEA frontier of
each call is the same. :func:`memoize` keeps the last few results of a function such as
:func:`helpers.dea.gml`, keyed by a hash of the arguments' *content* (arrays and frames
by their bytes, index and labels), so that an identical call returns a copy of the stored
result instead of solving thousands of linear programmes again.

Nothing can come back wrong from the cache:
- an argument of a type the key cannot describe by content (any object but arrays,
  frames, series, scalars, strings, ``None``, and tuples, lists, dicts and frozen
  dataclasses of these) makes the call bypass it;
- a result is returned as a deep copy, so a caller that edits it edits its own;
- the warnings the first call raised are raised again, in order, on every hit.

``with memo.disabled():`` runs the functions afresh (benchmarks time the work, not the
cache, and the test suite checks computations, not the cache: tests/conftest.py);
``with memo.enabled():`` undoes it inside; :func:`clear` empties every cache.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

import numpy as np
import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])

_state = threading.local()
_caches: list[OrderedDict] = []


class _Unkeyable(Exception):
    """An argument whose content the key cannot describe."""


def _feed(digest: Any, value: object) -> None:
    """Add ``value``'s type and content to ``digest`` (raise :class:`_Unkeyable`)."""
    digest.update(type(value).__qualname__.encode())
    if value is None or isinstance(value, bool | int | float | complex | str | bytes):
        digest.update(repr(value).encode())
    elif isinstance(value, np.ndarray):
        if value.dtype == object:
            raise _Unkeyable
        digest.update(f"{value.dtype.str}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        digest.update(repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode())
        try:
            rows = pd.util.hash_pandas_object(frame, index=True).to_numpy()
        except TypeError:  # cells pandas cannot hash (lists, say)
            raise _Unkeyable from None
        digest.update(rows.tobytes())
    elif isinstance(value, tuple | list):
        digest.update(str(len(value)).encode())
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):
        for key in sorted(value, key=repr):
            _feed(digest, key)
            _feed(digest, value[key])
    elif dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen:
        for field in dataclasses.fields(value):
            _feed(digest, field.name)
            _feed(digest, getattr(value, field.name))
    else:
        raise _Unkeyable


def content_key(*args: object, **kwargs: object) -> str | None:
    """A hash of the arguments' content, or ``None`` when one of them has no content key."""
    digest = hashlib.sha256()
    try:
        _feed(digest, args)
        _feed(digest, kwargs)
    except _Unkeyable:
        return None
    return digest.hexdigest()


def memoize(maxsize: int = 8, ignore: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Keep the ``maxsize`` most recent results of the decorated function (see the module
    docstring); keyword arguments named in ``ignore`` (e.g. a thread count that does not
    change the result) are left out of the key."""

    def decorate(function: F) -> F:
        cache: OrderedDict[str, tuple[object, list[warnings.WarningMessage]]] = OrderedDict()
        _caches.append(cache)
        lock = threading.Lock()

        @functools.wraps(function)
        def wrapper(*args: object, **kwargs: object) -> object:
            if getattr(_state, "disabled", False):
                return function(*args, **kwargs)
            kept = {k: v for k, v in kwargs.items() if k not in ignore}
            key = content_key(function.__qualname__, args, kept)
            if key is None:
                return function(*args, **kwargs)
            with lock:
                hit = cache.get(key)
                if hit is not None:
                    cache.move_to_end(key)
            if hit is None:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    result = function(*args, **kwargs)
                hit = (result, list(caught))
                with lock:
                    cache[key] = hit
                    while len(cache) > maxsize:
                        cache.popitem(last=False)
            result, raised = hit
            for w in raised:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            return copy.deepcopy(result)

        return wrapper  # type: ignore[return-value]

    return decorate


@contextmanager
def _switched(disable: bool) -> Iterator[None]:
    before = getattr(_state, "disabled", False)
    _state.disabled = disable
    try:
        yield
    finally:
        _state.disabled = before


def disabled() -> AbstractContextManager[None]:
    """Run memoized functions afresh inside the block (in this thread)."""
    return _switched(True)


def enabled() -> AbstractContextManager[None]:
    """Use the caches inside the block (in this thread), as outside any :func:`disabled`."""
    return _switched(False)


def clear() -> None:
    """Empty every cache."""
    for cache in _caches:
        cache.clear()
