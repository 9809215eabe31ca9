"""Difference-in-differences, event studies and vectorised placebo tests.

All estimates are two-way fixed-effects regressions run through
:func:`helpers.fixed_effects.fe_ols` (reghdfe conventions: unit-clustered
errors with ``(N-1)/(N-K-df_a) * G/(G-1)`` and t(G-1) inference by default).

Placebo tests estimate every draw at once.  By the Frisch-Waugh-Lovell theorem
the coefficient of a placebo regressor ``d`` in ``y ~ d + W | FE`` is
``b = r'y~ / r'r`` with ``r`` the residual of the within-transformed ``d`` on the
within-transformed controls, the regression residuals are ``e = y~_W - b r`` and
the row of ``(X'X)^{-1}X'`` belonging to ``d`` is ``r'/(r'r)``, so the
conventional, HC1 and cluster variances are
``s^2/(r'r)``, ``c sum_i (r_i e_i)^2/(r'r)^2`` and ``c sum_g (sum_{i in g} r_i e_i)^2/(r'r)^2``
with Stata's factors ``c``.  With ``R`` an n x B matrix of draws these are a few
matrix products: no Python loop over regressions.  Draws are processed in chunks of at most
:data:`PLACEBO_CHUNK_CELLS` matrix cells (the generator is read in the same order, so the
draws are those of one block and the estimates agree with it to rounding; the chunks depend
only on N and the number of draws, so a run is reproducible bit for bit), and at most
:data:`MAX_PLACEBO_DRAWS` draws are accepted.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse

from helpers.design import check_clusters
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import (
    Absorber,
    FEResult,
    FESpec,
    absorbed_dof,
    fe_columns,
    fe_ols,
    prepare_frame,
    small_sample_factor,
    without_singletons,
)
from helpers.inference import critical_value, two_sided_p

if TYPE_CHECKING:  # matplotlib is imported when a plot is drawn, not with the module
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

MAX_PLACEBO_DRAWS = 100_000
"""Most placebo draws accepted: with 100,000 draws the Monte Carlo standard error of a
randomisation p-value is below 0.0016 (sqrt(0.25 / 100,000)), and they take about 20 s on a
300-observation two-way panel (0.2 ms a draw); more would only cost time."""

PLACEBO_CHUNK_CELLS = 2**22
"""Draws are estimated in chunks of at most this many n x draws cells (32 MB a matrix, a few
hundred MB at the peak): the book's 1,000 draws on 2,556 city-years are one chunk."""


def _check_unit_time(data: pd.DataFrame, unit: str, time: str) -> None:
    """InputError naming the unit-times that appear more than once (rows with a missing key
    are left to listwise deletion)."""
    if not isinstance(data, pd.DataFrame) or unit not in data or time not in data:
        return  # prepare_frame names these
    keys = data[[unit, time]].dropna()
    dup = keys.duplicated(keep=False)
    if dup.any():
        labels = dict.fromkeys(f"{u}-{t}" for u, t in keys[dup].itertuples(index=False))
        raise InputError(
            "each unit-time must appear once; these appear more than once",
            column=f"{unit}, {time}",
            rows=list(labels),
            hint="Drop the duplicated rows (a panel has one row per unit and period)",
        )


def _check_binary(data: pd.DataFrame, column: str, unit: str, time: str) -> None:
    """InputError naming the unit-times where a DID indicator is not 0 or 1."""
    if not isinstance(data, pd.DataFrame) or column not in data:
        return  # prepare_frame names it
    values = pd.to_numeric(data[column], errors="coerce").astype(float)
    bad = values.notna() & ~values.isin([0.0, 1.0])
    if bad.any():
        found = ", ".join(f"{v:g}" for v in pd.unique(values[bad])[:3])
        rows = [f"{u}-{t}" for u, t in data.loc[bad, [unit, time]].itertuples(index=False)]
        raise InputError(
            f"the DID treatment must be a 0/1 indicator (treated x post); found {found}",
            column=column,
            rows=rows,
            hint="For a continuous treatment intensity use helpers.fixed_effects.fe_ols(data, "
            "y, [treatment, *controls], [unit, time], vcov='cluster', cluster=unit)",
        )


