"""Every committed notebook follows the book's conventions and runs with small parameters."""

from __future__ import annotations

import nbformat
import pytest
import yaml
from chapter_support import assert_no_figure_drawn_twice, assert_pipeline_gives_the_chapters_bytes

from helpers import registry, runner
from helpers.paths import NOTEBOOKS_DIR, PARAMS_DIR, REPO_ROOT

SLUGS = runner.available()


def test_there_are_notebooks():
    assert "published" in SLUGS and "template" in SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_committed_notebook_has_no_outputs(slug):
    nb = nbformat.read(NOTEBOOKS_DIR / f"{slug}.ipynb", as_version=4)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    assert dirty == [], f"{slug}: cells {dirty} carry outputs; strip them before committing"


@pytest.mark.parametrize("slug", SLUGS)
def test_first_cell_is_hidden_imports_and_parameters_follow(slug):
    nb = nbformat.read(NOTEBOOKS_DIR / f"{slug}.ipynb", as_version=4)
    assert "remove-cell" in nb.cells[0].metadata.get("tags", [])
    assert "parameters" in nb.cells[1].metadata.get("tags", [])


# A chapter with its own test module (tests/test_SLUG_chapter.py) runs its notebook there
# already (the data chapter with its defaults, each paper with the quick parameters, checking
# that the paper's pipeline gives the same bytes: tests/chapter_support.py); running it here
# again cost a minute of every `make test`.
CHAPTER_MODULES = {s for s in SLUGS if (REPO_ROOT / "tests" / f"test_{s}_chapter.py").is_file()}


@pytest.mark.book
@pytest.mark.parametrize("slug", [s for s in SLUGS if s not in CHAPTER_MODULES])
def test_notebook_executes_with_small_parameters(slug, tmp_path):
    quick = PARAMS_DIR / "quick" / f"{slug}.yml"
    files = [quick] if quick.exists() else []
    record = runner.run_notebook(slug, tmp_path, parameter_files=files)
    assert record.seconds > 0
    assert_no_figure_drawn_twice(tmp_path / f"{slug}.ipynb")
    if slug in registry.slugs():
        assert_pipeline_gives_the_chapters_bytes(slug, record, tmp_path)


def test_every_papers_chapter_module_checks_its_pipeline():
    """The papers left out above are checked in their own modules."""
    for slug in CHAPTER_MODULES & set(registry.slugs()):
        source = (REPO_ROOT / "tests" / f"test_{slug}_chapter.py").read_text(encoding="utf-8")
        assert "assert_pipeline_gives_the_chapters_bytes(SLUG" in source, slug


@pytest.mark.parametrize("slug", SLUGS)
def test_every_parameter_has_help_text(slug):
    """The help comment is what `replicate list` shows; one line per parameter keeps it."""
    undocumented = [
        p.name for p in runner.declared_parameters(runner.notebook_path(slug)) if not p.help
    ]
    assert undocumented == [], f"{slug}: parameters without a '# help' comment: {undocumented}"


@pytest.mark.parametrize("slug", SLUGS)
def test_first_cell_installs_the_package_when_the_notebook_is_opened_alone(slug):
    """A lone notebook (Colab's launch button) installs the book's package from the repository
    named in _config.yml before its imports; with the package installed it does nothing."""
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    repository = config["repository"]
    address = f"git+{repository['url']}@{repository['branch']}"
    source = nbformat.read(NOTEBOOKS_DIR / f"{slug}.ipynb", as_version=4).cells[0].source
    guard = 'if importlib.util.find_spec("helpers") is None:\n    %pip install --quiet'
    assert guard in source and f'"nqpf-replication @ {address}"' in source
    assert source.index(guard) < source.index("from helpers")
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
