"""One side of an L2 book, in whole units: the sorted list of its prices; the sizes are on the price points.

The sizes live on the book's ``PricePoint``s (``book_scale.py``), one per price, so that changing an existing
level is a store on the point the book found with the price. Adding or removing a level is a binary search
and a move of the pointers after it (a plain sorted list: for the hundreds of levels a book holds this
beats a balanced structure, and stays cheap at tens of thousands; the search is a loop of our own, which
compiled costs less than calling ``bisect``); the best price is an O(1) read, kept both in units and as a
Decimal because it is read on every update.
"""

from bisect import bisect_left
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Final, final

from ordergate.domain.book_scale import PricePoint, Scale

if TYPE_CHECKING:  # mypyc's native 64-bit int; only in annotations of locals, which Python never evaluates
    from mypy_extensions import i64

Level = tuple[Decimal, Decimal]
# Compiled, the binary search of ``_index`` beats calling ``bisect``; as pure Python, the C ``bisect`` wins.
_COMPILED: Final = not __file__.endswith(".py")


@final
class BookSide:
    """One side of an L2 book; reads take and give Decimals, the book writes whole units."""

    def __init__(self, is_bid: bool, scale: Scale) -> None:
        self.is_bid = is_bid
        self.scale = scale
        self.best_units = 0  # the best price in units; 0 when the side is empty (prices are above 0)
        self.top: Decimal | None = None  # the same price as a Decimal
        self._prices: list[int] = []  # the prices with a level, ascending, on both sides

    def __len__(self) -> int:
        return len(self._prices)

    def put(self, price: int, size: int, decimal: Decimal | None = None) -> None:
        """Set the size at a price (both in units); a size of zero removes the level.

        ``decimal`` is the price as a Decimal when the caller has it (else it is made when needed).
        """
        scale = self.scale
        point = scale.points.get(price)
        if point is None:
            if not size:
                return
            point = scale.point(price)
        self.set(point, size, decimal)

    def set(self, point: PricePoint, size: int, decimal: Decimal | None = None) -> None:
        """Set the size at a price's point (in units); a size of zero removes the level."""
        if self.is_bid:
            old = point.bid
            point.bid = size
        else:
            old = point.ask
            point.ask = size
        if size:
            if not old:
                self._add(point.units, decimal)
        elif old:
            self._remove(point.units)
            self.scale.drop_if_unused(point)

    def _add(self, price: int, decimal: Decimal | None) -> None:
        prices = self._prices
        prices.insert(_index(prices, price) if _COMPILED else bisect_left(prices, price), price)
        best = self.best_units
        if not best or (price > best if self.is_bid else price < best):
            self.best_units = price
            self.top = decimal if decimal is not None else self.scale.price(price)

    def _remove(self, price: int) -> None:
        prices = self._prices
        prices.pop(_index(prices, price) if _COMPILED else bisect_left(prices, price))
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
        self.put(price, max(self.units_at(price) + delta, 0))

    def units_at(self, price: int) -> int:
        """Return the size in units at a price in units (zero when there is no level)."""
        point = self.scale.points.get(price)
        return 0 if point is None else self._size(point)

    def rescale(self, price_factor: int) -> None:
        """Multiply every price held by this factor (the book's scale widened; the points hold the sizes)."""
        self._prices = [p * price_factor for p in self._prices]
        self.best_units *= price_factor

    def clear(self) -> None:
        """Remove every level."""
        scale = self.scale
        for point in self.empty():
            scale.drop_if_unused(point)

    def empty(self) -> list[PricePoint]:
        """Remove every level, keeping the points (returned): for a snapshot about to set most of them again.

        The caller drops those left unused afterwards (``Scale.drop_if_unused``).
        """
        points, is_bid = self.scale.points, self.is_bid
        emptied = [points[units] for units in self._prices]
        for point in emptied:
            if is_bid:
                point.bid = 0
            else:
                point.ask = 0
        self._prices.clear()
        self.best_units = 0
        self.top = None
        return emptied

    # --- reads in Decimals ----------------------------------------------------------------------------

    def best(self) -> Decimal | None:
        """Return the best price (highest bid, lowest ask), or None when the side is empty."""
        return self.top

    def size_at(self, price: object) -> Decimal:
        """Return the size at a price (zero when there is no level)."""
        units = self.scale.known_price(price)
        return self.scale.size(self.units_at(units) if units > 0 else 0)

    def prices(self, n: int | None = None) -> Iterator[Decimal]:
        """Yield up to ``n`` prices (all when None), best first."""
        scale = self.scale
        for units in self._best_first(n):  # lazily: a reader often stops at the first level
            yield scale.price(units)

    def levels(self, n: int | None = None) -> list[Level]:
        """Return up to ``n`` (price, size) levels, best first."""
        scale, points = self.scale, self.scale.points
        return [(scale.price(units), scale.size(self._size(points[units]))) for units in self._best_first(n)]

    def total(self, n: int | None = None) -> Decimal:
        """Return the summed size of up to ``n`` best levels."""
        points = self.scale.points
        return self.scale.size(sum([self._size(points[units]) for units in self._best_first(n)]))

    def _size(self, point: PricePoint) -> int:
        return point.bid if self.is_bid else point.ask

    def _best_first(self, n: int | None) -> list[int]:
        prices = self._prices
        count = len(prices) if n is None else min(max(n, 0), len(prices))
        if self.is_bid:
            return prices[len(prices) - count:][::-1]
        return prices[:count]


def _index(prices: list[int], price: int) -> int:
    """Return where ``price`` is or goes in the ascending ``prices`` (before any equal one): a binary search."""
    low: i64 = 0
    high: i64 = len(prices)
    while low < high:
        middle: i64 = (low + high) // 2
        if prices[middle] < price:
            low = middle + 1
        else:
            high = middle
    return low
