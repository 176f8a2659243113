# Quick start: `make run` serves the demo archive on http://127.0.0.1:8000, `make test` runs the whole suite.
# Both create the virtualenv and install what is needed on a machine that has only Python 3.11+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve migrate demo test test-fast lint messages bench clean

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

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
