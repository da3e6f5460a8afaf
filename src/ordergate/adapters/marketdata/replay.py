"""Replay a recorded market data file into a hub, as fast as possible or at (scaled) real speed.

The file format and its reading live in ``replay_file``. A file cannot be asked for anything: when a book
loses data, the replay resynchronises at the file's next snapshot of that symbol, if there is one.
"""

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

import structlog

from ordergate.adapters.marketdata.replay_file import (
    FileIndex,
    ReplayError,
    ReplayResult,
    parse_row,
    read_events,
    record_error,
    scan_file,
)
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketEvent
from ordergate.service.ports import Clock, FeedState

__all__ = ["MarketTarget", "ReplayError", "ReplayFeed", "ReplayResult", "parse_row", "read_events"]
log = structlog.get_logger(__name__)


class MarketTarget(Protocol):
    """Where replayed events go (MarketDataHub is one)."""

    def apply(self, event: MarketEvent) -> bool:
        """Apply one event; return whether it changed anything."""
        ...


class ReplayFeed:
    """Drive a target from a recorded file (a ``MarketDataFeed``).

    ``speed`` 0 replays as fast as possible; 1 at the recorded pace; 10 ten times faster. With ``rebase``
    the times are replayed times: each pass starts now (by ``clock``) and its times are the file's
    distances from its first event divided by ``speed``, so they keep pace with the clock and a live
    server's staleness checks, rolling windows and bars stay meaningful; flat out (speed 0) the times keep
    the file's spacing and end now. ``loop`` starts over at the end, never earlier than the last pass's
    newest time. Without ``rebase`` the events keep the file's own times.
    """

    def __init__(self, path: Path, target: MarketTarget, *, speed: float = 0.0, clock: Clock | None = None,
                 rebase: bool = False, loop: bool = False) -> None:
        if speed < 0:
            raise ValidationFailed("speed", "non_negative", "must be 0 (as fast as possible) or more")
        if rebase and clock is None:
            raise ValidationFailed("clock", "required", "is required to rebase timestamps")
        self.path, self.target, self.speed = path, target, speed
        self.clock, self.rebase, self.loop = clock, rebase, loop
        self.result = ReplayResult()
        self.name = "replay"
        self._task: asyncio.Task[ReplayResult] | None = None
        self._stopped = False
        self._index: FileIndex | None = None
        self._looping = False  # a pass is under way that will start over at the end
        self._warned: set[Symbol] = set()

    def run_sync(self) -> ReplayResult:
        """Replay the whole file once, as fast as possible, ignoring ``speed``."""
        self._looping = False
        for _, _, event in self.schedule(paced=False, loop=False):
            self._deliver(event)
        return self.result

    async def run(self) -> ReplayResult:
        """Replay at the configured speed (once, or forever with ``loop``)."""
        self._looping = self.loop
        paced, clock, current, started = self.speed > 0, asyncio.get_running_loop().time, 0, 0.0
        for number, due, event in self.schedule(paced=paced, loop=self.loop):
            if number != current:
                if current:
                    await asyncio.sleep(0)  # a short file looped flat out must not starve the loop
                current, started = number, clock()
            if paced:
                wait = started + due - clock()
                if wait > 0:
                    await asyncio.sleep(wait)
            elif self.result.events % 1000 == 999:
                await asyncio.sleep(0)  # let the server breathe during a flat-out replay
            self._deliver(event)
        return self.result

    def schedule(self, *, paced: bool, loop: bool) -> Iterator[tuple[int, float, MarketEvent]]:
        """Yield (pass number, seconds after the pass start when due, event with its replayed time).

        A pass's start is taken when its first event is asked for, so a paced caller keeps the replayed
        times in step with the clock.
        """
        speed = self.speed if paced else 0.0
        newest: datetime | None = None
        number = 0
        while True:
            number += 1
            base, first = self._pass_start(speed, newest), None
            for event in read_events(self.path, self.result):
                first = event.ts if first is None else first
                offset = event.ts - first
                if base is not None:
                    event.ts = base + (offset / speed if speed else offset)
                    newest = event.ts if newest is None or event.ts > newest else newest
                yield number, offset.total_seconds() / speed if speed else 0.0, event
            if not loop or first is None:
                return

    async def start(self) -> None:
        """Run in the background on the running event loop (nothing happens if already running)."""
        if self._task is None or self._task.done():
            self._stopped = False
            self._task = asyncio.get_running_loop().create_task(self.run(), name="replay-feed")
            self._task.add_done_callback(_log_failure)

    async def stop(self) -> None:
        """Stop a background replay (nothing happens if none runs)."""
        task, self._task = self._task, None
        if task is not None:
            self._stopped = True
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def state(self) -> FeedState:
        """Return LIVE while replaying, FINISHED after the end of a file played once, FAILED on an error."""
        task = self._task
        if task is None:
            return FeedState.STOPPED if self._stopped else FeedState.IDLE
        if not task.done():
            return FeedState.LIVE
        if task.cancelled():
            return FeedState.STOPPED
        return FeedState.FAILED if task.exception() is not None else FeedState.FINISHED

    def symbols(self) -> frozenset[Symbol]:
        """Return the symbols the file covers (read once, then remembered)."""
        return self._scan().symbols

    def request_snapshot(self, symbol: Symbol) -> bool:
        """Resynchronise at the file's next snapshot of ``symbol``: return whether one is still to come.

        A file cannot be asked for a fresh snapshot. The book holds (after a gap it ignores the updates)
        until the replay reaches the symbol's next snapshot row, or the first one of the next pass when
        looping. With none ahead, log a warning (once per symbol) and return False: the book is then stale.
        """
        line, index = self.result.line, self._scan()
        if index.snapshot_after(symbol, line) or (self._looping and symbol in index.last_snapshot_line):
            log.info("replay_resyncs_at_next_snapshot", symbol=symbol, line=line)
            return True
        if symbol not in self._warned:
            self._warned.add(symbol)
            log.warning("replay_has_no_snapshot_ahead", symbol=symbol, line=line, file=str(self.path))
        return False

    def _scan(self) -> FileIndex:
        if self._index is None:
            self._index = scan_file(self.path)
        return self._index

    def _pass_start(self, speed: float, newest: datetime | None) -> datetime | None:
        """Return when a pass's first event happens (None: the file's own times)."""
        if not self.rebase or self.clock is None:
            return None
        start = self.clock.now()
        if not speed:
            start -= self._scan().span  # flat out, the pass ends now instead of running ahead of the clock
        return start if newest is None or start > newest else newest

    def _deliver(self, event: MarketEvent) -> None:
        self.result.events += 1
        try:
            if self.target.apply(event):
                self.result.applied += 1
        except ValidationFailed as exc:
            record_error(self.result, ReplayError(0, exc.field, f"{exc.message} (event {self.result.events})"))


def _log_failure(task: "asyncio.Task[ReplayResult]") -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("replay_failed", error=str(task.exception()))
