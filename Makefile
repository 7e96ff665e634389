# Aspire: `make run` starts the app with demo data, `make test` runs lint and every test layer.

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# One worker per core; a test module stays on one worker, so its shared app server is started once.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv install install-dev run test lint bench clean-data

help:
	@echo "make run         start the app on http://localhost:$(PORT) (demo data unless COACHING_DEMO=0)"
	@echo "make test        lint, then unit, app and browser tests (needs /usr/bin/chromium)"
	@echo "make lint        ruff check"
	@echo "make bench       benchmarks (bench/)"
	@echo "make clean-data  delete the local database data/coaching.duckdb to start clean"

$(PY):
	python3 -m venv $(VENV)

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -e '.[dev]'
	touch $@

venv install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: $(VENV)/.installed
	export COACHING_DEMO=$${COACHING_DEMO:-1}; \
	$(VENV)/bin/coaching check-config && \
	exec $(VENV)/bin/streamlit run server.py --server.port $(PORT) --server.headless true

test: $(VENV)/.installed-dev
	rm -f .test-results/junit.xml
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --junitxml=.test-results/junit.xml $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

bench: $(VENV)/.installed-dev
	$(PY) -m bench

clean-data:
	rm -f data/coaching.duckdb data/coaching.duckdb.wal
