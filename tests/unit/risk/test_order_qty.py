"""max_order_qty: no single order above the limit."""

from tests.unit.risk.conftest import Desk, only


def test_max_order_qty_when_under_or_at_the_limit_then_passes(desk: Desk) -> None:
    desk.limits(max_order_qty="100")
    assert desk.check(qty="99") == []
    assert desk.check(qty="100") == []


def test_max_order_qty_when_over_the_limit_then_denies_naming_limit_and_value(desk: Desk) -> None:
    desk.limits(max_order_qty="100")
    denial = only(desk.check(qty="101"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_order_qty", "100", "101")
    assert "max_order_qty 100" in denial.message and "101" in denial.message


def test_max_order_qty_when_switched_off_then_any_size_passes(desk: Desk) -> None:
    desk.limits(max_order_qty="100")
    desk.limits(max_order_qty=None)
    assert desk.check(qty="5000") == []


def test_max_order_qty_when_denied_through_the_engine_then_order_is_rejected_with_reasons(desk: Desk) -> None:
    desk.limits(max_order_qty="100")
    order = desk.submit(qty="500")
    assert order.status == "rejected"
    assert [d.rule for d in order.denials] == ["max_order_qty"]
    assert not desk.last.requests  # nothing reaches the venue
