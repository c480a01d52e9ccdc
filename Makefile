# Fondassistenten: `make run` sets up and starts the assistant, `make test` sets up and tests.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: setup run ingest chat serve test test-fast lint format eval bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@# torch first, pinned: pip finds the CPU build on these machines; an unpinned torch pulls CUDA (GBs).
	$(BIN)/pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install -q --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

setup: $(STAMP) ## create .venv and install pinned dependencies (idempotent)

run: setup ## ingest corpus/ and start the bot (Slack tokens set) or the terminal chat
	$(BIN)/assistant ingest corpus/
	@if $(BIN)/python -m assistant.startup_check; then \
		$(BIN)/assistant serve; \
	else \
		echo "No Slack tokens configured (see .env.example): starting the terminal chat."; \
		$(BIN)/assistant chat; \
	fi

ingest: setup
	$(BIN)/assistant ingest corpus/

test: setup lint ## lint, install system test services, run the whole test suite
	bash scripts/install-system-deps.sh
	$(BIN)/python -m pytest -q

test-fast: setup ## the quick tier: no real model, no server, no subprocess
	$(BIN)/python -m pytest -q -m "not slow and not integration"

lint: setup ## ruff (lint + format check) and mypy
	$(BIN)/ruff check assistant tests benchmarks
	$(BIN)/ruff format --check assistant
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix assistant tests benchmarks
	$(BIN)/ruff format assistant

eval: setup ## the suites with baselines; report in evals/reports/
	$(BIN)/assistant eval evals/suites/corpus.yaml --docs corpus --baselines --report evals/reports/corpus --json evals/reports/corpus.json
	@if [ -d ../shared/realdocs ]; then $(BIN)/assistant eval ../shared/realdocs-questions.yaml evals/suites/realdocs-extra.yaml evals/suites/realdocs-extra2.yaml evals/suites/realdocs-extra3.yaml evals/suites/realdocs-extra4.yaml evals/suites/realdocs-extra5.yaml evals/suites/realdocs-extra6.yaml evals/suites/realdocs-extra7.yaml evals/suites/realdocs-extra8.yaml --docs ../shared/realdocs --baselines --report evals/reports/realdocs --json evals/reports/realdocs.json; fi

bench: setup ## performance figures into benchmarks/results/
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
