# Two commands for a fresh machine: `make run` starts the app, `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-fast lint screenshots bench profile clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.app: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.app
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.app  ## start the app on the embedded SQLite database (data/kpidesign.db)
	$(PY) -m streamlit run app.py --server.port $(PORT)

lint: $(VENV)/.dev  ## ruff (lint, then formatting) and mypy (strict on every Python file: kpidesign/, ui/, views/, app.py, tests/, bench/); make test runs these first
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test: lint  ## the checks of make lint, then unit, page (AppTest) and browser (Playwright + Chromium) tests
	$(PY) -m pytest

test-fast: $(VENV)/.dev  ## everything but the browser tests
	$(PY) -m pytest -m "not e2e"

screenshots: $(VENV)/.dev  ## Playwright screenshots of every step into screenshots/
	KPIDESIGN_SCREENSHOTS=screenshots $(PY) -m pytest tests/e2e -k screenshots

bench: $(VENV)/.dev  ## benchmarks (not part of make test); writes bench/results.md
	$(PY) -m bench.run

PAGE ?= dashboard
NODES ?= 500
profile: $(VENV)/.dev  ## where one page's rerun spends its time (pyinstrument): make profile PAGE=review NODES=1000
	$(PY) -m bench.profile $(PAGE) --nodes $(NODES)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache
