"""PaperVenue: the built-in simulated exchange behind the Venue port.

Requests return at once and are handled in arrival order on the event loop, after ``ack_latency``
seconds (or on the next loop turn when it is 0), so the engine always sees pending_new before new.
A timer advances the simulated markets every ``tick_interval`` seconds; books changed by orders in
between are published once per loop turn.
"""

import asyncio
import random
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import structlog

from ordergate.adapters.venues.paper.exchange import PaperExchange
from ordergate.adapters.venues.paper.feed import PaperMarketFeed
from ordergate.config import PaperConfig
from ordergate.domain.enums import Side
from ordergate.domain.ids import Symbol, VenueId
from ordergate.domain.instruments import Instrument
from ordergate.domain.reports import Report
from ordergate.service.ports import (
    Clock,
    MarketDataSink,
    ReportSink,
    VenueBalance,
    VenueOrder,
    VenueOrderState,
    VenuePosition,
)

log = structlog.get_logger(__name__)


class PaperVenue:
    """A simulated exchange with price-time matching against a seeded synthetic market.

    The default one (``paper``) publishes its books to market data; an extra one (its own ``venue_id``)
    keeps its book to itself (read it with ``book``) and may refuse a share of new orders.
    """

    def __init__(
        self, config: PaperConfig, instruments: Mapping[Symbol, Instrument], clock: Clock, marketdata: MarketDataSink,
        venue_id: VenueId = VenueId("paper"), reject_probability: float = 0.0,
    ) -> None:
        self.id = venue_id
        self.config = config
        self._reject_probability = reject_probability
        self._dice = random.Random(config.seed)
        self.exchange = PaperExchange(self.id, config, instruments, clock, marketdata)
        self._inbox: deque[tuple[float, Callable[..., None], tuple[Any, ...]]] = deque()
        self._drain_scheduled = False
        self._publish_scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.feed = PaperMarketFeed(self.exchange, config.tick_interval)  # the timer; a MarketDataFeed
        self._ready = False

    async def start(self, sink: ReportSink) -> None:
        """Publish the opening books at once, then start sending reports to ``sink`` and ticking."""
        self._loop = asyncio.get_running_loop()
        self.exchange.emit = sink
        self.exchange.open()  # synchronously, so the first order after start has a reference price
        await self.feed.start()
        self._ready = True

    async def stop(self) -> None:
        """Stop ticking and taking requests; requests still queued are dropped (the book is in memory)."""
        self._ready = False
        await self.feed.stop()
        self._inbox.clear()

    def is_ready(self) -> bool:
        """Return whether the venue takes orders now."""
        return self._ready

    def submit(self, order: VenueOrder) -> None:
        """Queue a new order; its ack (or reject) and fills come through the report sink."""
        if self._reject_probability and self._dice.random() < self._reject_probability:
            self._enqueue(self.exchange.reject, order, "venue unavailable (simulated)")
            return
        self._enqueue(self.exchange.submit, order)

    def book(self, symbol: Symbol, side: Side, levels: int) -> list[tuple[Decimal, Decimal]]:
        """Return up to ``levels`` (price, size) of one side of this venue's own book, best first."""
        market = self.exchange.markets.get(symbol)
        return market.book.depth(side, levels) if market is not None else []

    def cancel(self, order: VenueOrder) -> None:
        """Queue a cancel; a canceled report or a cancel reject follows."""
        self._enqueue(self.exchange.cancel, order)

    def replace(self, order: VenueOrder, new: VenueOrder) -> None:
        """Queue a cancel-replace; a replace report or a cancel reject follows."""
        self._enqueue(self.exchange.replace, order, new)

    async def status(self, order: VenueOrder) -> Sequence[Report]:
        """Return what the venue knows of an order; empty if it never arrived (e.g. before a restart)."""
        return self.exchange.status(order)

    async def open_orders(self) -> Sequence[VenueOrderState]:
        """Return every order working at the paper exchange."""
        return self.exchange.open_orders()

    async def positions(self) -> Sequence[VenuePosition] | None:
        """Return None: the paper exchange keeps no positions of its own (ordergate's are the only ones)."""
        return None

    async def balances(self) -> Sequence[VenueBalance] | None:
        """Return None: the paper exchange keeps no cash of its own (ordergate's accounts are the only ones)."""
        return None

    def step_market(self) -> None:
        """Advance the simulated markets one tick now (what the timer does; handy for tests and tools)."""
        self.exchange.tick()

    # -- the request queue --------------------------------------------------------------------------------

    def _enqueue(self, handler: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None or not self._ready:
            raise RuntimeError("paper venue is not started")
        self._inbox.append((loop.time() + self.config.ack_latency, handler, args))
        if not self._drain_scheduled:
            self._schedule_drain(loop)

    def _schedule_drain(self, loop: asyncio.AbstractEventLoop) -> None:
        self._drain_scheduled = True
        due = self._inbox[0][0]
        if self.config.ack_latency:
            loop.call_at(due, self._drain)
        else:
            loop.call_soon(self._drain)

    def _drain(self) -> None:
        # One queue drained in order, rather than one timer per request: timers due at the same
        # instant are not guaranteed to run in the order they were set, and a cancel must never
        # overtake the order it cancels.
        self._drain_scheduled = False
        loop = self._loop
        if loop is None:
            return
        now = loop.time() + 0.001  # the loop may run a timer up to its clock resolution early
        inbox = self._inbox
        while inbox and inbox[0][0] <= now:
            _, handler, args = inbox.popleft()
            try:
                handler(*args)
            except Exception:  # a bug must not stop the venue: leave a trace, keep serving
                log.exception("paper_request_failed", handler=handler.__name__)
        if inbox:
            self._schedule_drain(loop)
        self._schedule_publish(loop)

    def _schedule_publish(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._publish_scheduled and self.exchange.dirty:
            self._publish_scheduled = True
            loop.call_soon(self._publish)

    def _publish(self) -> None:
        self._publish_scheduled = False
        self.exchange.publish_dirty()
