"""The relative-magnitudes search takes two shortcuts; each gives the plain algorithm's answer.

* A bisection that polishes an end of the robust set stops once its midpoint is one of its
  two ends (adjacent floats); it tries first the polyhedron that accepted last, and no
  further polyhedra once one accepts.
* The breakdown value asks only whether the set excludes zero, so an end is polished only
  when zero lies in the grid step that holds it.

The plain algorithms are the references: 60 bisection steps testing every polyhedron (written
out here), and the breakdown bisection asking each fully polished set whether it excludes
zero. Results must be equal, not close.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import honest_did
from helpers.honest_did import _RMSearch, breakdown_value, relative_magnitudes_ci


def _problem(seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """A random event study with a clear post-period effect (so the breakdown is finite)."""
    rng = np.random.default_rng(seed)
    num_pre, num_post = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    n = num_pre + num_post
    root = rng.normal(size=(n, n))
    sigma = (root @ root.T / n + 0.1 * np.eye(n)) * rng.uniform(0.001, 0.02)
    beta = rng.normal(scale=0.05, size=n)
    beta[num_pre:] += rng.choice([-1, 1]) * rng.uniform(0.2, 0.6)
    return beta, sigma, num_pre


def _plain_polish(search, inside: float, outside: float) -> float:
    for _ in range(60):
        mid = (inside + outside) / 2
        if np.any([p.accept(np.array([mid])) for p in search.polys]):
            inside = mid
        else:
            outside = mid
    return inside


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("mbar", [0.0, 1.0])
def test_polished_ends_are_the_plain_bisections(seed, mbar):
    beta, sigma, num_pre = _problem(seed)
    search = _RMSearch.of(beta, sigma, num_pre, mbar)
    grid, first, last = search.grid, search.accepted[0], search.accepted[-1]
    assert 0 < first <= last < len(grid) - 1  # both ends are polished
    assert search.low() == _plain_polish(search, grid[first], grid[first - 1])
    assert search.high() == _plain_polish(search, grid[last], grid[last + 1])


@pytest.mark.parametrize("seed", range(4))
def test_contains_agrees_with_the_polished_set(seed):
    beta, sigma, num_pre = _problem(seed)
    search = _RMSearch.of(beta, sigma, num_pre, 0.5)
    ci = relative_magnitudes_ci(beta, sigma, num_pre, 0.5)
    grid, first, last = search.grid, search.accepted[0], search.accepted[-1]
    values = [0.0, ci.low, ci.high, *grid[first - 2 : first + 2], *grid[last - 1 : last + 3]]
    values += [np.nextafter(ci.low, -np.inf), np.nextafter(ci.high, np.inf)]
    values += [(grid[first - 1] + ci.low) / 2, (ci.high + grid[last + 1]) / 2]
    for value in values:
        assert search.contains(value) == (ci.low <= value <= ci.high), value


@pytest.mark.parametrize("seed", range(3))
def test_breakdown_value_is_the_plain_bisections(seed, monkeypatch):
    beta, sigma, num_pre = _problem(seed)
    found = breakdown_value(beta, sigma, num_pre)
    with monkeypatch.context() as patch:  # the plain question: the polished set excludes zero
        patch.setattr(
            honest_did,
            "_robust_set_excludes",
            lambda b, s, n, m, **_: relative_magnitudes_ci(b, s, n, m).excludes(0.0),
        )
        expected = breakdown_value(beta, sigma, num_pre)
    assert 0 < expected < np.inf
    assert found == expected


def test_an_empty_set_contains_nothing():
    beta, sigma, num_pre = _problem(0)
    search = _RMSearch.of(beta, sigma, num_pre, 0.5)
    search.accepted = search.accepted[:0]  # as when no grid point is accepted
    assert not search.contains(0.0)
