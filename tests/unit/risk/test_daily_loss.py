"""max_daily_loss: once today's realized loss (after commissions) reaches it, only reducing orders pass."""

from decimal import Decimal

from tests.unit.risk.conftest import Desk, only


def lose(desk: Desk, amount_per_share: str, qty: str = "100", commission: str = "0") -> None:
    """Buy at 230 and sell part of it lower, realizing a loss."""
    desk.trade("buy", "200", "230.00")
    price = f"{230 - float(amount_per_share):.2f}"
    desk.trade("sell", qty, price, commission=commission)


def test_max_daily_loss_when_loss_is_under_the_limit_then_new_orders_pass(desk: Desk) -> None:
    desk.limits(max_daily_loss="1000")
    lose(desk, "9.99")  # 999
    assert desk.check() == []


def test_max_daily_loss_when_loss_reaches_the_limit_then_denies_orders_that_grow(desk: Desk) -> None:
    desk.limits(max_daily_loss="1000")
    lose(desk, "9.90", commission="10")  # 990 + 10 commission
    denial = only(desk.check())
    assert (denial.rule, denial.limit, denial.actual) == ("max_daily_loss", "1000.00", "1000.00")


def test_max_daily_loss_when_breached_then_orders_that_reduce_still_pass(desk: Desk) -> None:
    desk.limits(max_daily_loss="500")
    lose(desk, "10.00")
    assert desk.check(side="sell", qty="100", price="220.00") == []


def test_max_daily_loss_when_a_new_day_starts_then_trading_resumes(desk: Desk) -> None:
    desk.limits(max_daily_loss="500")
    lose(desk, "10.00")
    desk.clock.advance(hours=24)
    assert desk.check() == []


def test_daily_loss_with_unrealized_when_the_position_loses_value_then_denies_before_any_sale(desk: Desk) -> None:
    desk.limits(max_daily_loss="1000", daily_loss_unrealized=True)
    desk.trade("buy", "200", "230.00")
    desk.prices.set("AAPL", Decimal("225.05"))  # 200 x -4.95 = -990
    assert desk.check(price="225.05") == []
    desk.prices.set("AAPL", Decimal("225.00"))  # -1,000
    denial = only(desk.check(price="225.00"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_daily_loss", "1000.00", "1000.00")
    assert "realized and unrealized" in denial.message
    assert desk.check(side="sell", qty="200", price="225.00") == []  # reducing still passes


def test_daily_loss_with_unrealized_when_a_new_day_starts_then_measured_from_that_days_marks(desk: Desk) -> None:
    desk.limits(max_daily_loss="1000", daily_loss_unrealized=True)
    desk.trade("buy", "200", "230.00")
    desk.prices.set("AAPL", Decimal("220.00"))
    desk.check(price="220.00")  # marks AAPL at 220: 2,000 down today
    desk.clock.advance(86_400)
    assert desk.check(price="220.00") == []  # a new day starts at 220
    desk.prices.set("AAPL", Decimal("215.00"))
    assert only(desk.check(price="215.00")).actual == "1000.00"


def test_daily_loss_realized_only_when_unrealized_loss_is_large_then_still_passes(desk: Desk) -> None:
    desk.limits(max_daily_loss="1000")
    desk.trade("buy", "200", "230.00")
    desk.prices.set("AAPL", Decimal("200.00"))
    assert desk.check(price="200.00") == []
