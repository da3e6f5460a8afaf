"""Turning venue reports (broker truth) into order events.

The venue's executions are what happened, whatever order its reports arrive in:
- a fill is identified by (venue, venue fill id); the same fill again changes nothing, and the same id on
  another order is refused and counted as an anomaly;
- a fill after the order ended (canceled, expired, rejected) is applied all the same and flagged ``late``;
- a fill during a pending replace is applied up to the larger of the old and new quantities;
- a status whose cumulative filled quantity runs ahead of our fills books the difference as an ``inferred``
  fill at the venue's average price; the venue's own fills for that quantity, when they come, are recorded
  against it (OrderFillConfirmed) and never booked twice;
- an ack that arrives after a fill still records the venue's order id.
What cannot be applied (an overfill, a report for an unknown order) is refused, logged and counted.
"""

from collections import Counter
from decimal import Decimal
from typing import Any

import structlog

from ordergate.domain.enums import Liquidity, OrderStatus
from ordergate.domain.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderFillConfirmed,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
    OrderTriggered,
)
from ordergate.domain.ids import FillId, VenueOrderId
from ordergate.domain.order import Order
from ordergate.domain.reports import (
    CancelRejectReport,
    FillReport,
    OrderStatusReport,
    ReplaceReport,
    Report,
    TriggerReport,
)
from ordergate.service.context import EngineContext
from ordergate.service.ports import PriceSource
from ordergate.service.replace_hold import hold_for_terms
from ordergate.service.risk_gate import RiskGate

log = structlog.get_logger(__name__)
S = OrderStatus
ZERO = Decimal(0)
# module constants: an attribute lookup on an Enum class costs ~45 ns, and these run per report
_NEW, _PARTIALLY_FILLED, _REJECTED = S.NEW, S.PARTIALLY_FILLED, S.REJECTED
_STILL_WORKING = frozenset({_NEW, _PARTIALLY_FILLED})


