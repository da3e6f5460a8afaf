"""max_order_notional: qty x limit price, or x the reference price for market orders."""

from tests.unit.risk.conftest import Desk, only


def test_max_order_notional_when_under_or_at_the_limit_then_passes(desk: Desk) -> None:
    desk.limits(max_order_notional="2300")
    assert desk.check(qty="9", price="230.00") == []
    assert desk.check(qty="10", price="230.00") == []


def test_max_order_notional_when_over_the_limit_then_denies_naming_limit_and_value(desk: Desk) -> None:
    desk.limits(max_order_notional="2300")
    denial = only(desk.check(qty="10", price="230.01"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_order_notional", "2300.00", "2300.10")


def test_max_order_notional_when_market_order_then_values_it_at_the_reference_price(desk: Desk) -> None:
    desk.limits(max_order_notional="2300")
    desk.limits(max_order_notional="2323")  # market buys carry the 1% buffer: 10 x 230 x 1.01
    assert desk.check(type="market", qty="10") == []
    assert only(desk.check(type="market", qty="11")).actual == "2555.30"


def test_max_order_notional_when_market_order_has_no_fresh_price_then_denies_saying_why(desk: Desk) -> None:
    desk.limits(max_order_notional="2300")
    desk.prices.stale.add("AAPL")
    denial = only(desk.check(type="market", qty="1"))
    assert denial.rule == "max_order_notional" and "stale" in denial.message
    del desk.prices.prices["AAPL"]
    assert "no reference price" in only(desk.check(type="market", qty="1")).message
