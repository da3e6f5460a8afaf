"""Pytest fixtures: a fake Upstox server per test, with a valid token."""

from collections.abc import Iterator

import pytest

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.server import FakeUpstoxServer

TOKEN = "fake-access-token-0001"


@pytest.fixture
def upstox_server() -> Iterator[FakeUpstoxServer]:
    """A running fake Upstox that accepts ``TOKEN`` (valid until the next 03:30 IST)."""
    server = FakeUpstoxServer(FakeUpstox())
    server.fake.issue_token(TOKEN)
    with server:
        yield server
