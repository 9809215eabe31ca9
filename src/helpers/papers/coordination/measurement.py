"""Paper 001's measured variables: the NQP entropy index, the regional gap and the
upgrading index.

:func:`measure` fills missing indicator cells by linear interpolation within a province
(Section 2.3, "插值法"), builds the NQP entropy index of Table 1 (25 indicators, printed
directions), real GDP at first-year prices from the GDP index divided by year-end
population, the gap of eq. (3) (absolute) or eq. (4) (relative), and the upgrading index
of eq. (5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.indices import DEFAULT_SHIFT, EntropyIndex, Indicator, entropy_index
from helpers.measures import real_gdp_from_index, regional_gap, structure_upgrading_index
from helpers.panel import interpolate_within
from helpers.papers import interface
from helpers.papers.coordination.variables import (
    CONTRACT,
    CONTROLS,
    ENTROPY_BY,
    GAP_MEASURES,
    GAP_REFERENCES,
    TABLE2_ROWS,
    TIME,
    UNIT,
)
from helpers.tables import describe


def indicator_spec() -> list[Indicator]:
    """The 25 indicators of Table 1 in contract order, with their printed directions."""
    return CONTRACT.index_spec()


def indicator_table() -> pd.DataFrame:
    """Table 1 as the contract records it: dimension, indicator, Chinese name, direction."""
    rows = []
    for v in CONTRACT.with_role("indicator"):
        first, _, second = (v.dimension or "").partition(" > ")
        rows.append(
            {
                "first level": first,
                "second level": second,
                "indicator": v.name,
                "label": v.label,
                "三级指标": v.label_zh,
                "direction": v.direction,
            }
        )
    return pd.DataFrame(rows)


GAP_INPUTS = ("gdp", "gdp_index", "population")
"""The raw columns the regional gap needs (real GDP chained from the base year, per capita)."""

SECTORS = ("va_primary", "va_secondary", "va_tertiary")
"""The raw columns of the upgrading index (eq. 5)."""


@dataclass(frozen=True, kw_only=True)
class Measurement(interface.Measurement):
    """The measured panel and how it was built.

    ``frame``: one row per unit-year of the data in the sample years (province, year,
    region, gap, nqp, upgrading, ln_real_pc and the six controls); a variable that could not
    be built for a unit-year is missing there, and ``lost`` says why. ``index``: the entropy
    index (weights table, scores). ``filled``: cells of the data filled by interpolation
    (province, year, column, value). ``absent``: unit-years missing from the data inside a
    province's span of years (province, year); they enter no computation except the chain of
    the GDP index across them. ``lost``: province, year, variable (gap, nqp, upgrading or a
    control) and reason, for every measured value left missing.
    """

    index: EntropyIndex
    gap_measure: str
    entropy_by: str
    gap_reference: str = GAP_REFERENCES[0]
    absent: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[UNIT, TIME]))
    lost: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=[UNIT, TIME, "variable", "reason"])
    )


def _absent_years(sample: pd.DataFrame) -> pd.DataFrame:
    """The unit-years missing inside each province's span of observed years."""
    span = sample.groupby(UNIT, sort=False)[TIME].agg(["min", "max"])
    full = pd.DataFrame(
        [(u, t) for u, (lo, hi) in span.iterrows() for t in range(int(lo), int(hi) + 1)],
        columns=[UNIT, TIME],
    )
    have = pd.MultiIndex.from_frame(sample[[UNIT, TIME]])
    return full[~pd.MultiIndex.from_frame(full).isin(have)].reset_index(drop=True)


