"""Market-order protection: a market order becomes a limit order collared around the reference price, and
a market order whose sweep of the book would slip too far is denied."""

from decimal import Decimal

from ordergate.domain.enums import OrderStatus, OrderType
from ordergate.domain.events import OrderSubmitted
from tests.unit.risk.conftest import Desk, only
from tests.unit.risk.test_market_buy_pricing import thin_aapl_desk

D = Decimal


def test_market_collar_when_set_then_a_market_buy_is_sent_as_a_limit_through_the_reference(desk: Desk) -> None:
    desk.limits(market_collar_pct="2")
    order = desk.submit(type="market", qty="10")
    assert (order.type, order.limit_price) == (OrderType.LIMIT, D("234.60"))  # 230 x 1.02
    submitted = next(e for e in desk.events if isinstance(e, OrderSubmitted))
    assert "market_collar" in submitted.flags


def test_market_collar_when_a_sell_then_the_limit_is_below_the_reference_on_a_tick(desk: Desk) -> None:
    desk.prices.set("AAPL", D("230.01"))
    desk.limits(market_collar_pct="1.5")
    order = desk.submit(side="sell", type="market", qty="10")
    assert order.limit_price == D("226.56")  # 226.55985 rounded up to the tick, inside the collar


def test_market_collar_when_the_same_market_order_is_sent_again_then_it_is_the_same_order(desk: Desk) -> None:
    desk.limits(market_collar_pct="2")
    cmd = desk.order_cmd(type="market", qty="10")
    cmd.client_order_id = "c-1"  # type: ignore[assignment]
    first = desk.handle(cmd)
    again = desk.handle(cmd)
    assert (again.created, again.order.id) == (False, first.order.id)


def test_market_collar_when_off_then_market_orders_stay_market(desk: Desk) -> None:
    assert desk.submit(type="market", qty="10").type is OrderType.MARKET


def test_max_slippage_when_the_sweep_reaches_past_the_limit_then_denied_naming_the_distance() -> None:
    desk = thin_aapl_desk("1000000")
    desk.limits(max_slippage_pct="0.25")
    assert desk.check(type="market", qty="100") == []  # reaches 230.50: 0.2174%
    denial = only(desk.check(type="market", qty="101"))  # reaches 231.00: 0.4348%
    assert (denial.rule, denial.limit, denial.actual) == ("max_slippage_pct", "0.2500", "0.4348")


def test_max_slippage_when_the_price_is_stale_then_market_orders_are_denied() -> None:
    desk = thin_aapl_desk("1000000")
    desk.limits(max_slippage_pct="1")
    desk.prices.stale.add("AAPL")
    assert desk.submit(type="market", qty="1").status is OrderStatus.REJECTED
