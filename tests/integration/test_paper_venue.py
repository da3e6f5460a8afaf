"""PaperVenue wired to the real engine loop and the real market data hub: orders live their whole life."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.paper.venue import PaperVenue
from ordergate.config import PaperConfig
from ordergate.domain.commands import CancelOrder, ReplaceOrder
from ordergate.domain.enums import Liquidity, OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.events import Event, OrderFilled
from ordergate.domain.ids import ClientOrderId, OrderId, Symbol, VenueId
from ordergate.domain.order import Order
from ordergate.domain.reports import Report
from ordergate.service.engine import snapshot
from ordergate.service.engine_loop import EngineLoop
from ordergate.service.marketdata import MarketDataHub
from ordergate.service.ports import VenueOrder
from ordergate.service.submit import SubmitResult
from tests.fakes.clock import FakeClock
from tests.fakes.journal import InMemoryJournal
from tests.unit.builders import buy, make_engine

D = Decimal
AAPL = Symbol("AAPL")
S = OrderStatus


@dataclass
class Rig:
    loop: EngineLoop
    venue: PaperVenue
    hub: MarketDataHub
    journal: InMemoryJournal

    async def submit(self, **terms: Any) -> Order:
        result: SubmitResult = await self.loop.execute(buy(**terms))
        return result.order

    def fills(self, order: Order) -> list[OrderFilled]:
        return [e for e in self.journal.events if isinstance(e, OrderFilled) and e.order_id == order.id]

    async def filled(self, order: Order, timeout: float = 5.0) -> list[OrderFilled]:
        """Wait until the order's fills for its whole qty are committed; return them."""
        await until(lambda: sum(f.qty for f in self.fills(order)) == order.qty, timeout)
        assert order.status is S.FILLED
        return self.fills(order)


class _Sink:
    def publish(self, events: Iterable[Event]) -> None:
        """Drop published events: the journal keeps them."""


async def _start(**config: Any) -> Rig:
    clock = FakeClock()
    hub = MarketDataHub(clock, stale_after=30)
    engine = make_engine(clock, prices=hub)  # type: ignore[arg-type]
    venue = PaperVenue(PaperConfig(**{"tick_interval": 0.02, **config}), load_instruments(), clock, hub)
    journal = InMemoryJournal()
    loop = EngineLoop(engine, journal, {VenueId("paper"): venue}, _Sink())
    await venue.start(loop.report)
    await loop.start()
    return Rig(loop, venue, hub, journal)


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    r = await _start()
    yield r
    await r.loop.stop()
    await r.venue.stop()


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.002)


async def test_start_when_venue_started_then_prices_are_live_before_any_order(rig: Rig) -> None:
    assert rig.venue.is_ready() and rig.hub.reference_price(AAPL) is not None
    quote = rig.hub.quote(AAPL)
    assert quote is not None and quote.bid is not None and quote.ask is not None and quote.bid < quote.ask


async def test_market_order_when_submitted_then_acked_and_filled_with_commission(rig: Rig) -> None:
    order = await rig.submit(qty="25", limit=None)
    fills = await rig.filled(order)
    assert sum(f.qty for f in fills) == D(25) and order.accepted_at is not None
    assert sum(f.commission for f in fills) == D("1.00") and all(f.liquidity is Liquidity.TAKER for f in fills)


async def test_limit_far_from_market_when_canceled_then_rests_then_canceled_with_reason(rig: Rig) -> None:
    order = await rig.submit(qty="10", limit="100.00", tif=TimeInForce.GTC)
    await until(lambda: order.status is S.NEW)
    await rig.loop.execute(CancelOrder(order_id=order.id, reason="changed my mind"))
    await until(lambda: order.status is S.CANCELED)
    assert order.reason == "changed my mind" and rig.fills(order) == []


async def test_replace_when_price_moved_through_market_then_replaced_and_fills(rig: Rig) -> None:
    order = await rig.submit(qty="10", limit="100.00", tif=TimeInForce.GTC)
    await until(lambda: order.status is S.NEW)
    ask = rig.hub.quote(AAPL).ask  # type: ignore[union-attr]
    await rig.loop.execute(ReplaceOrder(order_id=order.id, limit_price=ask + D("1.00")))  # type: ignore[operator]
    await until(lambda: order.status is S.FILLED)
    assert order.limit_price == ask + D("1.00")  # type: ignore[operator]


async def test_limit_inside_spread_when_market_trades_through_then_fills_as_maker() -> None:
    rig = await _start(trade_probability=1.0)
    try:
        quote = rig.hub.quote(AAPL)
        assert quote is not None and quote.bid is not None
        order = await rig.submit(qty="5", limit=str(quote.bid + D("0.01")), tif=TimeInForce.GTC)
        fills = await rig.filled(order, timeout=20)
        assert {f.liquidity for f in fills} == {Liquidity.MAKER}
        assert all(f.price == order.limit_price for f in fills)
    finally:
        await rig.loop.stop()
        await rig.venue.stop()


