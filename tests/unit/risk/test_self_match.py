"""self_match: an order that would cross the same account's resting order."""

from tests.unit.risk.conftest import Desk, only


def test_self_match_when_order_does_not_reach_own_resting_order_then_passes(desk: Desk) -> None:
    desk.limits(self_match="deny", allow_short=True)
    desk.submit(side="sell", price="231.00")
    assert desk.check(side="buy", price="230.99") == []


def test_self_match_when_buy_crosses_own_resting_sell_then_denies_naming_the_price(desk: Desk) -> None:
    desk.limits(self_match="deny", allow_short=True)
    desk.submit(side="sell", price="231.00")
    denial = only(desk.check(side="buy", price="231.00"))
    assert (denial.rule, denial.actual) == ("self_match", "231")
    assert "own resting sell at 231" in denial.message


def test_self_match_when_market_sell_and_own_resting_buy_then_denies(desk: Desk) -> None:
    desk.limits(self_match="deny", allow_short=True)
    desk.submit(side="buy", price="229.00")
    assert only(desk.check(side="sell", type="market")).rule == "self_match"


def test_self_match_when_resting_order_is_canceled_then_passes(desk: Desk) -> None:
    desk.limits(self_match="deny", allow_short=True)
    resting = desk.submit(side="sell", price="231.00")
    desk.cancel(resting)
    assert desk.check(side="buy", price="232.00") == []


def test_self_match_when_cancel_resting_then_new_order_passes_and_resting_is_canceled_first(desk: Desk) -> None:
    desk.limits(self_match="cancel_resting", allow_short=True)
    resting = desk.submit(side="sell", price="231.00")
    order = desk.submit(side="buy", price="232.00")
    assert order.status == "new" and resting.status == "pending_cancel"
    assert resting.reason == "self-match prevention"
