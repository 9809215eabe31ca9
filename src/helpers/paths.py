"""Where the book's files live, resolved from the package (no global state to set).

In a checkout (or an editable install) the data are the repository's ``data/``
folder. A regular install (``pip install .`` or a wheel) carries the same files
inside the package as ``helpers/_data``, so a downloaded notebook runs outside
the repository with nothing but the installed package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[1]
_CHECKOUT_DATA = REPO_ROOT / "data"
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file() and (_CHECKOUT_DATA / "published").is_dir()
DATA_DIR = _CHECKOUT_DATA if IN_CHECKOUT else PACKAGE_DIR / "_data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
PARAMS_DIR = REPO_ROOT / "params"
BOOK_DIR = REPO_ROOT / "book"
GENERATED_DIR = BOOK_DIR / "_generated"
BUILD_DIR = REPO_ROOT / "_build"
PUBLISHED_CSV = DATA_DIR / "published" / "published_results.csv"
PUBLISHED_NOTES = DATA_DIR / "published" / "TABLES.md"
