"""A standby's ledger follows the journal: what the leader commits is applied here too, in order.

So a standby serves reads from committed state, and when it takes over it replays only the tail it has
not seen yet, never the whole journal. When the journal's events reach a new trading day, the orders that
ended before it leave memory (domain/eviction.py), as they do on the leader. The leader commits one batch
at a time in sequence order, so the events after the last one applied are always the next ones: reading
``seq > last`` never skips any.
"""

import asyncio
import contextlib
from collections.abc import Callable
from itertools import islice

import structlog

from ordergate.domain.events import Event
from ordergate.domain.ledger import Ledger
from ordergate.service.ports import Journal

log = structlog.get_logger(__name__)
CHUNK = 5000  # events read per look: a standby far behind catches up in steps, answering reads meanwhile


class JournalFollower:
    """Poll the journal for events after the ledger's last one and apply them."""

    def __init__(self, journal: Journal, ledger: Ledger, on_events: Callable[[list[Event]], None],
                 interval: float = 0.05) -> None:
        self._journal = journal
        self._ledger = ledger
        self._on_events = on_events
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    @property
    def applied_seq(self) -> int:
        """Return the sequence number of the last event applied."""
        return self._ledger.last_seq

    @property
    def running(self) -> bool:
        """Return whether it follows the journal now."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Follow the journal in the background until ``stop``."""
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop following (what was applied stays applied)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def catch_up(self) -> int:
        """Apply every event committed so far; return how many."""
        total = 0
        while count := await self.follow_once():
            total += count
        return total

    async def follow_once(self) -> int:
        """Apply the next events the journal has (at most one chunk); return how many."""
        events = await asyncio.to_thread(self._read, self._ledger.last_seq)
        if events:
            self._apply(events)
        return len(events)

    def _read(self, after: int) -> list[Event]:
        reader = self._journal.read_events(after)
        try:
            return list(islice(reader, CHUNK))
        finally:
            close = getattr(reader, "close", None)
            if close is not None:
                close()  # a generator left open would hold its connection

    def _apply(self, events: list[Event]) -> None:
        ledger = self._ledger
        for event in events:
            ledger.apply(event)
        ledger.take_changes()  # the projections already hold them: nothing here writes
        last = events[-1]
        if ledger.eviction is not None and last.ts >= ledger.next_roll:
            ledger.evict_ended(last.ts)  # a new trading day: what ended before it leaves memory, as on the leader
        self._on_events(events)

    async def _run(self) -> None:
        while True:
            try:
                count = await self.follow_once()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the database may come back: keep trying, and say so
                log.warning("journal_follow_failed", error=str(e), applied_seq=self.applied_seq)
                count = 0
            if count < CHUNK:
                await asyncio.sleep(self._interval)
