# The two commands of the README's quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint setup clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

## Set up, then show the whole system: a small shop simulated for three weeks on the embedded
## default (SQLite), then the web app, the worker and an SMTP sink on it (Ctrl-C stops).
demo: $(STAMP)
	$(BIN)/ordertrail demo --db demo.db

## Set up, then run every check: lint, types, layer contracts, the whole test suite.
test: $(STAMP) lint
	$(BIN)/pytest -n auto -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/ordertrail bench ingest --events 20000

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm demo-mail .pytest_cache .mypy_cache .ruff_cache
