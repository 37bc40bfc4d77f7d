# Testbed Ledger — the two commands a new machine needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: venv run test test-sqlite test-pg messages lint bench bench-pg bench-national chromium axe clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	$(PY) -m pip install --quiet -e '.[dev]' 2>&1 | grep -v '^WARNING: Location' || true
	$(PY) -c "import django, rest_framework, django_fsm, weasyprint, playwright, schemathesis"
	touch $(STAMP)

# Translations are compiled from the .po files (the .mo files are build output); msgfmt comes with gettext.
messages: venv
	@command -v msgfmt >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	$(PY) manage.py compilemessages --ignore=.venv -v 0

# The background worker (jobs: mail, long documents; hourly: reminders and digests) runs beside the
# web server and stops with it: Ctrl-C (or a TERM to make) ends runserver, and the EXIT trap sends the
# worker a TERM, which it takes as "finish the current job and stop".
run: venv messages
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo -v 0
	@mkdir -p var; $(PY) manage.py worker > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	echo "Background worker started (pid $$worker); its output, e-mails included, goes to var/worker.log"; \
	$(PY) manage.py rundemo 127.0.0.1:$(PORT)

# Browser tests need Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# axe-core (pinned in package-lock.json) is injected by the browser tests to check WCAG 2.1 A/AA.
AXE := node_modules/axe-core/axe.min.js
axe: $(AXE)

$(AXE): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	test -f $(AXE) && touch $(AXE)

# Both engines side by side (one core each): PostgreSQL's run writes to a log and its own artifacts folder,
# shown when both are done; the exit status fails when either engine failed.
PG_LOG := test-artifacts/pytest-postgresql.log
test: venv messages chromium axe
	@mkdir -p test-artifacts/postgresql
	@TEST_ARTIFACTS=test-artifacts/postgresql bash .ci/with-postgres $(PY) -m pytest -q -p no:cacheprovider \
	  > $(PG_LOG) 2>&1 & pg=$$!; \
	echo "== SQLite (PostgreSQL runs beside it, its output in $(PG_LOG))"; \
	$(PY) -m pytest -q; sqlite=$$?; \
	wait $$pg; postgres=$$?; \
	echo "== PostgreSQL"; if [ $$postgres -eq 0 ]; then tail -n 3 $(PG_LOG); else cat $(PG_LOG); fi; \
	test $$sqlite -eq 0 && test $$postgres -eq 0

test-sqlite: venv messages chromium axe
	$(PY) -m pytest -q

test-pg: venv messages chromium axe
	bash .ci/with-postgres $(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check .

bench: venv
	$(PY) -m bench.run

bench-pg: venv
	bash .ci/with-postgres $(PY) -m bench.run

bench-national: venv
	BENCH_SCALE=$${BENCH_SCALE:-national} bash .ci/with-postgres $(PY) -m bench.national

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules
