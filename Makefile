# Taizhang — developer and CI entry points (GNU make, bash; Debian 12 with python3.11 + python3-venv).
#
#   make run     install, migrate, load the demo data once, serve http://127.0.0.1:8000 (SQLite, ./var/)
#                with a background-job worker (taizhang db_worker) beside the web server
#   make test    install, then lint + migration check + the whole suite on SQLite and on PostgreSQL
#
# Variables: PYTHON (python3), PYTEST_ARGS (extra pytest arguments), PYTEST_WORKERS (0 = one process),
# TEST_DATABASE_URL (the PostgreSQL database the suite uses; pytest-django adds the test_ prefix).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TAIZHANG := $(BIN)/taizhang
STAMP := $(VENV)/.taizhang-installed
DEV_SETTINGS := config.settings.dev
# Password `postgres` matters only where local TCP auth is not trust (see scripts/ensure-services.sh).
TEST_DATABASE_URL ?= postgresql://postgres:postgres@127.0.0.1:5432/taizhang_test
export TEST_DATABASE_URL PYTEST_ARGS PYTEST_WORKERS

.PHONY: help install run test test-sqlite test-pg lint migrations-check services fmt messages \
	compile-messages clean bench

help:
	@echo "make run          install, migrate, load demo data, serve http://127.0.0.1:8000"
	@echo "make test         lint + migrations check + whole suite on SQLite and PostgreSQL"
	@echo "make test-sqlite  the suite on SQLite only       make test-pg   on PostgreSQL only"
	@echo "make lint         ruff check + ruff format --check"
	@echo "make fmt          ruff format + ruff check --fix"
	@echo "make messages     regenerate taizhang/locale/en .po, report untranslated, compile"
	@echo "make install      create .venv, pip install -e '.[dev]', compile translations"
	@echo "make bench        benchmarks P1-P8 on bench databases of their own -> BENCHMARKS.md"

# ---------------------------------------------------------------------------------- install

install: $(STAMP) compile-messages

# Re-installs only when pyproject.toml changed (or the venv is new), so `make test` and
# `make run` cost nothing extra the second time.
$(STAMP): pyproject.toml
	@if [ ! -x $(BIN)/pip ]; then \
		echo "creating $(VENV) with $$($(PYTHON) --version)"; \
		if ! $(PYTHON) -m venv $(VENV); then \
			if [ "$$(id -u)" -eq 0 ]; then \
				DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null && \
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv </dev/null && \
				rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
			else \
				echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"; \
				exit 1; \
			fi; \
		fi; \
	fi
	@echo "pip install -e '.[dev]'"
	@# The filter drops pip's notes about package mirrors configured on this machine but absent.
	@{ $(BIN)/pip install --quiet --disable-pip-version-check --no-input -e '.[dev]' 2>&1; } \
		| { grep -v "^WARNING: Location 'file:" || true; }
	@touch $@

# Compiled catalogs (.mo) are committed, so a missing msgfmt only costs freshness, not a
# broken UI; as root the script installs gettext. compilemessages skips up-to-date .mo files.
compile-messages: $(STAMP)
	@scripts/ensure-services.sh gettext || echo "warning: gettext missing, using the committed .mo files"
	@if command -v msgfmt >/dev/null; then \
		$(TAIZHANG) compilemessages --ignore='.*' --ignore=var --ignore=node_modules \
			--ignore=build --ignore=dist --verbosity=0; \
	fi

# ---------------------------------------------------------------------------------- run

run: install
	@mkdir -p var
	@export DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS); \
	$(TAIZHANG) migrate --noinput; \
	demo_log=$$(mktemp); \
	$(TAIZHANG) demo --if-empty | tee "$$demo_log"; \
	if ! grep -q demo1234 "$$demo_log"; then \
		echo; \
		echo "Demo logins (password demo1234): admin, secretary, lead, member, committee, secretary2"; \
	fi; \
	rm -f "$$demo_log"; \
	echo; \
	echo "Taizhang: http://127.0.0.1:8000  (SQLite database: var/taizhang.sqlite3; Ctrl-C stops)"; \
	echo; \
	$(TAIZHANG) db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(TAIZHANG) runserver 127.0.0.1:8000

# ---------------------------------------------------------------------------------- tests

services:
	@scripts/ensure-services.sh

test: install services
	@scripts/run-tests.sh lint migrations sqlite pg

test-sqlite: install
	@scripts/run-tests.sh sqlite

test-pg: install
	@scripts/ensure-services.sh postgres
	@scripts/run-tests.sh pg

lint: install
	@scripts/run-tests.sh lint

migrations-check: install
	@scripts/run-tests.sh migrations

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# ---------------------------------------------------------------------------------- bench

# Rebuilds var/bench/ (SQLite) and the PostgreSQL databases taizhang_bench(_half) from
# nothing, never the dev database; the two run at once (--parallel), one per core.
# BENCH_ARGS=--quick: company scale, short P8.
BENCH_DATABASE_URL ?= postgresql://postgres:postgres@127.0.0.1:5432/taizhang_bench
BENCH_ARGS ?=

bench: install
	@scripts/ensure-services.sh postgres
	@env -u DATABASE_URL -u DJANGO_SETTINGS_MODULE $(TAIZHANG) bench --parallel \
		--pg-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

# ---------------------------------------------------------------------------------- i18n

messages: install
	@scripts/ensure-services.sh gettext
	$(BIN)/python scripts/update-translations.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
