# Two commands for a newcomer: `make site` builds the sample site, `make test` runs the tests.
# Each creates .venv from pyproject.toml when needed and reinstalls only when that file changes.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: site test check bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

site: $(STAMP)
	$(PY) build.py build

check: $(STAMP)
	$(PY) build.py check

test: $(STAMP)
	$(PY) -m ruff check briefing_site tests build.py benchmarks
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/bench_build.py 10 100 1000

clean:
	rm -rf site .site.* $(VENV) .pytest_cache .ruff_cache
