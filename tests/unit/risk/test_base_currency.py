"""A base currency per account: exposure, daily loss and buying power across currencies, converted at FX rates."""

from decimal import Decimal

import pytest

from ordergate.domain.errors import ValidationFailed
from ordergate.domain.risk.fx import FxRates
from tests.unit.risk.conftest import Desk, only

D = Decimal


def usd_base(desk: Desk, **limits: object) -> Desk:
    desk.gate.engine.fx = FxRates({"USD/INR": D("80")}).rate
    desk.limits(base_currency="usd", **limits)
    return desk


def test_gross_exposure_when_usd_and_inr_positions_then_summed_in_the_base_currency(desk: Desk) -> None:
    usd_base(desk, max_gross_exposure="25000")
    desk.trade("buy", "100", "230.00")  # 23,000 USD
    assert desk.check(symbol="INFY", qty="100", price="1600") == []  # 160,000 INR = 2,000 USD: 25,000
    denial = only(desk.check(symbol="INFY", qty="101", price="1600"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_gross_exposure", "25000.00", "25020.00")
    assert "USD" in denial.message


def test_gross_exposure_without_a_base_currency_then_each_currency_is_held_to_the_number(desk: Desk) -> None:
    desk.limits(max_gross_exposure="25000")
    desk.trade("buy", "100", "230.00")
    assert only(desk.check(symbol="INFY", qty="100", price="1600")).actual == "160000.00"  # rupees


def test_daily_loss_when_the_usd_loss_is_over_the_limit_then_an_inr_buy_is_denied_too(desk: Desk) -> None:
    usd_base(desk, max_daily_loss="500")
    desk.trade("buy", "100", "230.00")
    desk.trade("sell", "100", "224.00")  # 600 USD lost
    denial = only(desk.check(symbol="INFY", qty="10", price="1600"))
    assert (denial.rule, denial.actual) == ("max_daily_loss", "600.00")


def test_buying_power_when_inr_cash_pays_for_a_usd_buy_then_it_counts_at_the_rate() -> None:
    desk = Desk(cash="10000")  # 10,000 USD and 10,000 INR (125 USD)
    usd_base(desk, enforce_buying_power=True)
    assert desk.check(qty="44", price="230.00") == []  # 10,120 of 10,125
    assert only(desk.check(qty="45", price="230.00")).limit == "10125.00"


def test_base_currency_when_a_rate_is_missing_then_denied_naming_the_missing_rate(desk: Desk) -> None:
    desk.gate.engine.fx = FxRates({}).rate
    desk.limits(base_currency="USD", max_gross_exposure="1000000")
    desk.trade("buy", "1", "230.00", symbol="AAPL")
    denial = only(desk.check(symbol="INFY", qty="1", price="1600"))
    assert (denial.rule, denial.actual) == ("max_gross_exposure", "no fx rate")


def test_fx_rates_when_a_pair_is_quoted_then_the_market_rate_wins_and_inverses_work() -> None:
    rates = FxRates({"USD/INR": D("80")}, {"USDINR": D("83")}.get)
    assert (rates.rate("USD", "INR"), rates.rate("INR", "USD"), rates.rate("USD", "USD")) == (D(83), 1 / D(83), 1)
    assert FxRates({"USD/INR": D("80")}).rate("INR", "USD") == 1 / D(80)
    with pytest.raises(ValidationFailed):
        FxRates({"USDINR": D(1)})
