# Quick start: `make run` serves the demo archive on http://127.0.0.1:8000, `make test` runs the whole suite.
# Both create the virtualenv and install what is needed on a machine that has only Python 3.11+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve migrate demo test test-fast lint messages bench bench-data bench-load clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ — log in as director, manager1, … with password demo-pass-2026"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite, browser tests included (they are skipped, with a reason, where Chromium is not installed).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# Needs GNU gettext; the compiled catalogues are committed so running the app does not.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore '.venv/*' --no-obsolete
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore '.venv/*'

# The benchmark (bench/run.py) on a generated archive of its own, never the data in ARCHIVE_DATA_DIR: SQLite in
# var/bench/, or PostgreSQL with BENCH_DATABASE_URL (its database is dropped and made afresh, e.g.
# BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_bench). BENCH_SIZE=100000 for the full run.
BENCH_SIZE ?= 5000
BENCH_MANAGERS ?= 200
BENCH_REPEAT ?= 15
BENCH_DATA ?= var/bench
BENCH_STAMP := $(VENV)/.bench-stamp
BENCH_DB := $(if $(BENCH_DATABASE_URL),postgresql,sqlite)
BENCH_ENV = DJANGO_SETTINGS_MODULE=bench.settings ARCHIVE_DATA_DIR=$(BENCH_DATA) \
	$(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL))

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench-data: $(BENCH_STAMP)
	mkdir -p $(BENCH_DATA)
	$(BENCH_ENV) $(BIN)/python bench/run.py reset
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py generate_dataset --customers $(BENCH_SIZE) --managers $(BENCH_MANAGERS) \
		| tee $(BENCH_DATA)/generate-$(BENCH_DB)-$(BENCH_SIZE).log

bench: bench-data
	$(BENCH_ENV) $(BIN)/python bench/run.py --size $(BENCH_SIZE) --repeat $(BENCH_REPEAT) --explain after \
		--generate-log $(BENCH_DATA)/generate-$(BENCH_DB)-$(BENCH_SIZE).log

# 50 users for 60 s against gunicorn with 4 workers, on the data the last `make bench` generated.
bench-load: $(BENCH_STAMP)
	$(BENCH_ENV) BIN=$(BIN) bench/load.sh
	$(BENCH_ENV) $(BIN)/python bench/run.py report

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
