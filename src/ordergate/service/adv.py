"""Average daily volume per symbol: from the market's own hourly bars over past days, else a configured table.

Worked out at most once per symbol and UTC day (bars of finished days do not change), so a risk check
reads a dict.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from ordergate.domain.bars import Bar
from ordergate.domain.ids import Symbol
from ordergate.service.ports import Clock

LOOKBACK_DAYS = 20
HOURS = 24 * LOOKBACK_DAYS
DAY_SECONDS = 86_400
HOUR = timedelta(hours=1)


class BarSource(Protocol):
    """Where past bars come from (the market data hub)."""

    def bars(self, symbol: Symbol, interval: str, limit: int = 100) -> list[Bar]:
        """Return up to ``limit`` newest bars of ``interval``, oldest first."""
        ...


class AverageDailyVolume:
    """The average volume a symbol traded per day over the last finished days (up to 20)."""

    def __init__(self, bars: BarSource | None, table: Mapping[str, Decimal], clock: Clock) -> None:
        self._bars = bars
        self._table = {symbol.upper(): volume for symbol, volume in table.items()}
        self._clock = clock
        self._cache: dict[Symbol, tuple[int, Decimal | None]] = {}

    def of(self, symbol: Symbol, now_ts: float | None = None) -> Decimal | None:
        """Return the symbol's average daily volume (None when neither history nor the table has it);
        ``now_ts`` (POSIX seconds) saves a clock read."""
        day = int((now_ts if now_ts is not None else self._clock.now().timestamp()) // DAY_SECONDS)
        cached = self._cache.get(symbol)
        if cached is not None and cached[0] == day:
            return cached[1]
        today = datetime.fromtimestamp(day * DAY_SECONDS, UTC).toordinal()
        volume = self._from_bars(symbol, today)
        if volume is None:
            volume = self._table.get(symbol.upper())
        self._cache[symbol] = (day, volume)
        return volume

    def _from_bars(self, symbol: Symbol, today: int) -> Decimal | None:
        if self._bars is None:
            return None
        start_of_today = datetime.fromordinal(today).replace(tzinfo=UTC)
        since = start_of_today - timedelta(days=LOOKBACK_DAYS)
        last_start = start_of_today - HOUR  # an hourly bar anchored off the hour (e.g. at :30) may run past midnight
        days: dict[int, Decimal] = {}
        for bar in self._bars.bars(symbol, "1h", HOURS):
            when = bar.start_time
            if since <= when <= last_start:  # the bar ended by the start of today: none of its trades are today's
                day = when.toordinal()
                days[day] = days.get(day, Decimal(0)) + bar.volume
        if not days:
            return None
        return sum(days.values(), Decimal(0)) / len(days)
