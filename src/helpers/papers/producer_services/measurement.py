"""Paper 003's measured variables: cumulated Malmquist TFP, TE and EC, and the location
quotients of producer-service agglomeration.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    distances (:func:`helpers.dea.malmquist`). ``filled``: cells filled by interpolation.
    """

    malmquist: pd.DataFrame
    orientation: str
    rts: str


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int = 2003,
    last_year: int = 2017,
    orientation: str = "output",
    rts: str = "crs",
) -> Measurement:
    """The paper's variables on ``first_year``..``last_year``.

    1. Missing sector-employment and control cells are filled by linear interpolation
       within a city (reported in ``filled``); the DEA data may not be missing.
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
    fillable = [*HIGH_END, *LOW_END, *CONTROLS]
    for col in [*fillable, *DEA_INPUTS, DEA_OUTPUT]:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    dea_missing = sample[[*DEA_INPUTS, DEA_OUTPUT]].isna().any(axis=1)
    if dea_missing.any():
        keys = sample.loc[dea_missing, [UNIT, TIME]].astype(str).agg("/".join, axis=1)
        raise InputError(
            "the Malmquist index needs every DEA input and output in every year",
            column=", ".join([*DEA_INPUTS, DEA_OUTPUT]),
            rows=keys.tolist(),
        )
    interpolation = interpolate_within(sample, fillable, unit=UNIT, time=TIME)
    sample = interpolation.data
    index = malmquist(
        sample,
        list(DEA_INPUTS),
        DEA_OUTPUT,
        unit=UNIT,
        time=TIME,
        orientation=orientation,
        rts=rts,
        workers=1,
    )
    levels = cumulate(index, list(OUTCOMES.values()), unit=UNIT, time=TIME)
    out = sample[[UNIT, TIME, "region"]].copy()
    out["region"] = out["region"].astype(str)
    for name, source in OUTCOMES.items():
        out[name] = levels[source].to_numpy()
    for name, sectors in SECTORS.items():
        data = sample[[UNIT, TIME, "employment"]].assign(_x=sample[list(sectors)].sum(axis=1))
        out[name] = location_quotient(data, "_x", "employment", unit=UNIT, time=TIME).to_numpy()
    for col in CONTROLS:
        out[col] = sample[col].to_numpy()
    return Measurement(
        frame=out,
        filled=interpolation.filled,
        malmquist=index,
        orientation=orientation,
        rts=rts,
    )


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Obs, mean, sd (n-1), min and max of the measured variables (the paper prints none)."""
    return describe(frame, [*OUTCOMES, *SECTORS, *CONTROLS], ("obs", "mean", "sd", "min", "max"))
