# Two commands do all the set-up on a fresh machine with Python 3.11, 3.12 or 3.13:
#   make book   install, execute every notebook with its default parameters, build the book
#   make test   install, run the tests
# The newest of python3.13, python3.12 and python3.11 on PATH is used; choose another with
# `make test PYTHON=python3.11` (or a path). A .venv made with another version is remade.
SHELL := /bin/bash
SUPPORTED := 3.13 3.12 3.11
PYTHON ?= $(shell for v in $(SUPPORTED); do p=$$(command -v python$$v) && $$p -c '' 2>/dev/null \
	&& { echo $$p; exit; }; done; command -v python3)
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
STAMP := $(VENV)/.installed-$(PYTHON_VERSION)

.PHONY: install book test lab bench clean lock lint pdf sweeps screenshots

$(STAMP): $(LOCK) pyproject.toml
	@case " $(SUPPORTED) " in *" $(PYTHON_VERSION) "*) ;; \
	  *) echo "make: Python 3.11, 3.12 or 3.13 is required; '$(PYTHON)' is '$(PYTHON_VERSION)'" >&2; exit 1;; esac
	@if [ -x $(PY) ] && [ "$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$(PYTHON_VERSION)" ]; then \
	  echo "make: $(VENV) was made with another Python; making it again with $(PYTHON_VERSION)"; rm -rf $(VENV); fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed*; touch $(STAMP)

install: $(STAMP)
	@echo "make: Python $(PYTHON_VERSION) ($(PYTHON)), environment $(VENV)"

book: install
	$(VENV)/bin/replicate book

# One pytest-xdist worker per core; each test module stays on one worker (`--dist loadfile`),
# so that its module-scoped fixtures (a chapter's runs, the browser tests' book) are built once.
# (Not `loadgroup`: pytest-xdist 3.8 cannot rename pytest 9's node ids, so its groups are
# silently ignored and every module was split over the workers.)
test: install
	$(PY) -m pytest -n auto --dist loadfile

# Optional: the browser tests on the built book, saving screenshots of every page (both
# themes, 1280 and 400 px, each figure) to _build/screenshots/ for a person to look at.
screenshots: install
	$(PY) -m pytest tests/test_browser.py --screenshots -q

# Optional: the whole book as one PDF via headless Chromium (no TeX, no downloads). It prints
# the executed book, so run `make book` first; needs Debian's chromium and fonts-noto-cjk.
pdf: install
	$(VENV)/bin/replicate pdf

lab: install
	$(VENV)/bin/jupyter lab notebooks

# All benchmarks, including `book` (cold and cached book execution, each chapter's run
# time; several minutes). One of them: `$(PY) benchmarks/run.py book`.
bench: install
	$(PY) benchmarks/run.py

# Optional, for maintainers (about an hour on two cores; not part of test or book): rerun the
# Monte Carlo and specification sweeps committed under data/sweeps/ on a Dask LocalCluster.
# Resumable: per-task results live under _build/sweeps, so an interrupted run continues.
sweeps: install
	$(PY) -m helpers.sweep

lint: install
	$(VENV)/bin/ruff check src tests benchmarks notebooks tools
	$(VENV)/bin/ruff format --check src tests benchmarks notebooks tools

# Re-resolve the lock from the ranges in pyproject.toml on every supported Python found on
# PATH (needs the registry; run by maintainers): one lock valid for all of them, with
# per-version lines where they differ. LOCK_FLAGS=--upgrade moves every pin to the newest.
lock:
	$(PYTHON) tools/make_lock.py $(LOCK_FLAGS) $$(for v in $(SUPPORTED); do p=$$(command -v python$$v) \
	  && $$p -c '' 2>/dev/null && echo $$p; done)

clean:
	rm -rf _build book/_generated .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
