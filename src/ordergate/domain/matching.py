"""Price-time priority matching for one instrument: limit, market, IOC, FOK and stop orders, in Decimal.

Pure and synchronous: the paper venue feeds it orders and turns what it returns (fills, triggers and
canceled remainders) into venue reports. Each price level is a FIFO queue; a canceled order is only
marked dead and dropped when it reaches the head, so cancels cost O(1) plus the level lookup.
"""

from collections import deque
from decimal import Decimal
from itertools import islice

from sortedcontainers import SortedDict, SortedList

from ordergate.domain.enums import Side, TimeInForce
from ordergate.domain.errors import OrderStateConflict, ValidationFailed

ZERO = Decimal(0)
BUY, SELL = Side.BUY, Side.SELL
IOC, FOK = TimeInForce.IOC, TimeInForce.FOK


class BookOrder:
    """An order as the book sees it. ``price`` None is a market order; ``stop`` set means held."""

    __slots__ = ("id", "leaves", "live", "owner", "price", "qty", "seq", "side", "stop", "tif")

    def __init__(
        self, id: str, side: Side, qty: Decimal, price: Decimal | None = None, *, stop: Decimal | None = None,
        tif: TimeInForce = TimeInForce.GTC, owner: object = None,
    ) -> None:
        self.id = id
        self.side = side
        self.qty = qty  # total, including what is filled
        self.leaves = qty
        self.price = price
        self.stop = stop
        self.tif = tif
        self.owner = owner  # whatever the caller wants back with each fill (None for simulated flow)
        self.seq = 0
        self.live = False  # resting in a level (or held as a stop) and not canceled

    @property
    def filled(self) -> Decimal:
        """Return the quantity filled so far."""
        return self.qty - self.leaves


class Fill:
    """One execution: ``taker`` traded ``qty`` at ``price`` against resting ``maker``."""

    __slots__ = ("maker", "price", "qty", "taker")

    def __init__(self, maker: BookOrder, taker: BookOrder, price: Decimal, qty: Decimal) -> None:
        self.maker, self.taker, self.price, self.qty = maker, taker, price, qty


class Triggered:
    """A held stop order was released because the last trade ``price`` crossed its stop."""

    __slots__ = ("order", "price")

    def __init__(self, order: BookOrder, price: Decimal) -> None:
        self.order, self.price = order, price


class Done:
    """The unfilled rest of ``order`` was canceled by its terms (IOC, FOK, or a market order run dry)."""

    __slots__ = ("order", "reason")

    def __init__(self, order: BookOrder, reason: str) -> None:
        self.order, self.reason = order, reason


BookEvent = Fill | Triggered | Done


class _Level:
    __slots__ = ("orders", "total")

    def __init__(self) -> None:
        self.orders: deque[BookOrder] = deque()
        self.total = ZERO  # live quantity; zero exactly when no live order is left


def _check_positive(value: Decimal | None, field: str, required: bool) -> None:
    if value is None:
        if required:
            raise ValidationFailed(field, "required", "is required")
        return
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ValidationFailed(field, "positive", f"must be a finite number greater than 0, got {value!r}")


