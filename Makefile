# KindSteps — the two commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cksum package-lock.json | cut -d' ' -f1)
DEMO_ENV := DEBUG=1 HUEY_IMMEDIATE=0

.PHONY: system install messages messages-check catalogues static demo test test-clock bench lint format lock clean

install: system $(STAMP) $(NODE_STAMP)

# Debian packages (gettext, Chromium, poppler-utils, faketime), installed when missing.
system:
	@scripts/system-packages.sh

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -f node_modules/.installed-*
	touch $@

# Compiled catalogues (.mo) are build products, never committed.
messages: install
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

# The code's strings against the committed catalogues (needs GNU gettext).
messages-check: install
	$(PY) scripts/catalogue_check.py

# Developers: refresh the catalogues after changing user-facing strings.
catalogues: install
	$(MANAGE) makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=node_modules \
	  --ignore=staticfiles --ignore=var --ignore=build --ignore='*/tests/*' --ignore=bench --ignore=scripts

static: install
	$(MANAGE) collectstatic --noinput -v 0

demo: install messages static
	mkdir -p var
	$(DEMO_ENV) $(MANAGE) migrate --noinput -v 0
	$(DEMO_ENV) $(MANAGE) seed_demo
	$(DEMO_ENV) $(MANAGE) serve_demo --addr 127.0.0.1 --port 8000

# The standings keep a SQL path for PostgreSQL beside the Python one (rebuild, crediting):
# on a developer's machine (no DATABASE_URL) their tests run on the local PostgreSQL too;
# CI, which runs the whole suite on PostgreSQL afterwards, sets NO_LOCAL_PG=1.
LOCAL_PG := postgres://postgres@127.0.0.1:5432/kindsteps_test

test: install messages
	$(PY) -m pytest -q -n 2 --dist loadgroup
ifeq ($(DATABASE_URL)$(NO_LOCAL_PG),)
	@echo "== the standings' PostgreSQL path, on the local PostgreSQL"
	DATABASE_URL=$(LOCAL_PG) $(PY) -m pytest -q -n 2 --dist loadgroup standings
endif

# The suite but the browser tests with the wall clock at TEST_CLOCK in Vietnam (Debian's
# faketime, ticking; the timeout bounds a timed wait that libfaketime would never end):
# no test may depend on the hour it runs at (docs/decisions/0002-test-clock.md).
TEST_CLOCK ?= 23:59:30
test-clock: install messages
	timeout 20m faketime "$$(date -u +%F) $(TEST_CLOCK) +07:00" \
	  $(PY) -m pytest -q -n 2 --dist loadgroup -m 'not browser'

bench: install messages
	$(PY) bench/run.py $(BENCH)

# ruff, then the apps' layers (the `layers` contract in pyproject.toml), then mypy over
# the files listed in pyproject's [tool.mypy] (docs/decisions/0007-type-checking.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-resolve the pins after editing pyproject.toml's dependencies.
lock:
	rm -rf /tmp/kindsteps-lock && $(PYTHON) -m venv /tmp/kindsteps-lock
	/tmp/kindsteps-lock/bin/pip install --quiet --upgrade pip
	/tmp/kindsteps-lock/bin/pip install --quiet ".[dev]"
	{ echo "# The whole dependency tree, pinned (runtime and development). Regenerate with: make lock"; \
	  /tmp/kindsteps-lock/bin/pip freeze --exclude kindsteps; } > requirements.lock

clean:
	rm -rf $(VENV) node_modules staticfiles var/*.sqlite3*
