# Aspire: `make run` starts the app with demo data, `make test` runs lint and every test layer.

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# One worker more than the cores: a worker waiting on a server (starting, restarting, answering a browser) leaves
# its core to the others (2 cores: 522 s against 575 s with 2 workers). A test module stays on one worker, so its
# shared app server is started once; modules go out in the order tests/conftest.py sorts them.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
PYTEST_ARGS ?=
# The locks: every package at an exact version with its hashes, for Python 3.11 on Linux x86_64.
# requirements.lock is the app's set; requirements-dev.lock adds the test and lint tools (pyproject's dev extra).
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# requirements-uv.lock: the installer itself (uv), which installs the other two.
UV_LOCK := requirements-uv.lock
UV_VERSIONS := uv>=0.13,<0.14
UV := $(VENV)/bin/uv
# `make lock LOCK_ARGS=--upgrade` moves every package to the newest version pyproject.toml allows.
LOCK_ARGS ?=
UV_COMPILE = $(UV) pip compile --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" --quiet $(LOCK_ARGS)

.DEFAULT_GOAL := help
.PHONY: help venv install install-dev run servers test lint style lock bench clean-data

help:
	@echo "make run         start the app on http://localhost:$(PORT) (demo data unless COACHING_DEMO=0)"
	@echo "make servers     app servers (SERVERS=2) sharing COACHING_DB=postgresql://... behind nginx on :8600"
	@echo "make test        lint, and unit, app and browser tests (needs Debian's chromium-headless-shell)"
	@echo "make lint        ruff, the import contracts (lint-imports) and the type checker (mypy)"
	@echo "make lock        refresh $(LOCK) and $(DEV_LOCK) from pyproject.toml (LOCK_ARGS=--upgrade: newest allowed)"
	@echo "make bench       benchmarks (bench/)"
	@echo "make clean-data  delete the local database data/coaching.duckdb to start clean"

$(PY):
	python3 -m venv $(VENV)

# uv installs the locks: 4 s where pip took 40 s for the dev lock into a new .venv (no cache either way), most of
# it pip's own CPU. uv comes from a lock of its own, by hash like everything else.
$(UV): $(UV_LOCK) | $(PY)
	$(PY) -m pip install --require-hashes -r $(UV_LOCK)
	touch $@

# Install a lock exactly (each file checked against its hash), then Aspire itself, editable, without dependencies.
# uv pip check refuses a lock that no longer satisfies pyproject.toml.
define install_locked
	$(UV) pip install --python $(PY) --require-hashes -r $(1)
	$(UV) pip install --python $(PY) --no-deps -e .
	$(UV) pip check --python $(PY) || { echo "$(1) does not match pyproject.toml: run make lock" >&2; exit 1; }
	touch $@
endef

# Stamps: reinstall only when a lock or pyproject.toml changes.
$(VENV)/.installed: $(LOCK) pyproject.toml | $(UV)
	$(call install_locked,$(LOCK))

$(VENV)/.installed-dev: $(DEV_LOCK) pyproject.toml | $(UV)
	$(call install_locked,$(DEV_LOCK))

venv install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The dev set first, then the app's set constrained by it: the app runs on exactly the versions the tests ran on.
# uv's own lock follows UV_VERSIONS.
lock: | $(UV)
	$(UV_COMPILE) pyproject.toml --extra dev -o $(DEV_LOCK)
	$(UV_COMPILE) pyproject.toml -c $(DEV_LOCK) -o $(LOCK)
	echo '$(UV_VERSIONS)' | $(UV_COMPILE) - -o $(UV_LOCK)

run: $(VENV)/.installed
	export COACHING_DEMO=$${COACHING_DEMO:-1}; \
	$(VENV)/bin/coaching check-config && \
	exec $(VENV)/bin/streamlit run server.py --server.port $(PORT) --server.headless true

# Several app servers sharing COACHING_DB=postgresql://... behind nginx with sticky sessions (deploy/servers.py
# says which variables it reads); Ctrl-C stops them all.
servers: $(VENV)/.installed
	export COACHING_DEMO=$${COACHING_DEMO:-1}; exec $(PY) deploy/servers.py

# The type checker runs beside the tests, its report printed after theirs: on its own it kept one core busy and
# the other idle for 24 s (no cache, as on a fresh clone). Either failing fails `make test`.
test: style
	rm -f .test-results/junit.xml
	mkdir -p .test-results
	$(VENV)/bin/mypy >.test-results/mypy.txt 2>&1 & typing=$$!; \
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --junitxml=.test-results/junit.xml $(PYTEST_ARGS); \
	tests=$$?; wait $$typing; typed=$$?; \
	echo "mypy:"; cat .test-results/mypy.txt; \
	exit $$(( tests ? tests : typed ))

# mypy reads all of coaching/ (pyproject.toml's [tool.mypy]).
lint: style
	$(VENV)/bin/mypy

# The floors of docs/architecture.md are [tool.importlinter]'s contracts.
style: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: $(VENV)/.installed-dev
	$(PY) -m bench

clean-data:
	rm -f data/coaching.duckdb data/coaching.duckdb.wal
