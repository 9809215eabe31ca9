"""What every registered generating process owes the book: the same seed gives the same bytes,
the committed default panel is what the generator writes, and that panel meets its contract."""

from __future__ import annotations

import pytest

from helpers.io import validate_file, validate_frame
from helpers.papers import has_process, simulate, write_panel
from helpers.paths import DATA_DIR
from helpers.registry import slugs

SLUGS = [slug for slug in slugs() if has_process(slug)]


@pytest.mark.parametrize("slug", SLUGS)
def test_same_seed_same_bytes(slug, tmp_path):
    first = write_panel(slug, tmp_path / "a.csv", seed=7)
    second = write_panel(slug, tmp_path / "b.csv", seed=7)
    other = write_panel(slug, tmp_path / "c.csv", seed=8)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


@pytest.mark.parametrize("slug", SLUGS)
def test_committed_default_panel_is_reproduced_byte_for_byte(slug, tmp_path):
    committed = DATA_DIR / "simulated" / f"{slug}.csv"
    regenerated = write_panel(slug, tmp_path / f"{slug}.csv")
    assert regenerated.read_bytes() == committed.read_bytes()


@pytest.mark.parametrize("slug", SLUGS)
def test_default_panel_meets_the_contract(slug, tmp_path):
    assert validate_frame(slug, simulate(slug)) == []
    assert validate_file(slug, write_panel(slug, tmp_path / "default.csv")) == []
