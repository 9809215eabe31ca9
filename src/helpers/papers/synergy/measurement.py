"""Paper 002's measured variables: Coor (DEA with undesirable outputs), the Nqp entropy
index and its dimensions, the mediators, the digital index and the Table 7 groups.

:func:`measure` fills missing cells by linear interpolation within a city, scores Coor
(SBM with bads on the global frontier by default; EBM, a contemporaneous frontier and
VRS are options), builds Nqp (Table 2), the mediators of Table 5, the digital index of
Section 5.4.3, the median splits of Nqp (Table 6 (5)-(6)) and of the digital index,
winsorizes the continuous variables at 1/99% (the paper does; the book winsorizes the
measured variables over all city-years by default, the raw data or each year apart as
options) and forms the digital x regulation groups of Table 7.

Missing cells (:data:`MISSING_RULES`): a gap inside a city's years is filled by linear
interpolation (the paper does); a cell before a city's first or after its last observed
year stays missing, and the city-year leaves the regressions that use the variable.

:func:`coor_scores` keeps the last few DEA score vectors it computed (keyed by the DEA data
and options), so a chapter that measures the same panel with other winsorizing or split
rules solves its linear programmes once. :func:`coor_slacks` splits each Coor score into
the input and output terms of the SBM ratio.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.dea import efficiency
from helpers.dea.slacks import sbm_slacks
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


_SCORE_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
SCORE_CACHE_SIZE = 8
"""DEA score vectors :func:`coor_scores` keeps (the most recently used ones)."""


def _cache_key(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        digest.update(b"|")
    return digest.hexdigest()


def coor_scores(
    panel: pd.DataFrame,
    *,
    model: str = "sbm",
    frontier: str = "global",
    rts: str = "crs",
    workers: int | None = None,
) -> np.ndarray:
    """Coor: DEA efficiency with undesirable outputs (Table 1), non-oriented.

    ``frontier="global"`` (default) scores every city-year against the technology of
    all city-years (Pastor and Lovell 2005), so scores compare across years;
    ``"contemporaneous"`` builds one frontier per year.

    The scores of the last :data:`SCORE_CACHE_SIZE` calls are kept, keyed by the DEA
    data (inputs, outputs, years) and the options: a second call on the same data
    returns a copy of the stored scores without solving again (``workers`` changes
    nothing but the speed, so it is not part of the key).
    """
    check_choice("dea_model", model, DEA_MODELS)
    check_choice("frontier", frontier, FRONTIERS)
    check_choice("rts", rts, RTS)
    x = panel[list(DEA_INPUTS)].to_numpy(float)
    y = panel[list(DEA_GOOD)].to_numpy(float)
    b = panel[list(DEA_BAD)].to_numpy(float)
    years = panel[TIME].to_numpy(int)
    key = _cache_key(
        x, y, b, years if frontier == "contemporaneous" else None, model, frontier, rts
    )
    if key in _SCORE_CACHE:
        _SCORE_CACHE.move_to_end(key)
        return _SCORE_CACHE[key].copy()
    options = {"model": model, "rts": rts, "orientation": "non", "workers": workers}
    if frontier == "global":
        scores = efficiency(x, y, b, **options)
    else:
        scores = np.full(len(panel), np.nan)
        for year in np.unique(years):
            rows = years == year
            scores[rows] = efficiency(x[rows], y[rows], b[rows], **options)
    _SCORE_CACHE[key] = scores.copy()
    while len(_SCORE_CACHE) > SCORE_CACHE_SIZE:
        _SCORE_CACHE.popitem(last=False)
    return scores


FRONTIER_TOLERANCE = 1e-6
"""A city-year whose raw score is within this of 1 is on the frontier."""


def coor_slacks(
    panel: pd.DataFrame,
    *,
    frontier: str = "global",
    rts: str = "crs",
    scores: np.ndarray | None = None,
) -> pd.DataFrame:
    """The SBM ratio of every city-year split into its input and output terms
    (:func:`helpers.dea.slacks.sbm_slacks`): score, input_term, output_term and the slack
    ratio of each input and output, on the frontier of ``frontier``.

    Each city-year is projected on the frontier city-years of its technology (``scores``
    of :func:`coor_scores` at or above 1 - :data:`FRONTIER_TOLERANCE`, computed if not
    given): the reference units of an SBM projection are SBM-efficient (Tone 2001), so
    the scores are the full programme's, which the column ``score`` lets a caller check.
    Rows with incomplete DEA data are NaN.
    """
    check_choice("frontier", frontier, FRONTIERS)
    dea = [*DEA_INPUTS, *DEA_GOOD, *DEA_BAD]
    complete = panel[dea].notna().all(axis=1).to_numpy()
    if scores is None:
        scores = np.full(len(panel), np.nan)
        scores[complete] = coor_scores(panel[complete], frontier=frontier, rts=rts)
    years = panel[TIME].to_numpy(int)
    groups = [complete] if frontier == "global" else [complete & (years == y) for y in set(years)]
    out = pd.DataFrame(np.nan, index=panel.index, columns=["score", "input_term", "output_term"])
    for rows in groups:
        if not rows.any():
            continue
        part = panel[rows]
        terms = sbm_slacks(
            part[list(DEA_INPUTS)],
            part[list(DEA_GOOD)],
            part[list(DEA_BAD)],
            rts=rts,
            reference=scores[rows] >= 1 - FRONTIER_TOLERANCE,
        )
        out = out.reindex(columns=terms.columns)
        out.loc[rows] = terms.to_numpy()
    return out


@dataclass(frozen=True, kw_only=True)
class Measurement(interface.Measurement):
    """The measured panel and how it was built.

    ``frame``: city, year, province and group flags, pilot (low-carbon pilot in force),
    coor, nqp, nql, nqo, nqm, the controls, the mediators of :data:`MEDIATORS`,
    digital (index), nqp_high and digital_high (1 above the median of their split rule,
    0 at or below it, NaN when missing), group (Table 7 (5)-(8); empty when the digital
    index is missing) and nqp_lag. ``index``/``digital``: the entropy indices.
    ``filled``: cells filled by interpolation; ``unfilled``: cells left missing (before a
    city's first or after its last observation). ``winsorized``: cells changed per
    column (zero if off). ``sample``: the raw columns the measures were built from, on the
    sample years, after interpolation (and winsorizing, at the raw stage).
    """

    index: EntropyIndex
    digital: EntropyIndex
    winsorized: pd.Series
    unfilled: pd.DataFrame = field(default_factory=pd.DataFrame)
    sample: pd.DataFrame = field(default_factory=pd.DataFrame)
    options: dict = field(default_factory=dict)


CONTINUOUS = ("coor", "nqp", "nql", "nqo", "nqm", *CONTROLS, *MEDIATORS, "digital")
"""The measured continuous variables, winsorized when ``winsorize_stage="measures"``."""


RAW_CONTINUOUS = (
    *(v.name for v in CONTRACT.with_role("indicator") if v.name not in DIGITAL_INDICATORS),
    *DIGITAL_INDICATORS,
    *DEA_INPUTS,
    *DEA_GOOD,
    *DEA_BAD,
    "electricity",
    "green_patent_applications",
    "green_patent_grants",
    *CONTROLS,
)
"""The raw continuous columns the measures are built from: interpolated within cities, and
winsorized when ``winsorize_stage="raw"``."""


MISSING_RULES = {
    "DEA inputs and outputs (capital stock, employment, energy, GDP, CO2, PM2.5)": (
        "a gap inside a city's years is interpolated; otherwise the city-year has no Coor "
        "and leaves every regression of Coor"
    ),
    "the 15 indicators of Nqp": (
        "a gap is interpolated; otherwise the city-year has no Nqp (nor Nql, Nqo, Nqm) and "
        "leaves every regression, the index weights being computed on the complete city-years"
    ),
    "the three digital-infrastructure indicators": (
        "a gap is interpolated; otherwise the city-year has no digital index and belongs to "
        "none of the four groups of Table 7 (5)-(8)"
    ),
    "electricity, green patents, digital finance (the mediators)": (
        "a gap is interpolated; otherwise the city-year leaves the Table 5 column of that "
        "mediator (digital finance is also an indicator of Nqp)"
    ),
    "the five controls": (
        "a gap is interpolated; otherwise the city-year leaves every regression with controls"
    ),
    "low-carbon pilot year": "empty means never a pilot (regulation dummy 0 in every year)",
}
"""What :func:`measure` and the regressions do with the missing cells the contract allows."""


WINSORIZE_STAGES = ("measures", "raw")


WINSORIZE_BY = ("pooled", "year")


NQP_SPLITS = DIGITAL_SPLITS
"""Median rules of the Nqp split of Table 6 (5)-(6): the same three as the digital split."""


def _split_high(values: pd.Series, frame: pd.DataFrame, rule: str) -> pd.Series:
    """1 where ``values`` are above the median of ``rule``: all city-years (``pooled``),
    the city-years of the same year (``year``), or (``city``) the city's mean over the
    years against the median of city means (a time-invariant split); 0 at or below it,
    NaN where the value is missing."""
    if rule == "pooled":
        high = values > values.median()
    elif rule == "year":
        high = values > values.groupby(frame[TIME]).transform("median")
    else:
        means = values.groupby(frame[UNIT]).transform("mean")
        high = means > values.groupby(frame[UNIT]).mean().median()
    return high.astype(float).where(values.notna())


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
    winsorize_stage: str = "measures",
    winsorize_by: str = "pooled",
    nqp_split: str = "pooled",
    digital_split: str = "pooled",
    workers: int | None = None,
) -> Measurement:
    """The paper's variables on ``first_year``..``last_year`` (index weights, frontier
    and percentiles computed on those years).

    Winsorizing (``winsorize_on``, at the percentiles ``cuts``): ``winsorize_stage``
    ``"measures"`` (default) clips the measured variables of :data:`CONTINUOUS` (Coor,
    the indices, the mediators, the controls), ``"raw"`` the raw columns of
    :data:`RAW_CONTINUOUS` before Coor and the indices are built from them;
    ``winsorize_by`` ``"pooled"`` (default) takes the percentiles over all city-years,
    ``"year"`` within each year. ``nqp_split`` and ``digital_split`` are the median rules
    of the Nqp halves (Table 6 (5)-(6)) and of the digital groups (Table 7 (5)-(8)):
    ``"pooled"``, ``"year"`` or ``"city"`` (see :func:`_split_high`). ``workers``: the
    DEA engine's threads (None: its default, :func:`helpers.dea.parallel.default_workers`);
    the scores are the same for every value.
    """
    check_choice("digital_split", digital_split, DIGITAL_SPLITS)
    check_choice("nqp_split", nqp_split, NQP_SPLITS)
    check_choice("winsorize_stage", winsorize_stage, WINSORIZE_STAGES)
    check_choice("winsorize_by", winsorize_by, WINSORIZE_BY)
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
    numeric = list(RAW_CONTINUOUS)
    for col in numeric:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    filled = interpolate_within(sample, numeric, unit=UNIT, time=TIME)
    sample = filled.data
    by = TIME if winsorize_by == "year" else None
    changed = pd.Series(0, index=list(CONTINUOUS), dtype=int, name="cells changed")
    if winsorize_on and winsorize_stage == "raw":
        before = sample[numeric].copy()
        sample = winsorize(sample, numeric, cuts=(lo, hi), by=by, missing="keep")
        changed = _cells_changed(before, sample[numeric])
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
    if winsorize_on and winsorize_stage == "measures":
        before = out[list(CONTINUOUS)].copy()
        out = winsorize(out, list(CONTINUOUS), cuts=(lo, hi), by=by, missing="keep")
        changed = _cells_changed(before, out[list(CONTINUOUS)])
    out["nqp_high"] = _split_high(out["nqp"], out, nqp_split)
    out["digital_high"] = _split_high(out["digital"], out, digital_split)
    high, low = out["digital_high"] == 1, out["digital_high"] == 0
    pilot = out["pilot"] == 1
    out["group"] = np.select(
        [high & pilot, low & ~pilot, high & ~pilot, low & pilot], list(GROUPS), ""
    )
    out["nqp_lag"] = lag(out, "nqp", unit=UNIT, time=TIME)
    options = {
        "dea_model": dea_model,
        "frontier": frontier,
        "rts": rts,
        "winsorize": winsorize_on,
        "cuts": (lo, hi),
        "winsorize_stage": winsorize_stage,
        "winsorize_by": winsorize_by,
        "nqp_split": nqp_split,
        "digital_split": digital_split,
    }
    return Measurement(
        frame=out,
        filled=filled.filled,
        unfilled=filled.unfilled,
        index=index,
        digital=digital,
        winsorized=changed,
        sample=sample,
        options=options,
    )


def _cells_changed(before: pd.DataFrame, after: pd.DataFrame) -> pd.Series:
    """Cells winsorizing changed, per column."""
    return ((before != after) & before.notna()).sum().astype(int).rename("cells changed")


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
