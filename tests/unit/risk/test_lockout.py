"""Lockout: N denials within a window stop new orders until they age out; cancels always pass."""

from ordergate.domain import commands as cmds
from tests.unit.risk.conftest import Desk, only


def test_lockout_when_n_denials_fall_in_the_window_then_new_orders_are_denied_until_they_age_out(desk: Desk) -> None:
    desk.limits(max_order_qty="10", lockout_denials=3, lockout_window_seconds="60")
    resting = desk.submit(price="229.00")
    for _ in range(3):
        assert desk.submit(qty="11").denials
    denial = only(desk.check())
    assert (denial.rule, denial.limit, denial.actual) == ("lockout_denials", "3", "3")
    desk.submit()  # a lockout denial does not extend the lockout
    desk.handle(cmds.CancelOrder(order_id=resting.id))
    assert resting.status == "pending_cancel"  # cancels still pass
    desk.clock.advance(60.001)
    assert desk.check() == []


def test_lockout_when_fewer_denials_than_the_limit_then_orders_pass(desk: Desk) -> None:
    desk.limits(max_order_qty="10", lockout_denials=3, lockout_window_seconds="60")
    desk.submit(qty="11")
    desk.clock.advance(61)
    desk.submit(qty="11")
    desk.submit(qty="11")
    assert desk.check() == []
