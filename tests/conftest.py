"""Session-wide test setup, and the counts of what the suite's time mostly goes to: servers started and
PostgreSQL databases created (summed over pytest-xdist workers)."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.bytecode import compile_package
from tests.databases import asked_within, databases_made, drop_created_databases, recycle_databases
from tests.e2e.server import server_starts

_from_workers: dict[str, int] = {"server_starts": 0, "databases_made": 0}


def pytest_configure(config: pytest.Config) -> None:
    """Before any test (on the pytest-xdist controller, before its workers start): write the package's
    bytecode, which every server and CLI process of the suite then loads instead of compiling it."""
    if not hasattr(config, "workerinput"):
        compile_package()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_databases() -> Iterator[None]:
    """Drop the PostgreSQL databases the tests made, once they are all done."""
    yield
    drop_created_databases()


@pytest.fixture(scope="module", autouse=True)
def _recycle_module_databases() -> Iterator[None]:
    """Once a module's tests and their servers are done, empty its fixtures' databases for the next ones."""
    yield
    recycle_databases("module")


@pytest.fixture(autouse=True)
def _recycle_test_databases() -> Iterator[None]:
    """Once a test and its servers are done, empty the databases it asked for, for the next tests."""
    yield
    recycle_databases("function")


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any]) -> Iterator[None]:
    """Let a database know the scope of the fixture that asks for it (it lives as long as that)."""
    with asked_within(fixturedef.scope):
        return (yield)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a pytest-xdist worker, hand this worker's counts to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput.update(server_starts=server_starts(), databases_made=databases_made())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the pytest-xdist controller, add up what a finished worker counted."""
    output = getattr(node, "workeroutput", {})
    for name in _from_workers:
        _from_workers[name] += int(output.get(name, 0))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many ordergate servers the run started and how many PostgreSQL databases it created."""
    starts = server_starts() + _from_workers["server_starts"]
    made = databases_made() + _from_workers["databases_made"]
    if starts or made:
        terminalreporter.write_line(f"ordergate servers started: {starts}; PostgreSQL databases created: {made}")
