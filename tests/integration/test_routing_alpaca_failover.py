"""The router fails over from the fake Alpaca when Alpaca refuses for a reason of its own (the market closed
for the order's session), and not when it refuses the order itself (insufficient buying power)."""

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.alpaca import FakeAlpacaServer
from tests.fakes.alpaca.book import FakeQuote
from tests.fakes.alpaca.server import KEY_ID, SECRET_KEY
from tests.integration.inprocess import Served, served

ORDER = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "1", "route": "lowest_cost"}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAlpacaServer]:
    """The fake Alpaca, AAPL quoted, its market closed to orders that cannot trade now."""
    async with FakeAlpacaServer() as server:
        server.broker.set_quote(FakeQuote("AAPL", Decimal("100.00"), Decimal("100.10"), Decimal(50), Decimal(50)))
        yield server


@pytest.fixture
async def app(tmp_path: Path, fake: FakeAlpacaServer) -> AsyncIterator[Served]:
    alpaca = {"key_id": KEY_ID, "secret_key": SECRET_KEY, "base_url": fake.base_url, "data_url": fake.base_url,
              "data_stream_url": fake.data_stream_url("iex"), "timeout": 1.0, "backoff_initial": 0.02,
              "backoff_max": 0.1, "max_attempts": 2}
    async with served(tmp_path, venues={"alpaca": alpaca},
                      routing={"venues": {"AAPL": ["alpaca", "paper"]}, "policy": "lowest_cost"}) as s:
        yield s


async def _route_when_done(app: Served, order_id: str) -> dict[str, Any]:
    async with app.client() as client:
        for _ in range(500):
            order = (await client.get(f"/api/v1/orders/{order_id}")).json()
            if order["status"] in ("filled", "rejected", "canceled"):
                route: dict[str, Any] = (await client.get(f"/api/v1/orders/{order_id}/route")).json()
                return route
            await asyncio.sleep(0.01)
    raise AssertionError(f"order {order_id} never done: {order}")


async def _alpaca_ready(app: Served) -> None:
    for _ in range(500):
        if app.container.venues["alpaca"].is_ready():  # type: ignore[index]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the alpaca venue never became ready")


async def test_alpaca_market_closed_then_the_order_fails_over_to_paper_once(
        app: Served, fake: FakeAlpacaServer) -> None:
    await _alpaca_ready(app)
    fake.broker.faults.refuse_out_of_session = True
    fake.broker.set_session("closed")
    async with app.client() as client:
        order = (await client.post("/api/v1/orders/", json=ORDER)).json()
    route = await _route_when_done(app, order["id"])
    children = [(c["venue"], c["status"]) for c in route["children"]]
    assert children == [("alpaca", "rejected"), ("paper", "filled")], route  # alpaca charges less: tried first
    assert "market is closed" in route["children"][0]["reason"]
    assert fake.broker.orders == {}


async def test_alpaca_refusing_the_order_itself_then_no_failover(app: Served, fake: FakeAlpacaServer) -> None:
    await _alpaca_ready(app)
    fake.broker.cash = Decimal(0)  # insufficient buying power: the order's own fault at any venue's judgement
    async with app.client() as client:
        order = (await client.post("/api/v1/orders/", json=ORDER)).json()
    route = await _route_when_done(app, order["id"])
    assert [(c["venue"], c["status"]) for c in route["children"]] == [("alpaca", "rejected")], route
    assert "insufficient buying power" in route["children"][0]["reason"]
