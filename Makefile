# thidua-bot — the commands a newcomer needs. Every target creates the virtual
# environment first if it is missing, so each works on a fresh clone.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-tools run lint types unit install clean bench bench-smoke

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The offline demo on the example bloc (add ARGS="--as chair" to choose who you are).
demo: $(STAMP)
	$(BIN)/thidua demo $(ARGS)

## Lint, types and the whole test suite: what CI runs.
test: $(STAMP) test-tools lint types unit

## LibreOffice and poppler, used by the export tests to open the files as a person would.
test-tools:
	@if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils \
	      >/dev/null; \
	  else echo "LibreOffice or poppler missing: the export tests that open files will be skipped"; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage config tests bench

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

## Benchmarks (not tests: several minutes, not in CI); the tables go to bench/results.md.
bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

## Each benchmark at a tiny size, in seconds (tests/test_bench_smoke.py runs the same).
bench-smoke: $(STAMP)
	$(BIN)/python -m bench --smoke

## Run for real on Telegram (needs TELEGRAM_BOT_TOKEN in the environment or .env).
run: $(STAMP)
	$(BIN)/thidua run

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