class OrderBook:
    """The limit order book of one instrument, with a book of held stop orders beside it."""

    def __init__(self, symbol: str, last_price: Decimal | None = None) -> None:
        self.symbol = symbol
        self.last_price = last_price
        self._bids: SortedDict = SortedDict()  # price -> _Level, best is the last key
        self._asks: SortedDict = SortedDict()  # price -> _Level, best is the first key
        self._orders: dict[str, BookOrder] = {}  # working orders: resting or held
        self._buy_stops: SortedList = SortedList(key=_stop_key)  # lowest stop triggers first
        self._sell_stops: SortedList = SortedList(key=_neg_stop_key)  # highest stop triggers first
        self._stops_held = 0  # of both lists: one int test per match while none is held
        self._seq = 0

    # -- reads ------------------------------------------------------------------------------------------

    def get(self, order_id: str) -> BookOrder | None:
        """Return a working (resting or held) order, or None."""
        return self._orders.get(order_id)

    def __len__(self) -> int:
        return len(self._orders)

    def best_bid(self) -> Decimal | None:
        """Return the highest bid price, or None."""
        return self._bids.keys()[-1] if self._bids else None

    def best_ask(self) -> Decimal | None:
        """Return the lowest ask price, or None."""
        return self._asks.keys()[0] if self._asks else None

    def depth(self, side: Side, levels: int) -> list[tuple[Decimal, Decimal]]:
        """Return up to ``levels`` (price, size) pairs of one side, best first."""
        book = self._bids if side is BUY else self._asks
        items = reversed(book.items()) if side is BUY else iter(book.items())
        return [(price, level.total) for price, level in islice(items, levels)]

    # -- requests ---------------------------------------------------------------------------------------

    def submit(self, order: BookOrder) -> list[BookEvent]:
        """Take a new order: hold it (stop), match it, then rest, or cancel what is left by its terms."""
        qty = order.qty
        if type(qty) is not Decimal or not qty.is_finite() or qty <= 0:  # the usual good qty, checked inline
            _check_positive(qty, "qty", True)
        if order.price is not None:
            _check_positive(order.price, "limit_price", False)
        if order.stop is not None:
            _check_positive(order.stop, "stop_price", False)
        if order.id in self._orders:
            raise ValidationFailed("order_id", "unique", f"order {order.id!r} is already working")
        order.leaves = order.qty
        out: list[BookEvent] = []
        if order.stop is not None and not self._stop_crossed(order):
            self._hold(order)
            return out
        if order.stop is not None and self.last_price is not None:
            order.stop = None
            out.append(Triggered(order, self.last_price))
        self._execute(order, out)
        return out

    def cancel(self, order_id: str) -> BookOrder | None:
        """Remove a working order; return it, or None if it is not working (unknown or done: too late)."""
        order = self._orders.pop(order_id, None)
        if order is None:
            return None
        order.live = False
        if order.stop is not None:
            (self._buy_stops if order.side is BUY else self._sell_stops).remove(order)
            self._stops_held -= 1
            return order
        book = self._bids if order.side is BUY else self._asks
        level = book[order.price]
        level.total -= order.leaves
        if not level.total:
            del book[order.price]
        return order

    def replace(
        self, order_id: str, qty: Decimal, price: Decimal | None, stop: Decimal | None = None,
    ) -> tuple[BookOrder, list[BookEvent]]:
        """Change a working order's total qty and prices; it keeps its time priority only when the price
        is unchanged and the quantity is not increased. Return the (possibly new) order and what followed.
        """
        order = self._orders.get(order_id)
        if order is None:
            raise OrderStateConflict(f"too late to replace: order {order_id!r} is not working")
        _check_positive(qty, "qty", True)
        _check_positive(price, "limit_price", order.price is not None)
        _check_positive(stop, "stop_price", order.stop is not None)
        if order.price is None and price is not None:
            raise ValidationFailed("limit_price", "not_allowed", "a market order has no limit price")
        if qty <= order.filled:
            raise ValidationFailed("qty", "above_filled", f"must be above the filled quantity {order.filled}")
        leaves = qty - order.filled
        if order.stop is None and price == order.price and leaves <= order.leaves:
            book = self._bids if order.side is BUY else self._asks
            book[order.price].total -= order.leaves - leaves
            order.qty, order.leaves = qty, leaves
            return order, []
        self.cancel(order_id)
        new = BookOrder(order.id, order.side, qty, price, stop=stop if order.stop is not None else None,
                        tif=order.tif, owner=order.owner)
        new.leaves = leaves
        out: list[BookEvent] = []
        if new.stop is not None and not self._stop_crossed(new):
            self._hold(new)
        else:
            if new.stop is not None:
                new.stop = None
                out.append(Triggered(new, self.last_price))  # type: ignore[arg-type]  # crossed: it is set
            self._execute(new, out)
        return new, out

    # -- matching ---------------------------------------------------------------------------------------

    def _execute(self, order: BookOrder, out: list[BookEvent]) -> None:
        """Match an order, rest or cancel what is left, then release every stop the trades crossed."""
        self._match_one(order, out)
        while self._stops_held:
            released = self._triggered_stops()
            if not released:
                return
            last: Decimal = self.last_price  # type: ignore[assignment]  # stops only trigger on a trade
            for stop_order in released:
                out.append(Triggered(stop_order, last))
                stop_order.stop = None
                self._match_one(stop_order, out)

    def _match_one(self, order: BookOrder, out: list[BookEvent]) -> None:
        if order.tif is FOK and self._available(order) < order.leaves:
            out.append(Done(order, "fill or kill: not enough liquidity to fill the whole order"))
            order.leaves = ZERO
            return
        self._take(order, out)
        if not order.leaves:
            return
        if order.price is None:
            out.append(Done(order, "market order: no more liquidity in the book"))
        elif order.tif is IOC or order.tif is FOK:
            out.append(Done(order, "immediate or cancel: rest canceled"))
        else:
            self._rest(order)
            return
        order.leaves = ZERO

    def _take(self, taker: BookOrder, out: list[BookEvent]) -> None:
        buying = taker.side is BUY
        book = self._asks if buying else self._bids
        limit = taker.price
        index = 0 if buying else -1
        while taker.leaves and book:
            price, level = book.peekitem(index)
            if limit is not None and (price > limit if buying else price < limit):
                break
            queue = level.orders
            leaves = taker.leaves
            while leaves and queue:
                maker = queue[0]
                if not maker.live:
                    queue.popleft()
                    continue
                rest = maker.leaves
                qty = rest if rest < leaves else leaves
                maker.leaves = rest = rest - qty
                leaves -= qty
                level.total -= qty
                out.append(Fill(maker, taker, price, qty))
                if not rest:
                    maker.live = False
                    queue.popleft()
                    del self._orders[maker.id]
            taker.leaves = leaves
            self.last_price = price
            if not level.total:
                del book[price]

    def _available(self, order: BookOrder) -> Decimal:
        """Return how much the opposite side offers at prices the order accepts (up to its leaves)."""
        buying = order.side is BUY
        book = self._asks if buying else self._bids
        items = iter(book.items()) if buying else reversed(book.items())
        total = ZERO
        for price, level in items:
            if order.price is not None and (price > order.price if buying else price < order.price):
                break
            total += level.total
            if total >= order.leaves:
                break
        return total

    def _rest(self, order: BookOrder) -> None:
        book = self._bids if order.side is BUY else self._asks
        level = book.get(order.price)
        if level is None:
            level = book[order.price] = _Level()
        self._seq += 1
        order.seq = self._seq
        order.live = True
        level.orders.append(order)
        level.total += order.leaves
        self._orders[order.id] = order

    # -- stops ------------------------------------------------------------------------------------------

    def _stop_crossed(self, order: BookOrder) -> bool:
        last = self.last_price
        if last is None or order.stop is None:
            return False
        return last >= order.stop if order.side is BUY else last <= order.stop

    def _hold(self, order: BookOrder) -> None:
        self._seq += 1
        order.seq = self._seq
        order.live = True
        (self._buy_stops if order.side is BUY else self._sell_stops).add(order)
        self._stops_held += 1
        self._orders[order.id] = order

    def _triggered_stops(self) -> list[BookOrder]:
        """Remove and return the held stops the last price crossed, in trigger then time order."""
        released: list[BookOrder] = []
        if not self._buy_stops and not self._sell_stops:
            return released
        for stops, crossed in ((self._buy_stops, _at_or_above), (self._sell_stops, _at_or_below)):
            while stops and crossed(self.last_price, stops[0].stop):
                order = stops.pop(0)
                self._stops_held -= 1
                order.live = False
                del self._orders[order.id]
                released.append(order)
        return released


def _stop_key(order: BookOrder) -> tuple[Decimal, int]:
    return order.stop, order.seq  # type: ignore[return-value]


def _neg_stop_key(order: BookOrder) -> tuple[Decimal, int]:
    return -order.stop, order.seq  # type: ignore[operator]


def _at_or_above(last: Decimal | None, stop: Decimal) -> bool:
    return last is not None and last >= stop


def _at_or_below(last: Decimal | None, stop: Decimal) -> bool:
    return last is not None and last <= stop
