"""Reports: what a venue says happened (broker truth), before the engine turns it into events."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ordergate.domain.enums import Liquidity, OrderStatus, TimeInForce
from ordergate.domain.ids import FillId, OrderId, VenueId, VenueOrderId


@dataclass(slots=True, kw_only=True)
class Report:
    """Base of every venue report."""

    order_id: OrderId
    venue: VenueId
    ts: datetime


@dataclass(slots=True, kw_only=True)
class OrderStatusReport(Report):
    """The venue's word on an order's state: new (ack), partially filled, filled, canceled, rejected or expired."""

    status: OrderStatus
    venue_order_id: VenueOrderId | None = None
    reason: str = ""
    # The venue's cumulative filled quantity and its average price, when it says (a broker's order status
    # does; an exchange ack may not). Ahead of the fills we have, it yields an inferred fill.
    filled_qty: Decimal | None = None
    avg_price: Decimal | None = None
    # a refusal for a reason of the venue's own (down, not ready, throttled, out of service), not the order's
    # terms: the router may send the order on to another venue
    venue_fault: bool = False


@dataclass(slots=True, kw_only=True)
class FillReport(Report):
    """One execution at the venue, identified by a fill id unique at that venue."""

    fill_id: FillId
    qty: Decimal
    price: Decimal
    commission: Decimal = Decimal(0)
    liquidity: Liquidity = Liquidity.TAKER


@dataclass(slots=True, kw_only=True)
class ReplaceReport(Report):
    """The venue applied a cancel-replace with these terms."""

    venue_order_id: VenueOrderId
    qty: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    tif: TimeInForce
    expire_at: datetime | None


@dataclass(slots=True, kw_only=True)
class CancelRejectReport(Report):
    """The venue refused a cancel or replace request (FIX 35=9)."""

    response_to: str  # "cancel" or "replace"
    reason: str


@dataclass(slots=True, kw_only=True)
class TriggerReport(Report):
    """A stop order was triggered at the venue."""

    trigger_price: Decimal


@dataclass(slots=True, kw_only=True)
class ConnectionReport:
    """A venue's session to the broker came up (``connected``) or went down: a cue to reconcile."""

    venue: VenueId
    ts: datetime
    connected: bool
    reason: str = ""
