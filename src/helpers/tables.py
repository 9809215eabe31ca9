"""Journal-style regression tables and the published-versus-replicated comparison view.

:func:`journal_table` lays several models out as columns, as the papers print
them: the coefficient with stars (* p<0.10, ** p<0.05, *** p<0.01, from
:mod:`helpers.inference`) over its standard error or t statistic in
parentheses, then model statistics (N, R2, ...), fixed-effect "Yes/No" rows
and notes.  The result renders as HTML in a notebook and exports CSV and
LaTeX (booktabs).  :func:`comparison_table` joins replicated tidy cells
(:mod:`helpers.results`) with the published ones on the shared cell keys;
:func:`side_by_side` lays that comparison out as the paper prints the table
(published, replicated and their difference under each printed column), and
:func:`sign_and_significance` scores whether a replication reproduces the sign
and the significance class of a paper's key coefficients. :func:`describe` is the
descriptive-statistics table every chapter prints.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.inference import stars
from helpers.published import CELL_KEYS, table_as_printed
from helpers.results import NOTE_COLUMN, Estimate

DESCRIPTIVE_STATS = ("obs", "mean", "sd", "min", "median", "max")
"""The statistics :func:`describe` knows, in Stata's ``tabstat`` order."""


def describe(
    frame: pd.DataFrame, columns: Sequence[str], stats: Sequence[str] = DESCRIPTIVE_STATS
) -> pd.DataFrame:
    """Descriptive statistics as the papers print them (Stata ``tabstat, s(n mean sd min p50
    max)``): one row per column of ``columns``, one column per statistic of ``stats`` in the
    order given. ``obs`` counts non-missing cells and ``sd`` uses n - 1."""
    for stat in stats:
        check_choice("stats", stat, DESCRIPTIVE_STATS)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError("the frame has no such column", column=missing[0])
    data = frame[list(columns)].astype(float)
    compute = {
        "obs": lambda: data.notna().sum(),
        "mean": data.mean,
        "sd": lambda: data.std(ddof=1),
        "min": data.min,
        "median": data.median,
        "max": data.max,
    }
    return pd.DataFrame({stat: compute[stat]() for stat in stats})


_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _latex(text: str) -> str:
    return "".join(_LATEX_ESCAPES.get(ch, ch) for ch in str(text))


@dataclass(frozen=True)
class JournalTable:
    """A formatted table: ``frame`` holds the printed strings (rows x model columns)."""

    frame: pd.DataFrame
    title: str
    notes: str

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        body = self.frame.to_html(classes="journal-table", border=0, escape=True)
        caption = f"<p><strong>{html.escape(self.title)}</strong></p>" if self.title else ""
        notes = f"<p><em>{html.escape(self.notes)}</em></p>" if self.notes else ""
        return caption + body + notes

    def to_csv(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.frame.to_csv(path)
        return path

    def to_latex(self) -> str:
        """booktabs tabular; stars become superscripts, text is escaped."""
        cols = list(self.frame.columns)
        lines = [
            r"\begin{tabular}{l" + "c" * len(cols) + "}",
            r"\toprule",
            " & ".join(["", *(_latex(c) for c in cols)]) + r" \\",
            r"\midrule",
        ]
        for label, row in self.frame.iterrows():
            cells = []
            for value in row:
                text = str(value)
                core = text.rstrip("*")
                n = len(text) - len(core)
                cells.append(_latex(core) + (f"$^{{{'*' * n}}}$" if n else ""))
            lines.append(" & ".join([_latex(label), *cells]) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}"]
        if self.notes:
            lines.append(r"\par\footnotesize " + _latex(self.notes))
        return "\n".join(lines)


StatSpec = str | Callable[[Estimate], float]


def journal_table(
    models: Mapping[str, Estimate],
    terms: Mapping[str, str] | Sequence[str] | None = None,
    *,
    below: str = "se",
    digits: int = 4,
    stats: Mapping[str, StatSpec] | None = None,
    fe_rows: Mapping[str, str] | None = None,
    title: str = "",
    notes: str = "",
) -> JournalTable:
    """Models side by side: ``coef***`` over ``(se)`` or ``(t)``, statistics, FE rows.

    Parameters
    ----------
    models
        Column heading -> fitted model (anything with params/bse/tvalues/pvalues).
    terms
        Term -> printed label (sequence keeps names); default: every term in order
        of first appearance, ``_cons`` last.
    below
        ``"se"`` or ``"t"`` in parentheses under each coefficient.
    stats
        Row label -> attribute name (``"nobs"``, ``"r2_a"``) or function of the model.
        Default: ``{"N": "nobs"}``.  Integers print without decimals.
    fe_rows
        Row label -> absorbed-effect label as the model records it (``"city"``,
        ``"prov#year"``): prints ``Yes`` when the model absorbed it, else ``No``.
    """
    check_choice("below", below, ("se", "t"))
    if not models:
        raise InputError("at least one model is needed", column="models")
    if terms is None:
        order = list(dict.fromkeys(t for m in models.values() for t in m.params.index))
        order = [t for t in order if t != "_cons"] + (["_cons"] if "_cons" in order else [])
        terms = {t: t for t in order}
    labels = dict(terms) if isinstance(terms, Mapping) else {t: t for t in terms}
    stats = {"N": "nobs"} if stats is None else stats
    rows: dict[str, list[str]] = {}
    for term, label in labels.items():
        top, bottom = [], []
        for m in models.values():
            if term not in m.params.index:
                top.append("")
                bottom.append("")
                continue
            top.append(f"{m.params[term]:.{digits}f}{stars(m.pvalues[term])}")
            second = m.bse[term] if below == "se" else m.tvalues[term]
            bottom.append(f"({second:.{digits}f})")
        rows[label] = top
        rows[f"{label} ({below})"] = bottom
    for label, spec in stats.items():
        values = []
        for m in models.values():
            v = spec(m) if callable(spec) else getattr(m, spec, np.nan)
            if v is None or (isinstance(v, float) and np.isnan(v)):
                values.append("")
            elif float(v).is_integer() and (spec == "nobs" or isinstance(v, (int, np.integer))):
                values.append(f"{int(v)}")
            else:
                values.append(f"{float(v):.{digits}f}")
        rows[label] = values
    for label, effect in (fe_rows or {}).items():
        rows[label] = [
            "Yes" if effect in getattr(m, "absorbed", ()) else "No" for m in models.values()
        ]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(models))
    # the parenthesised line carries no label, as printed
    frame.index = [
        ("" if i.endswith(f" ({below})") and i[: -len(below) - 3] in labels.values() else i)
        for i in frame.index
    ]
    return JournalTable(frame=frame, title=title, notes=notes)


