"""GTC stop orders at Upstox go as GTT orders: placed, triggered into a market order that fills, cancelled,
found again after a lost answer or a restart; other GTC orders are refused."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from ordergate.domain.enums import OrderStatus, Side, TimeInForce
from ordergate.domain.ids import VenueOrderId
from ordergate.domain.reports import CancelRejectReport, FillReport, OrderStatusReport, TriggerReport
from ordergate.service.ports import VenueOrder
from tests.fakes.upstox import FakeUpstoxServer
from tests.fakes.upstox.harness import Harness, started, venue_order

D = Decimal
S = OrderStatus
RELIANCE = "NSE_EQ|INE002A01018"


def _gtc_stop(qty: str = "3", stop: str = "1310.00", side: Side = Side.BUY) -> VenueOrder:
    order = venue_order(qty=qty, stop=stop, side=side, tif=TimeInForce.GTC)
    return replace(order, created_at=datetime.now(UTC))


async def test_gtc_stop_goes_as_a_gtt_then_triggers_into_a_market_order_that_fills(h: Harness) -> None:
    order = _gtc_stop()
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    [gtt] = h.server.fake.exchange.gtt.gtts.values()
    assert (gtt.trigger_type, gtt.trigger_price, gtt.quantity, gtt.status) == ("ABOVE", D("1310.0"), 3, "SCHEDULED")
    assert h.of(order, OrderStatusReport)[0].venue_order_id == gtt.gtt_order_id
    assert not h.server.fake.exchange.orders  # nothing at the exchange until it triggers
    h.server.fake.exchange.set_price(RELIANCE, D("1311.00"))
    await h.until(lambda: S.FILLED in h.statuses(order))
    assert [(f.qty, f.price) for f in h.of(order, FillReport)] == [(D(3), D("1311.0"))]
    assert [t.trigger_price for t in h.of(order, TriggerReport)] == [D("1310.0")]
    assert gtt.status == "TRIGGERED" and gtt.order_id in h.server.fake.exchange.orders


async def test_gtc_stop_sell_triggers_below_and_a_cancel_before_it_cancels_the_gtt(h: Harness) -> None:
    order = _gtc_stop(stop="1200.00", side=Side.SELL)
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    [gtt] = h.server.fake.exchange.gtt.gtts.values()
    assert gtt.trigger_type == "BELOW"
    h.venue.replace(order, replace(order, stop_price=D("1190.00")))
    await h.until(lambda: bool(h.of(order, CancelRejectReport)))
    assert "not modified here" in h.of(order, CancelRejectReport)[0].reason
    h.venue.cancel(order)
    await h.until(lambda: S.CANCELED in h.statuses(order))
    assert gtt.status == "CANCELLED"


async def test_gtc_limit_is_refused_with_the_reason_and_nothing_is_sent(h: Harness) -> None:
    order = venue_order(limit="1300.00", tif=TimeInForce.GTC)
    h.venue.submit(order)
    await h.until(lambda: S.REJECTED in h.statuses(order))
    assert "only stop orders past the day (as GTT)" in h.of(order, OrderStatusReport)[-1].reason
    assert not h.server.fake.exchange.gtt.gtts and not h.server.fake.exchange.orders


async def test_gtt_place_whose_answer_is_lost_is_found_among_the_gtts_and_never_placed_twice(h: Harness) -> None:
    h.server.fake.faults.update(lost_place_answers=1, lost_place_mode="error")
    order = _gtc_stop()
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    assert len(h.server.fake.exchange.gtt.gtts) == 1


async def test_status_after_a_restart_finds_the_gtt_by_its_id_then_its_order_once_triggered(
        h: Harness, upstox_server: FakeUpstoxServer, tmp_path: Path) -> None:
    order = _gtc_stop()
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    [gtt] = upstox_server.fake.exchange.gtt.gtts.values()
    await h.venue.stop()
    restarted = await started(upstox_server, tmp_path / "again")
    try:
        [unacked] = await restarted.venue.status(order)  # no id yet: found by its terms
        assert (unacked.status, unacked.venue_order_id) == (S.NEW, gtt.gtt_order_id)  # type: ignore[union-attr]
        known = replace(order, venue_order_id=VenueOrderId(gtt.gtt_order_id))
        [waiting] = await restarted.venue.status(known)
        assert (waiting.status, waiting.venue_order_id) == (S.NEW, gtt.gtt_order_id)  # type: ignore[union-attr]
        upstox_server.fake.exchange.set_price(RELIANCE, D("1311.00"))
        reports = await restarted.venue.status(known)
        assert [type(r) for r in reports] == [FillReport, OrderStatusReport]
        assert reports[-1].status is S.FILLED  # type: ignore[union-attr]
        never = _gtc_stop(stop="1400.00")
        assert await restarted.venue.status(never) == []
    finally:
        await restarted.venue.stop()
