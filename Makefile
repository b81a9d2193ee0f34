# Two entry points on a fresh machine: `make forecast` (main job) and `make test`.
# Both create .venv and install the project; TOCSIN_DATA_MIRROR defaults to ../shared/data/mirror when present.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
MIRROR_DEFAULT := $(abspath ../shared/data/mirror)
export TOCSIN_DATA_MIRROR ?= $(if $(wildcard $(MIRROR_DEFAULT)),$(MIRROR_DEFAULT),)

.PHONY: setup forecast test lint bench

$(BIN)/tocsin: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/tocsin

setup: $(BIN)/tocsin

forecast: setup
	$(BIN)/tocsin data pull
	$(BIN)/tocsin forecast

test: setup
	bash .ci/services.sh .ci/services.env && set -a && . ./.ci/services.env && set +a && \
	  $(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check src tests bench

bench: setup
	$(BIN)/python bench/bench_pipeline.py
