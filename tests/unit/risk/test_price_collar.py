"""price_collar_pct / price_collar_ticks: limit and stop prices near the reference price; market orders
need a fresh reference price."""

from tests.unit.risk.conftest import Desk, only


def test_price_collar_pct_when_inside_or_on_the_band_then_passes(desk: Desk) -> None:
    desk.limits(price_collar_pct="5")
    assert desk.check(price="240.00") == []
    assert desk.check(price="241.50") == []  # exactly 5% above 230


def test_price_collar_pct_when_outside_the_band_then_denies_naming_limit_and_distance(desk: Desk) -> None:
    desk.limits(price_collar_pct="5")
    denial = only(desk.check(price="241.51"))
    assert denial.rule == "price_collar_pct" and denial.limit == "5.0000"
    assert denial.actual is not None and denial.actual.startswith("5.00")
    assert "limit_price 241.51" in denial.message and "reference price 230" in denial.message


def test_price_collar_pct_when_stop_price_is_far_then_denies_naming_stop_price(desk: Desk) -> None:
    desk.limits(price_collar_pct="5")
    denial = only(desk.check(type="stop", side="sell", price=None, stop="100.00"))
    assert "stop_price 100" in denial.message


def test_price_collar_ticks_when_more_ticks_away_than_allowed_then_denies(desk: Desk) -> None:
    desk.limits(price_collar_ticks=10)
    assert desk.check(price="230.10") == []
    denial = only(desk.check(price="230.11"))
    assert (denial.rule, denial.limit, denial.actual) == ("price_collar_ticks", "10", "11")


def test_price_collar_when_reference_is_stale_then_denies_limit_and_market_orders(desk: Desk) -> None:
    desk.limits(price_collar_pct="5")
    desk.prices.stale.add("AAPL")
    assert "is stale" in only(desk.check(price="230.00")).message
    assert "is stale" in only(desk.check(type="market")).message


def test_price_collar_when_market_order_has_no_reference_price_then_denies(desk: Desk) -> None:
    desk.limits(price_collar_pct="5")
    del desk.prices.prices["AAPL"]
    denial = only(desk.check(type="market"))
    assert denial.rule == "price_collar_pct" and "not known" in denial.message


def test_price_collar_when_switched_off_then_far_prices_pass(desk: Desk) -> None:
    assert desk.check(price="1.00") == []
