"""Venue reports turn into order events; duplicates and misfits change nothing."""

from decimal import Decimal

import pytest

from ordergate.domain.commands import CancelOrder, ReplaceOrder
from ordergate.domain.enums import OrderStatus
from ordergate.domain.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
    OrderTriggered,
)
from ordergate.domain.ids import OrderId, VenueId, VenueOrderId
from ordergate.domain.order import Order
from ordergate.domain.reports import CancelRejectReport, OrderStatusReport, TriggerReport
from ordergate.service.engine import OrderEngine
from tests.unit.builders import AAPL, ACCOUNT, T0, buy, fill_report, replace_report, status_report

D = Decimal
S = OrderStatus
PAPER = VenueId("paper")


def _working(engine: OrderEngine, qty: str = "100", limit: str = "230.00") -> Order:
    order: Order = engine.handle(buy(qty, limit)).reply.order
    engine.handle(status_report(order.id, S.NEW))
    return order


def test_ack_when_pending_new_then_accepted_with_venue_order_id(engine: OrderEngine) -> None:
    order = engine.handle(buy()).reply.order
    outcome = engine.handle(status_report(order.id, S.NEW))
    assert [type(e) for e in outcome.events] == [OrderAccepted]
    assert (order.status, order.venue_order_id) == (S.NEW, "v-" + order.id)


def test_ack_when_repeated_then_nothing_emitted(engine: OrderEngine) -> None:
    order = _working(engine)
    assert engine.handle(status_report(order.id, S.NEW)).events == []


def test_fill_when_partial_then_partially_filled_and_position_cash_follow(engine: OrderEngine) -> None:
    order = _working(engine, "100", "230.00")
    outcome = engine.handle(fill_report(order.id, "40", "229.50", "f1", commission="1"))
    assert [type(e) for e in outcome.events] == [OrderFilled]
    assert (order.status, order.filled_qty, order.leaves_qty) == (S.PARTIALLY_FILLED, D("40"), D("60"))
    pos = engine.ledger.position(ACCOUNT, AAPL)
    assert pos is not None and (pos.qty, pos.avg_cost) == (D("40"), D("229.50"))
    bal = engine.ledger.accounts[ACCOUNT].balance("USD")
    assert bal.cash == D("1000000") - D("40") * D("229.50") - 1
    assert bal.reserved == D("60") * D("230.00")


def test_fill_when_completes_then_filled_and_reservation_released(engine: OrderEngine) -> None:
    order = _working(engine, "100")
    engine.handle(fill_report(order.id, "40", fill_id="f1"))
    engine.handle(fill_report(order.id, "60", fill_id="f2"))
    assert order.status is S.FILLED
    assert engine.ledger.accounts[ACCOUNT].balance("USD").reserved == 0
    assert order.id not in engine.ledger.open_orders


def test_fill_when_same_fill_id_again_then_ignored(engine: OrderEngine) -> None:
    order = _working(engine, "100")
    engine.handle(fill_report(order.id, "40", fill_id="f1"))
    assert engine.handle(fill_report(order.id, "40", fill_id="f1")).events == []
    assert order.filled_qty == D("40")
    pos = engine.ledger.position(ACCOUNT, AAPL)
    assert pos is not None and pos.qty == D("40")


@pytest.mark.parametrize(("qty", "kind"), [("101", "overfill"), ("0", "bad_fill"), ("-5", "bad_fill")])
def test_fill_when_overfill_or_not_positive_then_refused_and_counted(engine: OrderEngine, qty: str,
                                                                     kind: str) -> None:
    order = _working(engine, "100")
    assert engine.handle(fill_report(order.id, qty)).events == []
    assert order.filled_qty == 0
    assert engine.reports.anomalies[kind] == 1


