# lexdesk — every command a developer or CI needs. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export LEXDESK_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: help install demo serve test lint typecheck contracts pytest bench docs clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==26.3
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create the virtual environment and install lexdesk with its tools

demo: $(STAMP) ## initialise the SQLite database, load the demo story
	$(BIN)/lexdesk init
	$(BIN)/lexdesk demo

test: lint typecheck contracts pytest ## every check: ruff, mypy, import contracts, the whole test suite

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -n 2 -q

bench: $(STAMP) ## run the benchmarks in benchmarks/ and print their figures
	$(BIN)/python -m benchmarks

clean: ## remove the environment and local databases
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
