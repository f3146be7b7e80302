# Two commands a new machine needs: `make demo` and `make test`.
# Each creates .venv if it is missing and installs the project with its test dependencies.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test install clean bench snapshots lint

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/transition demo

# The suite runs in one process per core (at most four: each makes its own PostgreSQL database).
# `make test PYTEST_WORKERS=0` runs it in this process, for a debugger or -x.
PYTEST_WORKERS ?= auto

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --maxprocesses 4 --dist worksteal $(PYTEST_ARGS)

# The lint the suite also runs (tests/unit/test_lint.py); `make lint ARGS=--fix` fixes what it can.
lint: $(STAMP)
	$(BIN)/ruff check transition tests benchmarks $(ARGS)

snapshots: $(STAMP)
	$(BIN)/python -m pytest tests/tui --snapshot-update

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
