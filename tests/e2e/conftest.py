"""Fixtures that run the real server.

``server`` starts a fresh server for one test: for tests that change what every account sees (the firm's
risk limits or trading state, the firm-wide kill switch), count everything on the server, stop or restart it.
``shared_server`` is one server for all the tests of a module that need none of that (bad input, reads, their
own orders judged by their own ids); a server start is most of an end-to-end test's time. ``own_account`` is
an account of the test's own on the shared server (its cash, positions, orders, limits and trading state no
other test sees), with a trader key scoped to it; ``own_desk`` the same with an admin key for that account.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import wants_postgres
from tests.e2e import helpers
from tests.e2e.server import Server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In the PostgreSQL pass, skip the tests that choose their databases themselves: the first pass ran them."""
    if not wants_postgres():
        return
    again = pytest.mark.skip(reason="chooses its databases itself: ran in the first pass of make test")
    for item in items:
        if item.get_closest_marker("picks_database"):
            item.add_marker(again)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A fresh server on SQLite and the paper exchange, in its own data directory."""
    srv = Server(tmp_path).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server on SQLite and the paper exchange for the module's tests that leave no trace others see."""
    srv = Server(tmp_path_factory.mktemp("shared")).start()
    yield srv
    srv.stop()


@pytest.fixture
def own_account(shared_server: Server) -> helpers.OwnAccount:
    """A freshly opened account with PAPER's opening cash on the module's shared server, and a trader key for it."""
    return helpers.own_account(shared_server)


@pytest.fixture
def own_desk(shared_server: Server) -> helpers.OwnAccount:
    """As ``own_account``, with an admin key scoped to the account: it may also halt and resume it (the blotter)."""
    return helpers.own_account(shared_server, role="admin")
