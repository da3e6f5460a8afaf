"""The Upstox venue against the fake Upstox: place, partial fill, complete, cancel, modify and reject flows."""

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from ordergate.domain.enums import OrderStatus, TimeInForce
from ordergate.domain.reports import CancelRejectReport, FillReport, OrderStatusReport, ReplaceReport
from ordergate.service.ports import VenueOrder
from tests.fakes.upstox import FakeUpstox, FakeUpstoxServer
from tests.fakes.upstox.fixtures import TOKEN
from tests.fakes.upstox.harness import Harness, started, upstox_orders, venue_order

D = Decimal
S = OrderStatus




async def test_market_order_is_accepted_then_filled_with_the_trade_before_the_final_status(h: Harness) -> None:
    order = venue_order(qty="4")
    h.venue.submit(order)
    await h.until(lambda: S.FILLED in h.statuses(order))
    fills = h.of(order, FillReport)
    assert [(f.qty, f.price) for f in fills] == [(D(4), D("1300.0"))]
    final = h.of(order, OrderStatusReport)[-1]
    assert (final.filled_qty, final.avg_price) == (D(4), D("1300.0"))
    assert h.statuses(order) == [S.NEW, S.FILLED]
    assert h.reports.index(fills[0]) < h.reports.index(final)
    assert list(upstox_orders(h.server, order.order_id)) == [final.venue_order_id]


async def test_partial_fill_reports_cumulative_quantity_then_cancel_keeps_the_fill(h: Harness) -> None:
    order = venue_order(qty="10", limit="1200.00")
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    upstox_id = h.venue.tracked.by_order[order.order_id].upstox_id
    assert upstox_id is not None
    h.server.fake.exchange.fill(upstox_id, 3, D("1199.50"))
    await h.until(lambda: S.PARTIALLY_FILLED in h.statuses(order))
    partial = h.of(order, OrderStatusReport)[-1]
    assert (partial.filled_qty, partial.avg_price) == (D(3), D("1199.5"))
    h.venue.cancel(order)
    await h.until(lambda: S.CANCELED in h.statuses(order))
    assert [(f.qty, f.price) for f in h.of(order, FillReport)] == [(D(3), D("1199.5"))]
    assert h.of(order, OrderStatusReport)[-1].filled_qty == D(3)


async def test_modify_keeps_the_upstox_order_id_and_reports_the_new_terms(h: Harness) -> None:
    order = venue_order(qty="5", limit="1250.00")
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    new = venue_order(qty="7", limit="1260.00", order_id=order.order_id)
    h.venue.replace(order, new)
    await h.until(lambda: bool(h.of(order, ReplaceReport)))
    replaced = h.of(order, ReplaceReport)[0]
    assert (replaced.qty, replaced.limit_price, replaced.tif) == (D(7), D("1260.0"), TimeInForce.DAY)
    assert replaced.venue_order_id == h.venue.tracked.by_order[order.order_id].upstox_id
    assert len(list(upstox_orders(h.server, order.order_id))) == 1


async def test_buy_beyond_funds_is_rejected_with_upstox_reason(upstox_server: FakeUpstoxServer, tmp_path: Path) -> None:
    server = FakeUpstoxServer(FakeUpstox(cash=D("1000")))
    server.fake.issue_token(TOKEN)
    with server:
        h = await started(server, tmp_path)
        order = venue_order(qty="2", limit="1300.00")
        h.venue.submit(order)
        await h.until(lambda: S.REJECTED in h.statuses(order))
        await h.venue.stop()
    assert "You need to add Rs." in h.of(order, OrderStatusReport)[-1].reason


async def test_order_upstox_cannot_take_is_rejected_without_a_request(h: Harness) -> None:
    order = venue_order(qty="1.5", limit="1300.00")
    gtc = venue_order(limit="1300.00", tif=TimeInForce.GTC)
    extended = replace(venue_order(limit="1300.00"), extended_hours=True)
    for sent in (order, gtc, extended):
        h.venue.submit(sent)
    await h.until(lambda: all(S.REJECTED in h.statuses(o) for o in (order, gtc, extended)))
    assert "whole quantities" in h.of(order, OrderStatusReport)[-1].reason
    assert "only stop orders past the day" in h.of(gtc, OrderStatusReport)[-1].reason
    assert "no extended-hours trading" in h.of(extended, OrderStatusReport)[-1].reason
    assert not h.server.fake.exchange.orders


