"""Agglomeration, industrial-structure and regional-gap measures.

Each function takes a long DataFrame (one row per unit-year), returns a Series
aligned with its rows and raises :class:`helpers.errors.InputError` on missing,
non-numeric or out-of-domain cells, naming the unit-year keys. National totals
are sums over the units present in the same year unless national columns are
given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.panel import (
    _keep_index,
    _keys,
    _numeric,
    _require_columns,
    chain_to_level,
    validate_panel,
)

__all__ = [
    "diversification_index",
    "location_quotient",
    "real_gdp_from_index",
    "regional_gap",
    "specialisation_index",
    "structure_upgrading_index",
    "tertiary_secondary_ratio",
]


def _columns(data: pd.DataFrame, columns: Sequence[str], unit: str, time: str) -> pd.DataFrame:
    validate_panel(data, unit=unit, time=time)
    _require_columns(data, list(columns))
    return pd.DataFrame({c: _numeric(data, c, unit, time, allow_na=False) for c in columns})


def _positive(
    data: pd.DataFrame,
    values: pd.Series,
    column: str,
    unit: str,
    time: str,
    rule: str = "must be strictly positive",
) -> None:
    bad = values <= 0
    if bad.any():
        raise InputError(rule, column=column, rows=_keys(data, bad, unit, time))


def _non_negative(data: pd.DataFrame, x: pd.DataFrame, unit: str, time: str) -> None:
    for col in x.columns:
        bad = x[col] < 0
        if bad.any():
            raise InputError("may not be negative", column=col, rows=_keys(data, bad, unit, time))


@_keep_index
def location_quotient(
    data: pd.DataFrame,
    sector: str,
    total: str,
    *,
    unit: str,
    time: str,
    national_sector: str | None = None,
    national_total: str | None = None,
) -> pd.Series:
    """Location quotient ``LQ_it = (x_it / y_it) / (X_t / Y_t)``.

    ``x`` is the sector's size in unit i (employment in producer services, or
    high-tech enterprises), ``y`` the unit's total (all employment, or all
    large-scale industrial enterprises), ``X_t`` and ``Y_t`` the national totals in
    year t: the sums over the units in the data, or the columns
    ``national_sector``/``national_total`` when the nation is more than the sample.
    LQ > 1 means the sector is over-represented in the unit. producer_services
    eq. (1) (SAGG for all, high-end and low-end producer services); gtfp's
    high-tech agglomeration (Lu 2024).
    """
    if (national_sector is None) != (national_total is None):
        raise InputError(
            "give both national_sector and national_total, or neither",
            parameter="national_sector/national_total",
        )
    cols = [sector, total] + ([national_sector, national_total] if national_sector else [])
    x = _columns(data, cols, unit, time)
    _non_negative(data, x[[sector]], unit, time)
    _positive(data, x[total], total, unit, time)
    if national_sector:
        big_x, big_y = x[national_sector], x[national_total]
    else:
        year = data[time]
        big_x = x[sector].groupby(year).transform("sum")
        big_y = x[total].groupby(year).transform("sum")
    bad = big_x <= 0
    if bad.any():
        raise InputError(
            "national sector total is zero in this year",
            column=sector,
            rows=_keys(data, bad, unit, time),
        )
    return ((x[sector] / x[total]) / (big_x / big_y)).rename(f"lq_{sector}")


def _shares(
    data: pd.DataFrame, sectors: Sequence[str], unit: str, time: str, total: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Local shares s_ij and national shares s_j (same year) of each sector."""
    sectors = list(sectors)
    if len(sectors) < 2:
        raise InputError("need at least two sectors", parameter="sectors")
    x = _columns(data, sectors + ([total] if total else []), unit, time)
    _non_negative(data, x[sectors], unit, time)
    local_total = x[total] if total else x[sectors].sum(axis=1)
    _positive(data, local_total, total or "sum of sectors", unit, time)
    year = data[time]
    nat = x[sectors].groupby(year).transform("sum")
    nat_total = local_total.groupby(year).transform("sum")
    s_local = x[sectors].to_numpy() / local_total.to_numpy()[:, None]
    s_nat = nat.to_numpy() / nat_total.to_numpy()[:, None]
    return s_local, s_nat


@_keep_index
def specialisation_index(
    data: pd.DataFrame, sectors: Sequence[str], *, unit: str, time: str, total: str | None = None
) -> pd.Series:
    """Specialisation agglomeration of producer services (Ezcurra et al. 2006), as gtfp uses it.

    ``SA_it = sum_j |s_ijt - s_jt|`` (Krugman dissimilarity form used by Ezcurra,
    Pascual and Rapun 2006 and by Han Feng et al. 2014), where ``s_ijt`` is the
    share of producer-service sector j in unit i's employment and ``s_jt`` the
    same share nationally (sum over units in year t). Shares are of the listed
    sectors' total unless ``total`` names a column (e.g. all urban employment).
    Larger values: the unit's structure departs more from the national one,
    i.e. it is more specialised.
    """
    s, s_nat = _shares(data, sectors, unit, time, total)
    return pd.Series(np.abs(s - s_nat).sum(axis=1), index=data.index, name="specialisation")


