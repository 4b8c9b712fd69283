# Every target creates and fills .venv on first use, so a fresh clone needs only `make demo` / `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# One stamp per requirements content: editing a file reinstalls. RUN_STAMP (requirements.txt) is
# what `make demo` needs; STAMP adds the test and lint tools of requirements-dev.txt.
RUN_STAMP := $(VENV)/.installed-run-$(shell cksum requirements.txt | cut -d' ' -f1)
STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
STACK ?= dev

.PHONY: demo test test-e2e bench-smoke lint format preview snapshots docs bench java

$(RUN_STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Setting up $(VENV): pip is installing requirements.txt (pyspark, pulumi-aws, ...: about 750 MB)."
	@echo "The first time this takes 1-2 minutes and prints nothing until it is done."
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-run-*
	@touch $@

$(STAMP): $(RUN_STAMP) requirements-dev.txt
	@echo "Installing requirements-dev.txt into $(VENV) (pytest, moto, ruff, awsglue, ...: about 20 s)."
	@$(PY) -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-dev-*
	@touch $@

java:
	@command -v java >/dev/null 2>&1 || { echo "PySpark needs Java 17: install a JDK (e.g. apt-get install openjdk-17-jdk-headless)" >&2; exit 2; }

demo: $(RUN_STAMP) java
	$(PY) -m etl.local --full-refresh

# Two pytest workers, each with its own Spark session, in the quick mode of tests/spark_speed.py:
# about three minutes on 2 cores instead of four and a half. `TEST_WORKERS=0` runs one process.
TEST_WORKERS ?= 2
test: $(STAMP) java
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal --quick-spark

# Runs killed (in-process and with SIGKILL) and run again, and the whole sample loaded batch by
# batch against a full refresh (about 1.5 minutes), kept out of `make test`; CI runs both.
test-e2e: $(STAMP) java
	$(PY) -m pytest -m e2e

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