def check_draws(
    draws: object, seed: object, *, parameter: str = "draws", seed_parameter: str = "seed"
) -> None:
    """InputError unless ``draws`` is a whole number in [1, :data:`MAX_PLACEBO_DRAWS`] and
    ``seed`` a non-negative whole number (numpy's generators refuse negative seeds).  A chapter
    calls it on its own parameters (``parameter="placebo_draws"``) before any work starts."""
    if isinstance(draws, bool) or not isinstance(draws, numbers.Integral):
        raise InputError(f"must be a whole number of draws, got {draws!r}", parameter=parameter)
    if not 1 <= draws <= MAX_PLACEBO_DRAWS:
        raise InputError(
            f"must lie between 1 and {MAX_PLACEBO_DRAWS:,}, got {draws:,}",
            parameter=parameter,
            hint="1,000 draws is the usual choice; the randomisation p-value's Monte Carlo "
            "error is below 0.016 with 1,000 and below 0.0016 with 100,000",
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InputError(
            f"must be a non-negative whole number, got {seed!r}", parameter=seed_parameter
        )


def _chunks(draws: int, n: int) -> list[int]:
    """Draw counts per chunk: at most PLACEBO_CHUNK_CELLS cells of an n x draws matrix each."""
    size = max(1, PLACEBO_CHUNK_CELLS // max(n, 1))
    return [min(size, draws - start) for start in range(0, draws, size)]


# --------------------------------------------------------------------------- DID
def twfe_did(
    data: pd.DataFrame,
    y: str,
    treatment: str,
    unit: str,
    time: str,
    controls: Sequence[str] = (),
    *,
    cluster: str | None = None,
    weights: str | None = None,
    level: float = 0.95,
) -> FEResult:
    """TWFE DID ``y_it = b D_it + W_it'g + a_i + l_t + e_it``, errors clustered by ``unit``.

    ``treatment`` is the 0/1 treated x post indicator (:class:`InputError` otherwise, and
    for a unit-time that appears twice).  ``cluster`` defaults to ``unit``; ``weights``
    passes psmatch2 weights for PSM-DID.
    """
    _check_unit_time(data, unit, time)
    _check_binary(data, treatment, unit, time)
    return fe_ols(
        data,
        y,
        [treatment, *controls],
        [unit, time],
        vcov="cluster",
        cluster=cluster or unit,
        weights=weights,
        level=level,
    )


# --------------------------------------------------------------------------- event study
@dataclass(frozen=True)
class EventStudyResult:
    """Event-study coefficients by event time (reference period included as 0)."""

    coefficients: pd.DataFrame  # index event_time; coef, se, p, ci_low, ci_high
    fit: FEResult
    reference: int
    level: float

    def plot(self, ax: plt.Axes | None = None, *, title: str | None = None) -> Figure:
        """Coefficient plot with confidence intervals and the reference period marked."""
        return plot_event_study(self, ax=ax, title=title)


def _event_label(k: int) -> str:
    return f"pre_{-k}" if k < 0 else ("current" if k == 0 else f"post_{k}")


def event_study(
    data: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    adoption: str,
    controls: Sequence[str] = (),
    *,
    reference: int = -1,
    window: tuple[int, int] | None = None,
    bin_endpoints: bool = True,
    cluster: str | None = None,
    level: float = 0.95,
) -> EventStudyResult:
    """Leads and lags of adoption in a TWFE regression.

    ``adoption`` holds each unit's first treated period (missing for never-treated
    units).  Event time ``k = time - adoption``; a dummy enters for each ``k`` in
    ``window`` except ``reference``.  With ``bin_endpoints`` the end dummies
    absorb all earlier/later event times (binned endpoints); otherwise treated
    observations outside the window are dropped.  Intervals use ``level``
    (bigdata_did uses 0.90) and t(G-1).
    """
    _check_unit_time(data, unit, time)
    frame = prepare_frame(
        data, [y, *controls], [unit, time], optional=[adoption], what="event_study"
    )
    # float, not pandas' nullable Int64: with <NA>, `rel == k` would be <NA> and never-treated
    # units would get missing event dummies instead of zeros
    adopt = pd.to_numeric(frame[adoption], errors="coerce").astype(float)
    times = pd.to_numeric(frame[time], errors="coerce").astype(float)
    if times.isna().any():
        raise InputError("time must be numeric", column=time)
    treated = adopt.notna()
    if not treated.any():
        raise InputError("no unit has an adoption period", column=adoption)
    rel = (times - adopt).where(treated)
    lo, hi = window if window is not None else (int(rel.min()), int(rel.max()))
    if not lo <= reference <= hi:
        raise InputError(
            f"reference period {reference} is outside the window [{lo}, {hi}]", column="reference"
        )
    if bin_endpoints:
        rel = rel.clip(lo, hi)
    else:
        frame = frame.loc[~treated | rel.between(lo, hi)]
        rel = rel.loc[frame.index]
    names = {}
    for k in range(lo, hi + 1):
        if k != reference:
            names[k] = f"_es_{_event_label(k)}"
            frame[names[k]] = (rel == k).astype(float)
    fit = fe_ols(
        frame,
        y,
        [*names.values(), *controls],
        [unit, time],
        vcov="cluster",
        cluster=cluster or unit,
        level=level,
    )
    tab = fit.table().loc[list(names.values())]
    tab.index = pd.Index(list(names), name="event_time")
    coefs = tab[["coef", "se", "p", "ci_low", "ci_high"]].copy()
    coefs.loc[reference] = [0.0, 0.0, np.nan, 0.0, 0.0]
    coefs = coefs.sort_index()
    coefs.insert(0, "label", [_event_label(k) for k in coefs.index])
    return EventStudyResult(coefficients=coefs, fit=fit, reference=reference, level=level)


# --------------------------------------------------------------------------- placebo
@dataclass(frozen=True)
class PlaceboResult:
    """Coefficients, standard errors and p-values of placebo draws, with the true estimate."""

    coef: np.ndarray
    se: np.ndarray
    pvalue: np.ndarray
    estimate: float
    estimate_p: float
    kind: str
    draws: int
    seed: int

    def summary(self) -> pd.Series:
        """Mean and s.d. of placebo coefficients, share with p < 0.10, and the share of
        draws at least as extreme as the estimate (randomisation p-value)."""
        return pd.Series(
            {
                "draws": self.draws,
                "mean": float(self.coef.mean()),
                "sd": float(self.coef.std(ddof=1)),
                "share_p_below_0.10": float((self.pvalue < 0.10).mean()),
                "estimate": self.estimate,
                "randomisation_p": float((np.abs(self.coef) >= abs(self.estimate)).mean()),
            }
        )

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"coef": self.coef, "se": self.se, "p": self.pvalue})

    def density_plot(self, ax: plt.Axes | None = None) -> Figure:
        return plot_placebo_density(self, ax=ax)

    def pvalue_plot(self, ax: plt.Axes | None = None) -> Figure:
        return plot_placebo_pvalues(self, ax=ax)


