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

import hashlib
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.errors import InputError, check_choice
from helpers.inference import stars
from helpers.published import (
    CELL_KEYS,
    FOOTER_STAT,
    RECONSTRUCTED_MARK,
    line_labels,
    printed_grid,
)
from helpers.results import NOTE_COLUMN, RESULT_COLUMNS, Estimate

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


MISSING = "\u2014"
"""How every table of the book shows a missing value: an em dash, explained under the table."""
MISSING_NOTE = f"{MISSING}: not available."


def _number_format(series: pd.Series, digits: int) -> str | Callable[[object], str] | None:
    """The default display format of one column: whole numbers without decimals, others with
    ``digits`` decimals, thousands separators from 10,000 on, infinities as the sign and the
    symbol; booleans as yes/no; text as it is, free to break after an underscore."""
    if pd.api.types.is_bool_dtype(series):
        return lambda v: "yes" if v else "no"
    if not pd.api.types.is_numeric_dtype(series):
        # an identifier may break after its underscores (a zero-width space), not mid-word
        return lambda v: str(v).replace("_", "_\u200b")
    values = pd.to_numeric(series, errors="coerce").to_numpy(float)
    finite = values[np.isfinite(values)]
    whole = pd.api.types.is_integer_dtype(series) or (
        finite.size > 0 and np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 1e15)
    )
    # thousands separators from five digits on: years and four-digit Ns print as the papers do
    grouping = "," if finite.size and np.abs(finite).max() >= 10_000 else ""
    pattern = f"{{:{grouping}.0f}}" if whole else f"{{:{grouping}.{digits}f}}"

    def text(value: object) -> str:
        number = float(value)
        if np.isinf(number):
            return "\u221e" if number > 0 else "\u2212\u221e"
        return pattern.format(number)

    return text


def show(
    frame: pd.DataFrame | pd.Series,
    formats: Mapping[str, str | Callable[[object], str]] | None = None,
    *,
    caption: str | None = None,
    digits: int = 3,
    note: str | None = None,
    index: bool | None = None,
):
    """A frame as the book shows it: a pandas Styler with formatted columns and no bare index.

    * Every numeric column gets a format from its values (whole numbers without decimals,
      other numbers with ``digits`` decimals, thousands separators from 10,000 on, infinities
      as the symbol); booleans read "yes"/"no"; text may wrap after an underscore
      (``producer_services``). ``formats`` (column -> format string such as ``"{:.1%}"`` or
      a function) overrides any column.
    * A missing value is an em dash, and a table that shows one says so in its caption
      (:data:`MISSING_NOTE`, or ``note``).
    * Column names are shown with spaces for underscores, so that long ones can wrap.
    * An unnamed integer index (0, 1, 2, ..., or the row numbers left by a filter) is hidden;
      a named index or one of labels (provinces, indicators) becomes an ordinary column first,
      unless ``index=False`` drops it. ``index=True`` keeps even row numbers, as "row".

    The Styler renders every row and column (the book's :func:`helpers.style.apply` lifts
    pandas' truncation limits) and carries the class ``nqpf-table`` for the book's CSS.
    """
    data = frame.to_frame() if isinstance(frame, pd.Series) else frame.copy()
    # row numbers, even of a filtered frame (5, 17, 43), say nothing: only a named index or
    # labels (provinces, indicators) are worth a column
    unnamed = all(name is None for name in data.index.names)
    default_index = unnamed and pd.api.types.is_integer_dtype(data.index)
    keep = (not default_index) if index is None else index
    if keep:
        if default_index:
            data.index = data.index.rename("row")
        elif unnamed and data.index.nlevels == 1:
            data.index = data.index.rename("")  # a stub column of labels, headed by nothing
        data = data.reset_index()
    data.columns = [
        " ".join(str(p) for p in c if str(p)) if isinstance(c, tuple) else str(c)
        for c in data.columns
    ]
    unknown = [c for c in (formats or {}) if c not in data.columns]
    if unknown:
        raise InputError("formats name a column the table does not show", column=unknown[0])
    chosen = {c: _number_format(data[c], digits) for c in data.columns}
    chosen = {c: f for c, f in chosen.items() if f is not None} | dict(formats or {})
    # a stable id (pandas draws a random one), so that a page is identical run after run
    digest = hashlib.sha1(f"{caption}|{data.to_csv()}".encode()).hexdigest()[:10]
    styler = data.style.set_uuid(digest).hide(axis="index").format(chosen, na_rep=MISSING)
    # column names read as words, and long ones wrap: "printed_N" is shown "printed N"
    styler = styler.format_index(lambda name: str(name).replace("_", " "), axis=1)
    numeric = [
        {"selector": f"td.col{i}", "props": "text-align: right; white-space: nowrap;"}
        for i, c in enumerate(data.columns)
        if pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])
    ]
    styler = styler.set_table_styles(numeric, overwrite=False)
    words = [caption] if caption else []
    if data.isna().to_numpy().any():
        words.append(note or MISSING_NOTE)
    if words:
        styler = styler.set_caption(" ".join(words))
    return styler.set_table_attributes('class="nqpf-table"')


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
NOT_AVAILABLE = "\u2014"  # an em dash, explained under every table that shows one
_STAT_NAMES = {
    "coef": "coefficient",
    "se": "standard error",
    "t": "t statistic",
    "p": "p-value",
    "value": "",
    "obs": "observations",
    "mean": "mean",
    "sd": "standard deviation",
    "min": "minimum",
    "median": "median",
    "max": "maximum",
}


