"""AlpacaVenue: US equities at Alpaca behind the Venue port.

Requests return at once; each runs in the background, in arrival order per order (a cancel never overtakes
the submit it cancels). What Alpaca says comes back as reports: answers to our requests, and every
``trade_updates`` event. Each time the stream comes up (again) a ConnectionReport tells the engine to
reconcile, which asks ``status``, ``open_orders`` and ``positions``.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import structlog

from ordergate.adapters.venues.alpaca.bulk import AlpacaBulkStatus
from ordergate.adapters.venues.alpaca.config import AlpacaConfig
from ordergate.adapters.venues.alpaca.http import AlpacaHttp, AlpacaObserver
from ordergate.adapters.venues.alpaca.lookup import AlpacaLookup
from ordergate.adapters.venues.alpaca.orders import TrackedOrders
from ordergate.adapters.venues.alpaca.requests import AlpacaRequests
from ordergate.adapters.venues.alpaca.stream import TradeUpdatesStream
from ordergate.adapters.venues.alpaca.updates import UpdateReader
from ordergate.domain.ids import OrderId, Symbol, VenueId
from ordergate.domain.instruments import Instrument
from ordergate.domain.reports import ConnectionReport, Report
from ordergate.service.ports import Clock, ReportSink, VenueBalance, VenueOrder, VenueOrderState, VenuePosition

log = structlog.get_logger(__name__)
BULK_FROM = 3  # orders to reconcile from which listings cost fewer requests than one look-up each


class AlpacaVenue:
    """Trade through one Alpaca account (paper unless configured live)."""

    id = VenueId("alpaca")

    def __init__(self, config: AlpacaConfig, instruments: Mapping[Symbol, Instrument], clock: Clock,
                 observer: AlpacaObserver | None = None) -> None:
        self.config, self.clock = config, clock
        ours = {s: i.venue_symbols["alpaca"] for s, i in instruments.items() if "alpaca" in i.venue_symbols}
        self.symbols: dict[Symbol, str] = ours
        theirs = {alpaca: symbol for symbol, alpaca in ours.items()}
        self.http = AlpacaHttp(config, config.trading_url(), observer)
        self.orders = TrackedOrders()
        self.reader = UpdateReader(self.id, self.orders, clock.now)
        self.lookup = AlpacaLookup(self.id, self.http, self.orders, theirs, clock.now)
        self.bulk = AlpacaBulkStatus(self.lookup, self.orders, clock.now)
        self.requests = AlpacaRequests(self.id, self.http, self.lookup, self.orders, self.reader, ours,
                                       self._emit, clock.now)
        self.stream = TradeUpdatesStream(config, self._on_update, self._on_stream, observer)
        self._sink: ReportSink | None = None
        self._started = False
        self._queues: dict[OrderId, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, sink: ReportSink) -> None:
        """Start the ``trade_updates`` stream; reports go to ``sink`` from now on."""
        self._sink = sink
        self._started = True
        self.stream.start()

    async def stop(self) -> None:
        """Stop the stream, finish nothing more, close the HTTP pool."""
        self._started = False
        await self.stream.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.http.close()

    def is_ready(self) -> bool:
        """Return whether orders can go out and their reports come back (started, stream connected)."""
        return self._started and self.stream.connected

    def health(self) -> dict[str, object]:
        """Return the connection's state for /ready: the stream, its (re)connects, paper or live."""
        return {"stream": "connected" if self.stream.connected else "down", "stream_connects": self.stream.connects,
                "account": "live" if self.config.live else "paper",
                "unknown_order_updates": self.reader.unknown}

    def submit(self, order: VenueOrder) -> None:
        """Send a new order (in the background)."""
        self._in_order(order.order_id, lambda: self.requests.submit(order))

    def cancel(self, order: VenueOrder) -> None:
        """Ask Alpaca to cancel (in the background); ``canceled`` or a cancel reject follows."""
        self._in_order(order.order_id, lambda: self.requests.cancel(order))

    def replace(self, order: VenueOrder, new: VenueOrder) -> None:
        """Ask Alpaca to replace (in the background); a replace report or a cancel reject follows."""
        self._in_order(order.order_id, lambda: self.requests.replace(order, new))

    async def status(self, order: VenueOrder) -> Sequence[Report]:
        """Return Alpaca's status of our order (following replaces) and its fills; empty if it never got it."""
        tracked = self.orders.track(order)
        first = await self.lookup.by_client_order_id(order.client_order_id)
        if first is None:
            return []
        return await self.lookup.reports(tracked, first)

    async def statuses(self, orders: Sequence[VenueOrder]) -> dict[OrderId, Sequence[Report]]:
        """Return Alpaca's reports for many orders: one by one for a few, else from bulk listings (a few
        requests, whatever the count, so that reconciliation keeps within Alpaca's request limit)."""
        if len(orders) < BULK_FROM:
            return {o.order_id: await self.status(o) for o in orders}
        return dict(await self.bulk.statuses(orders))

    async def open_orders(self) -> Sequence[VenueOrderState]:
        """Return every order open at Alpaca, ours or not."""
        return await self.lookup.open_orders()

    async def positions(self) -> Sequence[VenuePosition] | None:
        """Return Alpaca's positions."""
        return await self.lookup.positions()

    async def balances(self) -> Sequence[VenueBalance] | None:
        """Return Alpaca's cash and buying power."""
        return await self.lookup.balances()

    # -- plumbing -------------------------------------------------------------------------------------------

    def _in_order(self, order_id: OrderId, work: Callable[[], Awaitable[None]]) -> None:
        if not self._started:
            raise RuntimeError("alpaca venue is not started")
        previous = self._queues.get(order_id)

        async def run() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            try:
                await work()
            except Exception:  # a failed request must not stop the venue; reconciliation will ask again
                log.exception("alpaca_request_failed", order_id=order_id)

        task = asyncio.get_running_loop().create_task(run())
        self._queues[order_id] = task
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._done(order_id, t))

    def _done(self, order_id: OrderId, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._queues.get(order_id) is task:
            del self._queues[order_id]

    def _emit(self, reports: list[Report]) -> None:
        if self._sink is None:
            return
        for report in reports:
            self._sink(report)

    def _on_update(self, data: dict[str, Any]) -> None:
        self._emit(self.reader.read(data))

    def _on_stream(self, connected: bool, reason: str) -> None:
        if self._sink is not None:
            self._sink(ConnectionReport(venue=self.id, ts=self.clock.now(), connected=connected, reason=reason))
