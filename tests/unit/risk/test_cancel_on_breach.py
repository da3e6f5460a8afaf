"""cancel_on_breach: a limit change cancels the working orders the new limits would refuse."""

from ordergate.domain.enums import OrderStatus
from ordergate.domain.events import OrderPendingCancel
from tests.unit.risk.conftest import Desk


def test_cancel_on_breach_when_a_symbol_is_restricted_then_its_working_orders_are_canceled(desk: Desk) -> None:
    desk.limits(cancel_on_breach=True)
    aapl, msft = desk.submit(), desk.submit(symbol="MSFT", price="420.00")
    desk.limits(restricted_symbols=["AAPL"])
    assert (aapl.status, msft.status) == (OrderStatus.PENDING_CANCEL, OrderStatus.NEW)
    cancel = next(e for e in desk.last.events if isinstance(e, OrderPendingCancel))
    assert cancel.reason.startswith("limit change: restricted_symbols") and cancel.caused_by == "risk:test"


def test_cancel_on_breach_when_a_position_limit_is_lowered_then_only_orders_that_would_exceed_it_go(
        desk: Desk) -> None:
    desk.limits(cancel_on_breach=True, allow_short=True)
    desk.trade("buy", "40", "230.00")
    grow, reduce = desk.submit(qty="20", price="229.00"), desk.submit(side="sell", qty="30", price="231.00")
    desk.limits(max_position_qty="50")
    assert (grow.status, reduce.status) == (OrderStatus.PENDING_CANCEL, OrderStatus.NEW)


def test_cancel_on_breach_when_off_then_a_lowered_limit_cancels_nothing(desk: Desk) -> None:
    order = desk.submit(qty="20")
    desk.limits(max_order_qty="10")
    assert order.status is OrderStatus.NEW
