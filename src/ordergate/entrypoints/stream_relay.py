"""The event stream shared by several instances through Redis.

The instance that commits publishes its events at once. An instance that follows the journal (a standby)
offers the events it reads there too, but publishes them only when they have been missing from Redis
for ``GRACE`` seconds (the leader died between its commit and its publish). Publishing is always of a run
of events that continues right after the newest one in Redis; an event's entries carry its journal
sequence in their ids, so Redis keeps the stream in journal order and refuses a second copy. Every
instance reads the Redis stream back and delivers each message to its own WebSocket clients, so a client
on any instance sees every event in journal order. A jump in the sequence read back (events that never
reached Redis, e.g. after Redis lost its data) is reported, never hidden.
"""

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Sequence

import structlog
from redis.exceptions import RedisError

from ordergate.adapters.shared.event_stream import Message, RedisEventStream
from ordergate.adapters.shared.link import BLOCK_SECONDS

log = structlog.get_logger(__name__)
OUTBOX_LIMIT = 100_000  # events waiting for Redis; past this the oldest are dropped (clients are told)
BATCH = 256  # events per Redis transaction
RETRY = 0.5  # seconds between tries while Redis does not answer
GRACE = 1.0  # seconds an event may be missing from Redis before a follower publishes it (or a gap is accepted)
WARN_EVERY = 30.0

Deliver = Callable[[int, str, bytes], None]  # (sequence, account, message)
Lost = Callable[[int, int], None]  # (last sequence delivered, next sequence found): the events between are lost


class StreamRelay:
    """Publish events' messages to the Redis stream, and deliver what it holds to this instance's clients."""

    def __init__(self, stream: RedisEventStream, deliver: Deliver, lost: Lost) -> None:
        self._stream = stream
        self._deliver = deliver
        self._lost = lost
        self.seen_seq = 0  # the newest event read back from Redis (delivered here)
        self._appended = 0  # the newest event this instance added
        self._after: bytes | None = None  # id of the last entry read back
        self._own: deque[Offered] = deque()  # committed here
        self._followed: deque[Offered] = deque()  # read from the journal
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._warned = 0.0

    async def start(self) -> None:
        """Start publishing and reading (from the stream's newest entry: older ones come by ``history``)."""
        self._tasks = [asyncio.create_task(self._publish()), asyncio.create_task(self._read())]

    async def stop(self) -> None:
        """Publish what this instance committed (briefly), then stop.

        The tasks are asked to stop, not cancelled, while they may be waiting on Redis: cancelling a
        blocking read there can leave it waiting for ever (seen with redis-py's hiredis parser).
        """
        for _ in range(20):
            if not self._own:
                break
            await asyncio.sleep(0.05)
        self._stopping = True
        self._wake.set()
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=BLOCK_SECONDS + 2 * RETRY)
            for task in late:
                task.cancel()
        self._tasks = []

    def offer(self, seq: int, messages: Sequence[Message]) -> None:
        """Queue the messages of an event committed here (no wait: the engine's writer calls this)."""
        _bounded(self._own).append((seq, messages, time.monotonic()))
        self._wake.set()

    def follow(self, seq: int, messages: Sequence[Message]) -> None:
        """Queue the messages of an event read from the journal: published only if still missing after GRACE."""
        _bounded(self._followed).append((seq, messages, time.monotonic()))

    async def history(self, since: int, accounts: frozenset[str] | None, limit: int) -> list[tuple[int, bytes]] | None:
        """Return the messages after ``since`` (of the accounts) up to the stream's newest, or None when
        Redis no longer keeps them all (trimmed, lost, from the future) or there are more than ``limit``."""
        try:
            bounds = await self._stream.bounds()
            if bounds is None:
                return [] if since == self.seen_seq else None
            first, last = bounds
            if since > last or since + 1 < first:
                return None
            found: list[tuple[int, bytes]] = []
            async for page in self._stream.pages(since, last):
                found.extend((seq, data) for _, seq, account, data in page if accounts is None or account in accounts)
                if len(found) > limit:
                    return None
        except (RedisError, OSError) as e:
            self._warn("redis_stream_history_failed", e)
            return None
        return found

    async def _publish(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(GRACE / 2):
                    await self._wake.wait()
            self._wake.clear()
            try:
                while await self._publish_run():
                    pass
            except (RedisError, OSError) as e:
                self._warn("redis_stream_publish_failed", e)
                await asyncio.sleep(RETRY)

    async def _publish_run(self) -> bool:
        """Publish one run of events that continues the stream; return whether there was one."""
        top = max(self.seen_seq, self._appended)
        for queue in (self._own, self._followed):
            while queue and queue[0][0] <= top:
                queue.popleft()
        stale = time.monotonic() - GRACE
        run = _run(self._own, top + 1) or (_run(self._followed, top + 1) if _older(self._followed, stale) else [])
        if not run and _older(self._own, stale):
            run = _run(self._own, self._own[0][0])  # nobody filled the gap before it: publish after it
        if not run:
            return False
        await self._stream.append([(seq, messages) for seq, messages, _ in run])
        self._appended = max(self._appended, run[-1][0])
        return True

    async def _read(self) -> None:
        while not self._stopping:
            try:
                if self._after is None:
                    self._after = await self._stream.top() or b"0-0"
                    self.seen_seq = int(self._after.split(b"-", 1)[0])
                entries = await self._stream.read(self._after)
            except (RedisError, OSError) as e:
                self._warn("redis_stream_read_failed", e)
                await asyncio.sleep(RETRY)
                continue
            for entry_id, seq, account, data in entries:
                if self.seen_seq and seq > self.seen_seq + 1:
                    self._lost(self.seen_seq, seq)
                self.seen_seq = max(self.seen_seq, seq)
                self._after = entry_id
                self._deliver(seq, account, data)

    def _warn(self, what: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY:
            self._warned = now
            log.warning(what, error=str(error)[:200])


Offered = tuple[int, Sequence[Message], float]  # (sequence, messages, when offered)


def _bounded(queue: deque[Offered]) -> deque[Offered]:
    if len(queue) >= OUTBOX_LIMIT:
        queue.popleft()  # Redis has not answered for long: the oldest give way (readers see the jump)
    return queue


def _older(queue: deque[Offered], than: float) -> bool:
    return bool(queue) and queue[0][2] <= than


def _run(queue: deque[Offered], first: int) -> list[Offered]:
    """Return the events at the head of ``queue`` that run on from ``first`` without a gap (at most BATCH)."""
    run: list[Offered] = []
    for item in queue:
        if item[0] != first + len(run) or len(run) >= BATCH:
            break
        run.append(item)
    return run
