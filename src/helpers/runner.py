"""Run the book's notebooks with parameters, as papermill does, but strictly.

Each notebook ``notebooks/SLUG.ipynb`` declares its parameters in one cell
tagged ``parameters``, one annotated literal per line::

    seed: int = 20240601  # seed of the simulated panel
    draws: int = 1000  # placebo draws

and that cell is the one source of its defaults (``replicate list`` shows them;
``params/quick/SLUG.yml`` holds the small values the tests run). Unlike plain papermill, which
only warns, an unknown name or a value of the wrong type is rejected before
anything runs, with the list of valid parameters. Executed notebooks and the
chapter's files go to an output folder, never over the sources.
"""

from __future__ import annotations

import ast
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import yaml

from helpers.errors import InputError
from helpers.paths import NOTEBOOKS_DIR, REPO_ROOT

PARAMETER_TYPES: dict[str, type] = {"int": int, "float": float, "str": str, "bool": bool}
RUN_RECORD = "run.json"
# Our own kernel name, registered inside this environment, so that a user-level
# "python3" kernelspec pointing at another interpreter can never run the book.
KERNEL_NAME = "nqpf-replication"


@dataclass(frozen=True)
class Parameter:
    """One declared notebook parameter: ``name: type = default  # help``."""

    name: str
    type: str
    default: object
    help: str


class NotebookFailed(RuntimeError):
    """A cell raised while the notebook ran; the message names notebook and cell."""


def notebook_path(slug: str, notebooks_dir: Path = NOTEBOOKS_DIR) -> Path:
    """Path of the notebook for ``slug``; :class:`InputError` if there is none."""
    path = notebooks_dir / f"{slug}.ipynb"
    if not path.exists():
        known = ", ".join(available(notebooks_dir)) or "none"
        raise InputError(f"no notebook named '{slug}' (known: {known})", parameter="SLUG")
    return path


def available(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """Slugs of every notebook in ``notebooks_dir``, sorted."""
    return sorted(p.stem for p in notebooks_dir.glob("*.ipynb"))


# Pages that read other chapters' output folders run after every other notebook.
RUN_LAST = ("scorecard", "synthesis")


def book_order(slugs: list[str]) -> list[str]:
    """Slugs in the order ``replicate book`` runs them: sorted, :data:`RUN_LAST` at the end."""
    return sorted(slugs, key=lambda slug: (slug in RUN_LAST, slug))


def declared_parameters(path: Path) -> list[Parameter]:
    """Parse the ``parameters`` cell of a notebook into :class:`Parameter` records."""
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise InputError(
            f"{path.name} must have exactly one cell tagged 'parameters', found {len(cells)}"
        )
    source = cells[0].source
    lines = source.splitlines()
    params = []
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            raise InputError(
                f"{path.name}, parameters cell line {node.lineno}: write one annotated literal "
                "per line, like `seed: int = 1  # help`"
            )
        type_name = ast.unparse(node.annotation)
        if type_name not in PARAMETER_TYPES or node.value is None:
            raise InputError(
                f"{path.name}, parameter '{node.target.id}': type must be one of "
                f"{', '.join(PARAMETER_TYPES)} with a literal default"
            )
        _, _, comment = lines[node.lineno - 1].partition("#")
        params.append(
            Parameter(
                name=node.target.id,
                type=type_name,
                default=ast.literal_eval(node.value),
                help=comment.strip(),
            )
        )
    return params


def _coerce(param: Parameter, value: object) -> object:
    """Convert ``value`` (a CLI string or a YAML scalar) to the parameter's type."""
    target = PARAMETER_TYPES[param.type]
    if isinstance(value, str) and target is not str:
        text = value.strip()
        if target is bool:
            lowered = text.lower()
            if lowered in {"true", "1", "yes"}:
                return True
            if lowered in {"false", "0", "no"}:
                return False
            raise ValueError
        return target(text)
    if target is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type(value) is not target:
        raise ValueError
    return value


def resolve_parameters(
    declared: list[Parameter],
    *,
    files: list[Path] = (),
    overrides: Mapping[str, str] | None = None,
    slug: str = "",
) -> dict[str, object]:
    """Merge defaults, YAML files and ``name=value`` overrides, checking names and types.

    Later sources win. Raises :class:`InputError` naming the parameter and listing
    the valid ones for an unknown name or a value that does not fit the type.
    """
    by_name = {p.name: p for p in declared}
    listing = "; ".join(f"{p.name} ({p.type}, default {p.default!r})" for p in declared)
    values: dict[str, object] = {p.name: p.default for p in declared}
    sources: list[tuple[str, Mapping[str, object]]] = []
    for file in files:
        content = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
        if not isinstance(content, dict):
            raise InputError(f"{file} must be a YAML mapping of parameter: value")
        sources.append((str(file), content))
    sources.append(("-p", dict(overrides or {})))
    for origin, content in sources:
        for name, value in content.items():
            if name not in by_name:
                raise InputError(
                    f"unknown parameter for '{slug}' (from {origin}); valid parameters: {listing}",
                    parameter=name,
                )
            try:
                values[name] = _coerce(by_name[name], value)
            except (TypeError, ValueError):
                raise InputError(
                    f"value {value!r} (from {origin}) is not a valid {by_name[name].type}; "
                    f"valid parameters: {listing}",
                    parameter=name,
                ) from None
    return values


def _present_parameters(nb: nbformat.NotebookNode) -> None:
    """Hide the declared defaults and fold the injected values, so the page shows what ran.

    The folded cell is moved below the chapter's first text cell (its title and
    overview), so that the page opens with the chapter rather than with code.
    """
    injected = None
    for index, cell in enumerate(nb.cells):
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if "parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
        if "injected-parameters" in tags:
            injected = index
            if "hide-cell" not in tags:
                tags.append("hide-cell")
    first_text = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), None)
    if injected is not None and first_text is not None and injected < first_text:
        nb.cells.insert(first_text, nb.cells.pop(injected))


