"""Paper 000's measured variables: GTFP by DEA and the GML index, the PCA index ``prod``,
the industrial structure and the agglomeration moderators.

:func:`measure` builds the paper's variables: missing cells filled by linear
interpolation within a province (Section 3.3); GTFP from the super-efficiency EBM with
undesirable outputs and the GML index (Section 3.2.1; alternatives SBM-GML and DDF-GML
for Table 6), as the GML index or its cumulative level; ``prod`` = first principal
component of the logged 15 indicators of Table 2 (:func:`helpers.indices.pca_index`);
TS = tertiary / secondary value added; ``high`` (location quotient), ``prof``
(specialisation) and ``mul`` (diversification) from :mod:`helpers.measures`.

The contract takes the capital stock at 2000 prices as given (the paper builds it by
the perpetual inventory method with 10.96% depreciation); a reader with investment
series builds it with :func:`helpers.panel.perpetual_inventory` (``delta=0.1096``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.dea import DEAInfeasibleWarning, cumulate, gml
from helpers.errors import InputError, check_choice
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


def prod_index(data: pd.DataFrame, variant: str = "first") -> PCAIndex:
    """NQPF index ``prod`` (Section 3.2.2) by :func:`helpers.indices.pca_index`.

    ``"first"``: first principal component of the logged indicators (the paper);
    ``"kaiser"``: variance-share weighted components with eigenvalue > 1 of the logged
    indicators; ``"unlogged"``: first component of the raw indicators.
    """
    check_choice("pca_variant", variant, PCA_VARIANTS)
    names = indicator_table()["indicator"].tolist()
    frame = data[names].astype(float) if variant == "unlogged" else logged_indicators(data)
    n_components = "kaiser" if variant == "kaiser" else 1
    return pca_index(frame, names, n_components=n_components, name="prod")


def moderators(data: pd.DataFrame) -> pd.DataFrame:
    """high (location quotient of high-tech in above-scale industrial enterprises),
    prof (Ezcurra specialisation) and mul (Han Feng diversification) of the five
    productive-service sectors, nations = the sample's provinces (Section 3.2.4)."""
    return pd.DataFrame(
        {
            "high": location_quotient(
                data, "hightech_firms", "industrial_firms", unit=UNIT, time=TIME
            ),
            "prof": specialisation_index(data, SERVICE_SECTORS, unit=UNIT, time=TIME),
            "mul": diversification_index(data, SERVICE_SECTORS, unit=UNIT, time=TIME),
        },
        index=data.index,
    )


def gtfp_series(data: pd.DataFrame, measure: str = "ebm", form: str = "cumulative") -> pd.Series:
    """GTFP by the GML index of ``measure`` (CRS, non-oriented, bads SO2 and COD).

    ``form="index"``: the GML index itself (missing in each province's first year);
    ``"cumulative"``: its chained level, 1 in the first year (Stata gtfpch's
    cumulated index).
    """
    check_choice("gtfp_measure", measure, GTFP_MEASURES)
    check_choice("gtfp_form", form, GTFP_FORMS)
    with warnings.catch_warnings():
        # period-frontier programmes feed the EC/TC split and the contemporaneous ML,
        # which GTFP does not use; failures of the global programmes are counted below
        warnings.simplefilter("ignore", DEAInfeasibleWarning)
        index = gml(
            data,
            list(DEA_INPUTS),
            list(DEA_GOOD),
            list(DEA_BAD),
            unit=UNIT,
            time=TIME,
            model=measure,
            super_efficiency=SUPER_EFFICIENCY[measure],
            workers=1,
        )
    failed = int(index["score_global"].isna().sum())
    if failed:
        warnings.warn(
            f"{failed} of {len(index)} global-frontier {measure} programmes failed; "
            "their GTFP is NaN",
            DEAInfeasibleWarning,
            stacklevel=2,
        )
    if form == "cumulative":
        index = cumulate(index, "gml", unit=UNIT, time=TIME)
    return pd.Series(index["gml"].to_numpy(float), index=data.index, name=f"gtfp_{measure}")


@dataclass(frozen=True, kw_only=True)
class Measurement(interface.Measurement):
    """The measured panel and how it was built.

    ``frame``: province, year, region, gtfp (the chosen measure), gtfp_ebm/sbm/ddf,
    prod, prod_1, prod_2, ts, high, prof, mul, the interactions and the controls.
    ``index``: the PCA index (loadings, explained variance). ``filled``: cells filled
    by interpolation.
    """

    index: PCAIndex
    gtfp_measure: str
    gtfp_form: str
    pca_variant: str


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int = 2010,
    last_year: int = 2019,
    gtfp_measure: str = "ebm",
    gtfp_form: str = "cumulative",
    pca_variant: str = "first",
    alternatives: bool = True,
) -> Measurement:
    """The paper's variables on the sample years ``first_year``..``last_year``.

    The frontier, the PCA and the agglomeration indices are computed on the sample
    itself. ``alternatives=False`` skips the two Table 6 measures not chosen.
    """
    check_choice("gtfp_measure", gtfp_measure, GTFP_MEASURES)
    check_choice("gtfp_form", gtfp_form, GTFP_FORMS)
    check_choice("pca_variant", pca_variant, PCA_VARIANTS)
    years = pd.to_numeric(panel[TIME]).astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    sample[TIME] = sample[TIME].astype(int)
    if sample[TIME].nunique() < 3:
        raise InputError(
            f"needs at least three years between first_year and last_year; found "
            f"{sorted(sample[TIME].unique())}",
            parameter="first_year",
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
        out[f"gtfp_{m}"] = gtfp_series(sample, m, gtfp_form)
    out["gtfp"] = out[f"gtfp_{gtfp_measure}"]
    out["prod"] = index.score.to_numpy()
    for k in (1, 2):
        out[f"prod_{k}"] = lag(out, "prod", unit=UNIT, time=TIME, periods=k)
    out["ts"] = tertiary_secondary_ratio(
        sample, "va_tertiary", "va_secondary", unit=UNIT, time=TIME
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
    )


def loadings_table(index: PCAIndex) -> pd.DataFrame:
    """Loadings of the retained components with Table 2's dimension and label."""
    table = indicator_table().set_index("indicator")[["dimension", "label"]]
    return table.join(index.loadings).reset_index()


DESCRIBED = ("gtfp", "prod", "ts", *MODERATORS, *CONTROLS)


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Obs, mean, sd (n-1), min, median, max of the model variables (the paper prints none)."""
    return describe(frame, DESCRIBED)
