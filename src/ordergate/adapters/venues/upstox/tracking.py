"""What the Upstox venue remembers of each of our orders: the Upstox order id, what it already reported."""

import asyncio
from dataclasses import dataclass, field
from decimal import Decimal

from ordergate.domain.ids import OrderId
from ordergate.service.ports import VenueOrder


@dataclass(slots=True)
class Tracked:
    """One of our orders at Upstox. Its ``tag`` there is our order id, so any update finds it."""

    order_id: OrderId
    order: VenueOrder | None = None  # None when first seen in an update (after a restart)
    upstox_id: str | None = None  # for a GTT: the order it placed once triggered
    gtt_id: str | None = None  # a GTC order held at Upstox as a GTT
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one request or update at a time, in order
    sent: bool = False  # a place was sent at least once (a later submit is a resend: ask before placing)
    accepted: bool = False
    done: bool = False
    filled: Decimal = Decimal(0)  # the highest cumulative filled quantity seen
    request_id: int = 0  # the highest order_request_id seen (modify counter)
    last_status: str = ""
    trade_ids: set[str] = field(default_factory=set)
    replacing: VenueOrder | None = None  # the terms of a modify in flight


class TrackedOrders:
    """Every order the venue has sent or heard of, by our order id and by Upstox's."""

    def __init__(self) -> None:
        self.by_order: dict[OrderId, Tracked] = {}
        self.by_upstox: dict[str, Tracked] = {}

    def get(self, order_id: OrderId) -> Tracked:
        """Return the record of an order, made on first sight."""
        tracked = self.by_order.get(order_id)
        if tracked is None:
            tracked = self.by_order[order_id] = Tracked(order_id)
        return tracked

    def link(self, tracked: Tracked, upstox_id: str) -> None:
        """Record the Upstox order id of one of our orders."""
        tracked.upstox_id = upstox_id
        self.by_upstox[upstox_id] = tracked
