"""Fixtures that run the real server."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import Server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A fresh server on SQLite and the paper exchange, in its own data directory."""
    srv = Server(tmp_path).start()
    yield srv
    srv.stop()
