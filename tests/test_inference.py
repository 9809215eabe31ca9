"""The star convention: * p<.10, ** p<.05, *** p<.01, two-sided."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.inference import star_count, stars, two_sided_p


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.5, ""),
        (0.10, ""),
        (0.0999, "*"),
        (0.05, "*"),
        (0.0499, "**"),
        (0.01, "**"),
        (0.0099, "***"),
    ],
)
def test_star_cutoffs_are_strict(p, expected):
    assert stars(p) == expected


def test_normal_and_t_p_values():
    assert two_sided_p(1.959963984540054) == pytest.approx(0.05, abs=1e-12)
    # t(10) critical value at 5% two-sided is 2.228138851986274 (standard tables)
    assert two_sided_p(2.228138851986274, df=10) == pytest.approx(0.05, abs=1e-10)


def test_nan_p_value_gets_no_star():
    assert star_count(np.nan) == 0


@given(st.floats(0, 50), st.floats(0, 50))
def test_more_extreme_statistic_never_gets_fewer_stars(a, b):
    low, high = sorted([a, b])
    assert star_count(two_sided_p(high)) >= star_count(two_sided_p(low))
