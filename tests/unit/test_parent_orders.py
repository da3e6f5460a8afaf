"""Parent and child orders: an order of an instrument at several venues works through children at venues."""

import dataclasses
from decimal import Decimal

import pytest

from ordergate.domain.commands import CancelOrder, OpenAccount, ReplaceOrder
from ordergate.domain.enums import OrderStatus
from ordergate.domain.errors import OrderStateConflict, ValidationFailed
from ordergate.domain.events import ChildOrderRouted
from ordergate.domain.ids import AccountId, OrderId, VenueOrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.reports import CancelRejectReport, OrderStatusReport, ReplaceReport
from ordergate.service.outcome import VenueAction
from tests.unit.builders import ACCOUNT, buy
from tests.unit.router_rig import AAPL, DEEP, THIN, Rig

D = Decimal
S = OrderStatus


def _parent(rig: Rig, qty: str = "5", route: str | None = "thin", limit: str | None = None) -> OrderId:
    outcome = rig.engine.handle(buy(qty, limit=limit, route=route))
    order = outcome.reply.order
    assert [(r.action, r.venue, r.order.order_id) for r in outcome.requests] == [
        (VenueAction.SUBMIT, rig.ledger.orders[c].venue, c) for c in order.children]
    return OrderId(order.id)


def test_order_at_several_venues_then_a_parent_never_sent_and_a_child_at_the_chosen_venue() -> None:
    rig = Rig()
    parent = rig.ledger.orders[_parent(rig)]
    [child_id] = parent.children
    child = rig.ledger.orders[child_id]
    assert parent.is_parent and (child.parent_id, child.venue, child.qty) == (parent.id, THIN, D("5"))
    assert parent.id in rig.ledger.open_orders and child.id not in rig.ledger.open_orders
    assert [o.id for o in rig.ledger.at_venues()] == [child.id]
    assert rig.engine.risk.usage.accounts[ACCOUNT].open_orders == 1  # risk counts the parent once


def test_child_acks_and_fills_then_parent_status_fills_and_average_follow_and_position_counts_once() -> None:
    rig = Rig()
    parent_id = _parent(rig, qty="10")
    parent = rig.ledger.orders[parent_id]
    held = rig.ledger.accounts[ACCOUNT].reservations[parent_id].qty
    rig.answer(parent_id, S.NEW)
    assert parent.status is S.NEW
    rig.fill(parent_id, "f1", "4", "230.00")
    rig.fill(parent_id, "f2", "2", "230.30")
    assert (parent.status, parent.filled_qty, parent.avg_fill_price) == (S.PARTIALLY_FILLED, D("6"), D("230.10"))
    assert parent.leaves_qty == D("4")
    assert rig.ledger.position(ACCOUNT, AAPL).qty == D("6")  # type: ignore[union-attr]
    assert rig.ledger.accounts[ACCOUNT].reservations[parent_id].qty == D("4") < held
    assert rig.engine.risk.usage.accounts[ACCOUNT].working_qty == D("4")
    rig.fill(parent_id, "f3", "4", "230.00")
    assert parent.status is S.FILLED and parent_id not in rig.ledger.open_orders
    assert parent_id not in rig.ledger.accounts[ACCOUNT].reservations
    assert rig.ledger.position(ACCOUNT, AAPL).qty == D("10")  # type: ignore[union-attr]
    assert rig.engine.risk.usage.accounts[ACCOUNT].open_orders == 0


def test_parent_cancel_then_its_working_children_are_canceled_and_it_ends_when_they_confirm() -> None:
    rig = Rig()
    parent_id = _parent(rig, qty="10")
    rig.answer(parent_id, S.NEW)
    rig.fill(parent_id, "f1", "3", "230.00")
    outcome = rig.engine.handle(CancelOrder(order_id=parent_id, reason="enough", requested_by="t"))
    child_id = rig.child(parent_id)
    assert [(r.action, r.order.order_id) for r in outcome.requests] == [(VenueAction.CANCEL, child_id)]
    parent = rig.ledger.orders[parent_id]
    assert parent.status is S.PENDING_CANCEL and rig.ledger.orders[child_id].status is S.PENDING_CANCEL
    rig.answer(parent_id, S.CANCELED)
    assert (parent.status, parent.filled_qty, parent.reason) == (S.CANCELED, D("3"), "enough")
    assert parent_id not in rig.ledger.accounts[ACCOUNT].reservations


