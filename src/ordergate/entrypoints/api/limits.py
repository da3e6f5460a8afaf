"""Rate limits: a token bucket per API key, and one per client address for failed authentications.

These buckets are one instance's own; with Redis, the per-key ones are shared (``SharedBuckets``).
"""

import math
import time
from collections.abc import Callable
from typing import Protocol


class Buckets:
    """Token buckets by name: each holds up to ``burst`` tokens, refilled at ``rate`` per second."""

    MAX_BUCKETS = 100_000  # past this many names, idle buckets are forgotten (full again: nothing lost)

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # name -> (tokens, when)

    def take(self, name: str) -> float:
        """Take a token for ``name``: return 0 if there was one, else the seconds until there will be."""
        now = self._clock()
        tokens, when = self._buckets.get(name, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.rate)
        if tokens < 1:
            self._buckets[name] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self._buckets) >= self.MAX_BUCKETS and name not in self._buckets:
            self._forget_full(now)
        self._buckets[name] = (tokens - 1, now)
        return 0.0

    def peek(self, name: str) -> float:
        """Return the seconds until ``name`` has a token (0: it has one now), taking nothing."""
        now = self._clock()
        tokens, when = self._buckets.get(name, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        self._buckets = {n: (t, w) for n, (t, w) in self._buckets.items()
                         if t + (now - w) * self.rate < self.burst}


class SharedBuckets(Protocol):
    """Token buckets that several instances share (Redis): taking a token is a round trip."""

    rate: float

    async def take(self, name: str) -> float:
        """Take a token for ``name``: return 0 if there was one, else the seconds until there will be."""
        ...


def retry_after(seconds: float) -> str:
    """Return a Retry-After header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
