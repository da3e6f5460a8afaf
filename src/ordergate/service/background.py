"""Background work: expire DAY and GTD orders, and chase orders stuck in a pending state."""

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Protocol

import structlog

from ordergate.domain.commands import ExpireOrders
from ordergate.domain.ids import VenueId
from ordergate.service.engine import snapshot
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
        """Ask the venue about orders pending longer than allowed, and feed its answers to the engine."""
        now = self._clock.now()
        for order in list(self._loop.engine.ledger.open_orders.values()):
            if not order.status.is_pending:
                continue
            if (now - order.updated_at).total_seconds() < self._timing.stuck_after:
                continue
            venue = self._venues.get(order.venue)
            if venue is None:
                continue
            self.stuck_seen += 1
            log.warning("order_stuck_pending", order_id=order.id, status=order.status, since=order.updated_at)
            for report in await venue.status(snapshot(order)):
                self._loop.report(report)
