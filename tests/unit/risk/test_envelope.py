"""The fast path's envelope follows the account: once it has passed many orders (so it is worked out again
at once when anything changes), every change that can deny the next order is seen: fills, working orders,
limits, cash, the mark, the clock, the trading state; and an order outside it is decided by the rules."""

from decimal import Decimal

from ordergate.domain import commands as cmds
from ordergate.domain.enums import TradingState
from ordergate.domain.risk.envelope import PAYBACK, Envelope
from tests.unit.risk.conftest import ACC, Desk, only

D = Decimal


def warmed(**limits: object) -> Desk:
    """A desk whose buy envelope for AAPL passed more orders than it takes to pay for itself."""
    desk = Desk()
    desk.limits(**limits)
    for _ in range(PAYBACK + 2):
        assert desk.check(qty="10", price="230.00") == []
    envelope = desk.gate.usage.account(ACC).symbols[desk.order_cmd().symbol].buy_envelope
    assert isinstance(envelope, Envelope) and envelope.uses >= PAYBACK
    return desk


def test_envelope_when_a_fill_grows_the_position_then_the_position_limit_denies() -> None:
    desk = warmed(max_position_qty="100")
    desk.trade("buy", "95", "230.00")
    assert only(desk.check(qty="10", price="230.00")).rule == "max_position_qty"


def test_envelope_when_a_working_order_holds_the_cash_then_buying_power_denies() -> None:
    desk = warmed(enforce_buying_power=True)
    desk.submit(qty="4300", price="230.00")  # 989,000 of the 1,000,000 held
    assert only(desk.check(qty="50", price="230.00")).rule == "enforce_buying_power"


def test_envelope_when_the_mark_moves_then_the_position_value_limit_follows() -> None:
    desk = warmed(max_position_notional="2400")
    desk.prices.set("AAPL", D("250.00"))
    assert only(desk.check(qty="10", price="250.00")).rule == "max_position_notional"


def test_envelope_when_a_limit_tightens_or_the_state_changes_then_the_order_is_denied() -> None:
    desk = warmed(max_order_qty="100")
    desk.limits(max_order_qty="5")
    assert only(desk.check(qty="10", price="230.00")).rule == "max_order_qty"
    desk.limits(max_order_qty="100")
    desk.handle(cmds.SetTradingState(account=ACC, state=TradingState.HALTED, reason="test"))
    assert only(desk.check(qty="10", price="230.00")).rule == "trading_state"


def test_envelope_when_the_same_order_was_just_accepted_then_the_duplicate_is_denied_until_the_window_ends() -> None:
    desk = warmed(duplicate_window_seconds="2", max_orders_per_second=1000)
    desk.submit(qty="10", price="230.00")
    assert only(desk.check(qty="10", price="230.00")).rule == "duplicate_window_seconds"
    desk.clock.advance(3)
    assert desk.check(qty="10", price="230.00") == []


def test_envelope_when_the_day_counts_reach_the_limit_then_the_next_order_is_denied() -> None:
    desk = warmed(max_daily_orders=2)
    desk.submit(qty="1", price="229.00")
    desk.submit(qty="2", price="229.00")
    assert only(desk.check(qty="10", price="230.00")).rule == "max_daily_orders"


def test_envelope_when_an_order_is_outside_it_then_the_rules_decide_and_name_the_limit() -> None:
    desk = warmed(price_collar_pct="5", max_order_notional="10000")
    assert only(desk.check(qty="10", price="250.00")).rule == "price_collar_pct"
    assert only(desk.check(qty="50", price="230.00")).rule == "max_order_notional"
    assert desk.check(qty="43", price="230.00") == []  # 9,890: inside
