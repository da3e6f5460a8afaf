"""The shortcuts that keep the rules cheap decide as the rules did: figures kept on a symbol are worked out
again when their inputs change (the reference price, the limits, the day), rules whose limits are all off
are skipped only while they are off, and the duplicate pre-filter lets every true duplicate through to
the full check."""

from decimal import Decimal

from ordergate.domain.ids import Symbol
from tests.unit.risk.conftest import Desk, only

D = Decimal
DAY = 86_400


def test_price_collar_when_the_reference_moves_or_the_limit_changes_then_the_band_follows() -> None:
    desk = Desk()
    desk.limits(price_collar_pct="5")
    assert desk.check(price="240.00") == []  # 4.3% from 230
    desk.prices.set("AAPL", D("220.00"))
    assert only(desk.check(price="240.00")).actual == "9.0909"
    desk.prices.set("AAPL", D("230.00"))
    assert desk.check(price="240.00") == []
    desk.limits(price_collar_pct="4")
    assert only(desk.check(price="240.00")).limit == "4.0000"


def test_max_adv_pct_when_the_day_or_the_limit_changes_then_the_volume_and_bound_are_taken_again() -> None:
    desk = Desk()
    days: list[float] = []

    def volume(symbol: Symbol, now_ts: float) -> D:
        days.append(now_ts // DAY)
        return D(10_000) if len(set(days)) == 1 else D(20_000)  # the market traded more by the next day

    desk.gate.engine.volume_of = volume
    desk.limits(max_adv_pct="1")
    assert only(desk.check(qty="101")).rule == "max_adv_pct"
    desk.limits(max_adv_pct="2")
    assert desk.check(qty="101") == []
    assert only(desk.check(qty="201")).limit == "2.0000"
    desk.clock.advance(DAY)
    assert desk.check(qty="201") == []  # 1.005% of the new day's 20,000


def test_rules_when_a_limit_is_switched_on_after_being_off_then_it_is_checked_again() -> None:
    desk = Desk()
    assert desk.check(qty="500") == []  # every limit off: only the trading state runs
    desk.limits(max_order_qty="0")  # 0 is a limit (nothing passes), not off
    assert only(desk.check(qty="500")).rule == "max_order_qty"
    desk.limits(max_order_qty=None)
    assert desk.check(qty="500") == []


def test_duplicate_when_the_same_size_differs_only_in_price_then_passes_and_the_true_duplicate_is_denied() -> None:
    desk = Desk()
    desk.limits(duplicate_window_seconds="2")
    desk.submit(qty="10", price="229.00")
    assert desk.check(qty="10", price="229.50") == []
    assert only(desk.check(qty="10", price="229.00")).rule == "duplicate_window_seconds"
    desk.clock.advance(2)
    assert desk.check(qty="10", price="229.00") == []
