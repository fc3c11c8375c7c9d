# 便民 (bianmin). `make demo` and `make test` do every step on a fresh machine.
SHELL := /bin/bash
# Django 6.1 needs Python 3.12+; the machine image ships it under pyenv.
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.13*/bin/python3.13; do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Case history loaded into the demo county (bulk, hash-chained, on the working-day calendar).
DEMO_CASES ?= 3000
APT_GET := $(shell command -v apt-get 2>/dev/null)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-test system-deps browser-deps demo serve test test-pg test-ha lint bench bench-pg soak audit messages clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "需要 Python 3.12 或更高版本 / Python 3.12+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# System libraries: WeasyPrint needs Pango, documents need CJK fonts, i18n needs msgfmt,
# the document tests read PDFs back with poppler's pdftotext.
system-deps:
	@missing=""; \
	  command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	  ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	  command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	  if [ -n "$$missing" ]; then \
	    test -n "$(APT_GET)" || { echo "missing:$$missing"; exit 1; }; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	  fi

browser-deps:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

install: $(BIN)/python system-deps
	$(BIN)/pip install -q -e .
	$(MAKE) messages

install-test: $(BIN)/python system-deps browser-deps
	$(BIN)/pip install -q -e '.[test]'
	@# axe-core (accessibility checks in the browser tests) comes from the npm registry.
	@if [ -f package-lock.json ]; then command -v npm >/dev/null && npm ci --silent --no-audit --no-fund; fi
	$(MAKE) messages

messages:
	cd bianmin && ../$(BIN)/python -m django compilemessages --settings=bianmin.settings -v 0

# The QR code on every notice points to BIANMIN_PUBLIC_URL: the demo serves it at the address it
# listens on, unless BIANMIN_PUBLIC_URL is already set (e.g. the machine's LAN address when
# HOST=0.0.0.0, so that a phone can scan a printout). The task worker (daily jobs, queued work) runs
# beside the server and stops with it (scripts/serve.sh). The demo county's administrator and
# supervisor sign in with the published password alone (two-factor login is not required here;
# `bianmin demo-accounts --enrol-2fa` shows it).
demo: install
	mkdir -p var
	$(BIN)/bianmin migrate --noinput -v 0
	$(BIN)/bianmin seed-demo --if-empty --cases $(DEMO_CASES)
	$(BIN)/bianmin demo-accounts
	BIANMIN_PUBLIC_URL="$${BIANMIN_PUBLIC_URL:-http://$(HOST):$(PORT)}" \
	  BIANMIN_REQUIRE_2FA="$${BIANMIN_REQUIRE_2FA:-0}" \
	  scripts/serve.sh $(BIN) $(HOST):$(PORT)

serve: install
	BIANMIN_PUBLIC_URL="$${BIANMIN_PUBLIC_URL:-http://$(HOST):$(PORT)}" \
	  scripts/serve.sh $(BIN) $(HOST):$(PORT)

lint: install-test
	$(BIN)/ruff check bianmin bench testing
	$(BIN)/ruff format --check bianmin bench testing
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_sizes.py

# The whole suite runs on the embedded SQLite, then again without the browser tests on a throwaway
# PostgreSQL server started from Debian's package on a loopback port (installed when missing): the
# pages drive the same services on both databases, and the browser tests take most of the time.
# `make test-pg` runs everything on PostgreSQL, browsers included. TEST_PG=0 skips the second run.
TEST_PG ?= 1
# Then the city on replicated PostgreSQL (`make test-ha`, under a minute): TEST_HA=0 skips it.
TEST_HA ?= 1
test: install-test
	$(BIN)/ruff check bianmin bench testing
	$(BIN)/ruff format --check bianmin bench testing
	@# Layers point down, no product code imports tests (contracts in pyproject.toml).
	$(BIN)/lint-imports
	@# No product module over 400 lines (complexity is ruff's C90 rule).
	$(BIN)/python scripts/check_sizes.py
	$(BIN)/mypy
	$(BIN)/bianmin makemigrations --check --dry-run -v 0
	@echo "== SQLite =="
	$(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)
	@if [ "$(TEST_PG)" = 1 ]; then echo "== PostgreSQL =="; \
	  scripts/with-postgres.sh $(BIN)/python -m pytest -n 2 -q -m "not browser" $(PYTEST_ARGS); fi
	@if [ "$(TEST_HA)" = 1 ]; then echo "== replicated PostgreSQL =="; \
	  scripts/with-ha-postgres.sh $(BIN)/python -m pytest -q -s -m ha --reuse-db bianmin/tests_ha; fi

test-pg: install-test
	scripts/with-postgres.sh $(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

# The city on replicated PostgreSQL (docs/operations.md): etcd, two Patroni nodes in synchronous
# mode and PgBouncer on loopback ports (Debian's packages, installed when missing); the tests kill
# the primary mid-burst and read a replica page after a write. --reuse-db: the test database is
# thrown away with the set, and PgBouncer's pooled connections would block dropping it.
test-ha: install-test
	scripts/with-ha-postgres.sh $(BIN)/python -m pytest -q -s -m ha --reuse-db bianmin/tests_ha $(PYTEST_ARGS)

# Every benchmark at 200,000 and at 1,500,000 cases with the ratio of each figure (bench/scales.py;
# the data sets are built once under var/bench/, about 25 minutes the first time, and reused).
# BENCH_SCALES / BENCH_SCRIPTS choose sizes and scripts; each script also runs alone.
bench: install-test
	$(BIN)/python bench/scales.py

# The same on PostgreSQL: each size seeded once (COPY) into a server kept under var/bench-pg-<n>/
# (scripts/bench-postgres.sh). bench/pg_load.py still copies a SQLite file into PostgreSQL.
bench-pg: install-test
	BENCH_ON=postgresql $(BIN)/python bench/scales.py

# Half an hour at 50 users with the memory of every process after each minute, then a 5x spike
# (bench/soak.py, on the county file of bench_http.py; SOAK_MINUTES to shorten it).
soak: install-test
	$(BIN)/python bench/soak.py

# Known vulnerabilities in the installed packages: pip-audit (says so when its advisory source is
# unreachable instead of reporting a false clean result), then the index's own project JSON, which
# covers packages installed at their latest release (scripts/audit-index.py).
audit: install-test
	$(BIN)/python -m bianmin.common.security audit
	$(BIN)/python scripts/audit-index.py

clean:
	rm -rf $(VENV) var/*.sqlite3*
