"""Reconciliation: make the books agree with each venue, and say what could not be made to agree.

It runs at start, whenever a venue's session (re)connects, and periodically. For every open order the venue
is asked for its status and fills (in a few bulk requests where the venue offers that); each answer goes to
the engine as one ReconcileOrder message (missing fills applied, final states taken, lost requests sent
again). Then the venue's own open orders, positions and cash are compared with ours; what differs is a
discrepancy, reported by class (API, metrics, log), never overwritten: the journal only records what a venue
reported about our orders.
"""

import asyncio
import contextlib
from collections import Counter, deque
from collections.abc import Callable, Mapping
from decimal import Decimal

import structlog

from ordergate.domain.commands import ReconcileOrder
from ordergate.domain.errors import DomainError
from ordergate.domain.ids import Symbol, VenueId
from ordergate.domain.order import Order
from ordergate.domain.reports import ConnectionReport
from ordergate.service.cash_check import accounts_at, compare_cash
from ordergate.service.context import snapshot
from ordergate.service.engine_loop import EngineLoop
from ordergate.service.order_reconcile import ReconcileResult
from ordergate.service.ports import Clock, Venue, VenueOrderState, statuses_of
from ordergate.service.reconcile_report import Discrepancy, ReconciliationRun
from ordergate.service.venue_selector import VenueSelector

log = structlog.get_logger(__name__)
KEEP_RUNS = 50
ZERO = Decimal(0)


