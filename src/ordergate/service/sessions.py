"""Trading-session times: when a DAY order placed at a given moment expires."""

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from ordergate.domain.instruments import Instrument


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def day_order_expiry(instrument: Instrument, placed_at: datetime) -> datetime:
    """Return the first session close of the instrument's exchange at or after ``placed_at``."""
    zone = _zone(instrument.timezone)
    local = placed_at.astimezone(zone)
    hour, minute = (int(part) for part in instrument.session_close.split(":"))
    close = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    if close <= local:
        close += timedelta(days=1)
    while close.weekday() >= 5:  # no sessions on Saturday and Sunday
        close += timedelta(days=1)
    return close.astimezone(placed_at.tzinfo)
