"""The registry of the book's papers: ``data/papers.yml``, read once.

Every list that names papers is derived from here: the CLI's choices, the intro's
table, the scorecard's "no chapter yet" list, the data chapter and the seeds of the
synthetic samples (a paper's position in the file). An entry holds the slug and the
seed of the default simulated panel; the paper's file stem, title and sample come from
its data contract (``data/contracts/SLUG.yml``), written once, and its code lives in
the package ``helpers.papers.SLUG`` (loaded by :func:`helpers.papers.paper`).

This module is general: it imports no paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from helpers import yamlio
from helpers.errors import InputError
from helpers.paths import DATA_DIR

REGISTRY_YML = DATA_DIR / "papers.yml"


@dataclass(frozen=True)
class Entry:
    """One paper of the book: ``slug`` (folder, notebook and contract name), its
    ``position`` in the registry (it seeds the paper's synthetic sample), the seed of its
    default simulated panel, and ``draft``: a chapter still being written (``replicate new``
    starts one), which the completeness test reports on instead of failing and the table of
    contents leaves out."""

    slug: str
    position: int
    default_seed: int
    draft: bool = False

    @property
    def package(self) -> str:
        """The paper's package: everything that belongs to this paper and nothing else."""
        return f"helpers.papers.{self.slug}"


@cache
def _read(path: Path) -> tuple[Entry, ...]:
    spec = yamlio.safe_load(path.read_text(encoding="utf-8")) or []
    entries = tuple(
        Entry(
            slug=str(item["slug"]),
            position=i,
            default_seed=int(item["default_seed"]),
            draft=bool(item.get("draft", False)),
        )
        for i, item in enumerate(spec)
    )
    slugs = [e.slug for e in entries]
    twice = sorted({s for s in slugs if slugs.count(s) > 1})
    if twice:
        raise InputError(f"papers listed twice in {path.name}: {twice}")
    return entries


def entries() -> tuple[Entry, ...]:
    """Every registered paper, in registry order."""
    return _read(REGISTRY_YML)


def slugs(*, drafts: bool = False) -> tuple[str, ...]:
    """The slugs of the registered papers in registry order: the finished chapters, and with
    ``drafts=True`` also the chapters still being written."""
    return tuple(e.slug for e in entries() if drafts or not e.draft)


def entry(slug: str) -> Entry:
    """The registry entry of ``slug``; :class:`InputError` naming the known papers."""
    for e in entries():
        if e.slug == slug:
            return e
    known = ", ".join(slugs(drafts=True))
    raise InputError(f"is not a paper of the book (known: {known})", parameter="slug")
