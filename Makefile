# phongdich: the two commands in the README do all set-up on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 0.01
# `make run` shows the app's own error pages; `make run DEBUG=1` for Django's debug pages.
DEBUG ?= 0

.PHONY: run test setup dev-setup messages migrate demo worker lint bench clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PYTHON))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e ".[dev]"
	touch $@

setup: $(VENV)/.installed messages

dev-setup: $(VENV)/.dev-installed messages

# Compile translation catalogs with Babel (pure Python: no system gettext needed).
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel compile -D django -d phongdich/locale -f

migrate: setup
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py createcachetable

demo: migrate
	$(PY) manage.py demo --scale $(SCALE) --seed 1 --if-missing

# Starts the background worker and the web server together; Ctrl-C stops both.
# runserver opens a thread per request, so each request closes its database connection
# (DB_CONN_MAX_AGE=0) instead of leaving one open per finished thread.
# PHONGDICH_LOCAL_RUN keeps plain http and console mail with DEBUG off; --insecure lets
# runserver serve the static files then (production serves them with WhiteNoise).
run: demo
	@echo "phongdich: http://$(HOST):$(PORT)  (background worker started too)"
	@trap 'kill 0' INT TERM EXIT; \
	  PHONGDICH_LOCAL_RUN=1 DEBUG=$(DEBUG) DEV_SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py worker & \
	  PHONGDICH_LOCAL_RUN=1 DEBUG=$(DEBUG) DEV_SITE_URL=http://$(HOST):$(PORT) DB_CONN_MAX_AGE=0 \
	    $(PY) manage.py runserver --insecure $(HOST):$(PORT)

worker: setup
	$(PY) manage.py worker

# The whole suite on SQLite; on PostgreSQL too when DATABASE_URL is set.
test: dev-setup
	$(PY) -m pytest -q
	@if [ -n "$$DATABASE_URL" ]; then echo "(ran on $$DATABASE_URL)"; fi

lint: dev-setup
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

bench: dev-setup
	$(PIP) install -q -e ".[dev,bench]"
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
