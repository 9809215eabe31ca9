"""Panel preparation: keys, capital stocks, deflation, gaps, lags and winsorizing.

Every function takes a long DataFrame with one row per ``(unit, time)`` key, names
the key columns explicitly (``unit=``, ``time=``), never modifies its input and
raises :class:`helpers.errors.InputError` naming the column, the offending
unit-year keys and the rule. Time must be integer-valued (years); a "gap" is a
year missing between a unit's first and last year.

Missing cells are never passed on silently: functions either raise (the
default, naming the rows) or, where the caller asks for it, report exactly
which cells are missing or were filled.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice

__all__ = [
    "BalanceReport",
    "Interpolation",
    "chain_to_level",
    "check_balanced",
    "deflate",
    "interpolate_within",
    "lag",
    "lead",
    "perpetual_inventory",
    "stata_percentile",
    "validate_panel",
    "winsorize",
]


# --------------------------------------------------------------------------- keys
def _require_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InputError(
            "column not found in the data",
            column=", ".join(map(str, missing)),
            hint=f"available columns: {', '.join(map(str, data.columns))}",
        )


def _keys(data: pd.DataFrame, mask: pd.Series | np.ndarray, unit: str, time: str) -> list[tuple]:
    rows = data.loc[np.asarray(mask, dtype=bool), [unit, time]]
    return list(rows.itertuples(index=False, name=None))


def validate_panel(data: pd.DataFrame, *, unit: str, time: str) -> None:
    """Check that ``unit`` and ``time`` exist, are complete, integer years and unique keys.

    Raises
    ------
    InputError
        Naming the missing key cells, the non-integer years or the duplicated
        unit-year keys.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("must be a pandas DataFrame", parameter="data")
    _require_columns(data, [unit, time])
    for key in (unit, time):
        bad = data[key].isna()
        if bad.any():
            raise InputError(
                "panel keys may not be missing",
                column=key,
                rows=list(data.index[bad]),
                hint="drop or fill these rows first",
            )
    t = pd.to_numeric(data[time], errors="coerce")
    not_int = t.isna() | (t != np.round(t))
    if not_int.any():
        raise InputError(
            "time must hold integer periods (years)",
            column=time,
            rows=list(data.index[not_int]),
        )
    dup = data.duplicated([unit, time], keep=False)
    if dup.any():
        raise InputError(
            "duplicate unit-year keys; each (unit, time) must appear once",
            column=f"{unit}, {time}",
            rows=sorted(set(_keys(data, dup, unit, time))),
        )


def _numeric(data: pd.DataFrame, column: str, unit: str, time: str, *, allow_na: bool) -> pd.Series:
    """Column as float; non-numeric cells always raise, missing ones unless ``allow_na``."""
    raw = data[column]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    not_numeric = values.isna() & raw.notna()
    if not_numeric.any():
        raise InputError(
            "must be numeric", column=column, rows=_keys(data, not_numeric, unit, time)
        )
    if not allow_na and values.isna().any():
        raise InputError(
            "has missing cells",
            column=column,
            rows=_keys(data, values.isna(), unit, time),
            hint="fill them (e.g. interpolate_within) or drop these rows first",
        )
    return values


def _keep_index(fn: Callable[..., pd.Series]) -> Callable[..., pd.Series]:
    """Run ``fn`` on a copy with a fresh RangeIndex and give the result the caller's index.

    Label alignment inside pandas misbehaves with duplicated index labels (common
    after ``pd.concat``); working by position makes the caller's index irrelevant.
    """

    @functools.wraps(fn)
    def wrapper(data: pd.DataFrame, *args: object, **kwargs: object) -> pd.Series:
        if not isinstance(data, pd.DataFrame):
            raise InputError("must be a pandas DataFrame", parameter="data")
        return fn(data.reset_index(drop=True), *args, **kwargs).set_axis(data.index)

    return wrapper


def _sorted(data: pd.DataFrame, unit: str, time: str) -> pd.DataFrame:
    """A copy sorted by unit then time (stable), keeping the caller's index labels."""
    return data.sort_values([unit, time], kind="mergesort")


def _gap_keys(data: pd.DataFrame, unit: str, time: str) -> list[tuple]:
    """(unit, first missing year) for every hole inside a unit's span."""
    d = _sorted(data, unit, time)
    step = d.groupby(unit, sort=False)[time].diff()
    holes = step.notna() & (step != 1)
    pairs = zip(d[unit][holes], d[time][holes], step[holes], strict=True)
    return [(u, int(t) - int(s) + 1) for u, t, s in pairs]


