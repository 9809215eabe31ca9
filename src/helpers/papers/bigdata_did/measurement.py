"""Paper 004's measured variables: the NQP entropy index of the 12 Table 1 indicators, the
pilot dummy, the mediators and the controls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.indices import entropy_index
from helpers.panel import interpolate_within, winsorize
from helpers.papers import interface
from helpers.papers.bigdata_did.variables import CONTRACT, CONTROLS, TABLE2_ROWS, TIME, UNIT
from helpers.tables import describe

ENTROPY_BY = ("pooled", "year")


WINSORIZED = ("nqp", "index", "lngip", *CONTROLS)
"""The variables Table 4 (3) winsorizes at 1/99% (and ``winsorize_all`` for every column)."""


def measured(panel: pd.DataFrame) -> pd.DataFrame:
    """The chapter's variables from a raw panel: nqp (pooled entropy index of the 12
    Table 1 indicators, directions from the contract, default shift), bdpzs (1 from the
    pilot year on), index (DFI), lngip = ln(1 + applications) and the five controls.

    Missing indicator cells are first filled by linear interpolation within each city
    (the paper's "interpolation method")."""
    return _measured(panel)[0]


def _measured(panel: pd.DataFrame, entropy_by: str = "pooled") -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`measured` (entropy weights over all city-years, or ``entropy_by="year"``:
    within each year) and the indicator cells filled by interpolation."""
    spec = CONTRACT.index_spec()
    columns = [i.column for i in spec]
    data = panel.copy()
    filled = pd.DataFrame(columns=[UNIT, TIME, "column", "value"])
    if data[columns].isna().any().any():
        interpolation = interpolate_within(data, columns, unit="city", time="year")
        data, filled = interpolation.data, interpolation.filled
    nqp = entropy_index(data, spec, by=entropy_by, unit="city", time="year").score.to_numpy()
    adoption = pd.to_numeric(data["bdpz_year"])
    frame = pd.DataFrame(
        {
            "city": data["city"],
            "year": data["year"],
            "key_city": data["key_city"],
            "resource_based": data["resource_based"],
            # float with NaN for never-treated cities (event_study mishandles Int64 <NA>)
            "bdpz_year": adoption.astype(float),
            "bdpzs": (data["year"] >= adoption).fillna(False).astype(int),
            "nqp": nqp,
            "index": data["dfi"],
            "lngip": np.log1p(data["green_invention_applications"]),
            **{c: data[c] for c in CONTROLS},
        }
    )
    return frame, filled


@dataclass(frozen=True, kw_only=True)
class Measurement(interface.Measurement):
    """The measured panel: ``frame`` (:func:`measured` on the sample years, with
    ``treated``) and ``filled``, the indicator cells filled by interpolation."""


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    entropy_by: str = "pooled",
    winsorize_all: bool = False,
) -> Measurement:
    """The chapter's variables on ``first_year``..``last_year`` (entropy weights computed
    on those years): :func:`measured` plus ``treated`` (1 for pilot cities in every year,
    the PSM group indicator).

    Two choices the paper does not state, for the specification curve (defaults: the
    chapter's): ``entropy_by`` -- entropy weights over all city-years (``"pooled"``) or
    within each year (``"year"``); ``winsorize_all`` -- winsorize NQP, the mediators and the
    controls at 1/99% for every column (the paper does so only in Table 4 (3))."""
    check_choice("entropy_by", entropy_by, ENTROPY_BY)
    years = pd.to_numeric(panel[TIME]).astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    present = sorted(set(years[(years >= first_year) & (years <= last_year)]))
    if len(present) < 3:
        raise InputError(
            f"at least three sample years are needed; found {present}", parameter="first_year"
        )
    frame, filled = _measured(sample, entropy_by)
    frame["treated"] = frame["bdpz_year"].notna().astype(int)
    if winsorize_all:
        frame = winsorize(frame, WINSORIZED)
    return Measurement(frame=frame, filled=filled)


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Table 2: obs, mean, sd (n-1), min and max of NQP, BDPZs, the mediators, controls."""
    return describe(frame, TABLE2_ROWS, ("obs", "mean", "sd", "min", "max"))


def weights_table(frame_panel: pd.DataFrame, *, first_year: int, last_year: int) -> pd.DataFrame:
    """Table 1 with the entropy weights of the 12 indicators on the sample years
    (the weights :func:`measure` applies; the paper prints none)."""
    contract = CONTRACT
    spec = contract.index_spec()
    years = pd.to_numeric(frame_panel[TIME]).astype(int)
    data = frame_panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    columns = [i.column for i in spec]
    if data[columns].isna().any().any():
        data = interpolate_within(data, columns, unit=UNIT, time=TIME).data
    weights = entropy_index(data, spec, unit=UNIT, time=TIME).weights.set_index("indicator")
    rows = [
        {
            "dimension": v.dimension,
            "indicator": v.label,
            "direction": v.direction,
            "weight": float(weights.loc[v.name, "weight"]),
        }
        for v in contract.with_role("indicator")
    ]
    return pd.DataFrame(rows)
