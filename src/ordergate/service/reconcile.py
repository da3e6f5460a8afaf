"""Start-up reconciliation: make every venue agree with the orders the journal says are working.

An order is recorded before it is sent, so after a crash some orders may never have reached their
venue, and the built-in paper exchange forgets its book when the process stops. For every open order
the venue is asked for its status; an order the venue does not know is sent again (the paper venue
takes the remaining quantity), a pending cancel or replace is asked again.
"""

import asyncio
from collections.abc import Mapping

import structlog

from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import VenueId
from ordergate.service.engine import OrderEngine, snapshot
from ordergate.service.ports import Venue, VenueOrder

log = structlog.get_logger(__name__)


def reconcile_open_orders(engine: OrderEngine, venues: Mapping[VenueId, Venue]) -> asyncio.Task[int]:
    """Start reconciling every open order in the background; the task returns how many were re-sent."""
    return asyncio.create_task(_reconcile(engine, venues))


async def _reconcile(engine: OrderEngine, venues: Mapping[VenueId, Venue]) -> int:
    resent = 0
    for order in list(engine.ledger.open_orders.values()):
        venue = venues.get(order.venue)
        if venue is None:
            log.error("reconcile_unknown_venue", order_id=order.id, venue=order.venue)
            continue
        sent = snapshot(order)
        if await venue.status(sent):
            continue
        venue.submit(sent)
        resent += 1
        if order.status is OrderStatus.PENDING_CANCEL:
            venue.cancel(sent)
        elif order.status is OrderStatus.PENDING_REPLACE and order.pending_replace is not None:
            venue.replace(sent, _replacement(sent, order.pending_replace))
    if resent:
        log.info("reconciled_open_orders", resent=resent)
    return resent


def _replacement(sent: VenueOrder, terms: object) -> VenueOrder:
    new = VenueOrder(**{slot: getattr(sent, slot) for slot in VenueOrder.__slots__})
    for name in ("qty", "limit_price", "stop_price", "tif", "expire_at"):
        setattr(new, name, getattr(terms, name))
    return new
