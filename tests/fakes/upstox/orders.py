"""An order as the fake broker keeps it, and its wire form (order book, history, stream update)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tests.fakes.upstox.instruments import FakeInstrument
from tests.fakes.upstox.tokens import IST

TERMINAL = frozenset({"complete", "rejected", "cancelled", "cancelled after market order"})


def ist_text(moment: datetime) -> str:
    """Return a time as Upstox writes it: naive IST, "YYYY-MM-DD HH:MM:SS"."""
    return moment.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(slots=True)
class FakeOrder:
    """One order at the fake broker."""

    order_id: str
    instrument: FakeInstrument
    tag: str | None
    product: str
    order_type: str  # MARKET, LIMIT, SL, SL-M
    validity: str  # DAY, IOC
    transaction_type: str  # BUY, SELL
    quantity: int
    price: Decimal
    trigger_price: Decimal
    disclosed_quantity: int
    is_amo: bool
    placed_at: datetime
    status: str = "put order req received"
    status_message: str | None = None
    filled_quantity: int = 0
    average_price: Decimal = Decimal(0)
    order_request_id: int = 1
    exchange_order_id: str | None = None
    exchange_at: datetime | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pending_quantity(self) -> int:
        """Return the quantity still working (zero once the order is done)."""
        return 0 if self.status in TERMINAL else self.quantity - self.filled_quantity

    @property
    def terminal(self) -> bool:
        """Return whether the order can no longer change."""
        return self.status in TERMINAL

    def wire(self) -> dict[str, Any]:
        """Return the order as the order book, details and history endpoints show it."""
        return {
            "exchange": self.instrument.exchange, "product": self.product, "price": self.price,
            "quantity": self.quantity, "status": self.status, "guid": None, "tag": self.tag,
            "instrument_token": self.instrument.key, "placed_by": "FAKE01",
            "trading_symbol": self.instrument.symbol, "tradingsymbol": self.instrument.symbol,
            "order_type": self.order_type, "validity": self.validity, "trigger_price": self.trigger_price,
            "disclosed_quantity": self.disclosed_quantity, "transaction_type": self.transaction_type,
            "average_price": self.average_price, "filled_quantity": self.filled_quantity,
            "pending_quantity": self.pending_quantity, "status_message": self.status_message,
            "status_message_raw": self.status_message, "exchange_order_id": self.exchange_order_id,
            "parent_order_id": None, "order_id": self.order_id, "variety": "SIMPLE",
            "order_timestamp": ist_text(self.placed_at),
            "exchange_timestamp": ist_text(self.exchange_at) if self.exchange_at else None,
            "is_amo": self.is_amo, "order_request_id": str(self.order_request_id), "order_ref_id": None,
        }

    def update(self) -> dict[str, Any]:
        """Return the order as a portfolio stream order update (both casings of the user id and key)."""
        body = self.wire()
        body.update({"update_type": "order", "user_id": "FAKE01", "userId": "FAKE01",
                     "instrument_key": self.instrument.key})
        return body


@dataclass(frozen=True, slots=True)
class FakeTrade:
    """One execution of an order."""

    trade_id: str
    order: FakeOrder
    quantity: int
    price: Decimal
    at: datetime

    def wire(self) -> dict[str, Any]:
        """Return the trade as the trades endpoints show it."""
        o = self.order
        return {
            "exchange": o.instrument.exchange, "product": o.product, "tradingsymbol": o.instrument.symbol,
            "trading_symbol": o.instrument.symbol, "instrument_token": o.instrument.key,
            "order_type": o.order_type, "transaction_type": o.transaction_type, "quantity": self.quantity,
            "exchange_order_id": o.exchange_order_id, "order_id": o.order_id,
            "exchange_timestamp": ist_text(self.at), "average_price": self.price, "trade_id": self.trade_id,
            "order_ref_id": None, "order_timestamp": ist_text(o.placed_at),
        }
