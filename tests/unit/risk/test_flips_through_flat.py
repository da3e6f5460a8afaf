"""Flips through flat: the part of an order beyond flat is new exposure, checked by every size limit."""

from tests.unit.risk.conftest import Desk, only


def long_90_msft(**limits: object) -> Desk:
    desk = Desk()
    desk.limits(allow_short=True)
    desk.trade("buy", "90", "420.00", symbol="MSFT")
    desk.limits(**limits)
    return desk


def test_max_position_qty_when_a_sell_flips_long_90_to_short_90_over_a_lowered_limit_then_denied() -> None:
    desk = long_90_msft(max_position_qty="50")
    denial = only(desk.check(symbol="MSFT", side="sell", qty="180", price="420.00"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_position_qty", "50", "90")


def test_max_position_qty_when_a_sell_only_reduces_or_flips_within_the_limit_then_passes() -> None:
    desk = long_90_msft(max_position_qty="50")
    assert desk.check(symbol="MSFT", side="sell", qty="90", price="420.00") == []
    assert desk.check(symbol="MSFT", side="sell", qty="140", price="420.00") == []  # short 50 at most


def test_max_position_notional_when_a_flip_goes_beyond_flat_over_the_limit_then_denied() -> None:
    desk = long_90_msft(max_position_notional="21000")
    denial = only(desk.check(symbol="MSFT", side="sell", qty="180", price="420.00"))
    assert (denial.rule, denial.actual) == ("max_position_notional", "37800.00")


def test_max_gross_exposure_when_a_flip_goes_beyond_flat_over_the_limit_then_denied() -> None:
    desk = long_90_msft(max_gross_exposure="21000")
    assert only(desk.check(symbol="MSFT", side="sell", qty="180", price="420.00")).rule == "max_gross_exposure"
    assert desk.check(symbol="MSFT", side="sell", qty="140", price="420.00") == []


def test_max_net_exposure_when_a_flip_goes_beyond_flat_over_the_limit_then_denied() -> None:
    desk = long_90_msft(max_net_exposure="21000")
    assert only(desk.check(symbol="MSFT", side="sell", qty="180", price="420.00")).rule == "max_net_exposure"


def test_max_concentration_when_a_flip_goes_beyond_flat_over_the_limit_then_denied() -> None:
    desk = long_90_msft(max_concentration_pct="3")
    assert only(desk.check(symbol="MSFT", side="sell", qty="180", price="420.00")).rule == "max_concentration_pct"
