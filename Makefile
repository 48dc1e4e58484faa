# The two commands a newcomer needs:  `make run`  and  `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint deadcode

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,sandbox-test,push]'
	touch $(STAMP)

# Runs the bot; with no token configured this is the offline demo.
run: $(STAMP)
	$(BIN)/township-bot run --demo-if-no-token

demo: $(STAMP)
	$(BIN)/township-bot demo

# The test suite (SQLite by default; set TOWNSHIP_TEST_DATABASE_URL for PostgreSQL).
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(MAKE) deadcode

# Code nothing calls (settings in [tool.vulture], pyproject.toml).
deadcode: $(STAMP)
	$(BIN)/vulture
