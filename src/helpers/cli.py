"""The ``replicate`` command: list, run and build the book's notebooks; check and simulate data.

Exit codes: 0 success, 1 a notebook or the book build failed or a data file is
invalid, 2 a bad argument or parameter (nothing was run).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from helpers import runner, status
from helpers.errors import InputError
from helpers.paths import BUILD_DIR, GENERATED_DIR, NOTEBOOKS_DIR, REPO_ROOT
from helpers.registry import slugs


def _parse_assignments(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"expected name=value, got {pair!r}", parameter="-p")
        values[name.strip()] = value
    return values


def _cmd_list(args: argparse.Namespace) -> int:
    for slug in runner.available(args.notebooks):
        print(slug)
        for p in runner.declared_parameters(runner.notebook_path(slug, args.notebooks)):
            print(f"  {p.name:<22} {p.type:<6} default {p.default!r:<14} {p.help}")
    return 0


def _run_one(
    slug: str,
    out: Path,
    files: list[Path] | None,
    overrides: dict[str, str],
    notebooks: Path,
) -> None:
    print(f"[run] {slug} ...", flush=True)
    clock = time.perf_counter()
    runner.run_notebook(
        slug, out, parameter_files=files, overrides=overrides, notebooks_dir=notebooks
    )
    print(f"[run] {slug} done in {time.perf_counter() - clock:.1f} s -> {out / slug}", flush=True)


READERS_FILE_OPTIONS = ("data", "mapping", "sheet", "delimiter")
"""A chapter's parameters that name the reader's file and how to read it."""


def _readers_file_problems(slug: str, values: dict[str, object]) -> list[str] | None:
    """For a registered paper run on a reader's file (``values``: the run's parameters), the
    problems :func:`helpers.papers.check_readers_file` finds; None when it does not apply."""
    if slug not in slugs(drafts=True) or values.get("data", "simulated") == "simulated":
        return None
    from helpers.papers import check_readers_file

    options = {k: str(values.get(k, "")) for k in READERS_FILE_OPTIONS}
    rest = {k: v for k, v in values.items() if k not in (*READERS_FILE_OPTIONS, "output_dir")}
    return check_readers_file(
        slug,
        options["data"],
        options["mapping"],
        sheet=options["sheet"],
        delimiter=options["delimiter"],
        **rest,
    )


def _report(file: object, slug: str, problems: list[str]) -> int:
    if not problems:
        print(f"{file}: valid for '{slug}'")
        return 0
    print(f"{file}: {len(problems)} problem(s) for '{slug}':", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


def _cmd_run(args: argparse.Namespace) -> int:
    files = [Path(f) for f in args.file or []]
    out = Path(args.out) if args.out else BUILD_DIR / "runs"
    overrides = _parse_assignments(args.p or [])
    values = runner.resolve_run_parameters(args.slug, files, overrides, args.notebooks)
    problems = _readers_file_problems(args.slug, values)
    if problems:  # what validate rejects, run rejects before anything runs, with its words
        return _report(values["data"], args.slug, problems)
    _run_one(args.slug, out, files, overrides, args.notebooks)
    return 0


def _cmd_book(args: argparse.Namespace) -> int:
    from helpers import book

    slugs = runner.available(args.notebooks)
    clock = time.perf_counter()
    outcomes = book.build(
        slugs, GENERATED_DIR, args.notebooks, workers=args.workers, force=args.force
    )
    status.write_status_page(GENERATED_DIR, {o.slug: o.status for o in outcomes})
    executed = sum(o.status == book.EXECUTED for o in outcomes)
    print(
        f"[book] notebooks ready in {time.perf_counter() - clock:.1f} s ({executed} executed, "
        f"{len(outcomes) - executed} reused); building HTML",
        flush=True,
    )
    clock = time.perf_counter()
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    # Sphinx keeps its environment in _build/.doctrees and re-reads only changed pages
    build = subprocess.run(
        [str(jupyter_book), "build", str(REPO_ROOT), "-W", "-n", "--keep-going"],
        cwd=REPO_ROOT,
        check=False,
    )
    if build.returncode != 0:
        print("[book] jupyter-book build failed (warnings count as errors)", file=sys.stderr)
        return 1
    print(f"[book] HTML built in {time.perf_counter() - clock:.1f} s")
    print(f"[book] rendered: {BUILD_DIR / 'html' / 'index.html'}")
    return 0


def _cmd_pdf(args: argparse.Namespace) -> int:
    from helpers.pdf import PdfBuildError, build_pdf

    try:
        path = build_pdf()
    except PdfBuildError as exc:
        print(f"replicate pdf: {exc}", file=sys.stderr)
        return 1
    print(f"[pdf] written: {path}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    """The contract and, for a chapter, everything its run checks before it estimates
    (:func:`helpers.papers.check_readers_file` with the chapter's parameters)."""
    options = {"data": args.file, "mapping": args.mapping or "", "sheet": args.sheet or ""}
    options["delimiter"] = args.delimiter or ""
    overrides = _parse_assignments(args.p or [])
    if (args.notebooks / f"{args.slug}.ipynb").is_file():
        files = [Path(f) for f in args.file_params or []]
        values = runner.resolve_run_parameters(args.slug, files, overrides, args.notebooks)
        problems = _readers_file_problems(args.slug, values | options)
    else:  # a paper without a chapter notebook yet: its contract only
        from helpers.io import validate_file

        found = validate_file(args.slug, Path(args.file), args.mapping, args.sheet, args.delimiter)
        problems = [str(p) for p in found]
    return _report(args.file, args.slug, problems)


def _cmd_simulate(args: argparse.Namespace) -> int:
    from helpers import papers

    if args.seed is not None and not 0 <= args.seed < 2**32:
        raise InputError(
            f"must be a whole number from 0 to {2**32 - 1}, got {args.seed}", parameter="--seed"
        )
    if args.out:
        target = Path(args.out)
        if target.is_dir():
            raise InputError(f"{target} is a folder; give a CSV file name", parameter="--out")
        if not target.parent.is_dir():
            raise InputError(
                f"folder {target.parent} does not exist; create it first", parameter="--out"
            )
        path = papers.write_panel(args.slug, args.out, seed=args.seed)
        print(f"[simulate] {args.slug} -> {path}")
    else:
        panel = papers.simulate(args.slug, seed=args.seed)
        panel.to_csv(sys.stdout, index=False, float_format=papers.FLOAT_FORMAT)
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from helpers.papers.scaffold import new_paper

    written = new_paper(args.slug, REPO_ROOT)
    print(f"[new] draft paper '{args.slug}' registered; written:")
    for path in written:
        print(f"  {path.relative_to(REPO_ROOT)}")
    print(
        "[new] next: fill the contract, the five layers and the notebook (book/contributing.md);"
        f" `make test` lists what '{args.slug}' still lacks; remove `draft: true` from "
        "data/papers.yml and add the chapter to _toc.yml when nothing is missing."
    )
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from helpers import sweep

    tasks = sweep.plan(
        args.slug,
        seeds=args.seeds or "",
        grid=args.grid,
        data=args.data or "",
        mapping=args.mapping or "",
        knobs=_parse_assignments(args.knob or []),
        parameters=_parse_assignments(args.p or []),
        truth=not args.no_truth,
    )
    with tqdm(total=len(tasks), desc=f"sweep {args.slug}", unit="task", file=sys.stderr) as bar:
        try:
            run = sweep.run_sweep(
                tasks, args.out, workers=args.workers, scheduler=args.scheduler, progress=bar.update
            )
        except sweep.SweepError as exc:
            print(f"replicate: {exc} (rerun to resume)", file=sys.stderr)
            return 1
    print(
        f"[sweep] {run.tasks} tasks: {run.computed} computed, {run.reused} already done, "
        f"{run.seconds:.1f} s -> {run.path}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="replicate", description="Run the replication book's notebooks with parameters."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--notebooks",
        type=Path,
        default=NOTEBOOKS_DIR,
        metavar="DIR",
        help="folder of notebooks (default: the book's notebooks/)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", parents=[common], help="notebooks and their parameters").set_defaults(
        func=_cmd_list
    )
    run = sub.add_parser("run", parents=[common], help="execute one notebook")
    run.add_argument("slug", help="notebook name, see `replicate list`")
    run.add_argument("-p", action="append", metavar="NAME=VALUE", help="set a parameter")
    run.add_argument("-f", "--file", action="append", metavar="PARAMS.yml", help="YAML values")
    run.add_argument("--out", metavar="DIR", help="output folder (default _build/runs)")
    run.set_defaults(func=_cmd_run)
    book = sub.add_parser(
        "book",
        parents=[common],
        help="execute every notebook whose inputs changed (in parallel), then build the book",
    )
    book.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="notebooks executed at once (default: one per core)",
    )
    book.add_argument(
        "--force", action="store_true", help="re-execute every notebook, changed or not"
    )
    book.set_defaults(func=_cmd_book)
    sub.add_parser(
        "pdf",
        help="optional: print the executed book to _build/pdf/book.pdf with headless Chromium "
        "(run `replicate book` first)",
    ).set_defaults(func=_cmd_pdf)
    validate = sub.add_parser(
        "validate",
        parents=[common],
        help="check a data file against a paper's contract and everything its chapter checks",
    )
    validate.add_argument("slug", choices=slugs(drafts=True), help="paper whose contract applies")
    validate.add_argument("file", help="CSV, XLSX, Stata .dta or Parquet file")
    validate.add_argument("--mapping", metavar="MAP.yml", help="your header -> contract name")
    validate.add_argument("--sheet", help="worksheet of an XLSX file (default: the first)")
    validate.add_argument(
        "--delimiter", help="CSV delimiter: ',', ';', 'tab' or '|' (default: detected)"
    )
    validate.add_argument(
        "-p", action="append", metavar="NAME=VALUE", help="a chapter parameter, as for run"
    )
    validate.add_argument(
        "-f", "--file-params", action="append", metavar="PARAMS.yml", help="YAML values"
    )
    validate.set_defaults(func=_cmd_validate)
    new = sub.add_parser(
        "new", help="start a new paper's chapter: its folder, contract, notebook, registry entry"
    )
    new.add_argument("slug", help="the new paper's name (lowercase letters, digits, underscores)")
    new.set_defaults(func=_cmd_new)
    simulate = sub.add_parser("simulate", help="write a paper's simulated panel")
    simulate.add_argument("slug", choices=slugs(drafts=True), help="paper whose process to run")
    simulate.add_argument("--seed", type=int, help="random seed (default: the book's)")
    simulate.add_argument("--out", metavar="FILE", help="CSV to write (default: standard output)")
    simulate.set_defaults(func=_cmd_simulate)
    sweep = sub.add_parser(
        "sweep",
        help="run a paper's pipeline over many seeds or specifications (Dask), resumable",
    )
    sweep.add_argument("slug", choices=slugs(), help="paper whose pipeline to run")
    sweep.add_argument("--seeds", metavar="A:B", help="seeds: a range A:B and/or a list 3,7")
    sweep.add_argument(
        "--grid",
        nargs="?",
        const="paper",
        metavar="GRID.yml",
        help="a specification grid (YAML); without a file, the paper's own",
    )
    sweep.add_argument("--data", metavar="FILE", help="your panel file instead of simulated seeds")
    sweep.add_argument("--mapping", metavar="MAP.yml", help="your header -> contract name")
    sweep.add_argument("--knob", action="append", metavar="NAME=VALUE", help="simulated data")
    sweep.add_argument("-p", action="append", metavar="NAME=VALUE", help="a pipeline parameter")
    sweep.add_argument("--no-truth", action="store_true", help="skip the seeds' known truth")
    sweep.add_argument(
        "--workers", type=int, help="Dask workers (default: one per core; 0: serially)"
    )
    sweep.add_argument("--scheduler", metavar="tcp://HOST:8786", help="an existing Dask cluster")
    sweep.add_argument("--out", required=True, metavar="DIR", help="output folder (resumable)")
    sweep.set_defaults(func=_cmd_sweep)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"replicate: {exc}", file=sys.stderr)
        return 2
    except runner.NotebookFailed as exc:
        print(f"replicate: {exc}", file=sys.stderr)
        return 1