def test_child_refused_for_the_orders_own_reason_then_parent_rejected_with_no_failover() -> None:
    rig = Rig()
    parent_id = _parent(rig)
    rig.answer(parent_id, S.REJECTED)
    parent = rig.ledger.orders[parent_id]
    assert parent.status is S.REJECTED and len(parent.children) == 1
    assert parent.reason == "thin: no"


def test_child_refused_by_a_venue_for_its_own_reason_then_the_rest_goes_to_the_next_venue_once() -> None:
    rig = Rig()
    parent_id = _parent(rig, qty="10", route=None)
    first = rig.child(parent_id)
    rig.answer(parent_id, S.REJECTED, venue_fault=True)
    parent = rig.ledger.orders[parent_id]
    assert len(parent.children) == 2 and parent.status is S.PENDING_NEW
    second = rig.ledger.orders[parent.children[1]]
    assert (second.venue, second.qty) == (DEEP, D("10"))
    assert rig.ledger.orders[first].venue != second.venue
    rig.answer(parent_id, S.REJECTED, venue_fault=True)  # every venue refused: nowhere left to go
    assert parent.status is S.REJECTED and len(parent.children) == 2


def test_replay_of_the_journal_then_parents_and_children_come_back_as_they_were() -> None:
    rig = Rig()
    parent_id = _parent(rig, qty="10")
    rig.answer(parent_id, S.NEW)
    rig.fill(parent_id, "f1", "4", "230.00")
    again = Ledger()
    again.replay(rig.events)
    before, after = rig.ledger.orders[parent_id], again.orders[parent_id]
    assert (after.status, after.filled_qty, after.children, after.is_parent) == (
        before.status, before.filled_qty, before.children, True)
    assert [o.id for o in again.at_venues()] == [o.id for o in rig.ledger.at_venues()]
    assert again.accounts[ACCOUNT].reservations[parent_id] == rig.ledger.accounts[ACCOUNT].reservations[parent_id]
    assert again.position(ACCOUNT, AAPL) == rig.ledger.position(ACCOUNT, AAPL)
    assert any(isinstance(e, ChildOrderRouted) for e in rig.events)


def test_parent_replace_then_its_working_child_is_replaced_and_the_parent_takes_the_terms_it_confirms() -> None:
    rig = Rig()
    parent_id = _parent(rig, qty="5", limit="229.00")
    child_id = rig.child(parent_id)
    rig.answer(parent_id, S.NEW)
    outcome = rig.engine.handle(ReplaceOrder(order_id=parent_id, qty=D("8"), limit_price=D("229.50"),
                                             requested_by="t"))
    [request] = outcome.requests
    assert (request.action, request.order.order_id, request.new.qty, request.new.limit_price) == (  # type: ignore[union-attr]
        VenueAction.REPLACE, child_id, D("8"), D("229.50"))
    parent, child = rig.ledger.orders[parent_id], rig.ledger.orders[child_id]
    assert (parent.status, child.status) == (S.PENDING_REPLACE, S.PENDING_REPLACE)
    rig.engine.handle(ReplaceReport(order_id=child_id, venue=child.venue, ts=rig.clock.now(),
                                    venue_order_id=VenueOrderId("v2"), qty=D("8"), limit_price=D("229.50"),
                                    stop_price=None, tif=child.tif, expire_at=None))
    assert (parent.status, parent.qty, parent.limit_price) == (S.NEW, D("8"), D("229.50"))
    reservations = rig.ledger.accounts[ACCOUNT].reservations
    assert reservations[parent_id].qty == D("8") and child_id not in reservations


