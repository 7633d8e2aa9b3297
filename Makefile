# Two commands do all set-up on a machine with only Python 3.11:
#   make run   — virtualenv, install, migrate, demo data, serve http://127.0.0.1:8000 (pages + WebSockets)
#   make test  — virtualenv, install test tools, run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-tools lint vendor-jsqr serve demo messages bench-registration mutate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Links in e-mails, calendars and the demo banner name the address the server really listens on.
run: export BOJU_SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev test-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Test-only tools from the npm registry (axe-core for tests/test_accessibility.py), never served.
# Without npm that one test skips (and fails under BOJU_REQUIRE_SERVICES=1, as in .ci/run).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

test-tools:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory node_modules/.installed; \
	else echo "npm not found: the accessibility test (axe-core) will skip"; fi

# The QR decoder ships minified (static/vendor/jsqr/README): from the jsqr and terser pinned in package.json.
vendor-jsqr: node_modules/.installed
	node_modules/.bin/terser node_modules/jsqr/dist/jsQR.js --compress --mangle --comments false \
	  --preamble "/*! jsQR 1.4.0 (npm jsqr) | Apache-2.0 | minified with terser 5.44.1: make vendor-jsqr */" \
	  -o static/vendor/jsqr/jsQR.min.js

# What .ci/run checks before the tests (ruff is pinned in requirements-dev.txt; pyproject.toml).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: $(VENV)/.installed
	# Source strings are zh-hans, so only English needs a catalogue.
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=node_modules --ignore=tests --ignore=bench
	$(BIN)/python manage.py makemessages -d djangojs -l en --ignore=.venv --ignore=staticfiles --ignore=node_modules --ignore=static/vendor
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench-registration: $(VENV)/.installed-dev
	$(BIN)/python bench/registration_burst.py $(BENCH_ARGS)

# Mutation testing of the critical modules (setup.cfg [mutmut]); not part of `make test`: it
# takes far longer. Give it PostgreSQL and Redis as for `make test`. Survivors: docs/mutation.md.
mutate: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet mutmut==3.8.1
	rm -rf mutants
	$(BIN)/mutmut run --max-children 1 || true
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* .test.sqlite3* staticfiles mutants node_modules
