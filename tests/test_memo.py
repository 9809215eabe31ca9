"""helpers.memo: an identical call is served from the cache, anything else is computed."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import dea, memo


@pytest.fixture(autouse=True)
def _cache_on():
    """tests/conftest.py turns the cache off for every test; these test it."""
    with memo.enabled():
        yield


def counting(maxsize: int = 8, ignore: tuple[str, ...] = ()):
    """A memoized function that counts its real calls and warns once per real call."""
    calls = []

    @memo.memoize(maxsize=maxsize, ignore=ignore)
    def total(frame, scale=1.0, workers=None, options=None):
        calls.append(1)
        warnings.warn("computed", UserWarning, stacklevel=2)
        return {"sum": frame.to_numpy().sum() * scale, "frame": frame * scale}

    return total, calls


FRAME = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]}, index=[10, 11, 12])


def test_an_identical_call_is_served_from_the_cache_with_its_warnings():
    total, calls = counting()
    with pytest.warns(UserWarning, match="computed"):
        first = total(FRAME, 2.0)
    with pytest.warns(UserWarning, match="computed"):  # raised again on the hit
        second = total(FRAME.copy(), 2.0)
    assert len(calls) == 1
    assert second["sum"] == first["sum"] == 42.0
    second["frame"].iloc[0, 0] = -1.0  # a caller's edit stays its own
    with pytest.warns(UserWarning):
        assert total(FRAME, 2.0)["frame"].iloc[0, 0] == 2.0


@pytest.mark.parametrize(
    "changed",
    [
        FRAME.assign(a=[1.0, 2.0, 3.5]),  # one cell
        FRAME.set_axis([10, 11, 13]),  # the index
        FRAME.rename(columns={"b": "c"}),  # a label
        FRAME.astype({"a": "float32"}),  # a dtype
    ],
)
def test_any_change_in_content_is_computed_afresh(changed):
    total, calls = counting()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        total(FRAME)
        total(changed)
        total(FRAME, 1.5)
        total(FRAME, options={"rts": "vrs"})
    assert len(calls) == 4


def test_an_argument_without_a_content_key_bypasses_the_cache():
    class Opaque:
        pass

    @dataclass  # not frozen: it could change after the call
    class Mutable:
        rts: str = "crs"

    total, calls = counting()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for options in (Opaque(), Opaque(), Mutable(), Mutable()):
            total(FRAME, options=options)
    assert len(calls) == 4


def test_ignored_arguments_disabled_blocks_eviction_and_clear():
    total, calls = counting(maxsize=2, ignore=("workers",))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        total(FRAME, workers=1)
        total(FRAME, workers=2)  # a hit: workers is not in the key
        assert len(calls) == 1
        with memo.disabled():
            total(FRAME)
        assert len(calls) == 2
        total(FRAME, 2.0)
        total(FRAME, 3.0)  # evicts scale=1.0 (maxsize 2)
        total(FRAME)
        assert len(calls) == 5
        memo.clear()
        total(FRAME)
        assert len(calls) == 6


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=12))
def test_content_keys_are_equal_exactly_when_the_arrays_are(values):
    a = np.array(values)
    assert memo.content_key(a) == memo.content_key(a.copy())
    b = a.copy()
    b[0] = np.nextafter(b[0], np.inf)
    assert memo.content_key(a) != memo.content_key(b)


def test_dea_from_the_cache_equals_dea_solved_afresh():
    rng = np.random.default_rng(3)
    panel = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(8), 3),
            "year": np.tile([2001, 2002, 2003], 8),
            "x": rng.uniform(1, 2, 24),
            "y": rng.uniform(1, 2, 24),
            "b": rng.uniform(1, 2, 24),
        }
    )
    args = (panel, "x", "y", "b")
    cached = [dea.gml(*args, unit="unit", time="year", model="sbm") for _ in range(2)]
    with memo.disabled():
        fresh = dea.gml(*args, unit="unit", time="year", model="sbm")
    pd.testing.assert_frame_equal(cached[0], fresh, check_exact=True)
    pd.testing.assert_frame_equal(cached[1], fresh, check_exact=True)
