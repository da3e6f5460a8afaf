"""max_gross_exposure / max_net_exposure per account and currency, working orders counted."""

from tests.unit.risk.conftest import Desk, only


def test_max_gross_exposure_when_total_stays_within_then_passes(desk: Desk) -> None:
    desk.limits(max_gross_exposure="10000")
    desk.trade("buy", "20", "230.00")  # 4,600
    desk.submit(symbol="MSFT", qty="5", price="420.00")  # 2,100 working
    assert desk.check(qty="14") == []  # + 3,220 = 9,920


def test_max_gross_exposure_when_total_would_go_over_then_denies_naming_value(desk: Desk) -> None:
    desk.limits(max_gross_exposure="10000")
    desk.trade("buy", "20", "230.00")
    desk.submit(symbol="MSFT", qty="5", price="420.00")
    denial = only(desk.check(qty="15"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_gross_exposure", "10000.00", "10150.00")


def test_max_gross_exposure_when_a_short_then_counts_its_absolute_value(desk: Desk) -> None:
    desk.limits(max_gross_exposure="5000", allow_short=True)
    desk.trade("sell", "20", "230.00")
    assert only(desk.check(side="sell", qty="2")).actual == "5060.00"


def test_max_net_exposure_when_long_and_short_offset_then_passes(desk: Desk) -> None:
    desk.limits(max_net_exposure="5000", allow_short=True)
    desk.trade("buy", "20", "230.00")  # +4,600
    assert desk.check(symbol="MSFT", side="sell", qty="10", price="420.00") == []  # -4,200: net 400


def test_max_net_exposure_when_net_would_go_over_then_denies(desk: Desk) -> None:
    desk.limits(max_net_exposure="5000")
    desk.trade("buy", "20", "230.00")
    denial = only(desk.check(qty="2"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_net_exposure", "5000.00", "5060.00")


def test_max_net_exposure_when_a_far_sell_rests_then_it_does_not_make_room_for_buys(desk: Desk) -> None:
    desk.limits(max_net_exposure="5000", allow_short=True)
    desk.trade("buy", "20", "230.00")  # +4,600
    desk.submit(side="sell", qty="20", price="300.00")  # may never fill
    denial = only(desk.check(qty="2"))
    assert (denial.rule, denial.actual) == ("max_net_exposure", "5060.00")


def test_max_net_exposure_when_a_far_buy_rests_then_it_does_not_make_room_for_sells(desk: Desk) -> None:
    desk.limits(max_net_exposure="5000", allow_short=True)
    desk.trade("sell", "20", "230.00")  # -4,600
    desk.submit(qty="20", price="150.00")
    assert only(desk.check(side="sell", qty="2")).rule == "max_net_exposure"
