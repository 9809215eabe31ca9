"""Property: random malformed input to a library function gives a result or an InputError,
never another exception (numpy's, pandas', linearmodels', statsmodels' or HiGHS's)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import dea
from helpers.did import placebo_permutation, twfe_did
from helpers.errors import InputError
from helpers.fixed_effects import fe_ols
from helpers.iv import fe_iv
from helpers.psm import psmatch

AWKWARD = [0.0, -1.0, 1e-300, 1e300, -1e300, np.nan, np.inf, -np.inf, 2e15, "abc", "2011 "]


@st.composite
def frames(draw) -> pd.DataFrame:
    """Small panels, mostly well formed, with a few awkward cells: keys that repeat or go
    missing, constant, huge, non-finite or text values, zero to 24 rows."""
    n = draw(st.integers(min_value=0, max_value=24))
    units = draw(st.integers(min_value=1, max_value=6))
    ids = [i % units for i in range(n)]
    times = [2010 + i // units for i in range(n)]
    frame = pd.DataFrame({"id": ids, "t": times})
    rng = np.random.default_rng(draw(st.integers(min_value=0, max_value=2**16)))
    for column in ("y", "x", "z", "w"):
        kind = draw(st.sampled_from(["normal", "normal", "normal", "positive", "constant"]))
        values = rng.normal(size=n) if kind == "normal" else rng.uniform(1, 2, size=n)
        frame[column] = values if kind != "constant" else 1.0
    frame["d"] = (rng.random(n) < 0.5).astype(float)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        if n == 0:
            break
        row = draw(st.integers(min_value=0, max_value=n - 1))
        column = draw(st.sampled_from(["id", "t", "y", "x", "z", "w", "d"]))
        value = draw(st.sampled_from([*AWKWARD, None, 0.5, 3]))
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
    if n and draw(st.booleans()):
        frame = pd.concat([frame, frame.iloc[[draw(st.integers(0, n - 1))]]], ignore_index=True)
    return frame


CALLS = {
    "fe_ols": lambda f: fe_ols(f, "y", ["x"], ["id"]),
    "fe_ols cluster": lambda f: fe_ols(
        f, "y", ["x", "w"], ["id", "t"], vcov="cluster", cluster="id"
    ),
    "fe_ols no fe robust": lambda f: fe_ols(f, "y", ["x"], vcov="robust"),
    "fe_iv": lambda f: fe_iv(f, "y", ["x"], ["z"], ["w"], ["id"]),
    "fe_iv cluster": lambda f: fe_iv(f, "y", ["x"], ["z"], vcov="cluster", cluster="id"),
    "twfe_did": lambda f: twfe_did(f, "y", "d", "id", "t"),
    "psmatch": lambda f: psmatch(f, "d", ["x"], "y"),
    "placebo_permutation": lambda f: placebo_permutation(
        f, "y", "d", fe=["id"], draws=3, cluster="id"
    ),
    "dea.efficiency": lambda f: dea.efficiency(f[["x", "z"]], f[["y"]]),
    "dea.efficiency super": lambda f: dea.efficiency(f[["x"]], f[["y"]], super_efficiency=True),
    "dea.malmquist": lambda f: dea.malmquist(f, "x", "y", unit="id", time="t"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(frame=frames())
def test_malformed_input_gives_a_result_or_an_input_error(name, frame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            CALLS[name](frame)
        except InputError:
            pass
