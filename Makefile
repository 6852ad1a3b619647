# dief: `make run` starts the whole application on a laptop; `make test` runs the test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Port of the web server: `PORT=8001 make run` (honcho hands it to the web process as $PORT).
PORT   ?= 8000

.PHONY: run test bench deps dev-deps lint messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.deps $@

$(VENV)/.bench-deps: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $(VENV)/.deps $(VENV)/.dev-deps $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

## Web server, Celery worker and Celery beat together on SQLite and an on-disk broker (Ctrl-C stops all).
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_states
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py sweep
	@echo "Starting web (http://127.0.0.1:$(PORT)/), Celery worker and Celery beat. Ctrl-C stops all three."
	$(BIN)/honcho -f Procfile.dev start --port $(PORT)

## The whole test suite (SQLite by default; PostgreSQL when DATABASE_URL is set).
test: dev-deps
	$(BIN)/python scripts/ensure_browser.py
	$(BIN)/pytest

## The benchmark at ten times the ATT's scale, on PostgreSQL (BENCH_DATABASE_URL, default the local
## diefbench database); prints the figures and writes benchmarks/results/latest.md. BENCH_ARGS=--quick
bench: $(VENV)/.bench-deps
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

lint: dev-deps
	$(BIN)/ruff check .

## Refresh the translation catalogues (needs GNU gettext) and compile them.
messages: dev-deps
	$(BIN)/python manage.py makemessages -l fr -l es --ignore=.venv --ignore=var --no-obsolete --no-location
	$(BIN)/python manage.py compilemessages --ignore=.venv
