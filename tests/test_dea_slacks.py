"""The SBM score split into its input and output terms (helpers.dea.slacks)."""

import numpy as np
import pandas as pd
import pytest

from helpers.dea import efficiency
from helpers.dea.slacks import sbm_slacks


@pytest.fixture
def units():
    rng = np.random.default_rng(3)
    n = 25
    X = pd.DataFrame(rng.uniform(1, 10, (n, 3)), columns=["capital", "labour", "energy"])
    Y = pd.DataFrame({"gdp": rng.uniform(1, 10, n)})
    B = pd.DataFrame(rng.uniform(1, 10, (n, 2)), columns=["co2", "pm25"])
    return X, Y, B


@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_score_is_the_sbm_score_and_the_ratio_of_its_terms(units, rts):
    X, Y, B = units
    terms = sbm_slacks(X, Y, B, rts=rts)
    expected = efficiency(X, Y, B, model="sbm", rts=rts)
    np.testing.assert_allclose(terms["score"], expected, atol=1e-7)
    ratio = (1 - terms["input_term"]) / (1 + terms["output_term"])
    np.testing.assert_allclose(terms["score"], ratio, atol=1e-7)
    # the terms are the means of the slack ratios (m = 3 inputs, s + k = 3 outputs)
    np.testing.assert_allclose(terms["input_term"], terms[list(X.columns)].mean(axis=1), atol=1e-7)
    outputs = [*Y.columns, *B.columns]
    np.testing.assert_allclose(terms["output_term"], terms[outputs].mean(axis=1), atol=1e-7)
    assert list(terms.columns[3:]) == [*X.columns, *outputs]


def test_efficient_units_have_no_slack_and_reference_units_leave_terms_unchanged(units):
    X, Y, B = units
    full = sbm_slacks(X, Y, B)
    frontier = full["score"].to_numpy() >= 1 - 1e-9
    assert frontier.any()
    np.testing.assert_allclose(full.loc[frontier, ["input_term", "output_term"]], 0, atol=1e-7)
    restricted = sbm_slacks(X, Y, B, reference=frontier)
    np.testing.assert_allclose(restricted["score"], full["score"], atol=1e-7)


def test_a_bad_choice_names_the_parameter(units):
    X, Y, B = units
    with pytest.raises(Exception, match="rts"):
        sbm_slacks(X, Y, B, rts="drs")
