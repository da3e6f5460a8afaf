"""Expiry of DAY and GTD orders: a heap of due times, fed by the ledger, drained by ExpireOrders ticks."""

import heapq
from datetime import datetime

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, TimeInForce
from ordergate.domain.events import Event, OrderPendingCancel, OrderReplaced, OrderSubmitted
from ordergate.domain.ids import OrderId
from ordergate.domain.order import Order
from ordergate.service.context import EngineContext
from ordergate.service.outcome import VenueAction
from ordergate.service.parents import ParentOrders
from ordergate.service.sessions import day_order_expiry


class ExpiryScheduler:
    """Know when each working order's time in force ends; cancel the ones that are due."""

    def __init__(self, ctx: EngineContext, parents: ParentOrders) -> None:
        self._ctx = ctx
        self._parents = parents
        self._heap: list[tuple[datetime, OrderId]] = []
        ctx.ledger.subscribe(self._schedule, (OrderSubmitted, OrderReplaced))
        ctx.ledger.after_replay(self._schedule_open_orders)

    def expire(self, cmd: cmds.ExpireOrders) -> list[OrderId]:
        """Ask the venue to cancel every order whose time in force ended by ``cmd.now``."""
        ctx, heap, expired = self._ctx, self._heap, []
        due = []
        while heap and heap[0][0] <= cmd.now:
            due.append(heapq.heappop(heap)[1])
        for order_id in due:
            order = ctx.ledger.orders.get(order_id)  # not in memory: it ended before today (domain/eviction.py)
            if order is None or order.status.is_terminal or order.status is OrderStatus.PENDING_CANCEL:
                continue
            expiry = self.expiry_of(order)
            if expiry is None or expiry > cmd.now:
                continue  # replaced to a later expiry (its new entry is in the heap) or to GTC
            reason = f"time in force {order.tif} ended"
            if order.is_parent:
                self._parents.cancel(order, reason, "expiry", expiry=True)
            else:
                ctx.emit(OrderPendingCancel(ts=cmd.now, account=order.account, order_id=order.id,
                                            caused_by="expiry", reason=reason, expiry=True))
                ctx.request(VenueAction.CANCEL, order)
            expired.append(order.id)
        return expired

    def expiry_of(self, order: Order) -> datetime | None:
        """Return when the order's time in force ends (None: it does not)."""
        if order.tif is TimeInForce.GTD:
            return order.expire_at
        if order.tif is TimeInForce.DAY:
            return day_order_expiry(self._ctx.instruments[order.symbol], order.created_at)
        return None

    def _schedule(self, event: Event, order: Order | None) -> None:
        if order is None or order.parent_id is not None or self._ctx.ledger.replaying:
            return  # a replay schedules the orders still open once it ends
        expiry = self.expiry_of(order)
        if expiry is not None:
            heapq.heappush(self._heap, (expiry, order.id))

    def _schedule_open_orders(self) -> None:
        for order in self._ctx.ledger.open_orders.values():
            expiry = self.expiry_of(order)
            if expiry is not None:
                self._heap.append((expiry, order.id))
        heapq.heapify(self._heap)
