"""Paper 002's measured variables: Coor (DEA with undesirable outputs), the Nqp entropy
index and its dimensions, the mediators, the digital index and the Table 7 groups.

:func:`measure` fills missing cells by linear interpolation within a city, scores Coor
(SBM with bads on the global frontier by default; EBM, a contemporaneous frontier and
VRS are options), builds Nqp (Table 2), the mediators of Table 5, the digital index of
Section 5.4.3 and its median split, winsorizes the continuous variables at 1/99% (the
paper does) and forms the digital x regulation groups of Table 7.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.dea import efficiency
from helpers.errors import InputError, check_choice
from helpers.indices import EntropyIndex, Indicator, entropy_index
from helpers.panel import interpolate_within, lag, winsorize
from helpers.papers import interface
from helpers.papers.synergy.variables import (
    CONTRACT,
    CONTROLS,
    DEA_BAD,
    DEA_GOOD,
    DEA_INPUTS,
    DEA_MODELS,
    DIGITAL_INDICATORS,
    DIGITAL_SPLITS,
    DIMENSIONS,
    FRONTIERS,
    GROUPS,
    MEDIATORS,
    RTS,
    TABLE3_ROWS,
    TIME,
    UNIT,
)
from helpers.tables import describe


def _dimension_key(dimension: str | None) -> tuple[str, str]:
    tier1, _, tier2 = (dimension or "").partition(" > ")
    for key in DIMENSIONS:
        if key in tier1.lower():
            return key, tier2
    raise InputError("not a Table 2 dimension", column=str(dimension))


def nqp_spec() -> list[Indicator]:
    """The 15 Table 2 indicators: direction, tier-1 dimension key and tier-2 label."""
    spec = []
    for v in CONTRACT.with_role("indicator"):
        if v.weight is None:
            continue
        key, tier2 = _dimension_key(v.dimension)
        direction = "positive" if v.direction == "+" else "negative"
        spec.append(Indicator(v.name, direction, key, tier2))
    return spec


def nqp_index(panel: pd.DataFrame, missing: str = "raise") -> EntropyIndex:
    """Nqp (pooled entropy index of Table 2, default shift) with the dimension scores
    ``laborers``, ``objects`` and ``means`` (Nql, Nqo, Nqm)."""
    return entropy_index(panel, nqp_spec(), unit=UNIT, time=TIME, missing=missing, name="nqp")


def digital_index(panel: pd.DataFrame, missing: str = "raise") -> EntropyIndex:
    """Section 5.4.3: entropy index of internet users and mobile subscribers per 100
    people and telecom business per person."""
    spec = [Indicator(c) for c in DIGITAL_INDICATORS]
    return entropy_index(panel, spec, unit=UNIT, time=TIME, missing=missing, name="digital")


def weights_table(index: EntropyIndex) -> pd.DataFrame:
    """Table 2: dimension, indicator, direction, the printed weight and the replicated one."""
    contract = CONTRACT
    w = index.weights.set_index("indicator")
    rows = []
    for ind in nqp_spec():
        v = contract.variable(ind.column)
        rows.append(
            {
                "dimension": v.dimension,
                "indicator": v.label,
                "attribute": "Positive" if ind.direction == "positive" else "Negative",
                "printed weight": v.weight,
                "replicated weight": float(w.loc[ind.column, "weight"]),
            }
        )
    return pd.DataFrame(rows)


def coor_scores(
    panel: pd.DataFrame,
    *,
    model: str = "sbm",
    frontier: str = "global",
    rts: str = "crs",
    workers: int = 1,
) -> np.ndarray:
    """Coor: DEA efficiency with undesirable outputs (Table 1), non-oriented.

    ``frontier="global"`` (default) scores every city-year against the technology of
    all city-years (Pastor and Lovell 2005), so scores compare across years;
    ``"contemporaneous"`` builds one frontier per year.
    """
    check_choice("dea_model", model, DEA_MODELS)
    check_choice("frontier", frontier, FRONTIERS)
    check_choice("rts", rts, RTS)
    x = panel[list(DEA_INPUTS)].to_numpy(float)
    y = panel[list(DEA_GOOD)].to_numpy(float)
    b = panel[list(DEA_BAD)].to_numpy(float)
    options = {"model": model, "rts": rts, "orientation": "non", "workers": workers}
    if frontier == "global":
        return efficiency(x, y, b, **options)
    scores = np.full(len(panel), np.nan)
    years = panel[TIME].to_numpy()
    for year in np.unique(years):
        rows = years == year
        scores[rows] = efficiency(x[rows], y[rows], b[rows], **options)
    return scores


@dataclass(frozen=True, kw_only=True)
class Measurement(interface.Measurement):
    """The measured panel and how it was built.

    ``frame``: city, year, province and group flags, pilot (low-carbon pilot in force),
    coor, nqp, nql, nqo, nqm, the controls, the mediators of :data:`MEDIATORS`,
    digital (index), digital_high, group (Table 7 (5)-(8)) and nqp_lag.
    ``index``/``digital``: the entropy indices. ``filled``: cells filled by
    interpolation. ``winsorized``: cells changed per column (empty if off).
    """

    index: EntropyIndex
    digital: EntropyIndex
    winsorized: pd.Series
    options: dict = field(default_factory=dict)


CONTINUOUS = ("coor", "nqp", "nql", "nqo", "nqm", *CONTROLS, *MEDIATORS, "digital")


def _split_high(values: pd.Series, frame: pd.DataFrame, rule: str) -> pd.Series:
    """1 where the digital index is above the median of ``rule``: all city-years,
    the city-years of the same year, or (``city``) the city's mean over the years
    against the median of city means (a time-invariant split)."""
    if rule == "pooled":
        return (values > values.median()).astype(int)
    if rule == "year":
        return (values > values.groupby(frame[TIME]).transform("median")).astype(int)
    means = values.groupby(frame[UNIT]).transform("mean")
    city_median = values.groupby(frame[UNIT]).mean().median()
    return (means > city_median).astype(int)


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int = 2011,
    last_year: int = 2022,
    dea_model: str = "sbm",
    frontier: str = "global",
    rts: str = "crs",
    winsorize_on: bool = True,
    cuts: tuple[float, float] = (1.0, 99.0),
    digital_split: str = "pooled",
    workers: int = 1,
) -> Measurement:
    """The paper's variables on ``first_year``..``last_year`` (index weights, frontier
    and percentiles computed on those years)."""
    check_choice("digital_split", digital_split, DIGITAL_SPLITS)
    lo, hi = (float(c) for c in cuts)
    if not 0 <= lo < hi <= 100:
        raise InputError(
            f"need 0 <= lower < upper <= 100; got {lo}, {hi}", parameter="winsorize_cuts"
        )
    years = pd.to_numeric(panel[TIME]).astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    present = sorted(set(years[(years >= first_year) & (years <= last_year)]))
    if len(present) < 3:
        raise InputError(
            f"at least three sample years are needed; found {present}", parameter="first_year"
        )
    sample[TIME] = sample[TIME].astype(int)
    numeric = [i.column for i in nqp_spec()] + list(DIGITAL_INDICATORS)
    numeric += [*DEA_INPUTS, *DEA_GOOD, *DEA_BAD, "electricity", *CONTROLS]
    numeric += ["green_patent_applications", "green_patent_grants"]
    for col in numeric:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    filled = interpolate_within(sample, numeric, unit=UNIT, time=TIME)
    sample = filled.data
    complete = sample[[*DEA_INPUTS, *DEA_GOOD, *DEA_BAD]].notna().all(axis=1).to_numpy()
    index = nqp_index(sample, missing="drop")
    digital = digital_index(sample, missing="drop")
    coor = np.full(len(sample), np.nan)
    coor[complete] = coor_scores(
        sample[complete], model=dea_model, frontier=frontier, rts=rts, workers=workers
    )
    pilot_year = pd.to_numeric(sample["lowcarbon_pilot_year"])
    out = sample[[UNIT, TIME, "province", "capital", "municipality", "resource_based"]].copy()
    out["pilot"] = (sample[TIME] >= pilot_year).fillna(False).astype(int)
    out["coor"] = coor
    out["nqp"] = index.score.to_numpy()
    for key, name in DIMENSIONS.items():
        out[name] = index.dimension_scores[key].to_numpy()
    for c in CONTROLS:
        out[c] = sample[c].to_numpy()
    out["es1"] = (sample["electricity"] / sample["gdp"]).to_numpy()
    out["es2"] = (sample["energy"] / sample["gdp"] * 1e4).to_numpy()
    out["lnapp"] = np.log1p(sample["green_patent_applications"]).to_numpy()
    out["lngrant"] = np.log1p(sample["green_patent_grants"]).to_numpy()
    out["dfi"] = (sample["dfi"] / 100).to_numpy()
    out["digital"] = digital.score.to_numpy()
    changed = pd.Series(0, index=list(CONTINUOUS), dtype=int, name="cells changed")
    if winsorize_on:
        before = out[list(CONTINUOUS)].copy()
        out = winsorize(out, list(CONTINUOUS), cuts=(lo, hi), missing="keep")
        after = out[list(CONTINUOUS)]
        changed = ((before != after) & before.notna()).sum().astype(int).rename("cells changed")
    out["digital_high"] = _split_high(out["digital"], out, digital_split)
    high, pilot = out["digital_high"] == 1, out["pilot"] == 1
    out["group"] = np.select(
        [high & pilot, ~high & ~pilot, high & ~pilot, ~high & pilot], list(GROUPS), ""
    )
    out["nqp_lag"] = lag(out, "nqp", unit=UNIT, time=TIME)
    options = {
        "dea_model": dea_model,
        "frontier": frontier,
        "rts": rts,
        "winsorize": winsorize_on,
        "cuts": (lo, hi),
        "digital_split": digital_split,
    }
    return Measurement(
        frame=out,
        filled=filled.filled,
        index=index,
        digital=digital,
        winsorized=changed,
        options=options,
    )


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Table 3: obs, mean, sd (n-1), min and max of Coor, Nqp, its sub-dimensions and
    the controls."""
    return describe(frame, TABLE3_ROWS, ("obs", "mean", "sd", "min", "max"))


def parse_cuts(lower: float, upper: float) -> tuple[float, float]:
    """Winsorizing percentiles as a checked pair."""
    try:
        lo, hi = float(lower), float(upper)
    except (TypeError, ValueError):
        raise InputError("must be numbers (percent)", parameter="winsorize_cuts") from None
    if not 0 <= lo < hi <= 100:
        raise InputError(
            f"need 0 <= lower < upper <= 100; got {lo}, {hi}", parameter="winsorize_cuts"
        )
    return lo, hi
