"""Shared pieces of the Alpaca venue tests: the venue pointed at the fake, a report collector, orders."""

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import SecretStr

from ordergate.adapters.clock import SystemClock
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.alpaca.config import AlpacaConfig
from ordergate.adapters.venues.alpaca.venue import AlpacaVenue
from ordergate.domain.enums import OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, Symbol
from ordergate.domain.reports import ConnectionReport, Report
from ordergate.service.ports import VenueOrder
from tests.fakes.alpaca import FakeAlpacaServer
from tests.fakes.alpaca.server import KEY_ID, SECRET_KEY


def fake_config(fake: FakeAlpacaServer, **overrides: Any) -> AlpacaConfig:
    """Return settings that point the venue at the fake, with short timeouts and backoff for tests."""
    values: dict[str, Any] = {
        "key_id": SecretStr(KEY_ID), "secret_key": SecretStr(SECRET_KEY), "base_url": fake.base_url,
        "data_url": fake.base_url, "data_stream_url": fake.data_stream_url("iex"), "timeout": 0.5,
        "backoff_initial": 0.02, "backoff_max": 0.2, **overrides,
    }
    return AlpacaConfig(**values)


class Collected:
    """The report sink: everything the venue reported, in order."""

    def __init__(self) -> None:
        self.items: list[Report | ConnectionReport] = []

    def __call__(self, item: Report | ConnectionReport) -> None:
        self.items.append(item)

    def of(self, kind: type, order_id: str | None = None) -> list[Any]:
        """Return the reports of one type (for one order)."""
        return [r for r in self.items if isinstance(r, kind)
                and (order_id is None or getattr(r, "order_id", None) == order_id)]


async def started_venue(fake: FakeAlpacaServer, sink: Collected, **overrides: Any) -> AlpacaVenue:
    """Return an AlpacaVenue on the fake, started, its stream connected."""
    venue = AlpacaVenue(fake_config(fake, **overrides), load_instruments(), SystemClock())
    await venue.start(sink)
    await eventually(venue.is_ready)
    return venue


async def eventually(check: Callable[[], Any], timeout: float = 5.0) -> None:
    """Wait until ``check()`` is true (fail after ``timeout`` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def order(n: int, qty: str = "5", *, side: Side = Side.BUY, type: OrderType = OrderType.MARKET,
          limit: str | None = None, stop: str | None = None, tif: TimeInForce = TimeInForce.DAY,
          filled: str = "0") -> VenueOrder:
    """Return order ``n`` of a test (ids o-n / c-n) for AAPL."""
    return VenueOrder(
        order_id=OrderId(f"o-{n}"), client_order_id=ClientOrderId(f"c-{n}"), account=AccountId("ACC"),
        symbol=Symbol("AAPL"), side=side, type=type, qty=Decimal(qty), filled_qty=Decimal(filled),
        limit_price=Decimal(limit) if limit else None, stop_price=Decimal(stop) if stop else None, tif=tif,
        expire_at=None,
    )