# --------------------------------------------------------------------------- balance
@dataclass(frozen=True)
class BalanceReport:
    """Result of :func:`check_balanced`.

    ``missing`` lists every unit-year key absent from the rectangle
    units x years (years spanning the data's first to last year).
    """

    balanced: bool
    n_units: int
    n_periods: int
    n_rows: int
    missing: pd.DataFrame


def check_balanced(data: pd.DataFrame, *, unit: str, time: str) -> BalanceReport:
    """Is every unit observed in every year from the first to the last year of the panel?"""
    validate_panel(data, unit=unit, time=time)
    units = pd.unique(data[unit])
    t = data[time].astype(int)
    years = np.arange(t.min(), t.max() + 1)
    full = pd.MultiIndex.from_product([units, years], names=[unit, time])
    have = pd.MultiIndex.from_arrays([data[unit], t], names=[unit, time])
    missing = full.difference(have).to_frame(index=False)
    return BalanceReport(
        balanced=missing.empty,
        n_units=len(units),
        n_periods=len(years),
        n_rows=len(data),
        missing=missing,
    )


# --------------------------------------------------------------------------- lags
def lag(data: pd.DataFrame, column: str, *, unit: str, time: str, periods: int = 1) -> pd.Series:
    """Value of ``column`` in the same unit ``periods`` years earlier (Stata ``L.``).

    ``lag_k(x)_{it} = x_{i,t-k}`` if year ``t-k`` is observed for unit ``i`` and
    missing otherwise, so a gap in the years yields a missing lag instead of the
    previous row's value (unlike ``groupby().shift()``). Negative ``periods`` give
    leads. The result is aligned with ``data.index``; its missing cells are exactly
    the keys whose ``t-k`` year is absent (or missing in ``column``).
    """
    validate_panel(data, unit=unit, time=time)
    _require_columns(data, [column])
    if not isinstance(periods, (int, np.integer)) or isinstance(periods, bool):
        raise InputError("must be an integer number of periods", parameter="periods")
    values = _numeric(data, column, unit, time, allow_na=True)
    t = data[time].astype(int)
    source = pd.Series(values.to_numpy(), index=pd.MultiIndex.from_arrays([data[unit], t]))
    wanted = pd.MultiIndex.from_arrays([data[unit], t - periods])
    out = source.reindex(wanted).to_numpy()
    name = f"L{periods}.{column}" if periods >= 0 else f"F{-periods}.{column}"
    return pd.Series(out, index=data.index, name=name)


def lead(data: pd.DataFrame, column: str, *, unit: str, time: str, periods: int = 1) -> pd.Series:
    """Value ``periods`` years later in the same unit (Stata ``F.``); see :func:`lag`."""
    return lag(data, column, unit=unit, time=time, periods=-periods)


# --------------------------------------------------------------------------- interpolation
@dataclass(frozen=True)
class Interpolation:
    """Result of :func:`interpolate_within`.

    ``data`` is a copy of the input with interior gaps filled; ``filled`` lists
    every filled cell (unit, time, column, value); ``unfilled`` lists the cells
    still missing (leading/trailing or in units with fewer than two observations).
    """

    data: pd.DataFrame
    filled: pd.DataFrame
    unfilled: pd.DataFrame

    @property
    def n_filled(self) -> int:
        return len(self.filled)


