"""The loader: formats, column mapping, and one malformed file per validation rule."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.contract import load_contract
from helpers.errors import InputError
from helpers.io import Problem, load, read_mapping, validate_file, validate_frame

PROVINCES = ["Beijing", "Hebei", "Shanxi"]
YEARS = [2010, 2011, 2012]


def valid_frame(slug: str, units: list[str] = PROVINCES, years: list[int] = YEARS) -> pd.DataFrame:
    """A small panel that meets every rule of the ``slug`` contract."""
    contract = load_contract(slug)
    index = pd.MultiIndex.from_product([units, years], names=list(contract.keys))
    frame = index.to_frame(index=False)
    n = len(frame)
    wiggle = np.linspace(0.0, 1.0, n)
    for var in contract.variables:
        if var.name in contract.keys:
            continue
        if var.dtype == "category":
            frame[var.name] = var.allowed[0]
        elif var.dtype == "str":
            frame[var.name] = "Province 01"
        elif var.dtype == "flag":
            frame[var.name] = np.arange(n) % 2
        elif var.dtype == "year":
            frame[var.name] = 2016
        else:
            low = var.min if var.min is not None else 0.0
            high = var.max if var.max is not None else low + 100.0
            frame[var.name] = low + (high - low) * (0.25 + 0.5 * wiggle)
    return frame


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_csv(frame: pd.DataFrame, path: Path, **kwargs) -> Path:
    frame.to_csv(path, index=False, **kwargs)
    return path


def messages(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


# ------------------------------------------------------------------ formats, round trips

WRITERS = {
    "csv": lambda f, p: f.to_csv(p, index=False),
    "xlsx": lambda f, p: f.to_excel(p, index=False, sheet_name="data"),
    "dta": lambda f, p: f.to_stata(p, write_index=False, version=118),
    "parquet": lambda f, p: f.to_parquet(p, index=False),
}


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_round_trip_each_format_leaves_the_file_unchanged(tmp_path, suffix):
    original = valid_frame("gtfp")
    path = tmp_path / f"panel.{suffix}"
    WRITERS[suffix](original, path)
    before = digest(path)

    assert validate_file("gtfp", path) == []
    loaded = load("gtfp", path)

    assert digest(path) == before
    assert list(loaded["province"]) == list(original["province"])
    assert loaded["year"].dtype == "Int64"
    assert list(loaded["year"]) == list(original["year"])
    numeric = [v.name for v in load_contract("gtfp").variables if v.dtype == "float"]
    np.testing.assert_allclose(loaded[numeric].to_numpy(), original[numeric].to_numpy())


def test_load_sorts_by_key_and_keeps_extra_columns(tmp_path):
    frame = valid_frame("gtfp").iloc[::-1].assign(my_note="kept")
    loaded = load("gtfp", write_csv(frame, tmp_path / "panel.csv"))
    assert list(loaded["year"][:3]) == YEARS
    assert loaded.columns[-1] == "my_note"
    assert loaded.columns[0] == "province"


def test_the_file_is_unchanged_when_validation_fails(tmp_path):
    frame = valid_frame("gtfp")
    frame.loc[0, "capital"] = -1.0
    path = write_csv(frame, tmp_path / "bad.csv")
    before = digest(path)
    with pytest.raises(InputError):
        load("gtfp", path)
    assert digest(path) == before


# ------------------------------------------------------------------ one test per rule


def test_missing_required_column(tmp_path):
    path = write_csv(valid_frame("gtfp").drop(columns="so2"), tmp_path / "p.csv")
    text = messages(validate_file("gtfp", path))
    assert "column 'so2'" in text
    assert "required column is missing" in text


def test_optional_column_may_be_absent(tmp_path):
    path = write_csv(valid_frame("gtfp").drop(columns="region"), tmp_path / "p.csv")
    assert validate_file("gtfp", path) == []


def test_text_in_a_numeric_column(tmp_path):
    frame = valid_frame("gtfp").astype({"cod": object})
    frame.loc[1, "cod"] = "1,234"
    text = messages(validate_file("gtfp", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'cod'" in text
    assert "cells must be numeric" in text
    assert "'1,234'" in text
    assert "Beijing-2011" in text


def test_stata_dot_and_empty_cells_are_missing_not_text(tmp_path):
    path = tmp_path / "p.csv"
    frame = valid_frame("gtfp").astype({"cod": object, "so2": object})
    frame.loc[1, "cod"] = "."
    frame.loc[2, "so2"] = ""
    write_csv(frame, path)
    assert validate_file("gtfp", path) == []
    assert load("gtfp", path)["cod"].isna().sum() == 1


def test_empty_cell_where_the_contract_forbids_it(tmp_path):
    frame = valid_frame("gtfp").astype({"year": object})
    frame.loc[2, "year"] = None
    text = messages(validate_file("gtfp", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'year': cells may not be empty" in text
    assert "row 4" in text  # header is row 1, so the third data row is row 4


def test_duplicate_unit_year(tmp_path):
    frame = valid_frame("gtfp")
    frame = pd.concat([frame, frame.iloc[[4]]], ignore_index=True)
    text = messages(validate_file("gtfp", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'province, year'" in text
    assert "each unit-year must appear once" in text
    assert "Hebei-2011" in text


def test_value_out_of_range(tmp_path):
    frame = valid_frame("gtfp")
    frame.loc[5, "it_employment_share"] = 150.0
    text = messages(validate_file("gtfp", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'it_employment_share'" in text
    assert "values must lie in [0, 100]" in text
    assert "Hebei-2012" in text


def test_non_positive_dea_input(tmp_path):
    frame = valid_frame("gtfp")
    frame.loc[0, "capital"] = -3.0
    frame.loc[3, "capital"] = 0.0
    problems = validate_file("gtfp", write_csv(frame, tmp_path / "p.csv"))
    (problem,) = problems
    assert problem.column == "capital"
    assert problem.rule == "DEA inputs and outputs must be strictly positive"
    assert problem.rows == ("Beijing-2010", "Hebei-2010")


def test_non_positive_logged_indicator_has_its_own_rule(tmp_path):
    frame = valid_frame("gtfp")
    frame.loc[0, "robot_index"] = 0.0
    text = messages(validate_file("gtfp", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'robot_index': values must be strictly positive" in text


def test_unbalanced_years_where_the_method_needs_balance(tmp_path):
    frame = valid_frame("gtfp").drop(index=4)  # Hebei-2011
    text = messages(validate_file("gtfp", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'year'" in text
    assert "the panel must be balanced" in text
    assert "Hebei-2011" in text


def test_unbalanced_years_are_fine_where_the_method_does_not_need_balance(tmp_path):
    frame = valid_frame("coordination").drop(index=4)
    assert validate_file("coordination", write_csv(frame, tmp_path / "p.csv")) == []


def test_category_outside_the_allowed_labels(tmp_path):
    frame = valid_frame("gtfp")
    frame.loc[6, "region"] = "Northeast"
    text = messages(validate_file("gtfp", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'region': values must be one of East, Central, West; found 'Northeast'" in text
    assert "Shanxi-2010" in text


def test_flag_must_be_zero_or_one(tmp_path):
    frame = valid_frame("synergy", units=["City 001", "City 002"])
    frame.loc[1, "capital"] = 2
    text = messages(validate_file("synergy", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'capital': values must be 0 or 1" in text
    assert "City 001-2011" in text


def test_year_must_be_whole(tmp_path):
    frame = valid_frame("bigdata_did", units=["City 001"]).astype({"bdpz_year": float})
    frame.loc[0, "bdpz_year"] = 2016.5
    text = messages(validate_file("bigdata_did", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'bdpz_year': values must be whole numbers" in text


def test_pilot_year_may_be_empty_for_never_treated(tmp_path):
    frame = valid_frame("bigdata_did", units=["City 001", "City 002"]).astype(
        {"bdpz_year": "Int64"}
    )
    frame.loc[frame["city"] == "City 002", "bdpz_year"] = pd.NA
    loaded = load("bigdata_did", write_csv(frame, tmp_path / "p.csv"))
    assert loaded["bdpz_year"].isna().sum() == 3


def test_empty_file_with_a_header_only(tmp_path):
    path = write_csv(valid_frame("gtfp").iloc[:0], tmp_path / "p.csv")
    assert "the file is empty" in messages(validate_file("gtfp", path))


def test_empty_file_with_no_bytes(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"")
    assert "the file is empty" in messages(validate_file("gtfp", path))


def test_wrong_sheet(tmp_path):
    path = tmp_path / "p.xlsx"
    WRITERS["xlsx"](valid_frame("gtfp"), path)
    text = messages(validate_file("gtfp", path, sheet="Sheet9"))
    assert "sheet 'Sheet9' not found; the workbook has data" in text
    assert validate_file("gtfp", path, sheet="data") == []


def test_sheet_on_a_csv_file(tmp_path):
    path = write_csv(valid_frame("gtfp"), tmp_path / "p.csv")
    assert "applies only to Excel workbooks" in messages(validate_file("gtfp", path, sheet="x"))


@pytest.mark.parametrize("suffix", ["xlsx", "dta", "parquet"])
def test_unreadable_file(tmp_path, suffix):
    path = tmp_path / f"p.{suffix}"
    path.write_bytes(b"this is not a real file of that type\x00\x01")
    assert f"the file could not be read as .{suffix}" in messages(validate_file("gtfp", path))


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "p.xls"
    path.write_bytes(b"old excel")
    text = messages(validate_file("gtfp", path))
    assert "cannot read '.xls' files" in text
    assert "CSV, XLSX, Stata .dta or Parquet" in text


def test_missing_file(tmp_path):
    assert "file not found" in messages(validate_file("gtfp", tmp_path / "nowhere.csv"))


# ------------------------------------------------------------------ column mapping


def chinese_coordination(tmp_path: Path, encoding: str) -> tuple[Path, Path]:
    contract = load_contract("coordination")
    frame = valid_frame("coordination")
    headers = {v.name: v.label_zh for v in contract.variables}
    data = write_csv(frame.rename(columns=headers), tmp_path / "data.csv", encoding=encoding)
    mapping = tmp_path / "map.yml"
    mapping.write_text(
        "\n".join(f"{zh}: {name}" for name, zh in headers.items()) + "\n", encoding="utf-8"
    )
    return data, mapping


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_chinese_headers_through_a_mapping_file(tmp_path, encoding):
    data, mapping = chinese_coordination(tmp_path, encoding)
    assert validate_file("coordination", data) != []  # unmapped Chinese headers
    assert validate_file("coordination", data, mapping=mapping) == []
    loaded = load("coordination", data, mapping=mapping)
    assert loaded["province"].tolist()[:1] == ["Beijing"]
    assert "gdp" in loaded.columns


def test_mapping_to_an_unknown_variable(tmp_path):
    path = write_csv(valid_frame("gtfp").rename(columns={"so2": "SO2"}), tmp_path / "p.csv")
    text = messages(validate_file("gtfp", path, mapping={"SO2": "sulfur"}))
    assert "column 'sulfur'" in text
    assert "not a variable of the 'gtfp' contract" in text


def test_mapping_a_header_the_file_lacks(tmp_path):
    path = write_csv(valid_frame("gtfp"), tmp_path / "p.csv")
    text = messages(validate_file("gtfp", path, mapping={"二氧化硫": "so2"}))
    assert "column '二氧化硫': the mapping names a header that the file does not have" in text


def test_two_columns_mapped_to_one_variable(tmp_path):
    path = write_csv(valid_frame("gtfp").assign(SO2=1.0), tmp_path / "p.csv")
    text = messages(validate_file("gtfp", path, mapping={"SO2": "so2"}))
    assert "column 'so2': several columns map to this variable: so2, SO2" in text


def test_mapping_file_that_is_not_a_mapping(tmp_path):
    data = write_csv(valid_frame("gtfp"), tmp_path / "p.csv")
    mapping = tmp_path / "map.yml"
    mapping.write_text("- just\n- a list\n", encoding="utf-8")
    assert "must be a non-empty YAML mapping" in messages(validate_file("gtfp", data, mapping))


def test_read_mapping_strips_blanks():
    names, problems = read_mapping({" 省份 ": " province"})
    assert names == {"省份": "province"} and problems == []


# ------------------------------------------------------------------ messages


def test_load_lists_every_problem_in_one_error(tmp_path):
    frame = valid_frame("gtfp").drop(columns="water")
    frame.loc[0, "capital"] = -1.0
    path = write_csv(frame, tmp_path / "p.csv")
    with pytest.raises(InputError) as info:
        load("gtfp", path)
    text = str(info.value)
    assert "p.csv does not meet the 'gtfp' data contract (2 problems" in text
    assert "column 'water': required column is missing" in text
    assert "column 'capital': DEA inputs and outputs must be strictly positive" in text


def test_problem_shows_the_first_rows_and_the_count():
    problem = Problem(
        "values must be 0 or 1", "flag", tuple(f"City {i:03d}-2020" for i in range(8))
    )
    text = str(problem)
    assert text.startswith("column 'flag': values must be 0 or 1 (rows: City 000-2020")
    assert "and 3 more" in text


def test_unknown_slug_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="slug"):
        validate_file("nope", tmp_path / "p.csv")


@settings(max_examples=25, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=8), min_size=1))
def test_positivity_rule_flags_exactly_the_bad_rows(bad_rows):
    frame = valid_frame("gtfp")
    frame.loc[sorted(bad_rows), "electricity"] = -1.0
    problems = [p for p in validate_frame("gtfp", frame) if p.column == "electricity"]
    expected = {f"{frame.loc[i, 'province']}-{frame.loc[i, 'year']}" for i in bad_rows}
    assert len(problems) == 1
    assert set(problems[0].rows) == expected


# ------------------------------------------------------------------ issue 20: the reader's file


def test_inf_and_nan_cells_are_rejected_naming_the_unit_years(tmp_path):
    frame = valid_frame("gtfp").astype({"cod": object, "so2": object})
    frame.loc[1, "cod"] = "inf"
    frame.loc[4, "cod"] = "-inf"
    frame.loc[2, "so2"] = "nan"
    path = write_csv(frame, tmp_path / "p.csv")
    before = digest(path)
    text = messages(validate_file("gtfp", path))
    assert "column 'cod': values must be finite numbers; found 'inf', '-inf'" in text
    assert "Beijing-2011, Hebei-2011" in text
    assert "column 'so2': values must be finite numbers; found 'nan'" in text
    assert "Beijing-2012" in text
    assert digest(path) == before


@pytest.mark.parametrize("suffix", ["parquet"])  # Stata has no infinity
def test_inf_in_a_binary_format_is_rejected(tmp_path, suffix):
    frame = valid_frame("gtfp")
    frame.loc[3, "cod"] = np.inf
    path = tmp_path / f"p.{suffix}"
    WRITERS[suffix](frame, path)
    text = messages(validate_file("gtfp", path))
    assert "column 'cod': values must be finite numbers" in text
    assert "Hebei-2010" in text


def test_absurd_magnitude_is_rejected(tmp_path):
    frame = valid_frame("gtfp")
    frame.loc[5, "cod"] = 1e300
    frame.loc[0, "labour"] = 2e15
    text = messages(validate_file("gtfp", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'cod': values must lie within +/-1e+15" in text
    assert "Hebei-2012" in text
    assert "column 'labour': values must lie within +/-1e+15" in text


def test_required_column_left_entirely_empty_is_named(tmp_path):
    frame = valid_frame("coordination").assign(gdp_index=np.nan)
    text = messages(validate_file("coordination", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'gdp_index': required column is empty: all 9 cells are missing" in text
    partly = valid_frame("coordination")
    partly.loc[0, "gdp_index"] = np.nan  # the contract allows missing cells here
    assert validate_file("coordination", write_csv(partly, tmp_path / "q.csv")) == []


def _duplicate_labour(frame: pd.DataFrame) -> pd.DataFrame:
    bogus = frame["labour"] * 0 + 1.0
    bogus.iloc[[2, 5]] = frame["labour"].iloc[[2, 5]]  # equal in two rows only
    out = frame.copy()
    out.insert(2, "labour_bogus", bogus)
    return out


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "parquet"])
def test_a_header_that_appears_twice_is_an_error(tmp_path, suffix):
    frame = _duplicate_labour(valid_frame("gtfp"))
    path = tmp_path / f"p.{suffix}"
    if suffix == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        names = ["labour" if c == "labour_bogus" else c for c in table.column_names]
        pq.write_table(table.rename_columns(names), path)
    else:
        renamed = frame.rename(columns={"labour_bogus": "labour"})
        WRITERS[suffix](renamed, path)
    before = digest(path)
    problems = validate_file("gtfp", path)
    (problem,) = [p for p in problems if p.column == "labour"]
    position = list(frame.columns).index("labour") + 1
    assert problem.rule.startswith(f"the header names this column 2 times (columns 3, {position})")
    assert "the copies differ in 7 rows" in problem.rule
    assert "Beijing-2010" in problem.rows and "Beijing-2012" not in problem.rows
    with pytest.raises(InputError, match="names this column 2 times"):
        load("gtfp", path)
    assert digest(path) == before


def test_a_header_repeated_in_a_stata_file_is_an_error(tmp_path, monkeypatch):
    """Stata files cannot hold two variables of one name; the reader still checks."""
    from helpers import io as loader

    frame = valid_frame("gtfp")
    path = tmp_path / "p.dta"
    WRITERS["dta"](frame, path)
    doubled = frame.rename(columns={"cod": "labour"})
    monkeypatch.setattr(loader.pd, "read_stata", lambda _path: doubled.copy())
    text = messages(validate_file("gtfp", path))
    assert "column 'labour': the header names this column 2 times" in text


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_the_delimiter_is_detected(tmp_path, sep, name):
    path = write_csv(valid_frame("gtfp"), tmp_path / f"{name}.csv", sep=sep)
    assert validate_file("gtfp", path) == []
    assert validate_file("gtfp", path, delimiter={"\t": "tab"}.get(sep, sep)) == []
    assert len(load("gtfp", path)) == 9


def test_a_wrong_delimiter_names_the_delimiter_parameter(tmp_path):
    path = write_csv(valid_frame("gtfp"), tmp_path / "p.csv", sep=";")
    problems = validate_file("gtfp", path, delimiter=",")
    (problem,) = problems
    text = str(problem)
    assert text.startswith("parameter 'delimiter': the header was not found")
    assert "split at ','" in text and "--delimiter" in text


def test_a_bad_delimiter_value(tmp_path):
    path = write_csv(valid_frame("gtfp"), tmp_path / "p.csv")
    text = messages(validate_file("gtfp", path, delimiter=";;"))
    assert "parameter 'delimiter': must be one character" in text
    xlsx = tmp_path / "p.xlsx"
    WRITERS["xlsx"](valid_frame("gtfp"), xlsx)
    assert "applies only to CSV files" in messages(validate_file("gtfp", xlsx, delimiter=";"))


def _two_sheet_workbook(path: Path) -> None:
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"说明": ["notes"]}).to_excel(writer, sheet_name="notes", index=False)
        valid_frame("gtfp").to_excel(writer, sheet_name="panel", index=False)


def test_header_on_another_sheet_names_the_sheet_parameter_and_the_sheets(tmp_path):
    path = tmp_path / "book.xlsx"
    _two_sheet_workbook(path)
    before = digest(path)
    (problem,) = validate_file("gtfp", path)
    text = str(problem)
    assert text.startswith("parameter 'sheet': the header was not found on sheet 'notes'")
    assert "(the workbook has notes, panel)" in text
    assert "pass sheet='panel'" in text
    assert validate_file("gtfp", path, sheet="panel") == []
    assert digest(path) == before


def test_the_header_not_found_anywhere_lists_the_sheets(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="one", index=False)
        pd.DataFrame({"b": [2]}).to_excel(writer, sheet_name="two", index=False)
    text = messages(validate_file("gtfp", path))
    assert "the workbook has one, two" in text
    assert "Choose the sheet with the parameter 'sheet'" in text


def test_chinese_names_codes_and_regions_load_as_keys(tmp_path):
    frame = valid_frame("coordination")
    frame["province"] = frame["province"].map(
        {"Beijing": "北京市", "Hebei": 130000, "Shanxi": "山西"}
    )
    frame["region"] = ["东部地区"] * 6 + ["中部"] * 3
    path = write_csv(frame, tmp_path / "p.csv")
    assert validate_file("coordination", path) == []
    loaded = load("coordination", path)
    assert loaded["province"].tolist() == ["Beijing"] * 3 + ["Hebei"] * 3 + ["Shanxi"] * 3
    assert loaded["region"].tolist() == ["East"] * 6 + ["Central"] * 3


def test_the_same_province_in_two_forms_is_one_unit(tmp_path):
    frame = valid_frame("coordination")
    frame.loc[0, "province"] = "北京"  # Beijing-2010 written in Chinese, the others in English
    assert validate_file("coordination", write_csv(frame, tmp_path / "p.csv")) == []
    frame.loc[1, "province"] = "北京"
    frame.loc[1, "year"] = 2010  # now Beijing-2010 twice
    text = messages(validate_file("coordination", write_csv(frame, tmp_path / "q.csv")))
    assert "each unit-year must appear once" in text and "Beijing-2010" in text


def test_unknown_province_is_named_with_close_matches(tmp_path):
    frame = valid_frame("gtfp")
    frame.loc[frame["province"] == "Hebei", "province"] = "Hebi"
    text = messages(validate_file("gtfp", write_csv(frame, tmp_path / "p.csv")))
    assert "column 'province': unknown province name: 'Hebi' (closest: Hebei [河北]" in text
    assert "Hebi-2010, Hebi-2011, Hebi-2012" in text


def test_cities_are_normalised_and_unknown_ones_kept(tmp_path):
    frame = valid_frame("bigdata_did", units=["City 001", "苏州市", "320500"])
    frame = frame[frame["city"] != "320500"]
    loaded = load("bigdata_did", write_csv(frame, tmp_path / "p.csv"))
    assert set(loaded["city"]) == {"City 001", "Suzhou (Jiangsu)"}
    ambiguous = valid_frame("bigdata_did", units=["Suzhou"])
    text = messages(validate_file("bigdata_did", write_csv(ambiguous, tmp_path / "q.csv")))
    assert "column 'city': ambiguous city name: 'Suzhou' could be Suzhou (Anhui)" in text
    assert "Suzhou-2010" in text


def test_a_city_name_two_cities_share_is_settled_by_the_province_column(tmp_path):
    frame = valid_frame("synergy", units=["Suzhou", "宿州"])
    frame["province"] = np.where(frame["city"] == "Suzhou", "江苏", "Anhui")
    loaded = load("synergy", write_csv(frame, tmp_path / "p.csv"))
    assert set(loaded["city"]) == {"Suzhou (Jiangsu)", "Suzhou (Anhui)"}
    assert set(loaded["province"]) == {"Jiangsu", "Anhui"}


def test_load_reader_file_passes_sheet_and_delimiter(tmp_path):
    from helpers.io import load_reader_file

    book = tmp_path / "book.xlsx"
    _two_sheet_workbook(book)
    assert len(load_reader_file("gtfp", book, sheet="panel")) == 9
    semi = write_csv(valid_frame("gtfp"), tmp_path / "semi.csv", sep=";")
    assert len(load_reader_file("gtfp", semi, delimiter=";")) == 9
    with pytest.raises(InputError, match="parameter 'sheet'"):
        load_reader_file("gtfp", book)
