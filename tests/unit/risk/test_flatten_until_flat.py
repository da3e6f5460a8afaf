"""Kill-switch flatten until flat: what a thin book leaves is sent again; giving up is recorded and an
operator can finish past the halt."""

from itertools import count

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, TradingState
from ordergate.domain.events import FlattenCompleted, FlattenIncomplete
from ordergate.domain.ids import OrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.reports import OrderStatusReport
from ordergate.service.engine import OrderEngine
from ordergate.service.flatten import MAX_EMPTY
from ordergate.service.risk_gate import RiskGate
from tests.unit.risk.conftest import ACC, VENUE, Desk


def long_3600(desk: Desk) -> None:
    desk.trade("buy", "3600", "230.00")
    desk.handle(cmds.EngageKillSwitch(account=ACC, reason="test", flatten=True, requested_by="ops"))


def working_flatten(desk: Desk) -> OrderId:
    state = desk.engine.kill_switch.flattener.working[(ACC, "AAPL")]  # type: ignore[index]
    assert state.order_id is not None
    return state.order_id


def book_runs_dry(desk: Desk, filled: str | None) -> None:
    """The venue fills part of the flattening order (or nothing) and cancels the rest: no more liquidity."""
    order = desk.ledger.orders[working_flatten(desk)]
    desk.handle(OrderStatusReport(order_id=order.id, venue=VENUE, ts=desk.clock.now(), status=OrderStatus.NEW))
    if filled is not None:
        desk.fill(order, qty=filled, price="229.00")
    desk.handle(OrderStatusReport(order_id=order.id, venue=VENUE, ts=desk.clock.now(), status=OrderStatus.CANCELED))


def tick(desk: Desk, seconds: float = 1) -> None:
    desk.clock.advance(seconds)
    desk.handle(cmds.ExpireOrders(now=desk.clock.now(), requested_by="expiry"))


def test_flatten_when_the_book_fills_part_then_the_rest_is_sent_again_until_flat(desk: Desk) -> None:
    long_3600(desk)
    first = working_flatten(desk)
    book_runs_dry(desk, "1898")
    assert desk.engine.kill_switch.flattener.remaining(ACC) == {ACC: {"AAPL": {"remaining": "1702", "working": True}}}
    tick(desk)
    second = desk.ledger.orders[working_flatten(desk)]
    assert second.id != first and second.qty == 1702 and second.side == "sell"
    assert "kill_switch_flatten" in second.flags and second.status is OrderStatus.PENDING_NEW  # past the halt
    desk.fill(second, price="229.00")
    assert desk.ledger.position(ACC, "AAPL").qty == 0  # type: ignore[arg-type, union-attr]
    assert desk.engine.kill_switch.flattener.remaining(ACC) == {}


def test_flatten_when_nothing_fills_again_and_again_then_gives_up_with_an_event_naming_what_is_left(
        desk: Desk) -> None:
    long_3600(desk)
    book_runs_dry(desk, "1898")
    for _ in range(MAX_EMPTY):
        tick(desk)
        book_runs_dry(desk, None)
    event = desk.events[-1]
    assert isinstance(event, FlattenIncomplete) and (event.symbol, event.remaining) == ("AAPL", 1702)
    assert desk.engine.kill_switch.flattener.remaining(ACC) == {ACC: {"AAPL": {"remaining": "1702", "working": False}}}
    assert desk.ledger.trading_state(ACC) is TradingState.HALTED


def test_flatten_positions_when_halted_then_an_operator_closes_what_is_left(desk: Desk) -> None:
    long_3600(desk)
    book_runs_dry(desk, "1898")
    for _ in range(MAX_EMPTY):
        tick(desk)
        book_runs_dry(desk, None)
    result = desk.handle(cmds.FlattenPositions(account=ACC, reason="finish", requested_by="ops"))
    order = desk.ledger.orders[result.flatten_orders[0]]
    assert (order.qty, order.status) == (1702, OrderStatus.PENDING_NEW)
    assert desk.check(side="sell", qty="1") != []  # a trader's own orders stay halted


def test_flatten_when_retry_is_not_yet_due_then_nothing_is_sent(desk: Desk) -> None:
    long_3600(desk)
    book_runs_dry(desk, "100")
    tick(desk, 0.1)
    assert desk.engine.kill_switch.flattener.working[(ACC, "AAPL")].order_id is None  # type: ignore[index]


def restarted(desk: Desk) -> Desk:
    """Return a desk whose ledger is the replay of this one's events, as a server builds it at start."""
    again = Desk.__new__(Desk)
    again.__dict__.update(desk.__dict__)
    again.ledger = Ledger()
    again.gate = RiskGate(again.ledger, desk.engine.instruments, desk.prices, desk.clock)
    ids = count(100)
    again.engine = OrderEngine(again.ledger, desk.engine.instruments, desk.prices, desk.clock, VENUE,
                               lambda: OrderId(f"r{next(ids)}"), risk=again.gate)
    for seq, event in enumerate(desk.events, 1):
        event.seq = seq
    again.ledger.replay(desk.events)
    again.events = list(desk.events)
    return again


def test_flatten_when_the_server_restarts_while_a_retry_is_due_then_the_new_engine_finishes_it(desk: Desk) -> None:
    long_3600(desk)
    book_runs_dry(desk, "1898")
    again = restarted(desk)
    state = again.engine.kill_switch.flattener.working[(ACC, "AAPL")]  # type: ignore[index]
    assert (state.order_id, state.sent, state.requested_by) == (None, 1, "kill-switch:ops")
    tick(again)
    second = again.ledger.orders[working_flatten(again)]
    assert (second.qty, second.side) == (1702, "sell")
    again.fill(second, price="229.00")
    assert again.engine.kill_switch.flattener.remaining(ACC) == {}
    assert isinstance(again.events[-1], FlattenCompleted) and again.events[-1].attempts == 2


def test_flatten_when_the_server_restarts_with_the_order_working_then_its_end_is_followed(desk: Desk) -> None:
    long_3600(desk)
    first = working_flatten(desk)
    again = restarted(desk)
    assert working_flatten(again) == first
    book_runs_dry(again, "600")
    tick(again)
    assert again.ledger.orders[working_flatten(again)].qty == 3000


def test_flatten_when_given_up_before_a_restart_then_still_reported_after_it(desk: Desk) -> None:
    long_3600(desk)
    book_runs_dry(desk, "1898")
    for _ in range(MAX_EMPTY):
        tick(desk)
        book_runs_dry(desk, None)
    again = restarted(desk)
    assert again.engine.kill_switch.flattener.remaining(ACC) == {ACC: {"AAPL": {"remaining": "1702", "working": False}}}
