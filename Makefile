# lexdesk — every command a developer or CI needs. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VENDOR := src/lexdesk/entrypoints/web/static/vendor/VERSIONS.json
# The client generator lives in a venv of its own: its pins (typer) differ from lexdesk's.
GENERATOR := .tools/openapi-python-client
CLIENT := build/lexdesk-client
export LEXDESK_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: help lock install assets browser poppler client demo serve test lint typecheck contracts security pytest coverage crash bench screenshots clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

# Every dependency, direct or not, at the version and with the hashes the lock file names
# (`make lock` writes it from pyproject.toml's pins); lexdesk itself without dependencies.
LOCK := requirements/dev.lock
PIP_TOOLS := .tools/pip-tools

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==26.3
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

lock: ## write requirements/dev.lock and clients/requirements.lock: every dependency pinned, with its hashes
	$(PYTHON) -m venv $(PIP_TOOLS)
	$(PIP_TOOLS)/bin/pip install --quiet pip-tools==7.6.2
	$(PIP_TOOLS)/bin/pip-compile --quiet --generate-hashes --extra dev --strip-extras \
	  --allow-unsafe --no-emit-index-url --no-emit-find-links \
	  --output-file $(LOCK) pyproject.toml
	$(PIP_TOOLS)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links \
	  --output-file clients/requirements.lock clients/requirements.txt

install: $(STAMP) ## create the virtual environment and install lexdesk with its tools

$(VENDOR): web/package.json web/package-lock.json web/build.mjs
	cd web && npm ci --no-audit --no-fund
	node web/build.mjs

assets: $(VENDOR) ## build the web assets (USWDS, htmx, axe-core) from the npm lock file

$(GENERATOR)/.installed: clients/requirements.lock
	$(PYTHON) -m venv $(GENERATOR)
	$(GENERATOR)/bin/pip install --quiet --require-hashes -r clients/requirements.lock
	touch $@

client: $(STAMP) $(GENERATOR)/.installed ## generate the Python client from the OpenAPI document and install it
	$(BIN)/python scripts/openapi_document.py build/openapi.json
	$(GENERATOR)/bin/openapi-python-client generate --path build/openapi.json --meta setup \
	  --output-path $(CLIENT) --overwrite --config clients/python.yaml > build/client.log 2>&1 \
	  || { cat build/client.log; exit 1; }
	@! grep -q WARNING build/client.log || { cat build/client.log; echo "the client was generated with warnings"; exit 1; }
	$(BIN)/pip install --quiet --no-deps --force-reinstall $(CLIENT)

# The browser tests drive Debian's Chromium, never a downloaded browser.
browser: ## install Debian's chromium for the browser tests (needs root; skipped otherwise)
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
	  && (apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null) \
	  || echo "chromium is not installed and this is not root: the browser tests will be skipped"; }

# The document tests check signatures with poppler's pdfsig (Debian's poppler-utils).
poppler: ## install poppler-utils for the document tests (needs root; skipped otherwise)
	@command -v pdfsig >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null) \
	  || echo "poppler-utils is not installed and this is not root: the document tests will be skipped"; }

demo: $(STAMP) $(VENDOR) ## initialise SQLite, load the demo story, then serve it on http://127.0.0.1:8000/
	$(BIN)/lexdesk init
	$(BIN)/lexdesk demo
	$(BIN)/lexdesk serve

serve: $(STAMP) $(VENDOR) ## serve the configured database
	$(BIN)/lexdesk serve

test: lint typecheck contracts security pytest ## every check: ruff, mypy, import contracts, bandit, the whole test suite

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

# Bandit finds nothing of medium severity or above; a reasoned `# nosec` says why where it would.
security: $(STAMP)
	$(BIN)/bandit -r src -ll -q

# The coverage gates (tests/coverage_gate.py): every line and branch of the modules that
# authenticate, keep sessions, authorize and audit (pyproject.toml lists them), and at least 90%
# of the whole desk's, traced while the tiers that reach them run.
pytest: $(STAMP) $(VENDOR) browser poppler client
	$(BIN)/pytest -n 3 --dist worksteal -q --cov --cov-report=
	$(BIN)/coverage report
	@printf "the desk's lines and branches run (at least 90%%): "
	@$(BIN)/coverage report --include='src/lexdesk/*' --fail-under=90 --precision=1 --format=total

# Before a release: the whole suite traced, every module of the desk. Tracing makes every test
# two or three times slower, so the fuzzing, which looks for crashes rather than lines, runs
# shallow (25 examples an operation, 1,000 runs a parser).
coverage: $(STAMP) $(VENDOR) browser poppler client ## the whole suite under coverage: at least 90% of the desk's lines and branches
	LEXDESK_COVERAGE=all LEXDESK_API_FUZZ_EXAMPLES=25 LEXDESK_FUZZ_RUNS=1000 \
	  $(BIN)/pytest -n 3 --dist worksteal -q --cov --cov-report=
	$(BIN)/coverage report --include='src/lexdesk/*' --fail-under=90

# Before a release: security.md rows 19 and 20 at full scale (make test runs 100 and 30 kills).
crash: $(STAMP) ## kill -9 the desk 1,000 times on SQLite and 200 on PostgreSQL, checking after each kill
	$(BIN)/python scripts/crash_harness.py --sqlite 1000 --postgres 200

# Nightly: security.md row 23 at depth (make test runs 100 examples per operation; 300 and 1,000 are recorded in docs/testing.md).
.PHONY: fuzz
fuzz: $(STAMP) ## fuzz every API operation from its schema, 1,000 examples each, and along its links
	$(BIN)/python scripts/fuzz_api.py --examples 1000

bench: $(STAMP) ## run the benchmarks in benchmarks/ and print their figures
	$(BIN)/python -m benchmarks

screenshots: $(STAMP) $(VENDOR) browser ## photograph the main pages into docs/screenshots/
	$(BIN)/python scripts/screenshots.py

clean: ## remove the environment, the built assets and local databases
	rm -rf $(VENV) .tools build var .coverage .coverage.* .pytest_cache .mypy_cache .ruff_cache web/node_modules src/lexdesk/entrypoints/web/static/vendor