def interpolate_within(
    data: pd.DataFrame, columns: Sequence[str], *, unit: str, time: str
) -> Interpolation:
    """Fill missing cells by linear interpolation in time, within each unit only.

    For a missing ``x_{it}`` with nearest observed neighbours ``x_{i,a}`` (a < t)
    and ``x_{i,b}`` (b > t) in the same unit,
    ``x_{it} = x_{ia} + (t - a) / (b - a) * (x_{ib} - x_{ia})`` (Stata ``ipolate x t, by(unit)``).
    Cells before a unit's first or after its last observation are not extrapolated
    and are reported in ``unfilled``; values are never borrowed from another unit.
    """
    validate_panel(data, unit=unit, time=time)
    columns = list(columns)
    _require_columns(data, columns)
    out = data.copy()
    filled_parts, unfilled_parts = [], []
    pos = _sorted(data.reset_index(drop=True), unit, time).index.to_numpy()
    units = data[unit].to_numpy()[pos]
    years = data[time].astype(float).to_numpy()[pos]
    # each row's unit block [start, end) in the sorted order
    new_unit = np.r_[True, units[1:] != units[:-1]]
    start = np.maximum.accumulate(np.where(new_unit, np.arange(len(units)), 0))
    end = np.r_[np.flatnonzero(new_unit)[1:], len(units)][np.cumsum(new_unit) - 1]
    rows = np.arange(len(units))
    for col in columns:
        values = _numeric(data, col, unit, time, allow_na=True).to_numpy()
        x = values[pos]
        new = x.copy()
        # nearest observed row before and after each row, within its own unit (vectorised
        # over all units at once; -1 / n mark "none")
        seen = ~np.isnan(x)
        before = np.maximum.accumulate(np.where(seen, rows, -1))
        after = np.minimum.accumulate(np.where(seen, rows, len(x))[::-1])[::-1]
        inside = ~seen & (before >= start) & (after < end)
        a, b = before[inside], after[inside]
        # the arithmetic of numpy.interp, so that the result is the same to the last bit
        slope = (x[b] - x[a]) / (years[b] - years[a])
        new[inside] = slope * (years[inside] - years[a]) + x[a]
        got = np.isnan(x) & ~np.isnan(new)
        if got.any():
            values = values.copy()
            values[pos[got]] = new[got]
            out[col] = values
        filled_parts.append(
            pd.DataFrame(
                {unit: units[got], time: years[got].astype(int), "column": col, "value": new[got]}
            )
        )
        still = np.isnan(new)
        unfilled_parts.append(
            pd.DataFrame({unit: units[still], time: years[still].astype(int), "column": col})
        )
    return Interpolation(
        data=out,
        filled=pd.concat(filled_parts, ignore_index=True),
        unfilled=pd.concat(unfilled_parts, ignore_index=True),
    )


# --------------------------------------------------------------------------- prices
@_keep_index
def chain_to_level(
    data: pd.DataFrame, index: str, *, unit: str, time: str, base_year: int
) -> pd.Series:
    """Turn a chained index (previous year = 100) into a level with ``base_year`` = 1.

    ``L_{i,b} = 1`` and ``L_{i,t} = L_{i,t-1} * I_{i,t} / 100`` for t > b, and
    ``L_{i,t-1} = L_{i,t} / (I_{i,t} / 100)`` for t <= b. This is how Chinese
    yearbooks' "GDP index (previous year = 100)" and price indices are rebased.
    Each unit must be observed in ``base_year`` and without gaps.
    """
    validate_panel(data, unit=unit, time=time)
    _require_columns(data, [index])
    x = _numeric(data, index, unit, time, allow_na=False)
    if (x <= 0).any():
        raise InputError(
            "a chained index must be positive", column=index, rows=_keys(data, x <= 0, unit, time)
        )
    _no_gaps(data, unit, time)
    _has_year(data, unit, time, base_year)
    d = data[[unit, time]].assign(_g=np.log(x / 100.0)).pipe(_sorted, unit, time)
    cum = d.groupby(unit, sort=False)["_g"].cumsum()
    at_base = cum[d[time].astype(int) == base_year]
    base = pd.Series(at_base.to_numpy(), index=d.loc[at_base.index, unit]).reindex(d[unit])
    level = np.exp(cum.to_numpy() - base.to_numpy())
    return pd.Series(level, index=d.index, name=f"{index}_level").reindex(data.index)


def _no_gaps(data: pd.DataFrame, unit: str, time: str) -> None:
    gaps = _gap_keys(data, unit, time)
    if gaps:
        raise InputError(
            "years must be consecutive within each unit; first missing year shown",
            column=time,
            rows=gaps,
            hint="interpolate or add the missing years first",
        )


def _has_year(data: pd.DataFrame, unit: str, time: str, year: int) -> None:
    present = set(data.loc[data[time].astype(int) == year, unit])
    absent = [u for u in pd.unique(data[unit]) if u not in present]
    if absent:
        raise InputError(
            f"every unit must be observed in base year {year}", column=time, rows=absent
        )


