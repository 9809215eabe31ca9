"""Validation of DEA data: arrays or DataFrames in, strictly positive float matrices out.

Every model here is units-invariant, and the engine divides each column by its mean before
HiGHS sees it; what it cannot absorb is a column whose values span too many orders of
magnitude: HiGHS's feasibility tolerance (1e-7) then swamps the small entries and scores go
wrong or infeasible.  Measured on 30 units, a column spanning 1e7 gave the exact scores of
every model and 1e8 already changed VRS SBM scores, so a column may span at most
:data:`MAX_DEA_SPREAD` (a factor of a million, beyond any real provincial or city series).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.errors import InputError

MAX_DEA_SPREAD = 1e6
"""Largest ratio of a DEA column's largest to its smallest value."""


def as_matrix(
    data: object, name: str, *, n_rows: int | None = None, labels: Sequence[object] | None = None
) -> np.ndarray:
    """Copy ``data`` (array, DataFrame or Series; one row per unit) to a 2-D float array.

    Every entry must be finite and strictly positive (SBM, EBM and the Malmquist
    distances divide by the data); otherwise :class:`InputError` names the column and
    the offending rows (``labels`` if given, else the DataFrame index or row numbers).
    """
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        columns = [f"{name}:{c}" for c in data.columns]
        row_labels = list(data.index) if labels is None else list(labels)
        try:
            values = data.to_numpy(dtype=float, copy=True)
        except (TypeError, ValueError) as exc:
            raise InputError("DEA data must be numeric", column=name, hint=str(exc)) from None
    else:
        try:
            values = np.array(data, dtype=float, copy=True)
        except (TypeError, ValueError) as exc:
            raise InputError("DEA data must be numeric", column=name, hint=str(exc)) from None
        if values.ndim == 1:
            values = values[:, None]
        columns = [f"{name}[{j}]" for j in range(values.shape[1] if values.ndim == 2 else 0)]
        row_labels = list(range(len(values))) if labels is None else list(labels)
    if values.ndim != 2 or values.shape[1] == 0:
        raise InputError("must be a non-empty 2-D array (rows = units)", column=name)
    if values.shape[0] == 0:
        raise InputError("has no rows; DEA needs at least one unit", column=name)
    if n_rows is not None and values.shape[0] != n_rows:
        raise InputError(
            f"has {values.shape[0]} rows but the inputs have {n_rows}; every matrix needs one "
            "row per unit",
            column=name,
        )
    for j, column in enumerate(columns):
        col = values[:, j]
        bad = ~np.isfinite(col)
        if bad.any():
            raise InputError(
                "DEA data must be finite (no missing values)",
                column=column,
                rows=[row_labels[i] for i in np.flatnonzero(bad)],
                hint="drop or impute the missing observations before calling DEA",
            )
        bad = col <= 0
        if bad.any():
            raise InputError(
                "DEA data must be strictly positive",
                column=column,
                rows=[row_labels[i] for i in np.flatnonzero(bad)],
                hint="rescale or translate the variable, or drop the units",
            )
        low, high = col.min(), col.max()
        if high > MAX_DEA_SPREAD * low:
            raise InputError(
                f"DEA data may span at most a factor of {MAX_DEA_SPREAD:.0e} within a column "
                f"(the LP solver cannot resolve more); this one spans {high / low:.2g}, from "
                f"{low:.4g} to {high:.4g}",
                column=column,
                rows=[row_labels[int(np.argmin(col))], row_labels[int(np.argmax(col))]],
                hint="Check the unit of these cells (a typing or unit error is the usual cause)",
            )
    return values


def reference_mask(reference: object, n: int) -> np.ndarray:
    """Boolean mask of the rows that span the technology (``None`` = all rows)."""
    if reference is None:
        return np.ones(n, dtype=bool)
    ref = np.asarray(reference)
    if ref.dtype == bool:
        if ref.shape != (n,):
            raise InputError(f"a boolean mask must have {n} entries", column="reference")
        mask = ref.copy()
    else:
        if ref.ndim != 1 or not np.issubdtype(ref.dtype, np.integer):
            raise InputError(
                "must be a boolean mask or an array of integer row positions", column="reference"
            )
        if ((ref < 0) | (ref >= n)).any():
            raise InputError(f"row positions must lie in [0, {n})", column="reference")
        mask = np.zeros(n, dtype=bool)
        mask[ref] = True
    if not mask.any():
        raise InputError("selects no rows; the technology needs at least one", column="reference")
    return mask
