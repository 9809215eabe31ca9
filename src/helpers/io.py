"""Read a reader's own data file and check it against a paper's data contract.

Formats: CSV (UTF-8, or GB18030 as saved by Chinese Excel; the delimiter is the one of ``,``
``;`` tab ``|`` that splits the first row into the contract's headers, unless ``delimiter``
names it), XLSX (one sheet, the first unless ``sheet`` names another), Stata ``.dta`` and
Parquet.  The first row is the header.  A column-mapping file
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

Missing cells are empty cells, ``NA``, ``N/A``, ``#N/A``, ``null``/``NULL`` and Stata's
``.``.  ``inf``, ``-inf`` and ``nan`` written in a cell are not missing but non-finite values
and are rejected (they usually come from a division by zero upstream); so is any value above
:data:`~helpers.errors.MAX_MAGNITUDE` (1e15) in absolute value, a unit or typing error.
Anything else that is not a number (``1,234``, ``12%``, ``-``) is reported as non-numeric.
A header that appears twice is an error (detected from the raw header row, before any
renaming), and so is a required column left entirely empty.

Names: the ``province``, ``city`` and ``region`` columns may hold any form that
:mod:`helpers.names` knows (English, pinyin, Chinese names, GB/T 2260 codes; 东部 / 中部 /
西部); the loaded panel carries the English keys.  An unknown province is an error where the
province is the panel's unit (the chapters take regions and exclusions from
``data/reference/provinces.csv``); unknown cities, and the province of a city, are kept as
written (the chapters use them as labels only); a city name two cities share is an error
unless the province column settles it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from helpers import yamlio
from helpers.contract import Contract, Variable, load_contract
from helpers.errors import MAX_MAGNITUDE, InputError
from helpers.names import NameMatch, match_cities, match_provinces, match_regions
from helpers.panel import check_balanced

PathLike = str | Path

EXCEL_SUFFIXES: frozenset[str] = frozenset({".xlsx", ".xlsm"})
READERS: tuple[str, ...] = (".csv", ".xlsx", ".xlsm", ".dta", ".parquet", ".pq")
CSV_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
"""Delimiters tried, in this order, when ``delimiter`` is not given."""
MISSING_CODES: tuple[str, ...] = ("", "NA", "N/A", "n/a", "#N/A", "NULL", "null", "<NA>", ".")
"""Cells read as missing: empty, R's and Excel's codes, and ``.`` as Stata writes it."""
NON_FINITE: frozenset[str] = frozenset({"nan", "+nan", "-nan", "inf", "+inf", "-inf"})
"""Text spellings of non-finite numbers (with ``infinity``, which pandas parses as inf)."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: the column (or ``None`` for the whole file), the offending
    rows as unit-year keys (or ``row N`` counting the header as row 1) and the rule."""

    rule: str
    column: str | None = None
    rows: tuple[str, ...] = ()
    hint: str | None = None
    parameter: str | None = None

    def __str__(self) -> str:
        return str(
            InputError(
                self.rule,
                column=self.column,
                parameter=self.parameter,
                rows=self.rows,
                hint=self.hint,
            )
        )


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Table:
    """A file as read: the table (headers stripped, repeats renamed ``name (2)``), the raw
    header, the repeated headers with their 1-based positions, and how it was read."""

    frame: pd.DataFrame | None
    problems: list[Problem]
    header: tuple[str, ...] = ()
    repeated: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _unique(header: list[str]) -> tuple[list[str], dict[str, tuple[int, ...]]]:
    """Header names made unique (``name (2)`` for a repeat; ``(column N)`` for a blank) and
    the repeated non-blank names with their 1-based positions."""
    counts = Counter(h for h in header if h)
    repeated = {
        name: tuple(i + 1 for i, h in enumerate(header) if h == name)
        for name, n in counts.items()
        if n > 1
    }
    seen: Counter[str] = Counter()
    names = []
    for i, h in enumerate(header):
        seen[h] += 1
        names.append(
            h if h and seen[h] == 1 else (f"{h} ({seen[h]})" if h else f"(column {i + 1})")
        )
    return names, repeated


def _with_header(rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str], dict]:
    """Turn the first row of a headerless read into the header."""
    header = [_cell_text(v) for v in rows.iloc[0]] if len(rows) else []
    names, repeated = _unique(header)
    frame = rows.iloc[1:].reset_index(drop=True)
    frame.columns = names
    return frame, header, repeated


def parse_delimiter(delimiter: str | None) -> str | None:
    """The ``delimiter`` parameter as one character (``tab`` and ``\\t`` mean a tab)."""
    if delimiter is None or delimiter == "":
        return None
    text = {"tab": "\t", "\\t": "\t"}.get(str(delimiter).lower(), str(delimiter))
    if len(text) != 1:
        raise InputError(
            f"must be one character, got {delimiter!r}",
            parameter="delimiter",
            hint="e.g. ',' or ';' or 'tab'",
        )
    return text


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS[:-1]:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode(CSV_ENCODINGS[-1], errors="strict")


def _choose_delimiter(text: str, expected: frozenset[str]) -> str:
    """The candidate that splits the first row into the most expected headers; csv.Sniffer's
    guess (or ``,``) when none gives any."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    scores = {
        d: sum(cell.strip() in expected for cell in next(csv.reader([first], delimiter=d), []))
        for d in DELIMITERS
    }
    best = max(DELIMITERS, key=lambda d: scores[d])  # first of the best, in DELIMITERS order
    if scores[best] > 0:
        return best
    try:
        return csv.Sniffer().sniff("\n".join(text.splitlines()[:20]), "".join(DELIMITERS)).delimiter
    except csv.Error:
        return ","