class Reconciler:
    """Reconcile every venue on demand, on reconnect and on a timer; keep the recent runs."""

    def __init__(
        self, loop: EngineLoop, venues: Mapping[VenueId, Venue], clock: Clock, interval: float = 60.0,
        max_resends: int = 5, on_discrepancy: Callable[[Discrepancy], None] | None = None,
        cash_tolerance: Decimal = Decimal("0.01"),
    ) -> None:
        self._loop = loop
        self._venues = venues
        self._clock = clock
        self._interval = interval
        self._max_resends = max_resends
        self._on_discrepancy = on_discrepancy
        self._cash_tolerance = cash_tolerance
        self.runs: deque[ReconciliationRun] = deque(maxlen=KEEP_RUNS)
        self.discrepancies: Counter[str] = Counter()  # by class, since start
        self._tasks: set[asyncio.Task[ReconciliationRun]] = set()
        self._timer: asyncio.Task[None] | None = None
        loop.connection_listeners.append(self._on_connection)

    def start(self) -> "asyncio.Task[list[ReconciliationRun]]":
        """Reconcile every venue now (in the background), then periodically; return the first pass's task."""
        first = asyncio.create_task(self.run_all("start"))
        self._timer = asyncio.create_task(self._every())
        return first

    async def stop(self) -> None:
        """Stop the timer and any run in progress."""
        tasks = [t for t in (self._timer, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._timer, self._tasks = None, set()

    async def run_all(self, reason: str) -> list[ReconciliationRun]:
        """Reconcile every venue once."""
        return [await self.run(venue_id, reason) for venue_id in list(self._venues)]

    async def run(self, venue_id: VenueId, reason: str) -> ReconciliationRun:
        """Reconcile one venue: its answer on each open order of ours, then its orders, positions and cash."""
        venue = self._venues[venue_id]
        run = ReconciliationRun(venue=venue_id, reason=reason, started=self._clock.now())
        try:
            await self._orders(venue, run)
            await self._venue_orders(venue, run)
            await self._positions(venue, run)
            await self._cash(venue, run)
        except Exception as e:  # a venue that cannot answer now: say so, try again on the next trigger
            run.error = f"{type(e).__name__}: {e}"
            log.warning("reconciliation_failed", venue=venue_id, reason=reason, error=run.error)
        run.finished = self._clock.now()
        self.runs.append(run)
        if run.discrepancies or run.resent or run.applied:
            log.info("reconciled", **run.summary())
        return run

    async def _orders(self, venue: Venue, run: ReconciliationRun) -> None:
        ledger = self._loop.engine.ledger
        ours = [o for o in ledger.at_venues() if o.venue == venue.id]
        answers = await statuses_of(venue, [snapshot(o) for o in ours])
        asked = [(order, list(reports)) for order, reports in zip(ours, answers, strict=True)]
        if not self._loop.running:
            return
        # every answer at once: the engine handles them back to back and commits them together
        results = await asyncio.gather(*(self._loop.execute(ReconcileOrder(
            order_id=order.id, reports=reports, known=bool(reports), max_resends=self._max_resends,
            requested_by=f"reconciliation:{run.reason}",
        )) for order, reports in asked), return_exceptions=True)
        for (order, _), result in zip(asked, results, strict=True):
            if isinstance(result, BaseException):
                run.error = f"{type(result).__name__}: {result}"
                continue
            self._tally(run, venue, order, result)

    def _tally(self, run: ReconciliationRun, venue: Venue, order: Order, result: ReconcileResult) -> None:
        run.checked += 1
        run.applied += result.applied
        if result.resent:
            run.resent += 1
        if result.unknown_at_venue:
            self._found(run, Discrepancy("unknown_at_venue", venue.id, order_id=order.id,
                                         detail=f"{order.status} here; the venue has no such order"))
        if result.escalated:
            self._found(run, Discrepancy("unanswered_request", venue.id, order_id=order.id,
                                         detail=f"{order.status} after {order.resends} re-sends"))

    async def _venue_orders(self, venue: Venue, run: ReconciliationRun) -> None:
        ledger = self._loop.engine.ledger
        for state in await venue.open_orders():
            ours = ledger.find(state.order_id) if state.order_id is not None else None
            if ours is None:
                self._found(run, Discrepancy("unknown_here", venue.id, symbol=state.symbol,
                                             detail=_describe(state)))
            elif ours.status.is_terminal:
                self._found(run, Discrepancy("done_here_open_at_venue", venue.id, order_id=ours.id,
                                             detail=f"{ours.status} here; {_describe(state)}"))

    async def _positions(self, venue: Venue, run: ReconciliationRun) -> None:
        theirs = await venue.positions()
        if theirs is None:
            return  # the venue keeps no positions of its own
        engine = self._loop.engine
        at_venue: dict[Symbol, Decimal] = {}
        for held in theirs:
            at_venue[held.symbol] = at_venue.get(held.symbol, ZERO) + held.qty
        ours: dict[Symbol, Decimal] = {}
        for position in engine.ledger.positions_of():
            if _routes_to(engine.venues, position.symbol) == venue.id:
                ours[position.symbol] = ours.get(position.symbol, ZERO) + position.qty
        for symbol in sorted(set(at_venue) | set(ours)):
            here, there = ours.get(symbol, ZERO), at_venue.get(symbol, ZERO)
            if here != there:
                self._found(run, Discrepancy("position_mismatch", venue.id, symbol=symbol,
                                             detail=f"{here} here, {there} at the venue"))

    async def _cash(self, venue: Venue, run: ReconciliationRun) -> None:
        theirs = await venue.balances()
        if theirs is None:
            return  # the venue keeps no cash of its own
        accounts = accounts_at(self._loop.engine.ledger.accounts.values(), venue.id)
        if not accounts:
            run.cash_note = f"no open account trades only at {venue.id}: its cash is compared with none of ours"
            return
        compared, found = compare_cash(venue.id, theirs, accounts, self._cash_tolerance)
        run.cash = [c.as_dict() for c in compared]
        for discrepancy in found:
            self._found(run, discrepancy)

    def _found(self, run: ReconciliationRun, discrepancy: Discrepancy) -> None:
        run.discrepancies.append(discrepancy)
        self.discrepancies[discrepancy.kind] += 1
        log.warning("reconciliation_discrepancy", kind=discrepancy.kind, venue=discrepancy.venue,
                    order_id=discrepancy.order_id, symbol=discrepancy.symbol, detail=discrepancy.detail)
        if self._on_discrepancy is not None:
            self._on_discrepancy(discrepancy)

    def _on_connection(self, report: ConnectionReport) -> None:
        if report.connected and report.venue in self._venues and self._loop.running:
            task = asyncio.get_running_loop().create_task(self.run(report.venue, "reconnect"))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _every(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            if self._loop.running:
                await self.run_all("periodic")


def _routes_to(selector: VenueSelector, symbol: Symbol) -> VenueId | None:
    try:
        return selector.select(symbol)
    except DomainError:
        return None


def _describe(state: VenueOrderState) -> str:
    return (f"venue order {state.venue_order_id} ({state.client_order_id}) {state.side} {state.qty} "
            f"{state.symbol}, filled {state.filled_qty}, {state.status} at the venue")


