"""The synchronous heart of the paper venue: one book and one simulated market per instrument.

Every request and every market tick is handled to the end here, turning what the books did into venue
reports (to the engine) and trades and books (to market data). PaperVenue adds the asynchrony.

A symbol can be *followed*: an outside feed (a replay) leads its price, the simulated market re-centres on
the hub's book for it (``recentre``, ``replay_trade``), and the exchange no longer publishes that book or
the simulation's own trades, so the hub shows the outside market plus the trades user orders make.
"""

import itertools
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Protocol

import structlog

from ordergate.adapters.venues.paper.checks import check_new_order, check_terms
from ordergate.adapters.venues.paper.fees import CommissionSchedule
from ordergate.adapters.venues.paper.market import SimulatedMarket
from ordergate.adapters.venues.paper.records import PaperOrder
from ordergate.config import PaperConfig
from ordergate.domain.book import OrderBook as MarketBook
from ordergate.domain.enums import Liquidity, OrderStatus, Side
from ordergate.domain.errors import DomainError
from ordergate.domain.ids import FillId, OrderId, Symbol, VenueId, VenueOrderId
from ordergate.domain.instruments import Instrument
from ordergate.domain.matching import BookEvent, BookOrder, Done, Fill, Triggered
from ordergate.domain.reports import (
    CancelRejectReport,
    ConnectionReport,
    FillReport,
    OrderStatusReport,
    ReplaceReport,
    Report,
    TriggerReport,
)
from ordergate.service.ports import Clock, MarketDataSink, ReportSink, VenueOrder, VenueOrderState

log = structlog.get_logger(__name__)
S = OrderStatus
_NEW, _FILLED, _MAKER, _TAKER = S.NEW, S.FILLED, Liquidity.MAKER, Liquidity.TAKER  # module constants: per order
# Done orders remembered for status queries; older ones are forgotten so a long-running server's memory
# stays flat. The engine asks only about orders it still thinks are open, which end within moments.
KEEP_DONE = 50_000


def _drop(report: Report | ConnectionReport) -> None:
    """Report sink used before start: the engine is not listening yet."""


class BookReader(Protocol):
    """Where followed symbols' outside books are read (MarketDataHub is one)."""

    def book(self, symbol: Symbol) -> MarketBook | None:
        """Return the symbol's book, or None if none was seen."""
        ...


