# Backprop from Scratch: the two commands of the README, and the steps they are made of.
#
#   make book    set everything up, build the book, print where it is
#   make test    set everything up, run every check (unit tests, nbval, book build, browser check)
#
# Both do all their own set-up, and doing it again is cheap: each step skips what is already done.
# `make help` lists the other targets (one notebook's check, re-executing a notebook, JupyterLab...).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
KERNEL := backprop
KERNEL_DISPLAY := Backprop from Scratch
# JupyterLab is only for reading the chapters locally (make lab); it is kept out of requirements.txt
# because Binder brings its own and CI does not need it.
JUPYTERLAB := jupyterlab==4.6.6
# Renders the chapters' MyST (exercises, theorems, {eq}...) in JupyterLab; Binder gets it from postBuild.
JUPYTERLAB_MYST := jupyterlab-myst==2.7.0

# Notebooks run with one BLAS thread, both when their outputs are stored (make execute) and when
# nbval re-runs them: results then do not depend on the machine's core count, and at the course's
# batch sizes one thread is about as fast as two, and two slow down badly when another process holds a core.
NB_ENV := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0
NB ?= book
SITE := _build/html
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help book test setup setup-book system-deps system-deps-test data assets kernel \
        unit nbval nbval-portable build site-check execute sync-url lab kernel-user serve clean \
        notebooks pdf instructor-guide

help:
	@echo "make book         set up, build the book into $(SITE)/ and print its path"
	@echo "make test         set up, then run every check; prints the time of each part"
	@echo ""
	@echo "Parts of make test (after a first make book or make test):"
	@echo "  make unit         unit tests of mlp_core (tests/)"
	@echo "  make nbval        strict nbval on every notebook; one notebook: make nbval NB=book/02_one_neuron.ipynb"
	@echo "  make build        clean book build with warnings as errors"
	@echo "  make site-check   headless Chromium over the built site"
	@echo "Other:"
	@echo "  make execute NB=book/03_backpropagation.ipynb   re-run a notebook and store its outputs"
	@echo "  make nbval-portable [NB=...]  nbval with other machines' kernels emulated (before committing a notebook)"
	@echo "  make lab          JupyterLab on the chapters, with the course's kernel"
	@echo "  make notebooks    the learner notebooks (Jupyter-native Markdown) in _build/notebooks/"
	@echo "  make student      the student edition (no solutions) in _build/student/html/"
	@echo "  make assignments  one exercise notebook per chapter in _build/assignments/ (grade: python -m mlp_core.grade)"
	@echo "  make kernel-user  register the course's kernel for a Jupyter installed elsewhere"
	@echo "  make serve        serve the built book on http://localhost:8000/"
	@echo "  make sync-url     rewrite the repository address everywhere from _config.yml"
	@echo "  make pdf          both editions as PDF (_build/latex/book.pdf, _build/student-latex/book.pdf), checked"
	@echo "  make instructor-guide  regenerate the chapter guide of book/instructors.md from the chapters"
	@echo "  make clean        remove built and fetched files (not the virtual environment)"

# ---------------------------------------------------------------------------------------------
# Set-up (every step idempotent)

