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

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import registry, style
from helpers.contract import load_contract
from helpers.errors import InputError
from helpers.inference import star_count, two_sided_p
from helpers.paths import DATA_DIR, PUBLISHED_CSV, PUBLISHED_NOTES

CELL_KEYS = ["paper", "table", "column", "row", "stat"]
REQUIRED_COLUMNS = [*CELL_KEYS, "column_title", "value", "stars"]
SAMPLE_DESIGN_CSV = DATA_DIR / "published" / "sample_design.csv"
AUDIT_EXCLUSIONS_CSV = DATA_DIR / "published" / "audit_exclusions.csv"


def paper_slugs() -> dict[str, str]:
    """Paper file stem -> slug of every registered paper (from the registry and contracts)."""
    return {load_contract(slug).paper: slug for slug in registry.slugs()}


SAMPLE_SIZE_ROWS = {"N", "Observations"}


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


def table_as_printed(cells: pd.DataFrame, paper: str, table: str) -> pd.DataFrame:
    """One published table laid out as printed: coefficients with stars over (SE) or (t).

    Rows keep the order of first appearance; a row label is shown once, on
    its coefficient line. Columns are labelled ``(k) title`` where a title was
    printed. Cells flagged ``uncertain`` (reconstructed from a garbled
    extraction) carry a dagger.
    """
    sub = cells[(cells["paper"] == paper) & (cells["table"] == table)]
    if sub.empty:
        raise InputError(f"no cells for paper {paper!r}, table {table!r}", parameter="table")
    uncertain = sub["uncertain"] if "uncertain" in sub else pd.Series(False, index=sub.index)
    sub = sub.assign(
        shown=[
            _format_cell(s, v, n, bool(u))
            for s, v, n, u in zip(sub["stat"], sub["value"], sub["stars"], uncertain, strict=True)
        ],
        heading=[
            f"{c} {t}".strip() for c, t in zip(sub["column"], sub["column_title"], strict=True)
        ],
        line=[f"{r}\u2009[{s}]" for r, s in zip(sub["row"], sub["stat"], strict=True)],
    )
    headings = list(dict.fromkeys(sub["heading"]))
    lines = list(dict.fromkeys(sub["line"]))
    wide = sub.pivot_table(index="line", columns="heading", values="shown", aggfunc="first")
    wide = wide.reindex(index=lines, columns=headings).fillna("")
    labels = []
    previous_row = None
    for line in lines:
        row, _, stat = line.rpartition("\u2009[")
        labels.append("" if row == previous_row and stat.rstrip("]") != "coef" else row)
        previous_row = row
    wide.index = pd.Index(labels, name="")
    wide.columns.name = None
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
    from scipy.stats import norm

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
            ax.axhline(norm.isf(level / 2), color="0.4", lw=0.8, ls="--")
        ax.set_yscale("log")
        ax.set_xticks([0, 1, 2, 3], ["none", "*", "**", "***"])
        ax.set_xlabel("stars printed in the paper")
        ax.set_ylabel("|coef / SE| or |t| (log scale)")
        ax.legend(loc="upper left")
        fig.tight_layout()
    return fig
