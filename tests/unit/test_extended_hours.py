"""Extended hours: a per-order flag, taken only on limit orders with time in force day or gtc."""

from datetime import timedelta
from decimal import Decimal

import pytest

from ordergate.domain.commands import ReplaceOrder, SubmitOrder
from ordergate.domain.enums import OrderStatus, OrderType, TimeInForce
from ordergate.domain.errors import DuplicateClientOrderId, ValidationFailed
from ordergate.domain.events import OrderSubmitted
from ordergate.service.engine import OrderEngine
from tests.fakes.clock import FakeClock
from tests.unit.builders import buy, status_report

D = Decimal


def _extended(tif: TimeInForce = TimeInForce.DAY, client_order_id: str | None = None) -> SubmitOrder:
    return buy("10", "230.00", tif=tif, extended_hours=True, client_order_id=client_order_id)


@pytest.mark.parametrize("tif", [TimeInForce.DAY, TimeInForce.GTC])
def test_submit_when_limit_day_or_gtc_with_extended_hours_then_flagged_and_sent_with_the_flag(
        engine: OrderEngine, tif: TimeInForce) -> None:
    outcome = engine.handle(_extended(tif))
    [submitted] = [e for e in outcome.events if isinstance(e, OrderSubmitted)]
    assert "extended_hours" in submitted.flags
    [request] = outcome.requests
    assert request.order.extended_hours is True


def test_submit_without_extended_hours_then_not_flagged_and_sent_without(engine: OrderEngine) -> None:
    outcome = engine.handle(buy("10", "230.00"))
    assert outcome.requests[0].order.extended_hours is False
    assert "extended_hours" not in outcome.reply.order.flags  # type: ignore[union-attr]


@pytest.mark.parametrize(("order_type", "limit", "stop", "tif"), [
    (OrderType.MARKET, None, None, TimeInForce.DAY),
    (OrderType.STOP_LIMIT, "230.00", "229.00", TimeInForce.DAY),
    (OrderType.STOP, None, "229.00", TimeInForce.GTC),
    (OrderType.LIMIT, "230.00", None, TimeInForce.IOC),
    (OrderType.LIMIT, "230.00", None, TimeInForce.FOK),
])
def test_submit_when_extended_hours_on_other_than_limit_day_or_gtc_then_error_names_the_field_and_nothing_changes(
        engine: OrderEngine, order_type: OrderType, limit: str | None, stop: str | None, tif: TimeInForce) -> None:
    cmd = buy("10", limit, type=order_type, tif=tif, extended_hours=True,
              stop_price=D(stop) if stop is not None else None)
    seq = engine.ledger.last_seq
    with pytest.raises(ValidationFailed) as caught:
        engine.handle(cmd)
    assert (caught.value.field, caught.value.rule) == ("extended_hours", "limit_day_or_gtc")
    assert f"got a {order_type} order with {tif}" in caught.value.message
    assert (engine.ledger.last_seq, engine.ledger.orders) == (seq, {})


def test_replace_of_an_extended_hours_order_to_gtd_then_refused_and_the_order_unchanged(
        engine: OrderEngine, clock: FakeClock) -> None:
    order = engine.handle(_extended()).reply.order  # type: ignore[union-attr]
    engine.handle(status_report(order.id, OrderStatus.NEW))
    with pytest.raises(ValidationFailed) as caught:
        engine.handle(ReplaceOrder(order_id=order.id, tif=TimeInForce.GTD, expire_at=clock.now() + timedelta(hours=1)))
    assert (caught.value.field, caught.value.rule) == ("extended_hours", "limit_day_or_gtc")
    assert (order.status, order.tif) == (OrderStatus.NEW, TimeInForce.DAY)


def test_replace_of_an_extended_hours_order_keeps_the_flag_on_the_new_terms(engine: OrderEngine) -> None:
    order = engine.handle(_extended()).reply.order  # type: ignore[union-attr]
    engine.handle(status_report(order.id, OrderStatus.NEW))
    [request] = engine.handle(ReplaceOrder(order_id=order.id, limit_price=D("231.00"))).requests
    assert request.new is not None and request.new.extended_hours is True


def test_resubmit_with_the_same_client_order_id_and_a_different_extended_hours_flag_then_conflict(
        engine: OrderEngine) -> None:
    first = engine.handle(_extended(client_order_id="eh-1")).reply.order  # type: ignore[union-attr]
    assert engine.handle(_extended(client_order_id="eh-1")).reply.order is first  # type: ignore[union-attr]
    with pytest.raises(DuplicateClientOrderId):
        engine.handle(buy("10", "230.00", client_order_id="eh-1"))
