"""enforce_buying_power / allow_short: cash for buys, shares for sells, margin on margin accounts."""

from tests.unit.risk.conftest import Desk, only


def cash_desk(cash: str = "10000") -> Desk:
    desk = Desk(cash=cash)
    desk.limits(enforce_buying_power=True)
    return desk


def test_buying_power_when_cash_covers_the_buy_then_passes() -> None:
    desk = cash_desk()
    assert desk.check(qty="43", price="230.00") == []  # 9,890 of 10,000


def test_buying_power_when_the_buy_costs_more_than_available_cash_then_denies_naming_both() -> None:
    desk = cash_desk()
    desk.submit(qty="20", price="230.00")  # holds 4,600
    denial = only(desk.check(qty="24", price="230.00"))  # 5,520 > 5,400 left
    assert (denial.rule, denial.limit, denial.actual) == ("enforce_buying_power", "5400.00", "5520.00")


def test_buying_power_when_selling_shares_held_then_passes() -> None:
    desk = cash_desk()
    desk.trade("buy", "20", "230.00")
    assert desk.check(side="sell", qty="20") == []


def test_allow_short_when_off_and_the_sale_exceeds_shares_held_then_denies_as_naked_short() -> None:
    desk = cash_desk()
    desk.trade("buy", "20", "230.00")
    desk.submit(side="sell", qty="15", price="231.00")  # 5 left to sell
    denial = only(desk.check(side="sell", qty="6"))
    assert (denial.rule, denial.limit, denial.actual) == ("allow_short", "5", "6")


def test_allow_short_when_on_then_the_short_part_needs_cash() -> None:
    desk = cash_desk("1000")
    desk.limits(allow_short=True)
    assert desk.check(side="sell", qty="4") == []  # 920
    assert only(desk.check(side="sell", qty="5")).rule == "enforce_buying_power"


def test_margin_account_when_initial_margin_fits_equity_then_passes() -> None:
    desk = Desk(cash="10000", margin=True)
    desk.limits(enforce_buying_power=True, initial_margin_rate="0.5")
    assert desk.check(qty="86") == []  # 19,780 x 0.5 = 9,890


def test_margin_account_when_initial_margin_exceeds_equity_then_denies() -> None:
    desk = Desk(cash="10000", margin=True)
    desk.limits(enforce_buying_power=True, initial_margin_rate="0.5")
    denial = only(desk.check(qty="87"))
    assert (denial.rule, denial.limit, denial.actual) == ("enforce_buying_power", "10000.00", "10005.00")


def test_margin_account_when_instrument_has_its_own_rate_then_uses_it() -> None:
    desk = Desk(cash="10000", margin=True)
    desk.limits(enforce_buying_power=True, initial_margin_rate="0.5", margin_rates={"AAPL": "1"})
    assert only(desk.check(qty="44")).actual == "10120.00"


def test_buying_power_when_switched_off_then_any_buy_passes() -> None:
    desk = Desk(cash="10")
    assert desk.check(qty="1000") == []
