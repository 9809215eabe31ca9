"""Composite indices: the entropy-weight method and a principal-component index.

The entropy method weights indicators by how unevenly they are spread across
observations (coordination, synergy and bigdata_did build their new-quality
productive forces index this way); the PCA index (gtfp) uses the first principal
component(s) of the standardised indicators.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice, check_magnitude
from helpers.inference import chi2_sf
from helpers.panel import validate_panel

__all__ = [
    "EntropyIndex",
    "Indicator",
    "PCAIndex",
    "bartlett_sphericity",
    "entropy_index",
    "entropy_weights",
    "kmo",
    "pca_index",
]

DIRECTIONS = ("positive", "negative")

#: Default shift added to min-max normalised values before taking logs. Chinese
#: applications of the entropy method most often translate the normalised data by
#: 0.0001 ("整体平移 0.0001"); 0.01 and 0.001 are also seen. The shift only keeps
#: ``p ln p`` finite at the minimum; the smaller it is, the closer the weights are
#: to the limit ``0 ln 0 = 0``.
DEFAULT_SHIFT = 1e-4


@dataclass(frozen=True)
class Indicator:
    """One indicator of a composite index and its place in the hierarchy.

    ``direction`` is ``"positive"`` (more is better) or ``"negative"``;
    ``dimension`` and ``subdimension`` are labels such as synergy's Table 2
    tier-1 ("New Quality Laborers") and tier-2 ("Human Capital") indicators.
    """

    column: str
    direction: str = "positive"
    dimension: str | None = None
    subdimension: str | None = None


IndicatorSpec = Sequence[Indicator] | Mapping[str, str] | pd.DataFrame


def _as_indicators(spec: IndicatorSpec) -> list[Indicator]:
    """Accept Indicator objects, ``{column: direction}`` or a table with those columns."""
    if isinstance(spec, pd.DataFrame):
        if "indicator" not in spec.columns:
            raise InputError(
                "an indicator table needs an 'indicator' column", parameter="indicators"
            )

        def cell(row: pd.Series, name: str, default: object) -> object:
            return row[name] if name in row.index and pd.notna(row[name]) else default

        items = [
            Indicator(
                row["indicator"],
                cell(row, "direction", "positive"),
                cell(row, "dimension", None),
                cell(row, "subdimension", None),
            )
            for _, row in spec.iterrows()
        ]
    elif isinstance(spec, Mapping):
        items = [Indicator(col, direction) for col, direction in spec.items()]
    else:
        items = [s if isinstance(s, Indicator) else Indicator(s) for s in spec]
    if not items:
        raise InputError("at least one indicator is needed", parameter="indicators")
    for item in items:
        if item.direction not in DIRECTIONS:
            raise InputError(
                f"unknown indicator direction {item.direction!r}; use 'positive' or 'negative'",
                column=str(item.column),
            )
    names = [i.column for i in items]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError("indicator listed twice", column=", ".join(map(str, dup)))
    return items


def _row_labels(data: pd.DataFrame, mask: np.ndarray, unit: str | None, time: str | None) -> list:
    if unit is not None and time is not None:
        return list(data.loc[mask, [unit, time]].itertuples(index=False, name=None))
    return list(data.index[mask])


def _indicator_matrix(
    data: pd.DataFrame, columns: list[str], unit: str | None, time: str | None, missing: str
) -> tuple[np.ndarray, np.ndarray]:
    """Float matrix of the indicator columns and the mask of rows used."""
    if not isinstance(data, pd.DataFrame):
        raise InputError("must be a pandas DataFrame", parameter="data")
    absent = [c for c in columns if c not in data.columns]
    if absent:
        raise InputError("indicator column not found in the data", column=", ".join(absent))
    if unit is not None or time is not None:
        if unit is None or time is None:
            raise InputError("give both unit= and time= or neither", parameter="unit/time")
        validate_panel(data, unit=unit, time=time)
    x = np.empty((len(data), len(columns)))
    for j, col in enumerate(columns):
        raw = data[col]
        vals = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()
        bad = np.isnan(vals) & raw.notna().to_numpy()
        inf = np.isinf(vals)
        if bad.any() or inf.any():
            raise InputError(
                "must be finite numbers", column=col, rows=_row_labels(data, bad | inf, unit, time)
            )
        check_magnitude(
            vals, column=col, rows=lambda: _row_labels(data, np.ones(len(data), bool), unit, time)
        )
        if missing == "raise" and np.isnan(vals).any():
            raise InputError(
                "has missing cells",
                column=col,
                rows=_row_labels(data, np.isnan(vals), unit, time),
                hint="fill them first (helpers.panel.interpolate_within) or pass missing='drop'",
            )
        x[:, j] = vals
    used = ~np.isnan(x).any(axis=1)
    if used.sum() < 2:
        raise InputError("fewer than two complete rows", parameter="data")
    return x, used


# --------------------------------------------------------------------------- entropy
def _normalise(x: np.ndarray, negative: np.ndarray, columns: list[str], where: str) -> np.ndarray:
    lo, hi = x.min(axis=0), x.max(axis=0)
    const = hi == lo
    if const.any():
        raise InputError(
            f"indicator is constant{where}; min-max normalisation divides by zero",
            column=", ".join(c for c, k in zip(columns, const, strict=True) if k),
            hint="drop it: a constant indicator carries no information and gets no weight",
        )
    z = (x - lo) / (hi - lo)
    return np.where(negative, (hi - x) / (hi - lo), z)


def _entropy(normalised: np.ndarray, shift: float) -> np.ndarray:
    """Entropy ``e_j`` of each column after adding ``shift`` (``0 ln 0`` taken as 0)."""
    y = np.asarray(normalised, dtype=float) + shift
    n = y.shape[0]
    if n < 2:
        raise InputError("the entropy method needs at least two observations", parameter="data")
    p = y / y.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    return -plogp.sum(axis=0) / np.log(n)


def entropy_weights(normalised: np.ndarray, shift: float = DEFAULT_SHIFT) -> np.ndarray:
    """Entropy weights of the columns of an already normalised (n x m) matrix.

    With ``y_ij = z_ij + shift``, ``p_ij = y_ij / sum_i y_ij``,
    ``e_j = -(1 / ln n) sum_i p_ij ln p_ij``, ``d_j = 1 - e_j`` and
    ``w_j = d_j / sum_j d_j``. Terms with ``p_ij = 0`` (possible only with
    ``shift=0``) count as 0, the limit of ``p ln p``.
    """
    d = 1.0 - _entropy(normalised, shift)
    return d / d.sum()


@dataclass(frozen=True)
class EntropyIndex:
    """Result of :func:`entropy_index`.

    ``weights``: one row per indicator (and per year when ``by="year"``) with
    dimension, subdimension, indicator, direction, entropy ``e``, divergence ``d``
    and weight (a table like synergy's Table 2).
    ``score``: the composite ``sum_j w_j z_ij`` aligned with the input rows.
    ``dimension_scores`` / ``subdimension_scores``: one column per group,
    ``sum_{j in D} w_j z_ij / sum_{j in D} w_j`` (weights renormalised within the
    group, so each lies in [0, 1] like the composite), hence
    ``score = sum_D W_D * score_D`` with ``W_D`` the group's total weight.
    ``normalised``: the min-max normalised indicators ``z`` (before the shift).
    """

    weights: pd.DataFrame
    score: pd.Series
    dimension_scores: pd.DataFrame
    subdimension_scores: pd.DataFrame
    normalised: pd.DataFrame
    shift: float
    by: str
    n_dropped: int


def _group_scores(
    z: np.ndarray, w: np.ndarray, labels: list[str | None], index: pd.Index
) -> pd.DataFrame:
    """Within-group renormalised scores; ``w`` is (rows x m) so yearly weights work too."""
    groups = [g for g in dict.fromkeys(labels) if g is not None]
    out = {}
    for g in groups:
        cols = np.array([lab == g for lab in labels])
        out[g] = (z[:, cols] * w[:, cols]).sum(axis=1) / w[:, cols].sum(axis=1)
    return pd.DataFrame(out, index=index)


def entropy_index(
    data: pd.DataFrame,
    indicators: IndicatorSpec,
    *,
    shift: float = DEFAULT_SHIFT,
    by: str = "pooled",
    unit: str | None = None,
    time: str | None = None,
    missing: str = "raise",
    name: str = "score",
) -> EntropyIndex:
    """Entropy-weight composite index with optional dimension hierarchy.

    Steps (the method as used by coordination, synergy and bigdata_did):

    1. Min-max normalise each indicator j over the n observations:
       positive ``z_ij = (x_ij - min_j) / (max_j - min_j)``,
       negative ``z_ij = (max_j - x_ij) / (max_j - min_j)``.
    2. Shift ``y_ij = z_ij + shift`` so that ``ln p_ij`` exists (default
       :data:`DEFAULT_SHIFT` = 0.0001, the most common choice in this literature).
    3. ``p_ij = y_ij / sum_i y_ij``; ``e_j = -(1/ln n) sum_i p_ij ln p_ij``;
       ``d_j = 1 - e_j``; ``w_j = d_j / sum_j d_j``.
    4. Score ``S_i = sum_j w_j z_ij`` (on the unshifted ``z``, so S lies in [0, 1]).

    ``by="pooled"`` (default) treats all unit-years as the n observations, so
    scores are comparable across years; ``by="year"`` repeats steps 1-4 within
    each year of ``time`` (weights then differ by year; the weights table gets a
    ``time`` column).

    Nesting: ``result.score`` is a Series aligned with ``data``; add it as a
    column and list it as an indicator of a higher index (coordination's digital
    economy index; synergy's digital-infrastructure index).

    Dimension scores renormalise the weights within each group (see
    :class:`EntropyIndex`). synergy's printed statistics fit this convention: the
    means of Nql, Nqo and Nqm (Table 3) weighted by their Table 2 weight sums give
    0.0764 against a printed Nqp mean of 0.077, while Nql's maximum (0.518) exceeds
    its weight sum (0.157), which unnormalised sub-scores could not.

    Missing cells raise by default, naming the unit-year keys. ``missing="drop"``
    leaves incomplete rows out of the computation; their scores are NaN and
    ``n_dropped`` counts them.
    """
    check_choice("by", by, ("pooled", "year"))
    check_choice("missing", missing, ("raise", "drop"))
    if not (np.isfinite(shift) and shift >= 0):
        raise InputError("must be a finite number >= 0", parameter="shift")
    if by == "year" and time is None:
        raise InputError("by='year' needs the time column", parameter="time")
    items = _as_indicators(indicators)
    columns = [i.column for i in items]
    x, used = _indicator_matrix(data, columns, unit, time, missing)
    negative = np.array([i.direction == "negative" for i in items])
    z = np.full_like(x, np.nan)
    w_rows = np.full_like(x, np.nan)
    weight_tables = []
    if by == "pooled":
        blocks = [("", used)]
    else:
        years = data[time].to_numpy()
        blocks = [(y, used & (years == y)) for y in pd.unique(years[used])]
    for year, rows in blocks:
        where = "" if by == "pooled" else f" in year {year}"
        if rows.sum() < 2:
            raise InputError(f"fewer than two complete rows{where}", column=str(time))
        z_b = _normalise(x[rows], negative, columns, where)
        e = _entropy(z_b, shift)
        w = (1.0 - e) / (1.0 - e).sum()
        z[rows] = z_b
        w_rows[rows] = w
        table = pd.DataFrame(
            {
                "dimension": [i.dimension for i in items],
                "subdimension": [i.subdimension for i in items],
                "indicator": columns,
                "direction": [i.direction for i in items],
                "entropy": e,
                "divergence": 1.0 - e,
                "weight": w,
            }
        )
        if by == "year":
            table.insert(0, time, year)
        weight_tables.append(table)
    # Rows left out (missing="drop") hold NaN in z, so their score is NaN.
    score = pd.Series((z * w_rows).sum(axis=1), index=data.index, name=name)
    return EntropyIndex(
        weights=pd.concat(weight_tables, ignore_index=True),
        score=score,
        dimension_scores=_group_scores(z, w_rows, [i.dimension for i in items], data.index),
        subdimension_scores=_group_scores(z, w_rows, [i.subdimension for i in items], data.index),
        normalised=pd.DataFrame(z, index=data.index, columns=columns),
        shift=float(shift),
        by=by,
        n_dropped=int((~used).sum()),
    )


# --------------------------------------------------------------------------- PCA
def kmo(corr: np.ndarray) -> tuple[float, np.ndarray]:
    """Kaiser-Meyer-Olkin sampling adequacy from a correlation matrix R.

    With partial correlations ``a_ij = -q_ij / sqrt(q_ii q_jj)`` where ``Q = R^{-1}``,
    ``KMO = sum_{i!=j} r_ij^2 / (sum_{i!=j} r_ij^2 + sum_{i!=j} a_ij^2)`` overall and
    the same sums over row j for the per-variable values (Stata ``estat kmo``).
    """
    r = np.asarray(corr, dtype=float)
    q = np.linalg.inv(r)
    dq = np.sqrt(np.diag(q))
    a = -q / np.outer(dq, dq)
    off = ~np.eye(len(r), dtype=bool)
    r2, a2 = np.where(off, r**2, 0.0), np.where(off, a**2, 0.0)
    overall = r2.sum() / (r2.sum() + a2.sum())
    per_var = r2.sum(axis=0) / (r2.sum(axis=0) + a2.sum(axis=0))
    return float(overall), per_var


def bartlett_sphericity(corr: np.ndarray, n: int) -> tuple[float, int, float]:
    """Bartlett's test that R is the identity: ``chi2 = -(n - 1 - (2p + 5)/6) ln|R|``,
    ``df = p (p - 1) / 2``; returns (chi2, df, p-value)."""
    r = np.asarray(corr, dtype=float)
    p = r.shape[0]
    _sign, logdet = np.linalg.slogdet(r)
    stat = -(n - 1 - (2 * p + 5) / 6.0) * logdet
    df = p * (p - 1) // 2
    return float(stat), int(df), chi2_sf(stat, df)


@dataclass(frozen=True)
class PCAIndex:
    """Result of :func:`pca_index`.

    ``eigenvalues``/``explained``: per component, eigenvalue of the correlation
    matrix, proportion and cumulative proportion of variance (Stata ``pca``).
    ``loadings``: unit-length eigenvectors (Stata's "components" table), one column
    per retained component, signs fixed so each column sums to a positive number.
    ``components``: component scores ``Z v_k`` (Stata ``predict, score``).
    ``score``: the composite (first component, or the variance-share weighted sum).
    ``kmo``/``kmo_per_variable``/``bartlett_*``: suitability diagnostics
    (NaN with a warning when the correlation matrix is singular).
    """

    score: pd.Series
    components: pd.DataFrame
    loadings: pd.DataFrame
    explained: pd.DataFrame
    kmo: float
    kmo_per_variable: pd.Series
    bartlett_chi2: float
    bartlett_df: int
    bartlett_p: float
    n_obs: int


def pca_index(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    log: bool = False,
    n_components: int | str = 1,
    unit: str | None = None,
    time: str | None = None,
    name: str = "score",
) -> PCAIndex:
    """Principal-component composite index (gtfp's new-quality productive forces).

    1. Optionally take natural logs (gtfp logs its indicators first); values must
       then be strictly positive.
    2. Standardise each indicator: ``Z = (X - mean) / sd`` with ``sd`` using
       ``ddof = 1`` as Stata does.
    3. Eigen-decompose the correlation matrix ``R = Z'Z / (n - 1)``; order by
       eigenvalue ``lambda_1 >= lambda_2 >= ...``; flip each eigenvector ``v_k`` so
       that its entries sum to a positive number (the index rises with the
       indicators).
    4. Scores ``F_k = Z v_k``. With ``n_components=1`` the index is ``F_1``; with an
       integer K > 1, or ``"kaiser"`` (all components with eigenvalue > 1), it is
       ``sum_k (lambda_k / sum_{l<=K} lambda_l) F_k`` (variance-share weights).

    Missing cells raise, naming the rows.
    """
    columns = list(columns)
    if len(columns) < 2:
        raise InputError("PCA needs at least two indicators", parameter="columns")
    if not (
        n_components == "kaiser"
        or (isinstance(n_components, (int, np.integer)) and 1 <= n_components <= len(columns))
    ):
        raise InputError(
            f"must be 'kaiser' or an integer in 1..{len(columns)}", parameter="n_components"
        )
    x, _ = _indicator_matrix(data, columns, unit, time, "raise")
    if log:
        nonpos = x <= 0
        if nonpos.any():
            j = int(np.flatnonzero(nonpos.any(axis=0))[0])
            raise InputError(
                "must be strictly positive before taking logs",
                column=columns[j],
                rows=_row_labels(data, nonpos[:, j], unit, time),
            )
        x = np.log(x)
    n = x.shape[0]
    sd = x.std(axis=0, ddof=1)
    if (sd == 0).any():
        raise InputError(
            "indicator is constant; it cannot be standardised",
            column=", ".join(c for c, s in zip(columns, sd, strict=True) if s == 0),
        )
    z = (x - x.mean(axis=0)) / sd
    r = z.T @ z / (n - 1)
    evals, evecs = np.linalg.eigh(r)
    order = np.argsort(evals)[::-1]
    evals, evecs = evals[order], evecs[:, order]
    evecs = evecs * np.where(evecs.sum(axis=0) < 0, -1.0, 1.0)
    k = int((evals > 1).sum()) if n_components == "kaiser" else int(n_components)
    k = max(k, 1)
    f = z @ evecs[:, :k]
    share = evals[:k] / evals[:k].sum()
    comp_names = [f"PC{i + 1}" for i in range(len(evals))]
    if np.linalg.cond(r) < 1e12:
        kmo_all, kmo_var = kmo(r)
        chi2, df, pval = bartlett_sphericity(r, n)
    else:
        warnings.warn("correlation matrix is singular: KMO and Bartlett set to NaN", stacklevel=2)
        kmo_all, kmo_var = np.nan, np.full(len(columns), np.nan)
        chi2, df, pval = np.nan, len(columns) * (len(columns) - 1) // 2, np.nan
    return PCAIndex(
        score=pd.Series(f @ share, index=data.index, name=name),
        components=pd.DataFrame(f, index=data.index, columns=comp_names[:k]),
        loadings=pd.DataFrame(evecs[:, :k], index=columns, columns=comp_names[:k]),
        explained=pd.DataFrame(
            {
                "eigenvalue": evals,
                "proportion": evals / evals.sum(),
                "cumulative": np.cumsum(evals) / evals.sum(),
            },
            index=comp_names,
        ),
        kmo=kmo_all,
        kmo_per_variable=pd.Series(kmo_var, index=columns, name="kmo"),
        bartlett_chi2=chi2,
        bartlett_df=df,
        bartlett_p=pval,
        n_obs=n,
    )
