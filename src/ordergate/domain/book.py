"""An order book per instrument: L2 levels (price -> size) per side, optional L3 orders, sequenced updates.

Each side keeps a dict of sizes plus a sorted list of its prices, so changing an existing level is O(1),
adding or removing a level is a binary search and a move of the pointers after it (a plain list with the C
``bisect``: for the hundreds of levels a book holds this beats a balanced structure written in Python, and
stays cheap at tens of thousands), and the best price is an O(1) read. Updates carry feed sequence
numbers: a gap or a crossed book sets ``needs_snapshot`` so the feed can ask for a fresh snapshot.
"""

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation

from ordergate.domain.enums import Side
from ordergate.domain.errors import ValidationFailed

Level = tuple[Decimal, Decimal]
_ZERO = Decimal(0)
_LIMIT = Decimal("1e15")  # above any real price or size; also keeps Infinity out


def check_price(price: object, field: str = "price") -> Decimal:
    """Return ``price`` if it is a finite Decimal above zero, else raise ValidationFailed naming ``field``."""
    if type(price) is not Decimal or not price.is_finite() or not _ZERO < price < _LIMIT:
        raise ValidationFailed(field, "positive_decimal", f"must be a decimal above 0 and below 1e15, got {price!r}")
    return price


def check_size(size: object, field: str = "size") -> Decimal:
    """Return ``size`` if it is a finite Decimal of at least zero, else raise ValidationFailed naming ``field``."""
    if type(size) is not Decimal or not size.is_finite() or not _ZERO <= size < _LIMIT:
        raise ValidationFailed(field, "non_negative_decimal", f"must be a decimal from 0 to below 1e15, got {size!r}")
    return size