def test_fill_when_order_already_canceled_then_applied_flagged_late_and_order_stays_canceled(
        engine: OrderEngine) -> None:
    order = _working(engine)
    engine.handle(status_report(order.id, S.CANCELED))
    events = engine.handle(fill_report(order.id, "1", fill_id="late")).events
    assert [(type(e), e.late) for e in events] == [(OrderFilled, True)]  # type: ignore[attr-defined]
    assert (order.status, order.filled_qty, order.late_fills) == (S.CANCELED, D("1"), 1)
    position = engine.ledger.position(ACCOUNT, AAPL)
    assert position is not None and position.qty == D("1")
    assert engine.reports.flagged["late_fill"] == 1


def test_report_when_order_unknown_then_refused_and_counted(engine: OrderEngine) -> None:
    assert engine.handle(fill_report("nope", "1")).events == []
    assert engine.reports.anomalies["unknown_order"] == 1


def test_reject_when_pending_new_then_rejected_with_reason_and_hold_released(engine: OrderEngine) -> None:
    order = engine.handle(buy()).reply.order
    outcome = engine.handle(status_report(order.id, S.REJECTED, reason="halted symbol"))
    assert [type(e) for e in outcome.events] == [OrderRejected]
    assert (order.status, order.reason) == (S.REJECTED, "halted symbol")
    assert engine.ledger.accounts[ACCOUNT].balance("USD").reserved == 0


def test_canceled_report_when_venue_cancels_then_canceled(engine: OrderEngine) -> None:
    order = _working(engine)
    outcome = engine.handle(status_report(order.id, S.CANCELED, reason="ioc remainder"))
    assert [type(e) for e in outcome.events] == [OrderCanceled]
    assert (order.status, order.reason) == (S.CANCELED, "ioc remainder")


def test_expired_report_then_expired(engine: OrderEngine) -> None:
    order = _working(engine)
    assert [type(e) for e in engine.handle(status_report(order.id, S.EXPIRED)).events] == [OrderExpired]
    assert order.status is S.EXPIRED


def test_status_report_when_order_terminal_then_nothing_changes(engine: OrderEngine) -> None:
    order = _working(engine)
    engine.handle(status_report(order.id, S.CANCELED))
    assert engine.handle(status_report(order.id, S.REJECTED)).events == []
    assert order.status is S.CANCELED


def test_status_report_when_status_makes_no_sense_then_counted(engine: OrderEngine) -> None:
    order = _working(engine)
    assert engine.handle(status_report(order.id, S.PENDING_REPLACE)).events == []
    assert engine.reports.anomalies["status_pending_replace"] == 1


def test_replace_report_when_pending_replace_then_terms_and_reservation_updated(engine: OrderEngine) -> None:
    order = _working(engine, "100", "230.00")
    engine.handle(fill_report(order.id, "20", fill_id="f1"))
    engine.handle(ReplaceOrder(order_id=order.id, qty=D("150"), limit_price=D("229.00")))
    outcome = engine.handle(replace_report(order, "150", "229.00"))
    assert [type(e) for e in outcome.events] == [OrderReplaced]
    assert (order.status, order.qty, order.limit_price) == (S.PARTIALLY_FILLED, D("150"), D("229.00"))
    assert engine.ledger.accounts[ACCOUNT].balance("USD").reserved == D("130") * D("229.00")


def test_replace_report_when_not_pending_replace_then_refused(engine: OrderEngine) -> None:
    order = _working(engine)
    assert engine.handle(replace_report(order, "150", "229.00")).events == []
    assert order.qty == D("100")
    assert engine.reports.anomalies["replace_not_pending"] == 1


def test_cancel_reject_when_pending_cancel_then_back_to_working(engine: OrderEngine) -> None:
    order = _working(engine)
    engine.handle(CancelOrder(order_id=order.id))
    report = CancelRejectReport(order_id=order.id, venue=PAPER, ts=T0, response_to="cancel", reason="too late")
    assert [type(e) for e in engine.handle(report).events] == [OrderCancelRejected]
    assert (order.status, order.reason) == (S.NEW, "too late")


def test_cancel_reject_when_not_pending_then_refused(engine: OrderEngine) -> None:
    order = _working(engine)
    report = CancelRejectReport(order_id=order.id, venue=PAPER, ts=T0, response_to="cancel", reason="?")
    assert engine.handle(report).events == []
    assert engine.reports.anomalies["cancel_reject_not_pending"] == 1


