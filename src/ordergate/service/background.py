"""Background work: expire DAY and GTD orders, and chase orders stuck in a pending state.

An order pending longer than ``stuck_after`` is asked about at its venue; the answer and what it leads to
(missing reports applied, the lost request sent again, or an alert after ``max_resends``) are one
ReconcileOrder message. Each re-send doubles the wait before the next look (exponential backoff).
"""

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

import structlog

from ordergate.domain.commands import ExpireOrders, ReconcileOrder
from ordergate.domain.errors import DomainError
from ordergate.domain.ids import VenueId
from ordergate.domain.order import Order
from ordergate.service.context import snapshot
from ordergate.service.engine_loop import EngineLoop
from ordergate.service.ports import Clock, Venue

log = structlog.get_logger(__name__)


class _Timing(Protocol):
    @property
    def expiry_interval(self) -> float: ...
    @property
    def stuck_after(self) -> float: ...
    @property
    def monitor_interval(self) -> float: ...
    @property
    def max_resends(self) -> int: ...

MAX_BACKOFF_DOUBLINGS = 6


class BackgroundWork:
    """Timers that feed the engine: expiry ticks and stuck-order checks."""

    def __init__(self, loop: EngineLoop, venues: Mapping[VenueId, Venue], clock: Clock, timing: _Timing) -> None:
        self._loop = loop
        self._venues = venues
        self._clock = clock
        self._timing = timing
        self._tasks: list[asyncio.Task[None]] = []
        self.stuck_seen = 0

    def start(self) -> None:
        """Start the timers."""
        self._tasks = [
            asyncio.create_task(self._every(self._timing.expiry_interval, self.expire_due)),
            asyncio.create_task(self._every(self._timing.monitor_interval, self.chase_stuck)),
        ]

    async def stop(self) -> None:
        """Stop the timers."""
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _every(self, seconds: float, work: "asyncio.Future[None] | object") -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await work()  # type: ignore[operator]
            except Exception:
                log.exception("background_work_failed", work=getattr(work, "__name__", str(work)))

    async def expire_due(self) -> None:
        """Ask the engine to expire every order whose time in force has ended."""
        if self._loop.running:
            await self._loop.execute(ExpireOrders(now=self._clock.now(), requested_by="expiry"))

    async def chase_stuck(self) -> None:
        """Ask the venue about orders pending longer than allowed; apply its answer and re-send what it lacks."""
        now = self._clock.now()
        for order in list(self._loop.engine.ledger.at_venues()):
            if not self._due(order, now):
                continue
            venue = self._venues.get(order.venue)
            if venue is None or not self._loop.running:
                continue
            self.stuck_seen += 1
            log.warning("order_stuck_pending", order_id=order.id, status=order.status, since=order.updated_at,
                        resends=order.resends)
            reports = list(await venue.status(snapshot(order)))
            try:
                await self._loop.execute(ReconcileOrder(
                    order_id=order.id, reports=reports, known=bool(reports), max_resends=self._timing.max_resends,
                    requested_by="stuck-order-monitor",
                ))
            except DomainError as e:
                log.warning("stuck_order_not_reconciled", order_id=order.id, error=str(e))

    def _due(self, order: Order, now: datetime) -> bool:
        if not order.status.is_pending or order.escalated:
            return False
        wait: float = self._timing.stuck_after * float(2 ** min(order.resends, MAX_BACKOFF_DOUBLINGS))
        return (now - order.updated_at).total_seconds() >= wait
