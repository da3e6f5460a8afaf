"""Whose fault an Alpaca refusal is, against the fake Alpaca: the venue's own (so the router fails over) or the
order's (an order reject)."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from pydantic import SecretStr

from ordergate.adapters.clock import SystemClock
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.alpaca.venue import AlpacaVenue
from ordergate.domain.enums import OrderStatus, OrderType, TimeInForce
from ordergate.domain.reports import OrderStatusReport
from tests.fakes.alpaca import FakeAlpacaServer
from tests.fakes.alpaca.book import FakeQuote
from tests.integration.alpaca_harness import Collected, eventually, fake_config, order, started_venue

D = Decimal


@pytest.fixture
async def fake() -> AsyncIterator[FakeAlpacaServer]:
    """The fake on a free port, AAPL quoted 100 / 100.10."""
    async with FakeAlpacaServer() as server:
        server.broker.set_quote(FakeQuote("AAPL", D("100"), D("100.10")))
        yield server


@pytest.fixture
def sink() -> Collected:
    """What the venue reports."""
    return Collected()


@pytest.fixture
async def venue(fake: FakeAlpacaServer, sink: Collected) -> AsyncIterator[AlpacaVenue]:
    """The venue on the fake (three tries per request), stream connected."""
    venue = await started_venue(fake, sink, max_attempts=3)
    yield venue
    await venue.stop()


def refusal(sink: Collected, order_id: str) -> OrderStatusReport:
    [report] = [r for r in sink.of(OrderStatusReport, order_id) if r.status is OrderStatus.REJECTED]
    return report


async def test_order_creation_answered_5xx_on_every_try_and_alpaca_has_no_such_order_then_a_venue_fault(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    fake.broker.faults.create_5xx = 3
    venue.submit(order(1, "2"))
    await eventually(lambda: sink.of(OrderStatusReport, "o-1"))
    rejected = refusal(sink, "o-1")
    assert rejected.venue_fault and "no answer to the order after 3 tries" in rejected.reason
    assert fake.broker.orders == {}


async def test_order_creation_answered_5xx_then_taken_on_a_later_try_then_no_refusal(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    fake.broker.faults.create_5xx = 2
    venue.submit(order(1, "2", type=OrderType.LIMIT, limit="90"))
    await eventually(lambda: sink.of(OrderStatusReport, "o-1"))
    assert [r.status for r in sink.of(OrderStatusReport, "o-1")] == [OrderStatus.NEW]


async def test_market_closed_for_the_orders_session_then_a_venue_fault(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    fake.broker.faults.refuse_out_of_session = True
    fake.broker.set_session("closed")
    venue.submit(order(1, "2", type=OrderType.LIMIT, limit="90", tif=TimeInForce.DAY))
    await eventually(lambda: sink.of(OrderStatusReport, "o-1"))
    rejected = refusal(sink, "o-1")
    assert rejected.venue_fault and "market is closed" in rejected.reason


async def test_keys_refused_then_a_venue_fault(fake: FakeAlpacaServer, sink: Collected) -> None:
    venue = AlpacaVenue(fake_config(fake, secret_key=SecretStr("wrong-secret"), max_attempts=2),
                        load_instruments(), SystemClock())
    await venue.start(sink)
    try:
        venue.submit(order(1, "2"))
        await eventually(lambda: sink.of(OrderStatusReport, "o-1"))
        rejected = refusal(sink, "o-1")
        assert rejected.venue_fault and rejected.reason == "alpaca 401: unauthorized"
    finally:
        await venue.stop()


async def test_insufficient_buying_power_then_the_orders_own_refusal(venue: AlpacaVenue, sink: Collected) -> None:
    venue.submit(order(1, "100000", type=OrderType.LIMIT, limit="100"))
    await eventually(lambda: sink.of(OrderStatusReport, "o-1"))
    rejected = refusal(sink, "o-1")
    assert not rejected.venue_fault and rejected.reason == "alpaca 403: insufficient buying power"


async def test_invalid_quantity_then_the_orders_own_refusal(venue: AlpacaVenue, sink: Collected) -> None:
    venue.submit(order(1, "-1", type=OrderType.LIMIT, limit="100"))
    await eventually(lambda: sink.of(OrderStatusReport, "o-1"))
    assert not refusal(sink, "o-1").venue_fault
