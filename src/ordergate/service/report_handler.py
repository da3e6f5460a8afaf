"""Turning venue reports (broker truth) into order events, refusing what would corrupt state.

A duplicate report changes nothing (fills are idempotent by fill id); a report that does not fit the
order's state (an overfill, a fill after the order ended) is refused, logged and counted as an anomaly
for reconciliation, never silently applied.
"""

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import structlog

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
from ordergate.domain.ids import VenueOrderId
from ordergate.domain.order import Order
from ordergate.domain.reports import (
    CancelRejectReport,
    FillReport,
    OrderStatusReport,
    ReplaceReport,
    Report,
    TriggerReport,
)

if TYPE_CHECKING:
    from ordergate.service.engine import OrderEngine

log = structlog.get_logger(__name__)
S = OrderStatus


class ReportHandler:
    """Apply venue reports to orders through events."""

    def __init__(self, engine: "OrderEngine") -> None:
        self._engine = engine
        self.anomalies: Counter[str] = Counter()

    def handle(self, report: Report) -> None:
        """Turn one report into zero or more events."""
        order = self._engine.ledger.orders.get(report.order_id)
        if order is None:
            self._anomaly("unknown_order", report)
            return
        if isinstance(report, FillReport):
            self._fill(order, report)
        elif isinstance(report, OrderStatusReport):
            self._status(order, report)
        elif isinstance(report, ReplaceReport):
            self._replaced(order, report)
        elif isinstance(report, CancelRejectReport):
            self._cancel_rejected(order, report)
        elif isinstance(report, TriggerReport) and not order.status.is_terminal:
            self._engine.emit(OrderTriggered(**self._base(order, report), trigger_price=report.trigger_price))

    def _base(self, order: Order, report: Report) -> dict[str, Any]:
        return {"ts": self._engine.clock.now(), "account": order.account, "order_id": order.id,
                "caused_by": f"venue:{report.venue}"}

    def _fill(self, order: Order, r: FillReport) -> None:
        if order.has_fill(r.fill_id):
            return  # the same fill again: idempotent
        if order.status.is_terminal:
            self._anomaly("fill_after_done", r)
            return
        if order.filled_qty + r.qty > order.qty or r.qty <= 0:
            self._anomaly("overfill", r)
            return
        self._engine.emit(OrderFilled(  # the base fields spelled out: a fill is the hottest report
            ts=self._engine.clock.now(), account=order.account, order_id=order.id, caused_by=f"venue:{r.venue}",
            fill_id=r.fill_id, symbol=order.symbol, side=order.side, qty=r.qty,
            price=r.price, commission=r.commission, currency=order.currency, liquidity=r.liquidity,
            venue=r.venue, venue_ts=r.ts,
        ))

    def _status(self, order: Order, r: OrderStatusReport) -> None:
        if order.status.is_terminal:
            return  # already done: a repeated or late status changes nothing
        base = self._base(order, r)
        if r.status is S.NEW:
            if order.status in (S.PENDING_NEW, S.PENDING_CANCEL) and order.accepted_at is None:
                self._engine.emit(OrderAccepted(**base, venue_order_id=r.venue_order_id or VenueOrderId(order.id)))
        elif r.status is S.CANCELED:
            if order.expiring:
                self._engine.emit(OrderExpired(**base, reason=order.reason))
            else:
                reason = r.reason or order.reason or "canceled by venue"
                self._engine.emit(OrderCanceled(**base, reason=reason))
        elif r.status is S.REJECTED:
            self._engine.emit(OrderRejected(**base, reason=r.reason or "rejected by venue"))
        elif r.status is S.EXPIRED:
            self._engine.emit(OrderExpired(**base, reason=r.reason or "expired at venue"))
        else:
            self._anomaly(f"status_{r.status}", r)

    def _replaced(self, order: Order, r: ReplaceReport) -> None:
        if order.status is not S.PENDING_REPLACE:
            self._anomaly("replace_not_pending", r)
            return
        reserve_qty, reserve_price = self._reservation_after_replace(order, r)
        self._engine.emit(OrderReplaced(
            **self._base(order, r), qty=r.qty, limit_price=r.limit_price, stop_price=r.stop_price, tif=r.tif,
            expire_at=r.expire_at, venue_order_id=r.venue_order_id, reserve_qty=reserve_qty,
            reserve_price=reserve_price,
        ))

    def _reservation_after_replace(self, order: Order, r: ReplaceReport) -> tuple[Decimal, Decimal]:
        held = self._engine.ledger.accounts[order.account].reservations.get(order.id)
        if held is None:
            return Decimal(0), Decimal(0)
        leaves = max(r.qty - order.filled_qty, Decimal(0))
        qty = leaves if order.side.sign > 0 else min(held.qty, leaves)
        return qty, r.limit_price or held.price

    def _cancel_rejected(self, order: Order, r: CancelRejectReport) -> None:
        if order.status not in (S.PENDING_CANCEL, S.PENDING_REPLACE):
            self._anomaly("cancel_reject_not_pending", r)
            return
        self._engine.emit(OrderCancelRejected(**self._base(order, r), response_to=r.response_to, reason=r.reason))

    def _anomaly(self, kind: str, report: Report) -> None:
        self.anomalies[kind] += 1
        log.warning("venue_report_refused", kind=kind, order_id=report.order_id, venue=report.venue,
                    report=type(report).__name__)
