"""ReconcileOrder: apply what a venue says of one order, then re-send what it has not got.

One message, so the venue's answer and the decision it leads to are applied together: the reports go
through the ReportHandler (fills first, late or inferred as they must be); if the order is then still
waiting on the venue, the request it waits on is sent again, a bounded number of times in one pending
episode, and after that the order is escalated (an event, a log line and a metric), never left silently.
"""

from dataclasses import dataclass

import structlog

from ordergate.domain.commands import ReconcileOrder
from ordergate.domain.enums import OrderStatus
from ordergate.domain.events import OrderEscalated, OrderRequestResent
from ordergate.domain.order import Order
from ordergate.service.context import EngineContext, snapshot
from ordergate.service.outcome import VenueAction
from ordergate.service.report_handler import ReportHandler

log = structlog.get_logger(__name__)
S = OrderStatus


@dataclass(slots=True)
class ReconcileResult:
    """What reconciling one order did: events applied from the venue's answer, what was re-sent, alerts."""

    applied: int = 0
    resent: str | None = None
    escalated: bool = False
    unknown_at_venue: bool = False


class OrderReconciler:
    """Handle ReconcileOrder."""

    def __init__(self, ctx: EngineContext, reports: ReportHandler) -> None:
        self._ctx = ctx
        self._reports = reports

    def handle(self, cmd: ReconcileOrder) -> ReconcileResult:
        """Apply the venue's reports, then re-send the request the order still waits on (or escalate)."""
        ctx = self._ctx
        order = ctx.order(cmd.order_id)
        outcome = ctx.outcome
        before = len(outcome.events)
        for report in cmd.reports:
            self._reports.handle(report)
        result = ReconcileResult(applied=len(outcome.events) - before, unknown_at_venue=not cmd.known)
        request = _waiting_on(order, cmd.known)
        if request is None:
            return result
        if order.resends >= cmd.max_resends:
            if not order.escalated:
                self._escalate(order, request)
                result.escalated = True
            return result
        ctx.emit(OrderRequestResent(ts=ctx.clock.now(), account=order.account, order_id=order.id,
                                    caused_by="reconciliation", request=request, attempt=order.resends + 1))
        self._resend(order, request)
        result.resent = request
        return result

    def _resend(self, order: Order, request: str) -> None:
        ctx = self._ctx
        if request == "submit":
            ctx.request(VenueAction.SUBMIT, order)
        if order.status is S.PENDING_CANCEL:
            ctx.request(VenueAction.CANCEL, order)
        elif order.status is S.PENDING_REPLACE and order.pending_replace is not None:
            terms = order.pending_replace
            new = snapshot(order)
            new.qty, new.limit_price, new.stop_price, new.tif, new.expire_at = (
                terms.qty, terms.limit_price, terms.stop_price, terms.tif, terms.expire_at)
            ctx.request(VenueAction.REPLACE, order, new)

    def _escalate(self, order: Order, request: str) -> None:
        ctx = self._ctx
        reason = f"no answer to {request} after {order.resends} re-sends; check the order at {order.venue}"
        log.error("order_escalated", order_id=order.id, venue=order.venue, request=request, status=order.status)
        ctx.emit(OrderEscalated(ts=ctx.clock.now(), account=order.account, order_id=order.id,
                                caused_by="reconciliation", request=request, attempts=order.resends, reason=reason))


def _waiting_on(order: Order, known: bool) -> str | None:
    """Return the request an open order waits on the venue for (None: it waits on nothing, or is done)."""
    if order.status.is_terminal:
        return None
    if not known:
        return "submit"  # the venue never got it (or lost it): send it again, then what was asked since
    if order.status is S.PENDING_CANCEL:
        return "cancel"
    if order.status is S.PENDING_REPLACE:
        return "replace"
    return None
