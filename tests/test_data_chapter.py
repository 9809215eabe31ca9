"""The Data chapter end to end: it runs, its templates carry the contracts' exact headers, and
its malformed-file walkthrough shows the messages that helpers.io really produces."""

from __future__ import annotations

import hashlib

import nbformat
import pandas as pd
import pytest
import yaml

from helpers.contract import load_contract
from helpers.io import validate_file
from helpers.registry import slugs
from helpers.runner import NotebookFailed, run_notebook

SLUGS = slugs()

SLUG = "data"
pytestmark = [pytest.mark.book, pytest.mark.slow]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("data_chapter")
    run_notebook(SLUG, out)
    return out / SLUG, nbformat.read(out / f"{SLUG}.ipynb", as_version=4)


def _stdout_of(nb, marker: str) -> str:
    """The printed output of the one code cell whose source contains ``marker``."""
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_templates_have_exactly_the_contract_headers_and_no_rows(run):
    files, _ = run
    for slug in SLUGS:
        path = files / f"{slug}_template.csv"
        header = path.read_text(encoding="utf-8").splitlines()
        assert header == [",".join(load_contract(slug).names)], slug
        assert pd.read_csv(path).empty


def test_mapping_example_sends_headers_to_contract_names(run):
    files, _ = run
    mapping = yaml.safe_load((files / "gtfp_mapping_example.yml").read_text(encoding="utf-8"))
    contract = load_contract("gtfp")
    assert sorted(mapping.values()) == sorted(contract.names)
    assert mapping["省份"] == "province" and mapping["年份"] == "year"


def test_walkthrough_shows_the_real_messages_of_validate_file(run):
    files, nb = run
    broken = files / "gtfp_broken_example.csv"
    before = hashlib.sha256(broken.read_bytes()).hexdigest()
    problems = validate_file("gtfp", broken)
    assert hashlib.sha256(broken.read_bytes()).hexdigest() == before  # read only
    shown = _stdout_of(nb, "problems = validate_file(WALK, broken_path)").splitlines()
    assert shown == [f"- {p}" for p in problems]
    rules = " | ".join(shown)
    for expected in (
        "column 'env': required column is missing",
        "cells must be numeric; found '1,234'",
        "DEA inputs and outputs must be strictly positive",
        "each unit-year must appear once",
        "the panel must be balanced",
    ):
        assert expected in rules, expected
    # the rows named are the ones the walkthrough broke (first unit, second unit's last year)
    assert "rows: Beijing-2012, Beijing-2013" in rules and "rows: Tianjin-2019" in rules


def test_valid_example_passes_and_the_command_line_agrees(run):
    files, nb = run
    assert validate_file("gtfp", files / "gtfp_valid_example.csv") == []
    cli = _stdout_of(nb, 'command = [sys.executable, "-m", "helpers", "validate", WALK, str(b')
    assert cli.startswith("exit status 1")
    assert cli.count("\n  - ") == len(validate_file("gtfp", files / "gtfp_broken_example.csv"))
    mapped = _stdout_of(nb, 'command += ["--mapping"')
    assert mapped.startswith("exit status 0")
    renamed = files / "gtfp_chinese_headers_example.csv"
    assert validate_file("gtfp", renamed, mapping=files / "gtfp_keys_mapping.yml") == []
    assert {p.column for p in validate_file("gtfp", renamed)} == {"province", "year"}


def test_a_bad_paper_fails_naming_the_parameter(tmp_path):
    with pytest.raises(NotebookFailed, match=r"paper.*gtfp"):
        run_notebook(SLUG, tmp_path, overrides={"paper": "gdp"})
