"""One definition per control: the denial, the metrics and the docs agree; money at the currency's precision."""

from decimal import Decimal

import pytest

from ordergate.domain import commands as cmds
from ordergate.domain.errors import DomainError
from tests.unit.risk.conftest import ACC, Desk, only


def test_daily_loss_when_the_loss_has_a_long_decimal_then_denial_and_metrics_show_cents(desk: Desk) -> None:
    desk.limits(max_daily_loss="50")
    for price in ("230.01", "230.02", "230.04"):
        desk.trade("buy", "1", price)  # average cost 230.02333...
    desk.trade("sell", "1", "150.00")  # loss 80.02333...
    denial = only(desk.check())
    assert (denial.limit, denial.actual) == ("50.00", "80.02")
    usd = desk.gate.metrics()["accounts"][ACC]["currencies"]["USD"]
    assert (usd["daily_loss"], usd["realized_pnl_today"]) == ("80.02", "-80.02")


def test_daily_counters_when_at_the_limit_then_orders_and_trades_both_report_the_count_so_far(desk: Desk) -> None:
    desk.limits(max_daily_orders=2)
    desk.trade("buy", "1", "230.00")
    desk.trade("buy", "1", "230.00")
    orders = only(desk.check())
    desk.limits(max_daily_orders=None, max_daily_trades=2)
    trades = only(desk.check())
    used = desk.gate.metrics()["accounts"][ACC]["usage"]
    assert (orders.rule, orders.actual) == ("max_daily_orders", "2")
    assert (trades.rule, trades.actual) == ("max_daily_trades", "2")
    assert used["max_daily_orders"]["used"] == used["max_daily_trades"]["used"] == 2


def test_account_denials_when_modifies_are_refused_then_counted_for_the_account(desk: Desk) -> None:
    order = desk.submit()
    desk.limits(max_order_qty="10", max_modifies_per_second=1)
    with pytest.raises(DomainError):
        desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=Decimal(11)))
    other = desk.submit(price="229.00")
    desk.handle(cmds.ReplaceOrder(order_id=order.id, qty=Decimal(9)))
    with pytest.raises(DomainError):
        desk.handle(cmds.ReplaceOrder(order_id=other.id, qty=Decimal(8)))
    account = desk.gate.metrics()["accounts"][ACC]["denials_by_rule"]
    assert account == {"max_order_qty": 1, "max_modifies_per_second": 1}


def test_max_daily_volume_when_orders_work_then_used_counts_traded_plus_working_as_the_rule_does(desk: Desk) -> None:
    desk.limits(max_daily_volume="100")
    desk.trade("buy", "30", "230.00")
    desk.submit(qty="50", price="229.00")
    assert desk.gate.metrics()["accounts"][ACC]["usage"]["max_daily_volume"]["used"] == "80"
    assert desk.check(qty="20", price="228.00") == []
    assert only(desk.check(qty="21", price="228.00")).actual == "101"
