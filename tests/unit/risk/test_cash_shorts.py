"""Cash accounts: a short's proceeds are not buying power, and shorts need margin against equity."""

from decimal import Decimal

from tests.unit.risk.conftest import ACC, Desk, only


def cash_desk(cash: str = "100000") -> Desk:
    desk = Desk(cash=cash)
    desk.limits(enforce_buying_power=True, allow_short=True, initial_margin_rate="0.5")
    return desk


def test_cash_short_when_repeated_then_stops_once_the_margin_on_all_shorts_uses_the_equity() -> None:
    desk = cash_desk()
    sold = Decimal(0)
    for _ in range(20):  # each short of 100 AAPL at 230 needs 11,500 of margin
        order = desk.submit(side="sell", qty="100", price="230.00")
        if order.denials:
            break
        desk.fill(order)
        sold += 100
    assert sold == 800  # 8 x 11,500 = 92,000 of 100,000; a 9th would need 103,500
    denial = only(desk.check(side="sell", qty="100", price="230.00"))
    assert (denial.rule, denial.limit, denial.actual) == ("enforce_buying_power", "8000.00", "11500.00")


def test_cash_short_when_filled_then_its_proceeds_do_not_buy_anything() -> None:
    desk = cash_desk("10000")
    desk.trade("sell", "20", "230.00")  # proceeds 4,600; margin 2,300
    assert desk.ledger.accounts[ACC].balance("USD").cash == 14600
    denial = only(desk.check(symbol="MSFT", qty="19", price="420.00"))  # 7,980 > 10,000 - 2,300
    assert (denial.rule, denial.limit, denial.actual) == ("enforce_buying_power", "7700.00", "7980.00")
    assert desk.check(symbol="MSFT", qty="18", price="420.00") == []


def test_cash_buy_when_it_covers_a_short_then_passes_even_with_no_buying_power_left() -> None:
    desk = cash_desk("10000")
    for _ in range(4):
        desk.trade("sell", "20", "230.00")  # 4 x 2,300 of margin: 800 left
    assert only(desk.check(symbol="MSFT", qty="2", price="420.00")).rule == "enforce_buying_power"
    assert desk.check(qty="80", price="231.00") == []  # buys back the short


def test_cash_short_when_working_then_its_margin_is_held_from_buying_power() -> None:
    desk = cash_desk("10000")
    desk.submit(side="sell", qty="40", price="230.00")  # holds 4,600 of margin
    assert desk.ledger.accounts[ACC].balance("USD").reserved == Decimal("4600.00")
    assert only(desk.check(symbol="MSFT", qty="13", price="420.00")).limit == "5400.00"


def test_cash_short_when_allow_short_off_then_denied_naming_allow_short() -> None:
    desk = cash_desk()
    desk.limits(allow_short=False)
    assert only(desk.check(side="sell", qty="1")).rule == "allow_short"
