"""Paper 000's measured variables: GTFP by DEA and the GML index, the PCA index ``prod``,
the industrial structure and the agglomeration moderators.

:func:`measure` builds the paper's variables: missing cells filled by linear
interpolation within a province (Section 3.3); GTFP from the super-efficiency EBM with
undesirable outputs and the GML index (Section 3.2.1; alternatives SBM-GML and DDF-GML
for Table 6), as the GML index or its cumulative level, under constant returns to scale
unless ``rts="vrs"`` (the paper does not say; Stata gtfpch's default is CRS); ``prod`` =
first principal component of the logged 15 indicators of Table 2
(:func:`helpers.indices.pca_index`); TS = tertiary / secondary value added; ``high``
(location quotient), ``prof`` (specialisation) and ``mul`` (diversification) from
:mod:`helpers.measures`.

Cells that interpolation cannot fill (a province's first or last years) leave the
measures that need them missing for that province-year, never the whole panel
(:func:`missing_cells_policy`): the DEA frontier, the PCA and the agglomeration indices are
computed on the province-years whose inputs are complete, and every regression drops the
province-years with a missing variable (Stata's listwise deletion).

The contract takes the capital stock at 2000 prices as given (the paper builds it by
the perpetual inventory method with 10.96% depreciation); a reader with investment
series builds it with :func:`helpers.panel.perpetual_inventory` (``delta=0.1096``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from helpers.dea import DEAInfeasibleWarning, cumulate, gml
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import Absorber, fe_codes
from helpers.indices import PCAIndex, pca_index
from helpers.measures import (
    diversification_index,
    location_quotient,
    specialisation_index,
    tertiary_secondary_ratio,
)
from helpers.panel import interpolate_within, lag
from helpers.papers import interface
from helpers.papers.gtfp.variables import (
    CONTRACT,
    CONTROLS,
    COUNT_INDICATORS,
    DEA_BAD,
    DEA_GOOD,
    DEA_INPUTS,
    GTFP_FORMS,
    GTFP_MEASURES,
    INTERACTION,
    MODERATORS,
    PCA_VARIANTS,
    RTS,
    SERVICE_SECTORS,
    SUPER_EFFICIENCY,
    TIME,
    UNIT,
)
from helpers.tables import describe


def indicator_table() -> pd.DataFrame:
    """Table 2 as the contract records it: dimension, indicator, label, unit."""
    return pd.DataFrame(
        [
            {"dimension": v.dimension, "indicator": v.name, "label": v.label, "unit": v.unit}
            for v in CONTRACT.with_role("indicator")
        ]
    )


def logged_indicators(data: pd.DataFrame) -> pd.DataFrame:
    """The 15 indicators in logs; the two university counts, which can be zero, as
    ``ln(1 + x)`` (the paper does not say how it logs zeros)."""
    names = indicator_table()["indicator"].tolist()
    x = data[names].astype(float)
    shift = np.where(np.isin(names, COUNT_INDICATORS), 1.0, 0.0)
    return np.log(x + shift)


def _on_complete(
    data: pd.DataFrame, columns: Sequence[str], compute: Callable[[pd.DataFrame], pd.Series]
) -> pd.Series:
    """``compute`` on the rows of ``data`` whose ``columns`` are all present, aligned with
    ``data.index`` (missing on the other rows). A complete panel is passed whole."""
    complete = data[list(columns)].notna().all(axis=1)
    if complete.all():
        return compute(data)
    return compute(data.loc[complete]).reindex(data.index)


def prod_index(
    data: pd.DataFrame, variant: str = "first", indicators: Sequence[str] | None = None
) -> PCAIndex:
    """NQPF index ``prod`` (Section 3.2.2) by :func:`helpers.indices.pca_index`.

    ``"first"``: first principal component of the logged indicators (the paper);
    ``"kaiser"``: variance-share weighted components with eigenvalue > 1 of the logged
    indicators; ``"unlogged"``: first component of the raw indicators; ``"within"``: first
    component of the logged indicators demeaned by province and year (the variation the
    two-way fixed-effects regressions use). ``indicators``: a subset of Table 2 (default:
    all 15). The components are computed on the province-years with every indicator
    present (Stata ``pca`` and ``predict``); the score is missing on the others.
    """
    check_choice("pca_variant", variant, PCA_VARIANTS)
    names = indicator_table()["indicator"].tolist()
    if indicators is not None:
        unknown = [i for i in indicators if i not in names]
        if unknown:
            raise InputError("not an indicator of Table 2", parameter="indicators", rows=unknown)
        names = [n for n in names if n in indicators]
    complete = data[names].notna().all(axis=1)
    rows = data if complete.all() else data.loc[complete]
    if variant == "unlogged":
        frame = rows[names].astype(float)
    else:
        frame = logged_indicators(rows)[names]
    if variant == "within":
        codes = tuple(fe_codes(rows, key) for key in (UNIT, TIME))
        frame = pd.DataFrame(
            Absorber(codes).demean(frame.to_numpy(float)), index=frame.index, columns=names
        )
    n_components = "kaiser" if variant == "kaiser" else 1
    index = pca_index(frame, names, n_components=n_components, name="prod")
    if rows is data:
        return index
    return replace(
        index,
        score=index.score.reindex(data.index),
        components=index.components.reindex(data.index),
    )


def moderators(data: pd.DataFrame) -> pd.DataFrame:
    """high (location quotient of high-tech in above-scale industrial enterprises),
    prof (Ezcurra specialisation) and mul (Han Feng diversification) of the five
    productive-service sectors, nations = the sample's provinces (Section 3.2.4): the
    national totals of a year sum the provinces whose counts are present that year."""
    firms = ["hightech_firms", "industrial_firms"]

    def high(rows):
        return location_quotient(rows, *firms, unit=UNIT, time=TIME)

    def prof(rows):
        return specialisation_index(rows, SERVICE_SECTORS, unit=UNIT, time=TIME)

    def mul(rows):
        return diversification_index(rows, SERVICE_SECTORS, unit=UNIT, time=TIME)

    return pd.DataFrame(
        {
            "high": _on_complete(data, firms, high),
            "prof": _on_complete(data, SERVICE_SECTORS, prof),
            "mul": _on_complete(data, SERVICE_SECTORS, mul),
        },
        index=data.index,
    )


def gtfp_series(
    data: pd.DataFrame, measure: str = "ebm", form: str = "cumulative", rts: str = "crs"
) -> pd.Series:
    """GTFP by the GML index of ``measure`` (non-oriented, bads SO2 and COD), returns to
    scale ``rts`` (``"crs"``, the book's assumption, or ``"vrs"``).

    ``form="index"``: the GML index itself (missing in each province's first year);
    ``"cumulative"``: its chained level, 1 in the first year (Stata gtfpch's
    cumulated index). Only the province-years with every DEA input and output present
    enter the frontier; a province whose first years are missing is chained from its
    first complete year.
    """
    check_choice("gtfp_measure", measure, GTFP_MEASURES)
    check_choice("gtfp_form", form, GTFP_FORMS)
    check_choice("rts", rts, RTS)
    dea = [*DEA_INPUTS, *DEA_GOOD, *DEA_BAD]

    def scores(rows: pd.DataFrame) -> pd.Series:
        with warnings.catch_warnings():
            # period-frontier programmes feed the EC/TC split and the contemporaneous ML,
            # which GTFP does not use; failures of the global programmes are counted below
            warnings.simplefilter("ignore", DEAInfeasibleWarning)
            index = gml(
                rows,
                list(DEA_INPUTS),
                list(DEA_GOOD),
                list(DEA_BAD),
                unit=UNIT,
                time=TIME,
                model=measure,
                super_efficiency=SUPER_EFFICIENCY[measure],
                rts=rts,
            )
        failed = int(index["score_global"].isna().sum())
        if failed:
            warnings.warn(
                f"{failed} of {len(index)} global-frontier {measure} programmes failed; "
                "their GTFP is NaN",
                DEAInfeasibleWarning,
                stacklevel=3,
            )
        if form == "cumulative":
            index = cumulate(index, "gml", unit=UNIT, time=TIME)
        return pd.Series(index["gml"].to_numpy(float), index=rows.index)

    return _on_complete(data, dea, scores).rename(f"gtfp_{measure}")


@dataclass(frozen=True, kw_only=True)
class Measurement(interface.Measurement):
    """The measured panel and how it was built.

    ``frame``: province, year, region, gtfp (the chosen measure), gtfp_ebm/sbm/ddf,
    prod, prod_1, prod_2, ts, high, prof, mul, the interactions and the controls.
    ``index``: the PCA index (loadings, explained variance). ``filled``: cells filled
    by interpolation; ``unfilled``: cells still missing after it (province, year,
    column); ``raw``: the raw sample after interpolation, from which ``frame`` was built.
    """

    index: PCAIndex
    gtfp_measure: str
    gtfp_form: str
    pca_variant: str
    rts: str
    unfilled: pd.DataFrame
    raw: pd.DataFrame


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int = 2010,
    last_year: int = 2019,
    gtfp_measure: str = "ebm",
    gtfp_form: str = "cumulative",
    pca_variant: str = "first",
    rts: str = "crs",
    alternatives: bool = True,
) -> Measurement:
    """The paper's variables on the sample years ``first_year``..``last_year``.

    The frontier, the PCA and the agglomeration indices are computed on the sample
    itself. ``alternatives=False`` skips the two Table 6 measures not chosen. The sample
    needs :data:`MIN_YEARS` years (Table 7 lags ``prod`` by two years).
    """
    check_choice("gtfp_measure", gtfp_measure, GTFP_MEASURES)
    check_choice("gtfp_form", gtfp_form, GTFP_FORMS)
    check_choice("pca_variant", pca_variant, PCA_VARIANTS)
    check_choice("rts", rts, RTS)
    years = pd.to_numeric(panel[TIME]).astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    sample[TIME] = sample[TIME].astype(int)
    found = sorted(sample[TIME].unique())
    if len(found) < MIN_YEARS:
        raise InputError(
            f"needs at least {MIN_YEARS} years between first_year and last_year (Table 7 lags "
            f"prod by two years); the data have {found} in {first_year}-{last_year}",
            parameter="first_year/last_year",
        )
    numeric = [v.name for v in CONTRACT.variables if v.is_numeric and v.name != TIME]
    numeric = [c for c in numeric if c in sample.columns]
    for col in numeric:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    filled = interpolate_within(sample, numeric, unit=UNIT, time=TIME)
    sample = filled.data
    index = prod_index(sample, pca_variant)
    out = sample[[UNIT, TIME, "region", *CONTROLS]].copy()
    out["region"] = out["region"].astype(str)
    measures = GTFP_MEASURES if alternatives else (gtfp_measure,)
    for m in measures:
        out[f"gtfp_{m}"] = gtfp_series(sample, m, gtfp_form, rts)
    out["gtfp"] = out[f"gtfp_{gtfp_measure}"]
    out["prod"] = index.score.to_numpy()
    for k in (1, 2):
        out[f"prod_{k}"] = lag(out, "prod", unit=UNIT, time=TIME, periods=k)
    value_added = ["va_tertiary", "va_secondary"]
    out["ts"] = _on_complete(
        sample,
        value_added,
        lambda rows: tertiary_secondary_ratio(rows, *value_added, unit=UNIT, time=TIME),
    ).to_numpy()
    mods = moderators(sample)
    for m in MODERATORS:
        out[m] = mods[m].to_numpy()
        out[INTERACTION[m]] = out["prod"] * out[m]
    return Measurement(
        frame=out,
        filled=filled.filled,
        index=index,
        gtfp_measure=gtfp_measure,
        gtfp_form=gtfp_form,
        pca_variant=pca_variant,
        rts=rts,
        unfilled=filled.unfilled,
        raw=sample,
    )


MIN_YEARS = 4
"""Fewest sample years the chapter runs on: Table 7 lags ``prod`` by two years, and a
province-year with both lags needs two earlier years."""


def missing_cells_policy() -> pd.DataFrame:
    """What the chapter does with a missing cell of each group of raw variables: an interior
    gap is filled by linear interpolation within the province (Section 3.3, Stata
    ``ipolate``); a cell in a province's first or last years cannot be interpolated, and the
    province-year leaves the measure built from it and every regression that uses it."""
    rows = [
        (
            "DEA inputs and outputs",
            [*DEA_INPUTS, *DEA_GOOD, *DEA_BAD],
            "gtfp (all three models)",
            "the province-year leaves the frontier; its GTFP is missing (as the GML index, the "
            "next year's too; the cumulative level of a province that starts late is chained "
            "from its first complete year)",
        ),
        (
            "Table 2 indicators",
            indicator_table()["indicator"].tolist(),
            "prod, prod_1, prod_2",
            "the province-year leaves the PCA; its prod (and the lags that point at it) is missing",
        ),
        ("value added", ["va_tertiary", "va_secondary"], "ts", "its TS is missing"),
        (
            "firm counts",
            ["hightech_firms", "industrial_firms"],
            "high",
            "its high is missing; the year's national totals sum the provinces present",
        ),
        (
            "service employment",
            list(SERVICE_SECTORS),
            "prof, mul",
            "its prof and mul are missing; the year's national shares use the provinces present",
        ),
        ("controls", list(CONTROLS), "gov, ent, fdi, env", "the control is missing"),
    ]
    return pd.DataFrame(
        [
            {
                "variables": group,
                "raw columns": ", ".join(columns),
                "measures": measures,
                "interior gap": "linear interpolation within the province",
                "first or last years": ends,
            }
            for group, columns, measures, ends in rows
        ]
    )


def variance_shares(frame: pd.DataFrame, column: str) -> pd.Series:
    """Where ``column`` varies: its standard deviation, the share of its variance that is
    differences between provinces (their means), and the share and standard deviation left
    after province and year means, the only variation two-way fixed effects use (all with
    n in the denominator, over the province-years where ``column`` is present)."""
    rows = frame.dropna(subset=[column])
    x = rows[column].to_numpy(float)
    between = rows.groupby(UNIT)[column].transform("mean").to_numpy(float)
    codes = tuple(fe_codes(rows, key) for key in (UNIT, TIME))
    within = Absorber(codes).demean(x[:, None])[:, 0]
    total = x.var()
    return pd.Series(
        {
            "sd": float(np.sqrt(total)),
            "between provinces": float(between.var() / total),
            "within (two-way)": float(within.var() / total),
            "within sd": float(within.std()),
        },
        name=column,
    )


def loadings_table(index: PCAIndex) -> pd.DataFrame:
    """Loadings of the retained components with Table 2's dimension and label."""
    table = indicator_table().set_index("indicator")[["dimension", "label"]]
    return table.join(index.loadings).reset_index()


DESCRIBED = ("gtfp", "prod", "ts", *MODERATORS, *CONTROLS)


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Obs, mean, sd (n-1), min, median, max of the model variables (the paper prints none)."""
    return describe(frame, DESCRIBED)
