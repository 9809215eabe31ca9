"""Paper 004's measured variables: the NQP index of the 12 Table 1 indicators, the pilot
dummy, the mediators and the controls.

The paper lists the indicators and their directions (Table 1) but never says how they are
weighted; the book's default is the entropy method over all city-years, the usual choice
of the studies it cites, and ``index_weights`` changes it (:data:`INDEX_WEIGHTS`). Nor does
it say whether Table 4 (3) winsorizes the measured variables or the raw indicators before
the index is built: ``winsorize_stage`` (:data:`WINSORIZE_STAGES`).

Missing cells, variable by variable (:func:`missing_cells` counts them):

* the 12 indicators are filled by linear interpolation within a city (the paper's
  "interpolation method"); a cell before a city's first or after its last observed value
  is not extrapolated, and that city-year has no index (it leaves every regression);
* a missing mediator (``dfi``, ``green_invention_applications``) or control leaves the
  city-year out of the regressions that use it (listwise deletion, as Stata does);
* an empty ``bdpz_year`` means a city that never became a pilot; it must be the same in
  every year of a city, and so must ``key_city`` and ``resource_based``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.indices import entropy_index
from helpers.panel import interpolate_within, winsorize
from helpers.papers import interface
from helpers.papers.bigdata_did.variables import CONTRACT, CONTROLS, TABLE2_ROWS, TIME, UNIT
from helpers.tables import describe

INDEX_WEIGHTS = ("entropy", "entropy_by_year", "equal")
"""How the 12 min-max normalised indicators are weighted into NQP: entropy weights over
all city-years (the default), entropy weights recomputed in each year (normalised within
the year too), or equal weights (1/12)."""

WINSORIZE_STAGES = ("measures", "indicators")
"""Where Table 4 (3) winsorizes at 1/99%: the measured variables (NQP, the mediators, the
controls; the default), or the raw indicators, mediators and controls, with NQP rebuilt
from the winsorized indicators."""

MEDIATORS = ("dfi", "green_invention_applications")

FLAGS = ("bdpz_year", "key_city", "resource_based")
"""City attributes that must not change from year to year."""


def indicator_columns() -> list[str]:
    """The 12 Table 1 indicators in the contract's order."""
    return [i.column for i in CONTRACT.index_spec()]


def city_years(data: pd.DataFrame, mask: np.ndarray | pd.Series) -> list[str]:
    """``city-year`` labels of the rows of ``data`` selected by ``mask`` (for messages)."""
    rows = data.loc[np.asarray(mask, dtype=bool), [UNIT, TIME]]
    return [f"{c}-{int(y)}" for c, y in rows.itertuples(index=False, name=None)]


@dataclass(frozen=True)
class NQPIndex:
    """The NQP index of a panel: ``score`` (aligned with the panel's rows, NaN where an
    indicator is missing), ``weights`` (one row per indicator, and per year with
    ``entropy_by_year``) and, per row, the weight and the min-max range of each indicator
    (``row_weights``, ``row_ranges``: the linear map from indicators to the index that
    :func:`helpers.papers.bigdata_did.calibration.estimand` applies to the counterfactual)."""

    score: pd.Series
    weights: pd.DataFrame
    normalised: pd.DataFrame
    row_weights: np.ndarray
    row_ranges: np.ndarray
    signs: np.ndarray


def nqp_index(
    data: pd.DataFrame, index_weights: str = "entropy", *, exclude: Sequence[str] = ()
) -> NQPIndex:
    """NQP from the 12 indicators of ``data`` (rows with a missing indicator get NaN), or
    from those not in ``exclude``.

    Each indicator is min-max normalised in its printed direction, ``z = (x - min)/(max -
    min)`` or ``(max - x)/(max - min)``, over all city-years (within each year for
    ``entropy_by_year``), and NQP is ``sum_j w_j z_j`` with entropy weights
    (:func:`helpers.indices.entropy_index`, shift 0.0001) or equal weights.
    """
    check_choice("index_weights", index_weights, INDEX_WEIGHTS)
    spec = [i for i in CONTRACT.index_spec() if i.column not in set(exclude)]
    by = "year" if index_weights == "entropy_by_year" else "pooled"
    result = entropy_index(data, spec, unit=UNIT, time=TIME, by=by, missing="drop")
    columns = [i.column for i in spec]
    signs = np.array([1.0 if i.direction == "positive" else -1.0 for i in spec])
    x = data[columns].to_numpy(float)
    used = ~np.isnan(x).any(axis=1)
    n = len(data)
    row_weights = np.full((n, len(columns)), np.nan)
    row_ranges = np.full((n, len(columns)), np.nan)
    blocks = (
        [used]
        if by == "pooled"
        else [used & (data[TIME] == y).to_numpy() for y in pd.unique(data.loc[used, TIME])]
    )
    weights = result.weights
    for block in blocks:
        row_ranges[block] = x[block].max(axis=0) - x[block].min(axis=0)
    if index_weights == "equal":
        weights = weights.assign(weight=1.0 / len(columns))
        row_weights[used] = 1.0 / len(columns)
        score = pd.Series(
            result.normalised.mean(axis=1, skipna=False), index=data.index, name="score"
        )
    else:
        score = result.score
        if by == "pooled":
            row_weights[used] = weights.set_index("indicator").loc[columns, "weight"].to_numpy()
        else:
            table = weights.pivot(index=TIME, columns="indicator", values="weight")[columns]
            years = data.loc[used, TIME].to_numpy()
            row_weights[used] = table.loc[years].to_numpy()
    keep = ["indicator", "weight"] if by == "pooled" else [TIME, "indicator", "weight"]
    return NQPIndex(score, weights[keep], result.normalised, row_weights, row_ranges, signs)


