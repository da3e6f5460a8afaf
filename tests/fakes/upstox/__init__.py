"""A local fake Upstox: REST (orders, portfolio, quotes, login), the portfolio stream and Market Data Feed V3."""

from tests.fakes.upstox.broker import CLIENT_ID, CLIENT_SECRET, FakeUpstox
from tests.fakes.upstox.server import FakeUpstoxServer

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "FakeUpstox", "FakeUpstoxServer"]
