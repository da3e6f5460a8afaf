"""The order state machine: one literal table of transitions, checked on every event."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.errors import DomainError, InvalidOrderTransition, OverfillError
from ordergate.domain.events import OrderEvent, OrderTriggered
from ordergate.domain.ids import FillId
from ordergate.domain.order import TRANSITIONS, Order
from tests.unit.builders import (
    T0,
    accepted,
    cancel_rejected,
    canceled,
    expired,
    filled,
    new_order,
    pending_cancel,
    pending_replace,
    rejected,
    replaced,
)

S = OrderStatus
D = Decimal
ALL = list(OrderStatus)
PAIRS = [(a, b) for a in ALL for b in ALL if b is not S.PENDING_NEW]


def _order_in(status: OrderStatus, filled_qty: str = "0") -> Order:
    """Return an order of qty 100 placed directly in a status (a test fixture, not a real path)."""
    order = new_order("100")
    order.status = status
    if status is not S.PENDING_NEW:
        order.accepted_at = order.created_at
    order.filled_qty = D(filled_qty)
    order.filled_notional = D(filled_qty) * D("10")
    return order


def _event_moving_to(target: OrderStatus, order: Order) -> OrderEvent:
    """Return the event whose handler moves an order to ``target`` from any status."""
    makers: dict[OrderStatus, Callable[[], OrderEvent]] = {
        # an ack from pending new; else a refused cancel, back to the working status (NEW while nothing is filled)
        S.NEW: accepted if order.status is S.PENDING_NEW else cancel_rejected,
        S.PARTIALLY_FILLED: cancel_rejected,
        S.FILLED: lambda: filled(str(order.qty - order.filled_qty), fill_id="f-last"),
        S.PENDING_CANCEL: pending_cancel,
        S.PENDING_REPLACE: pending_replace,
        S.CANCELED: canceled,
        S.REJECTED: rejected,
        S.EXPIRED: expired,
    }
    return makers[target]()


def _snapshot(order: Order) -> tuple[object, ...]:
    return (order.status, order.qty, order.filled_qty, order.limit_price, order.venue_order_id,
            order.reason, order.pending_replace, order.expiring, frozenset(order.fill_ids))


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_transition_when_pair_in_table_then_applied_else_refused_and_nothing_changes(
    source: OrderStatus, target: OrderStatus,
) -> None:
    order = _order_in(source, filled_qty="40" if target is S.PARTIALLY_FILLED else "0")
    before = _snapshot(order)
    event = _event_moving_to(target, order)
    if target in TRANSITIONS[source]:
        order.apply(event)
        assert order.status is target
    else:
        with pytest.raises(InvalidOrderTransition):
            order.apply(event)
        assert _snapshot(order) == before


def test_table_when_read_then_terminal_states_lead_nowhere_and_only_a_refused_cancel_returns_to_pending_new(
) -> None:
    assert set(TRANSITIONS) == set(OrderStatus)
    for status, targets in TRANSITIONS.items():
        assert (S.PENDING_NEW in targets) == (status is S.PENDING_CANCEL)
        assert (not targets) == status.is_terminal


def test_cancel_reject_when_the_order_was_never_acknowledged_then_back_to_pending_new() -> None:
    order = new_order()
    order.apply(pending_cancel())
    order.apply(cancel_rejected())
    assert order.status is S.PENDING_NEW


def test_accept_when_pending_new_then_new_with_venue_order_id() -> None:
    order = new_order()
    order.apply(accepted())
    assert order.status is S.NEW
    assert order.venue_order_id == "v-o-1"
    assert order.accepted_at == T0


def test_accept_when_already_new_then_only_the_venue_order_id_is_recorded() -> None:
    order = new_order()
    order.apply(accepted())
    order.apply(accepted())
    assert order.status is S.NEW


def test_cancel_before_ack_when_ack_arrives_then_stays_pending_cancel_and_cancel_completes() -> None:
    order = new_order()
    order.apply(pending_cancel())
    order.apply(accepted())
    assert order.status is S.PENDING_CANCEL
    assert order.venue_order_id == "v-o-1"
    order.apply(canceled())
    assert (order.status, order.leaves_qty) == (S.CANCELED, D(0))


def test_fill_when_partial_then_partially_filled_with_average_price() -> None:
    order = new_order("100")
    order.apply(accepted())
    order.apply(filled("30", "10.00", "f1"))
    order.apply(filled("20", "10.50", "f2"))
    assert order.status is S.PARTIALLY_FILLED
    assert order.filled_qty == D("50")
    assert order.leaves_qty == D("50")
    assert order.avg_fill_price == D("10.20")


def test_fill_when_completes_quantity_then_filled_and_done() -> None:
    order = new_order("100")
    order.apply(accepted())
    order.apply(filled("100"))
    assert order.status is S.FILLED
    assert order.done_at == T0
    assert not order.is_open


def test_fill_when_same_fill_id_applied_twice_then_refused_and_counted_once() -> None:
    order = new_order("100")
    order.apply(accepted())
    order.apply(filled("30", fill_id="f1"))
    with pytest.raises(DomainError):
        order.apply(filled("30", fill_id="f1"))
    assert order.filled_qty == D("30")
    assert order.has_fill(FillId("f1"))


def test_fill_when_above_leaves_then_overfill_refused_and_nothing_changes() -> None:
    order = new_order("100")
    order.apply(accepted())
    order.apply(filled("60", fill_id="f1"))
    with pytest.raises(OverfillError):
        order.apply(filled("41", fill_id="f2"))
    assert order.filled_qty == D("60")
    assert order.status is S.PARTIALLY_FILLED
    assert not order.has_fill(FillId("f2"))


def test_fill_when_pending_cancel_then_stays_pending_cancel_until_filled() -> None:
    order = new_order("100")
    order.apply(accepted())
    order.apply(pending_cancel())
    order.apply(filled("40", fill_id="f1"))
    assert order.status is S.PENDING_CANCEL
    order.apply(filled("60", fill_id="f2"))
    assert (order.status, order.filled_qty) == (S.FILLED, D("100"))


def test_replace_when_confirmed_then_new_terms_applied() -> None:
    order = new_order("100")
    order.apply(accepted())
    order.apply(pending_replace(qty="150", limit="10.50"))
    assert order.status is S.PENDING_REPLACE
    assert order.pending_replace is not None and order.pending_replace.qty == D("150")
    order.apply(replaced(qty="150", limit="10.50"))
    assert (order.status, order.qty, order.limit_price) == (S.NEW, D("150"), D("10.50"))
    assert order.venue_order_id == "v2-o-1"
    assert order.pending_replace is None


def test_replace_when_new_qty_at_or_below_filled_then_order_is_filled() -> None:
    order = new_order("100")
    order.apply(accepted())
    order.apply(filled("60"))
    order.apply(pending_replace(qty="50"))
    order.apply(replaced(qty="50"))
    assert order.status is S.FILLED
    assert order.qty == D("60")


def test_replace_when_order_already_canceled_then_terms_unchanged_and_only_the_venue_id_recorded() -> None:
    order = new_order("100")
    order.apply(accepted())
    order.apply(canceled())
    before = _snapshot(order)
    order.apply(replaced(qty="150", limit="11.00"))
    assert (order.status, order.qty, order.limit_price) == before[:1] + before[1:2] + before[3:4]
    assert order.venue_order_id == "v2-" + order.id


def test_cancel_reject_when_pending_replace_then_back_to_working_and_terms_kept() -> None:
    order = new_order("100")
    order.apply(accepted())
    order.apply(filled("10"))
    order.apply(pending_replace(qty="150"))
    order.apply(cancel_rejected(response_to="replace"))
    assert order.status is S.PARTIALLY_FILLED
    assert order.qty == D("100")
    assert order.pending_replace is None


def test_trigger_when_terminal_then_refused() -> None:
    order = new_order()
    order.apply(rejected())
    with pytest.raises(InvalidOrderTransition):
        order.apply(OrderTriggered(ts=T0, account=order.account, order_id=order.id, trigger_price=D("10")))


def test_apply_when_event_type_has_no_rule_then_refused() -> None:
    order = new_order()
    with pytest.raises(InvalidOrderTransition, match="no rule"):
        order.apply(OrderEvent(ts=T0, account=order.account, order_id=order.id))


# -- property: no event sequence breaks the invariants -----------------------------------------------

_EVENT_KINDS = st.sampled_from(["ack", "fill", "pcancel", "cancel", "reject", "expire", "preplace",
                                "replace", "creject"])


def _random_event(kind: str, qty: int, n: int) -> OrderEvent:
    makers: dict[str, Callable[[], OrderEvent]] = {
        "ack": accepted, "fill": lambda: filled(str(qty), fill_id=f"f{n % 7}"), "pcancel": pending_cancel,
        "cancel": canceled, "reject": rejected, "expire": expired,
        "preplace": lambda: pending_replace(qty=str(qty * 10)), "replace": lambda: replaced(qty=str(qty * 10)),
        "creject": cancel_rejected,
    }
    return makers[kind]()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_EVENT_KINDS, st.integers(min_value=1, max_value=80)), max_size=30),
       st.sampled_from(list(Side)))
def test_any_event_sequence_never_overfills_nor_leaves_a_terminal_state(
    steps: list[tuple[str, int]], side: Side,
) -> None:
    order = new_order("100", side)
    terminal_seen: OrderStatus | None = None
    for n, (kind, qty) in enumerate(steps):
        before = _snapshot(order)
        try:
            order.apply(_random_event(kind, qty, n))
        except DomainError:
            assert _snapshot(order) == before  # a refused event changes nothing
        assert D(0) <= order.filled_qty <= order.qty
        assert order.leaves_qty >= 0
        assert order.filled_qty == 0 or order.fill_ids
        if terminal_seen is not None:
            assert order.status is terminal_seen
        elif order.status.is_terminal:
            terminal_seen = order.status