async def test_stop_when_market_trades_through_stop_then_triggered_and_filled(rig: Rig) -> None:
    ask = rig.hub.quote(AAPL).ask  # type: ignore[union-attr]
    stop = await rig.submit(qty="5", limit=None, type=OrderType.STOP, stop_price=ask + D("0.01"))  # type: ignore[operator]
    await until(lambda: stop.status is S.NEW)
    assert not stop.triggered
    through = sum(size for _, size in rig.venue.exchange.markets[AAPL].book.depth(Side.SELL, 3))
    await rig.submit(qty=str(through), limit=None)  # walks three levels: prints above the stop
    await until(lambda: stop.status is S.FILLED)
    assert stop.triggered


async def test_ack_latency_when_set_then_pending_new_first_and_cancel_never_overtakes_submit() -> None:
    rig = await _start(ack_latency=0.05)
    try:
        order = await rig.submit(qty="10", limit="100.00", tif=TimeInForce.GTC)
        assert order.status is S.PENDING_NEW
        await rig.loop.execute(CancelOrder(order_id=order.id, reason="quick"))
        await until(lambda: order.status is S.CANCELED)
        assert order.accepted_at is not None  # the ack arrived, then the cancel
    finally:
        await rig.loop.stop()
        await rig.venue.stop()


def _direct(order: Order, order_id: str) -> VenueOrder:
    """Return a copy of a working order under a new id, to send to the venue past the engine."""
    copy = snapshot(order)
    copy.order_id, copy.client_order_id = OrderId(order_id), ClientOrderId(order_id)
    return copy


async def test_ack_latency_when_set_then_the_ack_arrives_no_earlier_than_the_delay() -> None:
    latency = 0.2
    rig = await _start(ack_latency=latency)
    try:
        order = await rig.submit(qty="10", limit="100.00", tif=TimeInForce.GTC)
        await until(lambda: order.status is S.NEW)
        loop = asyncio.get_running_loop()
        arrivals: list[tuple[float, Report]] = []
        rig.venue.exchange.emit = lambda report: arrivals.append((loop.time(), report))
        sent = loop.time()
        rig.venue.submit(_direct(order, "direct-late"))
        await asyncio.sleep(0)
        assert arrivals == []  # not on the next loop turn, as it would be with no latency
        await until(lambda: bool(arrivals))
        arrived, ack = arrivals[0]
        assert (ack.order_id, ack.status) == ("direct-late", S.NEW)  # type: ignore[attr-defined]
        # a lower bound only, and a generous one: the venue's timer may fire up to its clock resolution early
        assert arrived - sent >= 0.9 * latency
    finally:
        await rig.loop.stop()
        await rig.venue.stop()


async def test_ack_latency_when_zero_then_the_ack_arrives_on_the_next_loop_turn(rig: Rig) -> None:
    order = await rig.submit(qty="10", limit="100.00", tif=TimeInForce.GTC)
    await until(lambda: order.status is S.NEW)
    seen: list[Report] = []
    rig.venue.exchange.emit = seen.append
    rig.venue.submit(_direct(order, "direct-prompt"))
    assert seen == []  # requests return at once; the answer always comes from the event loop
    await asyncio.sleep(0)  # one loop turn, no timer
    assert [(r.order_id, r.status) for r in seen] == [("direct-prompt", S.NEW)]  # type: ignore[attr-defined]


async def test_hostile_order_when_sent_to_venue_directly_then_rejected_report_and_venue_keeps_serving(rig: Rig) -> None:
    order = await rig.submit(qty="10", limit="100.00", tif=TimeInForce.GTC)
    await until(lambda: order.status is S.NEW)
    seen: list[Report] = []
    rig.venue.exchange.emit = seen.append
    bad = snapshot(order)
    bad.order_id, bad.qty = "hostile", D("-5")  # type: ignore[assignment]
    rig.venue.submit(bad)
    await until(lambda: bool(seen))
    assert seen[0].status is S.REJECTED and seen[0].reason.startswith("qty:")  # type: ignore[attr-defined]
    assert (await rig.venue.status(snapshot(order)))[0].status is S.NEW  # type: ignore[attr-defined]


async def test_status_when_venue_restarted_then_forgets_and_reconcile_resubmits_remaining(rig: Rig) -> None:
    order = await rig.submit(qty="10", limit="100.00", tif=TimeInForce.GTC)
    await until(lambda: order.status is S.NEW)
    fresh = PaperVenue(PaperConfig(), load_instruments(), FakeClock(), rig.hub)
    assert await fresh.status(snapshot(order)) == []
    await fresh.start(rig.loop.report)
    try:
        fresh.submit(snapshot(order))
        await until(lambda: fresh.exchange.working_order(order.id) is not None)
        assert order.status is S.NEW and fresh.exchange.working_order(order.id).leaves == D(10)  # type: ignore[union-attr]
    finally:
        await fresh.stop()


async def test_ticks_when_running_then_books_and_trades_keep_flowing(rig: Rig) -> None:
    first = rig.hub.quote(AAPL)
    await until(lambda: rig.hub.quote(AAPL) is not first, timeout=2)
    assert rig.hub.quote(AAPL).bid < rig.hub.quote(AAPL).ask  # type: ignore[operator,union-attr]
    assert not rig.hub.is_stale(AAPL)
