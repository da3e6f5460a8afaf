"""Turning what Upstox says of an order (a stream update or a fetched snapshot) into reports, truthfully.

Fills come from the trades endpoint, by trade id, before the status that mentions them; the status carries
Upstox's cumulative filled quantity and average price (when the trades cannot be had, the engine infers the
fill from them). Duplicate and stale updates (reordered, an older order_request_id, less filled) change
nothing.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import structlog

from ordergate.adapters.venues.upstox.http import UpstoxApiError, UpstoxHttp, UpstoxLost
from ordergate.adapters.venues.upstox.parse import TYPES_BACK, Phase, UpstoxOrder, trade
from ordergate.adapters.venues.upstox.tracking import Tracked
from ordergate.domain.enums import OrderStatus, OrderType, TimeInForce
from ordergate.domain.ids import FillId, VenueId, VenueOrderId
from ordergate.domain.reports import (
    CancelRejectReport,
    FillReport,
    OrderStatusReport,
    ReplaceReport,
    Report,
    TriggerReport,
)

log = structlog.get_logger(__name__)
S = OrderStatus


def _as_asked(said: Decimal | None, asked: Decimal | None) -> Decimal | None:
    """Return the price we asked for when Upstox says the same number (1255.0 is 1255.00 on our grid)."""
    return asked if said is not None and asked is not None and said == asked else said


class UpdateApplier:
    """Apply Upstox order states to tracked orders, emitting reports."""

    def __init__(self, venue: VenueId, http: UpstoxHttp, emit: Callable[[Report], None],
                 now: Callable[[], datetime]) -> None:
        self.venue = venue
        self.http = http
        self.emit = emit
        self.now = now
        self.stale = 0  # updates dropped as duplicate or out of order (metrics)

    async def apply(self, tracked: Tracked, uo: UpstoxOrder) -> None:
        """Report what ``uo`` adds to what was reported of ``tracked`` (call holding ``tracked.lock``)."""
        if not uo.known_status:
            log.warning("upstox_unknown_status", status=uo.status, order_id=tracked.order_id)
        if self._stale(tracked, uo):
            self.stale += 1
            return
        if uo.filled > tracked.filled:
            await self.fills(tracked)
            tracked.filled = uo.filled
        previous, tracked.last_status = tracked.last_status, uo.status
        tracked.request_id = max(tracked.request_id, uo.order_request_id)
        status, phase = uo.mapped
        if phase is Phase.WORKING:
            self._working(tracked, uo, previous)
        elif phase is Phase.MODIFIED:
            self._modified(tracked, uo)
        elif phase in (Phase.NOT_MODIFIED, Phase.NOT_CANCELLED):
            response_to = "replace" if phase is Phase.NOT_MODIFIED else "cancel"
            tracked.replacing = None
            self.emit(CancelRejectReport(order_id=tracked.order_id, venue=self.venue, ts=self.now(),
                                         response_to=response_to, reason=uo.message or f"upstox: {uo.status}"))
        elif phase is Phase.DONE:
            tracked.done = True
            self.emit(self._status(tracked, uo, status, uo.message))

    def _stale(self, tracked: Tracked, uo: UpstoxOrder) -> bool:
        if tracked.done:
            return uo.filled <= tracked.filled  # only a late fill still matters
        if uo.order_request_id < tracked.request_id or uo.filled < tracked.filled:
            return True  # older than what was already applied
        return uo.status == tracked.last_status and uo.filled == tracked.filled and \
            uo.order_request_id == tracked.request_id  # the same update again

    def _working(self, tracked: Tracked, uo: UpstoxOrder, previous: str) -> None:
        if previous == "trigger pending" and uo.status == "open":
            self.emit(TriggerReport(order_id=tracked.order_id, venue=self.venue, ts=self.now(),
                                    trigger_price=uo.trigger_price))
        status = S.PARTIALLY_FILLED if uo.filled > 0 else S.NEW
        if not tracked.accepted or status is S.PARTIALLY_FILLED:
            tracked.accepted = True
            self.emit(self._status(tracked, uo, status, ""))

    def _modified(self, tracked: Tracked, uo: UpstoxOrder) -> None:
        asked, tracked.replacing = tracked.replacing, None
        kind = TYPES_BACK.get(uo.order_type, OrderType.LIMIT)
        limit = uo.price if kind.needs_limit_price else None
        stop = uo.trigger_price if kind.needs_stop_price else None
        self.emit(ReplaceReport(
            order_id=tracked.order_id, venue=self.venue, ts=self.now(), venue_order_id=VenueOrderId(uo.order_id),
            qty=uo.quantity, limit_price=_as_asked(limit, asked.limit_price if asked else None),
            stop_price=_as_asked(stop, asked.stop_price if asked else None),
            tif=TimeInForce.IOC if uo.validity == "IOC" else TimeInForce.DAY,
            expire_at=asked.expire_at if asked is not None else None,
        ))

    def _status(self, tracked: Tracked, uo: UpstoxOrder, status: OrderStatus, reason: str) -> OrderStatusReport:
        return OrderStatusReport(order_id=tracked.order_id, venue=self.venue, ts=self.now(), status=status,
                                 venue_order_id=VenueOrderId(uo.order_id), reason=reason,
                                 filled_qty=uo.filled, avg_price=uo.avg_price)

    async def fills(self, tracked: Tracked) -> list[FillReport]:
        """Emit (and return) the fills of an order not reported yet, from the trades endpoint."""
        if tracked.upstox_id is None:
            return []
        try:
            rows = await self.http.call("GET", "/v2/order/trades", params={"order_id": tracked.upstox_id})
        except (UpstoxApiError, UpstoxLost, PermissionError) as e:
            log.warning("upstox_trades_unavailable", order_id=tracked.order_id, error=str(e))
            return []  # the status still carries the cumulative quantity: the engine infers the fill
        out = []
        for raw in rows or []:
            t = trade(raw)
            if t.trade_id in tracked.trade_ids or t.quantity <= 0:
                continue
            tracked.trade_ids.add(t.trade_id)
            out.append(FillReport(order_id=tracked.order_id, venue=self.venue, ts=t.ts or self.now(),
                                  fill_id=FillId(t.trade_id), qty=t.quantity, price=t.price))
        for fill in out:
            self.emit(fill)
        return out
