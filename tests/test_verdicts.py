"""Every verdict word is the comparison it states (properties over many numbers)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from helpers import verdicts as v

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
positive = st.floats(min_value=1e-6, max_value=1e6)
probability = st.floats(min_value=0.0, max_value=1.0)


@given(finite, finite, st.floats(min_value=0, max_value=10))
def test_compare_says_what_the_numbers_are(a, b, tol):
    word = v.compare(a, b, more="up", less="down", same="flat", tolerance=tol)
    assert word == ("up" if a - b > tol else "down" if b - a > tol else "flat")


@given(finite)
def test_sign(x):
    assert v.sign(x) == ("positive" if x > 0 else "negative" if x < 0 else "zero")


@given(probability)
def test_significance_at_ten_percent(p):
    assert v.significance(p) == ("significant at 10%" if p < 0.10 else "not significant at 10%")


@given(finite, finite, positive)
def test_within_band_is_two_published_ses(estimate, published, se):
    distance = v.distance_in_ses(estimate, published, se)
    assert math.isclose(distance, abs(estimate - published) / se)
    assert v.within_band(distance) == ("within" if distance <= v.BAND_IN_SES else "outside")


@given(probability)
def test_meets_the_agreement_mark(share):
    assert v.meets(share) == ("meets" if share >= v.AGREEMENT_SHARE else "falls short of")


@given(finite, finite, finite)
def test_covers(low, high, value):
    assert (v.covers(low, high, value) == "covers") == (low <= value <= high)


@given(st.integers(0, 3), st.integers(0, 3))
def test_star_change_moves_with_the_count(before, after):
    word = v.star_change(before, after)
    assert word.startswith("gains") == (after > before)
    assert word.startswith("loses") == (after < before)


def test_edge_cases_have_words():
    assert v.within_band(v.distance_in_ses(1.0, 0.5, 0.0)) == "not comparable with"
    assert v.significance(float("nan")) == "not estimable"
    assert v.sign(float("nan")) == "undefined"
    assert v.count(1, "column") == "1 column" and v.count(3, "column") == "3 columns"
    assert v.widens(0.0080, 0.0077) == "narrows" and v.widens(0.0077, 0.0080) == "widens"
    assert v.percent(v.AGREEMENT_SHARE) == "80%"