def _read_csv(path: Path, delimiter: str | None, expected: frozenset[str]) -> Table:
    text = _decode(path)
    if not text.strip():
        return Table(None, [Problem("the file is empty")])
    sep = delimiter or _choose_delimiter(text, expected)
    rows = pd.read_csv(
        io.StringIO(text),
        sep=sep,
        header=None,
        dtype=str,
        keep_default_na=False,
        na_values=list(MISSING_CODES),
        skipinitialspace=True,
    )
    frame, header, repeated = _with_header(rows)
    return Table(frame, [], tuple(header), repeated, delimiter=sep)


def _read_excel(path: Path, sheet: str | None) -> Table:
    sheets = tuple(_excel_sheets(path))
    if sheet is not None and sheet not in sheets:
        return Table(
            None,
            [
                Problem(
                    f"sheet {sheet!r} not found; the workbook has {', '.join(sheets)}",
                    parameter="sheet",
                )
            ],
            sheets=sheets,
        )
    chosen = sheet if sheet is not None else sheets[0]
    rows = pd.read_excel(path, sheet_name=chosen, header=None, dtype=object, engine="openpyxl")
    frame, header, repeated = _with_header(rows)
    return Table(frame, [], tuple(header), repeated, sheet=chosen, sheets=sheets)


def _excel_sheets(path: Path) -> list[str]:
    return list(pd.ExcelFile(path, engine="openpyxl").sheet_names)


def _excel_first_row(path: Path, sheet: str) -> list[str]:
    rows = pd.read_excel(path, sheet_name=sheet, header=None, nrows=1, engine="openpyxl")
    return [_cell_text(v) for v in rows.iloc[0]] if len(rows) else []


def _read_parquet(path: Path) -> Table:
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path).read()
    header = [str(c).strip() for c in table.column_names]
    names, repeated = _unique(header)
    if repeated:
        table = table.rename_columns(names)
    frame = table.to_pandas()
    return Table(frame.reset_index(drop=True), [], tuple(header), repeated)


def _read_stata(path: Path) -> Table:
    frame = pd.read_stata(path)
    header = [str(c).strip() for c in frame.columns]
    names, repeated = _unique(header)
    frame.columns = names
    return Table(frame, [], tuple(header), repeated)


