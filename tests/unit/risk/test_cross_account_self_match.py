"""Cross-account self-match prevention: accounts with the same owner never trade with each other."""

from decimal import Decimal

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.order import Order
from tests.unit.risk.conftest import Desk, only

SIB = AccountId("SIB")


def two_accounts(desk: Desk, owner_of_sib: str = "fund-1", mode: str = "deny") -> Order:
    """Open SIB beside ACC, both owned by fund-1 (unless told), and rest a sell of 10 AAPL at 231 in SIB."""
    desk.handle(cmds.OpenAccount(account=SIB, balances={"USD": Decimal(1_000_000)}))
    desk.limits(None, self_match=mode, allow_short=True)
    desk.limits(owner="fund-1")
    desk.limits(SIB, owner=owner_of_sib)
    order: Order = desk.handle(cmds.SubmitOrder(
        account=SIB, symbol=Symbol("AAPL"), side=Side.SELL, type=OrderType.LIMIT, qty=Decimal(10),
        limit_price=Decimal("231.00"), tif=TimeInForce.GTC)).order
    return order


def test_cross_account_self_match_when_a_buy_would_cross_a_sibling_accounts_sell_then_denied(desk: Desk) -> None:
    two_accounts(desk)
    denial = only(desk.check(price="231.00"))
    assert (denial.rule, denial.actual) == ("self_match", "231")
    assert "owner" in denial.message
    assert desk.check(price="230.99") == []


def test_cross_account_self_match_when_the_owners_differ_then_the_orders_may_trade(desk: Desk) -> None:
    two_accounts(desk, owner_of_sib="fund-2")
    assert desk.check(price="231.00") == []


def test_cross_account_self_match_when_cancel_resting_then_the_siblings_order_is_canceled_first(desk: Desk) -> None:
    resting = two_accounts(desk, mode="cancel_resting")
    order = desk.submit(price="231.00")
    assert order.status is not OrderStatus.REJECTED
    assert resting.status is OrderStatus.PENDING_CANCEL and resting.account == SIB