def _printed(value: float, decimals: int, signed: bool = False) -> str:
    if not np.isfinite(value):
        return NOT_AVAILABLE
    text = f"{value:{'+' if signed else ''}.{int(decimals)}f}"
    return f"{0:.{int(decimals)}f}" if float(text) == 0 else text


@dataclass(frozen=True)
class SideBySide:
    """A published table in its printed layout with the replicated value under each cell.

    Made by :func:`side_by_side`. In a notebook or on a book page it renders as one compact
    table (published value, and beneath it the replicated one with a marker for the
    direction of the difference) followed by the differences in a collapsed table of
    their own; :meth:`to_frame` gives the three versions side by side as a DataFrame.

    ``lines`` are the printed lines as ``(row, stat)``; ``published`` and ``replicated``
    hold the printed strings, ``difference`` the numbers (replicated minus published),
    ``reproduced`` whether a cell equals the published one once rounded to the printed
    decimals, and ``decimals`` the printed decimals, all indexed by ``lines`` with one
    column per printed heading.
    """

    title: str
    label: str
    parts: tuple[str, ...]
    published: pd.DataFrame
    replicated: pd.DataFrame
    difference: pd.DataFrame
    reproduced: pd.DataFrame
    decimals: pd.DataFrame
    reasons: tuple[str, ...] = ()

    @property
    def lines(self) -> list[tuple[str, str]]:
        return list(self.published.index)

    @property
    def headings(self) -> list[str]:
        return list(self.published.columns)

    def _difference_text(self) -> pd.DataFrame:
        text = self.published.copy()
        for heading in self.headings:
            text[heading] = [
                (_printed(v, d, signed=True) if p and stat != FOOTER_STAT else "")
                for v, d, p, (_, stat) in zip(
                    self.difference[heading],
                    self.decimals[heading],
                    self.published[heading],
                    self.lines,
                    strict=True,
                )
            ]
        return text

    def to_frame(self) -> pd.DataFrame:
        """The chosen parts side by side under each heading: columns ``(heading, part)``.

        The replicated part is named :attr:`label`; the difference is printed with its
        sign and without the parentheses or brackets of the statistic it is taken from.
        """
        versions = {
            "published": self.published,
            "replicated": self.replicated,
            "difference": self._difference_text(),
        }
        names = {"published": "published", "replicated": self.label, "difference": "difference"}
        wide = pd.concat({names[p]: versions[p] for p in self.parts}, axis=1).swaplevel(axis=1)
        wide = wide.reindex(
            columns=pd.MultiIndex.from_product([self.headings, [names[p] for p in self.parts]])
        )
        wide.index = pd.Index(line_labels(self.lines), name="")
        return wide

    def __repr__(self) -> str:
        return f"{self.title}\n{self.to_frame().to_string()}"

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """The compact table, its key and the collapsed table of differences (see the class)."""
        show_rep = "replicated" in self.parts
        show_diff = show_rep and "difference" in self.parts
        labels = line_labels(self.lines)
        numbers_only = _long_titles(self.headings)
        body = []
        for i, (_, stat) in enumerate(self.lines):
            cells = []
            for heading in self.headings:
                cells.append(self._cell_html(i, heading, stat, show_rep, show_diff))
            body.append(
                f'<tr class="cmp-{_line_kind(stat)}"><th scope="row">'
                f"{html.escape(labels[i])}</th>{''.join(cells)}</tr>"
            )
        caption = (
            f"{html.escape(self.title)}: published value, and beneath it the "
            f"{html.escape(self.label)} value"
            if show_rep
            else html.escape(self.title)
        )
        parts = [
            '<div class="nqpf-cmp">',
            '<div class="nqpf-scroll">',
            f'<table class="nqpf-cmp-table"><caption>{caption}</caption>',
            _head_html(self.headings, numbers_only),
            f"<tbody>{''.join(body)}</tbody></table>",
            "</div>",
            _titles_html(self.headings) if numbers_only else "",
            self._key_html(show_rep, show_diff),
        ]
        if show_diff:
            parts.append(self._differences_html(numbers_only))
        parts.append("</div>")
        return "".join(parts)

    def _cell_html(self, i: int, heading: str, stat: str, show_rep: bool, show_diff: bool) -> str:
        published = self.published[heading].iloc[i]
        if not published:
            return "<td></td>"
        top = f'<span class="cmp-pub">{_value_html(published)}</span>'
        if not show_rep or stat == FOOTER_STAT:
            return f"<td>{top}</td>"
        replicated = self.replicated[heading].iloc[i]
        if NOT_AVAILABLE in replicated:
            bottom = (
                f'<span class="cmp-rep cmp-na" title="no {html.escape(self.label)} value">'
                f"{NOT_AVAILABLE}</span>"
            )
            return f"<td>{top}<br>{bottom}</td>"
        marker = ""
        if show_diff:
            marker = self._marker_html(i, heading)
        return f'<td>{top}<br><span class="cmp-rep">{_value_html(replicated)}</span>{marker}</td>'

    def _marker_html(self, i: int, heading: str) -> str:
        diff = float(self.difference[heading].iloc[i])
        text = _printed(diff, int(self.decimals[heading].iloc[i]), signed=True)
        if bool(self.reproduced[heading].iloc[i]):
            symbol, kind, words = "=", "same", "equal once rounded"
        elif diff > 0:
            symbol, kind, words = "\u25b2", "up", "above the published value"
        else:
            symbol, kind, words = "\u25bc", "down", "below the published value"
        tip = f"{self.label} {words}; difference ({self.label} minus published): {text}"
        return (
            f'<span class="cmp-mark cmp-{kind}" title="{html.escape(tip)}" '
            f'aria-label="{html.escape(tip)}">{symbol}</span>'
        )

    def _key_html(self, show_rep: bool, show_diff: bool) -> str:
        words = []
        if self.published.map(lambda t: RECONSTRUCTED_MARK in t).to_numpy().any():
            words.append(
                f"{RECONSTRUCTED_MARK}: reconstructed from a garbled extraction of the paper "
                "(data/published/TABLES.md)."
            )
        if not show_rep:
            return f'<p class="nqpf-cmp-key">{" ".join(words)}</p>' if words else ""
        label = html.escape(self.label)
        words += [
            f"Top line: the published value; beneath it, the {label} value rounded to the "
            "printed decimals, with the stars of its own p-value."
        ]
        if show_diff:
            words.append(
                f'<span class="cmp-mark cmp-up">\u25b2</span> / '
                f'<span class="cmp-mark cmp-down">\u25bc</span>: the {label} value is above / '
                f'below the published one; <span class="cmp-mark cmp-same">=</span>: equal once '
                "rounded. The differences themselves are in the table below."
            )
        if (self.replicated.map(lambda t: NOT_AVAILABLE in t)).to_numpy().any():
            why = "; ".join(html.escape(r) for r in self.reasons) or "not produced by the run"
            words.append(f"{NOT_AVAILABLE}: no {label} value ({why}).")
        return f'<p class="nqpf-cmp-key">{" ".join(words)}</p>'

    def _differences_html(self, numbers_only: bool) -> str:
        text = self._difference_text()
        body = []
        for i, (row, stat) in enumerate(self.lines):
            if stat == FOOTER_STAT:
                continue
            name = _STAT_NAMES.get(stat, stat)
            label = f"{row}, {name}" if name else row
            cells = "".join(f"<td>{html.escape(text[h].iloc[i])}</td>" for h in self.headings)
            body.append(f'<tr><th scope="row">{html.escape(label)}</th>{cells}</tr>')
        label = html.escape(self.label)
        return (
            '<details class="nqpf-cmp-diff">'
            f"<summary>Differences, {label} minus published</summary>"
            '<div class="nqpf-scroll"><table class="nqpf-cmp-table">'
            f"<caption>{html.escape(self.title)}: {label} minus published, in the printed "
            "decimals. A difference, not a statistic: it has no standard error.</caption>"
            f"{_head_html(self.headings, numbers_only)}"
            f"<tbody>{''.join(body)}</tbody></table></div></details>"
        )


