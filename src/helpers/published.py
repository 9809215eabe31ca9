"""The papers' published tables: loading, printing them as the papers do, auditing them.

The tidy cell format (one row per printed number) is the book's common
currency: ``paper, table, column, column_title, row, stat, value, stars``.
Published cells live in ``data/published/published_results.csv``; every
chapter writes its replicated cells with the same keys, so a join pairs them.

The audit recomputes what a printed table implies about itself:

* **Stars.** For a coefficient with a standard error, ``z = |coef / se|``; where
  the table prints t statistics instead (paper 003), ``z = |t|``. The two-sided
  normal p-value gives the expected stars (* 0.10, ** 0.05, *** 0.01). Printed
  numbers are rounded, so each number with ``d`` decimals is taken to lie
  within ``+-0.5 * 10**-d``; stars that only some value in that box produce are
  *borderline*, stars that none produce are *inconsistent*. A standard error
  printed as zero cannot be checked. Tables listed in
  ``data/published/audit_exclusions.csv`` (the garbled paper 000 Table 3, whose
  star strings are extraction artefacts) are left out, with the reason.
* **Sample sizes.** Each printed N is compared with the number of unit-years
  that the paper's own design implies (``data/published/sample_design.csv``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import registry, style
from helpers.contract import load_contract
from helpers.errors import InputError
from helpers.inference import normal_isf, star_count, two_sided_p
from helpers.paths import DATA_DIR, PUBLISHED_CSV, PUBLISHED_NOTES

CELL_KEYS = ["paper", "table", "column", "row", "stat"]
REQUIRED_COLUMNS = [*CELL_KEYS, "column_title", "value", "stars"]
SAMPLE_DESIGN_CSV = DATA_DIR / "published" / "sample_design.csv"
AUDIT_EXCLUSIONS_CSV = DATA_DIR / "published" / "audit_exclusions.csv"
TABLE_FOOTERS_CSV = DATA_DIR / "published" / "table_footers.csv"


def paper_slugs() -> dict[str, str]:
    """Paper file stem -> slug of every registered paper (from the registry and contracts)."""
    return {load_contract(slug).paper: slug for slug in registry.slugs()}


SAMPLE_SIZE_ROWS = {"N", "Observations"}


def paper_id(slug: str) -> str:
    """The paper id (``000_...``) of a chapter slug (``gtfp``)."""
    ids = {s: p for p, s in paper_slugs().items()}
    if slug not in ids:
        raise InputError(
            f"no paper has the slug {slug!r} (known: {', '.join(ids)})", parameter="slug"
        )
    return ids[slug]


def _decimals(text: str) -> int:
    _, _, fraction = text.strip().partition(".")
    return len(fraction)


def load_cells(path: Path = PUBLISHED_CSV) -> pd.DataFrame:
    """Read a tidy cell file, keeping each number's printed precision.

    Returns the file's columns plus ``number`` (float), ``decimals`` (digits
    after the point, as printed) and ``stars`` as an integer count.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(f"{path} lacks required columns {missing}", column=missing[0])
    cells = raw.copy()
    cells["number"] = pd.to_numeric(cells["value"], errors="coerce")
    bad = cells.index[cells["number"].isna()].tolist()
    if bad:
        raise InputError("value must be a number", column="value", rows=[r + 2 for r in bad])
    cells["decimals"] = cells["value"].map(_decimals)
    cells["stars"] = pd.to_numeric(cells["stars"].replace("", "0"), errors="coerce")
    cells["stars"] = cells["stars"].fillna(0).astype(int)
    if "uncertain" in cells:
        cells["uncertain"] = cells["uncertain"].eq("1")
    cells["slug"] = cells["paper"].map(paper_slugs()).fillna(cells["paper"])
    return cells


RECONSTRUCTED_MARK = "\u2020"


def _format_cell(stat: str, value: str, stars: int, reconstructed: bool = False) -> str:
    mark = RECONSTRUCTED_MARK if reconstructed else ""
    if stat == "coef":
        return f"{value}{'*' * stars}{mark}"
    if stat in {"se", "t"}:
        return f"({value}){mark}"
    if stat == "p":
        return f"[{value}]{mark}"
    return value + mark


FOOTER_STAT = "footer"
"""``stat`` of a printed non-numeric row (controls or fixed effects "Yes", "√", "×")."""


@functools.cache
def _committed_footers() -> pd.DataFrame:
    return load_footers()


def load_footers(path: Path = TABLE_FOOTERS_CSV) -> pd.DataFrame:
    """The non-numeric rows each table prints below its coefficients, as printed.

    One row per cell: ``paper, table, column, row, value`` ("Yes", "YES", "√", "×", "Y"),
    ``after_row`` (the printed row whose lines it follows; empty: after the last coefficient
    line, before N, R2 and the tests) and ``note`` (the Chinese original of a translated
    label). Paper 000 prints none: its controls appear as coefficients and its fixed effects
    only in the text.
    """
    footers = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("paper", "table", "column", "row", "value") if c not in footers]
    if missing:
        raise InputError(f"{path} lacks required columns {missing}", column=missing[0])
    if "after_row" not in footers:
        footers["after_row"] = ""
    return footers


