# One command to run the service, one to run the tests (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test install dev lint bench clean

$(BIN)/ordergate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/ordergate

install: $(BIN)/ordergate

run: install  ## set up and start the service on SQLite and the paper exchange
	$(BIN)/ordergate serve

test: install  ## run the whole test suite
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/order_path.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
