"""Agglomeration, structure and regional-gap measures on hand-worked examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.errors import InputError
from helpers.measures import (
    diversification_index,
    location_quotient,
    real_gdp_from_index,
    regional_gap,
    specialisation_index,
    structure_upgrading_index,
    tertiary_secondary_ratio,
)

KEYS = {"unit": "city", "time": "year"}


@pytest.fixture
def three_cities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city": ["A", "B", "C"],
            "year": [2010, 2010, 2010],
            "ps": [20.0, 30.0, 50.0],  # producer-service employment
            "emp": [100.0, 200.0, 200.0],  # total employment
        }
    )


def test_location_quotient_three_cities(three_cities):
    # National share X/Y = 100/500 = 0.2; local shares 0.2, 0.15, 0.25.
    lq = location_quotient(three_cities, "ps", "emp", **KEYS)
    np.testing.assert_allclose(lq, [0.2 / 0.2, 0.15 / 0.2, 0.25 / 0.2])


def test_location_quotient_with_national_totals(three_cities):
    # The nation is larger than the sample: X/Y = 150/1000 = 0.15.
    df = three_cities.assign(nat_ps=150.0, nat_emp=1000.0)
    lq = location_quotient(
        df, "ps", "emp", national_sector="nat_ps", national_total="nat_emp", **KEYS
    )
    np.testing.assert_allclose(lq, [0.2 / 0.15, 0.15 / 0.15, 0.25 / 0.15])


def test_location_quotient_national_sums_are_per_year(three_cities):
    later = three_cities.assign(year=2011, ps=[10.0, 10.0, 80.0])
    df = pd.concat([three_cities, later], ignore_index=True)
    lq = location_quotient(df, "ps", "emp", **KEYS)
    np.testing.assert_allclose(lq[:3], [1.0, 0.75, 1.25])
    # 2011: X/Y = 100/500 = 0.2 again; local shares 0.1, 0.05, 0.4.
    np.testing.assert_allclose(lq[3:], [0.5, 0.25, 2.0])


@pytest.fixture
def two_city_sectors() -> pd.DataFrame:
    # Employment in three producer-service sectors.
    return pd.DataFrame(
        {
            "city": ["A", "B"],
            "year": [2015, 2015],
            "s1": [10.0, 60.0],
            "s2": [30.0, 60.0],
            "s3": [60.0, 80.0],
        }
    )


def test_specialisation_index_by_hand(two_city_sectors):
    # Local shares A = (1/10, 3/10, 6/10), B = (3/10, 3/10, 4/10); national
    # (70, 90, 140)/300 = (7/30, 9/30, 14/30). |deviations| A = (4/30, 0, 4/30),
    # B = (2/30, 0, 2/30).
    sa = specialisation_index(two_city_sectors, ["s1", "s2", "s3"], **KEYS)
    np.testing.assert_allclose(sa, [8 / 30, 4 / 30])


def test_diversification_index_by_hand(two_city_sectors):
    # DA = sum_j s_ij / sum_{k != j} |s_ik - s_k|.
    # A: others = (4/30, 8/30, 4/30) -> 0.1*7.5 + 0.3*3.75 + 0.6*7.5 = 6.375.
    # B: others = (2/30, 4/30, 2/30) -> 0.3*15 + 0.3*7.5 + 0.4*15 = 12.75.
    da = diversification_index(two_city_sectors, ["s1", "s2", "s3"], **KEYS)
    np.testing.assert_allclose(da, [6.375, 12.75])


def test_diversification_undefined_is_an_error(two_city_sectors):
    same = two_city_sectors.assign(s1=[10.0, 20.0], s2=[30.0, 60.0], s3=[60.0, 120.0])
    with pytest.raises(InputError, match=r"undefined.*\('A', 2015\)"):
        diversification_index(same, ["s1", "s2", "s3"], **KEYS)


def test_tertiary_secondary_and_upgrading_by_hand():
    df = pd.DataFrame(
        {"city": ["A"], "year": [2020], "va1": [10.0], "va2": [40.0], "va3": [50.0], "gdp": [100.0]}
    )
    assert tertiary_secondary_ratio(df, "va3", "va2", **KEYS).iloc[0] == pytest.approx(1.25)
    # ISU = 1*0.1 + 2*0.4 + 3*0.5 = 2.4, with or without the GDP column.
    assert structure_upgrading_index(df, "va1", "va2", "va3", **KEYS).iloc[0] == pytest.approx(2.4)
    assert structure_upgrading_index(df, "va1", "va2", "va3", gdp="gdp", **KEYS).iloc[
        0
    ] == pytest.approx(2.4)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1e6), min_size=3, max_size=3).filter(lambda v: sum(v) > 1e-3))
def test_upgrading_index_between_one_and_three(va):
    df = pd.DataFrame({"city": ["A"], "year": [2020], "a": [va[0]], "b": [va[1]], "c": [va[2]]})
    isu = structure_upgrading_index(df, "a", "b", "c", **KEYS).iloc[0]
    assert 1 - 1e-12 <= isu <= 3 + 1e-12


def test_real_gdp_from_chained_index_by_hand():
    df = pd.DataFrame(
        {
            "city": ["A"] * 4,
            "year": [2012, 2013, 2014, 2015],
            "gdp": [90.0, 100.0, 115.0, 130.0],
            "gdp_index": [109.0, 108.0, 107.0, 106.0],
        }
    )
    real = real_gdp_from_index(df, "gdp", "gdp_index", base_year=2013, **KEYS)
    # 2013 = nominal 100; 2014 = 100 * 1.07; 2015 = 100 * 1.07 * 1.06; 2012 = 100 / 1.08.
    np.testing.assert_allclose(real, [100 / 1.08, 100.0, 107.0, 107 * 1.06])


def test_regional_gap_by_hand():
    df = pd.DataFrame(
        {"city": ["A", "B"], "year": [2020, 2020], "y": [math.exp(1.0), math.exp(3.0)]}
    )
    # mean of logs: ln m = 2, so |ln y - ln m| = (1, 1); relative: 1/1.5 and 1/2.5.
    np.testing.assert_allclose(regional_gap(df, "y", reference="mean_of_logs", **KEYS), [1, 1])
    np.testing.assert_allclose(
        regional_gap(df, "y", kind="relative", reference="mean_of_logs", **KEYS), [1 / 1.5, 1 / 2.5]
    )
    # log of mean: ln m = ln((e + e^3) / 2).
    ln_m = math.log((math.e + math.e**3) / 2)
    np.testing.assert_allclose(regional_gap(df, "y", **KEYS), [abs(1 - ln_m), abs(3 - ln_m)])


def test_measure_errors(three_cities):
    with pytest.raises(InputError, match=r"column 'emp': must be strictly positive.*\('B', 2010\)"):
        location_quotient(three_cities.assign(emp=[100.0, 0.0, 200.0]), "ps", "emp", **KEYS)
    with pytest.raises(InputError, match=r"column 'ps': has missing cells.*\('C', 2010\)"):
        location_quotient(three_cities.assign(ps=[1.0, 2.0, np.nan]), "ps", "emp", **KEYS)
    with pytest.raises(InputError, match="duplicate unit-year keys"):
        location_quotient(pd.concat([three_cities, three_cities]), "ps", "emp", **KEYS)
    with pytest.raises(InputError, match="parameter 'kind'"):
        regional_gap(three_cities, "ps", kind="squared", **KEYS)
    with pytest.raises(InputError, match="strictly positive to take logs"):
        regional_gap(three_cities.assign(ps=[1.0, -1.0, 2.0]), "ps", **KEYS)
    with pytest.raises(InputError, match="column 'emp': must be strictly positive"):
        tertiary_secondary_ratio(three_cities.assign(emp=0.0), "ps", "emp", **KEYS)


def test_duplicate_index_labels_do_not_misalign(three_cities):
    df = pd.concat([three_cities.iloc[:2], three_cities.iloc[2:]]).set_axis([0, 1, 0])
    lq = location_quotient(df, "ps", "emp", **KEYS)
    np.testing.assert_allclose(lq, [1.0, 0.75, 1.25])
    assert list(lq.index) == [0, 1, 0]
