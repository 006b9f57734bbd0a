# Two commands on a fresh machine with Python 3.11 and make: `make demo` and `make test`.
# Everything installs into .venv from the committed uv.lock; state lives in .smarketing/.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
INSTALLED := $(VENV)/.installed

.PHONY: install demo test test-unit lint bench run report stop warehouse airflow dbt docs quality clean

$(INSTALLED): pyproject.toml uv.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "smarketing needs Python 3.11 (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# A venv that `uv run` synced exactly has lost pip and uv: bring pip back first.
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	# --inexact keeps uv itself, which the lock does not list, in the venv.
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	touch $@

install: $(INSTALLED)

## demo: generate 90 days of demo data, run the nightly DAG and the report DAG once, deliver all three editions to .smarketing/outbox (API=meta_ads,amocrm reads those sources through their API connectors from a local replay: one ad platform, one CRM)
demo: $(INSTALLED)
	$(BIN)/smarketing demo $(if $(API),--api $(API))

## test: the whole suite (unit, integration on real Postgres, DAG integrity, end-to-end)
test: $(INSTALLED)
	$(BIN)/python -m pytest

test-unit: $(INSTALLED)
	$(BIN)/python -m pytest tests/unit

lint: $(INSTALLED)
	$(BIN)/ruff check smarketing dags tests
	$(BIN)/ruff format --check smarketing dags tests

## bench: load throughput (ours vs psql \copy vs dlt) and peak memory on scaled demo data, written to docs/benchmarks.md (BENCH_ARGS='--scales 10k,1m' for a quicker run)
bench: $(INSTALLED)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact --group bench --python $(BIN)/python
	$(BIN)/python -m smarketing.bench $(BENCH_ARGS)

## run: one nightly run for last night against the configured sources (DATE=YYYY-MM-DD for another)
run: $(INSTALLED)
	$(BIN)/smarketing run $(if $(DATE),--date $(DATE))

## report: render and send report editions from the marts, no ETL (EDITION=daily|weekly|monthly|all|due, DATE=report day)
report: $(INSTALLED)
	$(BIN)/smarketing report $(if $(EDITION),--edition $(EDITION)) $(if $(DATE),--date $(DATE))

warehouse: $(INSTALLED)
	$(BIN)/smarketing warehouse

stop: $(INSTALLED)
	$(BIN)/smarketing stop

## airflow: Airflow standalone (UI at http://localhost:8080) with this project's DAG
airflow: $(INSTALLED)
	$(BIN)/smarketing airflow

## dbt: dbt against the warehouse, e.g. make dbt ARGS="build --select marts"
dbt: $(INSTALLED)
	$(BIN)/smarketing dbt $(ARGS)

## docs: dbt docs of the warehouse (static HTML under .smarketing/dbt/target)
docs: $(INSTALLED)
	$(BIN)/smarketing docs

## quality: both data-quality gates on the warehouse now; prints failures, quarantine, load failures, stale sources; GX Data Docs under .smarketing/quality/data_docs (exit 1 on a critical failure)
quality: $(INSTALLED)
	$(BIN)/smarketing quality

clean: stop
	rm -rf .smarketing