def printed_grid(
    cells: pd.DataFrame, paper: str, table: str, footers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One table as printed, one line per (row, stat): the strings the paper prints.

    The index is a MultiIndex ``(row, stat)`` in the order of first appearance, the
    columns are the printed headings, ``(k) title``; coefficients carry their stars, SEs
    and t statistics their parentheses, p-values their square brackets, and cells flagged
    ``uncertain`` a dagger. The ``footers`` of the table (default: the committed
    :func:`load_footers`) become lines with stat :data:`FOOTER_STAT`, placed as printed.
    A cell a column does not print is an empty string.
    """
    sub = cells[(cells["paper"] == paper) & (cells["table"] == table)]
    if sub.empty:
        raise InputError(f"no cells for paper {paper!r}, table {table!r}", parameter="table")
    uncertain = sub["uncertain"] if "uncertain" in sub else pd.Series(False, index=sub.index)
    headings = {
        c: f"{c} {t}".strip() for c, t in zip(sub["column"], sub["column_title"], strict=True)
    }
    sub = sub.assign(
        shown=[
            _format_cell(s, v, n, bool(u))
            for s, v, n, u in zip(sub["stat"], sub["value"], sub["stars"], uncertain, strict=True)
        ],
        heading=sub["column"].map(headings),
    )
    lines = list(dict.fromkeys(zip(sub["row"], sub["stat"], strict=True)))
    columns = list(dict.fromkeys(sub["heading"]))
    wide = sub.pivot_table(
        index=["row", "stat"], columns="heading", values="shown", aggfunc="first"
    )
    wide = wide.reindex(index=pd.MultiIndex.from_tuples(lines), columns=columns).fillna("")
    if footers is None:
        footers = _committed_footers()
    own = footers[(footers["paper"] == paper) & (footers["table"] == table)]
    if not own.empty:
        wide = _with_footers(wide, own, headings)
    wide.index.names = ["row", "stat"]
    wide.columns.name = None
    return wide


def _with_footers(wide: pd.DataFrame, footers: pd.DataFrame, headings: dict) -> pd.DataFrame:
    """Insert footer lines after their ``after_row`` block, or before the first value line."""
    lines = list(wide.index)
    blocks: dict[str, list[tuple[str, str]]] = {}
    for (label, after), group in footers.groupby(["row", "after_row"], sort=False):
        blocks.setdefault(after, []).append((label, FOOTER_STAT))
        for column, value in zip(group["column"], group["value"], strict=True):
            wide.loc[(label, FOOTER_STAT), headings.get(column, column)] = value
    wide = wide.fillna("")
    order = []
    first_value = next((i for i, (_, s) in enumerate(lines) if s == "value"), len(lines))
    for i, (row, stat) in enumerate(lines):
        if i == first_value:
            order += blocks.get("", [])
        order.append((row, stat))
        following = lines[i + 1][0] if i + 1 < len(lines) else None
        if row in blocks and following != row:
            order += blocks[row]
    if first_value == len(lines):
        order += blocks.get("", [])
    return wide.reindex(index=pd.MultiIndex.from_tuples(order))


def line_labels(lines: list[tuple[str, str]]) -> list[str]:
    """Row labels as printed: a row's name on its first line only (its SE line is blank)."""
    labels, previous = [], None
    for row, stat in lines:
        labels.append("" if row == previous and stat != "coef" else row)
        previous = row
    return labels


def table_as_printed(
    cells: pd.DataFrame, paper: str, table: str, footers: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One published table laid out as printed: coefficients with stars over (SE) or (t).

    Rows keep the order of first appearance; a row label is shown once, on its first
    line. Columns are labelled ``(k) title`` where a title was printed. Cells flagged
    ``uncertain`` (reconstructed from a garbled extraction) carry a dagger. The table's
    footer rows (controls and fixed effects, :func:`load_footers`) are placed as printed.
    """
    wide = printed_grid(cells, paper, table, footers)
    wide.index = pd.Index(line_labels(list(wide.index)), name="")
    return wide


@dataclass(frozen=True)
class _Box:
    low: np.ndarray
    high: np.ndarray


def _z_box(cells: pd.DataFrame, allow_rounding: bool) -> tuple[np.ndarray, _Box]:
    """Point z and the interval of z consistent with the printed rounding."""
    share = 0.5 if allow_rounding else 0.0
    half_c = share * 10.0 ** -cells["decimals_coef"].to_numpy(float)
    half_u = share * 10.0 ** -cells["decimals_unc"].to_numpy(float)
    coef = np.abs(cells["number_coef"].to_numpy(float))
    unc = np.abs(cells["number_unc"].to_numpy(float))
    is_t = cells["stat_unc"].eq("t").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(is_t, unc, coef / unc)
        low = np.where(is_t, unc - half_u, np.maximum(coef - half_c, 0) / (unc + half_u))
        high = np.where(is_t, unc + half_u, (coef + half_c) / np.maximum(unc - half_u, 0))
    return z, _Box(np.maximum(low, 0), high)


def load_audit_exclusions(path: Path = AUDIT_EXCLUSIONS_CSV) -> pd.DataFrame:
    """Tables whose printed stars cannot be audited, with the reason."""
    return pd.read_csv(path, dtype=str)


def audit_stars(
    cells: pd.DataFrame,
    exclusions: pd.DataFrame | None = None,
    *,
    allow_rounding: bool = True,
) -> pd.DataFrame:
    """Check every printed star count against the coefficient's own z statistic.

    Returns one row per coefficient with ``z``, ``p`` (two-sided normal),
    ``expected`` stars, the range of star counts that rounding allows, and
    ``status``: ``pass``, ``borderline``, ``inconsistent``, ``se prints as zero``
    or ``excluded`` (a table in ``exclusions``, by default the committed list).
    With ``allow_rounding=False`` the printed numbers are taken as exact, so
    nothing is borderline.
    """
    if exclusions is None:
        exclusions = load_audit_exclusions()
    keys = ["paper", "table", "column", "row"]
    coefs = cells[cells["stat"] == "coef"]
    uncs = cells[cells["stat"].isin(["se", "t"])]
    merged = coefs.merge(uncs, on=keys, suffixes=("_coef", "_unc"), how="left")
    merged = merged[merged["stat_unc"].notna()].reset_index(drop=True)
    z, box = _z_box(merged, allow_rounding)
    p = two_sided_p(z)
    expected = star_count(p)
    fewest = star_count(two_sided_p(box.low))
    most = star_count(two_sided_p(box.high))
    printed = merged["stars_coef"].to_numpy(int)
    excluded = pd.MultiIndex.from_frame(merged[["paper", "table"]]).isin(
        pd.MultiIndex.from_frame(exclusions[["paper", "table"]])
    )
    status = np.select(
        [
            excluded,
            merged["number_unc"].to_numpy(float) == 0,
            printed == expected,
            (printed >= fewest) & (printed <= most),
        ],
        ["excluded", "se prints as zero", "pass", "borderline"],
        default="inconsistent",
    )
    return pd.DataFrame(
        {
            "paper": merged["paper"],
            "slug": merged["slug_coef"],
            "table": merged["table"],
            "column": merged["column"],
            "row": merged["row"],
            "coef": merged["value_coef"],
            "uncertainty": merged["value_unc"],
            "kind": merged["stat_unc"],
            "z": np.round(z, 3),
            "p": p,
            "printed": printed,
            "expected": expected,
            "allowed_by_rounding": [
                f"{a}-{b}" if a != b else f"{a}" for a, b in zip(fewest, most, strict=True)
            ],
            "status": status,
        }
    )


def load_sample_design(path: Path = SAMPLE_DESIGN_CSV) -> pd.DataFrame:
    """The design each printed N should match: units x years per (paper, table, columns).

    ``columns`` is one column label, several joined by ``+`` (a partition whose
    Ns should add up), or ``*`` (every column of the table not listed otherwise).
    """
    design = pd.read_csv(path, dtype={"columns": str, "units": "Int64", "years": "Int64"})
    design["expected"] = design["units"] * design["years"]  # <NA>: not fixed by the design
    return design


def audit_sample_sizes(cells: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """Compare printed sample sizes with the design; one row per design entry that applies."""
    ns = cells[cells["row"].isin(SAMPLE_SIZE_ROWS)]
    slugs = paper_slugs()
    rows = []
    for (paper, table), group in ns.groupby(["paper", "table"], sort=False):
        printed = dict(zip(group["column"], group["number"], strict=True))
        rules = design[(design["paper"] == paper) & (design["table"].isin([table, "*"]))]
        explicit = {c for spec in rules["columns"] if spec != "*" for c in spec.split("+")}
        specific = rules[rules["table"] == table]
        generic = rules[rules["table"] == "*"]
        for _, rule in pd.concat([specific, generic]).iterrows():
            if rule["columns"] == "*":
                if rule["table"] == "*" and not specific[specific["columns"] == "*"].empty:
                    continue
                targets = [[c] for c in printed if c not in explicit]
            else:
                targets = [rule["columns"].split("+")]
            for columns in targets:
                present = [c for c in columns if c in printed]
                if not present:
                    continue
                total = int(sum(printed[c] for c in present))
                expected = rule["expected"]
                if pd.isna(expected):
                    verdict = "not fixed by the design"
                else:
                    verdict = "pass" if total == expected else "mismatch"
                rows.append(
                    {
                        "paper": paper,
                        "slug": slugs.get(paper, paper),
                        "table": table,
                        "columns": "+".join(present),
                        "printed_N": total,
                        "design_N": expected,
                        "design": rule["basis"],
                        "status": verdict,
                    }
                )
    return pd.DataFrame(rows)


_PAPER_HEADING = re.compile(r"^\*\*(\d{3})\*\*\s*$")


def text_table_contradictions(path: Path = PUBLISHED_NOTES) -> pd.DataFrame:
    """The text-vs-table contradictions listed in ``TABLES.md``, one row per item."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("### Text vs table")), None)
    if start is None:
        raise InputError(f"{path} has no '### Text vs table' section")
    items: list[dict[str, str]] = []
    paper = None
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        heading = _PAPER_HEADING.match(line.strip())
        if heading:
            paper = heading.group(1)
        elif line.startswith("- ") and paper:
            items.append({"paper": paper, "item": line[2:].strip()})
        elif line.startswith("  ") and items:
            items[-1]["item"] += " " + line.strip()
    slugs = {key[:3]: slug for key, slug in paper_slugs().items()}
    frame = pd.DataFrame(items)
    frame.insert(1, "slug", frame["paper"].map(slugs))
    return frame


_STATUS_COLOURS = {
    "pass": style.OKABE_ITO[5],  # blue
    "borderline": style.OKABE_ITO[1],  # orange
    "inconsistent": style.OKABE_ITO[6],  # vermillion
}


def plot_stars_against_z(audit: pd.DataFrame, *, seed: int = 0):
    """Scatter of |coef/SE| (or |t|) by printed star count, with the star cut-offs.

    Points are jittered horizontally (seeded) so that equal star counts stay
    readable; the dashed lines are the normal critical values of the
    10%, 5% and 1% two-sided tests.
    """
    import matplotlib.pyplot as plt

    shown = audit[audit["status"].isin(list(_STATUS_COLOURS))]
    rng = np.random.default_rng(seed)
    with style.context():
        fig, ax = plt.subplots()
        for status, colour in _STATUS_COLOURS.items():
            part = shown[shown["status"] == status]
            x = part["printed"].to_numpy(float) + rng.uniform(-0.18, 0.18, len(part))
            ax.scatter(
                x, part["z"], s=14, alpha=0.75, color=colour, label=f"{status} ({len(part)})"
            )
        for level in (0.10, 0.05, 0.01):
            ax.axhline(normal_isf(level / 2), color="0.4", lw=0.8, ls="--")
        ax.set_yscale("log")
        ax.set_xticks([0, 1, 2, 3], ["none", "*", "**", "***"])
        ax.set_xlabel("stars printed in the paper")
        ax.set_ylabel("|coef / SE| or |t| (log scale)")
        ax.legend(loc="upper left")
        fig.tight_layout()
    return fig


def audit_summary(
    cells: pd.DataFrame,
    *,
    design: pd.DataFrame | None = None,
    notes: Path = PUBLISHED_NOTES,
    allow_rounding: bool = True,
) -> pd.DataFrame:
    """The three audits in counts, one row per registered paper (:func:`paper_slugs`).

    ``coefficients_checked`` (stars that can be checked), ``stars_pass``,
    ``stars_borderline``, ``stars_inconsistent`` (:func:`audit_stars`), ``n_checks`` and
    ``n_mismatches`` (:func:`audit_sample_sizes` on ``design``, by default the committed
    sample design) and ``contradictions`` (:func:`text_table_contradictions`).
    """
    stars = audit_stars(cells, allow_rounding=allow_rounding)
    sizes = audit_sample_sizes(cells, load_sample_design() if design is None else design)
    text = text_table_contradictions(notes)
    rows = []
    for paper, slug in paper_slugs().items():
        status = stars.loc[stars["paper"] == paper, "status"]
        size = sizes.loc[sizes["paper"] == paper, "status"] if len(sizes) else pd.Series([])
        rows.append(
            {
                "paper": paper,
                "slug": slug,
                "coefficients_checked": int(
                    status.isin(["pass", "borderline", "inconsistent"]).sum()
                ),
                "stars_pass": int((status == "pass").sum()),
                "stars_borderline": int((status == "borderline").sum()),
                "stars_inconsistent": int((status == "inconsistent").sum()),
                "n_checks": int(size.isin(["pass", "mismatch"]).sum()),
                "n_mismatches": int((size == "mismatch").sum()),
                "contradictions": int((text["paper"] == paper[:3]).sum()),
            }
        )
    return pd.DataFrame(rows)