# The virtual environment, with the pinned requirements and mlp_core (editable). Reinstalled only
# when requirements.txt or pyproject.toml changed since the last install.
$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(PY) || { echo "setup: creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "setup: pip install -r requirements.txt"
	@$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

# The course's Jupyter kernel, inside the virtual environment (used by nbval, make execute, make lab).
$(VENV)/share/jupyter/kernels/$(KERNEL)/kernel.json: $(VENV)/.installed
	@$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "$(KERNEL_DISPLAY)" >/dev/null
	@echo "setup: kernel '$(KERNEL)' registered in $(VENV)"

kernel: $(VENV)/share/jupyter/kernels/$(KERNEL)/kernel.json

system-deps:
	@bash scripts/system_deps.sh dataset-fashion-mnist

system-deps-test:
	@bash scripts/system_deps.sh dataset-fashion-mnist chromium

# Find, verify (checksums) and decode Fashion-MNIST; downloads it only when no copy is found.
data: $(VENV)/.installed
	@$(PY) -m mlp_core.data

# MathJax, RequireJS and the widget manager, from the npm registry, pinned by package-lock.json.
assets:
	@$(PYTHON) scripts/fetch_assets.py

setup-book: system-deps $(VENV)/.installed kernel data assets
setup: system-deps-test $(VENV)/.installed kernel data assets

# ---------------------------------------------------------------------------------------------
# The two commands

book: setup-book
	@$(MAKE) build
	@echo ""
	@echo "The book is built: $(abspath $(SITE))/index.html"
	@echo "Open that file in a browser, or serve it with:  make serve"
	@echo "  (that is: $(PY) -m http.server --directory $(SITE) 8000, then http://localhost:8000/)"

test:
	@$(PYTHON) scripts/run_tests.py setup unit nbval build student site-check

# ---------------------------------------------------------------------------------------------
# The parts of make test (they assume the set-up is done)

unit:
	$(BIN)/pytest tests

nbval:
	$(NB_ENV) $(BIN)/pytest $(NB) --nbval --nbval-kernel-name $(KERNEL) \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

# Not part of make test or CI: it forces other BLAS kernels (OPENBLAS_CORETYPE) and turns NumPy's
# AVX-512 loops off, to check that stored outputs hold on readers' machines (CONTRIBUTING.md).
nbval-portable: kernel
	$(PYTHON) scripts/nbval_portable.py $(NB)

build:
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going

site-check:
	$(BIN)/pytest tests/site --site -v

# The chapters as learner notebooks, Markdown that Jupyter and Colab render (scripts/learner_notebooks.py);
# the Pages workflow publishes them. Under a second: no kernel, no build.
notebooks: $(VENV)/.installed
	$(PY) scripts/learner_notebooks.py --out _build/notebooks

# For instructors (CONTRIBUTING.md): the book without any solution, in _build/student/html (a full build into a
# scratch folder, never touching _build/html; make site-check checks it too), and one exercise notebook per chapter
# in _build/assignments/, graded by `python -m mlp_core.grade`.
.PHONY: student assignments
student: $(VENV)/.installed
	$(PY) scripts/student_edition.py --out _build/student

assignments: $(VENV)/.installed
	$(PY) scripts/assignments.py --out _build/assignments

# ---------------------------------------------------------------------------------------------
# Working on the book

execute: kernel
	$(NB_ENV) $(PY) scripts/execute_notebooks.py $(NB)

sync-url: $(VENV)/.installed
	$(PY) scripts/sync_repo_url.py

# The per-chapter part of the instructor guide, from the chapters and book/instructor_guide.yml.
instructor-guide: $(VENV)/.installed
	$(PY) scripts/instructor_guide.py

# The PDF for printing, instructor and student editions (scripts/pdf.py), then their checks (pdftotext).
# Not in make test (it needs TeX Live, large to install): CI runs it as a step of its own (.ci/run).
pdf: $(VENV)/.installed
	@bash scripts/system_deps.sh texlive
	$(PY) scripts/pdf.py instructor student
	BFS_PDF_TESTS=1 $(BIN)/pytest tests/test_pdf.py -p no:cacheprovider

lab: $(VENV)/.installed kernel data
	@$(PY) -c "import jupyterlab, jupyterlab_myst" 2>/dev/null || \
	  $(PY) -m pip install --quiet "$(JUPYTERLAB)" "$(JUPYTERLAB_MYST)"
	$(BIN)/jupyter lab book/

kernel-user: $(VENV)/.installed
	$(PY) -m ipykernel install --user --name $(KERNEL) --display-name "$(KERNEL_DISPLAY)"

serve:
	$(PY) -m http.server --directory $(SITE) 8000

clean:
	rm -rf _build _vendor test-artifacts