def _check_city_attributes(panel: pd.DataFrame) -> None:
    """``bdpz_year``, ``key_city`` and ``resource_based`` are the same in every year of a
    city: the pilot year defines the treatment, the flags the subgroups of Table 6."""
    for column in FLAGS:
        values = panel[column].astype("Float64")
        varying = values.groupby(panel[UNIT]).transform(lambda s: s.nunique(dropna=False) > 1)
        if varying.any():
            raise InputError(
                "must be the same in every year of a city (empty in every year for a city "
                "that never became a pilot)"
                if column == "bdpz_year"
                else "must be the same in every year of a city",
                column=column,
                rows=city_years(panel, varying.to_numpy(bool)),
                hint="Correct the file so that each city has one value",
            )


def _measured(
    panel: pd.DataFrame, index_weights: str = "entropy"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, NQPIndex]:
    """The measured frame, the cells filled and still missing, the interpolated indicators
    and the index."""
    _check_city_attributes(panel)
    columns = indicator_columns()
    data = panel.copy()
    filled = pd.DataFrame(columns=[UNIT, TIME, "column", "value"])
    unfilled = pd.DataFrame(columns=[UNIT, TIME, "column"])
    if data[columns].isna().any().any():
        interpolation = interpolate_within(data, columns, unit=UNIT, time=TIME)
        data, filled, unfilled = interpolation.data, interpolation.filled, interpolation.unfilled
    index = nqp_index(data, index_weights)
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
            "nqp": index.score.to_numpy(),
            "index": data["dfi"],
            "lngip": np.log1p(data["green_invention_applications"]),
            **{c: data[c] for c in CONTROLS},
        }
    )
    return frame, filled, unfilled, data[[UNIT, TIME, *columns]], index


def measured(panel: pd.DataFrame, index_weights: str = "entropy") -> pd.DataFrame:
    """The chapter's variables from a raw panel: nqp (the index of the 12 Table 1
    indicators, :func:`nqp_index`), bdpzs (1 from the pilot year on), index (DFI),
    lngip = ln(1 + applications) and the five controls.

    Missing indicator cells are first filled by linear interpolation within each city
    (the paper's "interpolation method"); a city-year whose indicator cannot be
    interpolated (before the city's first or after its last observation) has no NQP."""
    return _measured(panel, index_weights)[0]


WINSORIZED = ("nqp", "index", "lngip", *CONTROLS)
"""The continuous variables Table 4 (3) winsorizes at 1/99% (stage ``"measures"``)."""


def winsorized_frame(
    frame: pd.DataFrame,
    indicators: pd.DataFrame,
    panel: pd.DataFrame,
    stage: str,
    index_weights: str = "entropy",
) -> pd.DataFrame:
    """Table 4 (3)'s sample: ``frame`` with its continuous variables winsorized at 1/99%
    (Stata ``winsor2, cuts(1 99)``, missing cells left missing and ignored in the
    percentiles), either the measured ones (``stage="measures"``) or the raw indicators,
    mediators and controls with NQP rebuilt from the winsorized indicators
    (``"indicators"``). ``indicators`` are the interpolated indicators and ``panel`` the
    raw panel, both row-aligned with ``frame``."""
    check_choice("winsorize_stage", stage, WINSORIZE_STAGES)
    if stage == "measures":
        return winsorize(frame, list(WINSORIZED), missing="keep")
    columns = indicator_columns()
    raw = winsorize(indicators, columns, missing="keep")
    mediators = winsorize(panel[list(MEDIATORS)], list(MEDIATORS), missing="keep")
    controls = winsorize(frame[list(CONTROLS)], list(CONTROLS), missing="keep")
    return frame.assign(
        nqp=nqp_index(raw, index_weights).score.to_numpy(),
        index=mediators["dfi"].to_numpy(),
        lngip=np.log1p(mediators["green_invention_applications"]).to_numpy(),
        **{c: controls[c].to_numpy() for c in CONTROLS},
    )


