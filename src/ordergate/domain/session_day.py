"""Exchange days: which calendar day a print belongs to and whether it falls in the regular session.

The days themselves come from a calendar function (the exchange's timezone and hours live in the service
layer); ``SessionDays`` remembers the latest day so that the prints of one day cost two comparisons.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


@dataclass(slots=True, frozen=True)
class SessionDay:
    """One exchange calendar day: its bounds and its regular session, as UTC times."""

    day: date  # the exchange's local date
    start: datetime  # local midnight
    end: datetime  # the next local midnight
    opens: datetime  # the regular session's open
    closes: datetime  # and its close

    @property
    def anchor(self) -> int:
        """Return the session open in whole seconds since the epoch: bars are laid from it."""
        return (self.opens - _EPOCH) // _SECOND

    def in_hours(self, ts: datetime) -> bool:
        """Return whether ``ts`` falls in the regular session (open and close included)."""
        return self.opens <= ts <= self.closes


SessionCalendar = Callable[[datetime], SessionDay]


def utc_day(ts: datetime) -> SessionDay:
    """Return the UTC calendar day of ``ts`` as a session open all day (for instruments without a calendar)."""
    day = ts.astimezone(UTC).date()
    start = datetime.combine(day, time(0), UTC)
    end = start + timedelta(days=1)
    return SessionDay(day, start, end, start, end)


class SessionDays:
    """A calendar that remembers the latest day it answered (prints mostly arrive in time order)."""

    __slots__ = ("_calendar", "_last")

    def __init__(self, calendar: SessionCalendar = utc_day) -> None:
        self._calendar = calendar
        self._last: SessionDay | None = None

    def __call__(self, ts: datetime) -> SessionDay:
        """Return the day ``ts`` belongs to."""
        last = self._last
        if last is not None and last.start <= ts < last.end:
            return last
        day = self._calendar(ts)
        if last is None or day.start > last.start:  # a late print of an old day does not evict today
            self._last = day
        return day