def keep_cells_for_data(nb: nbformat.NotebookNode, simulated: bool) -> None:
    """Drop the cells written for the other kind of data: those tagged ``simulated-only``
    on a reader's file, those tagged ``readers-data-only`` on simulated data
    (:mod:`helpers.pages`)."""
    other = "readers-data-only" if simulated else "simulated-only"
    nb.cells = [c for c in nb.cells if other not in c.get("metadata", {}).get("tags", [])]


def ensure_kernel() -> str:
    """Register :data:`KERNEL_NAME` for the running interpreter if needed; return its name."""
    from ipykernel.kernelspec import install
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if Path(spec.argv[0]).absolute() == Path(sys.executable).absolute():
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    install(kernel_name=KERNEL_NAME, display_name="Python (replication book)", prefix=sys.prefix)
    return KERNEL_NAME


def _failure_message(slug: str, exc: Exception) -> str:
    cell = getattr(exc, "cell_index", None)
    count = getattr(exc, "exec_count", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    where = f"cell {cell}" if cell is not None else "a cell"
    if count is not None:
        where += f" (execution count {count})"
    return f"notebook '{slug}' failed in {where}: {ename}: {evalue}"


@dataclass(frozen=True)
class RunRecord:
    """What ran, with which values, when and for how long."""

    slug: str
    parameters: dict[str, object]
    started: str
    seconds: float
    notebook: str


def run_notebook(
    slug: str,
    out_dir: Path,
    *,
    parameter_files: list[Path] | None = None,
    overrides: Mapping[str, str] | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
) -> RunRecord:
    """Execute one notebook into ``out_dir/SLUG.ipynb``; its files go to ``out_dir/SLUG/``.

    ``parameter_files``: YAML files of values that replace the notebook's defaults (its
    parameters cell), later files winning; ``overrides`` win over every file.
    Raises :class:`InputError` for bad parameters (nothing runs) and
    :class:`NotebookFailed` if a cell raises (the partial notebook is kept).
    """
    import papermill

    source = notebook_path(slug, notebooks_dir)
    values = resolve_parameters(
        declared_parameters(source), files=parameter_files or [], overrides=overrides, slug=slug
    )
    out_dir = Path(out_dir).resolve()
    files_dir = out_dir / slug
    files_dir.mkdir(parents=True, exist_ok=True)
    if "output_dir" in values:
        # relative to the repository (the kernel's working directory) where possible, so
        # pages and the status table show no machine-specific paths
        inside = files_dir.is_relative_to(REPO_ROOT)
        values["output_dir"] = str(files_dir.relative_to(REPO_ROOT) if inside else files_dir)
    target = out_dir / f"{slug}.ipynb"
    started = datetime.now(UTC)
    clock = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=values,
            kernel_name=ensure_kernel(),
            cwd=str(REPO_ROOT),
            progress_bar=False,
            log_output=False,
        )
    except papermill.PapermillExecutionError as exc:
        raise NotebookFailed(_failure_message(slug, exc)) from None
    seconds = time.perf_counter() - clock
    nb = nbformat.read(target, as_version=4)
    _present_parameters(nb)
    keep_cells_for_data(nb, simulated=values.get("data", "simulated") == "simulated")
    nbformat.write(nb, target)
    record = RunRecord(
        slug=slug,
        parameters=values,
        started=started.strftime("%Y-%m-%d %H:%M:%S UTC"),
        seconds=round(seconds, 2),
        notebook=str(target),
    )
    (files_dir / RUN_RECORD).write_text(json.dumps(record.__dict__, indent=2), encoding="utf-8")
    return record
