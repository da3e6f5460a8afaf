"""Reconciling many orders with Upstox through its day book and the day's trades: two requests whatever the
count, the same answers as asking order by order; an order missing from the day book is still asked about."""

from decimal import Decimal
from typing import Any

from ordergate.domain.enums import OrderStatus
from tests.fakes.upstox.harness import Harness, venue_order

D = Decimal
S = OrderStatus


def _comparable(reports: Any) -> list[tuple[Any, ...]]:
    return [(type(r).__name__, getattr(r, "status", None), getattr(r, "fill_id", None), getattr(r, "qty", None),
             getattr(r, "filled_qty", None), getattr(r, "venue_order_id", None)) for r in reports]


async def test_statuses_of_many_orders_then_two_requests_and_the_same_answers_as_one_by_one(h: Harness) -> None:
    working = [venue_order(qty="10", limit="1200.00") for _ in range(30)]
    filled = venue_order(qty="4")
    for sent in (*working, filled):
        h.venue.submit(sent)
    await h.until(lambda: all(S.NEW in h.statuses(o) for o in working) and S.FILLED in h.statuses(filled))
    h.server.fake.exchange.fill(str(h.venue.tracked.by_order[working[0].order_id].upstox_id), 3, D("1199"))
    await h.until(lambda: S.PARTIALLY_FILLED in h.statuses(working[0]))  # the stream's part is done
    never_sent = venue_order(qty="1")
    asked = [*working, filled, never_sent]
    before = len(h.server.fake.requests)
    answers = await h.venue.statuses(asked)
    requests = h.server.fake.requests[before:]
    assert [path for _, path in requests] == [
        "/v2/order/retrieve-all", "/v2/order/trades/get-trades-for-day", "/v2/order/history"]  # the last: never_sent
    assert answers[never_sent.order_id] == []
    for sent in (working[0], working[-1], filled):
        assert _comparable(answers[sent.order_id]) == _comparable(await h.venue.status(sent))
    assert answers[working[0].order_id][-1].status is S.PARTIALLY_FILLED  # type: ignore[union-attr]
