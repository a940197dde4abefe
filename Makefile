# Sira: `make run` starts the demo on SQLite; `make test` runs ruff and the tests
# (against PostgreSQL when DATABASE_URL is set, else SQLite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install demo lint messages clean smoke-prod

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

demo: install
	mkdir -p var
	SIRA_DEBUG=1 $(PY) manage.py migrate --noinput
	SIRA_DEBUG=1 $(PY) manage.py seed_demo

run: demo
	SIRA_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

# The production setup end to end on this machine, loopback only (deploy/smoke_prod.py): PostgreSQL,
# gunicorn and nginx with the shipped configuration, HTTPS, login, a case, a restart. A few minutes.
smoke-prod: install
	$(PY) deploy/smoke_prod.py

# Regenerate the message catalogues after changing user-facing text (needs GNU gettext).
messages: install
	SIRA_DEBUG=1 $(PY) manage.py makemessages -l fr -l en --no-obsolete --ignore=.venv --ignore=var --ignore=conftest.py --ignore="*/tests/*" --ignore="sira/testing/*"
	SIRA_DEBUG=1 $(PY) manage.py compile_catalogues

clean:
	rm -rf $(VENV) var
