"""Where the book's files live, resolved from the package (no global state to set)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
PARAMS_DIR = REPO_ROOT / "params"
BOOK_DIR = REPO_ROOT / "book"
GENERATED_DIR = BOOK_DIR / "_generated"
BUILD_DIR = REPO_ROOT / "_build"
PUBLISHED_CSV = DATA_DIR / "published" / "published_results.csv"
PUBLISHED_NOTES = DATA_DIR / "published" / "TABLES.md"