@_keep_index
def deflate(
    data: pd.DataFrame,
    value: str,
    price_index: str,
    *,
    unit: str,
    time: str,
    base_year: int,
    index_kind: str = "level",
) -> pd.Series:
    """Express a nominal value at ``base_year`` prices of the same unit.

    ``real_{it} = nominal_{it} * P_{i,b} / P_{it}``, where ``P`` is the price index
    as a level (any base, ``index_kind="level"``) or built from a chained index
    (previous year = 100, ``index_kind="chain"``) by :func:`chain_to_level`. A
    national deflator is used by giving every unit the same index column. gtfp
    deflates to 2000 prices, producer_services to 2003.
    """
    check_choice("index_kind", index_kind, ("level", "chain"))
    validate_panel(data, unit=unit, time=time)
    _require_columns(data, [value, price_index])
    nominal = _numeric(data, value, unit, time, allow_na=False)
    if index_kind == "chain":
        rel = chain_to_level(data, price_index, unit=unit, time=time, base_year=base_year)
    else:
        p = _numeric(data, price_index, unit, time, allow_na=False)
        if (p <= 0).any():
            raise InputError(
                "a price index must be positive",
                column=price_index,
                rows=_keys(data, p <= 0, unit, time),
            )
        _has_year(data, unit, time, base_year)
        base = p[data[time].astype(int) == base_year]
        base_by_unit = pd.Series(base.to_numpy(), index=data.loc[base.index, unit])
        rel = p / base_by_unit.reindex(data[unit]).to_numpy()
    return (nominal / rel).rename(f"{value}_real")


