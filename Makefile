# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv lint messages check-sample clean bench

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# The web server and, beside it, a Celery worker with beat on an embedded broker (files under .celery/), so the
# scheduled jobs run as in production. Ctrl-C stops both (manage.py run_embedded).
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (admin at /admin/); scheduled jobs run every minute"
	$(PY) manage.py run_embedded $(HOST):$(PORT)

# The browser tests need Debian's Chromium and the pinned axe-core: installed when missing (as root), or the
# suite does not start and the one command to run is printed (tests/browser/ensure-deps).
test: venv
	tests/browser/ensure-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff, then the layers of .importlinter (lint-imports).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# Regenerate the translation catalog after changing user-facing strings; the .mo files are committed.
messages: venv
	$(PY) manage.py makemessages -l zh_Hans --ignore='.venv/*' --ignore='tests/*' --ignore='bench/*'
	$(PY) manage.py compilemessages -l zh_Hans --ignore='.venv/*'

check-sample: venv
	../shared/tools/check-sample

# Benchmarks on PostgreSQL (bench/run.py; results appended to bench/RESULTS.md); never part of `make test`.
bench: venv
	$(PY) bench/run.py --scale $(or $(SCALE),small) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache tests/browser/node_modules
