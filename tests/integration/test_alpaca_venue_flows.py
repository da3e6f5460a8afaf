"""AlpacaVenue against the fake Alpaca: what each request reports back through the Venue port."""

from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal

import pytest

from ordergate.adapters.venues.alpaca.venue import AlpacaVenue
from ordergate.domain.enums import OrderStatus, OrderType, TimeInForce
from ordergate.domain.reports import CancelRejectReport, FillReport, OrderStatusReport, ReplaceReport
from tests.fakes.alpaca import FakeAlpacaServer
from tests.fakes.alpaca.book import FakeQuote
from tests.integration.alpaca_harness import Collected, eventually, order, started_venue

D = Decimal


@pytest.fixture
async def fake() -> AsyncIterator[FakeAlpacaServer]:
    """The fake on a free port, AAPL quoted 100 / 100.10."""
    async with FakeAlpacaServer() as server:
        server.broker.set_quote(FakeQuote("AAPL", D("100"), D("100.10")))
        yield server


@pytest.fixture
async def venue(fake: FakeAlpacaServer, sink: Collected) -> AsyncIterator[AlpacaVenue]:
    """The venue on the fake, stream connected."""
    venue = await started_venue(fake, sink)
    yield venue
    await venue.stop()


@pytest.fixture
def sink() -> Collected:
    """What the venue reports."""
    return Collected()


def statuses(sink: Collected, order_id: str) -> list[OrderStatus]:
    return [r.status for r in sink.of(OrderStatusReport, order_id)]


