# Aspire: `make run` starts the app with demo data, `make test` runs lint and every test layer.

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# One worker more than the cores: a worker waiting on a server (starting, restarting, answering a browser) leaves
# its core to the others (2 cores: 522 s against 575 s with 2 workers). A test module stays on one worker, so its
# shared app server is started once.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
PYTEST_ARGS ?=
# The locks: every package at an exact version with its hashes, for Python 3.11 on Linux x86_64.
# requirements.lock is the app's set; requirements-dev.lock adds the test and lint tools (pyproject's dev extra).
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# `make lock LOCK_ARGS=--upgrade` moves every package to the newest version pyproject.toml allows.
LOCK_ARGS ?=
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" --quiet $(LOCK_ARGS)

.DEFAULT_GOAL := help
.PHONY: help venv install install-dev run servers test lint lock bench clean-data

help:
	@echo "make run         start the app on http://localhost:$(PORT) (demo data unless COACHING_DEMO=0)"
	@echo "make servers     app servers (SERVERS=2) sharing COACHING_DB=postgresql://... behind nginx on :8600"
	@echo "make test        lint, then unit, app and browser tests (needs /usr/bin/chromium)"
	@echo "make lint        ruff, the import contracts (lint-imports) and the type checker (mypy)"
	@echo "make lock        refresh $(LOCK) and $(DEV_LOCK) from pyproject.toml (LOCK_ARGS=--upgrade: newest allowed)"
	@echo "make bench       benchmarks (bench/)"
	@echo "make clean-data  delete the local database data/coaching.duckdb to start clean"

$(PY):
	python3 -m venv $(VENV)

# Install a lock exactly (each file checked against its hash), then Aspire itself, editable, without dependencies.
# pip check refuses a lock that no longer satisfies pyproject.toml.
define install_locked
	$(PY) -m pip install --require-hashes -r $(1)
	$(PY) -m pip install --no-deps -e .
	$(PY) -m pip check || { echo "$(1) does not match pyproject.toml: run make lock" >&2; exit 1; }
	touch $@
endef

# Stamps: reinstall only when a lock or pyproject.toml changes.
$(VENV)/.installed: $(LOCK) pyproject.toml | $(PY)
	$(call install_locked,$(LOCK))

$(VENV)/.installed-dev: $(DEV_LOCK) pyproject.toml | $(PY)
	$(call install_locked,$(DEV_LOCK))

venv install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The dev set first, then the app's set constrained by it: the app runs on exactly the versions the tests ran on.
lock: | $(PY)
	$(PY) -m pip install 'uv>=0.13'
	$(UV_COMPILE) --extra dev -o $(DEV_LOCK)
	$(UV_COMPILE) -c $(DEV_LOCK) -o $(LOCK)

run: $(VENV)/.installed
	export COACHING_DEMO=$${COACHING_DEMO:-1}; \
	$(VENV)/bin/coaching check-config && \
	exec $(VENV)/bin/streamlit run server.py --server.port $(PORT) --server.headless true

# Several app servers sharing COACHING_DB=postgresql://... behind nginx with sticky sessions (deploy/servers.py
# says which variables it reads); Ctrl-C stops them all.
servers: $(VENV)/.installed
	export COACHING_DEMO=$${COACHING_DEMO:-1}; exec $(PY) deploy/servers.py

test: lint
	rm -f .test-results/junit.xml
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --junitxml=.test-results/junit.xml $(PYTEST_ARGS)

# The floors of docs/architecture.md are [tool.importlinter]'s contracts; mypy reads all of coaching/.
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: $(VENV)/.installed-dev
	$(PY) -m bench

clean-data:
	rm -f data/coaching.duckdb data/coaching.duckdb.wal
