# ARBIG developer entry points. `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=

PY_STAMP  := $(VENV)/.stamp-python
# The npm stamp lives in node_modules so that deleting node_modules re-runs `npm ci`.
NPM_STAMP := frontend/node_modules/.stamp-npm-ci
STATIC    := src/arbig/web/static/index.html
FRONT_SRC := $(shell find frontend/src -type f 2>/dev/null) \
             frontend/index.html frontend/vite.config.ts frontend/tsconfig.json

.PHONY: help setup run test lint fmt frontend types bench screenshots clean distclean

help:
	@echo "make run     install what is missing, then start the console (ARGS='--port 8001')"
	@echo "make test    lint + type checks + front-end unit tests + pytest (scripts/test.sh)"
	@echo "make setup   only install: .venv from requirements.lock, npm ci, front-end build"
	@echo "make types   regenerate frontend/src/api/schema.d.ts from the app's OpenAPI document"
	@echo "make lint | fmt | frontend | bench | screenshots | clean | distclean"

setup: $(PY_STAMP) $(NPM_STAMP) $(STATIC)
	@# prints what is missing without failing the setup; system-deps.sh enforces it in CI
	@CI= bash scripts/ctp-locale.sh

# ---- Python: .venv from the lock, then the project itself (editable, no deps)
$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "error: $(PYTHON) not found; ARBIG needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "error: ARBIG needs Python >= 3.11, but $(PYTHON) is $$($(PYTHON) -V 2>&1)." >&2; \
	  echo "       Install Python 3.11+ and run: make setup PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# ---- Front end: npm ci from package-lock.json, then build into src/arbig/web/static
$(NPM_STAMP): frontend/package-lock.json frontend/package.json
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found; install Node.js >= 20.19 with npm" >&2; exit 1; }
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

$(STATIC): $(NPM_STAMP) $(FRONT_SRC)
	cd frontend && npm run build

frontend: $(NPM_STAMP)
	cd frontend && npm run build

# The console's API types come from the OpenAPI document (scripts/openapi.py) through
# openapi-typescript; `make test` fails while the committed file differs from it.
types: $(PY_STAMP) $(NPM_STAMP)
	bash scripts/types.sh

# ---- Everyday targets
# The demo configuration starts the simulated market with a strategy trading on it;
# `make run RUN_CONFIG=` starts without one.
RUN_CONFIG ?= config/demo.toml
run: setup
	$(BIN)/arbig run $(if $(RUN_CONFIG),--config $(RUN_CONFIG)) $(ARGS)

test: setup
	@if [ "$${CI:-}" = "true" ]; then bash scripts/system-deps.sh; fi
	bash scripts/test.sh

lint: $(PY_STAMP)
	bash scripts/test.sh --lint-only

fmt: $(PY_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the screenshots the README and docs/console.md show, from the browser tests.
screenshots: setup
	ARBIG_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/e2e/browser -q

bench: setup
	@if ! ls bench/*.py >/dev/null 2>&1; then echo "bench: no benchmarks in bench/ yet"; exit 0; fi; \
	rc=0; for f in bench/*.py; do \
	  case "$$(basename $$f)" in _*|conftest.py) continue;; esac; \
	  echo "==> $$f"; $(BIN)/python "$$f" || rc=1; \
	done; exit $$rc

clean:
	rm -rf src/arbig/web/static artifacts .mypy_cache .ruff_cache .pytest_cache .hypothesis \
	       build dist frontend/dist
	find . -path ./.venv -prune -o -path ./frontend/node_modules -prune -o \
	       -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) frontend/node_modules