def test_parent_replace_refused_by_the_venue_then_the_parent_keeps_its_terms() -> None:
    rig = Rig()
    parent_id = _parent(rig, qty="5", limit="229.00")
    child_id = rig.child(parent_id)
    rig.answer(parent_id, S.NEW)
    rig.engine.handle(ReplaceOrder(order_id=parent_id, qty=D("8"), requested_by="t"))
    rig.engine.handle(CancelRejectReport(order_id=child_id, venue=rig.ledger.orders[child_id].venue,
                                         ts=rig.clock.now(), response_to="replace", reason="too late"))
    parent = rig.ledger.orders[parent_id]
    assert (parent.status, parent.qty, parent.reason) == (S.NEW, D("5"), "too late")
    assert rig.ledger.accounts[ACCOUNT].reservations[parent_id].qty == D("5")


def _swept(rig: Rig) -> tuple[OrderId, OrderId, OrderId]:
    """A limit parent of 500 swept over thin (10, the earlier child) and deep (490, the later), both acked."""
    parent_id = _parent(rig, qty="500", route=None, limit="230.05")
    thin, deep = rig.ledger.orders[parent_id].children
    for child_id in (thin, deep):
        rig.engine.handle(rig.report(child_id, S.NEW))
    return parent_id, thin, deep


def _confirm(rig: Rig, child_id: OrderId, qty: str) -> None:
    child = rig.ledger.orders[child_id]
    asked = child.pending_replace
    assert asked is not None
    rig.engine.handle(ReplaceReport(order_id=child_id, venue=child.venue, ts=rig.clock.now(),
                                    venue_order_id=VenueOrderId(f"v-{child_id}"), qty=D(qty),
                                    limit_price=asked.limit_price, stop_price=None, tif=child.tif, expire_at=None))


def _refuse(rig: Rig, child_id: OrderId, reason: str = "too late") -> None:
    rig.engine.handle(CancelRejectReport(order_id=child_id, venue=rig.ledger.orders[child_id].venue,
                                         ts=rig.clock.now(), response_to="replace", reason=reason))


def test_new_limit_for_a_parent_at_two_venues_then_each_child_takes_it_and_the_parent_once_both_confirmed() -> None:
    rig = Rig()
    parent_id, thin, deep = _swept(rig)
    outcome = rig.engine.handle(ReplaceOrder(order_id=parent_id, limit_price=D("230.04"), requested_by="t"))
    assert [(r.order.order_id, r.new.qty, r.new.limit_price) for r in outcome.requests] == [  # type: ignore[union-attr]
        (thin, D("10"), D("230.04")), (deep, D("490"), D("230.04"))]
    parent = rig.ledger.orders[parent_id]
    _confirm(rig, thin, "10")
    assert parent.status is S.PENDING_REPLACE
    _confirm(rig, deep, "490")
    assert (parent.status, parent.qty, parent.limit_price) == (S.NEW, D("500"), D("230.04"))


def test_new_limit_refused_at_one_venue_then_the_parent_keeps_its_own_limit() -> None:
    rig = Rig()
    parent_id, thin, deep = _swept(rig)
    rig.engine.handle(ReplaceOrder(order_id=parent_id, limit_price=D("230.04"), qty=D("400"), requested_by="t"))
    _refuse(rig, thin)
    _confirm(rig, deep, "390")
    parent = rig.ledger.orders[parent_id]
    assert (parent.status, parent.qty, parent.limit_price) == (S.NEW, D("400"), D("230.05"))
    assert rig.ledger.orders[deep].limit_price == D("230.04")  # what a venue took stays there


