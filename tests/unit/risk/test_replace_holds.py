"""A pending replace holds the larger of its old and new terms: buying power is never spent twice."""

from decimal import Decimal

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, TimeInForce
from ordergate.domain.ids import VenueOrderId
from ordergate.domain.reports import CancelRejectReport, ReplaceReport
from tests.unit.risk.conftest import ACC, VENUE, Desk

D = Decimal


def _desk_with_working_buy() -> tuple[Desk, object]:
    desk = Desk(cash="15000")
    desk.limits(enforce_buying_power=True)
    order = desk.submit(qty="100", price="100.00")  # holds 10,000
    return desk, order


def _reserved(desk: Desk) -> Decimal:
    return desk.ledger.accounts[ACC].balance("USD").reserved


def test_replace_up_when_pending_then_a_new_buy_cannot_spend_the_same_cash() -> None:
    desk, order = _desk_with_working_buy()
    desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=D("150")))  # type: ignore[attr-defined]
    assert _reserved(desk) == D("15000")
    second = desk.submit(qty="50", price="100.00")
    assert second.status is OrderStatus.REJECTED
    assert second.denials[0].rule == "enforce_buying_power"


def test_replace_up_when_confirmed_then_hold_settles_to_the_new_terms_within_cash() -> None:
    desk, order = _desk_with_working_buy()
    desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=D("150")))  # type: ignore[attr-defined]
    desk.handle(ReplaceReport(order_id=order.id, venue=VENUE, ts=desk.clock.now(),  # type: ignore[attr-defined]
                              venue_order_id=VenueOrderId("v2"), qty=D("150"), limit_price=D("100.00"),
                              stop_price=None, tif=TimeInForce.GTC, expire_at=None))
    assert _reserved(desk) == D("15000")
    cash = desk.ledger.accounts[ACC].balance("USD").cash
    assert _reserved(desk) <= cash


def test_replace_up_when_venue_refuses_then_hold_goes_back_to_the_old_terms() -> None:
    desk, order = _desk_with_working_buy()
    desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=D("150")))  # type: ignore[attr-defined]
    desk.handle(CancelRejectReport(order_id=order.id, venue=VENUE, ts=desk.clock.now(),  # type: ignore[attr-defined]
                                   response_to="replace", reason="too late"))
    assert order.status is OrderStatus.NEW  # type: ignore[attr-defined]
    assert _reserved(desk) == D("10000")


def test_replace_down_when_pending_then_old_larger_hold_kept_until_confirmed() -> None:
    desk, order = _desk_with_working_buy()
    desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=D("40")))  # type: ignore[attr-defined]
    assert _reserved(desk) == D("10000")
    desk.handle(ReplaceReport(order_id=order.id, venue=VENUE, ts=desk.clock.now(),  # type: ignore[attr-defined]
                              venue_order_id=VenueOrderId("v2"), qty=D("40"), limit_price=D("100.00"),
                              stop_price=None, tif=TimeInForce.GTC, expire_at=None))
    assert _reserved(desk) == D("4000")


def test_fill_during_pending_replace_up_when_it_fits_the_new_terms_then_applied() -> None:
    desk, order = _desk_with_working_buy()
    desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=D("150")))  # type: ignore[attr-defined]
    desk.fill(order, qty="120", price="100.00")  # type: ignore[arg-type]
    assert order.filled_qty == D("120")  # type: ignore[attr-defined]
    assert _reserved(desk) == D("3000")
    assert _reserved(desk) <= desk.ledger.accounts[ACC].balance("USD").cash
