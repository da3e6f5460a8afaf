"""max_position_qty / max_position_notional: counting working orders as if filled."""

from tests.unit.risk.conftest import Desk, only


def test_max_position_qty_when_position_plus_working_stays_within_then_passes(desk: Desk) -> None:
    desk.limits(max_position_qty="100")
    desk.trade("buy", "60", "230.00")
    desk.submit(qty="30")
    assert desk.check(qty="10") == []


def test_max_position_qty_when_working_orders_would_take_it_over_then_denies(desk: Desk) -> None:
    desk.limits(max_position_qty="100")
    desk.trade("buy", "60", "230.00")
    desk.submit(qty="40")  # at the limit counting working orders
    denial = only(desk.check(qty="1"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_position_qty", "100", "101")


def test_max_position_qty_when_order_reduces_then_passes_even_above_a_lowered_limit(desk: Desk) -> None:
    desk.trade("buy", "80", "230.00")
    desk.limits(max_position_qty="50")
    assert desk.check(side="sell", qty="10") == []
    assert only(desk.check(qty="1")).rule == "max_position_qty"


def test_max_position_qty_when_short_side_then_counts_working_sells(desk: Desk) -> None:
    desk.limits(max_position_qty="100", allow_short=True)
    desk.submit(side="sell", qty="100")
    assert only(desk.check(side="sell", qty="1")).actual == "101"


def test_max_position_notional_when_value_over_the_limit_then_denies(desk: Desk) -> None:
    desk.limits(max_position_notional="23000")
    desk.trade("buy", "90", "230.00")
    assert desk.check(qty="10") == []
    denial = only(desk.check(qty="11"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_position_notional", "23000.00", "23230.00")