class BookSide:
    """One side of an L2 book."""

    __slots__ = ("_prices", "_sizes", "is_bid", "top")

    def __init__(self, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.top: Decimal | None = None  # the best price, cached because it is read on every update
        self._sizes: dict[Decimal, Decimal] = {}
        self._prices: list[Decimal] = []  # ascending, on both sides

    def __len__(self) -> int:
        return len(self._sizes)

    def set(self, price: Decimal, size: Decimal) -> None:
        """Set the size at a price; a size of zero removes the level."""
        sizes = self._sizes
        if size:
            if price not in sizes:
                insort(self._prices, price)
                top = self.top
                if top is None or (price > top if self.is_bid else price < top):
                    self.top = price
            sizes[price] = size
        elif sizes.pop(price, None) is not None:
            prices = self._prices
            del prices[bisect_left(prices, price)]
            if price == self.top:
                self.top = (prices[-1] if self.is_bid else prices[0]) if prices else None

    def adjust(self, price: Decimal, delta: Decimal) -> None:
        """Add ``delta`` (may be negative) to the size at a price, removing the level when it reaches zero."""
        self.set(price, max(self._sizes.get(price, _ZERO) + delta, _ZERO))

    def clear(self) -> None:
        """Remove every level."""
        self._sizes.clear()
        self._prices.clear()
        self.top = None

    def best(self) -> Decimal | None:
        """Return the best price (highest bid, lowest ask), or None when the side is empty."""
        return self.top

    def size_at(self, price: Decimal) -> Decimal:
        """Return the size at a price (zero when there is no level)."""
        return self._sizes.get(price, _ZERO)

    def prices(self, n: int | None = None) -> Iterator[Decimal]:
        """Yield up to ``n`` prices (all when None), best first."""
        count = len(self._prices) if n is None else min(max(n, 0), len(self._prices))
        prices = self._prices
        if self.is_bid:
            return reversed(prices[len(prices) - count:])
        return iter(prices[:count])

    def levels(self, n: int | None = None) -> list[Level]:
        """Return up to ``n`` (price, size) levels, best first."""
        sizes = self._sizes
        return [(p, sizes[p]) for p in self.prices(n)]

    def total(self, n: int | None = None) -> Decimal:
        """Return the summed size of up to ``n`` best levels."""
        sizes = self._sizes
        return sum((sizes[p] for p in self.prices(n)), _ZERO)


class OrderBook:
    """The book of one instrument, fed by snapshots and sequenced incremental updates."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bids = BookSide(is_bid=True)
        self.asks = BookSide(is_bid=False)
        self.seq: int | None = None  # the sequence number of the last update applied
        self.seen_seq: int | None = None  # after a gap: the newest one seen (not applied); else None
        self.ts: datetime | None = None
        self.needs_snapshot = False
        self.snapshot_reason: str | None = None
        self._gapped = False
        self._orders: dict[str, tuple[Side, Decimal, Decimal]] = {}

    # --- snapshots and L2 updates ---------------------------------------------------------------------

    def apply_snapshot(
        self, bids: Iterable[Level], asks: Iterable[Level], seq: int | None = None, ts: datetime | None = None,
    ) -> None:
        """Replace the whole book (L2 levels; clears L3 orders) and clear ``needs_snapshot``."""
        checked = [_checked_levels(bids, "bids"), _checked_levels(asks, "asks")]
        _check_seq(seq)
        for side, levels in zip((self.bids, self.asks), checked, strict=True):
            side.clear()
            for price, size in levels:
                side.set(price, size)
        self._orders.clear()
        self.seq, self.seen_seq, self.ts = seq, None, ts if ts is not None else self.ts
        self.needs_snapshot, self.snapshot_reason, self._gapped = False, None, False
        if self.crossed:
            self._flag("crossed")

    def update(self, side: Side, price: Decimal, size: Decimal, seq: int | None = None,
               ts: datetime | None = None) -> bool:
        """Set the L2 size at a price (add or change; zero deletes). Return whether it was applied."""
        # The hot path: one combined check, and the next-in-sequence case inline; anything else goes the
        # slow way, which also produces the precise error.
        try:
            valid = (type(price) is Decimal and type(size) is Decimal
                     and _ZERO < price < _LIMIT and _ZERO <= size < _LIMIT)
        except InvalidOperation:  # NaN
            valid = False
        if not valid:
            check_price(price)
            check_size(size)
        last = self.seq
        if type(seq) is int and last is not None and seq == last + 1 and not self._gapped:
            self.seq = last + 1
            if ts is not None:
                self.ts = ts
        elif not self._in_sequence(seq, ts):
            return False
        # Only the level just set can cross the book, so one comparison against the other side suffices.
        if side is Side.BUY:
            self.bids.set(price, size)
            ask = self.asks.top
            if size and ask is not None and price >= ask:
                self._flag("crossed")
        else:
            self.asks.set(price, size)
            bid = self.bids.top
            if size and bid is not None and price <= bid:
                self._flag("crossed")
        return True

    def top(self) -> tuple[Decimal | None, Decimal | None]:
        """Return (best bid, best ask) in one read."""
        return self.bids.top, self.asks.top

    def delete(self, side: Side, price: Decimal, seq: int | None = None, ts: datetime | None = None) -> bool:
        """Remove an L2 level; deleting a level that is not there means data was lost. Return if applied."""
        check_price(price)
        if not self._in_sequence(seq, ts):
            return False
        book_side = self.bids if side is Side.BUY else self.asks
        if not book_side.size_at(price):
            self._flag("unknown level")
            return False
        book_side.set(price, _ZERO)
        return True

    # --- L3: individual orders, aggregated into the L2 levels -------------------------------------------

    def add_order(self, order_id: str, side: Side, price: Decimal, size: Decimal, seq: int | None = None,
                  ts: datetime | None = None) -> bool:
        """Add one resting order (L3); its size joins the level at its price. Return whether applied."""
        _check_order_id(order_id)
        check_price(price)
        check_size(size)
        if not self._in_sequence(seq, ts):
            return False
        if order_id in self._orders:
            self._flag("duplicate order")
            return False
        self._orders[order_id] = (side, price, size)
        self._side(side).adjust(price, size)
        if self.crossed:
            self._flag("crossed")
        return True

    def change_order(self, order_id: str, size: Decimal, price: Decimal | None = None, seq: int | None = None,
                     ts: datetime | None = None) -> bool:
        """Change a resting order's size (and price); zero size removes it. Return whether applied."""
        _check_order_id(order_id)
        check_size(size)
        if price is not None:
            check_price(price)
        if not self._in_sequence(seq, ts):
            return False
        found = self._orders.get(order_id)
        if found is None:
            self._flag("unknown order")
            return False
        side, old_price, old_size = found
        self._side(side).adjust(old_price, -old_size)
        if not size:
            del self._orders[order_id]
            return True
        new_price = old_price if price is None else price
        self._orders[order_id] = (side, new_price, size)
        self._side(side).adjust(new_price, size)
        if self.crossed:
            self._flag("crossed")
        return True

    def delete_order(self, order_id: str, seq: int | None = None, ts: datetime | None = None) -> bool:
        """Remove a resting order (L3). Return whether applied."""
        return self.change_order(order_id, _ZERO, seq=seq, ts=ts)

    def order(self, order_id: str) -> tuple[Side, Decimal, Decimal] | None:
        """Return (side, price, size) of a resting L3 order, or None."""
        return self._orders.get(order_id)

    # --- reads ----------------------------------------------------------------------------------------

    def best_bid(self) -> Decimal | None:
        """Return the highest bid price or None."""
        return self.bids.top

    def best_ask(self) -> Decimal | None:
        """Return the lowest ask price or None."""
        return self.asks.top

    @property
    def crossed(self) -> bool:
        """Return whether the best bid is at or above the best ask."""
        bid, ask = self.bids.best(), self.asks.best()
        return bid is not None and ask is not None and bid >= ask

    def spread(self) -> Decimal | None:
        """Return best ask minus best bid, or None when a side is empty."""
        bid, ask = self.bids.best(), self.asks.best()
        return None if bid is None or ask is None else ask - bid

    def mid(self) -> Decimal | None:
        """Return the mid price, or None when a side is empty."""
        bid, ask = self.bids.best(), self.asks.best()
        return None if bid is None or ask is None else (bid + ask) / 2

    def depth(self, n: int | None = None) -> tuple[list[Level], list[Level]]:
        """Return up to ``n`` levels of (bids, asks), best first."""
        return self.bids.levels(n), self.asks.levels(n)

    def size_at(self, price: Decimal, side: Side | None = None) -> Decimal:
        """Return the size resting at a price on one side, or on either side when ``side`` is None."""
        if side is not None:
            return self._side(side).size_at(price)
        return self.bids.size_at(price) or self.asks.size_at(price)

    def vwap_to_fill(self, side: Side, qty: Decimal) -> Decimal | None:
        """Return the average price an order of ``side`` and ``qty`` would pay sweeping the book, or None."""
        check_size(qty, "qty")
        if not qty:
            return None
        opposite = self.asks if side is Side.BUY else self.bids
        remaining, notional = qty, _ZERO
        for price, size in opposite.levels():
            take = min(size, remaining)
            notional += take * price
            remaining -= take
            if not remaining:
                return notional / qty
        return None

    def imbalance(self, n: int = 5) -> Decimal | None:
        """Return (bid size - ask size) / (bid size + ask size) over the top ``n`` levels, or None if empty."""
        bid, ask = self.bids.total(n), self.asks.total(n)
        total = bid + ask
        return None if not total else (bid - ask) / total

    # --- internals ------------------------------------------------------------------------------------

    def _side(self, side: Side) -> BookSide:
        return self.bids if side is Side.BUY else self.asks

    def _in_sequence(self, seq: int | None, ts: datetime | None) -> bool:
        """Accept the next update in order; ignore old ones; on a gap stop applying until a snapshot.

        ``seq`` stays the last applied number, so it always describes the book's contents; the numbers
        seen past a gap go to ``seen_seq``.
        """
        if seq is not None:
            _check_seq(seq)
            last = self.seq
            if last is not None and seq != last + 1:
                if seq <= last:
                    return False  # a duplicate or a late retransmission: already applied
                self._gapped = True
                self._flag("gap")
            if self._gapped:
                seen = self.seen_seq
                self.seen_seq = seq if seen is None or seq > seen else seen
                return False
            self.seq = seq
        if self._gapped:
            return False
        if ts is not None:
            self.ts = ts
        return True

    def _flag(self, reason: str) -> None:
        if not self.needs_snapshot:
            self.needs_snapshot, self.snapshot_reason = True, reason


def _checked_levels(levels: Iterable[Level], field: str) -> list[Level]:
    checked = []
    for i, level in enumerate(levels):
        if not isinstance(level, tuple) or len(level) != 2:
            raise ValidationFailed(f"{field}[{i}]", "level", "must be a (price, size) pair")
        checked.append((check_price(level[0], f"{field}[{i}].price"), check_size(level[1], f"{field}[{i}].size")))
    return checked


def _check_seq(seq: object) -> None:
    if seq is not None and (type(seq) is not int or seq < 0):
        raise ValidationFailed("seq", "non_negative_int", f"must be an integer of at least 0, got {seq!r}")


def _check_order_id(order_id: object) -> None:
    if type(order_id) is not str or not order_id or len(order_id) > 64:
        raise ValidationFailed("order_id", "text", "must be 1 to 64 characters")