def comparison_table(
    published: pd.DataFrame,
    replicated: pd.DataFrame,
    paper: str | None = None,
    table: str | None = None,
) -> pd.DataFrame:
    """Line up published and replicated cells with their difference.

    ``published`` is :func:`helpers.published.load_cells` output (``number``,
    ``decimals``, integer ``stars``); ``replicated`` is tidy cells from
    :mod:`helpers.results`.  Returns one row per published cell of the selection
    with ``published``, ``replicated``, ``difference`` (replicated - published),
    ``replicated_rounded`` (to the printed decimals), ``matches`` (equal once
    rounded), ``stars_published``, ``stars_replicated`` and ``stars_match``.
    Cells not replicated show NaN; a ``note`` column carries the replicated
    file's reason for an empty cell (empty string otherwise).
    """
    need = [*CELL_KEYS, "number", "decimals", "stars"]
    missing = [c for c in need if c not in published.columns]
    if missing:
        raise InputError(
            "published cells lack columns (use helpers.published.load_cells)",
            column=", ".join(missing),
        )
    pub = published
    if paper is not None:
        pub = pub[pub["paper"] == paper]
    if table is not None:
        pub = pub[pub["table"] == table]
    rep = replicated.assign(**{NOTE_COLUMN: replicated.get(NOTE_COLUMN, "")})
    rep = rep.loc[:, [*CELL_KEYS, "value", "stars", NOTE_COLUMN]].rename(
        columns={"value": "replicated", "stars": "stars_replicated"}
    )
    out = pub.loc[:, need].rename(columns={"number": "published", "stars": "stars_published"})
    out = out.merge(rep, on=CELL_KEYS, how="left")
    out["replicated"] = pd.to_numeric(out["replicated"], errors="coerce")
    out["difference"] = out["replicated"] - out["published"]
    out["replicated_rounded"] = [
        round(v, int(d)) if np.isfinite(v) else np.nan
        for v, d in zip(out["replicated"], out["decimals"], strict=True)
    ]
    out["matches"] = np.isclose(out["replicated_rounded"], out["published"], rtol=0, atol=1e-12)
    coef = out["stat"] == "coef"
    rep_stars = pd.to_numeric(out["stars_replicated"], errors="coerce").fillna(0).astype(int)
    out["stars_replicated"] = rep_stars.where(out["replicated"].notna())
    out["stars_match"] = (~coef) | (rep_stars == out["stars_published"])
    out.loc[out["replicated"].isna(), ["matches", "stars_match"]] = False
    out[NOTE_COLUMN] = out[NOTE_COLUMN].fillna("").astype(str)
    return out.drop(columns="decimals")


SIDE_BY_SIDE_PARTS = ("published", "replicated", "difference")
NOT_AVAILABLE = "n/a"


