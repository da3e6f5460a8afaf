"""One side of an L2 book, in whole units: a dict of sizes plus a sorted list of its prices.

Changing an existing level is O(1); adding or removing a level is a binary search and a move of the
pointers after it (a plain list with the C ``bisect``: for the hundreds of levels a book holds this beats a
balanced structure written in Python, and stays cheap at tens of thousands); the best price is an O(1)
read, kept both in units and as a Decimal because it is read on every update.
"""

from bisect import bisect_left, insort
from collections.abc import Iterator
from decimal import Decimal

from ordergate.domain.book_scale import Scale

Level = tuple[Decimal, Decimal]


class BookSide:
    """One side of an L2 book; reads take and give Decimals, the book writes whole units."""

    def __init__(self, is_bid: bool, scale: Scale) -> None:
        self.is_bid = is_bid
        self.scale = scale
        self.best_units = 0  # the best price in units; 0 when the side is empty (prices are above 0)
        self.top: Decimal | None = None  # the same price as a Decimal
        self._sizes: dict[int, int] = {}
        self._prices: list[int] = []  # ascending, on both sides

    def __len__(self) -> int:
        return len(self._sizes)

    def put(self, price: int, size: int, decimal: Decimal | None = None) -> None:
        """Set the size at a price (both in units); a size of zero removes the level.

        ``decimal`` is the price as a Decimal when the caller has it (else it is made when needed).
        """
        sizes = self._sizes
        if size:
            if price not in sizes:
                insort(self._prices, price)
                best = self.best_units
                if not best or (price > best if self.is_bid else price < best):
                    self.best_units = price
                    self.top = decimal if decimal is not None else self.scale.price(price)
            sizes[price] = size
        elif price in sizes:
            del sizes[price]
            prices = self._prices
            del prices[bisect_left(prices, price)]
            if price == self.best_units:
                if prices:
                    best = prices[-1] if self.is_bid else prices[0]
                    self.best_units = best
                    self.top = self.scale.price(best)
                else:
                    self.best_units = 0
                    self.top = None

    def adjust(self, price: int, delta: int) -> None:
        """Add ``delta`` units (may be negative) to the size at a price, removing the level at zero."""
        self.put(price, max(self._sizes.get(price, 0) + delta, 0))

    def units_at(self, price: int) -> int:
        """Return the size in units at a price in units (zero when there is no level)."""
        return self._sizes.get(price, 0)

    def rescale(self, price_factor: int, size_factor: int) -> None:
        """Multiply every price and size held by these factors (the book's scale widened)."""
        self._sizes = {p * price_factor: s * size_factor for p, s in self._sizes.items()}
        self._prices = [p * price_factor for p in self._prices]
        self.best_units *= price_factor

    def clear(self) -> None:
        """Remove every level."""
        self._sizes.clear()
        self._prices.clear()
        self.best_units = 0
        self.top = None

    # --- reads in Decimals ----------------------------------------------------------------------------

    def best(self) -> Decimal | None:
        """Return the best price (highest bid, lowest ask), or None when the side is empty."""
        return self.top

    def size_at(self, price: object) -> Decimal:
        """Return the size at a price (zero when there is no level)."""
        units = self.scale.known_price(price)
        return self.scale.size(self._sizes.get(units, 0)) if units > 0 else self.scale.size(0)

    def prices(self, n: int | None = None) -> Iterator[Decimal]:
        """Yield up to ``n`` prices (all when None), best first."""
        scale = self.scale
        for units in self._best_first(n):  # lazily: a reader often stops at the first level
            yield scale.price(units)

    def levels(self, n: int | None = None) -> list[Level]:
        """Return up to ``n`` (price, size) levels, best first."""
        scale, sizes = self.scale, self._sizes
        return [(scale.price(units), scale.size(sizes[units])) for units in self._best_first(n)]

    def total(self, n: int | None = None) -> Decimal:
        """Return the summed size of up to ``n`` best levels."""
        sizes = self._sizes
        return self.scale.size(sum([sizes[units] for units in self._best_first(n)]))

    def _best_first(self, n: int | None) -> list[int]:
        prices = self._prices
        count = len(prices) if n is None else min(max(n, 0), len(prices))
        if self.is_bid:
            return prices[len(prices) - count:][::-1]
        return prices[:count]
