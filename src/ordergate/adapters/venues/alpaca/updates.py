"""Turn ``trade_updates`` events into our reports, as Alpaca states them (the engine judges the order).

``new`` acks (a replacement's ``new`` is not an ack: its ``replaced`` event reported the replace), fills are
executions (qty and price of that execution), ``canceled`` / ``expired`` / ``rejected`` end the order (a
rejected replacement is a rejected replace), ``replaced`` moves the chain to the replacement. Pending states
echo our own requests and carry nothing new. Unknown orders are left to reconciliation.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import structlog

from ordergate.adapters.venues.alpaca.orders import Tracked, TrackedOrders
from ordergate.adapters.venues.alpaca.parse import as_ours, decimal, fill_id, timestamp
from ordergate.adapters.venues.alpaca.refusals import venue_side_reason
from ordergate.domain.enums import OrderStatus, TimeInForce
from ordergate.domain.ids import VenueId, VenueOrderId
from ordergate.domain.reports import CancelRejectReport, FillReport, OrderStatusReport, ReplaceReport, Report

log = structlog.get_logger(__name__)
ENDINGS = {"canceled": OrderStatus.CANCELED, "expired": OrderStatus.EXPIRED, "rejected": OrderStatus.REJECTED}
ECHOES = frozenset({"pending_new", "pending_cancel", "pending_replace", "accepted", "done_for_day", "calculated",
                    "stopped", "suspended", "restated", "trade_bust"})


class UpdateReader:
    """Read one trade update at a time into reports for our orders."""

    def __init__(self, venue: VenueId, orders: TrackedOrders, now: Callable[[], datetime]) -> None:
        self.venue, self.orders, self.now = venue, orders, now
        self.unknown = 0  # events for orders we do not know (reconciliation picks them up)

    def read(self, data: dict[str, Any]) -> list[Report]:
        """Return the reports one ``trade_updates`` ``data`` object makes (often one, possibly none)."""
        event, order = data.get("event"), data.get("order")
        if not isinstance(order, dict) or "id" not in order:
            log.warning("alpaca_update_without_order", update_event=event)
            return []
        tracked = self.orders.find(order)
        if tracked is None:
            self.unknown += 1
            log.info("alpaca_update_unknown_order", update_event=event, alpaca_order_id=order.get("id"))
            return []
        ts = timestamp(data.get("timestamp"), self.now())
        if event in ("fill", "partial_fill"):
            return self._fill(tracked, order, data, ts)
        if event == "new":
            if order.get("replaces"):
                return self.replacement_known(tracked, str(order["replaces"]), order, ts)
            return [self._status(tracked, OrderStatus.NEW, order, ts)]
        if event == "replaced":
            return self.replaced(tracked, order, ts)
        if event in ("order_cancel_rejected", "order_replace_rejected"):
            return [CancelRejectReport(order_id=tracked.order.order_id, venue=self.venue, ts=ts,
                                       response_to="cancel" if event == "order_cancel_rejected" else "replace",
                                       reason=str(data.get("reason") or event))]
        if event in ENDINGS:
            return self._ending(tracked, order, ENDINGS[event], data, ts)
        if event not in ECHOES:
            log.warning("alpaca_unknown_event", update_event=event)
        return []

    def replacement_known(self, tracked: Tracked, old_id: str, new: dict[str, Any], ts: datetime) -> list[Report]:
        """Record the replacement of ``old_id`` (from the PATCH answer or its ``new`` event); complete a
        replace whose ``replaced`` event came first."""
        tracked.replacements.setdefault(old_id, new)
        self.orders.alias(tracked, str(new["id"]))
        early = tracked.replaced_early.pop(old_id, None)
        return self.replaced(tracked, early, ts) if early is not None else []

    def replaced(self, tracked: Tracked, old: dict[str, Any], ts: datetime) -> list[Report]:
        """Apply a ``replaced`` old order: its fills become prior, its replacement the live link."""
        old_id = str(old["id"])
        if old_id in tracked.replaced:
            return []
        new = tracked.replacements.get(old_id)
        if new is None:
            tracked.replaced_early[old_id] = old  # completed when the replacement is known
            return []
        tracked.replaced.add(old_id)
        tracked.prior_filled += decimal(old.get("filled_qty")) or Decimal(0)
        self.orders.link(tracked, str(new["id"]))
        asked = tracked.asked or tracked.order
        tracked.asked = None
        qty = tracked.prior_filled + (decimal(new.get("qty")) or Decimal(0))
        tif = TimeInForce(new["time_in_force"]) if new.get("time_in_force") in set(TimeInForce) else asked.tif
        tracked.order = asked
        return [ReplaceReport(order_id=tracked.order.order_id, venue=self.venue, ts=ts,
                              venue_order_id=VenueOrderId(str(new["id"])), qty=qty,
                              limit_price=as_ours(asked.limit_price, decimal(new.get("limit_price"))),
                              stop_price=as_ours(asked.stop_price, decimal(new.get("stop_price"))),
                              tif=tif, expire_at=asked.expire_at)]

    def _fill(self, tracked: Tracked, order: dict[str, Any], data: dict[str, Any], ts: datetime) -> list[Report]:
        qty, price, cum = decimal(data.get("qty")), decimal(data.get("price")), decimal(order.get("filled_qty"))
        if qty is None or price is None or cum is None or qty <= 0:
            log.warning("alpaca_fill_unreadable", alpaca_order_id=order.get("id"))
            return []
        return [FillReport(order_id=tracked.order.order_id, venue=self.venue, ts=ts,
                           fill_id=fill_id(str(order["id"]), cum), qty=qty, price=price)]

    def _ending(self, tracked: Tracked, order: dict[str, Any], status: OrderStatus, data: dict[str, Any],
                ts: datetime) -> list[Report]:
        if status is OrderStatus.REJECTED and order.get("replaces") and str(order["id"]) != tracked.current:
            return [CancelRejectReport(order_id=tracked.order.order_id, venue=self.venue, ts=ts,
                                       response_to="replace", reason=str(data.get("reason") or "replace rejected"))]
        if str(order["id"]) != tracked.current:
            return []  # an old link of the chain (or a replacement not live yet): the order lives on
        reason = str(data.get("reason") or "")
        venue_fault = status is OrderStatus.REJECTED and venue_side_reason(reason)
        return [self._status(tracked, status, order, ts, reason, venue_fault)]

    def _status(self, tracked: Tracked, status: OrderStatus, order: dict[str, Any], ts: datetime,
                reason: str = "", venue_fault: bool = False) -> OrderStatusReport:
        filled = decimal(order.get("filled_qty")) or Decimal(0)
        return OrderStatusReport(
            order_id=tracked.order.order_id, venue=self.venue, ts=ts, status=status,
            venue_order_id=VenueOrderId(str(order["id"])), reason=reason, venue_fault=venue_fault,
            filled_qty=tracked.prior_filled + filled, avg_price=decimal(order.get("filled_avg_price")),
        )
