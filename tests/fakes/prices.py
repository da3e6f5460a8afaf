"""A PriceSource whose prices the test sets."""

from datetime import UTC, datetime
from decimal import Decimal

from ordergate.domain.ids import Symbol
from ordergate.service.ports import Quote


class FixedPrices:
    """Reference prices set by hand; a symbol with no price has no quote."""

    def __init__(self, prices: dict[str, Decimal] | None = None) -> None:
        self.prices: dict[str, Decimal] = dict(prices or {})
        self.stale: set[str] = set()

    def set(self, symbol: str, price: Decimal) -> None:
        """Set the reference price of a symbol."""
        self.prices[symbol] = price

    def quote(self, symbol: Symbol) -> Quote | None:
        """Return a one-tick-wide quote around the reference price, or None."""
        price = self.prices.get(symbol)
        if price is None:
            return None
        return Quote(symbol, price, Decimal(100), price, Decimal(100), datetime.now(UTC))

    def reference_price(self, symbol: Symbol) -> Decimal | None:
        """Return the price set for the symbol, or None."""
        return self.prices.get(symbol)

    def is_stale(self, symbol: Symbol, now: datetime | None = None) -> bool:
        """Return whether the test marked the symbol stale."""
        return symbol in self.stale
