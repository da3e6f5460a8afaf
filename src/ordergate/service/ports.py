"""Abstract ports: what the service layer needs from the outside world, implemented in adapters/."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from ordergate.domain.account import Account
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.events import Event
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, Symbol, VenueId, VenueOrderId
from ordergate.domain.order import Order
from ordergate.domain.position import Position
from ordergate.domain.reports import ConnectionReport, Report


class Clock(Protocol):
    """Where time comes from, so tests and replays are deterministic."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware UTC."""
        ...


@dataclass(slots=True, kw_only=True)
class VenueOrder:
    """A snapshot of an order as sent to a venue (the engine's Order keeps changing; this does not)."""

    order_id: OrderId
    client_order_id: ClientOrderId
    account: AccountId
    symbol: Symbol
    side: Side
    type: OrderType
    qty: Decimal
    filled_qty: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    tif: TimeInForce
    expire_at: datetime | None
    extended_hours: bool = False  # may also trade outside the regular session (a limit day/gtc order)
    created_at: datetime | None = None  # when ordergate recorded it (the venue got it later)
    venue_order_id: VenueOrderId | None = None  # the venue's id, once it acknowledged the order


@dataclass(slots=True, kw_only=True)
class VenueOrderState:
    """An order as the venue holds it, for reconciliation (``order_id`` is ours when the venue can tell)."""

    venue: VenueId
    venue_order_id: VenueOrderId
    client_order_id: str
    order_id: OrderId | None
    account: AccountId | None
    symbol: Symbol
    side: Side
    qty: Decimal
    filled_qty: Decimal
    avg_price: Decimal | None
    status: OrderStatus


@dataclass(slots=True, kw_only=True)
class VenuePosition:
    """A position as the venue holds it, for reconciliation."""

    venue: VenueId
    account: AccountId | None
    symbol: Symbol
    qty: Decimal
    avg_price: Decimal | None = None


@dataclass(slots=True, kw_only=True)
class VenueBalance:
    """Cash in one currency as the venue holds it, for reconciliation.

    ``net_of_orders``: the venue's figure already leaves out what its working orders block (Upstox's
    available margin), so it is compared with our cash less our reservations; else with our cash.
    """

    venue: VenueId
    currency: str
    cash: Decimal
    buying_power: Decimal | None = None
    net_of_orders: bool = False


ReportSink = Callable[[Report | ConnectionReport], None]


class Venue(Protocol):
    """A place orders execute: the paper exchange or a broker.

    The request methods return at once; the venue does its I/O in the background and tells the engine
    what happened by calling the report sink given to ``start`` (acks, fills, cancels, rejects).
    """

    id: VenueId

    async def start(self, sink: ReportSink) -> None:
        """Connect and begin sending reports to ``sink``."""
        ...

    async def stop(self) -> None:
        """Disconnect and stop background work."""
        ...

    def submit(self, order: VenueOrder) -> None:
        """Send a new order."""
        ...

    def cancel(self, order: VenueOrder) -> None:
        """Ask to cancel a working order."""
        ...

    def replace(self, order: VenueOrder, new: VenueOrder) -> None:
        """Ask to cancel-replace ``order`` with the terms in ``new`` (same ids)."""
        ...

    async def status(self, order: VenueOrder) -> Sequence[Report]:
        """Return the venue's reports for one order: its status (with the cumulative filled quantity when the
        venue gives it) and every fill it can list; empty when the venue never had it. For reconciliation."""
        ...

    async def open_orders(self) -> Sequence[VenueOrderState]:
        """Return every order the venue holds open, ours or not (reconciliation reports the ones we lack)."""
        ...

    async def positions(self) -> Sequence[VenuePosition] | None:
        """Return the venue's positions, or None when it keeps none of its own (the paper exchange)."""
        ...

    async def balances(self) -> Sequence[VenueBalance] | None:
        """Return the venue's cash per currency, or None when it keeps none of its own (the paper exchange)."""
        ...

    def is_ready(self) -> bool:
        """Return whether the venue can take orders now."""
        ...


async def statuses_of(venue: Venue, orders: Sequence[VenueOrder]) -> list[Sequence[Report]]:
    """Return the venue's reports for each order (as ``status`` gives them), in the order given.

    ``statuses(orders)`` is optional on a venue: a broker with a request budget (Alpaca) answers for many
    orders in a few requests; the others are asked one order at a time. A bulk answer must name every order
    (a missing one is an error, never taken to mean the venue lacks it).
    """
    bulk = getattr(venue, "statuses", None)
    if callable(bulk) and orders:
        answers = await bulk(orders)
        return [answers[o.order_id] for o in orders]
    return [await venue.status(o) for o in orders]