class PaperExchange:
    """Run the paper books: take orders, cancels and replaces, advance the simulated markets."""

    def __init__(
        self, venue: VenueId, config: PaperConfig, instruments: Mapping[Symbol, Instrument], clock: Clock,
        marketdata: MarketDataSink,
    ) -> None:
        self.venue = venue
        self.config = config
        self.markets = {symbol: SimulatedMarket(inst, config) for symbol, inst in instruments.items()}
        self.emit: ReportSink = _drop
        self.dirty: set[Symbol] = set()  # books changed since they were last published
        self.followed: set[Symbol] = set()  # symbols an outside feed leads
        self._books: BookReader | None = None
        self._instruments = instruments
        self._clock = clock
        self._marketdata = marketdata
        self._orders: dict[OrderId, PaperOrder] = {}
        self._done: deque[OrderId] = deque()
        self._fees = CommissionSchedule(config.commission_per_share, config.commission_bps, config.min_commission)
        # Fill ids must never repeat across restarts (the engine drops a fill id it has seen), so each
        # run of the exchange gets its own prefix.
        self._session = uuid.uuid4().hex[:10]
        self._ids = itertools.count(1)

    # -- market ------------------------------------------------------------------------------------------

    def open(self) -> None:
        """Quote every market around its reference price and publish the books."""
        for symbol, market in self.markets.items():
            self._apply(symbol, market.open(), self._clock.now())
        self.publish_dirty()

    def tick(self) -> None:
        """Advance every simulated market one step and publish the books."""
        for symbol, market in self.markets.items():
            self._apply(symbol, market.step(), self._clock.now())
        self.publish_dirty()

    def follow(self, symbols: Iterable[Symbol], books: BookReader) -> list[Symbol]:
        """Let an outside feed lead these symbols (unknown ones are ignored); return those now followed.

        Their simulated markets stop walking and pull their quotes until ``recentre`` brings the outside
        book read from ``books``; their paper book is no longer published.
        """
        self._books = books
        now = self._clock.now()
        for symbol in symbols:
            market = self.markets.get(symbol)
            if market is not None and symbol not in self.followed:
                self.followed.add(symbol)
                self._apply(symbol, market.follow(), now)
        return sorted(self.followed)

    def recentre(self, symbol: Symbol) -> None:
        """Re-quote a followed symbol's makers on its outside book as it is now (a crossed one is ignored)."""
        book = self._books.book(symbol) if self._books is not None and symbol in self.followed else None
        if book is None or book.crossed:
            return
        bids, asks = book.depth(self.config.depth_levels)
        self._apply(symbol, self.markets[symbol].recentre(bids, asks), self._clock.now())

    def replay_trade(self, symbol: Symbol, price: Decimal, size: Decimal) -> None:
        """Trade a followed symbol's outside print against the paper book (resting user orders may fill)."""
        if symbol in self.followed:
            self._apply(symbol, self.markets[symbol].replay_trade(price, size), self._clock.now())

    def publish_dirty(self) -> None:
        """Send the books that changed to market data (not the followed ones: the outside feed has them)."""
        if not self.dirty:
            return
        now = self._clock.now()
        self.dirty -= self.followed
        for symbol in self.dirty:
            self._publish(symbol, now)
        self.dirty.clear()

    def publish(self, symbol: Symbol) -> bool:
        """Send one symbol's book (``depth_levels`` a side, as every tick does) to market data now.

        Return False for a followed or unknown symbol: its book is not this exchange's to publish.
        """
        if symbol not in self.markets or symbol in self.followed:
            return False
        self._publish(symbol, self._clock.now())
        self.dirty.discard(symbol)
        return True

    def _publish(self, symbol: Symbol, now: datetime) -> None:
        book, levels = self.markets[symbol].book, self.config.depth_levels
        self._marketdata.on_book(symbol, book.depth(Side.BUY, levels), book.depth(Side.SELL, levels), now)

    # -- requests ----------------------------------------------------------------------------------------

    def submit(self, order: VenueOrder) -> None:
        """Take a new order: reject it with a reason, or acknowledge it and match it."""
        now = self._clock.now()
        order_id, symbol, orders = order.order_id, order.symbol, self._orders
        if order_id in orders:
            log.warning("paper_duplicate_submit", order_id=order_id)
            return
        try:
            check_new_order(order, self._instruments.get(symbol))
        except DomainError as e:
            self.emit(OrderStatusReport(order_id=order_id, venue=self.venue, ts=now, status=S.REJECTED,
                                        reason=str(e)))
            return
        record = orders[order_id] = PaperOrder(order, self._venue_order_id())
        record.ack = ack = OrderStatusReport(order_id=order_id, venue=self.venue, ts=now, status=_NEW,
                                             venue_order_id=record.venue_order_id)
        self.emit(ack)
        book_order = BookOrder(order_id, order.side, order.qty - order.filled_qty, order.limit_price,
                               stop=order.stop_price, tif=order.tif, owner=record)
        self._apply(symbol, self.markets[symbol].book.submit(book_order), now)

    def reject(self, order: VenueOrder, reason: str) -> None:
        """Refuse a new order for a reason of the venue's own (an unreliable venue's simulated refusal)."""
        self.emit(OrderStatusReport(order_id=order.order_id, venue=self.venue, ts=self._clock.now(),
                                    status=S.REJECTED, reason=reason, venue_fault=True))

    def cancel(self, order: VenueOrder) -> None:
        """Cancel a working order, or answer that it is too late."""
        now = self._clock.now()
        record = self._orders.get(order.order_id)
        if record is None or not record.working:
            self._refuse(order, "cancel", record, now)
            return
        self.markets[record.terms.symbol].book.cancel(order.order_id)
        self._finish(record, S.CANCELED, "", now)
        self.dirty.add(record.terms.symbol)

    def replace(self, order: VenueOrder, new: VenueOrder) -> None:
        """Apply a cancel-replace, or refuse it with a reason; fills at the new terms follow the replace."""
        now = self._clock.now()
        record = self._orders.get(order.order_id)
        if record is None or not record.working:
            self._refuse(order, "replace", record, now)
            return
        symbol = record.terms.symbol
        try:
            check_terms(new, self._instruments[symbol])
            filled = record.base_filled + record.filled_here
            if new.qty <= filled:
                raise DomainError(f"qty: must be above the filled quantity {filled}, got {new.qty}")
            _, events = self.markets[symbol].book.replace(
                order.order_id, new.qty - record.base_filled, new.limit_price, new.stop_price)
        except DomainError as e:
            self.emit(CancelRejectReport(order_id=order.order_id, venue=self.venue, ts=now, response_to="replace",
                                         reason=str(e)))
            return
        record.terms = VenueOrder(**{slot: getattr(new, slot) for slot in VenueOrder.__slots__})
        record.venue_order_id = self._venue_order_id()
        record.replaced = ReplaceReport(
            order_id=order.order_id, venue=self.venue, ts=now, venue_order_id=record.venue_order_id, qty=new.qty,
            limit_price=new.limit_price, stop_price=new.stop_price, tif=new.tif, expire_at=new.expire_at)
        self.emit(record.replaced)
        self._apply(symbol, events, now)
        self.dirty.add(symbol)

    def status(self, order: VenueOrder) -> list[Report]:
        """Return what this venue knows of an order (empty when it never reached this venue)."""
        record = self._orders.get(order.order_id)
        return [] if record is None else record.summary(order)

    def open_orders(self) -> list[VenueOrderState]:
        """Return every order still working here, as the venue holds it."""
        return [record.state(self.venue) for record in self._orders.values() if record.working]

    def working_order(self, order_id: OrderId) -> BookOrder | None:
        """Return the book's view of a working order (for tests and tools)."""
        record = self._orders.get(order_id)
        return None if record is None else self.markets[record.terms.symbol].book.get(order_id)

    # -- turning book events into reports -----------------------------------------------------------------

    def _apply(self, symbol: Symbol, events: list[BookEvent], now: datetime) -> None:
        on_trade = self._marketdata.on_trade
        # A followed symbol's tape is the outside feed's: only trades a user order took print here.
        print_all = symbol not in self.followed
        for event in events:
            if type(event) is Fill:
                maker, taker = event.maker.owner, event.taker.owner
                if print_all or taker is not None:
                    # our own fill never makes data fresh
                    on_trade(symbol, event.price, event.qty, now, taker is not None or maker is not None)
                if maker is not None:
                    self._fill(maker, event, _MAKER, now)  # type: ignore[arg-type]
                if taker is not None:
                    self._fill(taker, event, _TAKER, now)  # type: ignore[arg-type]
            elif type(event) is Triggered and event.order.owner is not None:
                self.emit(TriggerReport(order_id=event.order.id, venue=self.venue, ts=now,  # type: ignore[arg-type]
                                        trigger_price=event.price))
            elif type(event) is Done and event.order.owner is not None:
                self._finish(event.order.owner, S.CANCELED, event.reason, now)  # type: ignore[arg-type]
        self.dirty.add(symbol)

    def _fill(self, record: PaperOrder, fill: Fill, liquidity: Liquidity, now: datetime) -> None:
        qty, price, filled = fill.qty, fill.price, record.filled_here
        commission = self._fees.for_fill(filled, record.notional, qty, price)
        report = FillReport(
            order_id=record.terms.order_id, venue=self.venue, ts=now, fill_id=FillId(self._next_id()),
            qty=qty, price=price, commission=commission, liquidity=liquidity)
        record.fills.append(report)
        record.filled_here = filled = filled + qty
        record.notional += qty * price
        self.emit(report)
        if record.base_filled + filled >= record.terms.qty:
            record.status = _FILLED
            self._retire(record)

    def _finish(self, record: PaperOrder, status: OrderStatus, reason: str, now: datetime) -> None:
        record.status = status
        record.done = OrderStatusReport(order_id=record.terms.order_id, venue=self.venue, ts=now, status=status,
                                        venue_order_id=record.venue_order_id, reason=reason)
        self.emit(record.done)
        self._retire(record)

    def _retire(self, record: PaperOrder) -> None:
        done = self._done
        done.append(record.terms.order_id)
        while len(done) > KEEP_DONE:
            self._orders.pop(done.popleft(), None)

    def _refuse(self, order: VenueOrder, action: str, record: PaperOrder | None, now: datetime) -> None:
        state = "unknown at this venue" if record is None else str(record.status)
        self.emit(CancelRejectReport(order_id=order.order_id, venue=self.venue, ts=now, response_to=action,
                                     reason=f"too late to {action}: order is {state}"))

    def _venue_order_id(self) -> VenueOrderId:
        return VenueOrderId(f"P{self._session}-{next(self._ids)}")

    def _next_id(self) -> str:
        return f"{self._session}-{next(self._ids)}"

