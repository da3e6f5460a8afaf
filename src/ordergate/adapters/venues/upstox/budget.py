"""Request budgets per class (orders vs everything else): Upstox sends no rate-limit headers, so we pace."""

import asyncio
import time


class RequestBudget:
    """A token bucket: ``rate`` requests a second on average, bursts up to ``rate`` at once."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._tokens = rate
        self._last = time.monotonic()
        self._lock = asyncio.Lock()

    async def take(self) -> float:
        """Wait until a request may go; return the seconds waited."""
        waited = 0.0
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.rate, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return waited
                pause = (1 - self._tokens) / self.rate
                waited += pause
                await asyncio.sleep(pause)