def test_trigger_report_when_working_then_triggered_and_status_kept(engine: OrderEngine) -> None:
    order = _working(engine)
    outcome = engine.handle(TriggerReport(order_id=order.id, venue=PAPER, ts=T0, trigger_price=D("229")))
    assert [type(e) for e in outcome.events] == [OrderTriggered]
    assert order.triggered and order.status is S.NEW


def test_cancel_before_ack_when_ack_then_fill_then_cancel_then_order_canceled_with_fill(engine: OrderEngine) -> None:
    order = engine.handle(buy("100")).reply.order
    engine.handle(CancelOrder(order_id=OrderId(order.id)))
    engine.handle(status_report(order.id, S.NEW))
    engine.handle(fill_report(order.id, "10"))
    engine.handle(status_report(order.id, S.CANCELED))
    assert (order.status, order.filled_qty) == (S.CANCELED, D("10"))
    assert order.accepted_at is not None


def test_fill_when_its_id_was_used_by_another_order_then_refused_and_counted(engine: OrderEngine) -> None:
    first, second = _working(engine, "100"), _working(engine, "100")
    engine.handle(fill_report(first.id, "10", fill_id="dup"))
    assert engine.handle(fill_report(second.id, "10", fill_id="dup")).events == []
    assert second.filled_qty == 0
    assert engine.reports.anomalies["fill_id_reused"] == 1


def test_ack_when_it_arrives_after_a_fill_then_venue_order_id_recorded(engine: OrderEngine) -> None:
    order = engine.handle(buy("100")).reply.order
    engine.handle(fill_report(order.id, "40", fill_id="f1"))
    engine.handle(status_report(order.id, S.NEW))
    assert (order.status, order.venue_order_id) == (S.PARTIALLY_FILLED, "v-" + order.id)


def test_status_when_cumulative_qty_runs_ahead_then_inferred_fill_later_confirmed_without_double_count(
        engine: OrderEngine) -> None:
    order = _working(engine, "100")
    ahead = OrderStatusReport(order_id=order.id, venue=PAPER, ts=T0, status=S.PARTIALLY_FILLED,
                              venue_order_id=VenueOrderId("v-x"), filled_qty=D("30"), avg_price=D("229.50"))
    events = engine.handle(ahead).events
    assert [(type(e), e.inferred) for e in events] == [(OrderFilled, True)]  # type: ignore[attr-defined]
    assert order.filled_qty == D("30")
    engine.handle(fill_report(order.id, "20", price="229.40", fill_id="real1"))
    engine.handle(fill_report(order.id, "20", price="229.60", fill_id="real2"))
    assert order.filled_qty == D("40")  # 30 confirmed by the first 30 real, 10 more booked
    position = engine.ledger.position(ACCOUNT, AAPL)
    assert position is not None and position.qty == D("40")
    assert engine.handle(fill_report(order.id, "20", price="229.60", fill_id="real2")).events == []


def test_status_when_filled_at_venue_but_fills_missing_then_inferred_and_order_filled(engine: OrderEngine) -> None:
    order = _working(engine, "100")
    done = OrderStatusReport(order_id=order.id, venue=PAPER, ts=T0, status=S.FILLED, filled_qty=D("100"),
                             avg_price=D("230.00"))
    engine.handle(done)
    assert (order.status, order.filled_qty) == (S.FILLED, D("100"))


def test_replace_confirm_when_it_arrives_after_the_order_expired_then_only_the_venue_order_id_changes(
        engine: OrderEngine) -> None:
    order = _working(engine, "100", "230.00")
    engine.handle(ReplaceOrder(order_id=order.id, qty=D("150")))
    engine.handle(status_report(order.id, S.EXPIRED))
    engine.handle(replace_report(order, "150", "230.00"))
    assert (order.status, order.qty, order.venue_order_id) == (S.EXPIRED, D("100"), "v2")
