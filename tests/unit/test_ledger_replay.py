"""The ledger's replay, its per-type listener routing, its open-order index and many-fill idempotency."""

from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from ordergate.domain.enums import OrderStatus
from ordergate.domain.errors import InvalidOrderTransition
from ordergate.domain.events import AccountOpened, Event, OrderAccepted, OrderFilled, OrderSubmitted
from ordergate.domain.ids import AccountId, OrderId, Symbol
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import SMALL_FILL_IDS
from tests.unit.builders import T0, accepted, canceled, filled, submitted

ACC = AccountId("ACC")
OPEN = AccountOpened(seq=1, ts=T0, account=ACC, balances={"USD": D("1000000")})


@dataclass(slots=True, kw_only=True)
class SomethingElse(Event):
    """An event type the ledger has no rule for."""


def _numbered(events: list[Event]) -> list[Event]:
    for seq, event in enumerate(events, start=1):
        event.seq = seq
    return events


def test_replay_when_journal_given_then_state_equals_applying_each_event_and_nothing_left_to_write() -> None:
    events = _numbered([OPEN, submitted("o-1"), accepted("o-1"), filled("40", order_id="o-1"), submitted("o-2")])
    one_by_one, replayed = Ledger(), Ledger()
    for event in events:
        one_by_one.apply(event)
    count = replayed.replay(events)
    assert count == 5 and replayed.last_seq == one_by_one.last_seq == 5
    assert [(o.id, o.status, o.filled_qty) for o in replayed.order_list] == [
        (o.id, o.status, o.filled_qty) for o in one_by_one.order_list]
    assert replayed.accounts[ACC].balance("USD") == one_by_one.accounts[ACC].balance("USD")
    changes = replayed.take_changes()
    assert not (changes.orders or changes.accounts or changes.positions)


def test_replay_when_listeners_subscribed_then_replaying_seen_and_after_replay_called_once() -> None:
    ledger = Ledger()
    seen: list[tuple[str, bool]] = []
    done: list[int] = []
    ledger.subscribe(lambda e, o: seen.append((type(e).__name__, ledger.replaying)), (OrderAccepted,))
    ledger.after_replay(lambda: done.append(len(seen)))
    ledger.replay(_numbered([OPEN, submitted("o-1"), accepted("o-1")]))
    assert seen == [("OrderAccepted", True)] and done == [1] and not ledger.replaying


def test_subscribe_when_types_given_then_only_those_events_and_subclasses_reach_the_listener() -> None:
    ledger = Ledger()
    heard: list[str] = []
    ledger.subscribe(lambda e, o: heard.append(type(e).__name__), (OrderSubmitted, OrderFilled))
    for event in _numbered([OPEN, submitted("o-1"), accepted("o-1"), filled("10", order_id="o-1")]):
        ledger.apply(event)
    assert heard == ["OrderSubmitted", "OrderFilled"]


def test_apply_when_event_type_unknown_then_type_error_and_state_unchanged() -> None:
    ledger = Ledger()
    ledger.apply(_numbered([OPEN])[0])
    with pytest.raises(TypeError, match="no rule for SomethingElse"):
        ledger.apply(SomethingElse(seq=2, ts=T0, account=ACC))
    assert ledger.last_seq == 1 and not ledger.orders


def test_open_orders_of_when_orders_open_and_done_then_only_that_accounts_open_ones_in_that_symbol() -> None:
    ledger = Ledger()
    other = AccountOpened(seq=0, ts=T0, account=AccountId("B"), balances={"USD": D("1000")})
    for event in _numbered([OPEN, other, submitted("o-1"), submitted("o-2"), submitted("o-3", account="B"),
                            accepted("o-2"), canceled("o-2")]):
        ledger.apply(event)
    assert [o.id for o in ledger.open_orders_of(ACC, Symbol("AAPL"))] == ["o-1"]
    assert [o.id for o in ledger.open_orders_of(AccountId("B"), Symbol("AAPL"))] == ["o-3"]
    assert list(ledger.open_orders_of(ACC, Symbol("MSFT"))) == []


def test_fill_when_many_partial_fills_then_each_counts_once_and_a_repeat_is_refused() -> None:
    ledger = Ledger()
    fills = SMALL_FILL_IDS + 4  # past the size where the ids move from a tuple to a set
    for event in _numbered([OPEN, submitted("o-1", qty=str(fills + 1)), accepted("o-1")]):
        ledger.apply(event)
    for i in range(fills):
        event = filled("1", fill_id=f"f{i}", order_id="o-1")
        event.seq = ledger.last_seq + 1
        ledger.apply(event)
    order = ledger.orders[OrderId("o-1")]
    repeat = filled("1", fill_id="f3", order_id="o-1")
    repeat.seq = ledger.last_seq + 1
    with pytest.raises(InvalidOrderTransition, match="already applied"):
        ledger.apply(repeat)
    assert (order.filled_qty, len(order.fill_ids), order.status) == (D(fills), fills, OrderStatus.PARTIALLY_FILLED)
    assert ledger.positions[(ACC, Symbol("AAPL"))].qty == D(fills)
