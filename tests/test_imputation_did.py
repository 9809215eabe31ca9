"""Imputation estimator (Borusyak, Jaravel and Spiess 2024) and its Theorem 3 standard error.

Cross-checked against ``diff_diff.ImputationDiD`` (conservative variance, clusters = units,
auxiliary groups = cohort x event time, the same as Stata ``did_imputation``'s default
``avgeffectsby``) on the bigdata_did simulated panel: ATT and SE to 1e-9 relative.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from helpers.did import imputation_did, twfe_did
from helpers.errors import InputError
from helpers.papers import simulate

dd = pytest.importorskip("diff_diff")

CONTROLS = ["lngdp", "fin", "str", "com", "gov"]


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    """bigdata_did simulated panel: outcome log invention patents, the pilot dummy
    ``bdpzs`` = pilot city x (year >= adoption)."""
    data = simulate("bigdata_did")
    data = data.assign(
        y=np.log1p(data["invention_patents_granted"]),
        bdpzs=(data["year"] >= data["bdpz_year"].fillna(9999)).astype(int),
    )
    return data


@pytest.mark.parametrize("controls", [[], CONTROLS])
def test_att_and_se_match_diff_diff(book, controls):
    ours = imputation_did(book, "y", "bdpzs", "city", "year", controls, adoption="bdpz_year")
    frame = book.assign(first_treat=book.bdpz_year.fillna(0).astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = dd.ImputationDiD().fit(
            frame,
            outcome="y",
            unit="city",
            time="year",
            first_treat="first_treat",
            covariates=controls or None,
        )
    assert ours.att == pytest.approx(theirs.overall_att, rel=1e-9)
    assert ours.se == pytest.approx(theirs.overall_se, rel=1e-9)


def test_single_date_balanced_no_controls_equals_twfe(book):
    """With one adoption date, a balanced panel and no controls the imputation ATT is the
    static TWFE DID coefficient (BJS 2024, section 4)."""
    ours = imputation_did(book, "y", "bdpzs", "city", "year")
    twfe = twfe_did(book, "y", "bdpzs", "city", "year")
    assert ours.att == pytest.approx(twfe.params["bdpzs"], rel=1e-9)


def test_event_time_estimates_average_to_the_att(book):
    res = imputation_did(book, "y", "bdpzs", "city", "year", CONTROLS, adoption="bdpz_year")
    counts = res.effects.groupby(
        (book.loc[res.effects.index, "year"] - book.loc[res.effects.index, "bdpz_year"]).astype(int)
    ).size()
    weighted = (res.by_event_time.coef * counts).sum() / counts.sum()
    assert weighted == pytest.approx(res.att, rel=1e-10)
    assert (res.by_event_time.se > 0).all()


def test_treated_unit_without_untreated_period_is_named(book):
    bad = book.copy()
    first = bad.loc[bad.bdpz_year.notna(), "city"].iloc[0]
    bad.loc[bad.city == first, "bdpzs"] = 1
    with pytest.raises(InputError, match="untreated period"):
        imputation_did(bad, "y", "bdpzs", "city", "year")
