"""Reading and writing Upstox: the 17 statuses, naive IST times, JSON numbers, place and modify bodies."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ordergate.adapters.venues.upstox.parse import STATUSES, Phase, ist_time, order
from ordergate.adapters.venues.upstox.requests import Unsupported, modify_body, place_body
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, Symbol
from ordergate.service.ports import VenueOrder

DOCUMENTED = [
    "put order req received", "validation pending", "open pending", "open", "trigger pending",
    "modify validation pending", "modify pending", "modified", "not modified", "cancel pending", "cancelled",
    "not cancelled", "after market order req received", "modify after market order req received",
    "cancelled after market order", "complete", "rejected",
]


def _order(kind: OrderType = OrderType.LIMIT, qty: str = "3", tif: TimeInForce = TimeInForce.DAY,
           limit: str | None = "1300.05", stop: str | None = None) -> VenueOrder:
    return VenueOrder(order_id=OrderId("abc-000001"), client_order_id=ClientOrderId("mine"), account=AccountId("A"),
                      symbol=Symbol("RELIANCE"), side=Side.SELL, type=kind, qty=Decimal(qty), filled_qty=Decimal(0),
                      limit_price=Decimal(limit) if limit else None, stop_price=Decimal(stop) if stop else None,
                      tif=tif, expire_at=None)


def test_the_table_maps_every_documented_status_and_only_those() -> None:
    assert sorted(STATUSES) == sorted(DOCUMENTED)
    terminal = {s for s, (ours, phase) in STATUSES.items() if phase is Phase.DONE}
    assert terminal == {"complete", "rejected", "cancelled", "cancelled after market order"}
    assert all(STATUSES[s][0].is_terminal for s in terminal)
    assert not any(ours.is_terminal for s, (ours, _) in STATUSES.items() if s not in terminal)


def test_unknown_status_is_treated_as_not_yet_working_never_as_terminal() -> None:
    uo = order({"order_id": "1", "status": "some new status", "transaction_type": "BUY"})
    assert not uo.known_status and uo.mapped == (OrderStatus.PENDING_NEW, Phase.WAITING)


def test_open_with_filled_quantity_reads_exact_decimals_and_ist_times() -> None:
    uo = order({"order_id": "250", "status": "Open", "transaction_type": "SELL", "quantity": 10,
                "filled_quantity": 4, "average_price": Decimal("1300.05"), "tag": "abc-000001",
                "exchange_timestamp": "2026-03-02 10:00:00", "order_request_id": "2"})
    assert (uo.status, uo.side, uo.filled, uo.avg_price, uo.order_request_id) == (
        "open", Side.SELL, Decimal(4), Decimal("1300.05"), 2)
    assert uo.ts == datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
    assert ist_time("not a time") is None and ist_time(None) is None


def test_place_body_carries_our_order_id_as_tag_and_upstox_enums() -> None:
    body = place_body(_order(), "NSE_EQ|INE002A01018", "D")
    assert (body["tag"], body["order_type"], body["transaction_type"], body["validity"]) == (
        "abc-000001", "LIMIT", "SELL", "DAY")
    assert (body["quantity"], body["price"], body["trigger_price"], body["product"]) == (3, 1300.05, 0.0, "D")
    stop = place_body(_order(OrderType.STOP, limit=None, stop="1290.00"), "K", "I")
    assert (stop["order_type"], stop["trigger_price"], stop["price"]) == ("SL-M", 1290.0, 0.0)
    stop_limit = place_body(_order(OrderType.STOP_LIMIT, stop="1290.00", limit="1289.00"), "K", "I")
    assert stop_limit["order_type"] == "SL"


@pytest.mark.parametrize(("order", "why"), [
    (_order(tif=TimeInForce.GTC), "day and ioc"), (_order(qty="2.5"), "whole quantities"),
])
def test_what_upstox_cannot_take_is_refused_with_the_reason(order: VenueOrder, why: str) -> None:
    with pytest.raises(Unsupported, match=why):
        place_body(order, "K", "I")
    with pytest.raises(Unsupported, match=why):
        modify_body("1", order)


async def test_budget_lets_at_most_rate_requests_start_in_any_second() -> None:
    import time

    from ordergate.adapters.venues.upstox.budget import RequestBudget

    budget = RequestBudget(20)
    starts = []
    for _ in range(45):
        await budget.take()
        starts.append(time.monotonic())
    assert max(sum(1 for t in starts if s <= t < s + 1) for s in starts) <= 20
