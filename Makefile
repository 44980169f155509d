# make run  — set up the virtualenv, the embedded SQLite database (schema, 2024 targets, demo data) and start the app
# make test — set up the virtualenv with the test tools, run the checks of `make lint`, then the whole suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test lint setup db clean bench

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

db: setup
	$(PY) manage.py init

run: db
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

# lint: ruff (style, import order), mypy (types), import-linter (the layer arrows), tools/check_shape.py (sizes)
lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) tools/check_shape.py

test: lint
	$(PY) -m pytest -n 2 --dist loadgroup

bench: setup
	$(PY) manage.py bench --scale district

clean:
	rm -rf $(VENV) data .pytest_cache .hypothesis
