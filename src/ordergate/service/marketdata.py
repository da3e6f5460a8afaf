"""The market data hub: the one place books, trades and prices live; feeds write, everyone else reads.

Feeds deliver whole books and trades through ``MarketDataSink`` (the paper market), or sequenced
snapshot/add/change/delete/trade/quote events through ``apply`` (replay files, broker streams). The order
engine, the risk rules and position valuation read prices through ``PriceSource``; the API reads books,
trades, statistics and bars. Every write and every price read is O(1) or O(log n). When an update
leaves a book needing a snapshot, the hub asks the feed leading that symbol for one (``attach_feed``).
"""

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple, TypeVar

from ordergate.domain.bars import Bar, Bars
from ordergate.domain.book import Level, OrderBook, check_price, check_size
from ordergate.domain.enums import Side
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol
from ordergate.domain.instruments import Instrument
from ordergate.domain.session_day import SessionDays
from ordergate.domain.trade_stats import StatsSnapshot, TradeStats, epoch_seconds
from ordergate.service.ports import Clock, MarketDataFeed, Quote
from ordergate.service.sessions import exchange_days
from ordergate.service.snapshots import SnapshotRequests

_ZERO = Decimal(0)
_UNSET = object()
Listener = Callable[[Symbol], None]
_T = TypeVar("_T")


class MarketKind(StrEnum):
    """What a market data event does to the book or the tape."""

    SNAPSHOT = "snapshot"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    TRADE = "trade"
    QUOTE = "quote"


@dataclass(slots=True)
class MarketEvent:
    """One update from a sequenced feed; ``order_id`` makes add/change/delete an L3 (per-order) update."""

    kind: MarketKind
    symbol: Symbol
    ts: datetime
    side: Side | None = None
    price: Decimal | None = None
    size: Decimal | None = None
    seq: int | None = None
    order_id: str | None = None
    bids: list[Level] = field(default_factory=list)  # snapshot only
    asks: list[Level] = field(default_factory=list)


class Trade(NamedTuple):
    """A trade printed on the market.

    A named tuple, not a frozen dataclass: one is made for every print (a frozen dataclass's ``__init__``
    costs about twice as much), and a tuple of atomic values drops out of the garbage collector's scans.
    """

    ts: datetime
    price: Decimal
    size: Decimal


@dataclass(slots=True, frozen=True)
class MarketStats:
    """Trade statistics plus what the book says, and whether the data is stale."""

    trades: StatsSnapshot
    imbalance: Decimal | None
    spread: Decimal | None
    mid: Decimal | None
    stale: bool
    updated: datetime | None
    snapshot_requests: int = 0  # how often the feed was asked for a fresh snapshot of this book


class _SymbolState:
    __slots__ = ("bars", "book", "days", "mid", "quote", "refused", "stale_at", "stats", "trades", "updated")

    def __init__(self, symbol: Symbol, trades_kept: int, bars_kept: int, vwap_window: int,
                 instrument: Instrument | None) -> None:
        self.days = days = exchange_days(instrument) if instrument is not None else SessionDays()
        self.book = OrderBook(symbol)
        self.stats = TradeStats(vwap_window, days)
        self.bars = Bars(bars_kept, days)
        self.trades: deque[Trade] = deque(maxlen=trades_kept)
        self.quote: Quote | None = None  # built on first read after a book change
        self.mid: Decimal | object | None = _UNSET  # likewise
        self.updated: datetime | None = None
        self.stale_at: datetime | None = None  # ``updated`` + the hub's stale_after: one comparison per check
        self.refused = False  # the leading feed cannot send the snapshot this book needs: stale until one comes


