"""An order book per instrument: L2 levels (price -> size) per side, optional L3 orders, sequenced updates.

Prices and sizes go in and come out as Decimals and are held as whole units of the book's ``Scale`` (see
``book_side.py`` for the structure). Updates carry feed sequence numbers: a gap or a crossed book sets
``needs_snapshot`` so the feed can ask for a fresh snapshot.

This module is compiled with mypyc when the package is built (``compiled.py``): every argument a caller
can get wrong is taken as ``object`` and checked here, so that a bad value gets the same ValidationFailed
compiled or not.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Final, cast

from ordergate.domain.book_scale import PricePoint, Scale, check_places, check_price, check_size
from ordergate.domain.book_side import BookSide, Level
from ordergate.domain.enums import Side
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.fixed import to_units

__all__ = ["BookSide", "Level", "OrderBook", "check_price", "check_size"]

_ZERO: Final = Decimal(0)
_BUY: Final = Side.BUY
_DECIMAL: Final = Decimal  # compiled, a Final name is a C static; ``Decimal`` itself is a module-dict lookup


class OrderBook:
    """The book of one instrument, fed by snapshots and sequenced incremental updates."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self._scale = Scale()
        self.bids = BookSide(True, self._scale)
        self.asks = BookSide(False, self._scale)
        self.seq: int | None = None  # the sequence number of the last update applied
        self.seen_seq: int | None = None  # after a gap: the newest one seen (not applied); else None
        self.ts: datetime | None = None
        self.needs_snapshot = False
        self.snapshot_reason: str | None = None
        self._gapped = False
        self._orders: dict[str, tuple[Side, int, int]] = {}  # L3: side, price and size in units

    # --- snapshots and L2 updates ---------------------------------------------------------------------

    def apply_snapshot(
        self, bids: Iterable[Level], asks: Iterable[Level], seq: object = None, ts: datetime | None = None,
    ) -> None:
        """Replace the whole book (L2 levels; clears L3 orders) and clear ``needs_snapshot``."""
        checked = [_checked_levels(bids, "bids"), _checked_levels(asks, "asks")]
        number = _check_seq(seq) if seq is not None else None
        self._widen(*_places(checked[0], "bids"), *_places(checked[1], "asks"))
        scale = self._scale
        emptied = self.bids.empty() + self.asks.empty()  # their points stay: the new levels are mostly the same
        for side, levels in ((self.bids, checked[0]), (self.asks, checked[1])):
            for price, size in levels:
                side.put(to_units(price, scale.price_places), to_units(size, scale.size_places), price)
        for point in emptied:
            scale.drop_if_unused(point)
        self._orders.clear()
        self.seq, self.seen_seq, self.ts = number, None, ts if ts is not None else self.ts
        self.needs_snapshot, self.snapshot_reason, self._gapped = False, None, False
        if self.crossed:
            self._flag("crossed")

    def update(self, side: object, price: object, size: object, seq: object = None,
               ts: datetime | None = None) -> bool:
        """Set the L2 size at a price (add or change; zero deletes). Return whether it was applied."""
        # The hot path: prices and sizes seen lately are one lookup each (only checked values are
        # remembered), and the next-in-sequence case is inline; anything else goes the slow way.
        point = self._price_point(price, "price")
        lots = self._size_units(size, "size")
        last, number = self.seq, seq  # ``number`` stays a Python object: stored back without re-boxing
        if type(seq) is int and last is not None and seq == last + 1 and not self._gapped:
            self.seq = cast("int | None", number)
            if ts is not None:
                self.ts = ts
        elif not self._in_sequence(seq, ts):
            return False
        # Only the level just set can cross the book, so one comparison against the other side suffices.
        if side is _BUY:
            self.bids.set(point, lots, cast(Decimal, price))
            ask = self.asks.best_units
            if lots and ask and point.units >= ask:
                self._flag("crossed")
        else:
            self.asks.set(point, lots, cast(Decimal, price))
            bid = self.bids.best_units
            if lots and bid and point.units <= bid:
                self._flag("crossed")
        return True

    def top(self) -> tuple[Decimal | None, Decimal | None]:
        """Return (best bid, best ask) in one read."""
        return self.bids.top, self.asks.top

    def delete(self, side: object, price: object, seq: object = None, ts: datetime | None = None) -> bool:
        """Remove an L2 level; deleting a level that is not there means data was lost. Return if applied."""
        check_price(price)
        if not self._in_sequence(seq, ts):
            return False
        book_side = self.bids if side is _BUY else self.asks
        units = self._scale.known_price(price)
        if units <= 0 or not book_side.units_at(units):
            self._flag("unknown level")
            return False
        book_side.put(units, 0)
        return True

    # --- L3: individual orders, aggregated into the L2 levels -------------------------------------------

    def add_order(self, order_id: object, side: Side, price: object, size: object, seq: object = None,
                  ts: datetime | None = None) -> bool:
        """Add one resting order (L3); its size joins the level at its price. Return whether applied."""
        key = _check_order_id(order_id)
        units = self._price_units(price, "price")
        lots = self._size_units(size, "size")
        if not self._in_sequence(seq, ts):
            return False
        if key in self._orders:
            self._flag("duplicate order")
            return False
        self._orders[key] = (side, units, lots)
        self._side(side).adjust(units, lots)
        if self.crossed:
            self._flag("crossed")
        return True

    def change_order(self, order_id: object, size: object, price: object = None, seq: object = None,
                     ts: datetime | None = None) -> bool:
        """Change a resting order's size (and price); zero size removes it. Return whether applied."""
        key = _check_order_id(order_id)
        lots = self._size_units(size, "size")
        units = self._price_units(price, "price") if price is not None else 0
        if not self._in_sequence(seq, ts):
            return False
        found = self._orders.get(key)
        if found is None:
            self._flag("unknown order")
            return False
        side, old_units, old_lots = found  # read after the conversions: at the scale they may have widened
        self._side(side).adjust(old_units, -old_lots)
        if not lots:
            del self._orders[key]
            return True
        new_units = units if units else old_units
        self._orders[key] = (side, new_units, lots)
        self._side(side).adjust(new_units, lots)
        if self.crossed:
            self._flag("crossed")
        return True

    def delete_order(self, order_id: object, seq: object = None, ts: datetime | None = None) -> bool:
        """Remove a resting order (L3). Return whether applied."""
        return self.change_order(order_id, _ZERO, seq=seq, ts=ts)

    def order(self, order_id: str) -> tuple[Side, Decimal, Decimal] | None:
        """Return (side, price, size) of a resting L3 order, or None."""
        found = self._orders.get(order_id)
        if found is None:
            return None
        return found[0], self._scale.price(found[1]), self._scale.size(found[2])

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
        bid, ask = self.bids.best_units, self.asks.best_units
        return bool(bid and ask and bid >= ask)

    def spread(self) -> Decimal | None:
        """Return best ask minus best bid, or None when a side is empty."""
        bid, ask = self.bids.top, self.asks.top
        return None if bid is None or ask is None else ask - bid

    def mid(self) -> Decimal | None:
        """Return the mid price, or None when a side is empty."""
        bid, ask = self.bids.top, self.asks.top
        return None if bid is None or ask is None else (bid + ask) / 2

    def depth(self, n: int | None = None) -> tuple[list[Level], list[Level]]:
        """Return up to ``n`` levels of (bids, asks), best first."""
        return self.bids.levels(n), self.asks.levels(n)

    def size_at(self, price: object, side: Side | None = None) -> Decimal:
        """Return the size resting at a price on one side, or on either side when ``side`` is None."""
        if side is not None:
            return self._side(side).size_at(price)
        return self.bids.size_at(price) or self.asks.size_at(price)

    def vwap_to_fill(self, side: Side, qty: object) -> Decimal | None:
        """Return the average price an order of ``side`` and ``qty`` would pay sweeping the book, or None."""
        wanted = check_size(qty, "qty")
        if not wanted:
            return None
        opposite = self.asks if side is _BUY else self.bids
        remaining, notional = wanted, _ZERO
        for price, size in opposite.levels():
            take = min(size, remaining)
            notional += take * price
            remaining -= take
            if not remaining:
                return notional / wanted
        return None

    def imbalance(self, n: int = 5) -> Decimal | None:
        """Return (bid size - ask size) / (bid size + ask size) over the top ``n`` levels, or None if empty."""
        bid, ask = self.bids.total(n), self.asks.total(n)
        total = bid + ask
        return None if not total else (bid - ask) / total

    # --- internals ------------------------------------------------------------------------------------

    def _side(self, side: object) -> BookSide:
        return self.bids if side is _BUY else self.asks

    def _price_units(self, price: object, field: str) -> int:
        """Return a price's units; check it (raising ValidationFailed) and widen the scale the first time."""
        return self._price_point(price, field).units

    def _price_point(self, price: object, field: str) -> PricePoint:
        """Return a price's point; check the price (raising ValidationFailed) and widen the scale the first time."""
        if type(price) is _DECIMAL:
            try:
                found = self._scale.prices.get(price)
            except TypeError:  # a signalling NaN cannot even be hashed: checked below
                found = None
            if found is not None:
                return found
        value = check_price(price, field)
        self._widen(check_places(value, field, "positive_decimal"), 0)
        return self._scale.remember_price(value, to_units(value, self._scale.price_places))

    def _size_units(self, size: object, field: str) -> int:
        """Return a size's units; check it (raising ValidationFailed) and widen the scale the first time."""
        if type(size) is _DECIMAL:
            if not size:  # any zero (0, -0, 0E-5) is a valid size of 0 units; deletes send a fresh one each time
                return 0
            try:
                found = self._scale.sizes.get(size)
            except TypeError:
                found = None
            if found is not None:
                return found
        value = check_size(size, field)
        self._widen(0, check_places(value, field, "non_negative_decimal"))
        units = to_units(value, self._scale.size_places)
        self._scale.remember_size(value, units)
        return units

    def _widen(self, price_places: int, size_places: int, more_price_places: int = 0,
               more_size_places: int = 0) -> None:
        """Make the scale hold at least these places, multiplying every price or size held."""
        scale = self._scale
        price_places, size_places = max(price_places, more_price_places), max(size_places, more_size_places)
        if price_places <= scale.price_places and size_places <= scale.size_places:
            return
        price_factor = 10 ** max(price_places - scale.price_places, 0)
        size_factor = 10 ** max(size_places - scale.size_places, 0)
        self.bids.rescale(price_factor)
        self.asks.rescale(price_factor)
        scale.rescale(price_factor, size_factor)
        self._orders = {k: (s, p * price_factor, q * size_factor) for k, (s, p, q) in self._orders.items()}
        if price_factor > 1:
            scale.price_places = price_places
            scale.forget_prices()
        if size_factor > 1:
            scale.size_places = size_places
            scale.sizes.clear()

    def _in_sequence(self, seq: object, ts: datetime | None) -> bool:
        """Accept the next update in order; ignore old ones; on a gap stop applying until a snapshot.

        ``seq`` stays the last applied number, so it always describes the book's contents; the numbers
        seen past a gap go to ``seen_seq``.
        """
        if seq is not None:
            number = _check_seq(seq)
            last = self.seq
            if last is not None and number != last + 1:
                if number <= last:
                    return False  # a duplicate or a late retransmission: already applied
                self._gapped = True
                self._flag("gap")
            if self._gapped:
                seen = self.seen_seq
                self.seen_seq = number if seen is None or number > seen else seen
                return False
            self.seq = number
        if self._gapped:
            return False
        if ts is not None:
            self.ts = ts
        return True

    def _flag(self, reason: str) -> None:
        if not self.needs_snapshot:
            self.needs_snapshot, self.snapshot_reason = True, reason


