"""Reading Upstox: its 17 order statuses in one literal table, orders, trades, positions, IST timestamps."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce

IST = ZoneInfo("Asia/Kolkata")
S = OrderStatus


class Phase(Enum):
    """What an Upstox status means for our order, beyond the plain status."""

    WAITING = "waiting"  # not yet at the exchange: nothing to report
    WORKING = "working"  # working at the exchange (new or partially filled by filled_quantity)
    CHANGING = "changing"  # a modify or cancel is under way
    MODIFIED = "modified"  # a modify was applied: new terms
    NOT_MODIFIED = "not_modified"  # a modify was refused: the order is back as it was
    NOT_CANCELLED = "not_cancelled"  # a cancel was refused: the order is back as it was
    DONE = "done"  # terminal


# Upstox status -> (our status, phase). Every one of the 17 documented statuses; an unknown string is
# treated as non-terminal (``WAITING``) and logged by the caller.
STATUSES: dict[str, tuple[OrderStatus, Phase]] = {
    "put order req received": (S.PENDING_NEW, Phase.WAITING),
    "validation pending": (S.PENDING_NEW, Phase.WAITING),
    "open pending": (S.PENDING_NEW, Phase.WAITING),
    "open": (S.NEW, Phase.WORKING),
    "trigger pending": (S.NEW, Phase.WORKING),
    "after market order req received": (S.NEW, Phase.WORKING),
    "modify validation pending": (S.PENDING_REPLACE, Phase.CHANGING),
    "modify pending": (S.PENDING_REPLACE, Phase.CHANGING),
    "modified": (S.NEW, Phase.MODIFIED),
    "modify after market order req received": (S.NEW, Phase.MODIFIED),
    "not modified": (S.NEW, Phase.NOT_MODIFIED),
    "cancel pending": (S.PENDING_CANCEL, Phase.CHANGING),
    "not cancelled": (S.NEW, Phase.NOT_CANCELLED),
    "cancelled": (S.CANCELED, Phase.DONE),
    "cancelled after market order": (S.CANCELED, Phase.DONE),
    "complete": (S.FILLED, Phase.DONE),
    "rejected": (S.REJECTED, Phase.DONE),
}

ORDER_TYPES = {OrderType.MARKET: "MARKET", OrderType.LIMIT: "LIMIT", OrderType.STOP: "SL-M",
               OrderType.STOP_LIMIT: "SL"}
TYPES_BACK = {v: k for k, v in ORDER_TYPES.items()}
VALIDITIES = {TimeInForce.DAY: "DAY", TimeInForce.IOC: "IOC"}


def ist_time(text: Any) -> datetime | None:
    """Return a naive IST "YYYY-MM-DD HH:MM:SS" as an aware UTC datetime (None when missing or unreadable)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=IST).astimezone(UTC)
    except ValueError:
        return None


def dec(value: Any) -> Decimal:
    """Return a JSON number (already Decimal or int) as Decimal; missing is zero."""
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class UpstoxOrder:
    """The fields of an Upstox order (book, details, history or stream update) the venue uses."""

    order_id: str
    tag: str | None
    instrument_key: str
    status: str
    side: Side
    order_type: str
    validity: str
    quantity: Decimal
    filled: Decimal
    average_price: Decimal
    price: Decimal
    trigger_price: Decimal
    order_request_id: int
    message: str
    ts: datetime | None

    @property
    def mapped(self) -> tuple[OrderStatus, Phase]:
        """Return our status and the phase (unknown statuses: pending, waiting)."""
        return STATUSES.get(self.status, (S.PENDING_NEW, Phase.WAITING))

    @property
    def known_status(self) -> bool:
        """Return whether the status is one of the 17 documented."""
        return self.status in STATUSES

    @property
    def avg_price(self) -> Decimal | None:
        """Return the average fill price, or None before any fill."""
        return self.average_price if self.filled > 0 else None


def order(raw: dict[str, Any]) -> UpstoxOrder:
    """Read one order object (raises KeyError/ValueError on a malformed one)."""
    return UpstoxOrder(
        order_id=str(raw["order_id"]), tag=raw.get("tag") or None,
        instrument_key=str(raw.get("instrument_token") or raw.get("instrument_key") or ""),
        status=str(raw.get("status") or "").strip().lower(),
        side=Side.BUY if raw.get("transaction_type") == "BUY" else Side.SELL,
        order_type=str(raw.get("order_type") or ""), validity=str(raw.get("validity") or ""),
        quantity=dec(raw.get("quantity")), filled=dec(raw.get("filled_quantity")),
        average_price=dec(raw.get("average_price")), price=dec(raw.get("price")),
        trigger_price=dec(raw.get("trigger_price")), order_request_id=int(raw.get("order_request_id") or 0),
        message=str(raw.get("status_message") or ""),
        ts=ist_time(raw.get("exchange_timestamp")) or ist_time(raw.get("order_timestamp")),
    )


@dataclass(frozen=True, slots=True)
class UpstoxTrade:
    """One execution from the trades endpoints."""

    trade_id: str
    order_id: str
    quantity: Decimal
    price: Decimal
    ts: datetime | None


def trade(raw: dict[str, Any]) -> UpstoxTrade:
    """Read one trade object."""
    return UpstoxTrade(trade_id=str(raw["trade_id"]), order_id=str(raw["order_id"]),
                       quantity=dec(raw.get("quantity")), price=dec(raw.get("average_price")),
                       ts=ist_time(raw.get("exchange_timestamp")))
