"""Checks of a regression design on its estimation sample, before anything is estimated.

A design that cannot identify its coefficients gets an :class:`~helpers.errors.InputError`
that names the variable and the reason, instead of a division by zero or a rank message
from inside numpy or linearmodels:

* fewer than two clusters (the cluster-robust variance divides by ``G - 1``), and for IV
  no more clusters than moment conditions (their covariance, Hansen's J weight, is then
  singular; ivreg2 warns and uses a generalised inverse);
* a variable that is constant, or that does not vary within the absorbed effects
  (its within spread is at most :data:`VARIATION_TOL` times its largest absolute value:
  below that, the digits left after demeaning are rounding noise);
* columns that are linear combinations of each other (named with the combination);
* a regressor or instrument so small next to the other columns that a rank test cannot tell
  it from zero (spread ratio below :data:`SCALE_RATIO_TOL`): rescale it.

Stata reports the first two cases as errors too (``reghdfe`` and ``ivreg2`` stop on too few
clusters; ``ivreg2`` drops collinear instruments with a note; a constant outcome leaves
nothing to explain).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import linalg

from helpers.errors import InputError

VARIATION_TOL = 1e-7
"""A column whose spread (root mean square deviation, within the absorbed effects where
there are any) is at most this share of its largest absolute value is treated as constant."""

SCALE_RATIO_TOL = 1e-10
"""A regressor or instrument whose spread is below this share of the largest spread in the
design (the constant counts as 1) is too small to be told from zero by a rank test:
linearmodels' and numpy's tolerances are about ``max(N, K) * 2.2e-16``."""

_RANK_TOL = 1e-9


def spread(values: np.ndarray) -> float:
    """Root mean square, computed on ``values / max|values|`` so that it neither under- nor
    overflows."""
    top = float(np.abs(values).max(initial=0.0))
    return top * float(np.sqrt(np.mean((values / top) ** 2))) if top > 0 else 0.0


def check_clusters(cluster: np.ndarray | pd.Series, column: str) -> int:
    """The number of clusters ``G``; :class:`InputError` when ``G < 2``."""
    labels = pd.unique(pd.Series(cluster))
    count = len(labels)
    if count < 2:
        only = f" (every row has {labels[0]})" if count else ""
        raise InputError(
            f"clustered standard errors need at least two clusters; the estimation sample "
            f"has {count}{only}",
            column=column,
            hint="Cluster on a column with at least two values, or use vcov='robust'",
        )
    return count


def check_variation(
    name: str, raw: np.ndarray, within: np.ndarray, absorbed: Sequence[str], role: str
) -> None:
    """:class:`InputError` when ``raw`` is constant or ``within`` (``raw`` after the absorbed
    effects are swept out, or centred when there are none) has no variation left.

    Spreads are measured relative to the largest absolute value, so that the rule does not
    depend on the variable's unit."""
    level = float(np.abs(raw).max(initial=0.0))
    if level == 0.0 or np.all(raw == raw[0]):
        value = f" (every used row holds {raw[0]:.6g})" if raw.size else ""
        raise InputError(
            f"the {role} is constant in the estimation sample{value}; nothing can be estimated "
            "from it",
            column=name,
            hint="Check the column (a unit or export error often makes it constant)",
        )
    relative = spread((raw - raw.mean()) / level)
    if relative <= VARIATION_TOL:
        raise InputError(
            f"the {role} is constant up to rounding: its spread is {relative:.1e} of its size, "
            "so what is left after centring is rounding noise",
            column=name,
            hint="Check the column; if the variation is real, subtract a constant first",
        )
    if absorbed and spread(within / level) <= VARIATION_TOL:
        effects = ", ".join(absorbed)
        raise InputError(
            f"the {role} does not vary within the absorbed effects ({effects}); they absorb it",
            column=name,
            hint=f"It is a function of {effects}: drop it or absorb fewer effects",
        )


def redundant_columns(matrix: np.ndarray, names: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Columns of ``matrix`` that are linear combinations of the others, each with the
    columns it is a combination of (QR with column pivoting on RMS-scaled columns)."""
    if matrix.shape[1] == 0:
        return []
    scale = np.array([spread(col) for col in matrix.T])
    scale[scale == 0] = 1.0
    scaled = matrix / scale
    _q, r, pivot = linalg.qr(scaled, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    if diag.size == 0 or diag[0] == 0:
        return [(n, []) for n in names]
    rank = int((diag > _RANK_TOL * diag[0] * max(scaled.shape)).sum())
    kept, dropped = pivot[:rank], pivot[rank:]
    found = []
    for j in sorted(dropped):
        coef = np.linalg.lstsq(scaled[:, kept], scaled[:, j], rcond=None)[0]
        partners = [names[k] for k, c in zip(kept, coef, strict=True) if abs(c) > 1e-6]
        found.append((names[j], partners))
    return found


def check_full_rank(matrix: np.ndarray, names: Sequence[str], what: str, absorbed: Sequence[str]):
    """:class:`InputError` naming the first column of ``matrix`` that is a combination of others."""
    redundant = redundant_columns(matrix, names)
    if not redundant:
        return
    name, partners = redundant[0]
    others = ", ".join(partners) if partners else "the other columns"
    where = f" after absorbing {', '.join(absorbed)}" if absorbed else ""
    raise InputError(
        f"the {what} are collinear: '{name}' is a linear combination of {others}{where}",
        column=name,
        hint="Drop one of them; a collinear column identifies nothing",
    )
