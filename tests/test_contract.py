"""The data contracts: well-formed, and faithful to the papers' printed tables."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.contract import DEA_ROLES, ROLES, load_contract
from helpers.errors import InputError
from helpers.paths import PUBLISHED_CSV
from helpers.registry import slugs

SLUGS = slugs()

PAPERS = {slug: load_contract(slug).paper for slug in SLUGS}


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(PUBLISHED_CSV, dtype={"value": str})


@pytest.mark.parametrize("slug", SLUGS)
def test_keys_are_required_non_missing_variables(slug):
    contract = load_contract(slug)
    for key in contract.keys:
        var = contract.variable(key)
        assert var.role == ("key",)
        assert var.required and not var.missing_ok


@pytest.mark.parametrize("slug", SLUGS)
def test_every_variable_is_documented(slug):
    for var in load_contract(slug).variables:
        assert var.label and var.unit and var.source, var.name
        assert set(var.role) <= set(ROLES)
        if var.min is not None and var.max is not None:
            assert var.min < var.max, var.name


@pytest.mark.parametrize("slug", SLUGS)
def test_dea_variables_must_be_positive(slug):
    for var in load_contract(slug).variables:
        if DEA_ROLES.intersection(var.role):
            assert var.positive, var.name


@pytest.mark.parametrize("slug", SLUGS)
def test_indicators_carry_a_dimension_and_only_they_a_direction(slug):
    for var in load_contract(slug).variables:
        is_indicator = "indicator" in var.role
        assert (var.direction is not None) == is_indicator, var.name
        if is_indicator:
            assert var.dimension, var.name


# Counts and signs below are read off the papers' indicator tables.
@pytest.mark.parametrize(
    ("slug", "dimension_prefix", "count", "negatives"),
    [
        ("gtfp", "New", 15, set()),
        ("coordination", "劳动", 25, {"so2_per_gdp", "energy_per_gdp"}),
        ("synergy", "New quality", 15, {"so2_per_gdp"}),
        ("bigdata_did", "", 12, {"energy_per_gdp", "so2_per_gdp"}),
    ],
)
def test_index_indicators_match_the_papers_tables(slug, dimension_prefix, count, negatives):
    table = load_contract(slug).indicators()
    nqp = table[table["dimension"].str.startswith(dimension_prefix)]
    assert len(nqp) == count
    assert set(nqp.loc[nqp["direction"] == "-", "name"]) == negatives


def test_synergy_weights_equal_the_published_table_2(published):
    printed = published[
        (published["paper"] == PAPERS["synergy"]) & (published["table"] == "Table 2")
    ]["value"].astype(float)
    weights = load_contract("synergy").indicators()["weight"].dropna()
    assert weights.tolist() == printed.tolist()  # both in the paper's row order


@pytest.mark.parametrize("slug", SLUGS)
def test_sample_size_matches_the_published_baseline_n(slug, published):
    sample = load_contract(slug).sample
    n_printed = published[
        (published["paper"] == PAPERS[slug]) & published["row"].isin(["N", "Observations"])
    ]["value"].astype(float)
    lost_to_lags = {"producer_services": 2}.get(slug, 0)  # two lagged instruments (paper 003)
    assert sample.units * (len(sample.years) - lost_to_lags) == n_printed.max()


def test_data_dictionary_has_one_row_per_variable():
    contract = load_contract("coordination")
    table = contract.to_frame()
    assert table["name"].tolist() == list(contract.names)
    assert table.loc[table["name"] == "province", "label_zh"].item() == "省份"
    assert table.loc[table["name"] == "gdp", "role"].item() == "outcome"


def test_template_has_every_column_in_contract_order():
    contract = load_contract("bigdata_did")
    assert list(contract.template().columns) == list(contract.names)
    assert contract.template().empty


def test_roles_select_variables():
    contract = load_contract("synergy")
    assert [v.name for v in contract.with_role("dea_bad_output")] == ["co2", "pm25"]
    assert "dfi" in [v.name for v in contract.with_role("mediator")]
    with pytest.raises(InputError, match="role"):
        contract.with_role("instrument")


def test_unknown_slug_and_variable_are_input_errors():
    with pytest.raises(InputError, match="slug"):
        load_contract("gfp")
    with pytest.raises(InputError, match="not a variable"):
        load_contract("gtfp").variable("gdp")


def test_the_readers_dictionary_states_each_rule_in_words():
    from helpers.contract import load_contract

    view = load_contract("coordination").dictionary().set_index("name")
    assert list(view.columns) == ["label", "unit", "role", "rule", "source"]
    assert view.loc["province", "label"] == "Province (省份)"
    assert view.loc["gdp_index", "rule"] == "required; may be empty; 50 to 150"
    assert view.loc["region", "rule"] == "optional; one of East, Central, West"
    assert view.loc["gdp", "rule"] == "required; may be empty; > 0"
