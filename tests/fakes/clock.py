"""A clock the test moves by hand, so time-dependent behaviour is deterministic."""

from datetime import UTC, datetime, timedelta

# A Monday morning in New York (14:00 UTC = 09:00 EST): the US session closes at 21:00 UTC.
DEFAULT_START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


class FakeClock:
    """A Clock that stands still until told to move."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self._now = start

    def now(self) -> datetime:
        """Return the current fake time."""
        return self._now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        """Move time forward by ``seconds`` (and/or timedelta keywords); return the new time."""
        self._now += timedelta(seconds=seconds, **delta)
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to a moment (it must carry a timezone)."""
        if moment.tzinfo is None:
            raise ValueError("the fake clock needs a timezone-aware datetime")
        self._now = moment
