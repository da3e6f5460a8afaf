"""The ledger: orders, accounts and positions as the fold of events; replay rebuilds the same state."""

from decimal import Decimal

import pytest

from ordergate.domain.enums import OrderStatus, Side, TradingState
from ordergate.domain.errors import DomainError, OverfillError
from ordergate.domain.events import AccountOpened, CashAdjusted, Event, TradingStateChanged
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, Symbol
from ordergate.domain.ledger import FIRM, Ledger
from tests.unit.builders import T0, accepted, canceled, filled, submitted

D = Decimal
ACC = AccountId("ACC")


def _ledger(events: list[Event]) -> Ledger:
    ledger = Ledger()
    ledger.apply(AccountOpened(seq=1, ts=T0, account=ACC, balances={"USD": D("10000")}))
    for seq, event in enumerate(events, start=2):
        event.seq = seq
        ledger.apply(event)
    return ledger


def _state(ledger: Ledger) -> tuple[object, ...]:
    bal = ledger.accounts[ACC].balance("USD")
    pos = ledger.position(ACC, Symbol("AAPL"))
    return (
        [(o.id, o.status, o.filled_qty) for o in ledger.order_list], bal.cash, bal.reserved,
        None if pos is None else (pos.qty, pos.avg_cost, pos.realized_pnl), sorted(ledger.open_orders),
    )


def test_submit_when_buy_then_order_open_and_cash_reserved() -> None:
    ledger = _ledger([submitted(qty="10", reserve_qty="10", reserve_price="100")])
    assert ledger.orders[OrderId("o-1")].status is OrderStatus.PENDING_NEW
    assert "o-1" in ledger.open_orders
    assert ledger.by_client_id[(ACC, ClientOrderId("o-1"))] == "o-1"
    assert ledger.accounts[ACC].buying_power("USD") == D("9000")


def test_fill_when_partial_then_position_cash_and_reservation_follow() -> None:
    ledger = _ledger([submitted(qty="10", reserve_qty="10", reserve_price="100"), accepted(),
                      filled("4", "99.00", "f1", commission="1")])
    bal = ledger.accounts[ACC].balance("USD")
    assert bal.cash == D("10000") - D("396") - D("1")
    assert bal.reserved == D("600")
    pos = ledger.position(ACC, Symbol("AAPL"))
    assert pos is not None and (pos.qty, pos.avg_cost, pos.commission) == (D("4"), D("99.00"), D("1"))


def test_cancel_when_terminal_then_order_closed_and_reservation_released() -> None:
    ledger = _ledger([submitted(qty="10", reserve_qty="10", reserve_price="100"), accepted(),
                      filled("4", "100", "f1"), canceled()])
    assert "o-1" not in ledger.open_orders
    assert ledger.accounts[ACC].balance("USD").reserved == 0
    assert ledger.accounts[ACC].buying_power("USD") == D("9600")


def test_fill_when_same_fill_event_twice_then_refused_and_position_counted_once() -> None:
    ledger = _ledger([submitted(qty="10"), accepted(), filled("4", "100", "f1")])
    before = _state(ledger)
    with pytest.raises(DomainError):
        ledger.apply(filled("4", "100", "f1"))
    assert _state(ledger) == before


def test_fill_when_overfill_then_refused_and_nothing_settled() -> None:
    ledger = _ledger([submitted(qty="10"), accepted(), filled("4", "100", "f1")])
    before = _state(ledger)
    with pytest.raises(OverfillError):
        ledger.apply(filled("7", "100", "f2"))
    assert _state(ledger) == before


def test_replay_when_same_events_into_fresh_ledger_then_same_state() -> None:
    events: list[Event] = [
        submitted("o-1", qty="10", reserve_qty="10", reserve_price="100"), accepted("o-1"),
        filled("10", "100", "f1", "o-1", commission="1"),
        submitted("o-2", qty="4", side=Side.SELL, limit="120.00"), accepted("o-2"),
        filled("3", "120", "f2", "o-2", side=Side.SELL),
    ]
    first = _ledger(events)
    replayed = Ledger()
    for event in [AccountOpened(seq=1, ts=T0, account=ACC, balances={"USD": D("10000")}), *events]:
        replayed.apply(event)
    assert _state(replayed) == _state(first)
    assert replayed.last_seq == first.last_seq == 7


def test_take_changes_when_taken_then_lists_changed_objects_once() -> None:
    ledger = _ledger([submitted(qty="10"), accepted(), filled("4", "100", "f1")])
    changes = ledger.take_changes()
    assert set(changes.orders) == {"o-1"}
    assert set(changes.accounts) == {ACC}
    assert set(changes.positions) == {(ACC, "AAPL")}
    assert not ledger.take_changes().orders


def test_cash_adjusted_when_applied_then_cash_moves() -> None:
    ledger = _ledger([CashAdjusted(ts=T0, account=ACC, currency="USD", amount=D("-500"), reason="withdraw")])
    assert ledger.accounts[ACC].balance("USD").cash == D("9500")


def test_trading_state_when_firm_stricter_than_account_then_firm_wins() -> None:
    ledger = _ledger([
        TradingStateChanged(ts=T0, account=ACC, state=TradingState.REDUCING, reason="risk"),
        TradingStateChanged(ts=T0, account=FIRM, state=TradingState.HALTED, reason="kill"),
    ])
    assert ledger.trading_state(ACC) is TradingState.HALTED
    assert ledger.trading_state(AccountId("OTHER")) is TradingState.HALTED


def test_listener_when_subscribed_then_called_with_event_and_order() -> None:
    seen: list[tuple[str, str | None]] = []
    ledger = Ledger()
    ledger.subscribe(lambda e, o: seen.append((type(e).__name__, o.id if o else None)))
    ledger.apply(AccountOpened(seq=1, ts=T0, account=ACC, balances={"USD": D("1")}))
    ledger.apply(submitted())
    assert seen == [("AccountOpened", None), ("OrderSubmitted", "o-1")]