@dataclass(frozen=True)
class _PlaceboDesign:
    frame: pd.DataFrame
    absorber: Absorber
    y_r: np.ndarray  # within y residualised on the within controls
    controls_q: np.ndarray  # orthonormal basis of the within controls
    cluster: np.ndarray | None
    n_clusters: int | None
    df_resid: int


def _placebo_design(data, y, controls, fe, vcov, cluster, carried) -> _PlaceboDesign:
    check_choice("vcov", vcov, ("conventional", "robust", "cluster"))
    if vcov == "cluster" and cluster is None:
        raise InputError("vcov='cluster' needs a cluster column", column="cluster")
    keys = [c for spec in fe for c in fe_columns(spec)]
    keys += [cluster] if vcov == "cluster" else []
    frame = prepare_frame(data, [y, *controls, *carried], keys, what="placebo")
    frame, codes, _ = without_singletons(frame, fe)
    if vcov == "cluster":
        check_clusters(frame[cluster].to_numpy(), cluster)
    cl = pd.factorize(frame[cluster])[0] if vcov == "cluster" else None
    absorber = Absorber(tuple(codes))
    within = absorber.demean(frame[[y, *controls]].to_numpy(float))
    q = np.linalg.qr(within[:, 1:])[0] if controls else np.zeros((len(frame), 0))
    y_r = within[:, 0] - q @ (q.T @ within[:, 0])
    df_a, _ = absorbed_dof(codes, cl, "reghdfe")
    df_resid = len(frame) - 1 - len(controls) - df_a
    if df_resid <= 0:
        raise InputError(
            f"no residual degrees of freedom (N={len(frame)}, K={1 + len(controls)}, "
            f"absorbed={df_a})",
            column="fe",
        )
    return _PlaceboDesign(
        frame=frame,
        absorber=absorber,
        y_r=y_r,
        controls_q=q,
        cluster=cl,
        n_clusters=int(cl.max()) + 1 if cl is not None else None,
        df_resid=df_resid,
    )


