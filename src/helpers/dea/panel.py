"""Panel plumbing shared by the productivity indices: validation and per-period frontiers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from helpers.dea.data import as_matrix
from helpers.dea.efficiency import infeasibility_reason, warn_infeasible
from helpers.dea.parallel import run_tasks
from helpers.dea.technology import ModelSpec, Technology
from helpers.errors import InputError


@dataclass(frozen=True)
class Panel:
    """Validated unit-period data; ``period`` codes 0..T-1 follow the sorted time values."""

    X: np.ndarray
    Y: np.ndarray
    B: np.ndarray
    period: np.ndarray
    previous: np.ndarray  # row of the same unit in the previous period, -1 if none
    keys: pd.DataFrame  # unit and time columns, in the caller's row order


def _names(value: str | Sequence[str], role: str) -> list[str]:
    names = [value] if isinstance(value, str) else list(value)
    if not names and role != "bad":
        raise InputError("needs at least one column", column=role)
    return names


def _stripped(labels: pd.Series) -> pd.Series:
    """Labels with surrounding blanks removed from text (``"2001 "`` is period 2001)."""
    return labels.map(lambda v: v.strip() if isinstance(v, str) else v)


def read_panel(
    df: pd.DataFrame,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bads: str | Sequence[str] = (),
    *,
    unit: str,
    time: str,
) -> Panel:
    """Validate the columns, the unit-time keys and the data of a DEA panel.

    Times must be numeric (text such as ``"2001 "`` is read as the number); unit labels
    and times are compared without surrounding blanks, so ``"2001 "`` and ``2001`` are one
    period.  ``keys`` keeps the caller's own values.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError("must be a pandas DataFrame", column="df")
    x_cols = _names(inputs, "inputs")
    y_cols = _names(outputs, "outputs")
    b_cols = _names(bads, "bad")
    missing = [c for c in [*x_cols, *y_cols, *b_cols, unit, time] if c not in df.columns]
    if missing:
        raise InputError(
            f"not found in the DataFrame (columns: {', '.join(map(str, df.columns))})",
            column=", ".join(map(str, missing)),
        )
    keys = df[[unit, time]].reset_index(drop=True)
    if keys.isna().any().any():
        rows = keys.index[keys.isna().any(axis=1)]
        raise InputError("unit and time must not be missing", column=f"{unit}/{time}", rows=rows)
    units, times = _stripped(keys[unit]), _stripped(keys[time])
    labels = [f"{u}-{t}" for u, t in zip(units, times, strict=True)]
    periods = pd.to_numeric(times, errors="coerce")
    if periods.isna().any():
        raise InputError(
            "time must hold numeric periods (years)",
            column=time,
            rows=[label for label, bad in zip(labels, periods.isna(), strict=True) if bad],
        )
    dup = pd.DataFrame({"unit": units, "period": periods}).duplicated(keep=False)
    if dup.any():
        raise InputError(
            "each unit may appear once per period",
            column=f"{unit}/{time}",
            rows=[label for label, bad in zip(labels, dup, strict=True) if bad],
            hint="labels are compared without surrounding blanks and times as numbers",
        )
    X = as_matrix(df[x_cols], "inputs", labels=labels)
    Y = as_matrix(df[y_cols], "outputs", labels=labels)
    B = as_matrix(df[b_cols], "bad", labels=labels) if b_cols else np.zeros((len(df), 0))
    period = np.searchsorted(np.sort(periods.unique()), periods.to_numpy())
    unit_code = pd.factorize(units)[0]
    row_of = {(u, p): i for i, (u, p) in enumerate(zip(unit_code, period, strict=True))}
    previous = np.array(
        [row_of.get((u, p - 1), -1) for u, p in zip(unit_code, period, strict=True)]
    )
    return Panel(X, Y, B, period, previous, keys)


def frontier_scores(
    panel: Panel,
    spec: ModelSpec,
    D: np.ndarray | None = None,
    *,
    cross: bool = True,
    pooled: bool = False,
    workers: int = 1,
) -> dict[str, np.ndarray]:
    """Scores of every row against its own period's frontier (``own``) and, with ``cross``,
    against the previous (``prev_tech``) and next (``next_tech``) periods' frontiers (NaN
    where absent); with ``pooled`` also against the frontier of all periods pooled
    (``global``, Pastor & Lovell 2005).

    Each frontier is one task with its own HiGHS models, run on up to ``workers`` threads;
    the scores do not depend on ``workers``.
    """
    n = len(panel.X)
    rows_by_period = [np.flatnonzero(panel.period == p) for p in range(panel.period.max() + 1)]
    last = len(rows_by_period) - 1

    def evaluate(tech: Technology, rows: np.ndarray, own: bool) -> np.ndarray:
        self_pos = np.arange(len(rows)) if own else np.full(len(rows), -1)
        Dr = None if D is None else D[rows]
        return tech.scores(panel.X[rows], panel.Y[rows], panel.B[rows], Dr, self_pos)

    def pooled_frontier() -> list[tuple[str, np.ndarray, np.ndarray]]:
        tech = Technology(spec, panel.X, panel.Y, panel.B)
        everyone = np.arange(n)
        return [("global", everyone, evaluate(tech, everyone, own=True))]

    def period_frontier(p: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
        rows = rows_by_period[p]
        tech = Technology(spec, panel.X[rows], panel.Y[rows], panel.B[rows])
        done = [("own", rows, evaluate(tech, rows, own=True))]
        if cross and p > 0:
            before = rows_by_period[p - 1]
            done.append(("next_tech", before, evaluate(tech, before, own=False)))
        if cross and p < last:
            after = rows_by_period[p + 1]
            done.append(("prev_tech", after, evaluate(tech, after, own=False)))
        return done

    # the pooled frontier is the longest task: start it first
    tasks = [pooled_frontier] if pooled else []
    tasks += [partial(period_frontier, p) for p in range(last + 1)]
    names = ["own", *(["prev_tech", "next_tech"] if cross else []), *(["global"] if pooled else [])]
    out = {name: np.full(n, np.nan) for name in names}
    for done in run_tasks(tasks, workers):
        for name, rows, values in done:
            out[name][rows] = values
    computed = [out["own"]]
    if cross:
        computed += [out["prev_tech"][panel.period > 0], out["next_tech"][panel.period < last]]
    reason = infeasibility_reason(spec, outside_reference=cross, cross=cross)
    warn_infeasible(np.concatenate(computed), f"{spec.model} period-frontier", reason)
    if pooled:
        reason = infeasibility_reason(spec, outside_reference=False, cross=False)
        warn_infeasible(out["global"], f"{spec.model} global-frontier", reason)
    return out
