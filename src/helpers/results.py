"""Tidy results writer: one row per replicated table cell, keyed like the published cells.

Columns are exactly ``paper, table, column, row, stat, value, stars`` -- the
keys of ``data/published/published_results.csv`` (see :mod:`helpers.published`)
-- so that ``replicated.merge(published, on=CELL_KEYS)`` pairs every replicated
cell with its printed counterpart.  ``stars`` is the number of stars (1-3) on a
coefficient under the shared convention (:func:`helpers.inference.star_count`)
and empty otherwise, as in the published file; ``value`` is written at full
precision (rounding is the comparison's job).

A published cell that a replication cannot produce (a statistic the method does
not define, a regression the reader's data cannot support) still gets a row: an
empty ``value`` and the reason in the optional eighth column ``note``
(:func:`unavailable_cells`).  :func:`missing_keys` lists published cells with no
row at all, so a chapter can prove it covers its paper.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.inference import star_count
from helpers.published import CELL_KEYS

RESULT_COLUMNS = [*CELL_KEYS, "value", "stars"]
NOTE_COLUMN = "note"
"""Optional column: why a cell has no value (written only when some frame carries it)."""
TERM_STATS = ("coef", "se", "t", "p")


class Estimate(Protocol):
    """Anything with Stata-style coefficient output (FEResult, IVResult)."""

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series


def fit_cells(
    fit: Estimate,
    *,
    paper: str,
    table: str,
    column: str,
    terms: Mapping[str, str] | Sequence[str],
    stats: Sequence[str] = ("coef", "se"),
    model_stats: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Tidy cells of one estimated column.

    ``terms`` maps model term -> printed row label (a sequence keeps the names);
    ``stats`` chooses among coef/se/t/p for each term; ``model_stats`` maps a
    printed row label (``"N"``, ``"Adj. R2"``, ``"Kleibergen-Paap rk Wald F statistic"``)
    to its value, written with ``stat = "value"``.
    """
    for s in stats:
        check_choice("stats", s, TERM_STATS)
    labels = dict(terms) if isinstance(terms, Mapping) else {t: t for t in terms}
    missing = [t for t in labels if t not in fit.params.index]
    if missing:
        raise InputError(
            "term not in the estimated model",
            column=", ".join(missing),
            hint=f"terms: {', '.join(fit.params.index)}",
        )
    source = {"coef": fit.params, "se": fit.bse, "t": fit.tvalues, "p": fit.pvalues}
    rows = []
    for term, label in labels.items():
        for s in stats:
            n_stars = int(star_count(fit.pvalues[term])) if s == "coef" else 0
            rows.append((paper, table, column, label, s, float(source[s][term]), n_stars))
    for label, value in (model_stats or {}).items():
        rows.append((paper, table, column, label, "value", float(value), 0))
    cells = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    cells["stars"] = cells["stars"].astype("Int64").replace(0, pd.NA)
    return cells


def validate_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Check columns, unique keys and values; return the cells in column order.

    Every value must be a finite number, or empty with a non-empty ``note``
    saying why the cell cannot exist.  ``note`` is kept (empty strings where
    unused) when the input has it.
    """
    missing = [c for c in RESULT_COLUMNS if c not in cells.columns]
    if missing:
        raise InputError("results lack required columns", column=", ".join(missing))
    has_note = NOTE_COLUMN in cells.columns
    out = cells.loc[:, RESULT_COLUMNS + ([NOTE_COLUMN] if has_note else [])].copy()
    dup = out.duplicated(CELL_KEYS, keep=False)
    if dup.any():
        keys = out.loc[dup, CELL_KEYS].astype(str).agg("/".join, axis=1).tolist()
        raise InputError("each cell key may appear once", column="row", rows=keys)
    values = pd.to_numeric(out["value"], errors="coerce")
    if has_note:
        out[NOTE_COLUMN] = out[NOTE_COLUMN].fillna("").astype(str)
        explained = out[NOTE_COLUMN].str.strip().ne("") & values.isna()
    else:
        explained = pd.Series(False, index=out.index)
    bad = ~np.isfinite(values.to_numpy(float)) & ~explained.to_numpy()
    if bad.any():
        keys = out.loc[bad, CELL_KEYS].astype(str).agg("/".join, axis=1).tolist()
        raise InputError(
            "value must be a finite number (or empty with a note saying why)",
            column="value",
            rows=keys,
        )
    out["value"] = values
    return out


def unavailable_cells(keys: pd.DataFrame, reason: str) -> pd.DataFrame:
    """Rows for cells that cannot exist: the given keys, an empty value and ``reason``.

    ``keys`` holds at least :data:`~helpers.published.CELL_KEYS`, typically the
    published cells the replication cannot produce.
    """
    if not str(reason).strip():
        raise InputError("a cell without a value needs a reason", parameter="reason")
    missing = [c for c in CELL_KEYS if c not in keys.columns]
    if missing:
        raise InputError("keys lack required columns", column=", ".join(missing))
    out = keys.loc[:, CELL_KEYS].copy().reset_index(drop=True)
    out["value"] = np.nan
    out["stars"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out[NOTE_COLUMN] = str(reason)
    return out


def missing_keys(replicated: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Published cell keys that have no row in ``replicated`` (empty when all are covered)."""
    pub = published.loc[:, CELL_KEYS].astype(str).drop_duplicates()
    rep = replicated.loc[:, CELL_KEYS].astype(str)
    merged = pub.merge(rep, on=CELL_KEYS, how="left", indicator=True)
    return merged.loc[merged["_merge"] == "left_only", CELL_KEYS].reset_index(drop=True)