# --------------------------------------------------------------------------- capital
@_keep_index
def perpetual_inventory(
    data: pd.DataFrame,
    investment: str,
    *,
    unit: str,
    time: str,
    delta: float,
    growth: float | None = None,
    initial: str | None = None,
) -> pd.Series:
    """Capital stock by the perpetual inventory method.

    ``K_{i,t} = K_{i,t-1} (1 - delta) + I_{i,t}`` for every year after the unit's
    first year ``t0``. The starting stock is, by default,
    ``K_{i,t0} = I_{i,t0} / (g_i + delta)`` (Hall and Jones 1999; Zhang Jun et al.
    2004 use the same steady-state rule), where ``g_i`` is ``growth`` if given or
    else the unit's geometric average growth rate of investment over its observed
    years, ``(I_{i,T} / I_{i,t0})^{1/(T - t0)} - 1``. Alternatively ``initial``
    names a column whose value in the first year is the starting stock.

    ``investment`` must already be real (see :func:`deflate`). gtfp uses
    ``delta = 0.1096``, producer_services ``delta = 0.096`` (Zhang Jun et al. 2004).
    Years must be consecutive within each unit.
    """
    validate_panel(data, unit=unit, time=time)
    _require_columns(data, [investment] + ([initial] if initial else []))
    if not (0 <= delta < 1):
        raise InputError("depreciation rate must lie in [0, 1)", parameter="delta")
    inv = _numeric(data, investment, unit, time, allow_na=False)
    if (inv < 0).any():
        raise InputError(
            "investment may not be negative",
            column=investment,
            rows=_keys(data, inv < 0, unit, time),
        )
    _no_gaps(data, unit, time)
    d = _sorted(data.assign(_inv=inv), unit, time)
    units = d[unit].to_numpy()
    inv_sorted = d["_inv"].to_numpy()
    first = np.r_[True, units[1:] != units[:-1]]
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(units)]
    k0 = np.empty(len(starts))
    if initial is not None:
        k0[:] = _numeric(d, initial, unit, time, allow_na=True).to_numpy()[starts]
        if np.isnan(k0).any():
            raise InputError(
                "initial stock missing in a unit's first year",
                column=initial,
                rows=[units[s] for s in starts[np.isnan(k0)]],
            )
    else:
        if growth is None:
            span = (ends - 1 - starts).astype(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                g = (inv_sorted[ends - 1] / inv_sorted[starts]) ** (1.0 / span) - 1.0
            bad = ~np.isfinite(g)
            if bad.any():
                raise InputError(
                    "cannot compute the average investment growth rate (one year only or zero "
                    "first-year investment)",
                    column=investment,
                    rows=[units[s] for s in starts[bad]],
                    hint="pass growth= explicitly or an initial= stock column",
                )
        else:
            g = np.full(len(starts), float(growth))
        if (g + delta <= 0).any():
            raise InputError(
                "g + delta must be positive for the starting stock I0/(g+delta)",
                parameter="growth",
                rows=[units[s] for s in starts[g + delta <= 0]],
            )
        k0 = inv_sorted[starts] / (g + delta)
    k = np.empty(len(units))
    for s, e, start in zip(starts, ends, k0, strict=True):
        k[s] = start
        for j in range(s + 1, e):
            k[j] = k[j - 1] * (1.0 - delta) + inv_sorted[j]
    return pd.Series(k, index=d.index, name="capital_stock").reindex(data.index)


# --------------------------------------------------------------------------- winsorizing
def stata_percentile(values: np.ndarray, p: float) -> float:
    """Stata's default percentile (``_pctile``, ``summarize, detail``, hence ``winsor2``).

    Sort the n non-missing values ``x_(1) <= ... <= x_(n)`` and let ``P = n p / 100``
    (``p`` in percent), ``i = floor(P)``, ``h = P - i``. Then the p-th percentile is
    ``(x_(i) + x_(i+1)) / 2`` if ``h = 0`` and ``x_(i+1)`` if ``h > 0``, with
    ``x_(0) = x_(1)`` and ``x_(n+1) = x_(n)`` (Stata manual [D] pctile, Methods and
    formulas, no weights). scipy's ``mstats.winsorize`` instead clips a count of
    ``floor(n p / 100)`` values, which differs whenever ``n p / 100`` is whole.
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0:
        raise InputError("no non-missing values to take a percentile of", parameter="values")
    pos = n * p / 100.0
    i = int(np.floor(pos + 1e-9 * max(1.0, pos)))  # guard against 0.1*30 = 3.0000000000000004
    whole = abs(pos - i) <= 1e-9 * max(1.0, pos)
    if whole:
        lo, hi = max(i, 1), min(i + 1, n)
        return float((x[lo - 1] + x[hi - 1]) / 2.0)
    return float(x[min(i + 1, n) - 1])


def winsorize(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    cuts: tuple[float, float] = (1.0, 99.0),
    by: str | Sequence[str] | None = None,
    trim: bool = False,
    missing: str = "raise",
) -> pd.DataFrame:
    """Winsorize (or trim) columns at percentiles, matching Stata ``winsor2``.

    For each column (and each ``by`` group) the cut-offs ``q_lo``/``q_hi`` are
    Stata percentiles ``cuts`` (in percent, default 1 and 99) computed by
    :func:`stata_percentile`; values below ``q_lo`` become ``q_lo`` and values above
    ``q_hi`` become ``q_hi`` (``winsor2 x, cuts(1 99) replace``). With ``trim=True``
    they become missing instead (``winsor2 ..., trim``). Because the median lies
    between the cut-offs it is never changed.

    Missing cells: ``missing="raise"`` (default) names them; ``missing="keep"``
    leaves them missing and ignores them in the percentiles, as Stata does.
    Returns a modified copy of ``data``.
    """
    check_choice("missing", missing, ("raise", "keep"))
    columns = list(columns)
    if not isinstance(data, pd.DataFrame):
        raise InputError("must be a pandas DataFrame", parameter="data")
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _require_columns(data, columns + by_cols)
    lo_p, hi_p = cuts
    if not (0 <= lo_p < hi_p <= 100):
        raise InputError("need 0 <= lower < upper <= 100 (percent)", parameter="cuts")
    out = data.copy()
    groups = (
        [np.arange(len(data))]
        if not by_cols
        else list(
            data.reset_index(drop=True).groupby(by_cols, sort=False, dropna=False).indices.values()
        )
    )
    for col in columns:
        raw = data[col]
        x = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()
        if (np.isnan(x) & raw.notna().to_numpy()).any():
            raise InputError(
                "must be numeric",
                column=col,
                rows=list(data.index[np.isnan(x) & raw.notna().to_numpy()]),
            )
        if missing == "raise" and np.isnan(x).any():
            raise InputError(
                "has missing cells",
                column=col,
                rows=list(data.index[np.isnan(x)]),
                hint="pass missing='keep' to leave them missing, as winsor2 does",
            )
        new = x.copy()
        for idx in groups:
            seg = x[idx]
            ok = seg[~np.isnan(seg)]
            if ok.size == 0:
                continue
            q_lo, q_hi = stata_percentile(ok, lo_p), stata_percentile(ok, hi_p)
            if trim:
                seg = np.where((seg < q_lo) | (seg > q_hi), np.nan, seg)
            else:
                seg = np.where(seg < q_lo, q_lo, np.where(seg > q_hi, q_hi, seg))
            new[idx] = seg
        out[col] = new
    return out
