"""trading_state: active trades, reducing only shrinks positions, halted stops (account or firm)."""

from ordergate.domain import commands as cmds
from ordergate.domain.enums import TradingState
from tests.unit.risk.conftest import ACC, Desk, only


def set_state(desk: Desk, state: TradingState, account: str | None = ACC) -> None:
    desk.handle(cmds.SetTradingState(account=account, state=state, reason="test"))  # type: ignore[arg-type]


def test_trading_state_when_active_then_passes(desk: Desk) -> None:
    assert desk.check() == []


def test_trading_state_when_account_halted_then_denies_every_order(desk: Desk) -> None:
    desk.trade("buy", "10", "230.00")
    set_state(desk, TradingState.HALTED)
    denial = only(desk.check(side="sell", qty="5"))
    assert (denial.rule, denial.limit) == ("trading_state", "halted")


def test_trading_state_when_firm_halted_then_denies_every_account(desk: Desk) -> None:
    set_state(desk, TradingState.HALTED, account=None)
    assert only(desk.check()).rule == "trading_state"


def test_trading_state_when_reducing_then_only_orders_that_shrink_pass(desk: Desk) -> None:
    desk.trade("buy", "10", "230.00")
    set_state(desk, TradingState.REDUCING)
    assert desk.check(side="sell", qty="10") == []
    assert only(desk.check(side="sell", qty="11")).rule == "trading_state"  # would flip short
    assert only(desk.check(side="buy", qty="1")).limit == "reducing"


def test_trading_state_when_reducing_and_flat_then_denies(desk: Desk) -> None:
    set_state(desk, TradingState.REDUCING)
    assert "may only reduce" in only(desk.check()).message