def write_results(cells: pd.DataFrame | Sequence[pd.DataFrame], path: str | Path) -> Path:
    """Write tidy cells (one frame or several) to CSV with exactly :data:`RESULT_COLUMNS`.

    A ``note`` column is added when any frame has one (empty where unused).
    """
    frame = cells if isinstance(cells, pd.DataFrame) else pd.concat(list(cells), ignore_index=True)
    frame = validate_cells(frame)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format="%.17g")
    return path


def read_results(path: str | Path) -> pd.DataFrame:
    """Read a results file written by :func:`write_results` (stars as nullable integers)."""
    frame = pd.read_csv(path, dtype={c: str for c in CELL_KEYS} | {NOTE_COLUMN: str})
    frame["stars"] = frame["stars"].astype("Int64")
    return validate_cells(frame)


def descriptive_cells(
    descriptives: pd.DataFrame,
    *,
    paper: str,
    table: str,
    column_labels: Mapping[str, str],
    row_labels: Mapping[str, str],
) -> pd.DataFrame:
    """A descriptive-statistics table as tidy cells.

    ``descriptives`` has one row per variable and one column per statistic (obs, mean,
    sd, ...); ``column_labels`` maps a statistic to the printed column label and
    ``row_labels`` a variable to the printed row label. Descriptive cells carry no stars.
    """
    desc = descriptives.stack().rename("value").reset_index()
    desc.columns = ["variable", "stat", "value"]
    return pd.DataFrame(
        {
            "paper": paper,
            "table": table,
            "column": desc["stat"].map(column_labels),
            "row": desc["variable"].map(row_labels),
            "stat": desc["stat"],
            "value": desc["value"].astype(float),
            "stars": pd.array([pd.NA] * len(desc), dtype="Int64"),
        }
    )


def regression_cells(
    fits: Mapping[tuple[str, str], Estimate],
    failures: Mapping[tuple[str, str], str],
    published: pd.DataFrame,
    *,
    paper: str,
    row_labels: Mapping[str, str],
    model_stats: Callable[[Estimate], Mapping[str, float]],
    tables: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Tidy cells of regression columns keyed ``(table, column)`` (all, or those of ``tables``).

    Each fitted column contributes the rows the paper prints for it: the terms of
    ``row_labels`` (model term -> printed row) and the statistics of ``model_stats(fit)``
    (printed row -> value) that ``published`` has for that column. A column in
    ``failures`` contributes its published keys with an empty value and the reason.
    """
    pub = published[published["paper"] == paper]
    wanted = (lambda table: True) if tables is None else (lambda table: table in tables)
    parts = []
    for (table, column), fit in fits.items():
        if not wanted(table):
            continue
        labels = set(pub.loc[(pub["table"] == table) & (pub["column"] == column), "row"])
        terms = {t: lab for t, lab in row_labels.items() if lab in labels and t in fit.params}
        stats = {k: v for k, v in model_stats(fit).items() if k in labels}
        parts.append(
            fit_cells(fit, paper=paper, table=table, column=column, terms=terms, model_stats=stats)
        )
    for (table, column), reason in failures.items():
        if wanted(table):
            printed = pub[(pub["table"] == table) & (pub["column"] == column)]
            parts.append(unavailable_cells(printed, f"not estimable on these data: {reason}"))
    return pd.concat(parts, ignore_index=True)