def _chain_reason(data: pd.DataFrame, first_year: int) -> pd.Series:
    """Why real per-capita GDP cannot be built for a row ("" where it can).

    Real GDP at ``first_year`` prices is the base-year GDP times the GDP index chained from
    the base year (:func:`helpers.measures.real_gdp_from_index`), so a row needs the
    province's base-year GDP and every link of the index from the base year to its own
    year, and its own GDP and population; interior gaps were interpolated before.
    """
    d = data.sort_values([UNIT, TIME], kind="mergesort")
    at_base = d[TIME] == first_year
    base_ok = (at_base & d["gdp"].notna()).groupby(d[UNIT]).transform("any")
    link = d["gdp_index"].notna() | at_base
    chain_ok = link.astype(int).groupby(d[UNIT]).cummin().astype(bool)
    reason = pd.Series("", index=d.index)
    reason[~d["population"].notna()] = "population missing"
    reason[~d["gdp"].notna()] = "GDP missing"
    reason[~chain_ok] = "GDP index missing in this or an earlier year (the chain breaks)"
    reason[~base_ok] = f"no GDP in the base year {first_year}"
    return reason.reindex(data.index)


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    gap_measure: str = "absolute",
    entropy_by: str = "pooled",
    gap_reference: str = "log_of_mean",
    entropy_shift: float = DEFAULT_SHIFT,
) -> Measurement:
    """The paper's variables on the sample years ``first_year``..``last_year``.

    Index and gap are computed on the sample itself (weights depend on which
    province-years enter); real GDP is at ``first_year`` prices (2013 in the paper), and
    the gap's national reference is the log of the yearly mean per-capita GDP
    (``gap_reference="log_of_mean"``) or the mean of the logs (``"mean_of_logs"``).
    ``entropy_shift`` is the shift of the normalised indicators in the entropy method.

    Missing data (a reader's file may have them): cells missing inside a province's span of
    years are filled by linear interpolation within the province (Section 2.3, 插值法), for
    every raw variable used. A unit-year absent from the data stays out of every
    computation, except that its GDP-index link is interpolated so that later years can be
    chained to the base year. Cells that cannot be interpolated (before a province's first
    or after its last observation) leave the measured variable missing for that unit-year:
    the index where an indicator is missing, the gap where GDP, population or a link of the
    GDP index chain is missing, the upgrading index where a sector is missing; the
    regressions that use the variable drop the unit-year (``lost`` lists each with why).
    """
    check_choice("gap_measure", gap_measure, GAP_MEASURES)
    check_choice("entropy_by", entropy_by, ENTROPY_BY)
    check_choice("gap_reference", gap_reference, GAP_REFERENCES)
    if not (np.isfinite(entropy_shift) and 0 < entropy_shift <= 0.1):
        raise InputError(
            f"must be a number in (0, 0.1], got {entropy_shift}", parameter="entropy_shift"
        )
    years = panel[TIME].astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    present = set(sample[TIME].astype(int))
    if first_year not in present or len(present) < 3:
        raise InputError(
            f"the data must cover {first_year} (the price base) and at least three years "
            f"between first_year and last_year; found {sorted(present)}",
            parameter="first_year",
        )
    spec = indicator_spec()
    indicators = [i.column for i in spec]
    needed = [*indicators, *GAP_INPUTS, *SECTORS, *CONTROLS]
    sample[TIME] = sample[TIME].astype(int)
    for col in needed:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    absent = _absent_years(sample)
    observed = pd.Series(True, index=sample.index)
    if not absent.empty:  # absent years go last, so the data's own rows keep their order
        sample = pd.concat([sample, absent], ignore_index=True)
        observed = observed.reindex(sample.index, fill_value=False)
    interpolated = interpolate_within(sample, needed, unit=UNIT, time=TIME)
    filled = interpolated.filled
    if not absent.empty:
        keys = pd.MultiIndex.from_frame(filled[[UNIT, TIME]])
        filled = filled[~keys.isin(pd.MultiIndex.from_frame(absent))].reset_index(drop=True)
    data = interpolated.data
    chain = _chain_reason(data, first_year)
    rows = data[observed.to_numpy()]
    index = entropy_index(
        rows, spec, by=entropy_by, unit=UNIT, time=TIME, missing="drop", shift=entropy_shift
    )
    linked = data[chain == ""]
    real = real_gdp_from_index(
        linked, "gdp", "gdp_index", unit=UNIT, time=TIME, base_year=first_year
    )
    out = rows[[UNIT, TIME, "region", *CONTROLS]].copy()
    out["region"] = out["region"].astype(str)
    out["nqp"] = index.score
    per_capita = real * 1e4 / linked["population"]
    out["ln_real_pc"] = np.log(per_capita.reindex(out.index).to_numpy(float))
    with_gap = out[out["ln_real_pc"].notna()].assign(real_pc=lambda f: np.exp(f["ln_real_pc"]))
    out["gap"] = regional_gap(
        with_gap, "real_pc", unit=UNIT, time=TIME, kind=gap_measure, reference=gap_reference
    ).reindex(out.index)
    sectors = rows[rows[list(SECTORS)].notna().all(axis=1)]
    out["upgrading"] = structure_upgrading_index(sectors, *SECTORS, unit=UNIT, time=TIME).reindex(
        out.index
    )
    return Measurement(
        frame=out,
        filled=filled,
        index=index,
        gap_measure=gap_measure,
        entropy_by=entropy_by,
        gap_reference=gap_reference,
        absent=absent,
        lost=_lost(rows, out, chain, indicators),
    )


def _lost(rows: pd.DataFrame, out: pd.DataFrame, chain: pd.Series, indicators) -> pd.DataFrame:
    """Every measured value left missing, with the reason (see :func:`measure`)."""

    def missing_of(columns) -> pd.Series:
        names = rows[list(columns)].isna()
        return names.apply(lambda r: ", ".join(r.index[r]), axis=1)

    reasons = {
        "gap": chain.reindex(out.index).where(out["gap"].isna(), ""),
        "nqp": ("indicator missing: " + missing_of(indicators)).where(out["nqp"].isna(), ""),
        "upgrading": ("sector value added missing: " + missing_of(SECTORS)).where(
            out["upgrading"].isna(), ""
        ),
        **{
            c: pd.Series("control missing", index=out.index).where(out[c].isna(), "")
            for c in CONTROLS
        },
    }
    parts = [
        out.loc[reason != "", [UNIT, TIME]].assign(variable=name, reason=reason[reason != ""])
        for name, reason in reasons.items()
    ]
    return pd.concat(parts, ignore_index=True)


def weights_table(index: EntropyIndex) -> pd.DataFrame:
    """Entropy weights of the 25 indicators with Table 1's hierarchy and Chinese names.

    With year-by-year weights the table shows each indicator's mean, min and max weight.
    """
    names = indicator_table().set_index("indicator")
    w = index.weights
    if "year" in w.columns:
        agg = w.groupby("indicator", sort=False)["weight"].agg(["mean", "min", "max"])
        w = agg.rename(columns={"mean": "weight", "min": "weight_min", "max": "weight_max"})
        w = w.reset_index()
    table = names.join(w.set_index("indicator").filter(like="weight"), how="left")
    return table.reset_index()


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Table 2: obs, mean, min, median, max, sd (n-1) of the gap, NQP and the controls."""
    return describe(frame, TABLE2_ROWS, ("obs", "mean", "min", "median", "max", "sd"))
