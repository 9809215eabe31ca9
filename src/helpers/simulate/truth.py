"""The known truth of a simulated seed: the value each published coefficient targets on that
seed's data, as a tidy table keyed like the result cells (table, column, row).

A planted effect reaches a measured outcome through a DEA frontier, an entropy or PCA index,
winsorizing or an absolute value, so the structural slope of the generating process is not
what a regression on the measured variables estimates. The honest target is the *per-seed
estimand*: the same draws are simulated twice, as they are and in a *null world* with the
effect switched off (``effect_scale=0`` and, where a paper has them, the other paths of the
regressor), both are measured as the chapter measures them, and the column's own estimator
is applied to the difference of the two measured outcomes with the observed regressors:

    truth_c = estimator_c(y - y_null ; X)

For a linear estimator (OLS with absorbed effects, 2SLS) this is the part of the estimate
that the planted effect produces; the rest, ``estimator_c(y_null ; X)``, is the noise and
the bias of the method (reverse causality, an omitted trend, a folded outcome). Each paper's
``calibration.truth(seed, **knobs)`` builds its null worlds and states its choices; this
module holds the pieces they share. It imports no paper.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.errors import InputError
from helpers.paths import PUBLISHED_CSV

TRUTH_COLUMNS = ["table", "column", "row", "truth"]
"""The columns of a truth table: the published cell's keys and the value it targets."""


def core_cells(paper: str, rows: Iterable[str]) -> list[tuple[str, str, str]]:
    """The core coefficients of ``paper`` (its file stem): every published coefficient whose
    row is one of ``rows`` (the paper's core regressors), as (table, column, row) in the
    order of the published file."""
    cells = pd.read_csv(PUBLISHED_CSV, dtype=str)
    cells = cells[
        (cells["paper"] == paper) & (cells["stat"] == "coef") & cells["row"].isin(list(rows))
    ]
    return list(zip(cells["table"], cells["column"], cells["row"], strict=True))


def effect_part(
    actual: pd.DataFrame,
    null: pd.DataFrame,
    outcomes: Sequence[str],
    keys: Sequence[str],
) -> tuple[pd.DataFrame, frozenset[str]]:
    """``actual`` with each of ``outcomes`` replaced by ``actual - null``, and the outcomes
    whose difference is identically zero.

    Both frames are measured panels of the same draws, so their rows must carry the same
    ``keys`` (unit and year) in the same order; anything else would silently pair different
    unit-years, and raises :class:`InputError`. An outcome the effect does not move cannot
    be fitted (it has no variance) and needs no fit: its target is 0 whatever the
    estimator. It keeps its actual values in the frame, so that every column can still be
    estimated in one pass, and is returned in the second element; the coefficients of its
    columns are then set to 0 (:func:`coefficient_rows`).
    """
    keys = list(keys)
    if len(actual) != len(null) or not actual[keys].reset_index(drop=True).equals(
        null[keys].reset_index(drop=True)
    ):
        raise InputError(
            "the actual and the null world are not measured on the same unit-years",
            column=", ".join(keys),
        )
    out, zero = actual.copy(), set()
    for name in outcomes:
        effect = actual[name].to_numpy(float) - null[name].to_numpy(float)
        if np.any(np.nan_to_num(effect)):
            out[name] = effect
        else:
            zero.add(name)
    return out, frozenset(zero)


def same_panel(first: pd.DataFrame, second: pd.DataFrame) -> bool:
    """Whether two raw panels are identical: then every effect part is zero and so is every
    truth, without measuring either (the null world of a run with the effect already off)."""
    return first.shape == second.shape and first.equals(second)


def truth_table(rows: Iterable[tuple[str, str, str, float]]) -> pd.DataFrame:
    """A truth table from ``(table, column, row, truth)`` tuples, in the given order."""
    frame = pd.DataFrame(list(rows), columns=TRUTH_COLUMNS)
    frame["truth"] = frame["truth"].astype(float)
    return frame


def zero_truth(cells: Iterable[tuple[str, str, str]]) -> pd.DataFrame:
    """The truth table of a world whose null world is itself: every target is exactly 0."""
    return truth_table((t, c, r, 0.0) for t, c, r in cells)


def coefficient_rows(
    fits: Mapping[tuple[str, str], object],
    terms: Mapping[tuple[str, str], Mapping[str, str]],
    zero: Iterable[tuple[str, str]] = (),
) -> list[tuple[str, str, str, float]]:
    """``(table, column, row, coefficient)`` for each published column of ``terms`` (key ->
    model term -> printed row) that has a fit; the columns of ``zero`` (whose outcome the
    effect does not move) get 0, and a column without a fit is left out."""
    zero = set(zero)
    rows = []
    for key, labels in terms.items():
        fit = fits.get(key)
        if fit is None and key not in zero:
            continue
        for term, row in labels.items():
            value = 0.0 if key in zero else float(np.asarray(fit.params[term]))
            rows.append((*key, row, value))
    return rows