def read_file(
    path: PathLike,
    sheet: str | None = None,
    delimiter: str | None = None,
    expected: frozenset[str] = frozenset(),
) -> Table:
    """Read ``path`` by its suffix, as text where the format allows, never modifying it.

    ``expected`` holds the headers that count (contract names and mapped headers): the CSV
    delimiter is the one that finds most of them in the first row.  The table is ``None``
    with the problem that prevented reading: missing file, unsupported type, unreadable
    content, empty file, a sheet the workbook lacks, or an option that does not apply.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        return Table(None, [Problem(f"file not found: {path}")])
    if suffix not in READERS:
        return Table(
            None,
            [
                Problem(
                    f"cannot read '{suffix or path.name}' files",
                    hint="Save the table as CSV, XLSX, Stata .dta or Parquet",
                )
            ],
        )
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        return Table(
            None,
            [Problem(f"a sheet ({sheet!r}) applies only to Excel workbooks", parameter="sheet")],
        )
    try:
        sep = parse_delimiter(delimiter)
    except InputError as exc:
        return Table(None, [Problem(exc.rule, parameter="delimiter", hint=exc.hint)])
    if sep is not None and suffix != ".csv":
        return Table(
            None,
            [Problem(f"a delimiter ({sep!r}) applies only to CSV files", parameter="delimiter")],
        )
    try:
        if suffix == ".csv":
            table = _read_csv(path, sep, expected)
        elif suffix in EXCEL_SUFFIXES:
            table = _read_excel(path, sheet)
        elif suffix == ".dta":
            table = _read_stata(path)
        else:
            table = _read_parquet(path)
    except pd.errors.EmptyDataError:
        return Table(None, [Problem("the file is empty")])
    except Exception as exc:  # any parser failure is the reader's file, not our bug
        return Table(None, [Problem(f"the file could not be read as {suffix}: {exc}")])
    if table.frame is not None and table.frame.empty:
        return Table(None, [Problem("the file is empty (no data rows)")])
    return table


def read_table(
    path: PathLike, sheet: str | None = None, delimiter: str | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """:func:`read_file` as ``(table or None, problems)``."""
    table = read_file(path, sheet, delimiter)
    return table.frame, table.problems


def _header_not_found(table: Table, path: Path, expected: frozenset[str]) -> Problem:
    """The file's header names none of the expected columns: say how it was read and what
    to change (the delimiter of a CSV, the sheet of a workbook)."""
    found = ", ".join(repr(h) for h in table.header[:6]) + (
        ", ..." if len(table.header) > 6 else ""
    )
    if table.sheets:
        others = [
            name
            for name in table.sheets
            if name != table.sheet and expected.intersection(_excel_first_row(path, name))
        ]
        where = f"on sheet {table.sheet!r} (the workbook has {', '.join(table.sheets)})"
        hint = (
            f"The header is on sheet {others[0]!r}: pass sheet={others[0]!r} "
            f"(replicate validate --sheet {others[0]!r})"
            if others
            else "Choose the sheet with the parameter 'sheet' (replicate validate --sheet "
            "NAME); the header must be the sheet's first row"
        )
        return Problem(
            f"the header was not found {where}: its first row ({found}) names none of the "
            "contract's columns",
            parameter="sheet",
            hint=hint + "; map your own headers with a mapping file",
        )
    if table.delimiter is not None:
        shown = {"\t": "tab"}.get(table.delimiter, table.delimiter)
        return Problem(
            f"the header was not found: the first row, split at {shown!r}, gives {found}, "
            "none of the contract's columns",
            parameter="delimiter",
            hint="If the file uses another delimiter, pass it with the parameter 'delimiter' "
            "(one of ',', ';', 'tab', '|'; replicate validate --delimiter ';'); the header "
            "must be the first row; map your own headers with a mapping file",
        )
    return Problem(
        f"the header was not found: the columns ({found}) include none of the contract's",
        hint="Map your own headers with a mapping file",
    )


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
            spec = yamlio.safe_load(path.read_text(encoding="utf-8"))
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


def _as_numbers(column: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numeric values, a mask of cells holding something that is not a number, and a mask of
    non-finite cells (``inf``, ``-inf``, and ``nan`` written as text)."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.astype(float)
        none = pd.Series(False, index=column.index)
        return values, none, pd.Series(np.isinf(values.to_numpy()), index=column.index)
    text = column.map(lambda x: x.strip() if isinstance(x, str) else x)
    text = text.mask(text.eq(""))
    values = pd.to_numeric(text, errors="coerce").astype(float)
    spelled = text.map(lambda x: isinstance(x, str) and x.casefold() in NON_FINITE)
    non_finite = pd.Series(np.isinf(values.to_numpy()), index=column.index) | spelled
    return values.mask(non_finite), values.isna() & text.notna() & ~non_finite, non_finite


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
    years = _as_numbers(frame[time_key])[0]
    ok = units.notna() & years.notna() & (years % 1 == 0)
    keys = units.astype(str) + "-" + years.fillna(0).astype(np.int64).astype(str)
    return keys.where(ok, positions)


def _check_values(var: Variable, values: pd.Series, keys: pd.Series) -> list[Problem]:
    problems = []

    def flag(mask: pd.Series, rule: str, hint: str | None = None) -> None:
        if mask.any():
            problems.append(Problem(rule, var.name, tuple(keys[mask]), hint))

    present = values.notna()
    flag(
        present & (values.abs() > MAX_MAGNITUDE),
        f"values must lie within +/-{MAX_MAGNITUDE:.0e} ({var.unit}); larger ones are unit or "
        "typing errors",
        "Check the unit of these cells",
    )
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

    Rules: required column missing or entirely empty; non-numeric cell; non-finite cell
    (``inf``, ``nan``); absolute value above 1e15; missing cell where the contract forbids
    it; value not whole (years, flags) or not 0/1 (flags) or not an allowed label
    (categories); value out of range; non-positive DEA input/output or logged variable;
    duplicate unit-year; unbalanced years where the method needs balance.
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
            values, text, non_finite = _as_numbers(column)
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
            if non_finite.any():
                examples = ", ".join(repr(v) for v in pd.unique(column[non_finite])[:3])
                problems.append(
                    Problem(
                        f"values must be finite numbers; found {examples}",
                        var.name,
                        tuple(keys[non_finite]),
                        hint="Leave missing cells empty (or NA); inf and nan usually come from "
                        "a division by zero upstream",
                    )
                )
            missing = values.isna() & ~text & ~non_finite
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
        if var.required and len(missing) and missing.all():
            problems.append(
                Problem(
                    f"required column is empty: all {len(missing)} cells are missing "
                    f"({var.label}, {var.unit})",
                    var.name,
                    hint="Fill it in, or check that the header sits above the right column",
                )
            )
        elif not var.missing_ok and missing.any():
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


# ---------------------------------------------------------------------------- names


def _name_problems(match: NameMatch, what: str, column: str, labels: pd.Series, keys: pd.Series):
    problems = []
    for rule, values, hint in match.problems(what):
        rows = tuple(pd.unique(keys[labels.isin(values)]))
        problems.append(Problem(rule, column, rows, hint))
    return problems


def normalise_names(frame: pd.DataFrame, contract: Contract) -> tuple[pd.DataFrame, list[Problem]]:
    """``frame`` with its ``province``, ``city`` and ``region`` columns mapped to the keys of
    :mod:`helpers.names`, and the names that could not be mapped as problems (see the module
    docstring for which unknown names are errors)."""
    out = frame.copy()
    keys = _row_keys(frame, contract)
    problems: list[Problem] = []
    provinces = None
    if "province" in out.columns:
        labels = _as_labels(out["province"])
        match = match_provinces(labels)
        if contract.unit_key == "province":
            problems += _name_problems(match, "province", "province", labels, keys)
        provinces = match.keys.fillna(labels)
        out["province"] = provinces
    if "city" in out.columns:
        labels = _as_labels(out["city"])
        match = match_cities(labels, provinces)
        problems += _name_problems(
            NameMatch(match.keys, {}, match.ambiguous), "city", "city", labels, keys
        )
        out["city"] = match.keys.fillna(labels)
    if "region" in out.columns:
        labels = _as_labels(out["region"])
        out["region"] = match_regions(labels).keys.fillna(labels)
    return out, problems


def _repeated_header_problems(table: Table, keys: pd.Series) -> list[Problem]:
    """One problem per header that appears more than once, with the unit-years where the
    copies differ."""
    problems = []
    for name, positions in table.repeated.items():
        copies = [name] + [f"{name} ({k})" for k in range(2, len(positions) + 1)]
        differ = table.frame[copies].astype(str).nunique(axis=1) > 1
        where = ", ".join(str(p) for p in positions)
        detail = (
            f"the copies differ in {int(differ.sum())} rows"
            if differ.any()
            else "the copies hold the same values"
        )
        problems.append(
            Problem(
                f"the header names this column {len(positions)} times (columns {where}); "
                f"{detail}, and only one can be used",
                name,
                tuple(keys[differ]),
                hint="Rename or delete the extra column(s) so that each header appears once",
            )
        )
    return problems


def _check(
    slug: str,
    path: PathLike,
    mapping: PathLike | Mapping[str, str] | None,
    sheet: str | None,
    delimiter: str | None = None,
) -> tuple[Contract, pd.DataFrame | None, list[Problem]]:
    contract = load_contract(slug)
    names, problems = read_mapping(mapping)
    expected = frozenset(contract.names) | frozenset(names)
    table = read_file(path, sheet or None, delimiter or None, expected)
    problems += table.problems
    if table.frame is None or problems:
        return contract, None, problems
    if not expected.intersection(table.frame.columns):
        return contract, None, [_header_not_found(table, Path(path), expected)]
    frame, problems = _apply_mapping(table.frame, names, contract)
    if problems:
        return contract, None, problems
    frame, problems = normalise_names(frame, contract)
    problems = _repeated_header_problems(table, _row_keys(frame, contract)) + problems
    return contract, frame, problems + validate_frame(contract, frame)


def validate_file(
    slug: str,
    path: PathLike,
    mapping: PathLike | Mapping[str, str] | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
) -> list[Problem]:
    """Every problem of the reader's file against the ``slug`` contract (empty if valid).

    This is what ``replicate validate SLUG FILE [--mapping MAP] [--sheet NAME]
    [--delimiter D]`` runs.
    """
    return _check(slug, path, mapping, sheet, delimiter)[2]


def _typed(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    out = frame.copy()
    for var in contract.variables:
        if var.name not in out.columns:
            continue
        if var.is_numeric:
            values = _as_numbers(out[var.name])[0]
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
    delimiter: str | None = None,
) -> pd.DataFrame:
    """The reader's panel, validated against the ``slug`` contract and typed.

    Contract columns come first in contract order (numbers as float, years and flags as
    nullable ``Int64``, labels as ``string``; provinces, cities and regions as the keys of
    :mod:`helpers.names`), then any extra columns unchanged; rows are sorted by unit and
    year.  Raises :class:`~helpers.errors.InputError` listing every problem if the file
    breaks the contract.
    """
    contract, frame, problems = _check(slug, path, mapping, sheet, delimiter)
    if problems:
        listing = "\n  - ".join(str(p) for p in problems)
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise InputError(
            f"{Path(path).name} does not meet the '{slug}' data contract ({count}; the "
            f"book's Data chapter lists every variable):\n  - {listing}"
        )
    return _typed(frame, contract)


def load_reader_file(
    slug: str, data: PathLike, mapping: PathLike = "", sheet: str = "", delimiter: str = ""
) -> pd.DataFrame:
    """A chapter's ``data`` parameter naming the reader's file: both paths checked (the
    parameter named in the error), then :func:`load` with the optional ``mapping`` file, the
    workbook ``sheet`` and the CSV ``delimiter`` (empty: the first sheet, the detected
    delimiter)."""
    path = Path(data)
    if not path.is_file():
        raise InputError(
            f"no such file: {data}", parameter="data", hint="use 'simulated' or a CSV/XLSX/DTA path"
        )
    if mapping and not Path(mapping).is_file():
        raise InputError(f"no such file: {mapping}", parameter="mapping")
    return load(slug, path, mapping or None, sheet or None, delimiter or None)