def unavailable_reason(venue: object) -> str | None:
    """Return why a venue cannot take orders now, when it can tell (an expired broker token), else None.

    ``unavailable_reason()`` is optional on a venue: the paper exchange has none.
    """
    reason = getattr(venue, "unavailable_reason", None)
    return reason() if callable(reason) else None


@dataclass(slots=True)
class Quote:
    """Best bid and ask (either may be missing) with their sizes and the time they were seen."""

    symbol: Symbol
    bid: Decimal | None
    bid_size: Decimal
    ask: Decimal | None
    ask_size: Decimal
    ts: datetime

    @property
    def mid(self) -> Decimal | None:
        """Return the mid price, or the one side present, or None."""
        if self.bid is not None and self.ask is not None:
            return (self.bid + self.ask) / 2
        return self.bid if self.bid is not None else self.ask


class MarketDataSink(Protocol):
    """Where a market data source (the paper market, a replay, a broker feed) delivers updates."""

    def on_book(
        self, symbol: Symbol, bids: Sequence[tuple[Decimal, Decimal]],
        asks: Sequence[tuple[Decimal, Decimal]], ts: datetime,
    ) -> None:
        """Replace the L2 book of a symbol with these (price, size) levels, best first."""
        ...

    def on_trade(self, symbol: Symbol, price: Decimal, qty: Decimal, ts: datetime, own: bool = False) -> None:
        """Record a trade printed on the market (``own``: ours, which never makes the symbol's data fresh)."""
        ...


class PriceSource(Protocol):
    """Where the engine, the risk rules and position valuation read prices."""

    def quote(self, symbol: Symbol) -> Quote | None:
        """Return the latest quote, or None if none was seen."""
        ...

    def reference_price(self, symbol: Symbol) -> Decimal | None:
        """Return the price to value and collar against: last trade, else mid; None if unknown."""
        ...

    def is_stale(self, symbol: Symbol, now: datetime | None = None) -> bool:
        """Return whether the latest price is older than the configured maximum age (at ``now``: the
        clock's time the caller already read, else the clock's)."""
        ...


class FeedState(StrEnum):
    """Where a market data feed is in its life."""

    IDLE = "idle"  # made, not started
    LIVE = "live"  # delivering
    FINISHED = "finished"  # delivered everything it had (a replay that reached its end)
    FAILED = "failed"  # stopped by an error
    STOPPED = "stopped"  # stopped on request

    @property
    def healthy(self) -> bool:
        """Return whether the server can count on this feed's data (it is live, or ended cleanly)."""
        return self in (FeedState.LIVE, FeedState.FINISHED)


class MarketDataFeed(Protocol):
    """A source of market data that writes into the hub: the paper market, a replay, a broker stream.

    ``start`` returns once the feed runs in the background (it is idempotent, as is ``stop``); the feed
    delivers through ``MarketDataSink`` or sequenced events, never by blocking the event loop. When a book
    it leads loses data, the hub calls ``request_snapshot`` (once per episode).
    """

    name: str

    async def start(self) -> None:
        """Begin delivering in the background (nothing happens if already started)."""
        ...

    async def stop(self) -> None:
        """Stop delivering and release what the feed holds (nothing happens if not running)."""
        ...

    def state(self) -> FeedState:
        """Return where the feed is in its life (what /ready reports)."""
        ...

    def symbols(self) -> frozenset[Symbol]:
        """Return the symbols this feed leads (their prices come from it)."""
        ...

    def request_snapshot(self, symbol: Symbol) -> bool:
        """Ask for a fresh snapshot of one symbol it leads; return at once, never blocking on I/O.

        The snapshot comes through the feed's usual delivery, before this returns (the paper market) or
        later (a broker feed re-subscribes or fetches a REST snapshot in the background; a replay reaches
        its next snapshot row). Return False when the source cannot send one (a file with no snapshot of
        the symbol ahead): the hub then marks the book stale until a snapshot does come.
        """
        ...


@dataclass(slots=True)
class CommitBatch:
    """What one group commit writes: journal events and the projections they changed."""

    events: list[Event]
    orders: list[Order]
    positions: list[Position]
    accounts: list[Account]


class Journal(Protocol):
    """The append-only event journal with its projections, written in one transaction per batch."""

    def last_seq(self) -> int:
        """Return the highest event sequence number written (0 for an empty journal)."""
        ...

    def prepare(self, batch: CommitBatch) -> Any:
        """Turn a batch into rows on the engine's thread (domain objects keep changing after this)."""
        ...

    def commit(self, prepared: Any) -> None:
        """Write prepared rows in one transaction; durable when this returns. Runs in a worker thread."""
        ...

    def read_events(self, after_seq: int = 0) -> Iterator[Event]:
        """Yield journal events in sequence order."""
        ...


class EventSink(Protocol):
    """Where committed events go next: the WebSocket stream, metrics, logs."""

    def publish(self, events: Iterable[Event]) -> None:
        """Deliver committed events; must not block."""
        ...
