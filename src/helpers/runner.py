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

Outputs are atomic: a run writes into ``OUT/.SLUG.partial/`` and moves the executed
notebook and the chapter's folder into place only when every cell has run, so an
interrupted run leaves the previous complete output as it was and no partial folder
under the final name.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from helpers import yamlio
from helpers.errors import InputError
from helpers.paths import DATA_DIR, NOTEBOOKS_DIR, PACKAGE_DIR, REPO_ROOT

if TYPE_CHECKING:  # nbformat is imported where notebooks are read: chapters import this module
    import nbformat

PARAMETER_TYPES: dict[str, type] = {"int": int, "float": float, "str": str, "bool": bool}
RUN_RECORD = "run.json"
# Our own kernel name, registered inside this environment, so that a user-level
# "python3" kernelspec pointing at another interpreter can never run the book.
KERNEL_NAME = "nqpf-replication"
# One BLAS thread per kernel: the book runs one notebook per core, the linear algebra is on
# small matrices, and threaded OpenBLAS slows these down several times on a busy machine.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
LOCK_FILE = REPO_ROOT / "requirements.lock"


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


def book_order(slugs: list[str], last: Sequence[str] = RUN_LAST) -> list[str]:
    """Slugs in the order ``replicate book`` runs them: sorted, those of ``last`` at the end."""
    return sorted(slugs, key=lambda slug: (slug in last, slug))


def declared_parameters(path: Path) -> list[Parameter]:
    """Parse the ``parameters`` cell of a notebook into :class:`Parameter` records."""
    import nbformat

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
        sources.append((str(file), _read_parameter_file(Path(file))))
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


def _read_parameter_file(path: Path) -> dict:
    """A YAML mapping of parameter: value; :class:`InputError` naming the file otherwise."""
    what = "a YAML file of parameter: value lines"
    if not path.exists():
        raise InputError(f"file {path} does not exist; expected {what}", parameter="-f")
    if not path.is_file():
        raise InputError(f"{path} is a folder, not {what}", parameter="-f")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a text file; expected {what}", parameter="-f") from None
    try:
        content = yamlio.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InputError(f"{path} is not valid YAML{where}: {problem}", parameter="-f") from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise InputError(f"{path} must be a YAML mapping of parameter: value", parameter="-f")
    return content


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


ENGINE = "helpers-write-at-end"
"""The papermill engine :func:`run_notebook` uses (registered by :func:`_register_engine`)."""


def _register_engine() -> None:
    """Register :data:`ENGINE`: papermill's nbclient engine, writing the notebook once.

    papermill writes the whole executed notebook, figures included, before and after every
    cell: for a chapter of about 190 cells and a 1 MB notebook that was about 4 of its 15
    seconds. This engine's manager skips those writes; the notebook is still written when
    the run ends, whether it succeeds or fails (papermill's ``notebook_complete`` always
    runs), which is what the staged output and the "partial notebook" of a failure need.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class WriteAtEnd(NotebookExecutionManager):
        ending = False

        def save(self, **kwargs: object) -> None:
            if self.ending:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs: object) -> None:
            self.ending = True
            super().notebook_complete(**kwargs)

    class Engine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=True,
            log_output=False,
            autosave_cell_every=30,
            **kwargs,
        ):
            # papermill's Engine.execute_notebook, with the manager above
            nb_man = WriteAtEnd(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE, Engine)


def ensure_kernel() -> str:
    """Register :data:`KERNEL_NAME` for the running interpreter if needed; return its name.

    The kernel spec sets :data:`KERNEL_ENV` (one BLAS thread per kernel).
    """
    from ipykernel.kernelspec import install
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    def current() -> bool:
        try:
            spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        except NoSuchKernel:
            return False
        same_python = Path(spec.argv[0]).absolute() == Path(sys.executable).absolute()
        return same_python and spec.env == KERNEL_ENV

    if current():
        return KERNEL_NAME
    # parallel test workers and book workers may get here at once: install under a file lock
    lock_path = Path(sys.prefix) / "share" / "jupyter" / f".{KERNEL_NAME}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        _exclusive(lock)
        if not current():
            path = install(
                kernel_name=KERNEL_NAME, display_name="Python (replication book)", prefix=sys.prefix
            )
            spec_file = Path(path) / "kernel.json"
            spec = json.loads(spec_file.read_text(encoding="utf-8"))
            spec["env"] = KERNEL_ENV
            spec_file.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return KERNEL_NAME


def _exclusive(handle) -> None:
    """Block until this process holds an exclusive lock on ``handle`` (released on close)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; concurrent first runs are rare there
        return
    fcntl.flock(handle, fcntl.LOCK_EX)


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


def shown_path(path: Path) -> str:
    """``path`` relative to the repository where possible, so that pages and the status
    table show no machine-specific paths."""
    return str(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)


def _output_folder(out_dir: Path) -> Path:
    out_dir = Path(out_dir).resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file; give a folder for the outputs", parameter="--out")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the output folder {out_dir}: {exc.strerror}", parameter="--out"
        ) from None
    return out_dir


def _staging(out_dir: Path, slug: str) -> Path:
    """``OUT/.SLUG.partial``: where a run writes until it has finished."""
    return out_dir / f".{slug}.partial"


def _previous(out_dir: Path, slug: str) -> Path:
    return out_dir / f".{slug}.previous"


def _recover(out_dir: Path, slug: str) -> None:
    """Undo what an interrupted run left: a staging folder, or an output moved aside."""
    shutil.rmtree(_staging(out_dir, slug), ignore_errors=True)
    previous = _previous(out_dir, slug)
    if previous.exists():
        if (out_dir / slug).exists():
            shutil.rmtree(previous)
        else:  # interrupted between the two renames of _commit
            previous.rename(out_dir / slug)


