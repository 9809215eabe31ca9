"""Read a reader's own data file and check it against a paper's data contract.

Formats: CSV (UTF-8, or GB18030 as saved by Chinese Excel), XLSX (one sheet, the first
unless ``sheet`` names another), Stata ``.dta`` and Parquet. A column-mapping file
(YAML, ``reader's header: contract name``; Chinese headers are fine) lets readers keep
their own column names, e.g.::

    省份: province
    年份: year
    地区生产总值: gdp

:func:`validate_file` returns every :class:`Problem` found; :func:`load` returns the
validated, typed panel or raises :class:`~helpers.errors.InputError` listing them all.
Each problem names the column, the first offending unit-year keys and the rule.
The reader's file is only ever opened for reading; cleaning (interpolation,
winsorizing) is a chapter parameter, never done here.

Missing cells are empty cells, ``NA``/``NaN``/``null`` and Stata's ``.``; anything else
that is not a number (``1,234``, ``12%``, ``-``) is reported as non-numeric.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from helpers.contract import Contract, Variable, load_contract
from helpers.errors import InputError
from helpers.panel import check_balanced

PathLike = str | Path

EXCEL_SUFFIXES: frozenset[str] = frozenset({".xlsx", ".xlsm"})
READERS: tuple[str, ...] = (".csv", ".xlsx", ".xlsm", ".dta", ".parquet", ".pq")
CSV_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")
EXTRA_NA: tuple[str, ...] = (".",)
"""Missing-value codes on top of pandas' defaults: Stata writes ``.`` in CSV exports."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: the column (or ``None`` for the whole file), the offending
    rows as unit-year keys (or ``row N`` counting the header as row 1) and the rule."""

    rule: str
    column: str | None = None
    rows: tuple[str, ...] = ()
    hint: str | None = None

    def __str__(self) -> str:
        return str(InputError(self.rule, column=self.column, rows=self.rows, hint=self.hint))


# ---------------------------------------------------------------------------- reading


def _read_csv(path: Path) -> pd.DataFrame:
    options = {"dtype": str, "na_values": list(EXTRA_NA), "skipinitialspace": True}
    for encoding in CSV_ENCODINGS[:-1]:
        try:
            return pd.read_csv(path, encoding=encoding, **options)
        except UnicodeDecodeError:
            continue
    return pd.read_csv(path, encoding=CSV_ENCODINGS[-1], **options)


def _excel_sheets(path: Path) -> list[str]:
    return list(pd.ExcelFile(path, engine="openpyxl").sheet_names)


def read_table(
    path: PathLike, sheet: str | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read ``path`` by its suffix, as text where the format allows, never modifying it.

    Returns the raw table (headers stripped of surrounding blanks) or ``None`` with the
    problem that prevented reading: missing file, unsupported type, unreadable content,
    empty file, or a sheet that the workbook does not have.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        return None, [Problem(f"file not found: {path}")]
    if suffix not in READERS:
        return None, [
            Problem(
                f"cannot read '{suffix or path.name}' files",
                hint="Save the table as CSV, XLSX, Stata .dta or Parquet",
            )
        ]
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        return None, [Problem(f"a sheet ({sheet!r}) applies only to Excel workbooks")]
    try:
        if suffix == ".csv":
            frame = _read_csv(path)
        elif suffix in EXCEL_SUFFIXES:
            sheets = _excel_sheets(path)
            if sheet is not None and sheet not in sheets:
                return None, [
                    Problem(f"sheet {sheet!r} not found; the workbook has {', '.join(sheets)}")
                ]
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, engine="openpyxl")
        elif suffix == ".dta":
            frame = pd.read_stata(path)
        else:
            frame = pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        return None, [Problem("the file is empty")]
    except Exception as exc:  # any parser failure is the reader's file, not our bug
        return None, [Problem(f"the file could not be read as {suffix}: {exc}")]
    frame = frame.rename(columns=lambda c: str(c).strip())
    if frame.empty:
        return None, [Problem("the file is empty (no data rows)")]
    return frame, []


def read_mapping(
    mapping: PathLike | Mapping[str, str] | None,
) -> tuple[dict[str, str], list[Problem]]:
    """The column mapping ``{reader's header: contract name}`` from a YAML file or a dict."""
    if mapping is None:
        return {}, []
    if isinstance(mapping, Mapping):
        spec: object = dict(mapping)
    else:
        path = Path(mapping)
        try:
            spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            return {}, [Problem(f"the mapping file {path} could not be read: {exc}")]
    if not isinstance(spec, Mapping) or not spec:
        return {}, [
            Problem(
                "the mapping must be a non-empty YAML mapping of your headers to contract names",
                hint="One line per column, e.g. '省份: province'",
            )
        ]
    return {str(k).strip(): str(v).strip() for k, v in spec.items()}, []


def _apply_mapping(
    frame: pd.DataFrame, mapping: dict[str, str], contract: Contract
) -> tuple[pd.DataFrame, list[Problem]]:
    problems = []
    for source, target in mapping.items():
        if target not in contract.names:
            problems.append(
                Problem(
                    f"the mapping sends '{source}' to '{target}', which is not a variable "
                    f"of the '{contract.slug}' contract",
                    target,
                )
            )
        if source not in frame.columns:
            problems.append(
                Problem("the mapping names a header that the file does not have", source)
            )
    renamed = [mapping.get(c, c) for c in frame.columns]
    for name in sorted({n for n in renamed if renamed.count(n) > 1}):
        sources = [c for c in frame.columns if mapping.get(c, c) == name]
        problems.append(
            Problem(f"several columns map to this variable: {', '.join(sources)}", name)
        )
    out = frame.copy()
    out.columns = renamed
    return out, problems


# ---------------------------------------------------------------------------- checking


def _as_numbers(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numeric values and a mask of cells that hold something that is not a number."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.astype(float)
        return values, pd.Series(False, index=column.index)
    text = column.map(lambda x: x.strip() if isinstance(x, str) else x)
    text = text.mask(text.eq(""))
    values = pd.to_numeric(text, errors="coerce").astype(float)
    return values, values.isna() & text.notna()


def _as_labels(column: pd.Series) -> pd.Series:
    """Identifiers as text; whole-number codes lose Excel's trailing '.0'."""

    def label(x: object) -> object:
        if x is None or (isinstance(x, float) and np.isnan(x)):
            return np.nan
        if isinstance(x, float | np.floating) and float(x).is_integer():
            return str(int(x))
        text = str(x).strip()
        return text or np.nan

    return column.map(label).astype(object)


def _row_keys(frame: pd.DataFrame, contract: Contract) -> pd.Series:
    """'unit-year' per row where both keys are readable, otherwise 'row N'."""
    positions = pd.Series([f"row {i + 2}" for i in range(len(frame))], index=frame.index)
    unit_key, time_key = contract.keys
    if unit_key not in frame.columns or time_key not in frame.columns:
        return positions
    units = _as_labels(frame[unit_key])
    years, _ = _as_numbers(frame[time_key])
    ok = units.notna() & years.notna() & (years % 1 == 0)
    keys = units.astype(str) + "-" + years.fillna(0).astype(np.int64).astype(str)
    return keys.where(ok, positions)


def _check_values(var: Variable, values: pd.Series, keys: pd.Series) -> list[Problem]:
    problems = []

    def flag(mask: pd.Series, rule: str, hint: str | None = None) -> None:
        if mask.any():
            problems.append(Problem(rule, var.name, tuple(keys[mask]), hint))

    present = values.notna()
    if var.dtype in ("year", "flag"):
        flag(present & (values % 1 != 0), "values must be whole numbers")
    if var.dtype == "flag":
        flag(present & ~values.isin([0, 1]), "values must be 0 or 1")
    if var.positive:
        rule = (
            "DEA inputs and outputs must be strictly positive"
            if var.is_dea
            else "values must be strictly positive (the chapter takes logs or ratios)"
        )
        flag(present & (values <= 0), rule)
    low, high = var.min, var.max
    if low is not None or high is not None:
        below = present & (values < low) if low is not None else False
        above = present & (values > high) if high is not None else False
        bounds = f"[{-np.inf if low is None else low:g}, {np.inf if high is None else high:g}]"
        flag(below | above, f"values must lie in {bounds} ({var.unit})")
    return problems


def _check_balance(frame: pd.DataFrame, contract: Contract) -> list[Problem]:
    unit_key, time_key = contract.keys
    keys = pd.DataFrame(
        {unit_key: _as_labels(frame[unit_key]), time_key: _as_numbers(frame[time_key])[0]}
    ).dropna()
    keys = keys[keys[time_key] % 1 == 0].drop_duplicates()
    if keys.empty:  # no readable key at all: the key-column problems already say so
        return []
    report = check_balanced(keys.astype({time_key: np.int64}), unit=unit_key, time=time_key)
    if report.balanced:
        return []
    absent = report.missing[unit_key].astype(str) + "-" + report.missing[time_key].astype(str)
    return [
        Problem(
            f"the panel must be balanced ({contract.balance_reason}); these unit-years are absent",
            time_key,
            tuple(absent),
            hint="Add the missing years or drop the incomplete units",
        )
    ]


def validate_frame(slug: str | Contract, frame: pd.DataFrame) -> list[Problem]:
    """Every problem of ``frame`` (already in contract names) against the contract.

    Rules: required column missing; non-numeric cell; missing cell where the contract
    forbids it; value not whole (years, flags) or not 0/1 (flags) or not an allowed
    label (categories); value out of range; non-positive DEA input/output or logged
    variable; duplicate unit-year; unbalanced years where the method needs balance.
    """
    contract = slug if isinstance(slug, Contract) else load_contract(slug)
    keys = _row_keys(frame, contract)
    problems = []
    for var in contract.variables:
        if var.name not in frame.columns:
            if var.required:
                problems.append(
                    Problem(
                        f"required column is missing ({var.label}, {var.unit})",
                        var.name,
                        hint="Add it, or map your header to it in the mapping file",
                    )
                )
            continue
        column = frame[var.name]
        if var.is_numeric:
            values, text = _as_numbers(column)
            if text.any():
                examples = ", ".join(repr(v) for v in pd.unique(column[text])[:3])
                problems.append(
                    Problem(
                        f"cells must be numeric; found {examples}",
                        var.name,
                        tuple(keys[text]),
                        hint="Leave missing cells empty; remove thousands separators and % signs",
                    )
                )
            missing = values.isna() & ~text
            problems += _check_values(var, values, keys)
        else:
            labels = _as_labels(column)
            missing = labels.isna()
            if var.allowed is not None:
                bad = labels.notna() & ~labels.isin(var.allowed)
                if bad.any():
                    examples = ", ".join(repr(v) for v in pd.unique(labels[bad])[:3])
                    problems.append(
                        Problem(
                            f"values must be one of {', '.join(var.allowed)}; found {examples}",
                            var.name,
                            tuple(keys[bad]),
                        )
                    )
        if not var.missing_ok and missing.any():
            problems.append(Problem("cells may not be empty", var.name, tuple(keys[missing])))

    unit_key, time_key = contract.keys
    if unit_key in frame.columns and time_key in frame.columns:
        readable = ~keys.str.startswith("row ")
        duplicated = readable & keys.duplicated(keep=False)
        if duplicated.any():
            problems.append(
                Problem(
                    "each unit-year must appear once; these appear more than once",
                    f"{unit_key}, {time_key}",
                    tuple(pd.unique(keys[duplicated])),
                )
            )
        if contract.balanced:
            problems += _check_balance(frame, contract)
    return problems


def _check(
    slug: str, path: PathLike, mapping: PathLike | Mapping[str, str] | None, sheet: str | None
) -> tuple[Contract, pd.DataFrame | None, list[Problem]]:
    contract = load_contract(slug)
    names, problems = read_mapping(mapping)
    frame, read_problems = read_table(path, sheet)
    problems += read_problems
    if frame is None or problems:
        return contract, None, problems
    frame, problems = _apply_mapping(frame, names, contract)
    if problems:
        return contract, None, problems
    return contract, frame, validate_frame(contract, frame)


def validate_file(
    slug: str,
    path: PathLike,
    mapping: PathLike | Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> list[Problem]:
    """Every problem of the reader's file against the ``slug`` contract (empty if valid).

    This is what ``replicate validate SLUG FILE [--mapping MAP] [--sheet NAME]`` runs.
    """
    return _check(slug, path, mapping, sheet)[2]


def _typed(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    out = frame.copy()
    for var in contract.variables:
        if var.name not in out.columns:
            continue
        if var.is_numeric:
            values, _ = _as_numbers(out[var.name])
            out[var.name] = values.astype("Int64") if var.dtype in ("year", "flag") else values
        else:
            out[var.name] = _as_labels(out[var.name]).astype("string")
    ordered = [n for n in contract.names if n in out.columns]
    extra = [c for c in out.columns if c not in contract.names]
    return out[ordered + extra].sort_values(list(contract.keys), ignore_index=True)


def load(
    slug: str,
    path: PathLike,
    mapping: PathLike | Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """The reader's panel, validated against the ``slug`` contract and typed.

    Contract columns come first in contract order (numbers as float, years and flags as
    nullable ``Int64``, labels as ``string``), then any extra columns unchanged; rows
    are sorted by unit and year. Raises :class:`~helpers.errors.InputError` listing
    every problem if the file breaks the contract.
    """
    contract, frame, problems = _check(slug, path, mapping, sheet)
    if problems:
        listing = "\n  - ".join(str(p) for p in problems)
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise InputError(
            f"{Path(path).name} does not meet the '{slug}' data contract ({count}; the "
            f"book's Data chapter lists every variable):\n  - {listing}"
        )
    return _typed(frame, contract)


def load_reader_file(slug: str, data: PathLike, mapping: PathLike = "") -> pd.DataFrame:
    """A chapter's ``data`` parameter naming the reader's file: both paths checked (the
    parameter named in the error), then :func:`load` with the optional ``mapping`` file."""
    path = Path(data)
    if not path.is_file():
        raise InputError(
            f"no such file: {data}", parameter="data", hint="use 'simulated' or a CSV/XLSX/DTA path"
        )
    if mapping and not Path(mapping).is_file():
        raise InputError(f"no such file: {mapping}", parameter="mapping")
    return load(slug, path, mapping or None)
