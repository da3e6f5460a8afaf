"""The fake's records: orders as Alpaca shows them, positions, fills (account activities)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tests.fakes.alpaca.wire import dec, new_id, now_ts, parse_time

# The statuses at which an order can no longer change (``replaced`` too: its successor carries on).
TERMINAL = frozenset({"filled", "canceled", "expired", "rejected", "replaced"})
# Alpaca refuses a replace while the order is in one of these.
NOT_REPLACEABLE = frozenset({"accepted", "pending_new", "pending_cancel", "pending_replace"})
ASSET_IDS: dict[str, str] = {}
ACCOUNT_ID = "4b7a4f68-5e1f-4c43-9d40-6f2b3b1a9c11"


def asset_id(symbol: str) -> str:
    """Return the (stable, made up) asset id of a symbol."""
    return ASSET_IDS.setdefault(symbol, new_id())


@dataclass
class FakeOrder:
    """One order at the fake, with Alpaca's fields (numbers kept as Decimal, written as strings)."""

    symbol: str
    side: str
    type: str
    time_in_force: str
    qty: Decimal
    client_order_id: str
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    extended_hours: bool = False
    id: str = field(default_factory=new_id)
    status: str = "accepted"
    filled_qty: Decimal = Decimal(0)
    filled_notional: Decimal = Decimal(0)
    created_at: str = field(default_factory=now_ts)
    updated_at: str = field(default_factory=now_ts)
    filled_at: str | None = None
    canceled_at: str | None = None
    expired_at: str | None = None
    failed_at: str | None = None
    replaced_at: str | None = None
    replaced_by: str | None = None
    replaces: str | None = None
    triggered: bool = False

    @property
    def leaves(self) -> Decimal:
        """Return the quantity still to fill."""
        return self.qty - self.filled_qty

    @property
    def avg_price(self) -> Decimal | None:
        """Return the average fill price, or None before the first fill."""
        if not self.filled_qty:
            return None
        return (self.filled_notional / self.filled_qty).quantize(Decimal("0.0001")).normalize()

    def touch(self, status: str) -> None:
        """Move to ``status`` now."""
        self.status = status
        self.updated_at = now_ts()

    def to_json(self, *, stream: bool = False) -> dict[str, Any]:
        """Return the order as Alpaca's REST answers and stream events carry it."""
        return {
            "id": self.id, "client_order_id": self.client_order_id,
            "created_at": self.created_at, "updated_at": self.updated_at, "submitted_at": self.created_at,
            "filled_at": self.filled_at, "expired_at": self.expired_at, "canceled_at": self.canceled_at,
            "failed_at": self.failed_at, "replaced_at": self.replaced_at, "replaced_by": self.replaced_by,
            "replaces": self.replaces, "asset_id": asset_id(self.symbol), "symbol": self.symbol,
            "asset_class": "us_equity", "notional": None, "qty": dec(self.qty), "filled_qty": dec(self.filled_qty),
            "filled_avg_price": dec(self.avg_price), "order_class": "" if stream else "simple",
            "order_type": self.type, "type": self.type, "side": self.side, "position_intent": None,
            "time_in_force": self.time_in_force, "limit_price": dec(self.limit_price),
            "stop_price": dec(self.stop_price), "status": self.status, "extended_hours": self.extended_hours,
            "legs": None, "trail_percent": None, "trail_price": None, "hwm": None, "expires_at": None,
        }


@dataclass
class FakePosition:
    """A net position in one symbol, from the fake's fills."""

    symbol: str
    qty: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)  # signed cost basis of the open quantity

    def apply(self, side: str, qty: Decimal, price: Decimal) -> None:
        """Apply one execution (average cost; closing trades release cost at the average)."""
        signed = qty if side == "buy" else -qty
        if self.qty == 0 or (self.qty > 0) == (signed > 0):
            self.cost += signed * price
        else:
            closing = min(abs(signed), abs(self.qty))
            avg = self.cost / self.qty
            self.cost -= (closing if self.qty > 0 else -closing) * avg
            rest = abs(signed) - closing
            if rest:
                self.cost = (rest if signed > 0 else -rest) * price
        self.qty += signed
        if self.qty == 0:
            self.cost = Decimal(0)

    def to_json(self, price: Decimal | None) -> dict[str, Any]:
        """Return the position as ``GET /v2/positions`` lists it."""
        avg = (self.cost / self.qty).quantize(Decimal("0.0001")) if self.qty else Decimal(0)
        current = price if price is not None else avg
        market_value = self.qty * current
        return {
            "asset_id": asset_id(self.symbol), "symbol": self.symbol, "exchange": "NASDAQ",
            "asset_class": "us_equity", "asset_marginable": True, "avg_entry_price": dec(avg),
            "qty": dec(self.qty), "qty_available": dec(self.qty), "side": "long" if self.qty > 0 else "short",
            "market_value": dec(market_value), "cost_basis": dec(self.cost),
            "unrealized_pl": dec(market_value - self.cost), "unrealized_plpc": "0",
            "unrealized_intraday_pl": dec(market_value - self.cost), "unrealized_intraday_plpc": "0",
            "current_price": dec(current), "lastday_price": dec(current), "change_today": "0",
        }


@dataclass
class FakeFill:
    """One execution, as ``GET /v2/account/activities/FILL`` lists it."""

    execution_id: str
    order: FakeOrder
    qty: Decimal
    price: Decimal
    cum_qty: Decimal
    ts: str

    @property
    def at(self) -> datetime:
        """Return the execution time as a datetime (parsed once: activity queries compare it often)."""
        cached = self.__dict__.get("_at")
        if cached is None:
            cached = self.__dict__["_at"] = parse_time(self.ts)
        return cached

    @property
    def activity_id(self) -> str:
        """Return the activity id as Alpaca forms it: a compact timestamp, ``::``, a UUID."""
        stamp = self.ts[:23].replace("-", "").replace(":", "").replace("T", "").replace(".", "")
        return f"{stamp}::{self.execution_id}"

    def to_activity(self) -> dict[str, Any]:
        """Return the FILL activity."""
        return {
            "id": self.activity_id,
            "account_id": ACCOUNT_ID, "activity_type": "FILL", "transaction_time": self.ts,
            "type": "fill" if self.cum_qty == self.order.qty else "partial_fill",
            "price": dec(self.price), "qty": dec(self.qty), "side": self.order.side, "symbol": self.order.symbol,
            "leaves_qty": dec(self.order.qty - self.cum_qty), "order_id": self.order.id,
            "cum_qty": dec(self.cum_qty), "order_status": "filled" if self.cum_qty == self.order.qty
            else "partially_filled",
        }