async def test_market_order_when_submitted_then_acked_and_filled_with_alpacas_price(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    venue.submit(order(1, "3"))
    await eventually(lambda: sink.of(FillReport, "o-1"))
    assert statuses(sink, "o-1") == [OrderStatus.NEW]
    [fill] = sink.of(FillReport, "o-1")
    alpaca_order = fake.broker.by_client_order_id("c-1")
    assert (fill.qty, fill.price, fill.fill_id) == (D(3), D("100.10"), f"{alpaca_order.id}:3")
    assert sink.of(OrderStatusReport, "o-1")[0].venue_order_id == alpaca_order.id


async def test_order_filled_in_parts_then_one_fill_report_per_execution_with_distinct_ids(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    fake.broker.faults.fill_chunk = "2"
    venue.submit(order(1, "5"))
    await eventually(lambda: sum(f.qty for f in sink.of(FillReport, "o-1")) == 5)
    fills = sink.of(FillReport, "o-1")
    assert [f.qty for f in fills] == [D(2), D(2), D(1)]
    assert len({f.fill_id for f in fills}) == 3


async def test_status_after_fills_then_reports_filled_with_cumulative_qty_and_the_stream_fill_ids(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    fake.broker.faults.fill_chunk = "2"
    venue.submit(order(1, "4"))
    await eventually(lambda: len(sink.of(FillReport, "o-1")) == 2)
    reports = await venue.status(order(1, "4"))
    *fills, status = reports
    assert isinstance(status, OrderStatusReport) and status.status is OrderStatus.FILLED
    assert (status.filled_qty, status.avg_price) == (D(4), D("100.10"))
    assert [f.fill_id for f in fills] == [f.fill_id for f in sink.of(FillReport, "o-1")]


async def test_status_of_an_order_alpaca_never_got_then_empty(venue: AlpacaVenue) -> None:
    assert await venue.status(order(9)) == []


async def test_cancel_of_resting_limit_then_canceled_after_alpacas_204(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    resting = order(1, "5", type=OrderType.LIMIT, limit="90")
    venue.submit(resting)
    venue.cancel(resting)  # queued behind the submit: never overtakes it
    await eventually(lambda: OrderStatus.CANCELED in statuses(sink, "o-1"))
    assert fake.broker.by_client_order_id("c-1").status == "canceled"


async def test_cancel_of_filled_order_then_cancel_reject_with_alpacas_message(
        venue: AlpacaVenue, sink: Collected) -> None:
    venue.submit(order(1, "1"))
    await eventually(lambda: sink.of(FillReport, "o-1"))
    venue.cancel(order(1, "1"))
    await eventually(lambda: sink.of(CancelRejectReport, "o-1"))
    assert sink.of(CancelRejectReport, "o-1")[0].reason == 'alpaca 422: order is already in "filled" state'


async def test_replace_then_replace_report_with_new_alpaca_id_and_our_order_id_and_fills_on_the_new_link(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    resting = order(1, "5", type=OrderType.LIMIT, limit="90")
    venue.submit(resting)
    await eventually(lambda: statuses(sink, "o-1") == [OrderStatus.NEW])
    venue.replace(resting, replace(resting, qty=D(6), limit_price=D("101")))
    await eventually(lambda: sink.of(FillReport, "o-1"))
    [replaced] = sink.of(ReplaceReport, "o-1")
    old = fake.broker.by_client_order_id("c-1")
    assert old.status == "replaced" and replaced.venue_order_id == old.replaced_by
    assert (replaced.qty, replaced.limit_price) == (D(6), D("101"))
    [fill] = sink.of(FillReport, "o-1")
    assert fill.fill_id == f"{old.replaced_by}:6" and fill.qty == 6


async def test_replace_after_partial_fill_then_alpaca_is_sent_only_what_is_left(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    resting = order(1, "5", type=OrderType.LIMIT, limit="95")
    venue.submit(resting)
    await eventually(lambda: statuses(sink, "o-1"))
    fake.broker.fill(fake.broker.by_client_order_id("c-1"), D(2), D("95"))  # an execution elsewhere in the book
    await eventually(lambda: sink.of(FillReport, "o-1"))
    venue.replace(resting, replace(resting, qty=D(4), filled_qty=D(2), limit_price=D("96")))
    await eventually(lambda: sink.of(ReplaceReport, "o-1"))
    new = fake.broker.get(sink.of(ReplaceReport, "o-1")[0].venue_order_id)
    assert new.qty == 2 and sink.of(ReplaceReport, "o-1")[0].qty == 4
    reports = await venue.status(resting)
    status = next(r for r in reports if isinstance(r, OrderStatusReport))
    assert (status.status, status.filled_qty) == (OrderStatus.PARTIALLY_FILLED, D(2))


async def test_order_alpaca_refuses_then_rejected_with_alpacas_message(venue: AlpacaVenue, sink: Collected) -> None:
    venue.submit(order(1, "100000", type=OrderType.LIMIT, limit="100"))
    await eventually(lambda: statuses(sink, "o-1"))
    [rejected] = sink.of(OrderStatusReport, "o-1")
    assert (rejected.status, rejected.reason) == (OrderStatus.REJECTED, "alpaca 403: insufficient buying power")


async def test_open_orders_and_positions_then_alpacas_with_our_order_ids(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    venue.submit(order(1, "3"))
    venue.submit(order(2, "2", type=OrderType.LIMIT, limit="90"))
    await eventually(lambda: sink.of(FillReport, "o-1") and statuses(sink, "o-2"))
    [working] = await venue.open_orders()
    assert (working.order_id, working.client_order_id, working.qty, working.status) == (
        "o-2", "c-2", D(2), OrderStatus.NEW)
    [position] = await venue.positions() or []
    assert (position.symbol, position.qty, position.avg_price) == ("AAPL", D(3), D("100.1"))


async def test_balances_then_alpacas_cash_and_buying_power_after_a_fill(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    before = fake.broker.cash
    venue.submit(order(1, "3"))
    await eventually(lambda: sink.of(FillReport, "o-1"))
    [usd] = await venue.balances() or []
    assert (usd.currency, usd.cash, usd.net_of_orders) == ("USD", before - 3 * D("100.10"), False)
    assert usd.buying_power is not None


@pytest.mark.parametrize("tif", [TimeInForce.DAY, TimeInForce.GTC])
async def test_extended_hours_limit_after_the_close_then_sent_with_the_flag_and_filled(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer, tif: TimeInForce) -> None:
    fake.broker.set_session("extended")
    venue.submit(replace(order(1, "3", type=OrderType.LIMIT, limit="100.10", tif=tif), extended_hours=True))
    await eventually(lambda: sink.of(FillReport, "o-1"))
    at_alpaca = fake.broker.by_client_order_id("c-1")
    assert (at_alpaca.extended_hours, at_alpaca.status, at_alpaca.time_in_force) == (True, "filled", tif.value)


async def test_regular_hours_limit_after_the_close_then_waits_working_until_the_session_opens(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer) -> None:
    fake.broker.set_session("extended")
    venue.submit(order(1, "3", type=OrderType.LIMIT, limit="100.10"))
    await eventually(lambda: [r for r in sink.of(OrderStatusReport, "o-1") if r.status is OrderStatus.NEW])
    at_alpaca = fake.broker.by_client_order_id("c-1")
    assert (at_alpaca.extended_hours, at_alpaca.status) == (False, "new")
    fake.broker.set_session("regular")
    await eventually(lambda: sink.of(FillReport, "o-1"))


@pytest.mark.parametrize(("type_", "limit", "tif"), [
    (OrderType.MARKET, None, TimeInForce.DAY), (OrderType.LIMIT, "100.10", TimeInForce.IOC)])
async def test_extended_hours_on_an_order_alpaca_refuses_it_for_then_rejected_without_a_request(
        venue: AlpacaVenue, sink: Collected, fake: FakeAlpacaServer, type_: OrderType, limit: str | None,
        tif: TimeInForce) -> None:
    venue.submit(replace(order(1, "3", type=type_, limit=limit, tif=tif), extended_hours=True))
    await eventually(lambda: sink.of(OrderStatusReport, "o-1"))
    [rejected] = sink.of(OrderStatusReport, "o-1")
    assert rejected.status is OrderStatus.REJECTED and "extended_hours only on limit orders" in rejected.reason
    assert fake.broker.posts == 0