def _line_kind(stat: str) -> str:
    if stat == "coef":
        return "coef"
    if stat in {"se", "t", "p"}:
        return "unc"
    return "footer" if stat == FOOTER_STAT else "stat"


_MARKS = re.compile(r"^(.*?)([*\u2020]+)$")


def _value_html(text: str) -> str:
    """A printed value with its stars (and dagger) set small and raised, so columns stay narrow."""
    match = _MARKS.match(text)
    if not match:
        return html.escape(text)
    body, marks = match.groups()
    return f'{html.escape(body)}<sup class="cmp-stars">{marks}</sup>'


# A column title longer than this, or with a longer word, would widen its column: the
# table then heads its columns (1), (2), ... and lists the titles under it.
TITLE_CHARS, TITLE_WORD_CHARS = 18, 11


def _split_heading(heading: str) -> tuple[str, str]:
    """``"(k) title"`` -> ``("(k)", "title")``; a heading without a number -> ``("", heading)``."""
    number, _, title = heading.partition(" ")
    if number.startswith("(") and number.endswith(")"):
        return number, title
    return "", heading


def _long_titles(headings: Sequence[str]) -> bool:
    """True when a numbered column's title would widen its column (see :data:`TITLE_CHARS`)."""
    for number, title in map(_split_heading, headings):
        words = title.split()
        if number and (len(title) > TITLE_CHARS or any(len(w) > TITLE_WORD_CHARS for w in words)):
            return True
    return False


