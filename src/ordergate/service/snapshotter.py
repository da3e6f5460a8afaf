"""Snapshots of the fold, in the background and at a clean stop, without stalling the engine for the writing.

The copy is taken between two messages (on the event loop, where the engine handles them: nothing is
applied meanwhile), then waits until every event it covers is durable, and is encoded and written on a
worker thread. A start then loads the newest snapshot and replays only the journal after it.
"""

import asyncio
import contextlib
import time
from typing import Any, Protocol

import structlog

from ordergate.domain.ledger import Ledger
from ordergate.service.engine_loop import EngineLoop, EngineStopped

log = structlog.get_logger(__name__)


class SnapshotSink(Protocol):
    """Where snapshots go: ``take`` copies the fold (between messages), ``write`` stores a copy (any thread)."""

    def take(self, ledger: Ledger) -> Any:
        """Return a copy of the fold that shares nothing mutable with it, and knows its ``seq``."""

    def write(self, copy: Any) -> int:
        """Encode and store a copy; return its size in bytes."""


class Snapshotter:
    """Write a snapshot every ``interval`` seconds once ``min_events`` events were journaled since the last."""

    def __init__(self, loop: EngineLoop, sink: SnapshotSink, interval: float, min_events: int,
                 covered: int = 0) -> None:
        self._loop = loop
        self._sink = sink
        self._interval = interval
        self._min_events = min_events
        self.covered = covered  # the journal position the newest stored snapshot covers
        self.written = 0
        self.last_copy_seconds = 0.0  # how long the newest copy held the event loop (the engine waited)
        self.last_size = 0
        self._task: asyncio.Task[None] | None = None
        self._writing = asyncio.Lock()

    def start(self) -> None:
        """Start the background timer (none when the interval is 0)."""
        if self._interval > 0:
            self._task = asyncio.create_task(self._every())

    async def stop(self) -> None:
        """Stop the timer (a write in flight finishes first)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        async with self._writing:
            pass

    async def _every(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            if self._loop.engine.ledger.last_seq - self.covered >= self._min_events:
                try:
                    await self.snapshot()
                except Exception:
                    log.exception("snapshot_failed")

    async def snapshot(self) -> int | None:
        """Write a snapshot of the fold as it is now, once durable; return the sequence it covers (None: none)."""
        async with self._writing:
            ledger = self._loop.engine.ledger
            if self._loop.failure is not None or ledger.last_seq <= self.covered:
                return None  # a halted engine's memory may be ahead of the journal; nothing new otherwise
            started = time.perf_counter()
            copy = self._sink.take(ledger)  # no await before this returns: no message is handled meanwhile
            took = time.perf_counter() - started
            try:
                await self._loop.wait_durable(copy.seq)
            except EngineStopped:
                return None
            size = await asyncio.to_thread(self._sink.write, copy)
            self.covered, self.last_copy_seconds, self.last_size = copy.seq, took, size
            self.written += 1
            log.info("snapshot_written", seq=copy.seq, bytes=size, copy_ms=round(1000 * took, 1),
                     total_ms=round(1000 * (time.perf_counter() - started), 1))
            return int(copy.seq)
