"""max_daily_orders / max_daily_trades / max_daily_volume / max_daily_notional per trading day."""

from tests.unit.risk.conftest import Desk, only


def test_max_daily_orders_when_under_the_count_then_passes(desk: Desk) -> None:
    desk.limits(max_daily_orders=3)
    desk.submit()
    desk.submit(price="229.00")
    assert desk.check(price="228.00") == []


def test_max_daily_orders_when_at_the_count_then_denies_naming_limit_and_count(desk: Desk) -> None:
    desk.limits(max_daily_orders=2)
    desk.submit()
    desk.submit(price="229.00")
    denial = only(desk.check(price="228.00"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_daily_orders", "2", "2")


def test_max_daily_orders_when_a_new_day_starts_then_counts_from_zero(desk: Desk) -> None:
    desk.limits(max_daily_orders=1)
    desk.submit()
    desk.clock.advance(hours=24)
    assert desk.check(price="228.00") == []


def test_max_daily_trades_when_at_the_count_then_denies(desk: Desk) -> None:
    desk.limits(max_daily_trades=2)
    order = desk.submit(qty="10")
    desk.fill(order, qty="5")
    assert desk.check() == []
    desk.fill(order, qty="5")
    denial = only(desk.check())
    assert (denial.rule, denial.limit) == ("max_daily_trades", "2")


def test_max_daily_volume_when_traded_plus_working_would_go_over_then_denies(desk: Desk) -> None:
    desk.limits(max_daily_volume="100")
    desk.trade("buy", "50", "230.00")
    desk.submit(side="sell", qty="30", price="231.00")
    assert desk.check(qty="20") == []
    denial = only(desk.check(qty="21"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_daily_volume", "100", "101")


def test_max_daily_notional_when_traded_plus_working_would_go_over_then_denies(desk: Desk) -> None:
    desk.limits(max_daily_notional="23000")
    desk.trade("buy", "50", "230.00")  # 11,500 traded
    desk.submit(qty="40", price="230.00")  # 9,200 working
    assert desk.check(qty="10") == []  # 23,000
    denial = only(desk.check(qty="11"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_daily_notional", "23000.00", "23230.00")