def _printed(value: float, decimals: int, signed: bool = False) -> str:
    if not np.isfinite(value):
        return NOT_AVAILABLE
    text = f"{value:{'+' if signed else ''}.{int(decimals)}f}"
    return f"{0:.{int(decimals)}f}" if float(text) == 0 else text


def side_by_side(
    published: pd.DataFrame,
    replicated: pd.DataFrame,
    paper: str,
    table: str,
    parts: Sequence[str] = SIDE_BY_SIDE_PARTS,
) -> pd.DataFrame:
    """One published table in its printed layout, published beside replicated values.

    Rows and columns follow :func:`helpers.published.table_as_printed`
    (coefficients with stars over their SE or t in parentheses, then N, R2 and
    tests).  Under each printed column heading, ``parts`` chooses among
    ``published`` (as printed), ``replicated`` (rounded to the printed decimals,
    with the stars of its own p-value) and ``difference`` (replicated minus
    published, same decimals, no stars).  A cell the replication does not have,
    or could not produce (a ``note`` in the results), shows ``n/a``.

    Descriptive tables, whose every printed column holds a single statistic
    (obs, mean, sd, ...), get one line per variable rather than one per statistic.
    """
    for part in parts:
        check_choice("parts", part, SIDE_BY_SIDE_PARTS)
    if not parts:
        raise InputError("choose at least one part", parameter="parts")
    cmp = comparison_table(published, replicated, paper=paper, table=table)
    pub = published[(published["paper"] == paper) & (published["table"] == table)]
    pub = pub.reset_index(drop=True)
    # a title that repeats the column label ("Mean" over "Mean") is printed once
    pub = pub.assign(
        column_title=pub["column_title"].where(pub["column_title"] != pub["column"], "")
    )
    cmp = pub.loc[:, CELL_KEYS].merge(cmp, on=CELL_KEYS, how="left")
    decimals = pub["decimals"].to_numpy()
    coef = (pub["stat"] == "coef").to_numpy()
    stars_rep = cmp["stars_replicated"].fillna(0).astype(int).to_numpy()
    ours = {"uncertain": False} if "uncertain" in pub else {}  # daggers mark printed cells only
    versions = {
        "published": pub,
        "replicated": pub.assign(
            value=[_printed(v, d) for v, d in zip(cmp["replicated"], decimals, strict=True)],
            stars=np.where(coef, stars_rep, 0),
            **ours,
        ),
        "difference": pub.assign(
            value=[
                _printed(v, d, signed=True)
                for v, d in zip(cmp["difference"], decimals, strict=True)
            ],
            stars=0,
            **ours,
        ),
    }
    per_column = pub.groupby("column")["stat"].nunique()
    if per_column.max() == 1 and not coef.any():  # one line per variable, as printed
        versions = {k: v.assign(stat="value") for k, v in versions.items()}
    frames = {part: table_as_printed(versions[part], paper, table) for part in parts}
    first = frames[parts[0]]
    wide = pd.concat({part: frame.reset_index(drop=True) for part, frame in frames.items()}, axis=1)
    wide = wide.swaplevel(axis=1)
    headings = list(first.columns)
    wide = wide.reindex(columns=pd.MultiIndex.from_product([headings, list(parts)]))
    wide.index = first.index
    return wide


def sign_and_significance(
    published: pd.DataFrame,
    replicated: pd.DataFrame,
    paper: str,
    rows: Sequence[str],
    *,
    tables: Sequence[str] | None = None,
    min_stars: int = 1,
) -> pd.DataFrame:
    """Does the replication reproduce the sign and significance class of key coefficients?

    For every published coefficient of ``paper`` whose row label is in ``rows``
    (the core variable of each regression column; restricted to ``tables`` if
    given), compares the sign and whether it is significant, i.e. carries at
    least ``min_stars`` stars (1: p < 0.10).  Returns one row per column with
    ``sign_match``, ``significance_match`` and ``both`` (both agree); a cell the
    replication lacks counts as a disagreement.
    """
    cmp = comparison_table(published, replicated, paper=paper)
    keep = (cmp["stat"] == "coef") & cmp["row"].isin(list(rows))
    if tables is not None:
        keep &= cmp["table"].isin(list(tables))
    out = cmp.loc[keep, [*CELL_KEYS, "published", "replicated"]].copy()
    stars_pub = cmp.loc[keep, "stars_published"].astype(int)
    stars_rep = cmp.loc[keep, "stars_replicated"]
    out["significant_published"] = stars_pub >= min_stars
    out["significant_replicated"] = stars_rep.fillna(-1).astype(int) >= min_stars
    have = out["replicated"].notna()
    out["sign_match"] = have & (np.sign(out["published"]) == np.sign(out["replicated"]))
    out["significance_match"] = have & (
        out["significant_published"] == out["significant_replicated"]
    )
    out["both"] = out["sign_match"] & out["significance_match"]
    return out.reset_index(drop=True)
