"""Per-class request limits (orders vs everything else), one-second windows, as Upstox applies per user."""

import threading
import time
from collections import deque


class RateLimits:
    """Count requests per class in the last second; refuse over the limit (None = no limit)."""

    def __init__(self, orders_per_second: int | None = None, others_per_second: int | None = None) -> None:
        self.limits: dict[str, int | None] = {"orders": orders_per_second, "others": others_per_second}
        self._seen: dict[str, deque[float]] = {"orders": deque(), "others": deque()}
        self._lock = threading.Lock()
        self.refused = {"orders": 0, "others": 0}  # requests answered 429 for going over the limit

    def allow(self, kind: str) -> bool:
        """Record a request of ``kind`` and return whether it is within the limit."""
        limit = self.limits[kind]
        if limit is None:
            return True
        now = time.monotonic()
        with self._lock:
            seen = self._seen[kind]
            while seen and seen[0] <= now - 1.0:
                seen.popleft()
            if len(seen) >= limit:
                self.refused[kind] += 1
                return False
            seen.append(now)
            return True
