"""Trading sessions of an instrument's exchange: its local days, regular hours and DAY order expiry."""

from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from ordergate.domain.instruments import Instrument
from ordergate.domain.session_day import SessionDay, SessionDays


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _hhmm(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute)


def day_order_expiry(instrument: Instrument, placed_at: datetime) -> datetime:
    """Return the first session close of the instrument's exchange at or after ``placed_at``."""
    zone = _zone(instrument.timezone)
    local = placed_at.astimezone(zone)
    close = datetime.combine(local.date(), _hhmm(instrument.session_close), tzinfo=zone)
    if close <= local:
        close += timedelta(days=1)
    while close.weekday() >= 5:  # no sessions on Saturday and Sunday
        close += timedelta(days=1)
    return close.astimezone(placed_at.tzinfo)


def session_day(instrument: Instrument, ts: datetime) -> SessionDay:
    """Return the exchange's local day of ``ts`` with its regular hours (``session_open``-``session_close``)."""
    zone = _zone(instrument.timezone)
    day = ts.astimezone(zone).date()

    def at(moment: time, days: int = 0) -> datetime:
        return datetime.combine(day + timedelta(days=days), moment, zone).astimezone(UTC)

    return SessionDay(day, at(time(0)), at(time(0), 1), at(_hhmm(instrument.session_open)),
                      at(_hhmm(instrument.session_close)))


def exchange_days(instrument: Instrument) -> SessionDays:
    """Return a calendar of the instrument's exchange days, for one instrument's statistics and bars."""
    return SessionDays(lambda ts: session_day(instrument, ts))
