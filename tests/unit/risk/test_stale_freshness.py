"""Stale data stays stale: freshness comes from the feed only, and every rule that needs a price denies."""

from datetime import timedelta
from decimal import Decimal

from ordergate.domain.enums import OrderStatus
from tests.unit.risk.conftest import ACC, Desk, only
from tests.unit.risk.test_stale_market_data import AAPL, STALE_AFTER, D, Market
from tests.unit.risk.test_stale_market_data import only as only_denial


def test_stale_data_protection_when_book_is_stale_then_market_and_marketable_limit_orders_are_denied() -> None:
    market = Market()
    market.limits(stale_data_protection=True)
    market.book()
    market.clock.advance(STALE_AFTER + 1)
    denial = only_denial(market.submit())
    assert (denial.rule, denial.limit, denial.actual) == ("stale_data_protection", "fresh price", "stale price")
    assert only_denial(market.submit(limit="230.05")).rule == "stale_data_protection"  # at the last ask
    assert market.submit(limit="229.00").status is OrderStatus.PENDING_NEW  # below the last price: may rest


def test_hub_when_our_own_fill_prints_then_the_symbol_stays_stale() -> None:
    market = Market()
    market.book()
    market.clock.advance(STALE_AFTER + 1)
    market.hub.on_trade(AAPL, D("230.05"), D(10), market.clock.now(), own=True)
    assert market.hub.is_stale(AAPL)
    market.hub.on_trade(AAPL, D("230.05"), D(10), market.clock.now())  # a print from the feed
    assert not market.hub.is_stale(AAPL)


def test_hub_when_a_replay_stamps_updates_in_the_future_then_they_go_stale_after_stale_after() -> None:
    market = Market()
    ahead = market.clock.now() + timedelta(hours=1)
    market.hub.on_book(AAPL, [(D("229.95"), D(500))], [(D("230.05"), D(500))], ahead)
    assert not market.hub.is_stale(AAPL)
    market.clock.advance(STALE_AFTER + 1)
    assert market.hub.is_stale(AAPL)


def test_margin_check_when_the_price_is_stale_then_denied_naming_the_limit_and_the_stale_price() -> None:
    desk = Desk(cash="100000", margin=True)
    desk.limits(enforce_buying_power=True, initial_margin_rate="0.5")
    desk.prices.stale.add("AAPL")
    denial = only(desk.check(qty="10", price="230.00"))
    assert (denial.rule, denial.limit, denial.actual) == ("enforce_buying_power", "equity", "stale price")


def test_exposure_rules_when_the_price_is_stale_then_each_denies_with_its_limit() -> None:
    desk = Desk()
    desk.limits(max_position_notional="100000", max_gross_exposure="200000")
    desk.prices.stale.add("AAPL")
    rules = {(d.rule, d.limit, d.actual) for d in desk.check(qty="10", price="230.00")}
    assert rules == {("max_position_notional", "100000.00", "stale price"),
                     ("max_gross_exposure", "200000.00", "stale price")}


def test_stale_price_when_a_symbol_is_checked_then_its_mark_is_not_moved_to_the_stale_price() -> None:
    desk = Desk()
    desk.limits(max_gross_exposure="1000000")
    desk.trade("buy", "10", "230.00")
    desk.prices.set("AAPL", Decimal("1"))
    desk.prices.stale.add("AAPL")
    desk.check(qty="1", price="230.00")
    assert desk.gate.usage.account(ACC).symbols[AAPL].mark == Decimal("230.00")
