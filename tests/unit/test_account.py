"""Accounts: cash per currency, reservations for working orders, buying power, settlement."""

from decimal import Decimal

from ordergate.domain.account import Account
from ordergate.domain.enums import Side
from ordergate.domain.ids import AccountId, OrderId

D = Decimal
O1, O2 = OrderId("o-1"), OrderId("o-2")


def _account(cash: str = "10000") -> Account:
    account = Account(id=AccountId("ACC"))
    account.deposit("USD", D(cash))
    return account


def test_deposit_when_made_then_cash_and_buying_power_grow() -> None:
    account = _account("10000")
    account.deposit("USD", D("-2500"))
    bal = account.balance("USD")
    assert (bal.deposited, bal.cash, account.buying_power("USD")) == (D("7500"), D("7500"), D("7500"))


def test_balance_when_currency_never_used_then_empty() -> None:
    assert _account().buying_power("INR") == 0


def test_reserve_when_buy_then_buying_power_drops_by_qty_times_price() -> None:
    account = _account("10000")
    account.reserve(O1, "USD", D("10"), D("230.00"))
    assert account.balance("USD").reserved == D("2300.00")
    assert account.buying_power("USD") == D("7700.00")
    assert account.balance("USD").cash == D("10000")


def test_reserve_when_same_order_again_then_replaces_earlier_hold() -> None:
    account = _account("10000")
    account.reserve(O1, "USD", D("10"), D("100"))
    account.reserve(O1, "USD", D("20"), D("100"))
    assert account.balance("USD").reserved == D("2000")


def test_reserve_when_qty_or_price_not_positive_then_holds_nothing() -> None:
    account = _account()
    account.reserve(O1, "USD", D("0"), D("100"))
    account.reserve(O2, "USD", D("10"), D("0"))
    assert account.reservations == {}
    assert account.balance("USD").reserved == 0


def test_short_sell_when_reserved_then_holds_short_qty_times_price() -> None:
    # The engine reserves only the short part of a sell; the account holds whatever it is told.
    account = _account("10000")
    account.reserve(O1, "USD", D("5"), D("50.00"))
    assert account.buying_power("USD") == D("9750.00")


def test_partial_fill_when_leaves_shrink_then_reservation_shrinks_to_leaves() -> None:
    account = _account("10000")
    account.reserve(O1, "USD", D("10"), D("100"))
    account.shrink_reservation(O1, D("4"))
    assert account.reservations[O1].qty == D("4")
    assert account.balance("USD").reserved == D("400")


def test_shrink_when_leaves_above_held_qty_then_unchanged() -> None:
    account = _account("10000")
    account.reserve(O1, "USD", D("5"), D("100"))
    account.shrink_reservation(O1, D("8"))
    assert account.balance("USD").reserved == D("500")


def test_shrink_when_leaves_zero_then_released() -> None:
    account = _account("10000")
    account.reserve(O1, "USD", D("5"), D("100"))
    account.shrink_reservation(O1, D("0"))
    assert O1 not in account.reservations
    assert account.balance("USD").reserved == 0


def test_release_when_canceled_then_buying_power_restored_and_second_release_harmless() -> None:
    account = _account("10000")
    account.reserve(O1, "USD", D("10"), D("100"))
    account.reserve(O2, "USD", D("1"), D("100"))
    account.release(O1)
    account.release(O1)
    assert account.balance("USD").reserved == D("100")
    assert account.buying_power("USD") == D("9900")


def test_settle_fill_when_buy_then_pays_notional_plus_commission() -> None:
    account = _account("10000")
    account.settle_fill(Side.BUY, D("10"), D("100.00"), D("1.50"), "USD")
    bal = account.balance("USD")
    assert (bal.cash, bal.commission) == (D("8998.50"), D("1.50"))


def test_settle_fill_when_sell_then_receives_notional_minus_commission() -> None:
    account = _account("10000")
    account.settle_fill(Side.SELL, D("10"), D("100.00"), D("1.50"), "USD")
    assert account.balance("USD").cash == D("10998.50")


def test_settle_fill_when_other_currency_then_only_that_balance_moves() -> None:
    account = _account("10000")
    account.settle_fill(Side.BUY, D("2"), D("1300.05"), D("0"), "INR")
    assert account.balance("INR").cash == D("-2600.10")
    assert account.balance("USD").cash == D("10000")
