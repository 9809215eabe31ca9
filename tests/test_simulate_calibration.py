"""The chance that a simulated column reproduces a printed sign and significance class."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from helpers.simulate.calibration import class_probability, reproduces_class

Z = norm.isf(0.05)
means = st.floats(-8, 8)
sds = st.floats(0.5, 4)


@given(means, sds)
def test_probabilities_are_probabilities_and_signs_are_symmetric(mean, sd):
    for significant in (True, False):
        up = class_probability(mean, sd, 1.0, significant)
        down = class_probability(-mean, sd, -1.0, significant)
        assert 0.0 <= up <= 1.0
        assert up == pytest.approx(down)


@given(means, sds)
def test_an_insignificant_column_is_matched_at_most_at_half_the_critical_value(mean, sd):
    best = class_probability(Z / 2, sd, 1.0, False)
    assert class_probability(mean, sd, 1.0, False) <= best + 1e-12


def test_known_values():
    # t ~ N(mu, 1): significant with the printed sign when t > z
    assert class_probability(Z, 1.0, 1.0, True) == pytest.approx(0.5)
    assert class_probability(Z + norm.isf(0.10), 1.0, 1.0, True) == pytest.approx(0.9)
    # the insignificant bound 2 Phi(z / 2) - 1 = 0.59 at 10%
    assert class_probability(Z / 2, 1.0, 1.0, False) == pytest.approx(0.589, abs=1e-3)
    # sd is bounded below, so a column whose seeds all agree is not certain
    assert class_probability(1.0, 0.0, 1.0, False) == class_probability(1.0, 0.5, 1.0, False)


def test_arrays_are_evaluated_elementwise():
    out = class_probability(
        np.array([3.0, 0.8]), np.array([1.0, 1.0]), np.array([1.0, -1.0]), np.array([True, False])
    )
    assert out.shape == (2,)
    assert out[0] == pytest.approx(norm.cdf(3.0 - Z))
    assert out[1] == pytest.approx(norm.cdf(Z + 0.8) - norm.cdf(0.8))


def test_a_class_is_reproduced_with_the_printed_sign_and_significance():
    out = reproduces_class(
        np.array([0.5, 0.5, -0.5, 0.01, 0.01]),
        np.array([0.01, 0.50, 0.01, 0.60, 0.60]),
        np.array([0.3, 0.3, 0.3, 0.002, -0.002]),
        np.array([True, True, True, False, False]),
    )
    assert out.tolist() == [True, False, False, True, False]
