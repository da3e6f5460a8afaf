"""max_concentration_pct: one symbol's exposure as a share of equity."""

from tests.unit.risk.conftest import Desk, only


def test_max_concentration_when_under_the_share_then_passes(desk: Desk) -> None:
    desk.limits(max_concentration_pct="10")  # equity 1,000,000 USD: 100,000 per symbol
    assert desk.check(qty="434") == []  # 99,820


def test_max_concentration_when_over_the_share_then_denies_naming_limit_and_share(desk: Desk) -> None:
    desk.limits(max_concentration_pct="10")
    desk.trade("buy", "400", "230.00")  # 92,000 of equity still 1,000,000
    denial = only(desk.check(qty="35"))  # 435 x 230 = 100,050
    assert denial.rule == "max_concentration_pct" and denial.limit == "10.0000"
    assert denial.actual is not None and denial.actual.startswith("10.00")


def test_max_concentration_when_order_reduces_then_passes(desk: Desk) -> None:
    desk.trade("buy", "500", "230.00")
    desk.limits(max_concentration_pct="5")
    assert desk.check(side="sell", qty="100") == []


def test_max_concentration_when_equity_is_gone_then_denies_saying_so() -> None:
    desk = Desk(cash="0")
    desk.limits(max_concentration_pct="10")
    assert "equity" in only(desk.check(qty="1")).message
