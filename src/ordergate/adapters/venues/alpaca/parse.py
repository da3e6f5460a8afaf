"""Reading Alpaca: its order statuses (one literal table), decimal strings, RFC 3339 times, and writing our
orders as its POST / PATCH bodies. Pure functions: no I/O."""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog

from ordergate.domain.enums import OrderStatus, OrderType, TimeInForce
from ordergate.domain.ids import FillId, VenueOrderId

log = structlog.get_logger(__name__)
S = OrderStatus

# Every status Alpaca documents (and the SDK's extra ones), and ours. ``replaced`` maps to None: the order
# lives on in its replacement (the chain is followed instead). Working statuses map to NEW and read as
# PARTIALLY_FILLED when something has filled (see ``our_status``).
STATUS_TABLE: dict[str, OrderStatus | None] = {
    "new": S.NEW,
    "partially_filled": S.PARTIALLY_FILLED,
    "filled": S.FILLED,
    "done_for_day": S.NEW,  # no more fills today; still working on later days (GTC)
    "canceled": S.CANCELED,
    "expired": S.EXPIRED,
    "replaced": None,
    "pending_cancel": S.PENDING_CANCEL,
    "pending_replace": S.PENDING_REPLACE,
    "accepted": S.PENDING_NEW,  # received, not yet routed (what a POST answers out of market hours)
    "pending_new": S.PENDING_NEW,
    "accepted_for_bidding": S.PENDING_NEW,
    "pending_review": S.PENDING_NEW,
    "held": S.PENDING_NEW,  # a bracket / OTO leg waiting for its parent
    "stopped": S.NEW,  # a fill is guaranteed but has not happened yet
    "suspended": S.NEW,  # not eligible for trading now; not over either
    "calculated": S.NEW,  # done for the day, settlement being calculated; fills tell how much filled
    "rejected": S.REJECTED,
}
TERMINAL_AT_ALPACA = frozenset({"filled", "canceled", "expired", "rejected", "replaced"})

ORDER_TYPES: dict[OrderType, str] = {
    OrderType.MARKET: "market", OrderType.LIMIT: "limit", OrderType.STOP: "stop",
    OrderType.STOP_LIMIT: "stop_limit",
}
TIME_IN_FORCE: dict[TimeInForce, str] = {
    TimeInForce.DAY: "day", TimeInForce.GTC: "gtc", TimeInForce.IOC: "ioc", TimeInForce.FOK: "fok",
}


def our_status(alpaca_status: str, filled_qty: Decimal) -> OrderStatus | None:
    """Return our status for an Alpaca status; an unknown one is logged and read as working (non-terminal)."""
    if alpaca_status not in STATUS_TABLE:
        log.warning("alpaca_unknown_status", status=alpaca_status)
        status: OrderStatus | None = S.NEW
    else:
        status = STATUS_TABLE[alpaca_status]
    if status is S.NEW and filled_qty > 0:
        return S.PARTIALLY_FILLED
    return status


def decimal(value: Any) -> Decimal | None:
    """Read a decimal string (or number); None when absent or not a finite number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def timestamp(value: Any, default: datetime) -> datetime:
    """Read an RFC 3339 time (nanoseconds cut to microseconds), or return ``default``."""
    if not isinstance(value, str) or not value:
        return default
    text = value.strip().replace("Z", "+00:00")
    if "." in text:
        head, tail = text.split(".", 1)
        digits = len(tail) - len(tail.lstrip("0123456789"))
        text = f"{head}.{tail[:min(digits, 6)].ljust(6, '0')}{tail[digits:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def fill_id(alpaca_order_id: str, cum_qty: Decimal) -> FillId:
    """Return the id of the execution that brought an Alpaca order to ``cum_qty`` filled.

    The stream's ``execution_id`` and the FILL activity's ``id`` are not documented to be the same, so a fill
    is named by what both carry: the Alpaca order id and the cumulative quantity after it. A fill seen on the
    stream and again in the activities (reconciliation) is then recognised as one.
    """
    return FillId(f"{alpaca_order_id}:{format(cum_qty.normalize(), 'f')}")


def venue_order_id(order: dict[str, Any]) -> VenueOrderId:
    """Return an Alpaca order's id."""
    return VenueOrderId(str(order["id"]))


def qty_text(qty: Decimal) -> str:
    """Return a quantity or price as Alpaca's decimal string."""
    return format(qty.normalize(), "f")


def as_ours(ours: Decimal | None, theirs: Decimal | None) -> Decimal | None:
    """Return Alpaca's value, written as ours when they are equal (Alpaca drops trailing zeros: 91.00 -> 91)."""
    return ours if ours is not None and theirs is not None and ours == theirs else theirs
