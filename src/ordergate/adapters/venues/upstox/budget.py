"""Request budgets per class (orders vs everything else): Upstox sends no rate-limit headers, so we pace.

Upstox counts requests per second; a budget of N lets at most N requests start in any one-second window
(a token bucket would let a burst plus the refill through, over the broker's count).
"""

import asyncio
import math
import time
from collections import deque


class RequestBudget:
    """At most ``rate`` requests in any sliding one-second window (a fractional rate: one per 1/rate s)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._per_window = max(1, math.floor(rate))
        self._window = self._per_window / rate  # seconds in which ``_per_window`` requests may start
        self._started: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def take(self) -> float:
        """Wait until a request may go; return the seconds waited."""
        waited = 0.0
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._started and self._started[0] <= now - self._window:
                    self._started.popleft()
                if len(self._started) < self._per_window:
                    self._started.append(now)
                    return waited
                pause = self._started[0] + self._window - now
                waited += pause
                await asyncio.sleep(pause)
