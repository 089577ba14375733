# thidua-bot — the commands a newcomer needs. Every target creates the virtual
# environment first if it is missing, so each works on a fresh clone.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo demo-year image-check test test-tools run lint types unit unit-postgres units unit-shifted install clean bench bench-smoke

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The offline demo on the example bloc (add ARGS="--as chair" to choose who you are).
demo: $(STAMP)
	$(BIN)/thidua demo $(ARGS)

## The example bloc's whole emulation year played in the demo, from a script (demo/).
demo-year: $(STAMP)
	$(BIN)/thidua demo --today 2/1/2023 $(ARGS) < demo/nam-thi-dua-2023.txt

## The container image, built from Debian's packages alone and tried as an operator would
## (it serves, answers /healthz and a person, runs the demo): tests/image_check.py. Outside
## `make test`; CI runs it after. Installs podman, runc and mmdebstrap when missing (as root).
IMAGE_PACKAGES = $(if $(shell command -v podman),,podman) $(if $(shell command -v runc),,runc) \
  $(if $(shell command -v mmdebstrap),,mmdebstrap)

image-check: $(STAMP)
	@if [ -n "$(strip $(IMAGE_PACKAGES))" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(strip $(IMAGE_PACKAGES))"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      $(IMAGE_PACKAGES) >/dev/null; \
	  else \
	    echo "image-check needs $(strip $(IMAGE_PACKAGES)): install them, or run as root"; \
	    exit 1; \
	  fi; \
	fi
	$(BIN)/python -m tests.image_check

## Lint, types and the whole test suite: what CI runs.
test: $(STAMP) test-tools lint types units unit-shifted

## What the tests use to look at the bot as a person would, each checked on its own and
## installed from Debian packages when missing (as root): LibreOffice and poppler to open
## the exports, a font metric-compatible with Times New Roman that has Vietnamese letters
## (without it LibreOffice substitutes a wider serif and the DOCX header wraps), and
## faketime for the run of the time-sensitive tests under a shifted date.
TOOL_PACKAGES = \
  $(if $(and $(shell command -v soffice),$(shell command -v pdftotext)),,libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils) \
  $(if $(shell fc-list ':charset=1ec7' family 2>/dev/null | grep -F 'Liberation Serif'),,fonts-liberation2 fontconfig) \
  $(if $(shell command -v faketime),,faketime)

test-tools:
	@if [ -n "$(strip $(TOOL_PACKAGES))" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(strip $(TOOL_PACKAGES))"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $(TOOL_PACKAGES) >/dev/null; \
	  else echo "missing $(strip $(TOOL_PACKAGES)): the tests that need them will be skipped"; fi; \
	fi

## Lint, and the direction of the imports (the layers contract in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage config tests bench
	$(BIN)/lint-imports --no-cache

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

## The storage and end-to-end suites again on a real PostgreSQL server: Debian's, installed
## when missing (as root), in a throw-away cluster started, run as the postgres user and
## removed by tests/postgres_cluster.sh; each test on a new database of its own.
PG_TESTS = tests/test_storage.py tests/test_postgres.py tests/test_instances.py \
  tests/test_bench_smoke.py \
  tests/test_e2e_*.py
unit-postgres: $(STAMP)
	tests/postgres_cluster.sh $(BIN)/python -m pytest -q -p no:cacheprovider $(PG_TESTS)

## Both at once (what `make test` runs): the PostgreSQL run mostly waits on its server and
## its processes, so it takes little from the SQLite run beside it; its output follows.
units: $(STAMP)
	@log=$$(mktemp); \
	$(MAKE) --no-print-directory unit-postgres >"$$log" 2>&1 & postgres=$$!; \
	$(BIN)/python -m pytest -q; sqlite=$$?; \
	wait $$postgres; on_postgres=$$?; \
	echo "--- the storage and end-to-end suites on PostgreSQL (make unit-postgres):"; \
	cat "$$log"; rm -f "$$log"; \
	[ $$sqlite = 0 ] && [ $$on_postgres = 0 ]

## The time-sensitive tests again with the machine's date a year ahead and a month back:
## the bot's time comes from its injected clock, so a test that reads the wall clock
## (or a timer that waits on it) fails here. SHIFTS="+400d" runs one shift. The monotonic
## clock is shifted too (a constant offset, harmless): with FAKETIME_DONT_FAKE_MONOTONIC=1,
## Debian's libfaketime 0.9.10 fails every timed wait on it with EINVAL (try
## `FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f +1d python3 -c "import time; time.sleep(.001)"`).
SHIFTS ?= +400d -30d
TIME_TESTS = tests/test_scheduler.py tests/test_reminders.py tests/test_snooze.py \
  tests/test_task_deadlines.py tests/test_absence.py tests/test_e2e_reminders.py \
  tests/test_outbox.py tests/test_e2e_outbox_kill.py tests/test_conferences.py \
  tests/test_scenarios.py tests/test_e2e_zalo.py tests/test_letters.py
unit-shifted: $(STAMP)
	@command -v faketime >/dev/null || { echo "faketime missing: run make test-tools as root"; exit 1; }
	@for shift in $(SHIFTS); do \
	  echo "time-sensitive tests with the date shifted $$shift: $$(faketime -f "$$shift" date -u)"; \
	  faketime -f "$$shift" $(BIN)/python -m pytest -q -p no:cacheprovider $(TIME_TESTS) || exit 1; \
	done

## Benchmarks (not tests: several minutes, not in CI); the tables go to bench/results.md.
bench: $(STAMP)
	tests/postgres_cluster.sh $(BIN)/python -m bench $(ARGS)

## Each benchmark at a tiny size, in seconds (tests/test_bench_smoke.py runs the same).
bench-smoke: $(STAMP)
	tests/postgres_cluster.sh $(BIN)/python -m bench --smoke

## Run for real on Telegram (needs TELEGRAM_BOT_TOKEN in the environment or .env).
run: $(STAMP)
	$(BIN)/thidua run

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
