"""Access tokens as Upstox issues them: valid until the next 03:30 in India, whatever time they were issued."""

import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
EXPIRY_TIME = time(3, 30)


def expiry_after(issued: datetime) -> datetime:
    """Return the first 03:30 IST strictly after ``issued`` (a token's end of life)."""
    local = issued.astimezone(IST)
    cut = datetime.combine(local.date(), EXPIRY_TIME, tzinfo=IST)
    if local >= cut:
        cut += timedelta(days=1)
    return cut.astimezone(UTC)


class FakeClock:
    """The fake broker's wall clock: real time shifted by whatever a test asks."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        """Return the fake's current time (UTC)."""
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move the fake's time forward."""
        self.offset += delta


class Tokens:
    """The tokens the fake accepts, each with its expiry."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._expiry: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def issue(self, token: str | None = None) -> str:
        """Issue a token (a given one, or a new random one) valid until the next 03:30 IST."""
        token = token or secrets.token_urlsafe(24)
        with self._lock:
            self._expiry[token] = expiry_after(self._now())
        return token

    def valid(self, token: str) -> bool:
        """Return whether the token was issued and has not expired."""
        with self._lock:
            expiry = self._expiry.get(token)
        return expiry is not None and self._now() < expiry

    def expire_all(self) -> None:
        """End every token now (as 03:30 IST does)."""
        with self._lock:
            past = self._now() - timedelta(seconds=1)
            self._expiry = dict.fromkeys(self._expiry, past)