def test_larger_quantity_for_a_parent_at_two_venues_then_the_earliest_child_takes_it() -> None:
    rig = Rig()
    parent_id, thin, _ = _swept(rig)
    outcome = rig.engine.handle(ReplaceOrder(order_id=parent_id, qty=D("520"), requested_by="t"))
    assert [(r.order.order_id, r.new.qty, r.new.limit_price) for r in outcome.requests] == [  # type: ignore[union-attr]
        (thin, D("30"), D("230.00"))]
    _confirm(rig, thin, "30")
    assert rig.ledger.orders[parent_id].qty == D("520")


def test_replace_of_a_parent_at_two_venues_that_changes_nothing_then_refused_and_nothing_changes() -> None:
    rig = Rig()
    parent_id, _, _ = _swept(rig)
    before = len(rig.events)
    with pytest.raises(ValidationFailed, match="qty"):
        rig.engine.handle(ReplaceOrder(order_id=parent_id, qty=D("500"), requested_by="t"))
    assert len(rig.events) == before


def test_reduction_of_a_parent_at_two_venues_then_taken_from_the_latest_child_and_the_parent_waits_for_both() -> None:
    rig = Rig()
    parent_id, _, deep = _swept(rig)
    held = rig.ledger.accounts[ACCOUNT].reservations[parent_id].qty
    outcome = rig.engine.handle(ReplaceOrder(order_id=parent_id, qty=D("20"), requested_by="t"))
    assert [(r.action, r.order.order_id, r.new.qty, r.new.limit_price) for r in outcome.requests] == [  # type: ignore[union-attr]
        (VenueAction.REPLACE, deep, D("10"), D("230.02"))]  # deep gives 480 of its 490 and keeps its price
    parent = rig.ledger.orders[parent_id]
    assert parent.status is S.PENDING_REPLACE
    assert rig.ledger.accounts[ACCOUNT].reservations[parent_id].qty == held  # the larger terms meanwhile
    _confirm(rig, deep, "10")
    assert (parent.status, parent.qty) == (S.NEW, D("20"))
    assert rig.ledger.accounts[ACCOUNT].reservations[parent_id].qty == D("20")


def test_reduction_spread_over_both_children_one_refuses_then_the_parent_keeps_that_venues_share() -> None:
    rig = Rig()
    parent_id, thin, deep = _swept(rig)
    outcome = rig.engine.handle(ReplaceOrder(order_id=parent_id, qty=D("2"), requested_by="t"))
    assert [(r.order.order_id, r.new.qty) for r in outcome.requests] == [  # type: ignore[union-attr]
        (thin, D("1")), (deep, D("1"))]  # each keeps one lot working
    parent = rig.ledger.orders[parent_id]
    _refuse(rig, thin)
    assert parent.status is S.PENDING_REPLACE  # deep has not answered yet
    _confirm(rig, deep, "1")
    assert (parent.status, parent.qty) == (S.NEW, D("11"))  # thin's 10 and deep's 1
    assert rig.ledger.accounts[ACCOUNT].reservations[parent_id].qty == D("11")


def test_reduction_refused_by_every_venue_then_the_parent_keeps_its_terms_and_the_reason() -> None:
    rig = Rig()
    parent_id, thin, deep = _swept(rig)
    rig.engine.handle(ReplaceOrder(order_id=parent_id, qty=D("2"), requested_by="t"))
    _refuse(rig, deep, "busy")
    _refuse(rig, thin, "too late")
    parent = rig.ledger.orders[parent_id]
    assert (parent.status, parent.qty, parent.reason) == (S.NEW, D("500"), "too late")
    assert rig.ledger.accounts[ACCOUNT].reservations[parent_id].qty == D("500")


def test_child_filled_before_its_venue_took_the_reduction_then_the_parent_counts_what_it_filled() -> None:
    rig = Rig()
    parent_id, thin, deep = _swept(rig)
    rig.engine.handle(ReplaceOrder(order_id=parent_id, qty=D("2"), requested_by="t"))
    rig.engine.handle(rig.fill_report(thin, "f1", "10", "230.00"))  # thin filled whole: its cut never happened
    parent = rig.ledger.orders[parent_id]
    assert parent.status is S.PENDING_REPLACE
    _confirm(rig, deep, "1")
    assert (parent.status, parent.qty, parent.filled_qty) == (S.PARTIALLY_FILLED, D("11"), D("10"))
    rig.engine.handle(rig.fill_report(deep, "f2", "1", "230.02"))
    assert parent.status is S.FILLED and rig.ledger.position(ACCOUNT, AAPL).qty == D("11")  # type: ignore[union-attr]


