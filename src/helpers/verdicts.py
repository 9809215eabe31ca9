"""Words bound to numbers: the book's pass marks, and every verdict word chosen by the
comparison it states.

A chapter never types "larger", "within", "significant" or "meets" by hand: it glues the
word one of these functions returns for the numbers of the run, so no seed, parameter or
reader's file can make a sentence false. The pass marks are defined here once and glued
wherever they appear (the book's page "What the book asks of a replication" explains them).

* :data:`BAND_IN_SES` -- a replicated coefficient is "near" a published one when it lies
  within this many *published* standard errors of it. Two SEs is the width of a 95%
  interval: a faithful replication on the paper's data would land inside it most of the time.
* :data:`AGREEMENT_SHARE` -- a replication "agrees" with a paper's tables when at least this
  share of its core coefficients has the published sign and 10% significance class
  (:data:`LEVEL`). A column printed insignificant can be matched at most about 59% of the
  time even by a perfect method (the published class is itself a noisy draw), so 80% leaves
  room for chance and still fails a replication that gets the pattern wrong.
* :data:`LEVEL` -- the significance level of the sign-and-class comparison: one star or
  more in the paper, p < 0.10 in the replication.
"""

from __future__ import annotations

import math

BAND_IN_SES = 2.0
"""A replicated coefficient within this many published SEs of the printed one is "within
the band"."""

AGREEMENT_SHARE = 0.80
"""The share of core coefficients whose sign and 10% class must match the paper."""

LEVEL = 0.10
"""Significance level of the sign-and-class comparison (one star in the papers)."""


def percent(share: float, digits: int = 0) -> str:
    """``0.8`` -> ``"80%"``."""
    return f"{100 * share:.{digits}f}%"


def compare(
    value: float,
    reference: float,
    *,
    more: str = "larger than",
    less: str = "smaller than",
    same: str = "equal to",
    tolerance: float = 0.0,
) -> str:
    """``more`` if ``value`` exceeds ``reference`` by more than ``tolerance``, ``less`` if it
    falls short by more, else ``same``."""
    if value - reference > tolerance:
        return more
    if reference - value > tolerance:
        return less
    return same


def sign(value: float, *, positive: str = "positive", negative: str = "negative") -> str:
    """The sign of ``value`` in words (``"zero"`` for zero, ``"undefined"`` for NaN)."""
    if math.isnan(value):
        return "undefined"
    if value > 0:
        return positive
    return negative if value < 0 else "zero"


def significance(p: float, level: float = LEVEL) -> str:
    """``"significant at 10%"`` when ``p < level``, else ``"not significant at 10%"``."""
    if math.isnan(p):
        return "not estimable"
    word = "significant" if p < level else "not significant"
    return f"{word} at {percent(level)}"


def distance_in_ses(estimate: float, published: float, published_se: float) -> float:
    """``|estimate - published| / published SE`` (NaN when the SE is zero or missing)."""
    if not published_se or math.isnan(published_se):
        return math.nan
    return abs(estimate - published) / abs(published_se)


def within_band(distance: float, band: float = BAND_IN_SES) -> str:
    """``"within"`` the band of :data:`BAND_IN_SES` published SEs, or ``"outside"``."""
    if math.isnan(distance):
        return "not comparable with"
    return "within" if distance <= band else "outside"


def meets(share: float, mark: float = AGREEMENT_SHARE) -> str:
    """``"meets"`` when ``share`` reaches the pass mark, else ``"falls short of"``."""
    return "meets" if share >= mark else "falls short of"


def covers(low: float, high: float, value: float) -> str:
    """``"covers"`` when ``low <= value <= high``, else ``"does not cover"``."""
    return "covers" if low <= value <= high else "does not cover"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 column``, ``3 columns``."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def star_change(before: int, after: int) -> str:
    """How a coefficient's star count moves: ``"gains a star"``, ``"loses two stars"``,
    ``"keeps its stars"`` (or ``"stays without a star"``)."""
    words = {1: "a star", 2: "two stars", 3: "three stars"}
    if after > before:
        return f"gains {words[after - before]}"
    if after < before:
        return f"loses {words[before - after]}"
    return "keeps its stars" if before else "stays without a star"


def widens(before: float, after: float, *, tolerance: float = 0.0) -> str:
    """``"widens"``, ``"narrows"`` or ``"leaves unchanged"`` for a standard error or an
    interval that moves from ``before`` to ``after``."""
    return compare(
        after, before, more="widens", less="narrows", same="leaves unchanged", tolerance=tolerance
    )