async def test_cancel_of_a_filled_order_is_refused_and_reports_the_fill(h: Harness) -> None:
    order = venue_order(qty="2")
    h.venue.submit(order)
    await h.until(lambda: S.FILLED in h.statuses(order))
    h.venue.cancel(order)
    await h.until(lambda: bool(h.of(order, CancelRejectReport)))
    assert "not allowed" in h.of(order, CancelRejectReport)[0].reason
    assert h.statuses(order).count(S.FILLED) == 1


async def test_stop_order_triggers_when_the_price_crosses(h: Harness) -> None:
    order = venue_order(qty="3", stop="1310.00")
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    h.server.fake.exchange.set_price("NSE_EQ|INE002A01018", D("1311.00"))
    await h.until(lambda: S.FILLED in h.statuses(order))
    assert [(f.qty, f.price) for f in h.of(order, FillReport)] == [(D(3), D("1311.0"))]


async def _one_working_partly_filled_one_done(h: Harness) -> VenueOrder:
    """Submit a limit buy of 10 at 1200 (2 then filled at 1199) and a market buy of 4; return the working one."""
    working = venue_order(qty="10", limit="1200.00")
    done = venue_order(qty="4")
    h.venue.submit(working)
    h.venue.submit(done)
    await h.until(lambda: S.NEW in h.statuses(working) and S.FILLED in h.statuses(done))
    h.server.fake.exchange.fill(str(h.venue.tracked.by_order[working.order_id].upstox_id), 2, D("1199"))
    return working


async def test_status_lists_fills_and_cumulative_quantity_and_open_orders_and_positions(h: Harness) -> None:
    working = await _one_working_partly_filled_one_done(h)
    reports = await h.venue.status(working)
    assert [(r.qty, r.price) for r in reports if isinstance(r, FillReport)] == [(D(2), D("1199.0"))]
    status = reports[-1]
    assert isinstance(status, OrderStatusReport)
    assert (status.status, status.filled_qty) == (S.PARTIALLY_FILLED, D(2))
    assert await h.venue.status(venue_order()) == []
    open_orders = await h.venue.open_orders()
    assert [(o.order_id, o.filled_qty, o.symbol) for o in open_orders] == [(working.order_id, D(2), "RELIANCE")]
    positions = await h.venue.positions()
    assert positions is not None
    assert [(p.symbol, p.qty) for p in positions] == [("RELIANCE", D(6))]


async def test_balances_are_the_inr_free_to_trade_net_of_fills_and_of_working_buys(h: Harness) -> None:
    await _one_working_partly_filled_one_done(h)
    [inr] = await h.venue.balances() or []
    free = D(10_000_000) - 4 * D(1300) - 2 * D(1199) - 8 * D(1200)
    assert (inr.currency, inr.cash, inr.buying_power, inr.net_of_orders) == ("INR", free, free, True)


async def test_after_the_close_an_order_goes_as_amo_waits_modifies_and_fills_when_the_market_opens(
        h: Harness) -> None:
    h.server.fake.exchange.close_market()
    h.clock.advance(hours=10)  # 20:00 IST
    order = venue_order(qty="5", limit="1310.00")
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    [at_fake] = h.server.fake.exchange.by_tag(order.order_id)
    assert (at_fake.is_amo, at_fake.status) == (True, "after market order req received")
    h.venue.replace(order, venue_order(qty="6", limit="1320.00", order_id=order.order_id))
    await h.until(lambda: bool(h.of(order, ReplaceReport)))
    assert (at_fake.status, at_fake.quantity) == ("modify after market order req received", 6)
    h.server.fake.exchange.open_market()
    await h.until(lambda: S.FILLED in h.statuses(order))
    assert sum(f.qty for f in h.of(order, FillReport)) == D(6)


async def test_after_the_close_an_amo_cancelled_then_canceled_here(h: Harness) -> None:
    h.server.fake.exchange.close_market()
    h.clock.advance(hours=10)
    order = venue_order(qty="5", limit="1310.00")
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    h.venue.cancel(order)
    await h.until(lambda: S.CANCELED in h.statuses(order))
    [at_fake] = h.server.fake.exchange.by_tag(order.order_id)
    assert at_fake.status == "cancelled after market order"


async def test_with_amo_never_an_order_after_the_close_is_refused_with_upstoxs_reason(
        upstox_server: FakeUpstoxServer, tmp_path: Path) -> None:
    h = await started(upstox_server, tmp_path, amo="never")
    try:
        upstox_server.fake.exchange.close_market()
        h.clock.advance(hours=10)
        order = venue_order(qty="5", limit="1310.00")
        h.venue.submit(order)
        await h.until(lambda: S.REJECTED in h.statuses(order))
        assert h.of(order, OrderStatusReport)[-1].reason == "upstox: Market is closed"
    finally:
        await h.venue.stop()
