"""Paper 003's measured variables: cumulated Malmquist TFP, TE and EC, and the location
quotients of producer-service agglomeration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.dea import cumulate, malmquist
from helpers.errors import InputError, check_choice
from helpers.measures import location_quotient
from helpers.panel import interpolate_within
from helpers.papers import interface
from helpers.papers.producer_services.variables import (
    CONTROLS,
    DEA_INPUTS,
    DEA_OUTPUT,
    HIGH_END,
    LOW_END,
    MISSING_CELLS,
    ORIENTATIONS,
    OUTCOMES,
    RTS,
    SECTORS,
    TIME,
    UNIT,
)
from helpers.tables import describe


@dataclass(frozen=True, kw_only=True)
class Measurement(interface.Measurement):
    """The measured panel and how it was built.

    ``frame``: city, year, region, tfp, te, ec (levels, first year = 1), sagg,
    sagg_high, sagg_low and the seven controls. ``malmquist``: the index and its
    distances (:func:`helpers.dea.malmquist`). ``filled``: cells filled by interpolation;
    ``unfilled``: cells still missing after the ``missing_cells`` rule (city, year,
    column), whose unit-years leave the regressions that use them; ``dea_dropped``: cities
    left out of the Malmquist index because a DEA input or output is missing in a year
    of the sample. ``dea_data``: the rows the index was computed on.
    """

    malmquist: pd.DataFrame
    orientation: str
    rts: str
    missing_cells: str = "interpolate"
    unfilled: pd.DataFrame = field(default_factory=pd.DataFrame)
    dea_dropped: tuple[str, ...] = ()
    dea_data: pd.DataFrame = field(default_factory=pd.DataFrame)


def _years(panel: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    """The sample years, checked: the data cover ``first_year``..``last_year`` and at least
    four years (two are lost to the lagged instruments)."""
    if first_year >= last_year:
        raise InputError(
            f"first_year ({first_year}) must come before last_year ({last_year})",
            parameter="first_year",
        )
    years = pd.to_numeric(panel[TIME]).astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    sample[TIME] = sample[TIME].astype(int)
    present = sorted(set(sample[TIME]))
    if len(present) < 4 or present[0] != first_year:
        raise InputError(
            f"the data must cover first_year and at least four years (two are lost to the "
            f"lagged instruments); found {present}",
            parameter="first_year",
        )
    if present[-1] != last_year:
        raise InputError(
            f"the data end in {present[-1]}, before last_year = {last_year}",
            parameter="last_year",
            hint=f"set last_year={present[-1]}",
        )
    return sample


def _malmquist(dea: pd.DataFrame, orientation: str, rts: str) -> pd.DataFrame:
    return malmquist(
        dea,
        list(DEA_INPUTS),
        DEA_OUTPUT,
        unit=UNIT,
        time=TIME,
        orientation=orientation,
        rts=rts,
    )


def _quotient(sample: pd.DataFrame, sectors: tuple[str, ...]) -> np.ndarray:
    """Eq. (1) on the unit-years whose sector employment and employment are all observed
    (NaN elsewhere); the national totals sum those unit-years."""
    x = sample[list(sectors)].sum(axis=1, skipna=False)
    complete = (x.notna() & sample["employment"].notna()).to_numpy()
    out = np.full(len(sample), np.nan)
    if complete.any():
        data = sample.loc[complete, [UNIT, TIME, "employment"]].assign(_x=x[complete])
        out[complete] = location_quotient(data, "_x", "employment", unit=UNIT, time=TIME).to_numpy()
    return out


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int = 2003,
    last_year: int = 2017,
    orientation: str = "output",
    rts: str = "crs",
    missing_cells: str = "interpolate",
) -> Measurement:
    """The paper's variables on ``first_year``..``last_year``.

    1. Missing cells (the contract allows them in every variable but the keys and the
       region; the paper says nothing about them): ``missing_cells="interpolate"`` fills
       each interior gap of a city's series linearly (Stata ``ipolate``; reported in
       ``filled``), ``"drop"`` fills nothing. A cell still missing leaves its unit-year out
       of every regression that uses the variable (and of the next years', through the
       lags); a city with a DEA input or output still missing in a sample year leaves the
       Malmquist index (its levels chain every year), so all its unit-years leave.
    2. Malmquist index of inputs employment and capital stock and output real GDP
       (DEAP 2.1: ``orientation="output"``, ``rts="crs"``), cumulated:
       ``TFP_i,first = 1``, ``TFP_it = TFP_i,t-1 x tfpch_it`` (Section 3.1 (1)); TE from
       ``techch`` and EC from ``effch`` in the same way.
    3. ``SAGG_jt = (x_jt / y_jt) / (X_t / Y_t)``, eq. (1): ``x`` producer-service employment
       (all five sectors, the three high-end or the two low-end ones), ``y`` the city's
       employment, ``X`` and ``Y`` their sums over the sample's cities in the year.
    """
    check_choice("orientation", orientation, ORIENTATIONS)
    check_choice("rts", rts, RTS)
    check_choice("missing_cells", missing_cells, MISSING_CELLS)
    sample = _years(panel, first_year, last_year)
    dea_columns = [*DEA_INPUTS, DEA_OUTPUT]
    fillable = [*HIGH_END, *LOW_END, *CONTROLS, *dea_columns]
    for col in fillable:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    if missing_cells == "interpolate":
        interpolation = interpolate_within(sample, fillable, unit=UNIT, time=TIME)
        sample, filled = interpolation.data, interpolation.filled
    else:
        filled = pd.DataFrame({UNIT: [], TIME: [], "column": [], "value": []})
    holes = sample[fillable].isna()
    unfilled = (
        sample[[UNIT, TIME]]
        .join(holes)
        .melt([UNIT, TIME], var_name="column", value_name="missing")
        .query("missing")
        .drop(columns="missing")
        .reset_index(drop=True)
    )
    incomplete = sample.loc[holes[dea_columns].any(axis=1), UNIT].unique()
    dea = sample[~sample[UNIT].isin(incomplete)]
    if dea[UNIT].nunique() < 2:
        raise InputError(
            "fewer than two cities have every DEA input and output in every sample year",
            column=", ".join(dea_columns),
            rows=sample.loc[holes[dea_columns].any(axis=1), [UNIT, TIME]]
            .astype(str)
            .agg("/".join, axis=1)
            .tolist(),
        )
    index = _malmquist(dea, orientation, rts)
    levels = cumulate(index, list(OUTCOMES.values()), unit=UNIT, time=TIME)
    levels = sample[[UNIT, TIME]].merge(levels, on=[UNIT, TIME], how="left")
    out = sample[[UNIT, TIME, "region"]].copy()
    out["region"] = out["region"].astype(str)
    for name, source in OUTCOMES.items():
        out[name] = levels[source].to_numpy()
    for name, sectors in SECTORS.items():
        out[name] = _quotient(sample, sectors)
    for col in CONTROLS:
        out[col] = sample[col].to_numpy()
    return Measurement(
        frame=out,
        filled=filled,
        malmquist=index,
        orientation=orientation,
        rts=rts,
        missing_cells=missing_cells,
        unfilled=unfilled,
        dea_dropped=tuple(str(c) for c in incomplete),
        dea_data=dea.reset_index(drop=True),
    )


def orientation_difference(measurement: Measurement) -> pd.Series:
    """The largest absolute difference between the Malmquist indices (``effch``,
    ``techch``, ``tfpch``) and their cumulated levels (``ec``, ``te``, ``tfp``) of the
    measurement's orientation and of the other one, on the same DEA data. Under constant
    returns the input and output distances are reciprocal, so the indices agree up to the
    LP solver's rounding (the ``orientation`` choice has no effect); under VRS they differ."""
    other = "input" if measurement.orientation == "output" else "output"
    index = _malmquist(measurement.dea_data, other, measurement.rts)
    mine = measurement.malmquist
    columns = list(OUTCOMES.values())
    gaps = {c: float(np.nanmax(np.abs(index[c].to_numpy() - mine[c].to_numpy()))) for c in columns}
    ours = cumulate(mine, columns, unit=UNIT, time=TIME)
    theirs = cumulate(index, columns, unit=UNIT, time=TIME)
    for name, source in OUTCOMES.items():
        diff = np.abs(ours[source].to_numpy() - theirs[source].to_numpy())
        gaps[name] = float(np.nanmax(diff))
    return pd.Series(gaps, name=f"{measurement.orientation} vs {other}")


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Obs, mean, sd (n-1), min and max of the measured variables (the paper prints none)."""
    return describe(frame, [*OUTCOMES, *SECTORS, *CONTROLS], ("obs", "mean", "sd", "min", "max"))