def _commit(staging: Path, out_dir: Path, slug: str) -> None:
    """Move a finished run into place: its folder, then its notebook, then clean up."""
    final, previous = out_dir / slug, _previous(out_dir, slug)
    if final.exists():
        final.rename(previous)
    (staging / slug).rename(final)
    os.replace(staging / f"{slug}.ipynb", out_dir / f"{slug}.ipynb")
    shutil.rmtree(previous, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def _show_final_paths(nb: nbformat.NotebookNode, staging: Path, out_dir: Path) -> None:
    """The injected parameters and papermill's record name the final paths, not the staging
    folder the kernel wrote into (``out_dir/.SLUG.partial`` -> ``out_dir``)."""
    staged, final = shown_path(staging), shown_path(out_dir)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = cell.source.replace(staged, final)
    record = nb.metadata.get("papermill", {})
    if isinstance(record.get("output_path"), str):
        record["output_path"] = record["output_path"].replace(str(staging), str(out_dir))
    parameters = record.get("parameters", {})
    if isinstance(parameters.get("output_dir"), str):
        parameters["output_dir"] = parameters["output_dir"].replace(staged, final)


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
    Raises :class:`InputError` for bad parameters or a bad ``out_dir`` (nothing runs)
    and :class:`NotebookFailed` if a cell raises (the partial notebook is kept in
    ``out_dir/.SLUG.partial/``; the previous output stays in place).
    """
    import papermill

    _register_engine()
    source = notebook_path(slug, notebooks_dir)
    values = resolve_run_parameters(slug, parameter_files, overrides, notebooks_dir)
    out_dir = _output_folder(out_dir)
    _recover(out_dir, slug)
    staging = _staging(out_dir, slug)
    staged_files = staging / slug
    staged_files.mkdir(parents=True)
    if "output_dir" in values:
        shown = shown_path(out_dir / slug)
        values["output_dir"] = shown_path(staged_files)  # the kernel writes here
    target = staging / f"{slug}.ipynb"
    started = datetime.now(UTC)
    clock = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=values,
            kernel_name=ensure_kernel(),
            engine_name=ENGINE,
            shutdown_kernel="immediate",  # outputs are in; no need to wait for a clean exit
            cwd=str(REPO_ROOT),
            progress_bar=False,
            log_output=False,
        )
    except papermill.PapermillExecutionError as exc:
        raise NotebookFailed(
            _failure_message(slug, exc) + f" (partial notebook: {shown_path(target)})"
        ) from None
    seconds = time.perf_counter() - clock
    import nbformat

    nb = nbformat.read(target, as_version=4)
    _present_parameters(nb)
    keep_cells_for_data(nb, simulated=values.get("data", "simulated") == "simulated")
    _show_final_paths(nb, staging, out_dir)
    if "output_dir" in values:
        values["output_dir"] = shown
    nbformat.write(nb, target)
    record = RunRecord(
        slug=slug,
        parameters=values,
        started=started.strftime("%Y-%m-%d %H:%M:%S UTC"),
        seconds=round(seconds, 2),
        notebook=str(out_dir / f"{slug}.ipynb"),
    )
    (staged_files / RUN_RECORD).write_text(json.dumps(record.__dict__, indent=2), encoding="utf-8")
    _commit(staging, out_dir, slug)
    return record


def resolve_run_parameters(
    slug: str,
    parameter_files: list[Path] | None = None,
    overrides: Mapping[str, str] | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
) -> dict[str, object]:
    """The values a run of ``slug`` uses: the notebook's defaults (its parameters cell), then
    the ``parameter_files``, then the ``overrides``."""
    declared = declared_parameters(notebook_path(slug, notebooks_dir))
    return resolve_parameters(declared, files=parameter_files or [], overrides=overrides, slug=slug)


# --------------------------------------------------------------------------- inputs
def _files_digest(root: Path, pattern: str) -> bytes:
    """sha256 over the relative names and contents of the files under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob(pattern) if p.is_file()):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def environment_digest() -> str:
    """sha256 of what every notebook depends on besides itself and its parameters: the
    ``helpers`` package source, the data files, the lock file and the Python version."""
    digest = hashlib.sha256(platform.python_version().encode())
    digest.update(_files_digest(PACKAGE_DIR, "*.py"))
    digest.update(_files_digest(DATA_DIR, "*"))
    if LOCK_FILE.exists():
        digest.update(LOCK_FILE.read_bytes())
    return digest.hexdigest()


def _named_file(value: object) -> Path | None:
    """The file a string parameter names (absolute, or relative to the repository), if any."""
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        return None
    path = Path(value)
    path = path if path.is_absolute() else REPO_ROOT / path
    try:
        return path if path.is_file() else None
    except OSError:  # a name too long, or otherwise not a path
        return None


def input_key(
    slug: str,
    values: Mapping[str, object],
    environment: str,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    upstream: Mapping[str, str] | None = None,
) -> str:
    """sha256 of one run's inputs: the notebook, its resolved parameter ``values`` and the
    contents of the files they name (a reader's data, ``benchmarks/results.csv``), the
    :func:`environment_digest` and, for pages that read other chapters' outputs, the keys
    of those runs (``upstream``, slug -> key)."""
    digest = hashlib.sha256(notebook_path(slug, notebooks_dir).read_bytes())
    digest.update(json.dumps(dict(values), sort_keys=True, default=str).encode())
    for value in values.values():  # a file a parameter names (data, mapping, results_file)
        named = _named_file(value)
        if named is not None:
            digest.update(hashlib.sha256(named.read_bytes()).digest())
    digest.update(environment.encode())
    digest.update(json.dumps(dict(upstream or {}), sort_keys=True).encode())
    return digest.hexdigest()