def test_reduction_that_would_leave_a_venue_nothing_then_refused_naming_the_rule() -> None:
    rig = Rig()
    parent_id, _, _ = _swept(rig)
    before = len(rig.events)
    with pytest.raises(OrderStateConflict, match="several_venues_keep_a_lot"):
        rig.engine.handle(ReplaceOrder(order_id=parent_id, qty=D("1"), requested_by="t"))
    assert len(rig.events) == before


def test_report_addressed_to_a_parent_then_refused_as_from_the_wrong_venue() -> None:
    rig = Rig()
    parent_id = _parent(rig)
    rig.engine.handle(OrderStatusReport(order_id=parent_id, venue=THIN, ts=rig.clock.now(), status=S.NEW,
                                        venue_order_id=VenueOrderId("x")))
    assert rig.ledger.orders[parent_id].status is S.PENDING_NEW
    assert rig.engine.reports.anomalies["wrong_venue"] == 1


def test_account_that_trades_only_at_one_venue_then_the_router_routes_it_there_and_fails_over_nowhere_else() -> None:
    rig = Rig()
    rig.engine.handle(OpenAccount(account=AccountId("DEEPONLY"), balances={"USD": D("1000000")}, venues=["deep"]))
    order = rig.engine.handle(dataclasses.replace(buy("5", limit=None), account=AccountId("DEEPONLY"))).reply.order
    [child_id] = order.children  # thin is cheaper and shows enough, but the account may not trade there
    assert rig.ledger.orders[child_id].venue == DEEP
    refused = rig.report(child_id, S.REJECTED)
    refused.venue_fault = True  # deep is out of service: thin could take it, but not for this account
    rig.engine.handle(refused)
    assert order.status is S.REJECTED and len(order.children) == 1


def test_parent_cancel_refused_by_its_venue_then_the_parent_works_on_as_its_acknowledged_child_does() -> None:
    rig = Rig()
    parent_id = _parent(rig, qty="5", limit="229.00")
    child_id = rig.child(parent_id)
    rig.answer(parent_id, S.NEW)
    rig.engine.handle(CancelOrder(order_id=parent_id, reason="enough", requested_by="t"))
    rig.engine.handle(CancelRejectReport(order_id=child_id, venue=rig.ledger.orders[child_id].venue,
                                         ts=rig.clock.now(), response_to="cancel", reason="not now"))
    parent = rig.ledger.orders[parent_id]
    acked = rig.ledger.orders[child_id].accepted_at
    assert (parent.status, parent.reason, parent.accepted_at) == (S.NEW, "not now", acked)


def test_restart_while_a_parent_replace_is_half_answered_then_the_journal_gives_the_same_pending_terms() -> None:
    rig = Rig()
    parent_id, thin, _ = _swept(rig)
    rig.engine.handle(ReplaceOrder(order_id=parent_id, qty=D("2"), limit_price=D("230.04"), requested_by="t"))
    _refuse(rig, thin)  # thin keeps its 10 and its price: the parent's pending terms take them back
    again = Ledger()
    again.replay(rig.events)
    before, after = rig.ledger.orders[parent_id], again.orders[parent_id]
    assert after.pending_replace == before.pending_replace
    assert before.pending_replace is not None and (before.pending_replace.qty, before.pending_replace.limit_price) == (
        D("11"), D("230.05"))
    assert after.status is S.PENDING_REPLACE
    assert again.accounts[ACCOUNT].reservations[parent_id] == rig.ledger.accounts[ACCOUNT].reservations[parent_id]
