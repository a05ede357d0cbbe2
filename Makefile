# Two commands do everything on a fresh machine with Python >= 3.11 and make:
#   make demo   set up .venv, generate the demo study, run every stage
#   make test   set up .venv and run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
DEMO_STUDY := analyses/demo/study.yaml
DEMO_DATA := data/demo/.complete

.PHONY: demo test lint bench setup lock clean-out help

help:
	@echo "make demo   - set up, generate the demo study, run all stages (out/demo/)"
	@echo "make test   - set up and run the tests"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - performance benchmarks (benchmarks/*.py)"
	@echo "make lock   - re-resolve pyproject.toml into requirements.lock"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The exact versions the suite was run with (requirements.lock), then the package
# itself without resolving again; pyproject.toml keeps the ranges for library users.
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# Regenerate the lock: resolve pyproject.toml's ranges in a fresh venv, freeze it.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	{ echo "# Exact versions for make setup/test/demo; regenerate with make lock."; \
	  echo "# Resolved from pyproject.toml (with [dev]) on $$(.venv-lock/bin/python -c 'import platform; print(\"Python\", platform.python_version(), platform.system(), platform.machine())')."; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable; } > $(LOCK)
	rm -rf .venv-lock

setup: $(STAMP)

$(DEMO_DATA): $(STAMP)
	$(BIN)/leerlab demo --seed 7 --out data/demo
	@touch $(DEMO_DATA)

DEMO_OUT := out/demo
CODER_SHEETS := data/demo/coding/codeur_A.xlsx data/demo/coding/codeur_B.xlsx

# The demo study with its open answers double-coded: clean and code, then two simulated
# coders fill in the coding sheet from the truth themes (`leerlab demo --coders-for`),
# `leerlab code --import` reads them back (agreement in the methods report), and
# `leerlab run` runs every stage (clean and code again give the same bytes, so the
# imported codes stay current).
demo: $(STAMP) $(DEMO_DATA)
	$(BIN)/leerlab clean --study $(DEMO_STUDY) --out $(DEMO_OUT)
	$(BIN)/leerlab code --study $(DEMO_STUDY) --out $(DEMO_OUT)
	$(BIN)/leerlab demo --seed 7 --out data/demo --coders-for $(DEMO_OUT)
	$(BIN)/leerlab code --import $(CODER_SHEETS) --study $(DEMO_STUDY) --out $(DEMO_OUT)
	$(BIN)/leerlab run --study $(DEMO_STUDY) --out $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	@for f in $(filter-out benchmarks/_util.py,$(wildcard benchmarks/*.py)); do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean-out:
	rm -rf out data/demo
