"""The Upstox venue under the fake's fault knobs: lost answers, 429, 5xx, timeouts, stream trouble."""

from decimal import Decimal
from typing import Any

import pytest

from ordergate.adapters.venues.upstox.http import UpstoxLost
from ordergate.domain.enums import OrderStatus
from ordergate.domain.reports import ConnectionReport, FillReport, OrderStatusReport
from tests.fakes.upstox.harness import Harness, upstox_orders, venue_order

D = Decimal
S = OrderStatus




@pytest.mark.parametrize("mode", ["hang", "error"])
async def test_place_whose_answer_is_lost_is_found_by_tag_and_never_sent_twice(h: Harness, mode: str) -> None:
    h.server.fake.faults.update(lost_place_answers=1, lost_place_mode=mode, hang_seconds=1.5)
    order = venue_order(qty="4")
    h.venue.submit(order)
    await h.until(lambda: S.FILLED in h.statuses(order))
    assert len(list(upstox_orders(h.server, order.order_id))) == 1
    assert h.venue.actions.lookups == 1 and h.venue.actions.resends == 0
    assert sum(f.qty for f in h.of(order, FillReport)) == D(4)


async def test_place_that_never_reached_upstox_is_sent_again_once(h: Harness) -> None:
    h.server.fake.faults.update(timeouts=1, hang_seconds=1.5)  # the request hangs and does nothing
    order = venue_order(qty="2")
    h.venue.submit(order)
    await h.until(lambda: S.FILLED in h.statuses(order))
    assert len(list(upstox_orders(h.server, order.order_id))) == 1
    assert h.venue.actions.resends == 1


async def test_429_and_5xx_are_retried_with_backoff(h: Harness) -> None:
    h.server.fake.faults.update(http_429=2)
    order = venue_order(qty="1")
    h.venue.submit(order)
    await h.until(lambda: S.FILLED in h.statuses(order))
    assert len(list(upstox_orders(h.server, order.order_id))) == 1
    h.server.fake.faults.update(http_5xx=2)
    assert await h.venue.open_orders() == []  # a read: retried through two 503s
    assert h.venue.http.retries >= 4


async def test_duplicate_and_reordered_updates_change_nothing(h: Harness) -> None:
    h.server.fake.faults.update(duplicate_chance=0.5, reorder_chance=0.3, seed=11)
    h.server.fake.exchange.fill_parts = 3
    orders = [venue_order(qty="6") for _ in range(8)]
    for order in orders:
        h.venue.submit(order)
    for order in orders:
        await h.until(lambda o=order: S.FILLED in h.statuses(o))  # type: ignore[misc]
    h.server.fake.exchange.hub.flush()
    for order in orders:
        fills = h.of(order, FillReport)
        assert len({f.fill_id for f in fills}) == len(fills) == 3
        assert sum(f.qty for f in fills) == D(6)
        assert h.statuses(order).count(S.FILLED) == 1


async def test_stream_drop_reports_disconnect_then_reconnect(h: Harness) -> None:
    h.server.fake.exchange.hub.drop_all()
    await h.until(lambda: [r.connected for r in h.kinds(ConnectionReport)][-2:] == [False, True])
    assert h.venue.stream.connects == 2
    order = venue_order(qty="1")
    h.venue.submit(order)
    await h.until(lambda: S.FILLED in h.statuses(order))


async def test_a_resent_submit_asks_upstox_first_and_never_makes_a_second_order(h: Harness) -> None:
    order = venue_order(qty="3", limit="1200.00")
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    h.venue.submit(order)  # the engine re-sends a submit it thinks was lost
    h.server.fake.faults.update(lost_place_answers=1, hang_seconds=1.5)
    lost = venue_order(qty="2", limit="1200.00")
    h.venue.submit(lost)
    h.venue.submit(lost)  # re-sent while the first place still waits for its answer
    await h.until(lambda: len(list(upstox_orders(h.server, lost.order_id))) == 1 and not h.venue._tasks)
    assert len(list(upstox_orders(h.server, order.order_id))) == 1
    assert len(list(upstox_orders(h.server, lost.order_id))) == 1


async def test_fill_whose_trades_cannot_be_had_is_reported_by_cumulative_quantity_for_the_engine_to_infer(
        h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    order = venue_order(qty="10", limit="1200.00")
    h.venue.submit(order)
    await h.until(lambda: S.NEW in h.statuses(order))
    real_call = h.venue.http.call

    async def no_trades(method: str, path: str, **kwargs: Any) -> Any:
        if path == "/v2/order/trades":
            raise UpstoxLost("trades unavailable")
        return await real_call(method, path, **kwargs)

    monkeypatch.setattr(h.venue.http, "call", no_trades)
    h.server.fake.exchange.fill(str(h.venue.tracked.by_order[order.order_id].upstox_id), 4, D("1199.50"))
    await h.until(lambda: S.PARTIALLY_FILLED in h.statuses(order))
    partial = h.of(order, OrderStatusReport)[-1]
    assert (partial.filled_qty, partial.avg_price, h.of(order, FillReport)) == (D(4), D("1199.5"), [])
