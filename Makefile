# Every target creates and fills .venv on first use, so a fresh clone needs only `make demo` / `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
STACK ?= dev

.PHONY: demo test bench-smoke lint format preview snapshots docs bench java

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

java:
	@command -v java >/dev/null 2>&1 || { echo "PySpark needs Java 17: install a JDK (e.g. apt-get install openjdk-17-jdk-headless)" >&2; exit 2; }

demo: $(STAMP) java
	$(PY) -m etl.local --full-refresh

test: $(STAMP) java
	$(PY) -m pytest

# A tiny run of the whole benchmark (about a minute), kept out of `make test`; CI runs both.
bench-smoke: $(STAMP) java
	$(PY) -m pytest -m bench_smoke tests/bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/zizmor --offline .github/workflows
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

preview: $(STAMP)
	$(PY) -m preview --stack $(STACK)

snapshots: $(STAMP)
	$(PY) -m preview --update-snapshots

docs: $(STAMP)
	$(PY) -m tools.config_reference

bench: $(STAMP) java
	$(PY) -m bench