def _placebo_estimates(
    design: _PlaceboDesign, draws: np.ndarray, vcov: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficient, SE and p-value of each column of ``draws`` (n x B), all at once."""
    r = design.absorber.demean(draws)
    r -= design.controls_q @ (design.controls_q.T @ r)
    rr = np.einsum("ij,ij->j", r, r)
    if np.any(rr <= 1e-12 * len(r)):
        raise InputError(
            "a placebo draw is collinear with the fixed effects or controls", column="draws"
        )
    coef = (r.T @ design.y_r) / rr
    n, df = len(r), design.df_resid
    if vcov == "conventional":
        # e'e = y_r'y_r - b^2 r'r because the residual e = y_r - b r is orthogonal to r
        var = (design.y_r @ design.y_r - coef**2 * rr) / df / rr
        df_inf = df
    else:
        # score r_i e_i = r_i y_i - b r_i^2, summed within clusters before squaring
        ry, r2 = r * design.y_r[:, None], r * r
        if vcov == "cluster":
            ind = sparse.csr_matrix(
                (np.ones(n), (design.cluster, np.arange(n))), shape=(design.n_clusters, n)
            )
            ry, r2 = ind @ ry, ind @ r2
        scores = ry - r2 * coef
        var = np.einsum("ij,ij->j", scores, scores) / rr**2
        var *= small_sample_factor(vcov, "reghdfe", n, df, design.n_clusters)
        df_inf = design.n_clusters - 1 if vcov == "cluster" else df
    se = np.sqrt(var)
    return coef, se, two_sided_p(coef / se, df_inf)


def placebo_permutation(
    data: pd.DataFrame,
    y: str,
    treatment: str,
    controls: Sequence[str] = (),
    fe: Sequence[FESpec] = (),
    *,
    draws: int = 1000,
    seed: int = 0,
    vcov: str = "cluster",
    cluster: str | None = None,
) -> PlaceboResult:
    """Placebo (a): permute ``treatment`` across observations ``draws`` times and re-estimate.

    Draw ``b`` uses the ``b``-th row of ``argsort(U)``, ``U ~ U(0,1)^{B x n}`` from
    ``numpy.random.default_rng(seed)``.
    """
    check_draws(draws, seed)
    fe = [fe] if isinstance(fe, str) else list(fe)
    design = _placebo_design(data, y, [*controls], fe, vcov, cluster, [treatment])
    x = design.frame[treatment].to_numpy(float)
    rng = np.random.default_rng(seed)
    parts = []
    for size in _chunks(draws, len(x)):
        order = np.argsort(rng.random((size, len(x))), axis=1)
        parts.append(_placebo_estimates(design, x[order].T, vcov))
    coef, se, p = (np.concatenate(part) for part in zip(*parts, strict=True))
    actual = fe_ols(design.frame, y, [treatment, *controls], fe, vcov=vcov, cluster=cluster)
    return PlaceboResult(
        coef,
        se,
        p,
        float(actual.params[treatment]),
        float(actual.pvalues[treatment]),
        "permutation",
        draws,
        seed,
    )


def pseudo_treated_draws(
    units: np.ndarray,
    times: np.ndarray,
    n_treated: int,
    adoption_time: float,
    draws: int,
    seed: int | np.random.Generator,
) -> np.ndarray:
    """n x draws matrix of pseudo-DID regressors ``1[unit in S_b] * 1[time >= adoption_time]``.

    ``S_b`` holds the first ``n_treated`` of the sorted unique units after ordering
    them by the ``b``-th row of ``U ~ U(0,1)^{draws x units}``,
    ``U = numpy.random.default_rng(seed).random(...)``; ``seed`` may also be a generator,
    which is read on (successive calls continue its stream).
    """
    labels, codes = np.unique(units, return_inverse=True)
    if not 0 < n_treated < len(labels):
        raise InputError(
            f"must lie between 1 and {len(labels) - 1} (number of units - 1)", column="n_treated"
        )
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    chosen = np.argsort(rng.random((draws, len(labels))), axis=1)[:, :n_treated]
    member = np.zeros((draws, len(labels)))
    np.put_along_axis(member, chosen, 1.0, axis=1)
    return member.T[codes] * (times >= adoption_time)[:, None]


def placebo_pseudo_treated(
    data: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    n_treated: int,
    adoption_time: float,
    controls: Sequence[str] = (),
    *,
    treatment: str | None = None,
    draws: int = 1000,
    seed: int = 0,
    cluster: str | None = None,
) -> PlaceboResult:
    """Placebo (b): ``n_treated`` random pseudo-treated units adopt at ``adoption_time``.

    The pseudo-DID regressor of draw ``b`` is ``1[unit in S_b] * 1[time >= adoption_time]``
    in a two-way FE regression with errors clustered by ``cluster`` (default ``unit``);
    ``S_b`` is the first ``n_treated`` units of a permutation drawn by
    ``numpy.random.default_rng(seed)``.  ``treatment`` (optional) gives the real
    DID indicator so that the true estimate can be marked.
    """
    check_draws(draws, seed)
    _check_unit_time(data, unit, time)
    if treatment is not None:
        _check_binary(data, treatment, unit, time)
    cluster = cluster or unit
    carried = [treatment] if treatment is not None else []
    design = _placebo_design(data, y, [*controls], [unit, time], "cluster", cluster, carried)
    frame = design.frame
    units, times = frame[unit].to_numpy(), pd.to_numeric(frame[time]).to_numpy()
    rng = np.random.default_rng(seed)
    parts = []
    for size in _chunks(draws, max(len(frame), len(np.unique(units)))):
        matrix = pseudo_treated_draws(units, times, n_treated, adoption_time, size, rng)
        parts.append(_placebo_estimates(design, matrix, "cluster"))
    coef, se, p = (np.concatenate(part) for part in zip(*parts, strict=True))
    estimate = estimate_p = float("nan")
    if treatment is not None:
        actual = twfe_did(frame, y, treatment, unit, time, controls, cluster=cluster)
        estimate, estimate_p = float(actual.params[treatment]), float(actual.pvalues[treatment])
    return PlaceboResult(coef, se, p, estimate, estimate_p, "pseudo_treated", draws, seed)


# --------------------------------------------------------------------------- plots
def _axes(ax: plt.Axes | None, size=(6.0, 4.0)) -> tuple[Figure, plt.Axes]:
    if ax is None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=size)
        return fig, ax
    return ax.figure, ax


def plot_event_study(
    result: EventStudyResult, ax: plt.Axes | None = None, *, title: str | None = None
) -> Figure:
    """Coefficients with ``level`` confidence intervals against event time."""
    fig, ax = _axes(ax)
    c = result.coefficients
    ax.errorbar(
        c.index,
        c.coef,
        yerr=[c.coef - c.ci_low, c.ci_high - c.coef],
        fmt="o",
        capsize=3,
        color="C0",
    )
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(result.reference, color="grey", lw=0.8, ls="--")
    ax.set_xticks(c.index, c.label, rotation=45)
    ax.set_xlabel("event time")
    ax.set_ylabel(f"coefficient ({result.level:.0%} CI)")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def gaussian_density(sample: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Gaussian kernel density of ``sample`` at ``grid``, Scott's bandwidth
    ``h = sd * n^(-1/5)`` (sd with n - 1): ``f(x) = sum_i phi((x - x_i) / h) / (n h)``, what
    ``scipy.stats.gaussian_kde`` computes in one dimension, without importing scipy.stats
    (0.5 s of a chapter's run). NaN everywhere when the sample does not vary."""
    sample = np.asarray(sample, dtype=float)
    h = np.std(sample, ddof=1) * sample.size ** (-1 / 5)
    if not h > 0:
        return np.full(len(grid), np.nan)
    z = (np.asarray(grid, dtype=float)[:, None] - sample[None, :]) / h
    return np.exp(-0.5 * z**2).sum(axis=1) / (sample.size * h * np.sqrt(2 * np.pi))


def plot_placebo_density(result: PlaceboResult, ax: plt.Axes | None = None) -> Figure:
    """Kernel density (Gaussian, Scott bandwidth) of placebo coefficients; true estimate marked."""
    from matplotlib.ticker import MaxNLocator

    fig, ax = _axes(ax)
    grid = np.linspace(result.coef.min(), result.coef.max(), 400)
    if np.isfinite(result.estimate):
        grid = np.linspace(min(grid[0], result.estimate), max(grid[-1], result.estimate), 400)
    density = gaussian_density(result.coef, grid)
    if np.isfinite(density).all():
        ax.plot(grid, density, color="C0")
    if np.isfinite(result.estimate):
        ax.axvline(result.estimate, color="C3", ls="--", label=f"estimate {result.estimate:.4g}")
        ax.legend(frameon=False)
    ax.set_xlabel("placebo coefficient")
    ax.set_ylabel("density")
    ax.xaxis.set_major_locator(MaxNLocator(5))  # small numbers: few ticks, no overlap
    fig.tight_layout()
    return fig


def plot_placebo_pvalues(result: PlaceboResult, ax: plt.Axes | None = None) -> Figure:
    """Scatter of placebo p-values against coefficients with the p = 0.10 line."""
    from matplotlib.ticker import MaxNLocator

    fig, ax = _axes(ax)
    ax.scatter(result.coef, result.pvalue, s=8, alpha=0.6, color="C0")
    ax.axhline(0.10, color="C3", ls="--", lw=0.9, label="p = 0.10")
    if np.isfinite(result.estimate):
        ax.axvline(result.estimate, color="grey", ls=":", label="estimate")
    ax.legend(frameon=False)
    ax.set_xlabel("placebo coefficient")
    ax.set_ylabel("p-value")
    ax.xaxis.set_major_locator(MaxNLocator(5))
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- imputation
@dataclass(frozen=True)
class ImputationDIDResult:
    """Imputation ATT (Borusyak, Jaravel and Spiess 2024) with its conservative clustered SE.

    ``by_event_time`` holds the average effect at each event time with its own SE
    (each horizon is a separate estimand with equal weights on its treated rows);
    ``effects`` the individual ``tau_it`` of the treated rows.
    """

    att: float
    se: float
    pvalue: float
    ci_low: float
    ci_high: float
    by_event_time: pd.DataFrame
    effects: pd.Series
    n_treated: int
    n_untreated: int
    n_clusters: int
    level: float


def imputation_did(
    data: pd.DataFrame,
    y: str,
    treat: str,
    unit: str,
    time: str,
    controls: Sequence[str] = (),
    *,
    adoption: str | None = None,
    cluster: str | None = None,
    level: float = 0.95,
) -> ImputationDIDResult:
    """Imputation estimator of the ATT and its conservative standard error.

    1. OLS of ``y`` on unit dummies, time dummies and ``controls`` on the untreated
       rows (``treat == 0``: never-treated units and the not-yet-treated years);
    2. ``tau_it = y_it - yhat0_it`` on the treated rows; ATT = mean of ``tau_it``
       (Theorem 2).  The estimator is linear, ``ATT = sum_it v_it y_it``, with
       ``v_it = 1/N1`` on treated rows and ``v_0 = -Z_0 (Z_0'Z_0)^+ Z_1' w_1`` on
       untreated rows (``Z`` the step-1 design).
    3. Conservative variance (Theorem 3), clustered by ``cluster`` (default ``unit``):
       ``V = sum_g (sum_{it in g} v_it e_it)^2`` with ``e_it`` the step-1 residual on
       untreated rows and ``tau_it - tau~_it`` on treated rows, ``tau~`` the mean of
       ``tau`` within adoption-cohort x period cells (Stata ``did_imputation``'s
       default ``avgeffectsby``; with equal weights the v-weighted and plain means
       coincide).  Without ``adoption`` the cells are periods (identical with a single
       adoption date).  Normal inference, as ``did_imputation`` reports.

    ``by_event_time`` needs ``adoption`` (each unit's first treated period).
    """
    controls = list(controls)
    optional = [adoption] if adoption else []
    cl = cluster or unit
    frame = prepare_frame(
        data,
        [y, treat, *controls],
        list(dict.fromkeys([unit, time, cl])),
        optional=optional,
        what="imputation_did",
    )
    d = frame[treat].to_numpy(float)
    if not np.isin(d, (0.0, 1.0)).all():
        raise InputError("must be 0/1 (treated and post)", column=treat)
    treated = d == 1
    if not treated.any() or treated.all():
        raise InputError("needs both treated and untreated rows", column=treat)
    units = pd.factorize(frame[unit])[0]
    if not set(units[treated]) <= set(units[~treated]):
        bad = frame.index[treated & ~np.isin(units, units[~treated])]
        raise InputError(
            "every treated unit needs at least one untreated period to impute its unit effect",
            column=treat,
            rows=bad,
        )
    times = pd.factorize(frame[time], sort=True)[0]
    if not set(times[treated]) <= set(times[~treated]):
        raise InputError(
            "every treated period needs untreated rows to impute its time effect", column=time
        )
    design = np.column_stack(
        [
            np.eye(units.max() + 1)[units],
            np.eye(times.max() + 1)[times][:, 1:],
            frame[controls].to_numpy(float),
        ]
    )
    yv = frame[y].to_numpy(float)
    z0, z1 = design[~treated], design[treated]

    # estimands: the ATT and, with adoption, each event time
    n1 = int(treated.sum())
    weights = {"att": np.full(n1, 1 / n1)}
    event = None
    if adoption:
        adopt = pd.to_numeric(frame[adoption], errors="coerce").to_numpy(float)
        tt = pd.to_numeric(frame[time]).to_numpy(float)
        if np.isnan(adopt[treated]).any():
            raise InputError("treated rows need an adoption period", column=adoption)
        event = (tt - adopt)[treated].astype(int)
        for h in np.unique(event):
            w = (event == h).astype(float)
            weights[int(h)] = w / w.sum()
    w1 = np.column_stack(list(weights.values()))
    gram = z0.T @ z0
    coef = np.linalg.lstsq(gram, z0.T @ yv[~treated], rcond=None)[0]
    tau = yv[treated] - z1 @ coef
    resid0 = yv[~treated] - z0 @ coef
    v0 = -z0 @ np.linalg.lstsq(gram, z1.T @ w1, rcond=None)[0]  # (n0, k)

    cells = frame.loc[treated, [adoption, time] if adoption else [time]]
    tau_tilde = (
        pd.Series(tau, index=cells.index)
        .groupby([cells[c] for c in cells.columns])
        .transform("mean")
    )
    resid1 = tau - tau_tilde.to_numpy()
    g = pd.factorize(frame[cl])[0]
    scores = np.zeros((g.max() + 1, w1.shape[1]))
    np.add.at(scores, g[~treated], v0 * resid0[:, None])
    np.add.at(scores, g[treated], w1 * resid1[:, None])
    se = np.sqrt((scores**2).sum(axis=0))
    est = w1.T @ tau
    z = critical_value(level)
    p = two_sided_p(est / se)
    table = pd.DataFrame(
        {"coef": est, "se": se, "p": p, "ci_low": est - z * se, "ci_high": est + z * se},
        index=pd.Index(list(weights), name="event_time"),
    )
    return ImputationDIDResult(
        att=float(est[0]),
        se=float(se[0]),
        pvalue=float(p[0]),
        ci_low=float(est[0] - z * se[0]),
        ci_high=float(est[0] + z * se[0]),
        by_event_time=table.iloc[1:].rename_axis("event_time"),
        effects=pd.Series(tau, index=frame.index[treated], name="tau"),
        n_treated=n1,
        n_untreated=int((~treated).sum()),
        n_clusters=int(g.max() + 1),
        level=level,
    )
