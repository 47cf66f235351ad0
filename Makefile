# The README's commands. Every target sets up the virtual environment first (once, and again
# when pyproject.toml or requirements.lock change), so a fresh clone needs only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.setup-stamp
KERNEL := satisfaction

.PHONY: setup reports lint test lab synth messages clean-reports help
.DEFAULT_GOAL := help

help:
	@echo "make reports   set up, run every notebook for every year, render reports/index.html"
	@echo "make test      set up, lint (ruff), then run the whole test suite"
	@echo "make lint      set up, ruff over the library, tests, notebooks, scripts, benchmarks"
	@echo "make lab       set up, open JupyterLab on notebooks/"
	@echo "make synth     rewrite the shipped synthetic raw files (same seed, same bytes)"
	@echo "make messages  add new texts to the Vietnamese catalogue (then translate them)"

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@touch $(STAMP)

setup: $(STAMP)

reports: setup
	$(BIN)/satisfaction run

# Lint first: a finding stops `make test` before the (minutes-long) test suite starts.
LINTED := lib tests notebooks scripts benchmarks

lint: setup
	@$(BIN)/ruff check --output-format concise $(LINTED) || { \
	    echo "make: ruff found the problems above in $(LINTED); fix them (many: $(BIN)/ruff check --fix $(LINTED)) and run make test again" >&2; \
	    exit 1; }

test: lint
	$(BIN)/python -m pytest

lab: setup
	$(BIN)/jupyter lab notebooks/

synth: setup
	$(BIN)/satisfaction synth --out data/raw

messages: setup
	$(BIN)/python -m satisfaction.messages update
	$(BIN)/python -m satisfaction.messages check

clean-reports:
	rm -rf reports/20* reports/index.html data/processed/20*
