"""The engine's message loop: one consumer, group commit, answers and venue requests after the commit.

Commands and venue reports share one queue. The consumer handles each to the end (no await inside),
then hands its outcome to the writer. The writer commits everything that has accumulated in one
transaction while the consumer keeps going; when the commit returns, the callers get their answers,
the venue requests go out and the events are published. Nothing is acknowledged before it is durable,
and no order reaches a venue before it is recorded.
"""

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from typing import Any

import structlog

from ordergate.domain.enums import OrderStatus
from ordergate.domain.errors import DomainError
from ordergate.domain.ids import VenueId
from ordergate.domain.reports import ConnectionReport, OrderStatusReport, Report
from ordergate.service.engine import OrderEngine
from ordergate.service.outcome import Outcome, VenueAction, VenueRequest
from ordergate.service.ports import CommitBatch, EventSink, Journal, Venue

log = structlog.get_logger(__name__)


class EngineStopped(RuntimeError):
    """The engine is not running (stopped, or halted after a failed commit)."""


class EngineLoop:
    """Run an OrderEngine behind a queue, with group commit to a Journal."""

    def __init__(
        self, engine: OrderEngine, journal: Journal, venues: Mapping[VenueId, Venue], sink: EventSink,
        max_batch: int = 1024,
    ) -> None:
        self.engine = engine
        self._journal = journal
        self._venues = venues
        self._sink = sink
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[object, asyncio.Future[Any] | None]] = asyncio.Queue()
        self._pending: list[tuple[Outcome, asyncio.Future[Any] | None]] = []
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.failure: BaseException | None = None
        self.commits = 0
        self.committed_events = 0
        self.durable_seq = engine.ledger.last_seq
        self._durable_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self.connection_listeners: list[Callable[[ConnectionReport], None]] = []
        self._stopping = False
        self._committing = False

    @property
    def running(self) -> bool:
        """Return whether commands are being taken."""
        return bool(self._tasks) and self.failure is None

    async def start(self) -> None:
        """Start the consumer and the writer."""
        self._tasks = [asyncio.create_task(self._consume()), asyncio.create_task(self._write())]

    async def stop(self) -> None:
        """Handle what is queued, commit it (and the commit in flight), answer its callers, send its venue
        requests, and only then stop."""
        if not self._tasks:
            return
        self._stopping = True
        consumer, writer = self._tasks
        while self.failure is None and not self._queue.empty():
            await asyncio.sleep(0.002)
        consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer
        self._wake.set()
        while self.failure is None and (self._pending or self._committing):
            await asyncio.sleep(0.002)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
        self._tasks = []

    async def execute(self, command: object) -> Any:
        """Handle a command; return its reply once its events are durable, or raise its error."""
        if not self.running or self._stopping:
            raise EngineStopped(f"engine not running: {self.failure or 'stopped'}")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((command, future))
        return await future

    async def wait_durable(self, seq: int) -> None:
        """Return once every event up to ``seq`` is committed (reads never show what a crash would undo)."""
        if seq <= self.durable_seq:
            return
        if not self.running:
            raise EngineStopped(f"engine not running: {self.failure or 'stopped'}")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._durable_waiters.append((seq, future))
        await future

    def followed(self, seq: int) -> None:
        """Mark events up to ``seq`` durable: a standby applied them from the journal, where they are."""
        self._mark_durable(seq)

    def report(self, report: Report | ConnectionReport) -> None:
        """Queue a venue report (the venues' ReportSink); tell the connection listeners of a (re)connect."""
        if isinstance(report, ConnectionReport):
            log.info("venue_connection", venue=report.venue, connected=report.connected, reason=report.reason)
            for listener in self.connection_listeners:
                listener(report)
            return
        if self.failure is not None:
            return  # halted: the venue's truth is asked again by reconciliation after the restart
        self._queue.put_nowait((report, None))

    def queue_depth(self) -> int:
        """Return how many messages wait to be handled."""
        return self._queue.qsize()

    async def _consume(self) -> None:
        queue = self._queue
        while self.failure is None:
            self._handle(*await queue.get())
            handled = 1
            while self.failure is None and handled < self._max_batch and not queue.empty():
                self._handle(*queue.get_nowait())
                handled += 1
            self._wake.set()
        self._refuse_queued()

    def _handle(self, message: object, future: asyncio.Future[Any] | None) -> None:
        if self.failure is not None:
            _answer_error(future, EngineStopped(f"engine not running: {self.failure}"))
            return
        try:
            outcome = self.engine.handle(message)
        except Exception as e:
            if self.engine.in_progress().events:
                # Events were applied to memory before the handler raised: memory is now ahead of anything
                # that could be journaled. Commit nothing of this message and stop; a restart rebuilds.
                self._halt(e, message)
                _answer_error(future, EngineStopped(f"engine halted: {e}"))
            elif isinstance(e, DomainError):
                if future is None:
                    log.warning("report_refused", error=str(e), report=type(message).__name__)
                _answer_error(future, e)
            else:  # a bug before any change: answer the caller, keep the loop alive, leave a trace
                log.exception("engine_handler_failed", message=type(message).__name__)
                _answer_error(future, e)
            return
        if outcome.events or outcome.requests or future is not None:
            self._pending.append((outcome, future))

    def _halt(self, error: BaseException, message: object) -> None:
        # The messages handled before this one are complete, but the projections of the objects this one
        # touched would carry its unjournaled changes: commit none of them (none was acknowledged yet).
        self.failure = error
        log.critical("engine_halted_mid_message", error=str(error), message=type(message).__name__,
                     exc_info=error)
        pending, self._pending = self._pending, []
        for _, future in pending:
            _answer_error(future, EngineStopped(f"engine halted: {error}"))
        self._fail_durable_waiters(error)
        self._wake.set()

    def _refuse_queued(self) -> None:
        while not self._queue.empty():
            _, future = self._queue.get_nowait()
            _answer_error(future, EngineStopped(f"engine not running: {self.failure}"))

    async def _write(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.failure is not None:
                return
            if not self._pending:
                continue
            batch, self._pending = self._pending, []
            events = [e for outcome, _ in batch for e in outcome.events]
            changes = self.engine.ledger.take_changes()
            prepared = self._journal.prepare(CommitBatch(
                events, list(changes.orders.values()), list(changes.positions.values()),
                list(changes.accounts.values()),
            ))
            self._committing = True
            try:
                if events:
                    # shielded: a stop waits for the commit in flight instead of abandoning its answers
                    await asyncio.shield(asyncio.to_thread(self._journal.commit, prepared))
            except Exception as e:
                self._committing = False
                self._fail(e, batch)
                return
            self._committing = False
            self.commits += 1
            self.committed_events += len(events)
            if events:
                self._mark_durable(events[-1].seq)
            self._deliver(batch)
            if events:
                self._sink.publish(events)
            self._roll()

    def _roll(self) -> None:
        """At a new trading day, let the orders that ended before it leave memory: between messages, and only
        with everything applied committed (one that left is read back from the journal)."""
        ledger = self.engine.ledger
        if ledger.eviction is None or self.durable_seq != ledger.last_seq or self._pending:
            return
        now = self.engine.clock.now()
        if now < ledger.next_roll:
            return
        count = ledger.evict_ended(now)
        log.info("ended_orders_left_memory", orders=count, in_memory=len(ledger.orders),
                 ended=ledger.ended.total())

    def _mark_durable(self, seq: int) -> None:
        self.durable_seq = seq
        if not self._durable_waiters:
            return
        waiting = []
        for wanted, future in self._durable_waiters:
            if wanted <= seq:
                if not future.done():
                    future.set_result(None)
            else:
                waiting.append((wanted, future))
        self._durable_waiters = waiting

    def _deliver(self, batch: list[tuple[Outcome, asyncio.Future[Any] | None]]) -> None:
        for outcome, future in batch:
            if future is not None and not future.done():
                future.set_result(outcome.reply)
            for request in outcome.requests:
                self._send(request)

    def _send(self, request: VenueRequest) -> None:
        venue = self._venues.get(request.venue)
        if venue is None:
            log.error("unknown_venue", venue=request.venue, order_id=request.order.order_id)
            self._not_taken(request, "the venue is not running")
            return
        try:
            if request.action is VenueAction.SUBMIT:
                venue.submit(request.order)
            elif request.action is VenueAction.CANCEL:
                venue.cancel(request.order)
            elif request.new is not None:
                venue.replace(request.order, request.new)
        except Exception as e:
            log.exception("venue_request_failed", venue=request.venue, action=request.action,
                          order_id=request.order.order_id)
            self._not_taken(request, f"the venue did not take the order: {e}")

    def _not_taken(self, request: VenueRequest, reason: str) -> None:
        """Refuse a child the venue never took (its submit raised before queueing), so its rest goes on.

        A venue's request methods queue and return; one that raises took nothing, which is the venue's word
        that it does not hold the order. A plain order waits for its venue instead (sent again when back).
        """
        if request.child and request.action is VenueAction.SUBMIT:
            self.report(OrderStatusReport(order_id=request.order.order_id, venue=request.venue,
                                          ts=self.engine.clock.now(), status=OrderStatus.REJECTED, reason=reason,
                                          venue_fault=True))

    def _fail(self, error: Exception, batch: list[tuple[Outcome, asyncio.Future[Any] | None]]) -> None:
        # Memory is now ahead of the database: stop taking commands rather than acknowledge anything
        # that is not durable. A restart rebuilds state from the journal.
        self.failure = error
        log.critical("journal_commit_failed", error=str(error))
        self._wake.set()
        later, self._pending = self._pending, []
        for _, future in batch + later:
            _answer_error(future, EngineStopped(f"journal commit failed: {error}"))
        self._fail_durable_waiters(error)

    def _fail_durable_waiters(self, error: BaseException) -> None:
        for _, waiter in self._durable_waiters:
            _answer_error(waiter, EngineStopped(f"engine stopped: {error}"))
        self._durable_waiters = []


def _answer_error(future: "asyncio.Future[Any] | None", error: BaseException) -> None:
    if future is not None and not future.done():
        future.set_exception(error)
