"""The fake's market: one quote per symbol, against which working orders fill."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.fakes.alpaca.model import FakeOrder


@dataclass
class FakeQuote:
    """Best bid and ask with sizes (shares), as the data stream and latest-quote REST show them."""

    symbol: str
    bid: Decimal
    ask: Decimal
    bid_size: Decimal = Decimal(100)
    ask_size: Decimal = Decimal(100)
    ts: str = ""

    def to_wire(self) -> dict[str, Any]:
        """Return the quote in the data API's short keys (no ``T``/``S``), prices as Decimal."""
        return {"t": self.ts, "bx": "V", "bp": self.bid, "bs": self.bid_size, "ax": "V", "ap": self.ask,
                "as": self.ask_size, "c": ["R"], "z": "C"}


def triggered(order: FakeOrder, quote: FakeQuote) -> bool:
    """Return whether a stop order's trigger has been reached (others are always live)."""
    if order.stop_price is None or order.triggered:
        return True
    return quote.ask >= order.stop_price if order.side == "buy" else quote.bid <= order.stop_price


def executable(order: FakeOrder, quote: FakeQuote) -> tuple[Decimal, Decimal] | None:
    """Return (price, size available) at which ``order`` can trade now against ``quote``, or None."""
    if not triggered(order, quote):
        return None
    order.triggered = True
    price, size = (quote.ask, quote.ask_size) if order.side == "buy" else (quote.bid, quote.bid_size)
    if size <= 0:
        return None
    if order.limit_price is not None:
        if order.side == "buy" and price > order.limit_price:
            return None
        if order.side == "sell" and price < order.limit_price:
            return None
    return price, size
