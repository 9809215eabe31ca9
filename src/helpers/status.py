"""The book's status page: what ran, with which parameters, when, and on what."""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from helpers.runner import RUN_RECORD

KEY_PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "linearmodels",
    "highspy",
    "matplotlib",
    "papermill",
    "jupyter-book",
    "myst-nb",
    "sphinx",
)


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    """Installed version of each package ('not installed' when absent)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def write_status_page(generated_dir: Path, outcomes: Mapping[str, str] | None = None) -> Path:
    """Write ``status.md`` from the ``run.json`` records under ``generated_dir``.

    ``outcomes`` maps a notebook to what this build did with it, ``"executed"`` or
    ``"reused"`` (its inputs were unchanged, so the page shows the earlier run).
    """
    outcomes = dict(outcomes or {})
    records = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(Path(generated_dir).glob(f"*/{RUN_RECORD}"))
    ]
    runs = [
        [
            f"`{r['slug']}`",
            r["started"],
            f"{r['seconds']:.1f} s",
            "<br>".join(f"`{k}` = `{v!r}`" for k, v in r["parameters"].items()) or "none",
            outcomes.get(r["slug"], "executed"),
        ]
        for r in records
    ]
    reused = sum(status == "reused" for status in outcomes.values())
    env = [["Python", platform.python_version()], ["platform", platform.platform()]]
    env += [[name, version] for name, version in package_versions().items()]
    page = "\n\n".join(
        [
            "# Build status",
            "This page is written when the book is built. It records every notebook that ran, "
            "the parameter values it ran with, when it started and how long it took, and the "
            "versions of the packages that produced the numbers.",
            "## Notebooks",
            f"In this build {len(runs) - reused} notebooks were executed and {reused} reused: "
            "a notebook is reused when its inputs (the notebook, its parameters, the library's "
            "source, the data files, the lock file and the Python version) are unchanged since "
            "its last successful run, and its row then shows that run.",
            _markdown_table(["notebook", "started", "duration", "parameters", "this build"], runs),
            "## Environment",
            _markdown_table(["component", "version"], env),
        ]
    )
    target = Path(generated_dir) / "status.md"
    target.write_text(page + "\n", encoding="utf-8")
    return target
