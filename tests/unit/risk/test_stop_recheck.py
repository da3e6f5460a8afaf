"""A stop is checked again when it triggers, as the market or limit order it became."""

from decimal import Decimal

from ordergate.domain.enums import OrderStatus
from ordergate.domain.events import OrderPendingCancel
from ordergate.domain.reports import TriggerReport
from tests.unit.risk.conftest import VENUE, Desk


def trigger(desk: Desk, order_id: str, price: str) -> None:
    desk.handle(TriggerReport(order_id=order_id, venue=VENUE, ts=desk.clock.now(), trigger_price=Decimal(price)))  # type: ignore[arg-type]


def test_stop_when_it_triggers_on_a_stale_price_then_it_is_canceled_naming_the_rule(desk: Desk) -> None:
    desk.limits(stale_data_protection=True)
    stop = desk.submit(type="stop", side="buy", qty="10", stop="235.00")
    desk.prices.set("AAPL", Decimal("235.10"))
    desk.prices.stale.add("AAPL")
    trigger(desk, stop.id, "235.00")
    assert stop.status is OrderStatus.PENDING_CANCEL
    cancel = next(e for e in desk.last.events if isinstance(e, OrderPendingCancel))
    assert cancel.reason.startswith("risk on trigger: stale_data_protection")


def test_stop_when_the_symbol_was_restricted_before_it_triggered_then_it_is_canceled(desk: Desk) -> None:
    stop = desk.submit(type="stop", side="sell", qty="10", stop="225.00")
    desk.limits(restricted_symbols=["AAPL"])
    trigger(desk, stop.id, "225.00")
    assert stop.status is OrderStatus.PENDING_CANCEL


def test_stop_when_it_triggers_within_every_limit_then_it_goes_on(desk: Desk) -> None:
    desk.limits(stale_data_protection=True, max_position_qty="100")
    stop = desk.submit(type="stop", side="buy", qty="10", stop="235.00")
    trigger(desk, stop.id, "235.00")
    assert stop.status is not OrderStatus.PENDING_CANCEL and stop.triggered
