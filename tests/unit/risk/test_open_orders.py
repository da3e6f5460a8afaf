"""max_open_orders / max_open_orders_per_symbol."""

from tests.unit.risk.conftest import Desk, only


def test_max_open_orders_when_under_the_count_then_passes(desk: Desk) -> None:
    desk.limits(max_open_orders=2)
    desk.submit()
    assert desk.check(price="229.00") == []


def test_max_open_orders_when_at_the_count_then_denies_naming_limit_and_count(desk: Desk) -> None:
    desk.limits(max_open_orders=2)
    desk.submit()
    desk.submit(symbol="MSFT", price="420.00")
    denial = only(desk.check(price="229.00"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_open_orders", "2", "2")


def test_max_open_orders_when_an_order_finishes_then_its_slot_frees(desk: Desk) -> None:
    desk.limits(max_open_orders=1)
    order = desk.submit()
    desk.fill(order)
    assert desk.check(price="229.00") == []
    other = desk.submit(price="229.00")
    desk.cancel(other)
    assert desk.check(price="228.00") == []


def test_max_open_orders_per_symbol_when_at_the_count_then_denies_only_that_symbol(desk: Desk) -> None:
    desk.limits(max_open_orders_per_symbol=1)
    desk.submit()
    denial = only(desk.check(price="229.00"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_open_orders_per_symbol", "1", "1")
    assert desk.check(symbol="MSFT", price="420.00") == []
