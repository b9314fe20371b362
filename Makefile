# backo developer commands. `make test` and `make run` work on a fresh clone.
VENV      := .venv
VPY       := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
PORT      ?= 5000

# The first interpreter that is Python >= 3.12 (pyenv honours .python-version for `python3`).
PYTHON ?= $(shell for p in python3.12 python3.13 python3 python; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    echo $$p; break; fi; done)

.PHONY: test test-stricto run bench install clean check-python docs lint format check

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "backo needs Python >= 3.12 (python3.12 or python3.13 on PATH)" >&2; exit 1; fi

$(VPY): | check-python
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VPY) pyproject.toml
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The older stricto versions the package accepts (pyproject.toml); the venv has the newest.
# `make test` runs the plain-model equivalence tests on each, installed next to the venv
# (.stricto/<version>, once) and imported first through PYTHONPATH.
STRICTO_VERSIONS := 0.2.2 0.2.3 0.2.4 0.2.5 0.2.6
STRICTO_TESTS    := tests/core/test_plain_model.py
STRICTO_EXAMPLES ?= 40

# Lint, layout, types and the import contracts: ruff check and ruff format on the whole tree
# ([tool.ruff]), mypy on backo/ ([tool.mypy]), then the layer rules of [tool.importlinter]
# (http > core > storage; core without flask/werkzeug/http; storage without core; no 0.2.1
# legacy path imported inside backo).
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VPY) -m mypy backo
	$(VENV)/bin/lint-imports --no-cache --no-logo

test: check
	$(VPY) -m pytest
	$(MAKE) --no-print-directory test-stricto
	$(MAKE) --no-print-directory test-mongo

test-stricto: $(STAMP)
	@set -e; for v in $(STRICTO_VERSIONS); do \
	  [ -d .stricto/$$v ] || $(VPY) -m pip install --quiet --no-deps --target .stricto/$$v stricto==$$v; \
	  echo "plain model on stricto $$v"; \
	  PYTHONPATH=.stricto/$$v BACKO_STRICTO_VERSION=$$v BACKO_PLAIN_EXAMPLES=$(STRICTO_EXAMPLES) \
	    $(VPY) -m pytest -q -p no:cacheprovider $(STRICTO_TESTS); \
	done

# The Mongo tests again, on a real MongoDB-wire server: SecantusDB (GPL-2.0, beta: a test tool
# in its own virtualenv .secantus/, created once, never a dependency of backo). testkit/secantus.py
# starts it on a free port of 127.0.0.1 with a temporary storage, runs pytest with
# BACKO_TEST_MONGO_URL naming it, and stops it. `-k mongo` selects every test that uses the Mongo
# connector (tests/support/backends.py fails a test that uses it without "mongo" in its id).
SECANTUS         := .secantus
SECANTUS_SERVER  := $(SECANTUS)/bin/secantusd-py
SECANTUS_VERSION := 0.7.0b3
.PHONY: test-mongo

$(SECANTUS_SERVER): | check-python
	$(PYTHON) -m venv $(SECANTUS)
	$(SECANTUS)/bin/pip install --quiet 'SecantusDB==$(SECANTUS_VERSION)'

test-mongo: $(STAMP) $(SECANTUS_SERVER)
	$(VPY) -m testkit.secantus --server $(SECANTUS_SERVER) -- $(VPY) -m pytest -q -p no:cacheprovider -k mongo

run: $(STAMP)
	PORT=$(PORT) $(VPY) -m examples.quickstart.app

# backo against bare floors at 1,000 / 10,000 / 50,000 items on every store, then the targets
# (< 10 min on 2 cores). Quick run: make bench BENCH_ARGS="--sizes 1000". See docs/benchmarks.md.
bench: $(STAMP)
	$(VPY) -m benchmarks.run $(BENCH_ARGS)

# `make lint`: the ruff part of `make check` alone; `make format` applies ruff's layout.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

docs: $(STAMP)
	$(VPY) -m pip install -q -r docs/requirements.txt
	$(VPY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