class MarketDataHub:
    """Receive books and trades from any feed (MarketDataSink) and serve prices (PriceSource)."""

    def __init__(self, clock: Clock, stale_after: float, *, trades_kept: int = 1000, bars_kept: int = 1000,
                 vwap_window: int = 300, imbalance_levels: int = 5,
                 instruments: Mapping[Symbol, Instrument] | None = None) -> None:
        """Keep books, tape, statistics and bars per symbol; ``instruments`` give each its exchange's days
        and hours (sessions and bars); a symbol not among them gets UTC days."""
        self._clock = clock
        self._instruments = instruments if instruments is not None else {}
        self._stale_after = timedelta(seconds=stale_after)
        self._sizes = (trades_kept, bars_kept, vwap_window)
        self._imbalance_levels = imbalance_levels
        self._symbols: dict[Symbol, _SymbolState] = {}
        self._listeners: list[Listener] = []
        self.snapshots = SnapshotRequests()

    def attach_feed(self, feed: MarketDataFeed) -> None:
        """Let the hub ask ``feed`` for a fresh snapshot when a book of a symbol it leads loses data."""
        self.snapshots.attach(feed)

    # --- MarketDataSink -------------------------------------------------------------------------------

    def on_book(self, symbol: Symbol, bids: Sequence[Level], asks: Sequence[Level], ts: datetime) -> None:
        """Replace the L2 book of a symbol with these (price, size) levels, best first."""
        state = self._state(symbol)
        state.book.apply_snapshot(bids, asks, ts=ts)
        self._changed(state, symbol, ts)

    def on_trade(self, symbol: Symbol, price: Decimal, qty: Decimal, ts: datetime, own: bool = False) -> None:
        """Record a trade printed on the market; ``own``: one of our orders took part, so it proves nothing
        about the market being alive and leaves the symbol's freshness as it was."""
        check_price(price)
        check_size(qty, "qty")
        state = self._symbols.get(symbol) or self._state(symbol)
        state.trades.append(Trade(ts, price, qty))
        # the statistics and the bars share the symbol's calendar: its day, the epoch seconds and the
        # notional are worked out once for both
        day, seconds, notional = state.days(ts), epoch_seconds(ts), price * qty
        state.stats.add_print(price, qty, ts, day, seconds, notional)
        state.bars.add_print(price, qty, ts, day, seconds, notional)
        if not own:
            self._fresh(state, ts)
        if self._listeners:
            self._notify(symbol)

    # --- sequenced feeds ------------------------------------------------------------------------------

    def apply(self, event: MarketEvent) -> bool:
        """Apply one feed event with full book semantics; return whether it changed anything.

        Bad values raise ValidationFailed and change nothing; an out-of-sequence update is ignored and, on
        a gap, the book is flagged ``needs_snapshot``. An update that flags a sound book (gap, cross, unknown
        level or order) asks the leading feed for a snapshot, once until one is applied.
        """
        kind = event.kind
        if kind is MarketKind.TRADE:
            self.on_trade(event.symbol, _need(event.price, "price"), _need(event.size, "size"), event.ts)
            return True
        state = self._state(event.symbol)
        book = state.book
        lost = False
        if kind is MarketKind.SNAPSHOT:
            book.apply_snapshot(event.bids, event.asks, seq=event.seq, ts=event.ts)
            applied = True
        elif kind is MarketKind.QUOTE:
            applied = self._apply_quote(book, event)
        else:
            # Only an update starts an episode: a snapshot that is itself crossed is what the source has
            # just sent, and asking again for it could loop.
            sound = not book.needs_snapshot
            applied = self._apply_update(book, event)
            lost = sound and book.needs_snapshot
        if applied:
            self._changed(state, event.symbol, event.ts)
        if lost:  # after the update is in place: a feed may answer before ask() returns
            state.refused = self.snapshots.ask(event.symbol)
        return applied

    def needs_snapshot(self, symbol: Symbol) -> bool:
        """Return whether the symbol's book lost data (gap, crossed, unknown level) and wants a snapshot."""
        state = self._symbols.get(symbol)
        return state is not None and state.book.needs_snapshot

    def snapshot_requests(self, symbol: Symbol) -> int:
        """Return how often a feed was asked for a fresh snapshot of the symbol's book."""
        return self.snapshots.by_symbol[symbol]

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(symbol)`` after every change (it must be quick and must not raise)."""
        self._listeners.append(listener)

    # --- PriceSource ----------------------------------------------------------------------------------

    def quote(self, symbol: Symbol) -> Quote | None:
        """Return the latest best bid and ask, or None if no book was seen."""
        state = self._symbols.get(symbol)
        if state is None or state.updated is None:
            return None
        if state.quote is None:
            book = state.book
            bid, ask = book.top()
            state.quote = Quote(
                symbol, bid, book.bids.size_at(bid) if bid is not None else _ZERO,
                ask, book.asks.size_at(ask) if ask is not None else _ZERO, book.ts or state.updated,
            )
        return state.quote

    def reference_price(self, symbol: Symbol) -> Decimal | None:
        """Return the last trade price, else the mid (or the one side present), else None."""
        state = self._symbols.get(symbol)
        if state is None:
            return None
        last = state.stats.last_price
        if last is not None:
            return last
        if state.mid is _UNSET:  # computed once per book change: every order reads it
            bid, ask = state.book.top()
            if bid is not None and ask is not None:
                state.mid = (bid + ask) / 2
            else:
                state.mid = bid if bid is not None else ask
        return state.mid  # type: ignore[return-value]

    def is_stale(self, symbol: Symbol, now: datetime | None = None) -> bool:
        """Return whether the symbol's latest update is older than ``stale_after`` (or there is none) at
        ``now`` (default: the clock's time).

        A book that needs a snapshot its feed cannot send is stale at once, until a snapshot comes.
        """
        state = self._symbols.get(symbol)
        if state is None or state.stale_at is None:
            return True
        if state.refused and state.book.needs_snapshot:
            return True
        return (now or self._clock.now()) > state.stale_at

    # --- reads for the API ----------------------------------------------------------------------------

    def has(self, symbol: Symbol) -> bool:
        """Return whether any market data was seen for the symbol."""
        return symbol in self._symbols

    def symbols(self) -> list[Symbol]:
        """Return the symbols seen so far."""
        return list(self._symbols)

    def book(self, symbol: Symbol) -> OrderBook | None:
        """Return the symbol's order book (read it, don't change it), or None."""
        state = self._symbols.get(symbol)
        return state.book if state is not None else None

    def trades(self, symbol: Symbol, limit: int = 100) -> list[Trade]:
        """Return up to ``limit`` latest trades, newest first."""
        state = self._symbols.get(symbol)
        if state is None or limit <= 0:
            return []
        trades = state.trades
        return [trades[-1 - i] for i in range(min(limit, len(trades)))]

    def bars(self, symbol: Symbol, interval: str, limit: int = 100) -> list[Bar]:
        """Return up to ``limit`` newest bars of ``interval`` (1s, 1m, 5m, 1h), oldest first."""
        state = self._symbols.get(symbol)
        if state is None:
            Bars(1).last(interval, limit)  # still reject a bad interval
            return []
        return state.bars.last(interval, limit)

    def stats(self, symbol: Symbol) -> MarketStats | None:
        """Return the symbol's statistics now, or None if nothing was seen."""
        state = self._symbols.get(symbol)
        if state is None:
            return None
        book = state.book
        return MarketStats(
            trades=state.stats.snapshot(self._clock.now()), imbalance=book.imbalance(self._imbalance_levels),
            spread=book.spread(), mid=book.mid(), stale=self.is_stale(symbol), updated=state.updated,
            snapshot_requests=self.snapshots.by_symbol[symbol],
        )

    # --- internals ------------------------------------------------------------------------------------

    def _state(self, symbol: Symbol) -> _SymbolState:
        state = self._symbols.get(symbol)
        if state is None:
            if type(symbol) is not str or not 0 < len(symbol) <= 64 or not symbol.isprintable():
                raise ValidationFailed("symbol", "text", "must be 1 to 64 printable characters")
            state = self._symbols[symbol] = _SymbolState(symbol, *self._sizes, self._instruments.get(symbol))
        return state

    def _changed(self, state: _SymbolState, symbol: Symbol, ts: datetime) -> None:
        state.quote = None
        state.mid = _UNSET
        self._fresh(state, ts)
        self._notify(symbol)

    def _fresh(self, state: _SymbolState, ts: datetime) -> None:
        # never later than now: a replay's future timestamps must not keep a symbol fresh after the feed stops
        now = self._clock.now()
        ts = ts if ts <= now else now
        if state.updated is None or ts > state.updated:
            state.updated = ts
            state.stale_at = ts + self._stale_after

    def _notify(self, symbol: Symbol) -> None:
        for listener in self._listeners:
            listener(symbol)

    @staticmethod
    def _apply_update(book: OrderBook, event: MarketEvent) -> bool:
        kind, side, seq, ts, order_id = event.kind, event.side, event.seq, event.ts, event.order_id
        if order_id is not None:
            if kind is MarketKind.ADD:
                return book.add_order(order_id, _need(side, "side"), _need(event.price, "price"),
                                      _need(event.size, "size"), seq, ts)
            if kind is MarketKind.CHANGE:
                return book.change_order(order_id, _need(event.size, "size"), event.price, seq, ts)
            return book.delete_order(order_id, seq, ts)
        if kind is MarketKind.DELETE:
            return book.delete(_need(side, "side"), _need(event.price, "price"), seq, ts)
        return book.update(_need(side, "side"), _need(event.price, "price"), _need(event.size, "size"), seq, ts)

    @staticmethod
    def _apply_quote(book: OrderBook, event: MarketEvent) -> bool:
        """Replace one side with a single level: for sources that give only the best price."""
        side, price, size = _need(event.side, "side"), _need(event.price, "price"), _need(event.size, "size")
        bids, asks = book.depth()
        if side is Side.BUY:
            bids = [(price, size)] if size else []
        else:
            asks = [(price, size)] if size else []
        book.apply_snapshot(bids, asks, seq=event.seq, ts=event.ts)
        return True


def _need(value: _T | None, name: str) -> _T:
    if value is None:
        raise ValidationFailed(name, "required", "is required for this kind of update")
    return value