class ReportHandler:
    """Apply venue reports to orders through events."""

    def __init__(self, ctx: EngineContext, risk: RiskGate, prices: PriceSource) -> None:
        self._ctx = ctx
        self._risk = risk
        self._prices = prices
        self.anomalies: Counter[str] = Counter()
        self.flagged: Counter[str] = Counter()  # late and inferred fills: applied, and worth knowing about

    def handle(self, report: Report) -> None:
        """Turn one report into zero or more events."""
        order = self._ctx.ledger.find(report.order_id)  # one that left memory comes back
        if order is None:
            self._anomaly("unknown_order", report)
            return
        if order.venue != report.venue or order.is_parent:  # a parent is never at a venue: its children are
            self._anomaly("wrong_venue", report)
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
            self._ctx.emit(OrderTriggered(**self._base(order, report), trigger_price=report.trigger_price))

    def _base(self, order: Order, report: Report) -> dict[str, Any]:
        return {"ts": self._ctx.clock.now(), "account": order.account, "order_id": order.id,
                "caused_by": f"venue:{report.venue}"}

    # -- fills --------------------------------------------------------------------------------------------

    def _fill(self, order: Order, r: FillReport) -> None:
        owner = self._ctx.ledger.fill_owner(r.venue, r.fill_id)
        if owner is not None:
            if owner != order.id:
                self._anomaly("fill_id_reused", r)
            return  # the same fill again: idempotent
        qty = r.qty
        if qty <= 0 or r.price <= 0:
            self._anomaly("bad_fill", r)
            return
        if order.inferred_qty:
            self._fill_after_inferred(order, r)
            return
        if order.filled_qty + qty > order.qty and order.filled_qty + qty > order.fillable_qty:
            self._anomaly("overfill", r)
            return
        if order.status.is_terminal:
            self._book(order, r, r.fill_id, qty, r.price, inferred=False)
            return
        self._ctx.emit(OrderFilled(  # the usual fill, spelled out: it is the hottest report
            ts=self._ctx.clock.now(), account=order.account, order_id=order.id, caused_by=f"venue:{r.venue}",
            fill_id=r.fill_id, symbol=order.symbol, side=order.side, qty=qty, price=r.price,
            commission=r.commission, currency=order.currency, liquidity=r.liquidity, venue=r.venue, venue_ts=r.ts,
        ))

    def _fill_after_inferred(self, order: Order, r: FillReport) -> None:
        """Record a venue fill against inferred quantity first; book only what goes beyond it."""
        confirming = min(r.qty, order.inferred_qty)
        booked = r.qty - confirming
        if order.filled_qty + booked > order.fillable_qty:
            self._anomaly("overfill", r)
            return
        if booked:
            self._book(order, r, r.fill_id, booked, r.price, inferred=False)
        self._ctx.emit(OrderFillConfirmed(**self._base(order, r), fill_id=r.fill_id, venue=r.venue,
                                          qty=confirming, price=r.price))

    def _book(self, order: Order, r: Report, fill_id: FillId, qty: Decimal, price: Decimal, inferred: bool) -> None:
        late = order.status.is_terminal
        if late or inferred:
            kind = "late_fill" if late else "inferred_fill"
            self.flagged[kind] += 1
            log.warning(kind, order_id=order.id, venue=r.venue, fill_id=fill_id, qty=str(qty), status=order.status)
        # an inferred fill has no commission nor liquidity of its own: taker is the conservative guess
        commission = r.commission if isinstance(r, FillReport) else ZERO
        liquidity = r.liquidity if isinstance(r, FillReport) else Liquidity.TAKER
        self._ctx.emit(OrderFilled(  # the base fields spelled out: a fill is the hottest report
            ts=self._ctx.clock.now(), account=order.account, order_id=order.id, caused_by=f"venue:{r.venue}",
            fill_id=fill_id, symbol=order.symbol, side=order.side, qty=qty, price=price, commission=commission,
            currency=order.currency, liquidity=liquidity, venue=r.venue, venue_ts=r.ts, late=late, inferred=inferred,
        ))

    def _infer_fills(self, order: Order, r: OrderStatusReport) -> None:
        """Book what the venue says is filled beyond our fills, at its average price."""
        if r.filled_qty is None or r.filled_qty <= order.filled_qty:
            return
        qty = r.filled_qty - order.filled_qty
        price = _implied_price(order, r, qty)
        if price is None:
            self._anomaly("inferred_fill_without_price", r)
            return
        if r.filled_qty > order.fillable_qty:
            self._anomaly("overfill", r)
            return
        fill_id = FillId(f"inferred:{order.id}:{self._ctx.ledger.last_seq + 1}")
        self._book(order, r, fill_id, qty, price, inferred=True)

    # -- order status ---------------------------------------------------------------------------------------

    def _status(self, order: Order, r: OrderStatusReport) -> None:
        if r.filled_qty is not None:
            self._infer_fills(order, r)
        status = r.status
        if order.accepted_at is None and status is not _REJECTED:
            venue_order_id = r.venue_order_id
            if venue_order_id is None and status is _NEW:
                venue_order_id = VenueOrderId(order.id)
            if venue_order_id is not None:
                self._ctx.emit(OrderAccepted(  # the base fields spelled out: every order's ack comes here
                    ts=self._ctx.clock.now(), account=order.account, order_id=order.id, caused_by=f"venue:{r.venue}",
                    venue_order_id=venue_order_id))
        if status in _STILL_WORKING or order.status.is_terminal:
            return  # still working, or done already (a repeated or late status changes nothing more)
        base = self._base(order, r)
        if r.status is S.CANCELED:
            if order.expiring:
                self._ctx.emit(OrderExpired(**base, reason=order.reason))
            else:
                self._ctx.emit(OrderCanceled(**base, reason=r.reason or order.reason or "canceled by venue"))
        elif r.status is S.REJECTED:
            self._ctx.emit(OrderRejected(**base, reason=r.reason or "rejected by venue",
                                         venue_fault=r.venue_fault))
        elif r.status is S.EXPIRED:
            self._ctx.emit(OrderExpired(**base, reason=r.reason or "expired at venue"))
        elif r.status is S.FILLED:
            self._anomaly("filled_without_fills", r)  # the fills are missing: reconciliation asks for them
        else:
            self._anomaly(f"status_{r.status}", r)

    # -- replaces and refused changes ---------------------------------------------------------------------

    def _replaced(self, order: Order, r: ReplaceReport) -> None:
        if order.status.is_terminal and r.venue_order_id != order.venue_order_id:
            # the order ended before the confirm arrived: keep the venue's new order id, nothing else
            self._ctx.emit(OrderReplaced(
                **self._base(order, r), qty=order.qty, limit_price=order.limit_price, stop_price=order.stop_price,
                tif=order.tif, expire_at=order.expire_at, venue_order_id=r.venue_order_id,
            ))
            return
        if order.pending_replace is None or order.status not in (S.PENDING_REPLACE, S.PENDING_CANCEL):
            self._anomaly("replace_not_pending", r)
            return
        hold_qty, hold_price = (ZERO, ZERO) if order.parent_id is not None else hold_for_terms(  # a child holds
            self._risk, order, r.qty, r.limit_price, r.stop_price, self._prices.reference_price(order.symbol))
        self._ctx.emit(OrderReplaced(
            **self._base(order, r), qty=r.qty, limit_price=r.limit_price, stop_price=r.stop_price, tif=r.tif,
            expire_at=r.expire_at, venue_order_id=r.venue_order_id, reserve_qty=hold_qty, reserve_price=hold_price,
        ))

    def _cancel_rejected(self, order: Order, r: CancelRejectReport) -> None:
        replace = r.response_to == "replace"
        pending = order.pending_replace is not None if replace else order.status is S.PENDING_CANCEL
        if not pending:
            self._anomaly("cancel_reject_not_pending", r)
            return
        qty: Decimal | None = None
        price: Decimal | None = None
        if replace and order.parent_id is None:  # back to the old terms' hold (a child holds nothing)
            qty, price = hold_for_terms(self._risk, order, order.qty, order.limit_price, order.stop_price,
                                        self._prices.reference_price(order.symbol))
        self._ctx.emit(OrderCancelRejected(**self._base(order, r), response_to=r.response_to, reason=r.reason,
                                           reserve_qty=qty, reserve_price=price))

    def _anomaly(self, kind: str, report: Report) -> None:
        self.anomalies[kind] += 1
        log.warning("venue_report_refused", kind=kind, order_id=report.order_id, venue=report.venue,
                    report=type(report).__name__)


PRICE_PLACES = Decimal("1e-8")


def _implied_price(order: Order, r: OrderStatusReport, qty: Decimal) -> Decimal | None:
    """Return the price of the fills we lack: what the venue's average over all fills leaves for them.

    With the venue's exact average, the inferred notional then equals the missing fills' notional, so cash
    ends equal to the venue's whatever prices the real fills carry. A venue with no average gets the
    order's limit price (or nothing: the fill is not inferred).
    """
    if r.avg_price is None or r.avg_price <= 0 or r.filled_qty is None:
        return order.limit_price
    implied = (r.avg_price * r.filled_qty - order.filled_notional) / qty
    if implied <= 0:
        return r.avg_price  # a rounded average that does not cover our fills: the average is the best guess
    return implied if implied == implied.quantize(PRICE_PLACES) else implied.quantize(PRICE_PLACES)
