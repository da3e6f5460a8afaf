# One command to run the service, one to run the tests (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
# pytest-xdist workers for make test; a test file stays on one worker (with its shared server)
TEST_WORKERS ?= 2

# the order book's and the tape's modules, compiled with mypyc by the install (setup.py; src/ordergate/compiled.py
# names them)
HOT_SOURCES = $(wildcard src/ordergate/domain/book*.py src/ordergate/domain/fixed.py) \
	src/ordergate/domain/session_day.py src/ordergate/domain/trade_stats.py src/ordergate/domain/bars.py \
	src/ordergate/compiled.py
# their tests, run a second time as pure Python (ORDERGATE_PURE_PYTHON=1): the fallback must pass them too
PURE_TESTS = tests/unit/test_book.py tests/unit/test_book_properties.py tests/unit/test_book_fixed_point.py \
	tests/unit/test_book_hub.py tests/unit/risk/test_market_buy_pricing.py \
	tests/unit/test_bars.py tests/unit/test_trade_stats.py tests/unit/test_exchange_sessions.py

.PHONY: run test install dev lint bench bench-all bench-peers bench-suite peers-venv clean

$(BIN)/ordergate: pyproject.toml setup.py $(HOT_SOURCES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -c 'from ordergate.compiled import main; main()'
	touch $(BIN)/ordergate

install: $(BIN)/ordergate

run: install  ## set up and start the service on SQLite and the paper exchange
	$(BIN)/ordergate serve

test: install  ## the whole suite (store tests on SQLite and PostgreSQL), the book's tests again as pure Python, then the server tests again on PostgreSQL
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile
	ORDERGATE_PURE_PYTHON=1 $(BIN)/pytest -q -p no:cacheprovider $(PURE_TESTS)
	ORDERGATE_TEST_DB=postgres $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile tests/e2e

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

PEERS_VENV ?= .peers-venv
bench: install peers-venv  ## the performance scorecard: every target's benchmark in one run, the table at the end
	$(BIN)/python bench/scorecard.py --peer-python $(PEERS_VENV)/bin/python

bench-all: install  ## every script in bench/ in turn (fault runs and failover drills included: long)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

peers-venv:  ## NautilusTrader in a virtual environment of its own (not a project dependency)
	test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install --quiet nautilus_trader==1.221.0

bench-suite: install  ## time make test's two passes (and count the servers and databases they start)
	$(BIN)/python bench/suite/suite_time.py --workers $(TEST_WORKERS)

bench-peers: install peers-venv  ## NautilusTrader's backtest pipeline and book beside ours
	$(PEERS_VENV)/bin/python bench/peers/nautilus_pipeline.py --project-python $(BIN)/python
	$(BIN)/python bench/peers/nautilus_book.py --peer-python $(PEERS_VENV)/bin/python

clean:
	rm -rf $(VENV) $(PEERS_VENV) .pytest_cache .mypy_cache .ruff_cache
