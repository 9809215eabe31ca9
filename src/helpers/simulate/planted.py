"""The planted-parameter tables of the simulated panels, and the reader's overrides of them.

Each paper's generating process reads its values from ``data/simulation/SLUG_parameters.csv``
(parameter, value, unit, source, note); a reader may override any of them by name (the knobs:
true effect, noise, endogeneity, missing cells, ...), and every override is checked here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.errors import InputError
from helpers.paths import DATA_DIR, PUBLISHED_CSV


def planted_values(
    table: Path, overrides: Mapping[str, float], *, non_negative: Sequence[str] = ()
) -> dict[str, float]:
    """Parameter values from ``table`` with ``overrides`` applied and checked.

    Rules: every override names a parameter of the table; ``endogeneity`` lies in (-1, 1)
    (a correlation); ``missing_share`` in [0, 1); the parameters in ``non_negative`` >= 0.
    """
    rows = pd.read_csv(table)
    values = dict(zip(rows["parameter"], rows["value"].astype(float), strict=True))
    unknown = sorted(set(overrides) - set(values))
    if unknown:
        raise InputError(
            f"unknown simulation parameter(s) {unknown}",
            parameter="overrides",
            hint=f"see {Path(table).name} for the parameter names",
        )
    values |= {k: float(v) for k, v in overrides.items()}
    if not -1 < values["endogeneity"] < 1:
        raise InputError("must lie strictly between -1 and 1", parameter="endogeneity")
    if not 0 <= values["missing_share"] < 1:
        raise InputError("must lie in [0, 1)", parameter="missing_share")
    for name in non_negative:
        if values[name] < 0:
            raise InputError("must be non-negative", parameter=name)
    return values


def punch_holes(
    panel: pd.DataFrame,
    uniform: np.ndarray,
    columns: Sequence[str],
    share: float,
    time: str = "year",
) -> pd.DataFrame:
    """Empty a ``share`` of the cells of ``columns`` in interior years (the ``missing_share``
    knob), so interpolation can fill them: cell (i, j) is emptied when ``uniform[i, j] < share``
    and row i is neither in the first nor in the last year. Returns a copy."""
    if share == 0:
        return panel
    years = panel[time]
    interior = (years > years.min()) & (years < years.max())
    out = panel.copy()
    holes = (uniform < share) & interior.to_numpy()[:, None]
    values = out[list(columns)].to_numpy(dtype=float, copy=True)
    values[holes] = np.nan
    out[list(columns)] = values
    return out


def published_coefficient(paper: str, table: str, column: str, row: str) -> tuple[float, float]:
    """The coefficient and its SE printed in ``paper``'s ``table``, ``column``, ``row``."""
    cells = pd.read_csv(PUBLISHED_CSV)
    cells = cells[
        (cells["paper"] == paper)
        & (cells["table"] == table)
        & (cells["column"] == column)
        & (cells["row"] == row)
    ].set_index("stat")["value"]
    return float(cells["coef"]), float(cells["se"])


def planted_rows(
    slug: str, names: Sequence[str], columns: Sequence[str] = ("value", "unit", "source")
) -> pd.DataFrame:
    """The rows ``names`` (in that order) of paper ``slug``'s planted-parameter table,
    indexed by parameter, with ``columns``: what a chapter shows as its known truth."""
    table = pd.read_csv(DATA_DIR / "simulation" / f"{slug}_parameters.csv").set_index("parameter")
    unknown = [n for n in names if n not in table.index]
    if unknown:
        raise InputError(f"not a parameter of the {slug} process", parameter=unknown[0])
    return table.loc[list(names), list(columns)]