@_keep_index
def diversification_index(
    data: pd.DataFrame, sectors: Sequence[str], *, unit: str, time: str, total: str | None = None
) -> pd.Series:
    """Diversification agglomeration of producer services (Han Feng et al. 2014), as gtfp uses it.

    ``DA_it = sum_j s_ijt / sum_{k != j} |s_ikt - s_kt|``: each sector's local share
    times the inverse of how far the *other* sectors' shares depart from the
    national ones. Shares as in :func:`specialisation_index`. Larger values: a more
    even, nationally representative mix of producer services. Undefined (an error
    naming the rows) when for some j the other sectors match the national shares
    exactly.
    """
    s, s_nat = _shares(data, sectors, unit, time, total)
    dev = np.abs(s - s_nat)
    others = dev.sum(axis=1, keepdims=True) - dev
    zero = (others <= 0).any(axis=1)
    if zero.any():
        raise InputError(
            "diversification index undefined: the other sectors' shares equal the national "
            "shares exactly",
            column=", ".join(sectors),
            rows=_keys(data, zero, unit, time),
        )
    return pd.Series((s / others).sum(axis=1), index=data.index, name="diversification")


@_keep_index
def tertiary_secondary_ratio(
    data: pd.DataFrame, tertiary: str, secondary: str, *, unit: str, time: str
) -> pd.Series:
    """Industrial-structure advancement ``TS_it = VA^tertiary_it / VA^secondary_it``.

    gtfp's mediator (following Gan, Zheng and Yu 2011); producer_services' STR is
    the inverse ratio (secondary / tertiary), obtained by swapping the arguments.
    """
    x = _columns(data, [tertiary, secondary], unit, time)
    _non_negative(data, x[[tertiary]], unit, time)
    _positive(data, x[secondary], secondary, unit, time)
    return (x[tertiary] / x[secondary]).rename(f"{tertiary}_over_{secondary}")


@_keep_index
def structure_upgrading_index(
    data: pd.DataFrame,
    primary: str,
    secondary: str,
    tertiary: str,
    *,
    unit: str,
    time: str,
    gdp: str | None = None,
) -> pd.Series:
    """Industrial-structure upgrading ``ISU_it = 1 q1_it + 2 q2_it + 3 q3_it`` (coordination eq. 5).

    ``q_k`` is sector k's share of GDP: value added divided by ``gdp`` if given, else
    by the sum of the three sectors (the same thing when shares are passed in).
    The index lies in [1, 3] when shares sum to one.
    """
    cols = [primary, secondary, tertiary]
    x = _columns(data, cols + ([gdp] if gdp else []), unit, time)
    _non_negative(data, x[cols], unit, time)
    denom = x[gdp] if gdp else x[cols].sum(axis=1)
    _positive(data, denom, gdp or "sum of sectors", unit, time)
    q = x[cols].to_numpy() / denom.to_numpy()[:, None]
    return pd.Series(q @ np.array([1.0, 2.0, 3.0]), index=data.index, name="isu")


@_keep_index
def real_gdp_from_index(
    data: pd.DataFrame, nominal: str, index: str, *, unit: str, time: str, base_year: int
) -> pd.Series:
    """Real GDP at ``base_year`` prices from nominal GDP and a GDP index (previous year = 100).

    ``Y^real_it = Y_{i,b} * L_it`` with the volume level ``L`` from
    :func:`helpers.panel.chain_to_level` (``L_{i,b} = 1``,
    ``L_it = L_{i,t-1} I_it / 100``). coordination rebases to 2013, producer_services
    to 2003, gtfp to 2000.
    """
    x = _columns(data, [nominal], unit, time)
    _positive(data, x[nominal], nominal, unit, time)
    level = chain_to_level(data, index, unit=unit, time=time, base_year=base_year)
    at_base = x[nominal][data[time].astype(int) == base_year]
    base = pd.Series(at_base.to_numpy(), index=data.loc[at_base.index, unit])
    return (base.reindex(data[unit]).to_numpy() * level).rename(f"{nominal}_real")


@_keep_index
def regional_gap(
    data: pd.DataFrame,
    real_per_capita_gdp: str,
    *,
    unit: str,
    time: str,
    kind: str = "absolute",
    reference: str = "log_of_mean",
) -> pd.Series:
    """Regional economic gap, coordination eqs. (3)-(4).

    With ``y_it`` real per-capita GDP and ``m_t`` the year-t national reference,
    absolute ``y_d1_it = |ln y_it - ln m_t|`` and relative
    ``y_d2_it = |ln y_it - ln m_t| / (0.5 (ln y_it + ln m_t))``.
    ``reference="log_of_mean"`` (default) takes ``ln m_t = ln(mean_i y_it)``, the
    log of the national average per-capita GDP as the paper words it;
    ``"mean_of_logs"`` takes ``ln m_t = mean_i ln y_it``. Means are unweighted over
    the units present in the year.
    """
    check_choice("kind", kind, ("absolute", "relative"))
    check_choice("reference", reference, ("log_of_mean", "mean_of_logs"))
    x = _columns(data, [real_per_capita_gdp], unit, time)
    y = x[real_per_capita_gdp]
    _positive(data, y, real_per_capita_gdp, unit, time, "must be strictly positive to take logs")
    ln_y = np.log(y)
    year = data[time]
    ln_m = (
        np.log(y.groupby(year).transform("mean"))
        if reference == "log_of_mean"
        else ln_y.groupby(year).transform("mean")
    )
    gap = (ln_y - ln_m).abs()
    if kind == "relative":
        mid = 0.5 * (ln_y + ln_m)
        bad = mid <= 0
        if bad.any():
            raise InputError(
                "relative gap needs ln y + ln m > 0 (per-capita GDP above 1)",
                column=real_per_capita_gdp,
                rows=_keys(data, bad, unit, time),
            )
        gap = gap / mid
    return gap.rename(f"gap_{kind}")
