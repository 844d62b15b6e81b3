# The two commands of the README's quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEMO_DB ?= sqlite:///demo.db

.PHONY: demo test lint setup clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

## Set up, then run the main job on the embedded default (SQLite): a split order's timeline.
demo: $(STAMP)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/ordertrail --db $(DEMO_DB) init
	$(BIN)/ordertrail --db $(DEMO_DB) import orders examples/orders.jsonl --format jsonl
	$(BIN)/ordertrail --db $(DEMO_DB) ingest examples/events.jsonl
	$(BIN)/ordertrail --db $(DEMO_DB) order show ORD-1001

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
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache .mypy_cache .ruff_cache
