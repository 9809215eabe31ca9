"""Paper 001's measured variables: the NQP entropy index, the regional gap and the
upgrading index.

:func:`measure` fills missing indicator cells by linear interpolation within a province
(Section 2.3, "插值法"), builds the NQP entropy index of Table 1 (25 indicators, printed
directions), real GDP at first-year prices from the GDP index divided by year-end
population, the gap of eq. (3) (absolute) or eq. (4) (relative), and the upgrading index
of eq. (5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.indices import EntropyIndex, Indicator, entropy_index
from helpers.measures import real_gdp_from_index, regional_gap, structure_upgrading_index
from helpers.panel import interpolate_within
from helpers.papers import interface
from helpers.papers.coordination.variables import (
    CONTRACT,
    CONTROLS,
    ENTROPY_BY,
    GAP_MEASURES,
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


@dataclass(frozen=True, kw_only=True)
class Measurement(interface.Measurement):
    """The measured panel and how it was built.

    ``frame``: province, year, region, gap, nqp, upgrading, ln_real_pc and the six
    controls. ``index``: the entropy index (weights table, scores). ``filled``:
    indicator cells filled by interpolation (province, year, column, value).
    """

    index: EntropyIndex
    gap_measure: str
    entropy_by: str


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    gap_measure: str = "absolute",
    entropy_by: str = "pooled",
) -> Measurement:
    """The paper's variables on the sample years ``first_year``..``last_year``.

    Index and gap are computed on the sample itself (weights depend on which
    province-years enter); real GDP is at ``first_year`` prices (2013 in the paper).
    """
    check_choice("gap_measure", gap_measure, GAP_MEASURES)
    check_choice("entropy_by", entropy_by, ENTROPY_BY)
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
    needed = [i.column for i in spec] + ["gdp", "gdp_index", "population"]
    needed += ["va_primary", "va_secondary", "va_tertiary", *CONTROLS]
    sample[TIME] = sample[TIME].astype(int)
    for col in needed:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    filled = interpolate_within(sample, needed, unit=UNIT, time=TIME)
    sample = filled.data
    index = entropy_index(sample, spec, by=entropy_by, unit=UNIT, time=TIME, missing="drop")
    real = real_gdp_from_index(
        sample, "gdp", "gdp_index", unit=UNIT, time=TIME, base_year=first_year
    )
    out = sample[[UNIT, TIME, "region", *CONTROLS]].copy()
    out["region"] = out["region"].astype(str)
    out["nqp"] = index.score
    out["ln_real_pc"] = np.log(np.asarray(real) * 1e4 / sample["population"].to_numpy())
    out["real_pc"] = np.exp(out["ln_real_pc"])
    out["gap"] = regional_gap(out, "real_pc", unit=UNIT, time=TIME, kind=gap_measure)
    out["upgrading"] = structure_upgrading_index(
        sample, "va_primary", "va_secondary", "va_tertiary", unit=UNIT, time=TIME
    )
    return Measurement(
        frame=out.drop(columns="real_pc"),
        filled=filled.filled,
        index=index,
        gap_measure=gap_measure,
        entropy_by=entropy_by,
    )


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
