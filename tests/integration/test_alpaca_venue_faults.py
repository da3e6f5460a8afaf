"""AlpacaVenue against the fake Alpaca's faults: lost answers, 429 and 5xx, stream drops, disordered events."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from pydantic import SecretStr

from ordergate.adapters.clock import SystemClock
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.alpaca.venue import AlpacaVenue
from ordergate.domain.enums import OrderStatus, OrderType
from ordergate.domain.reports import ConnectionReport, FillReport, OrderStatusReport
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
    """The venue on the fake, stream connected."""
    venue = await started_venue(fake, sink)
    yield venue
    await venue.stop()


def orders_at_fake(fake: FakeAlpacaServer, client_order_id: str) -> int:
    return sum(1 for o in fake.broker.orders.values() if o.client_order_id == client_order_id)


async def test_submit_whose_answer_is_lost_after_creation_then_found_by_client_id_and_never_sent_twice(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    fake.broker.faults.drop_create_answer = 1
    venue.submit(order(1, "2"))
    await eventually(lambda: sink.of(FillReport, "o-1"))
    assert orders_at_fake(fake, "c-1") == 1 and fake.broker.posts == 1
    assert sink.of(OrderStatusReport, "o-1")[0].venue_order_id == fake.broker.by_client_order_id("c-1").id


async def test_submit_that_times_out_after_creation_then_one_order_at_alpaca(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    fake.broker.faults.update({"hang_create_answer": 1, "hang_seconds": 1.0})
    venue.submit(order(1, "2", type=OrderType.LIMIT, limit="90"))
    await eventually(lambda: sink.of(OrderStatusReport, "o-1"))
    assert orders_at_fake(fake, "c-1") == 1 and fake.broker.posts == 1


async def test_submit_refused_with_503_before_creation_then_looked_up_and_sent_again_once(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    fake.broker.faults.http_5xx = 1
    venue.submit(order(1, "2"))
    await eventually(lambda: sink.of(FillReport, "o-1"))
    assert orders_at_fake(fake, "c-1") == 1
    methods = [m for m, path in fake.app.state.gate.requests if path.startswith("/v2/orders")]
    assert methods[:3] == ["POST", "GET", "POST"]


async def test_requests_answered_429_and_5xx_then_retried_until_they_succeed(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    venue.submit(order(1, "2", type=OrderType.LIMIT, limit="90"))
    await eventually(lambda: sink.of(OrderStatusReport, "o-1"))
    fake.broker.faults.update({"http_429": 1, "http_5xx": 2})
    venue.cancel(order(1, "2", type=OrderType.LIMIT, limit="90"))
    await eventually(lambda: OrderStatus.CANCELED in [r.status for r in sink.of(OrderStatusReport, "o-1")],
                     timeout=8)
    assert [m for m, p in fake.app.state.gate.requests].count("DELETE") == 4


async def test_stream_dropped_then_reconnects_and_reports_down_then_up(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    await fake.app.state.trades.drop_all()
    await eventually(lambda: len(sink.of(ConnectionReport)) == 3)
    assert [c.connected for c in sink.of(ConnectionReport)] == [True, False, True]
    assert venue.is_ready() and fake.app.state.trades.connections == 2
    venue.submit(order(1, "1"))
    await eventually(lambda: sink.of(FillReport, "o-1"))


async def test_fills_while_stream_was_down_then_status_finds_them_in_account_activities(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    venue.submit(order(1, "3", type=OrderType.LIMIT, limit="90"))
    await eventually(lambda: sink.of(OrderStatusReport, "o-1"))
    await venue.stream.stop()
    fake.broker.fill(fake.broker.by_client_order_id("c-1"), D(3), D("90"))
    reports = await venue.status(order(1, "3", type=OrderType.LIMIT, limit="90"))
    assert [type(r).__name__ for r in reports] == ["FillReport", "OrderStatusReport"]
    assert reports[0].fill_id == f"{fake.broker.by_client_order_id('c-1').id}:3"


async def test_duplicated_and_swapped_events_then_the_same_fill_ids_twice_and_no_others(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    fake.broker.faults.update({"duplicate_events": True, "reorder_events": True, "fill_chunk": "1"})
    venue.submit(order(1, "3"))
    await eventually(lambda: len(sink.of(FillReport, "o-1")) == 6)
    fills = sink.of(FillReport, "o-1")
    assert len({f.fill_id for f in fills}) == 3
    assert sum({f.fill_id: f.qty for f in fills}.values()) == 3


async def test_stream_keys_refused_then_venue_not_ready(fake: FakeAlpacaServer, sink: Collected) -> None:
    venue = AlpacaVenue(fake_config(fake, secret_key=SecretStr("wrong-secret")), load_instruments(), SystemClock())
    await venue.start(sink)
    try:
        await eventually(lambda: len(fake.app.state.trades.live) == 0 and venue.stream._task is not None)
        assert not venue.is_ready() and sink.of(ConnectionReport) == []
    finally:
        await venue.stop()