def _checked_levels(levels: Iterable[object], field: str) -> list[Level]:
    checked = []
    for i, level in enumerate(levels):
        if not isinstance(level, tuple) or len(level) != 2:
            raise ValidationFailed(f"{field}[{i}]", "level", "must be a (price, size) pair")
        checked.append((check_price(level[0], f"{field}[{i}].price"), check_size(level[1], f"{field}[{i}].size")))
    return checked


def _places(levels: list[Level], field: str) -> tuple[int, int]:
    """Return the most places any price and any size of these levels needs (checked: at most MAX_PLACES)."""
    prices = [check_places(p, f"{field}[{i}].price", "positive_decimal") for i, (p, _) in enumerate(levels)]
    sizes = [check_places(s, f"{field}[{i}].size", "non_negative_decimal") for i, (_, s) in enumerate(levels)]
    return max(prices, default=0), max(sizes, default=0)


def _check_seq(seq: object) -> int:
    if type(seq) is not int or seq < 0:
        raise ValidationFailed("seq", "non_negative_int", f"must be an integer of at least 0, got {seq!r}")
    return seq


def _check_order_id(order_id: object) -> str:
    if type(order_id) is not str or not order_id or len(order_id) > 64:
        raise ValidationFailed("order_id", "text", "must be 1 to 64 characters")
    return order_id
