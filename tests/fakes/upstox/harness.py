"""An UpstoxVenue wired to a running fake Upstox, collecting every report, for the adapter tests."""

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pydantic import SecretStr

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.upstox.config import UpstoxConfig
from ordergate.adapters.venues.upstox.venue import UpstoxVenue
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, Symbol
from ordergate.domain.reports import ConnectionReport, OrderStatusReport, Report
from ordergate.service.ports import VenueOrder
from tests.fakes.clock import FakeClock
from tests.fakes.upstox.fixtures import TOKEN
from tests.fakes.upstox.server import FakeUpstoxServer

R = TypeVar("R")
_ids = itertools.count(1)
# 10:00 IST on a Monday: the token taken now lives until 03:30 IST tomorrow (22:00 UTC today).
MORNING = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)


def fast_config(server: FakeUpstoxServer, **overrides: Any) -> UpstoxConfig:
    """Return a config pointing both hosts at the fake, with short timeouts and backoffs."""
    values: dict[str, Any] = {
        "access_token": SecretStr(TOKEN), "api_url": server.url, "order_url": server.url, "timeout": 1.0,
        "backoff_initial": 0.01, "backoff_max": 0.05, "orders_per_second": 200, "others_per_second": 400,
    }
    values.update(overrides)
    return UpstoxConfig(**values)


def venue_order(symbol: str = "RELIANCE", qty: str = "4", side: Side = Side.BUY, limit: str | None = None,
                stop: str | None = None, tif: TimeInForce = TimeInForce.DAY, order_id: str | None = None) -> VenueOrder:
    """Return a VenueOrder with a fresh order id (market unless a limit/stop price is given)."""
    kind = {(False, False): OrderType.MARKET, (True, False): OrderType.LIMIT,
            (False, True): OrderType.STOP, (True, True): OrderType.STOP_LIMIT}[(limit is not None, stop is not None)]
    oid = OrderId(order_id or f"t{next(_ids):05d}")
    return VenueOrder(order_id=oid, client_order_id=ClientOrderId(oid), account=AccountId("ACC"),
                      symbol=Symbol(symbol), side=side, type=kind, qty=Decimal(qty), filled_qty=Decimal(0),
                      limit_price=Decimal(limit) if limit else None, stop_price=Decimal(stop) if stop else None,
                      tif=tif, expire_at=None)


@dataclass
class Harness:
    """The venue under test, its fake, and what it reported."""

    server: FakeUpstoxServer
    venue: UpstoxVenue
    clock: FakeClock
    reports: list[Report | ConnectionReport] = field(default_factory=list)

    def of(self, order: VenueOrder, kind: type[R]) -> list[R]:
        """Return the reports of one kind about one order."""
        return [r for r in self.reports if isinstance(r, kind) and getattr(r, "order_id", None) == order.order_id]

    def statuses(self, order: VenueOrder) -> list[OrderStatus]:
        """Return the statuses reported for one order, in order."""
        return [r.status for r in self.of(order, OrderStatusReport)]

    def kinds(self, kind: type[R]) -> list[R]:
        """Return every report of one kind."""
        return [r for r in self.reports if isinstance(r, kind)]

    async def until(self, check: Callable[[], bool], timeout: float = 15.0) -> None:
        """Wait until ``check()`` holds (fail after ``timeout`` seconds)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not check():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out; reports: {self.reports}")
            await asyncio.sleep(0.01)

    async def connected(self) -> None:
        """Wait for the portfolio stream to be up."""
        await self.until(lambda: self.venue.stream.connected)


async def started(server: FakeUpstoxServer, data_dir: Path, **overrides: Any) -> Harness:
    """Start an UpstoxVenue on the fake with its stream connected."""
    clock = FakeClock(MORNING)
    venue = UpstoxVenue(fast_config(server, **overrides), data_dir, load_instruments(), clock)
    harness = Harness(server, venue, clock)
    await venue.start(harness.reports.append)
    await harness.connected()
    return harness


@pytest.fixture(name="h")
async def upstox_harness(upstox_server: FakeUpstoxServer, tmp_path: Path) -> AsyncIterator[Harness]:
    """An UpstoxVenue started on the fake (as ``h``), stopped after the test."""
    harness = await started(upstox_server, tmp_path)
    yield harness
    await harness.venue.stop()


def upstox_orders(server: FakeUpstoxServer, tag: str) -> Iterator[str]:
    """Yield the ids of the orders at the fake carrying ``tag``."""
    return (o.order_id for o in server.fake.exchange.by_tag(tag))
