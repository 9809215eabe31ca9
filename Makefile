# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make book   install, execute every notebook with its default parameters, build the book
#   make test   install, run the tests
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
STAMP := $(VENV)/.installed

.PHONY: install book test lab bench clean lock lint pdf sweeps

$(STAMP): $(LOCK) pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "make: Python 3.11 is required, found " + sys.version.split()[0])'
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

book: install
	$(VENV)/bin/replicate book

test: install
	$(PY) -m pytest

# Optional: the whole book as one PDF via headless Chromium (no TeX, no downloads). It prints
# the executed book, so run `make book` first; needs Debian's chromium and fonts-noto-cjk.
pdf: install
	$(VENV)/bin/replicate pdf

lab: install
	$(VENV)/bin/jupyter lab notebooks

bench: install
	$(PY) benchmarks/run.py

# Optional, for maintainers (about an hour on two cores; not part of test or book): rerun the
# Monte Carlo and specification sweeps committed under data/sweeps/ on a Dask LocalCluster.
# Resumable: per-task results live under _build/sweeps, so an interrupted run continues.
sweeps: install
	$(PY) -m helpers.sweep

lint: install
	$(VENV)/bin/ruff check src tests benchmarks notebooks
	$(VENV)/bin/ruff format --check src tests benchmarks notebooks

# Re-resolve the lock from the ranges in pyproject.toml (needs the registry; run by maintainers).
lock:
	rm -rf /tmp/nqpf-lock && $(PYTHON) -m venv /tmp/nqpf-lock
	/tmp/nqpf-lock/bin/pip install --quiet "pip==25.3" && /tmp/nqpf-lock/bin/pip install --quiet -e ".[dev]"
	{ echo "# Exact pins for Python 3.11, made by 'make lock' from pyproject.toml. Install: pip install -r requirements.lock"; \
	  /tmp/nqpf-lock/bin/pip freeze --all --exclude-editable | grep -v '^nqpf-replication' | LC_ALL=C sort -f; } > $(LOCK)

clean:
	rm -rf _build book/_generated .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
