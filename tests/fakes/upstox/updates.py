"""Order updates fanned out to every portfolio stream connection, with the duplicate/reorder knobs."""

import asyncio
import threading
from typing import Any

from tests.fakes.upstox.faults import Faults

Message = dict[str, Any] | None  # None tells a connection to drop
HOLD_SECONDS = 0.05


class UpdateHub:
    """Deliver order updates to connected portfolio streams (thread-safe: orders change on any thread)."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._queues: dict[asyncio.Queue[Message], asyncio.AbstractEventLoop] = {}
        self._held: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self.sent = 0

    def attach(self) -> asyncio.Queue[Message]:
        """Return a queue of messages for a new connection (call on the connection's loop)."""
        queue: asyncio.Queue[Message] = asyncio.Queue()
        with self._lock:
            self._queues[queue] = asyncio.get_running_loop()
        return queue

    def detach(self, queue: asyncio.Queue[Message]) -> None:
        """Forget a closed connection."""
        with self._lock:
            self._queues.pop(queue, None)

    @property
    def connections(self) -> int:
        """Return how many streams are connected."""
        with self._lock:
            return len(self._queues)

    def publish(self, update: dict[str, Any]) -> None:
        """Send one update to every connection, duplicated or held back behind the next when the knobs say."""
        with self._lock:
            out: list[dict[str, Any]] = []
            if self.faults.chance(self.faults.reorder_chance) and self._held is None:
                self._held = update
                timer = threading.Timer(HOLD_SECONDS, self.flush)  # released after the next one, or soon
                timer.daemon = True
                timer.start()
                return
            out.append(update)
            if self.faults.chance(self.faults.duplicate_chance):
                out.append(update)
            if self._held is not None:
                out.append(self._held)
                self._held = None
            for message in out:
                self._send(message)

    def flush(self) -> None:
        """Send an update still held back (a reordered one with nothing after it)."""
        with self._lock:
            if self._held is not None:
                held, self._held = self._held, None
                self._send(held)

    def drop_all(self) -> None:
        """Close every stream connection (a network drop)."""
        with self._lock:
            for queue, loop in self._queues.items():
                loop.call_soon_threadsafe(queue.put_nowait, None)

    def _send(self, message: dict[str, Any]) -> None:
        self.sent += 1
        drop = self.faults.drop_stream_after
        for queue, loop in self._queues.items():
            loop.call_soon_threadsafe(queue.put_nowait, dict(message))
            if drop is not None and self.sent % drop == 0:
                loop.call_soon_threadsafe(queue.put_nowait, None)