def _head_html(headings: Sequence[str], numbers_only: bool) -> str:
    """The header row: ``(k)`` over its title, or ``(k)`` alone when titles are listed below."""
    cells = []
    for heading in headings:
        number, title = _split_heading(heading)
        if number and (numbers_only or not title):
            text = html.escape(number)
        elif number:
            text = f'{html.escape(number)}<br><span class="cmp-title">{html.escape(title)}</span>'
        else:
            text = html.escape(heading)
        cells.append(f'<th scope="col">{text}</th>')
    return f'<thead><tr><th scope="col"></th>{"".join(cells)}</tr></thead>'


def _titles_html(headings: Sequence[str]) -> str:
    """The column titles of a table headed by numbers only, as one line under it."""
    items = [f"{html.escape(n)} {html.escape(t)}" for n, t in map(_split_heading, headings) if n]
    return f'<p class="nqpf-cmp-key">Columns: {"; ".join(items)}.</p>'


def side_by_side(
    published: pd.DataFrame,
    replicated: pd.DataFrame,
    paper: str,
    table: str,
    parts: Sequence[str] = SIDE_BY_SIDE_PARTS,
    *,
    label: str = "simulated",
    title: str | None = None,
    footers: pd.DataFrame | None = None,
) -> SideBySide:
    """One published table in its printed layout, with the replicated value under each cell.

    Rows and columns follow :func:`helpers.published.printed_grid` (coefficients with stars
    over their SE or t in parentheses, the controls and fixed-effect rows the paper prints,
    then N, R2 and tests). ``parts`` chooses what the table shows: ``published`` (as
    printed), ``replicated`` (rounded to the printed decimals, with the stars of its own
    p-value; called ``label`` on the page, "simulated" by default, "replicated" for a run on
    the papers' data) and ``difference`` (replicated minus published, same decimals: a
    direction marker in each cell and a collapsed table of the numbers, never typeset like a
    statistic). A cell the replication does not have, or could not produce (a ``note`` in
    the results), shows an em dash with the reason under the table. ``title`` heads the
    table (default: the table's name).

    Descriptive tables, whose every printed column holds a single statistic (obs, mean,
    sd, ...), get one line per variable rather than one per statistic.
    """
    for part in parts:
        check_choice("parts", part, SIDE_BY_SIDE_PARTS)
    if not parts:
        raise InputError("choose at least one part", parameter="parts")
    if not str(label).strip():
        raise InputError("the replicated values need a label", parameter="label")
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
    replicated_cells = pub.assign(
        value=[_printed(v, d) for v, d in zip(cmp["replicated"], decimals, strict=True)],
        stars=np.where(coef, stars_rep, 0),
        **ours,
    )
    per_column = pub.groupby("column")["stat"].nunique()
    if per_column.max() == 1 and not coef.any():  # one line per variable, as printed
        pub, replicated_cells = pub.assign(stat="value"), replicated_cells.assign(stat="value")
    shape = printed_grid(pub, paper, table, footers)
    keys = pd.MultiIndex.from_arrays(
        [
            pub["row"],
            pub["stat"],
            [f"{c} {t}".strip() for c, t in zip(pub["column"], pub["column_title"], strict=True)],
        ]
    )

    def on_grid(values) -> pd.DataFrame:
        grid = pd.Series(list(values), index=keys).unstack(level=2)
        return grid.reindex(index=shape.index, columns=shape.columns)

    grids = {
        "replicated": printed_grid(replicated_cells, paper, table, footers),
        "difference": on_grid(cmp["difference"].to_numpy(float)).astype(float),
        "reproduced": on_grid(cmp["matches"].astype(bool)).eq(True),
        "decimals": on_grid(decimals).fillna(0).astype(int),
    }
    reasons = tuple(
        dict.fromkeys(r for r in cmp.loc[cmp["replicated"].isna(), NOTE_COLUMN] if str(r).strip())
    )
    return SideBySide(
        title=title or table,
        label=str(label),
        parts=tuple(parts),
        published=shape,
        replicated=grids["replicated"],
        difference=grids["difference"],
        reproduced=grids["reproduced"],
        decimals=grids["decimals"],
        reasons=reasons,
    )


def as_printed(published: pd.DataFrame, paper: str, table: str, title: str | None = None):
    """One published table alone, in the compact layout of :func:`side_by_side`."""
    nothing = pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})
    return side_by_side(published, nothing, paper, table, parts=("published",), title=title)


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
