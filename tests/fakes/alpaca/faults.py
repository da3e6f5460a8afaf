"""Fault knobs: what can go wrong between a client and Alpaca, switched on per test (or over /_fake/faults)."""

import time
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Faults:
    """Failures the fake injects. Counters count down as they fire; flags stay on until cleared."""

    http_5xx: int = 0  # answer the next N trading requests 503 without doing anything
    http_429: int = 0  # answer the next N trading requests 429 (rate limited)
    hang_requests: int = 0  # hold the next N requests for ``hang_seconds`` before answering (client timeouts)
    hang_seconds: float = 5.0
    drop_create_answer: int = 0  # create the next N orders, then answer 500 as if the answer was lost
    hang_create_answer: int = 0  # create the next N orders, then hold the answer ``hang_seconds``
    create_5xx: int = 0  # answer the next N order creations 503 without creating (look-ups still answer)
    refuse_out_of_session: bool = False  # refuse (403) an order that cannot trade in the session now
    stream_delay: float = 0.0  # seconds every trade update waits before it is sent
    duplicate_events: bool = False  # send every trade update twice
    reorder_events: bool = False  # hold each trade update until the next one and send them swapped
    ack_delay: float = 0.005  # seconds between accepted and the ``new`` event
    fill_delay: float = 0.005  # seconds between one execution and the next
    fill_chunk: str | None = None  # largest execution (a decimal string); None fills what the quote allows
    rate_limit: int = 200  # requests per minute per key, as Alpaca's default
    one_stream_per_key: bool = True

    def update(self, changes: dict[str, Any]) -> None:
        """Set the knobs named in ``changes`` (unknown names raise KeyError)."""
        names = {f.name for f in fields(self)}
        for name, value in changes.items():
            if name not in names:
                raise KeyError(name)
            setattr(self, name, value)

    def take(self, name: str) -> bool:
        """Return whether the counter ``name`` fires for this request (and count it down)."""
        left = getattr(self, name)
        if left > 0:
            setattr(self, name, left - 1)
            return True
        return False


@dataclass
class RateWindow:
    """A fixed one-minute window per key, like Alpaca's ``X-Ratelimit-*`` headers describe."""

    limit: int
    started: float = field(default_factory=time.time)
    used: int = 0

    def hit(self) -> bool:
        """Count one request; return False when the window is already spent."""
        now = time.time()
        if now - self.started >= 60:
            self.started, self.used = now, 0
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def headers(self) -> dict[str, str]:
        """Return the rate-limit headers Alpaca sends on every response."""
        return {
            "X-Ratelimit-Limit": str(self.limit),
            "X-Ratelimit-Remaining": str(max(self.limit - self.used, 0)),
            "X-Ratelimit-Reset": str(int(self.started + 60)),
        }
