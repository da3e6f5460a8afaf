"""Session-wide test setup, and the count of servers started (what the suite's time mostly goes to)."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.databases import drop_created_databases
from tests.e2e.server import server_starts

_worker_starts: list[int] = []


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_databases() -> Iterator[None]:
    """Drop the PostgreSQL databases the tests made, once they are all done."""
    yield
    drop_created_databases()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a pytest-xdist worker, hand this worker's server starts to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["server_starts"] = server_starts()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the pytest-xdist controller, add up what a finished worker started."""
    _worker_starts.append(int(getattr(node, "workeroutput", {}).get("server_starts", 0)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many ordergate servers the run started."""
    total = server_starts() + sum(_worker_starts)
    if total:
        terminalreporter.write_line(f"ordergate servers started: {total}")
