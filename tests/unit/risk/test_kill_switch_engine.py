"""The kill switch in the engine: halt, cancel all, optionally flatten; resume. Recorded with who and why."""

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, OrderType, Side, TradingState
from ordergate.domain.events import TradingStateChanged
from ordergate.domain.ledger import FIRM
from ordergate.service.kill_switch import KillSwitchResult
from tests.unit.risk.conftest import ACC, Desk, only


def test_kill_switch_when_pulled_then_halts_cancels_working_orders_and_records_who_and_why(desk: Desk) -> None:
    working = [desk.submit(price="229.00"), desk.submit(symbol="MSFT", price="419.00")]
    result: KillSwitchResult = desk.handle(cmds.EngageKillSwitch(account=ACC, reason="runaway algo",
                                                                 requested_by="alice"))
    assert sorted(result.canceled) == sorted(o.id for o in working)
    assert all(o.status is OrderStatus.PENDING_CANCEL for o in working)
    state = next(e for e in desk.last.events if isinstance(e, TradingStateChanged))
    assert (state.account, state.state, state.caused_by) == (ACC, TradingState.HALTED, "alice")
    assert "runaway algo" in state.reason
    assert only(desk.check()).rule == "trading_state"


def test_kill_switch_when_flatten_then_sends_market_orders_closing_every_position(desk: Desk) -> None:
    desk.trade("buy", "30", "230.00")
    desk.limits(allow_short=True)
    desk.trade("sell", "5", "420.00", symbol="MSFT")
    result: KillSwitchResult = desk.handle(cmds.EngageKillSwitch(account=ACC, reason="flat now", flatten=True))
    orders = [desk.ledger.orders[i] for i in result.flatten_orders]
    assert {(o.symbol, o.side, o.type, o.qty) for o in orders} == {
        ("AAPL", Side.SELL, OrderType.MARKET, 30), ("MSFT", Side.BUY, OrderType.MARKET, 5)}
    assert all(o.flags == ["kill_switch_flatten"] for o in orders)


def test_kill_switch_when_firm_wide_then_halts_every_account(desk: Desk) -> None:
    desk.submit()
    desk.handle(cmds.EngageKillSwitch(account=None, reason="market turmoil"))
    assert desk.ledger.trading_states[FIRM] is TradingState.HALTED
    assert only(desk.check()).rule == "trading_state"


def test_resume_when_halted_then_orders_pass_again(desk: Desk) -> None:
    desk.handle(cmds.EngageKillSwitch(account=ACC, reason="test"))
    result: KillSwitchResult = desk.handle(cmds.ResumeTrading(account=ACC, reason="fixed", requested_by="bob"))
    assert result.state is TradingState.ACTIVE
    assert desk.check() == []