@dataclass(frozen=True, kw_only=True)
class Measurement(interface.Measurement):
    """The measured panel: ``frame`` (:func:`measured` on the sample years, with
    ``treated``), ``filled`` (indicator cells filled by interpolation), ``unfilled`` (those
    that could not be: their city-years have no NQP), ``indicators`` (the interpolated
    indicators), ``index`` (:func:`nqp_index`), ``missing`` (the raw panel's missing cells
    on the sample years, by variable), ``winsorized`` (Table 4 (3)'s sample) and the
    choices ``index_weights`` and ``winsorize_stage``."""

    unfilled: pd.DataFrame
    indicators: pd.DataFrame
    index: NQPIndex
    missing: pd.Series
    winsorized: pd.DataFrame
    index_weights: str = "entropy"
    winsorize_stage: str = "measures"


def _sample_years(panel: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    years = pd.to_numeric(panel[TIME]).astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    present = sorted(set(years[(years >= first_year) & (years <= last_year)]))
    if len(present) < 3:
        raise InputError(
            f"at least three sample years are needed; found {present}", parameter="first_year"
        )
    return sample


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    index_weights: str = "entropy",
    winsorize_stage: str = "measures",
) -> Measurement:
    """The chapter's variables on ``first_year``..``last_year`` (index weights computed on
    those years): :func:`measured` plus ``treated`` (1 for pilot cities in every year,
    the PSM group indicator), and Table 4 (3)'s winsorized sample."""
    check_choice("index_weights", index_weights, INDEX_WEIGHTS)
    check_choice("winsorize_stage", winsorize_stage, WINSORIZE_STAGES)
    sample = _sample_years(panel, first_year, last_year)
    frame, filled, unfilled, indicators, index = _measured(sample, index_weights)
    frame["treated"] = frame["bdpz_year"].notna().astype(int)
    variables = [*indicator_columns(), *MEDIATORS, *CONTROLS]
    return Measurement(
        frame=frame,
        filled=filled,
        unfilled=unfilled,
        indicators=indicators,
        index=index,
        missing=sample[variables].isna().sum(),
        winsorized=winsorized_frame(frame, indicators, sample, winsorize_stage, index_weights),
        index_weights=index_weights,
        winsorize_stage=winsorize_stage,
    )


def missing_cells(measurement: Measurement) -> pd.DataFrame:
    """What the chapter did with the raw panel's missing cells on the sample years, per
    variable with any: its role, the missing cells, the cells interpolated, and the
    city-years left without the variable (and what that costs)."""
    roles = {c: "indicator" for c in indicator_columns()}
    roles |= {c: "mediator" for c in MEDIATORS} | {c: "control" for c in CONTROLS}
    filled = measurement.filled.groupby("column").size()
    unfilled = measurement.unfilled.groupby("column").size()
    rows = []
    for column, count in measurement.missing.items():
        if not count:
            continue
        role = roles[column]
        if role == "indicator":
            left = int(unfilled.get(column, 0))
            done = "interpolated within the city; cells outside its observed years leave the "
            done += "city-year without NQP (out of every regression)"
        elif role == "mediator":
            left = int(count)
            done = "the city-year leaves the Table 5 columns of this mediator"
        else:
            left = int(count)
            done = "the city-year leaves every column with controls"
        rows.append(
            {
                "variable": column,
                "role": role,
                "missing cells": int(count),
                "interpolated": int(filled.get(column, 0)),
                "still missing": left,
                "what the chapter does": done,
            }
        )
    columns = ["variable", "role", "missing cells", "interpolated", "still missing"]
    return pd.DataFrame(rows, columns=[*columns, "what the chapter does"])


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Table 2: obs, mean, sd (n-1), min and max of NQP, BDPZs, the mediators, controls."""
    return describe(frame, TABLE2_ROWS, ("obs", "mean", "sd", "min", "max"))


def weights_table(index: NQPIndex) -> pd.DataFrame:
    """Table 1 with the weight of each of the 12 indicators in this run's index (the paper
    prints none); with ``entropy_by_year`` the mean of the yearly weights."""
    weights = index.weights.groupby("indicator")["weight"].mean()
    return pd.DataFrame(
        [
            {
                "dimension": v.dimension,
                "indicator": v.label,
                "direction": v.direction,
                "weight": float(weights[v.name]),
            }
            for v in CONTRACT.with_role("indicator")
        ]
    )
