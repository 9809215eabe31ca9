"""The sampling frames: the papers' units, group counts and years.

Group counts are checked against the subgroup N printed in each paper
(``data/published/published_results.csv``) divided by the paper's years.
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.contract import load_contract
from helpers.papers import units
from helpers.paths import PUBLISHED_CSV
from helpers.registry import slugs
from helpers.simulate.frame import panel_frame, years

SLUGS = slugs()


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(PUBLISHED_CSV, dtype={"value": str})


def printed_n(published: pd.DataFrame, slug: str, table: str, column: str) -> int:
    paper = load_contract(slug).paper
    cell = published[
        (published["paper"] == paper)
        & (published["table"] == table)
        & (published["column"] == column)
        & published["row"].isin(["N", "Observations"])
    ]
    return int(float(cell["value"].item()))


@pytest.mark.parametrize("slug", SLUGS)
def test_frame_is_deterministic(slug):
    pd.testing.assert_frame_equal(units(slug), units(slug))


@pytest.mark.parametrize("slug", SLUGS)
def test_panel_frame_is_every_unit_in_every_year(slug):
    contract = load_contract(slug)
    frame = panel_frame(contract, units(slug))
    assert len(frame) == contract.sample.units * len(years(slug))
    assert not frame.duplicated(list(contract.keys)).any()


@pytest.mark.parametrize("slug", ["gtfp", "coordination"])
def test_provinces_are_the_real_thirty(slug):
    frame = units(slug)
    reference = pd.read_csv(PUBLISHED_CSV.parents[1] / "reference" / "provinces.csv")
    assert len(frame) == 30
    assert "Tibet" not in set(frame["province"])
    assert set(frame["province"]) < set(reference["name_en"])
    assert set(frame.loc[frame["municipality"] == 1, "province"]) == {
        "Beijing",
        "Tianjin",
        "Shanghai",
        "Chongqing",
    }


@pytest.mark.parametrize(
    ("slug", "table", "columns"),
    [
        ("gtfp", "Table 8", ("(2)", "(3)", "(4)")),
        ("coordination", "Table 6", ("(1)", "(2)", "(3)")),
    ],
)
def test_province_regions_match_the_heterogeneity_tables(slug, table, columns, published):
    counts = units(slug)["region"].value_counts()
    n_years = len(years(slug))
    for region, column in zip(("East", "Central", "West"), columns, strict=True):
        assert counts[region] * n_years == printed_n(published, slug, table, column)


@pytest.mark.parametrize("slug", ["synergy", "producer_services", "bigdata_did"])
def test_city_names_are_plainly_synthetic(slug):
    frame = units(slug)
    assert frame["city"].str.fullmatch(r"City \d{3}").all()
    assert frame["province"].str.fullmatch(r"Province \d{2}").all()
    assert frame["city"].is_unique


def test_synergy_groups_match_the_paper(published):
    frame = units("synergy")
    n_years = len(years("synergy"))
    assert frame["capital"].sum() * n_years == printed_n(published, "synergy", "Table 7", "(1)")
    assert (1 - frame["capital"]).sum() * n_years == printed_n(
        published, "synergy", "Table 7", "(2)"
    )
    assert frame["resource_based"].sum() * n_years == printed_n(
        published, "synergy", "Table 7", "(3)"
    )
    assert (1 - frame["municipality"]).sum() * n_years == printed_n(
        published, "synergy", "Table 6", "(3)"
    )
    assert frame.loc[frame["municipality"] == 1, "capital"].eq(1).all()
    assert frame.groupby("province")["capital"].sum().le(1).all()


def test_synergy_lowcarbon_pilots_fill_the_high_regulation_groups(published):
    frame = units("synergy")
    sample_years = pd.Series(years("synergy"))
    pilot_city_years = sum(
        int((sample_years >= start).sum()) for start in frame["lowcarbon_pilot_year"].dropna()
    )
    printed = printed_n(published, "synergy", "Table 7", "(5)") + printed_n(
        published, "synergy", "Table 7", "(8)"
    )
    unassigned = 2904 - sum(
        printed_n(published, "synergy", "Table 7", c) for c in ("(5)", "(6)", "(7)", "(8)")
    )
    # Table 7's four groups leave 98 city-years out, so the printed count is a lower bound.
    assert printed <= pilot_city_years <= printed + unassigned


def test_producer_services_regions_match_table_2(published):
    counts = units("producer_services")["region"].value_counts()
    lagged_years = len(years("producer_services")) - 2
    for region, column in (("East", "(1)"), ("Central", "(3)"), ("West", "(5)")):
        n = printed_n(published, "producer_services", "Table 2", column)
        assert counts[region] * lagged_years == n


def test_bigdata_groups_and_treatment_match_the_paper(published):
    frame = units("bigdata_did")
    n_years = len(years("bigdata_did"))
    assert frame["key_city"].sum() * n_years == printed_n(
        published, "bigdata_did", "Table 6", "(1)"
    )
    assert frame["resource_based"].sum() * n_years == printed_n(
        published, "bigdata_did", "Table 6", "(4)"
    )
    assert frame.loc[frame["municipality"] == 1, "key_city"].eq(1).all()
    assert set(frame["bdpz_year"].dropna()) == {2016}
    panel = panel_frame(load_contract("bigdata_did"), frame)
    treated_share = (panel["year"] >= panel["bdpz_year"]).fillna(False).mean()
    paper = load_contract("bigdata_did").paper
    printed_mean = published[
        (published["paper"] == paper)
        & (published["table"] == "Table 2")
        & (published["row"] == "BDPZs")
        & (published["stat"] == "mean")
    ]["value"].astype(float)
    assert treated_share == pytest.approx(printed_mean.item(), abs=5e-5)


def test_planted_rows_keep_the_order_asked_and_name_an_unknown_parameter():
    from helpers.errors import InputError
    from helpers.simulate.planted import planted_rows

    rows = planted_rows("coordination", ["effect_scale", "beta_nqp_east"], ("value",))
    assert list(rows.index) == ["effect_scale", "beta_nqp_east"]
    assert rows.loc["effect_scale", "value"] == 1.0
    with pytest.raises(InputError, match="no_such_value"):
        planted_rows("coordination", ["no_such_value"])
